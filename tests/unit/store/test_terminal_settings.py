"""Catalogue and local settings, and where a terminal keeps its data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ipos_tui.store import paths
from ipos_tui.store.db import Terminal, open_terminal
from ipos_tui.domain.records import CatalogueSnapshot, Company, Store, TerminalInfo


def test_defaults_before_the_first_sync(fresh: Terminal) -> None:
    settings = fresh.settings
    assert settings.login_mode() == "id_pin"
    assert settings.cash_management() is False
    assert settings.day_close() == "off" and settings.day_close_time() is None
    assert (
        settings.company() is None and settings.store() is None and settings.terminal_info() is None
    )
    assert settings.get("anything", 5) == 5


def test_catalogue_settings_come_with_the_catalogue(fresh: Terminal) -> None:
    fresh.catalog.replace_all(
        CatalogueSnapshot(
            company=Company("Firma", "5261045731", "ul. Długa 1"),
            stores=(Store(1, "Sklep A"), Store(2, "Sklep B", "ul. Krótka 2")),
            settings={
                "login_mode": "id",
                "cash_management": True,
                "day_close": "block",
                "day_close_time": "21:30",
            },
        )
    )
    fresh.settings.set_terminal_info(TerminalInfo(5, "Kasa 5", 2))
    settings = fresh.settings
    assert settings.login_mode() == "id" and settings.cash_management() is True
    assert (settings.day_close(), settings.day_close_time()) == ("block", "21:30")
    assert settings.company() == Company("Firma", "5261045731", "ul. Długa 1")
    assert settings.store() == Store(2, "Sklep B", "ul. Krótka 2")
    fresh.settings.set_terminal_info(TerminalInfo(5, "Kasa główna", 1))
    assert settings.terminal_info() == TerminalInfo(5, "Kasa główna", 1)
    assert settings.store() == Store(1, "Sklep A", "")


def test_local_settings_round_trip_and_survive_a_catalogue_rebuild(tmp_path: Path) -> None:
    with open_terminal(tmp_path) as terminal:
        terminal.settings.set_local("language", "en")
        terminal.settings.set_local("ascii", True)
        terminal.settings.set_local("ascii", False)
        terminal.catalog.replace_all(CatalogueSnapshot())
    with open_terminal(tmp_path) as terminal:
        assert terminal.settings.get_local("language") == "en"
        assert terminal.settings.get_local("ascii") is False
        assert terminal.settings.get_local("missing", "x") == "x"
        stored = terminal.db.execute_sql(
            "SELECT value FROM local_setting WHERE key = 'ascii'"
        ).fetchone()[0]
        assert json.loads(stored) is False


def test_data_dirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert paths.default_data_dir() == tmp_path / "ipos-tui"
    assert paths.demo_data_dir() == tmp_path / "ipos-tui" / "demo"
