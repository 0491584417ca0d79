"""Cash management on the till, driven by keys as a cashier would: the opening cash
after login ("wprowadź" / "pomiń"), 2. Obsługa gotówki → Wpłata, Wypłata (refused
above the drawer and without the permission), Raport stanu kasy, Zamknięcie zmiany
(then the login screen); item 2 hidden while the back office has cash management off.
"""

from __future__ import annotations

from pathlib import Path

from ipos_tui.terminal.cash import cash_of
from ipos_tui.terminal.db import open_terminal
from ipos_tui.terminal.printer import printer_of
from ipos_tui.ui.dialogs import ConfirmDialog, TextViewDialog
from ipos_tui.ui.screens.cash import AmountDialog, OpeningCashScreen
from ipos_tui.ui.screens.login import LoginScreen
from ipos_tui.ui.screens.registration import RegistrationScreen

from ui_helpers import enter_code, login, screen_text, set_catalogue_settings, status, type_text


def cash_management(demo_dir: Path, on: bool = True) -> None:
    with open_terminal(demo_dir) as terminal:
        set_catalogue_settings(terminal, cash_management=on)


def dialog_error(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#error").content)


async def open_with(pilot, amount: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("1")
    await pilot.pause()
    await type_text(pilot, amount)
    await pilot.press("enter")
    await pilot.pause()


async def test_a_whole_shift_by_keys(make_app, demo_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cash_management(demo_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        assert isinstance(app.screen, OpeningCashScreen)
        text = screen_text(pilot)
        assert "Stan początkowy kasy" in text and "1. Wprowadź" in text and "2. Pomiń" in text
        await open_with(pilot, "200,00")
        # the opening's printout over the registration screen
        assert isinstance(app.screen, TextViewDialog)
        assert "STAN POCZĄTKOWY KASY" in screen_text(pilot) and "200,00" in screen_text(pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, RegistrationScreen)

        # a cash sale: Mleko 3,49 paid with 50,00, change 46,51
        await enter_code(pilot, "1")
        await pilot.press("plus", *"5000", "enter")
        await pilot.pause()
        await pilot.press("escape")
        assert isinstance(app.screen, RegistrationScreen)

        # Wypłata of more than the drawer holds: refused in the dialog, nothing stored
        await pilot.press("f2", "2")
        await pilot.pause()
        assert "1. Wpłata" in screen_text(pilot) and "4. Zamknięcie zmiany" in screen_text(pilot)
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, AmountDialog)
        assert "Gotówka w kasie: 203,49" in screen_text(pilot)
        await type_text(pilot, "203,50")
        assert "= 203,50" in screen_text(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AmountDialog)
        assert "przekracza gotówkę w kasie (203,49" in dialog_error(app)
        assert app.terminal.ledger.last_number("cash_operation") == 1

        # corrected: 50,00 typed as grosze, with a reason
        await pilot.press("ctrl+u")
        await type_text(pilot, "5000")
        await pilot.press("asterisk")
        await type_text(pilot, "do banku")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        assert "WYPŁATA Z KASY" in screen_text(pilot) and "Powód: do banku" in screen_text(pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, RegistrationScreen)
        assert "Zapisano: Wypłata nr 000002. Gotówka w kasie: 153,49" in status(pilot)

        # Raport stanu kasy
        await pilot.press("f2", "2")
        await pilot.pause()
        await pilot.press("3")
        await pilot.pause()
        text = screen_text(pilot)
        assert "RAPORT STANU KASY" in text and "153,49" in text
        await pilot.press("escape")

        # 5. Transakcje names the cash documents; a withdrawal leaves the till (negative)
        await pilot.press("f2", "5")
        await pilot.pause()
        rows = [row for row in screen_text(pilot).splitlines() if "Anna Kowalska" in row]
        assert "Stan kasy" in rows[0] and "153,49" in rows[0]
        assert "Wypłata" in rows[1] and "-50,00" in rows[1]
        assert "Paragon" in rows[2] and "Wpłata" in rows[3] and "200,00" in rows[3]
        await pilot.press("down", "enter")  # the withdrawal's printout, as journaled
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog) and "WYPŁATA Z KASY" in screen_text(pilot)
        await pilot.press("escape", "escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)

        # Zamknięcie zmiany: summary, tak, the report, then the login screen
        await pilot.press("f2", "2")
        await pilot.pause()
        await pilot.press("4")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        text = screen_text(pilot)
        assert "Zamknąć zmianę?" in text and "Sprzedaż gotówkowa" in text and "153,49" in text
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        assert "ZAMKNIĘCIE ZMIANY" in screen_text(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen) and app.cashier is None

        # every step is a stored, numbered, printed document waiting for upload
        ledger = app.terminal.ledger
        assert ledger.last_number("cash_operation") == 2 and ledger.last_number("cash_report") == 2
        assert ledger.pending_summary()[0] == 5  # the sale + 2 operations + 2 reports
        assert [e.kind for e in printer_of(app.terminal).journal()] == ["cash", "cash", "cash", "receipt", "cash"]
        assert (demo_dir / "printouts" / "cash_report-000002.txt").exists()

        # the next login starts a new shift
        await login(pilot, "1002", "2222")
        assert isinstance(app.screen, OpeningCashScreen)


async def test_skip_opens_the_shift_and_lock_then_login_continues_it(make_app, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    cash_management(demo_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        assert "bez stanu początkowego" in status(pilot)
        assert app.terminal.ledger.last_number("cash_operation") == 0
        await pilot.press("f2", "1")  # Blokada ekranu
        await pilot.pause()
        await login(pilot, "1002", "2222")
        assert isinstance(app.screen, RegistrationScreen)  # the same shift goes on


async def test_opening_amount_errors_and_escape(make_app, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    cash_management(demo_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await open_with(pilot, "12,345")
        assert isinstance(app.screen, AmountDialog)
        assert "Nieprawidłowa kwota" in dialog_error(app)
        await pilot.press("ctrl+u", *"1000000,00", "enter")
        await pilot.pause()
        assert "Za duża kwota" in dialog_error(app)
        await pilot.press("escape")  # back to the choice
        assert isinstance(app.screen, OpeningCashScreen)
        assert cash_of(app.terminal).current_shift() is None
        await pilot.press("escape")  # logs out again
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen) and app.cashier is None


async def test_withdrawal_and_deposit_need_permissions(make_app, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    cash_management(demo_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1002", "2222")  # Jan Nowak: no cash permissions
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("f2", "2")
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        assert "Brak uprawnień do wypłaty gotówki" in status(pilot)
        await pilot.press("f2", "2")
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        assert "Brak uprawnień do wpłaty gotówki" in status(pilot)
        assert app.terminal.ledger.last_number("cash_operation") == 0


async def test_cash_menu_hidden_and_no_prompt_when_cash_management_is_off(make_app, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    cash_management(demo_dir, on=False)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        assert isinstance(app.screen, RegistrationScreen)
        await pilot.press("f2")
        await pilot.pause()
        text = screen_text(pilot)
        assert "1. Blokada ekranu" in text and "Obsługa gotówki" not in text
        await pilot.press("2")  # no such item
        await pilot.pause()
        assert "Obsługa gotówki" not in screen_text(pilot)


async def test_cash_management_switched_on_during_a_shift_asks_for_the_opening_first(make_app, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    cash_management(demo_dir, on=False)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        assert isinstance(app.screen, RegistrationScreen)
        set_catalogue_settings(app.terminal, cash_management=True)  # a config sync brought it
        await pilot.press("f2", "2")
        await pilot.pause()
        assert isinstance(app.screen, OpeningCashScreen)
        await pilot.press("escape")  # back to the user menu, not logged out
        await pilot.pause()
        assert app.cashier is not None and "2. Obsługa gotówki" in screen_text(pilot)
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("2")  # Pomiń
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        assert cash_of(app.terminal).current_shift() is not None
        await pilot.press("f2", "2")
        await pilot.pause()
        assert "1. Wpłata" in screen_text(pilot)


async def test_information_shows_the_shift_and_the_drawer(make_app, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    cash_management(demo_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await open_with(pilot, "200,00")
        await pilot.press("escape")  # the opening's printout
        await pilot.pause()
        await pilot.press("f2", "7")
        await pilot.pause()
        (line,) = [row for row in screen_text(pilot).splitlines() if "Zmiana:" in row]
        assert "od 12:04 (Anna Kowalska), w kasie 200,00" in line
