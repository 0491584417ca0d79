"""Opening the terminal database: migrations, pragmas, refusal of newer or corrupt
files (left untouched), the one-process lock, several terminals in one process."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import peewee
import pytest

from ipos_tui.domain.errors import DomainError
from ipos_tui.store.migrations import runner as migrations
from ipos_tui.store.db import DB_FILENAME, LOCK_FILENAME, Terminal, open_terminal
from ipos_tui.store.migrations import SCHEMA_VERSION
from ipos_tui.domain.records import TerminalInfo

EXPECTED_TABLES = {
    "company", "store", "terminal_info", "setting", "payment_method", "user", "vat_rate",
    "unit", "category", "product", "barcode", "discount", "sync_cursor", "product_fts",
    "document", "document_line", "document_payment", "number_sequence",
    "local_setting", "login_failure", "product_sales",
}  # fmt: skip


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tables(terminal: Terminal) -> set[str]:
    rows = terminal.db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {row[0] for row in rows}


def test_new_directory_is_created_and_migrated(tmp_path: Path) -> None:
    data_dir = tmp_path / "a" / "b"
    with open_terminal(data_dir) as terminal:
        assert (data_dir / DB_FILENAME).is_file()
        assert terminal.schema_version == SCHEMA_VERSION == len(migrations.MIGRATIONS)
        assert _tables(terminal) >= EXPECTED_TABLES


def test_pragmas_are_set_on_every_connection(fresh: Terminal) -> None:
    def pragmas() -> tuple[object, ...]:
        return tuple(
            fresh.db.execute_sql(f"PRAGMA {name}").fetchone()[0]
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        )

    assert pragmas() == ("wal", 2, 1, 5000)
    seen: list[tuple[object, ...]] = []

    def worker() -> None:
        with fresh.db.connection_context():
            seen.append(pragmas())

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [("wal", 2, 1, 5000)]


def test_reopen_keeps_data_and_does_not_migrate_again(tmp_path: Path) -> None:
    with open_terminal(tmp_path) as terminal:
        terminal.settings.set_local("language", "en")
        terminal.settings.set_terminal_info(TerminalInfo(7, "Kasa 7", 2))
    with open_terminal(tmp_path) as terminal:
        assert terminal.settings.get_local("language") == "en"
        assert terminal.settings.terminal_info() == TerminalInfo(7, "Kasa 7", 2)
        assert migrations.migrate(terminal.db) == []


def test_newer_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE future (x)")
    conn.execute("INSERT INTO future VALUES (42)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    before = _digest(path)
    with pytest.raises(DomainError) as caught:
        open_terminal(tmp_path)
    assert caught.value.key == "err.db_too_new"
    assert caught.value.params == {"found": SCHEMA_VERSION + 5, "supported": SCHEMA_VERSION}
    assert _digest(path) == before
    assert not (tmp_path / f"{DB_FILENAME}-wal").exists()
    # The refusal released the lock: after a downgrade of the file it opens again
    # (without the newer table: a version 0 file with tables is another program's).
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE future")
    conn.execute("PRAGMA user_version = 0")
    conn.commit()
    conn.close()
    with open_terminal(tmp_path) as terminal:
        assert terminal.schema_version == SCHEMA_VERSION


def test_garbage_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    path.write_bytes(b"this is not a database, it is a shopping list\n" * 200)
    before = _digest(path)
    with pytest.raises(DomainError) as caught:
        open_terminal(tmp_path)
    assert caught.value.key == "err.db_corrupt"
    assert caught.value.params == {"path": str(path)}
    assert path.exists() and _digest(path) == before


def test_damaged_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    with open_terminal(tmp_path) as terminal:
        terminal.db.execute_sql("CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT)")
        terminal.db.cursor().executemany(
            "INSERT INTO filler (text) VALUES (?)", [(f"row {i} " * 20,) for i in range(3000)]
        )
        terminal.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    assert size > 40 * 4096
    with path.open("r+b") as handle:  # scribble over the middle of the file
        handle.seek(size // 2)
        handle.write(b"\xa5" * 8192)
    before = _digest(path)
    with pytest.raises(DomainError) as caught:
        open_terminal(tmp_path)
    assert caught.value.key == "err.db_corrupt"
    assert _digest(path) == before


def test_second_open_in_the_same_process_is_refused(tmp_path: Path) -> None:
    first = open_terminal(tmp_path)
    try:
        with pytest.raises(DomainError) as caught:
            open_terminal(tmp_path)
        assert caught.value.key == "err.db_locked"
        assert caught.value.params == {"path": str(tmp_path)}
    finally:
        first.close()
    assert first.closed
    with open_terminal(tmp_path) as again:  # released on close
        assert again.schema_version == SCHEMA_VERSION


def test_second_process_is_refused_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from ipos_tui.domain.errors import DomainError
        from ipos_tui.store.db import open_terminal
        try:
            open_terminal(Path(sys.argv[1])).close()
        except DomainError as error:
            print(error.key)
        else:
            print("opened")
        """
    )

    def other_process() -> str:
        result = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    with open_terminal(tmp_path):
        assert other_process() == "err.db_locked"
        assert (tmp_path / LOCK_FILENAME).read_text().strip().isdigit()
    assert other_process() == "opened"


def test_a_killed_process_loses_nothing_committed(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import os, sys
        from pathlib import Path
        from ipos_tui.store.db import open_terminal
        terminal = open_terminal(Path(sys.argv[1]))
        terminal.settings.set_local("language", "en")
        os._exit(0)  # no close, no checkpoint: like a power cut after the commit
        """
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True, timeout=60)
    assert (tmp_path / f"{DB_FILENAME}-wal").exists()
    with open_terminal(tmp_path) as terminal:  # the dead process's lock is gone with it
        assert terminal.settings.get_local("language") == "en"


def test_several_terminals_in_one_process_keep_their_own_data(tmp_path: Path) -> None:
    one = open_terminal(tmp_path / "one")
    two = open_terminal(tmp_path / "two")
    try:
        one.settings.set_local("language", "pl")
        two.settings.set_local("language", "en")
        assert one.settings.get_local("language") == "pl"
        assert two.settings.get_local("language") == "en"
        assert one.models.local_setting is not two.models.local_setting
    finally:
        one.close()
        two.close()
    with open_terminal(tmp_path / "three") as three:
        assert three.settings.get_local("language", "default") == "default"


def test_failed_migration_step_leaves_the_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_terminal(tmp_path):
        pass
    broken = (*migrations.MIGRATIONS, ("CREATE TABLE extra (x)", "THIS IS NOT SQL"))
    monkeypatch.setattr(migrations, "MIGRATIONS", broken)
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", len(broken))
    db = peewee.SqliteDatabase(str(tmp_path / DB_FILENAME))
    with pytest.raises(peewee.OperationalError):
        migrations.migrate(db)
    assert migrations.schema_version(db) == SCHEMA_VERSION
    tables = {row[0] for row in db.execute_sql("SELECT name FROM sqlite_master").fetchall()}
    assert "extra" not in tables
    db.close()


def test_ledger_rows_cannot_be_deleted(fresh: Terminal) -> None:
    fresh.db.execute_sql(
        "INSERT INTO document (uuid, doc_type, number, kind, created_utc, created_local, "
        "cashier_id, cashier_name, store_id, terminal_id, total, discount_total, vat) "
        "VALUES ('u1', 'receipt', 1, 'paragon', 't', 't', 1, 'x', 1, 1, 100, 0, '{}')"
    )
    with pytest.raises(peewee.IntegrityError, match="never deleted"):
        fresh.db.execute_sql("DELETE FROM document")
    with pytest.raises(peewee.IntegrityError, match="never changes"):
        fresh.db.execute_sql("UPDATE document SET total = 1")
    fresh.db.execute_sql("UPDATE document SET upload_state = 'sent'")  # bookkeeping is allowed
    assert fresh.db.execute_sql("SELECT count(*), max(total) FROM document").fetchone() == (1, 100)
