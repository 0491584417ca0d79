"""Daily, monthly and periodic reports, and the day-close rules that depend on them."""

from ipos_tui.till.reports.service import (
    DOC_DAILY_REPORT,
    DailyReport,
    DaySums,
    PeriodicReport,
    ReportService,
    add_sums,
    authorised_lines,
    category_lines,
    check_period,
    daily_report_body,
    month_range,
    parse_day,
    parse_month,
    periodic_report_body,
)

__all__ = [
    "DOC_DAILY_REPORT",
    "DailyReport",
    "DaySums",
    "PeriodicReport",
    "ReportService",
    "add_sums",
    "authorised_lines",
    "category_lines",
    "check_period",
    "daily_report_body",
    "month_range",
    "parse_day",
    "parse_month",
    "periodic_report_body",
]
