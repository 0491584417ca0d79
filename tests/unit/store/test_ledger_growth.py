"""What a sale asks the ledger must not grow with the ledger (issue 18, the week
offline: ``benchmarks/offline_week.py`` measures it; these pin the query plans that
keep it flat, so a rewrite cannot silently bring back a walk over every receipt)."""

from __future__ import annotations

from ipos_tui.store.db import Terminal
from ipos_tui.store.ledger.fiscal_day import _OPEN_DAY_STARTED, DAY_SUMMED_TYPES, DOC_DAILY_REPORT


def _plan(terminal: Terminal, sql: str, params: tuple[object, ...] = ()) -> list[str]:
    return [str(row[-1]) for row in terminal.db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()]


def test_the_fiscal_day_check_walks_only_the_open_day(fresh: Terminal) -> None:
    """Each commit asks when the open day began (under its write lock). The answer is
    found from the last report on along the primary key, never by reading every
    document of a type (the type index holds every receipt ever made)."""
    plan = _plan(fresh, _OPEN_DAY_STARTED, (DOC_DAILY_REPORT, *DAY_SUMMED_TYPES))
    assert plan[0] == "SEARCH document USING INTEGER PRIMARY KEY (rowid>?)", plan
    assert not any("document_type_time" in step for step in plan), plan
