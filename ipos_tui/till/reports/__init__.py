"""Daily, monthly and periodic reports, and the day-close rules that depend on them.

A **daily report** ("raport dobowy") closes the fiscal day: it sums every ledger
document stored since the previous report (receipts, returns, cash operations) and
every receipt voided since, and is itself a ledger document ("daily_report", its own
gapless running number) uploaded like a sale. The sums are taken and the report is
stored in ONE write transaction, so a sale finished on another thread lands either in
this report or in the next one, never in both or neither. Which documents a report
covered is kept with it (the last document id and void id), so the next report starts
exactly there, whatever the clock says.

Sales and returns are kept apart per VAT letter and rate: the gross of each is
summed per letter at the rate each document used (its snapshot, see
:mod:`ipos_tui.store.vat_table`) and the VAT computed once from each sum, as the
fiscal printer does; a return corrects its original's VAT, at the original's rate.
No letter goes negative; the net (sales − returns) is the summary, and what the
report stores in its VAT column and uploads (net gross and VAT per letter), as the
back office's ``report sales`` computes it from the same documents.

**Monthly and periodic reports** sum the stored daily reports whose day falls in the
range; they store nothing and change nothing, so they can be printed any number of
times.

**The fiscal day** (domain/fiscal_day.py, enforced by the ledger inside every commit):
a report never mixes two calendar days. Once the open day's first document is of an
earlier date, sales, returns and cash operations are refused until the daily report
is made; the report is dated by that day.

**Day-close options** (from the back office): "off"; "reminder" at "gg:mm" (a tak/nie
question, selling goes on); "block": from "gg:mm" on, a day begun before that time
takes no more sales until its report.

The package by subject:

* :mod:`.sums`: what a report says (:class:`DaySums`, a stored :class:`DailyReport`,
  a :class:`PeriodicReport`), how sums add up and how a report keeps them;
* :mod:`.queries`: the ledger's SQL (the open day's sums, stored reports, sales by
  category);
* :mod:`.periods`: the days and months a report is asked for, as typed;
* :mod:`.printouts`: the bodies of the report printouts;
* :mod:`.service`: :class:`ReportService`, the use cases over the ledger and printer.
"""

from ipos_tui.store.ledger import DOC_DAILY_REPORT
from ipos_tui.till.reports.periods import (
    MAX_PERIOD_DAYS,
    check_period,
    month_range,
    parse_day,
    parse_month,
)
from ipos_tui.till.reports.printouts import (
    authorised_lines,
    category_lines,
    daily_report_body,
    periodic_report_body,
    sums_body,
)
from ipos_tui.till.reports.service import REMINDER_ANSWERED, ReportService
from ipos_tui.till.reports.sums import (
    DailyReport,
    DaySums,
    PeriodicReport,
    add_sums,
    net_vat,
)

__all__ = [
    "DOC_DAILY_REPORT",
    "MAX_PERIOD_DAYS",
    "REMINDER_ANSWERED",
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
    "net_vat",
    "parse_day",
    "parse_month",
    "periodic_report_body",
    "sums_body",
]
