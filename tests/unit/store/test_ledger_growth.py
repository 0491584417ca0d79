"""What a sale asks the ledger must not grow with the ledger (issue 18, the week
offline: ``benchmarks/offline_week.py`` measures it; these pin the query plans that
keep it flat, so a rewrite cannot silently bring back a walk over every receipt)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import peewee
import pytest
from terminal_support import NOW

from ipos_tui.domain.records import StoredDocument
from ipos_tui.store import migrations
from ipos_tui.store.db import DB_FILENAME, Terminal, open_terminal
from ipos_tui.store.ledger.fiscal_day import _OPEN_DAY_STARTED, DAY_SUMMED_TYPES, DOC_DAILY_REPORT
from ipos_tui.store.timeutil import utc_text


def _plan(terminal: Terminal, sql: str, params: tuple[object, ...] = ()) -> list[str]:
    return [str(row[-1]) for row in terminal.db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()]


def test_the_fiscal_day_check_walks_only_the_open_day(fresh: Terminal) -> None:
    """Each commit asks when the open day began (under its write lock). The answer is
    found from the last report on along the primary key, never by reading every
    document of a type (the type index holds every receipt ever made)."""
    plan = _plan(fresh, _OPEN_DAY_STARTED, (DOC_DAILY_REPORT, *DAY_SUMMED_TYPES))
    assert plan[0] == "SEARCH document USING INTEGER PRIMARY KEY (rowid>?)", plan
    assert not any("document_type_time" in step for step in plan), plan


def _counted(terminal: Terminal) -> tuple[int, str | None]:
    """The unsent documents counted the slow way (what the trigger-kept count must equal)."""
    count, oldest = terminal.db.execute_sql(
        "SELECT count(*), min(created_utc) FROM document WHERE upload_state != 'sent'").fetchone()
    return int(count), oldest


def _summary(terminal: Terminal) -> tuple[int, str | None]:
    count, oldest = terminal.ledger.pending_summary()
    return count, None if oldest is None else utc_text(oldest)


def test_the_unsent_count_follows_every_upload_state_change(
        demo_terminal: Terminal, sell: Callable[..., StoredDocument]) -> None:
    """The ☁ count after each sale reads a trigger-kept number, not the outbox: it must
    still be exactly the unsent documents through sales, acceptance, quarantine and a
    quarantined document released back to pending; the oldest is the oldest of both."""
    terminal = demo_terminal
    assert _summary(terminal) == _counted(terminal) == (0, None)
    first = sell([("1", 1000)], now=NOW)
    second = sell([("2", 1000)], now=NOW + timedelta(minutes=1))
    third = sell([("1", 2000)], now=NOW + timedelta(minutes=2))
    assert _summary(terminal) == _counted(terminal) == (3, utc_text(NOW))
    terminal.ledger.mark_quarantined(first.uuid, "uuid_conflict")
    assert _summary(terminal) == _counted(terminal) == (3, utc_text(NOW))
    terminal.ledger.mark_sent([second.uuid, third.uuid], NOW)
    assert _summary(terminal) == _counted(terminal) == (1, utc_text(NOW))
    terminal.ledger.mark_sent([second.uuid], NOW)  # sent again: no change
    terminal.db.execute_sql("UPDATE document SET upload_state = 'pending' WHERE uuid = ?", (first.uuid,))
    assert _summary(terminal) == _counted(terminal) == (1, utc_text(NOW))
    terminal.ledger.mark_sent([first.uuid], NOW)
    assert _summary(terminal) == _counted(terminal) == (0, None)
    with pytest.raises(peewee.IntegrityError):  # a document is never deleted, the count stays
        terminal.db.execute_sql("DELETE FROM document WHERE uuid = ?", (first.uuid,))
    assert _summary(terminal) == (0, None)


def test_migration_13_counts_the_outbox_of_an_older_database(tmp_path: Path) -> None:
    """A version-12 till with unsent and sent documents: migration 13 starts the count
    at the documents already waiting."""
    db = peewee.SqliteDatabase(str(tmp_path / DB_FILENAME))
    for version, steps in enumerate(migrations.MIGRATIONS[:12], start=1):
        for statement in steps:
            db.execute_sql(statement)
        db.execute_sql(f"PRAGMA user_version = {version}")
    for number, state in enumerate(("sent", "pending", "quarantined", "pending", "sent"), start=1):
        db.execute_sql(
            "INSERT INTO document (uuid, doc_type, number, kind, created_utc, created_local, cashier_id,"
            " cashier_name, store_id, terminal_id, total, discount_total, vat, upload_state)"
            " VALUES (?, 'receipt', ?, 'paragon', ?, ?, 1, 'Anna', 1, 1, 100, 0, '{}', ?)",
            (f"uuid-{number}", number, f"2026-11-2{number}T10:00:00.000000+00:00",
             f"2026-11-2{number}T11:00:00.000000+01:00", state))
    db.close()
    with open_terminal(tmp_path) as terminal:
        assert terminal.schema_version == migrations.SCHEMA_VERSION >= 13
        assert _summary(terminal) == _counted(terminal) == (3, "2026-11-22T10:00:00.000000+00:00")
