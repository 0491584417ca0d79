"""Synced settings that change what the till offers: parked receipts on/off
(menu item 6. Paragony) and the receipt header on printouts."""

from __future__ import annotations

from pathlib import Path

from ipos_tui.store.db import open_terminal
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


async def test_cashier_shifts_without_cash_management(make_app, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """Shifts on, cash management off: the shift opens at login without the opening
    cash prompt; 2. Zamknięcie zmiany prints the shift report and logs out."""
    from ipos_tui.ui.dialogs import TextViewDialog
    from ipos_tui.ui.screens.login import LoginScreen

    _settings(demo_dir, cashier_shifts=True, cash_management=False)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        assert isinstance(app.screen, RegistrationScreen)  # no opening cash asked
        shift = app.till.cash.current_shift()
        assert shift is not None and shift.cashier_name == app.cashier.name
        await pilot.press("f2")
        await pilot.pause()
        text = screen_text(pilot)
        assert "2. Zamknięcie zmiany" in text and "Obsługa gotówki" not in text
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        printout = screen_text(pilot)
        assert "Zmiana od" in printout
        assert app.terminal.ledger.last_number("cash_report") == 1
        assert app.till.cash.current_shift() is None
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen) and app.cashier is None
        await login(pilot)  # the next login opens the next shift
        assert app.till.cash.current_shift() is not None


async def test_no_shifts_when_the_back_office_has_them_off(make_app, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    _settings(demo_dir, cashier_shifts=False, cash_management=False)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        assert isinstance(app.screen, RegistrationScreen)
        assert app.till.cash.current_shift() is None
        await pilot.press("f2")
        await pilot.pause()
        assert "Zamknięcie zmiany" not in screen_text(pilot)


async def test_f3_narrows_the_name_search_to_a_category(make_app, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from ipos_tui.ui.dialogs import MenuScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        screen = app.screen
        assert isinstance(screen, RegistrationScreen)
        catalog = app.terminal.catalog
        drinks = next(c for c in catalog.categories() if c.name == "Napoje")
        assert any(c.name == "Woda" and c.parent_id == drinks.id for c in catalog.categories())
        await pilot.press("f3")  # not offered in the code mode
        await pilot.pause()
        assert app.screen is screen and "F3" not in screen_text(pilot)
        await pilot.press("asterisk")  # the name search
        await pilot.pause()
        assert "F3" in screen_text(pilot)
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, MenuScreen)
        text = screen_text(pilot)
        assert "1. Wszystkie kategorie" in text and "Napoje" in text
        await pilot.press("3")  # Napoje (1 = all, 2 = Żywność) has subcategories
        await pilot.pause()
        assert "Cała kategoria: Napoje" in screen_text(pilot) and "Woda" in screen_text(pilot)
        await pilot.press("1")  # the whole of Napoje
        await pilot.pause()
        assert app.screen is screen and screen.mode == "name"
        assert screen.category_id == drinks.id
        tree = catalog.category_subtree(drinks.id)
        assert screen.picks and all(p.category_id in tree for p in screen.picks)
        assert "Kategoria Napoje" in screen_text(pilot)
        before = len(screen.picks)
        await pilot.press(*"woda")
        await pilot.pause()
        assert screen.picks and len(screen.picks) <= before
        assert all(p.category_id in tree for p in screen.picks)
        await pilot.press("f3", "1")  # all categories again
        await pilot.pause()
        assert screen.category_id is None
