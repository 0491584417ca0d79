"""Who sees parked receipts (synced "parked_receipts_visible", issue 14 item 6): with
"own" a cashier's "6. Paragony" lists only the receipts they opened (and free ones),
and at login they do not land on another cashier's open receipt; with "all" (the
default) every cashier of the till sees every open receipt, as before."""

from __future__ import annotations

from pathlib import Path

from ipos_tui.store.db import open_terminal
from ipos_tui.ui.screens.parked import ParkedScreen
from ipos_tui.ui.screens.registration import RegistrationScreen

from ui_helpers import enter_code, login, screen_text, set_catalogue_settings


def _settings(demo_dir: Path, **values: object) -> None:
    with open_terminal(demo_dir) as terminal:
        set_catalogue_settings(terminal, **values)


async def _two_receipts_then_logout(pilot) -> None:  # type: ignore[no-untyped-def]
    """Cashier 1001 rings up Sprzedaż 1, parks it, rings up Sprzedaż 2, logs out."""
    await login(pilot, "1001", "1111")
    assert isinstance(pilot.app.screen, RegistrationScreen)
    await enter_code(pilot, "1")
    await pilot.press("f2", "6")
    await pilot.pause()
    await pilot.press("plus")  # a new receipt: Sprzedaż 2
    await pilot.pause()
    await enter_code(pilot, "9")
    pilot.app.logout()
    await pilot.pause()


async def test_own_each_cashier_sees_only_their_parked_receipts(make_app, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    _settings(demo_dir, parked_receipts_visible="own")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _two_receipts_then_logout(pilot)
        await login(pilot, "1002", "2222")
        assert isinstance(app.screen, RegistrationScreen)
        top = screen_text(pilot).splitlines()[0]
        assert "Sprzedaż 3" in top  # not 1001's Sprzedaż 2
        assert app.receipt.is_empty
        await pilot.press("f2", "6")
        await pilot.pause()
        assert isinstance(app.screen, ParkedScreen)
        text = screen_text(pilot)
        assert "Sprzedaż 3" in text and "Sprzedaż 1" not in text and "Sprzedaż 2" not in text
        await pilot.press("escape")
        app.logout()
        await pilot.pause()
        # the owner sees both of theirs again (and not 1002's empty one? it is free: shown)
        await login(pilot, "1001", "1111")
        await pilot.press("f2", "6")
        await pilot.pause()
        text = screen_text(pilot)
        assert "Sprzedaż 1" in text and "Sprzedaż 2" in text
        assert app.parked.list_parked(app.cashier.id)[0].cashier_id == app.cashier.id


async def test_all_every_cashier_sees_every_parked_receipt(make_app, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    _settings(demo_dir, parked_receipts_visible="all")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _two_receipts_then_logout(pilot)
        await login(pilot, "1002", "2222")
        assert "Sprzedaż 2" in screen_text(pilot).splitlines()[0]  # the till's open receipt
        assert not app.receipt.is_empty
        await pilot.press("f2", "6")
        await pilot.pause()
        text = screen_text(pilot)
        assert "Sprzedaż 1" in text and "Sprzedaż 2" in text
