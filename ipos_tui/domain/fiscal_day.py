"""The fiscal day rule: a daily report never mixes two calendar days.

The open fiscal day starts with the first document a daily report will sum (a sale,
a return, a cash operation) stored since the previous report. Once that first
document is of an earlier local date than now, nothing more may be added to the day
until its daily report is made ("3. Raport dobowy"): otherwise one report would hold
two days and the day it is filed under would disagree with the back office, which
files every document under its own calendar day. Nothing open (a shop closed for
days) means nothing to refuse: no empty reports are needed.

The "block" day-close option adds a time of day: from the set "gg:mm" on, a day
that began before that time takes no more documents until its report (after the
report selling goes on, in a new day).

Pure functions of local (aware) datetimes, so the rule can be checked on its own;
the ledger applies it inside its write transaction.
"""

from __future__ import annotations

from datetime import date, datetime

from ipos_tui.domain.errors import DomainError

#: Keys of the refusals (both name the day and the way out, "3. Raport dobowy").
ERR_DAY_OPEN = "dayrule2.err_day_open"
ERR_BLOCK_TIME = "dayrule2.err_block_time"


def _limit(now: datetime, at: str) -> datetime | None:
    """Today's "gg:mm" as a moment on ``now``'s clock (None for a malformed time)."""
    hours, _, minutes = at.partition(":")
    if not (hours.isdigit() and minutes.isdigit()):
        return None
    hour, minute = int(hours), int(minutes)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return now.replace(hour=hour, minute=minute, second=0, microsecond=0)


def day_refusal(
    started: datetime | None, now: datetime, *, option: str = "off", at: str | None = None
) -> DomainError | None:
    """Why a document of the open day may not be stored at ``now``, or None.

    ``started``: local time of the open day's first summed document (None: the day is
    empty); ``now``: the local time of the new document; ``option``/``at``: the
    day-close option and its "gg:mm".
    """
    if started is None:
        return None
    day = started.strftime("%d.%m.%Y")
    if started.date() < now.date():
        return DomainError(ERR_DAY_OPEN, day=day)
    if option == "block" and at:
        limit = _limit(now, at)
        if limit is not None and now >= limit and started < limit:
            return DomainError(ERR_BLOCK_TIME, day=day, time=at)
    return None


def open_day_of(started: datetime | None, now: datetime) -> date:
    """The calendar day a daily report closes: the day of its first document (all of
    them share it), else today."""
    return (started or now).date()


__all__ = ["ERR_BLOCK_TIME", "ERR_DAY_OPEN", "day_refusal", "open_day_of"]
