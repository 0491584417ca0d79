"""The days and months a report is asked for, as the cashier types them."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Final

from ipos_tui.domain.errors import DomainError

#: A periodic report covers at most this many days (a few years: bad input guard).
MAX_PERIOD_DAYS: Final = 3 * 366


def month_range(year: int, month: int) -> tuple[date, date]:
    """First and last day of a month; DomainError "report.err_month_invalid" otherwise."""
    if not 1 <= month <= 12 or not 2000 <= year <= 2999:
        raise DomainError("report.err_month_invalid")
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def parse_month(text: str, today: date) -> tuple[date, date]:
    """The month typed as "mm.rrrr", "mm/rrrr", "rrrr-mm" or just "mm" (this year)."""
    cleaned = text.strip().replace("/", ".").replace("-", ".")
    parts = [part for part in cleaned.split(".") if part]
    if not parts or not all(part.isdigit() for part in parts) or len(parts) > 2:
        raise DomainError("report.err_month_invalid")
    if len(parts) == 1:
        return month_range(today.year, int(parts[0]))
    first, second = parts
    if len(first) == 4:
        return month_range(int(first), int(second))
    return month_range(int(second), int(first))


def parse_day(text: str, today: date) -> date:
    """A day typed as "dd.mm.rrrr", "dd.mm" (this year) or "rrrr-mm-dd"."""
    cleaned = text.strip()
    try:
        if "-" in cleaned:
            return date.fromisoformat(cleaned)
        parts = cleaned.split(".")
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            return date(today.year, int(parts[1]), int(parts[0]))
        if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        pass
    raise DomainError("report.err_date_invalid", text=cleaned)


def check_period(start: date, end: date) -> None:
    """A period runs forwards and is not absurdly long."""
    if end < start:
        raise DomainError("report.err_period_reversed")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise DomainError("report.err_period_too_long", days=MAX_PERIOD_DAYS)


__all__ = ["MAX_PERIOD_DAYS", "check_period", "month_range", "parse_day", "parse_month"]
