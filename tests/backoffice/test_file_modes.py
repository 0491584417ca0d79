"""The back office's SQLite database holds buyers' NIP and addresses and PIN and token
hashes: created owner-only, with its WAL files, in an owner-only directory (issue 15)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ipos_tui.backoffice.cli import main as backoffice_cli


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_creates_the_database_and_its_directory_owner_only(
        tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("IPOS_BACKOFFICE_SECRET", "file-modes")
    directory = tmp_path / "fresh" / "backoffice"
    db = directory / "backoffice.db"
    old = os.umask(0o022)  # a usual shell's umask: without care, 0644 and 0755
    try:
        assert backoffice_cli(["--db", f"sqlite:///{db}", "init", "--demo"]) == 0
    finally:
        os.umask(old)
    assert _mode(directory) == 0o700 and _mode(db) == 0o600
    for extra in (Path(f"{db}-wal"), Path(f"{db}-shm")):
        if extra.exists():
            assert _mode(extra) == 0o600, extra


def test_an_existing_database_keeps_its_mode(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("IPOS_BACKOFFICE_SECRET", "file-modes")
    db = tmp_path / "shared.db"
    db.touch(mode=0o640)
    db.chmod(0o640)  # the admin chose group read for a backup user
    assert backoffice_cli(["--db", f"sqlite:///{db}", "init"]) == 0
    assert _mode(db) == 0o640
