"""The ipos-tui command line refuses what it cannot open with a clear message in its
language (the locale's, or --lang) and leaves the files as they were.

Bad input tried: a data dir whose database is garbage, one from a newer app version,
one already open in another terminal process. (A never activated terminal opens on
its activation screen: tests/ui/test_connection.py.)
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ipos_tui.cli import tui_main
from ipos_tui.store.db import open_terminal


@pytest.fixture(autouse=True)
def _polish_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line speaks the locale's language: these tests read Polish."""
    monkeypatch.setenv("LC_ALL", "pl_PL.UTF-8")


def test_garbage_database_is_refused_and_left_untouched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "terminal.sqlite3"
    database.write_bytes(b"this is not a database" * 100)
    before = database.read_bytes()
    assert tui_main(["--data-dir", str(tmp_path)]) == 2
    assert "jest uszkodzony" in capsys.readouterr().err
    assert database.read_bytes() == before


def test_database_from_a_newer_app_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "terminal.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA user_version = 999")
    assert tui_main(["--data-dir", str(tmp_path), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "newer app version" in err and "999" in err


def test_second_process_on_the_same_data_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open_terminal(tmp_path):
        assert tui_main(["--data-dir", str(tmp_path)]) == 2
    assert "już uruchomiony" in capsys.readouterr().err
