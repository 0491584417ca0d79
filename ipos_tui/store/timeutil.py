"""How the terminal stores instants: ISO-8601 text in UTC, plus the local wall time.

Every time-dependent service takes ``now`` from its caller (the app's clock),
so tests inject time instead of sleeping. Stored UTC strings all have the same
shape, which makes them sort and compare correctly as text in SQL.
"""

from __future__ import annotations

from datetime import UTC, datetime


def to_utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (a naive one is taken as local time)."""
    return moment.astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    """The cashier's wall time of ``moment``, as an aware datetime.

    An aware ``moment`` keeps its own offset: the app's clock decides the shop's
    zone (and tests pin it). A naive one is taken as the machine's local time.
    """
    return moment if moment.tzinfo is not None else moment.astimezone()


def utc_text(moment: datetime) -> str:
    """Fixed-width UTC text of ``moment``: "2024-05-01T10:00:00.000000+00:00"."""
    return to_utc(moment).isoformat(timespec="microseconds")


def local_text(moment: datetime) -> str:
    """Local wall time of ``moment`` with its offset, for receipts and reports."""
    return to_local(moment).isoformat(timespec="seconds")


def parse_time(text: str) -> datetime:
    """The aware datetime a stored ISO string denotes."""
    return datetime.fromisoformat(text)
