"""Synced settings that change what the till offers: parked receipts on/off
(menu item 6. Paragony) and the receipt header on printouts."""

from __future__ import annotations

from pathlib import Path

from ipos_tui.terminal.db import open_terminal
from ipos_tui.ui.screens.parked import ParkedScreen
from ipos_tui.ui.screens.registration import RegistrationScreen

from ui_helpers import login, screen_text, set_catalogue_settings


def _settings(demo_dir: Path, **values: object) -> None:
    with open_terminal(demo_dir) as terminal:
        set_catalogue_settings(terminal, **values)


async def test_parked_receipts_off_hides_the_parked_list(make_app, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    _settings(demo_dir, parked_receipts=False)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        assert isinstance(app.screen, RegistrationScreen)
        await pilot.press("f2")
        await pilot.pause()
        text = screen_text(pilot)
        assert "1. Blokada ekranu" in text and "Paragony" not in text
        await pilot.press("6")  # no such item
        await pilot.pause()
        assert not isinstance(app.screen, ParkedScreen)


async def test_parked_receipts_on_offers_the_parked_list(make_app, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    _settings(demo_dir, parked_receipts=True)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f2")
        await pilot.pause()
        assert "6. Paragony" in screen_text(pilot)
        await pilot.press("6")
        await pilot.pause()
        assert isinstance(app.screen, ParkedScreen)
