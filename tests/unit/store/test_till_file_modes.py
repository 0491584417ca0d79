"""Issue 15, item 8 for the till: its database (and WAL/SHM) is created 0600 in a
data directory created 0700, whatever the umask; an existing directory keeps its mode."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ipos_tui.store.db import open_terminal


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_till_database_and_its_directory_are_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        data = tmp_path / "till" / "data"
        with open_terminal(data) as terminal:
            terminal.db.execute_sql("CREATE TABLE IF NOT EXISTS probe (x)")
            terminal.db.execute_sql("INSERT INTO probe VALUES (1)")
            assert _mode(data) == 0o700
            files = [p for p in data.iterdir() if p.name.endswith(
                (".db", ".sqlite3", "-wal", "-shm")) or "sqlite" in p.name]
            assert files
            for path in files:
                assert _mode(path) == 0o600, path
        shared = tmp_path / "shared"
        shared.mkdir(mode=0o750)
        os.chmod(shared, 0o750)
        with open_terminal(shared):
            pass
        assert _mode(shared) == 0o750  # the admin's choice is kept
    finally:
        os.umask(old)


def test_an_update_backup_is_owner_only(tmp_path: Path) -> None:
    from ipos_tui.updates.backup import backup_database

    old = os.umask(0o022)
    try:
        with open_terminal(tmp_path / "data") as terminal:
            source = Path(terminal.db.database)
        target = tmp_path / "backups" / "till.db"
        backup_database(source, target)
        assert _mode(target) == 0o600 and _mode(target.parent) == 0o700
    finally:
        os.umask(old)


def test_the_till_log_is_owner_only(tmp_path: Path) -> None:
    import logging

    from ipos_tui.cli import _setup_logging

    old = os.umask(0o022)
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        _setup_logging(tmp_path / "logs", verbose=False)
        logging.getLogger("probe").warning("probe")
        log = tmp_path / "logs" / "ipos-tui.log"
        assert _mode(log) == 0o600 and _mode(log.parent) == 0o700
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
                handler.close()
        os.umask(old)
