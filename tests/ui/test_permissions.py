"""Permissions per menu item and the manager's authorisation, as each role meets them.

The demo's roles: the kierownik (1001/1111) may do everything; the kasjer Jan
(1002/2222) gives free discounts, voids, deposits cash and closes the day, but needs a
manager for prices, returns, withdrawals and the connection; the stażystka Ola
(1003/3333) needs one for all of it. What a cashier may not do alone is offered
marked "*" ("* PIN kierownika" in the menu's title) and opens the manager's dialog:
identifier + masked PIN. Tried in each gated place: the right PIN (the action is done
and the document records who authorised it), a wrong PIN (a clear message, the
lockout counts, nothing done), Esc (nothing changed), the PIN of someone without the
permission (refused by name).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from ipos_tui.store.auth import MAX_FAILURES
from ipos_tui.store.connection import Connection, ConnectionStore
from ipos_tui.store.db import open_terminal
from ipos_tui.ui.dialogs import ConfirmDialog, FormDialog, MenuScreen, TextViewDialog
from ipos_tui.ui.dialogs.authorise import AuthoriseDialog
from ipos_tui.ui.screens.connection import ConnectionScreen
from ipos_tui.ui.screens.day_close import DayCloseScreen
from ipos_tui.ui.screens.parked import ParkedScreen
from ipos_tui.ui.screens.registration import RegistrationScreen
from ipos_tui.ui.screens.returns import ReturnScreen

from ui_helpers import enter_code, login, screen_text, set_catalogue_settings, status, type_text

MANAGER = ("1001", "1111")
KASJER = ("1002", "2222")
TRAINEE = ("1003", "3333")
NOTHING_CHANGED = "Bez autoryzacji kierownika – nic nie zmieniono."


async def authorise(pilot, identifier: str = "1001", pin: str = "1111") -> None:  # type: ignore[no-untyped-def]
    """Type an identifier and PIN into the manager's dialog (Enter after each)."""
    assert isinstance(pilot.app.screen, AuthoriseDialog), type(pilot.app.screen).__name__
    await type_text(pilot, identifier)
    await pilot.press("enter")
    await type_text(pilot, pin)
    await pilot.press("enter")
    await pilot.pause()


def dialog_error(pilot) -> str:  # type: ignore[no-untyped-def]
    return str(pilot.app.screen.query_one("#error", Static).content)


def menu_texts(pilot) -> list[str]:  # type: ignore[no-untyped-def]
    screen = pilot.app.screen
    assert isinstance(screen, MenuScreen)
    return [item.text() for item in screen.items if item.visible]


def paid_document(app):  # type: ignore[no-untyped-def]
    """The last stored document."""
    (summary, *_rest) = app.terminal.ledger.list_documents(limit=1)
    return app.terminal.ledger.get_document(summary.uuid)


async def pay_cash(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("plus")
    await pilot.pause()
    await pilot.press("enter")  # exactly, in cash
    await pilot.pause()


# -- the menus each role sees ------------------------------------------------------------


async def test_menus_mark_what_needs_a_manager_per_role(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *TRAINEE)
        await enter_code(pilot, "9")
        await pilot.press("f2")
        await pilot.pause()
        assert "Menu użytkownika (* PIN kierownika)" in screen_text(pilot)
        items = menu_texts(pilot)
        assert "Raport dobowy (zamknięcie dnia) *" in items and "Raporty *" in items
        assert "Transakcje" in items and "Informacje" in items and "Paragony" in items  # viewing: open
        await pilot.press("escape", "f4")
        await pilot.pause()
        items = menu_texts(pilot)
        assert items[:4] == ["Rabat kwotowy na pozycję *", "Rabat procentowy na pozycję *",
                             "Rabat kwotowy na paragon *", "Rabat procentowy na paragon *"]
        assert any(text.startswith("Pozycja: Rabat 10%") and "*" not in text for text in items)  # predefined: everybody
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *KASJER)
        await enter_code(pilot, "9")
        await pilot.press("f2")
        await pilot.pause()
        assert not any(text.endswith("*") for text in menu_texts(pilot))
        assert "Menu użytkownika (* PIN kierownika)" not in screen_text(pilot)  # nothing marked: no legend
        await pilot.press("escape", "f4")
        await pilot.pause()
        assert menu_texts(pilot)[0] == "Rabat kwotowy na pozycję"  # Jan gives free discounts himself
        await pilot.press("escape", "f2", "8", "6")  # 8 → 6 Aplikacja płatnicza: his day_close
        await pilot.pause()
        assert menu_texts(pilot)[1] == "Rozliczenia"
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *MANAGER)
        await enter_code(pilot, "9")
        for keys in (("f2",), ("escape", "f2", "4"), ("escape", "escape", "f4")):
            await pilot.press(*keys)
            await pilot.pause()
            assert not any(text.endswith("*") for text in menu_texts(pilot))


# -- F4: free discounts --------------------------------------------------------------------


async def test_trainee_free_discount_with_the_managers_pin_is_recorded_and_printed(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *TRAINEE)
        await enter_code(pilot, "9")  # Jogurt grecki 5,99
        await pilot.press("f4", "2")  # percent on the line
        await pilot.pause()
        await authorise(pilot, "1001", "9999")  # wrong PIN: said, counted, nothing done
        assert isinstance(app.screen, AuthoriseDialog)
        assert dialog_error(pilot) == "Błędny PIN. Pozostałe próby: 4."
        assert app.terminal.auth.failures("1001") == 1
        assert app.screen.query_one("#field-pin", Input).value == ""  # typed again
        await type_text(pilot, "1111")  # the cursor is on the PIN
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog) and not isinstance(app.screen, AuthoriseDialog)
        assert app.terminal.auth.failures("1001") == 0
        await enter_code(pilot, "10")
        assert app.receipt.total == 599 - 60
        assert status(pilot) == "Rabat udzielony. SUMA: 5,39\xa0zł Autoryzował: Anna Kowalska."
        (given,) = app.receipt.authorisations
        assert (given.permission, given.name, given.identifier, given.detail) == (
            "free_discount", "Anna Kowalska", "1001", "Jogurt grecki 400g -10%")
        await pay_cash(pilot)
        document = paid_document(app)
        assert document.cashier_name == "Ola Wiśniewska"
        assert document.extra["authorisations"][0]["name"] == "Anna Kowalska"
        assert isinstance(app.screen, TextViewDialog)
        assert "Autoryzował: Anna Kowalska" in screen_text(pilot)
        assert "rabat: Jogurt grecki 400g -10%" in screen_text(pilot)


async def test_an_authorisation_survives_a_restart_of_the_till(make_app, demo_dir: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *TRAINEE)
        await enter_code(pilot, "9")
        await pilot.press("f4", "4")  # percent on the receipt
        await pilot.pause()
        await authorise(pilot, *MANAGER)
        await enter_code(pilot, "5")
        assert [a.detail for a in app.receipt.authorisations] == ["paragon -5%"]
    app = make_app()  # the power went off: the open receipt comes back with its authorisation
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *TRAINEE)
        assert [(a.name, a.detail) for a in app.receipt.authorisations] == [("Anna Kowalska", "paragon -5%")]
        await pay_cash(pilot)
        assert paid_document(app).extra["authorisations"][0]["detail"] == "paragon -5%"


async def test_free_discount_esc_and_someone_without_the_permission(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *TRAINEE)
        await enter_code(pilot, "9")
        await pilot.press("f4", "1")
        await pilot.pause()
        await pilot.press("escape")  # Esc: nothing changed
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        assert status(pilot) == NOTHING_CHANGED
        assert app.receipt.total == 599 and not app.receipt.authorisations
        await pilot.press("f4", "1")
        await pilot.pause()
        await authorise(pilot, "1003", "3333")  # her own PIN: she does not hold it
        assert dialog_error(pilot) == "Ola Wiśniewska nie ma uprawnienia: rabat dowolny."
        assert app.screen.query_one("#field-identifier", Input).value == ""  # somebody else, please
        await authorise(pilot, "7777", "1234")
        assert dialog_error(pilot) == "Nieznany identyfikator."
        await pilot.press("escape")
        assert app.receipt.total == 599


@pytest.mark.parametrize("who", [MANAGER, KASJER])
async def test_kierownik_and_kasjer_give_free_discounts_without_a_dialog(make_app, who: tuple[str, str]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *who)
        await enter_code(pilot, "9")
        await pilot.press("f4", "2")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog) and not isinstance(app.screen, AuthoriseDialog)
        await enter_code(pilot, "10")
        assert app.receipt.total == 539 and not app.receipt.authorisations


# -- #: price change ----------------------------------------------------------------------


async def test_trainee_price_change_with_the_managers_pin(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *TRAINEE)
        await enter_code(pilot, "1")
        await pilot.press("number_sign", "number_sign")
        await authorise(pilot, *KASJER)  # Jan may not change prices either
        assert dialog_error(pilot) == "Jan Nowak nie ma uprawnienia: zmiana ceny."
        await authorise(pilot, *MANAGER)
        assert isinstance(app.screen, RegistrationScreen)
        assert "CENA" in screen_text(pilot)
        assert status(pilot) == "Zmiana ceny – autoryzował: Anna Kowalska. Wpisz nową cenę."
        await enter_code(pilot, "299")
        assert app.receipt.lines[0].unit_price == 299
        (given,) = app.receipt.authorisations
        assert (given.permission, given.detail) == ("price_change", "Mleko 3,2% 1l 3,49 -> 2,99")
        await pilot.press("number_sign", "number_sign")  # one authorisation, one price: asks again
        await pilot.pause()
        assert isinstance(app.screen, AuthoriseDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert status(pilot) == NOTHING_CHANGED and app.receipt.lines[0].unit_price == 299
        await pay_cash(pilot)
        (printed,) = app.till.printer.printouts_of(paid_document(app).uuid)
        assert "Autoryzował: Anna Kowalska\n  zmiana ceny: Mleko 3,2% 1l 3,49 ->\n    2,99\n" in printed.text


async def test_kierownik_changes_prices_without_a_dialog(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *MANAGER)
        await enter_code(pilot, "1")
        await pilot.press("number_sign", "number_sign")
        await enter_code(pilot, "299")
        assert app.receipt.lines[0].unit_price == 299 and not app.receipt.authorisations


# -- voiding: Esc on the receipt, Del in 6. Paragony ----------------------------------------


async def test_trainee_voids_a_receipt_only_with_the_managers_pin(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *TRAINEE)
        await enter_code(pilot, "1")
        await pilot.press("escape", "t")  # the question, then the manager
        await pilot.pause()
        assert isinstance(app.screen, AuthoriseDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert len(app.receipt.lines) == 1 and status(pilot) == NOTHING_CHANGED
        assert app.terminal.ledger.voids() == []
        await pilot.press("escape", "t")
        await pilot.pause()
        await authorise(pilot, *MANAGER)
        assert app.receipt.is_empty
        assert status(pilot) == "Paragon anulowany. Autoryzował: Anna Kowalska."
        (void,) = app.terminal.ledger.voids()
        assert (void.cashier_name, void.line_count, void.authorised_by_name) == ("Ola Wiśniewska", 1, "Anna Kowalska")


async def test_kasjer_voids_without_a_dialog(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *KASJER)
        await enter_code(pilot, "1")
        await pilot.press("escape", "t")
        await pilot.pause()
        assert app.receipt.is_empty and isinstance(app.screen, RegistrationScreen)
        (void,) = app.terminal.ledger.voids()
        assert void.authorised_by_name is None


async def test_trainee_deletes_a_parked_receipt_with_lines_only_with_the_managers_pin(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *TRAINEE)
        await enter_code(pilot, "1")
        await pilot.press("f2", "6")
        await pilot.pause()
        await pilot.press("plus")  # Sprzedaż 2, empty, current
        await pilot.pause()
        await pilot.press("f2", "6")
        await pilot.pause()
        assert isinstance(app.screen, ParkedScreen)
        await pilot.press("up", "delete")  # Sprzedaż 1 with its line
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("t")
        await pilot.pause()
        await authorise(pilot, "1001", "0000")  # wrong PIN
        assert dialog_error(pilot) == "Błędny PIN. Pozostałe próby: 4."
        await pilot.press("escape")
        await pilot.pause()
        assert len(app.parked.list_parked()) == 2 and status(pilot) == NOTHING_CHANGED
        await pilot.press("delete", "t")
        await pilot.pause()
        await authorise(pilot, *MANAGER)
        assert [p.number for p in app.parked.list_parked()] == [2]
        assert status(pilot).endswith("Autoryzował: Anna Kowalska.")
        (void,) = app.terminal.ledger.voids()
        assert void.authorised_by_name == "Anna Kowalska"


# -- F7: returns ------------------------------------------------------------------------


async def test_trainee_return_with_the_managers_pin_is_recorded_and_printed(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *MANAGER)
        await enter_code(pilot, "1")
        await pay_cash(pilot)
        await pilot.press("escape")
        await pilot.press("f2", "1", "enter")  # lock the screen (with a sale unsent); Ola comes
        await pilot.pause()
        await login(pilot, *TRAINEE)
        await pilot.press("f7")
        await pilot.pause()
        await authorise(pilot, *MANAGER)
        await enter_code(pilot, "K1-000001")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReturnScreen)
        await pilot.press("asterisk", "plus")
        await pilot.pause()
        await pilot.press("1")  # cash
        await pilot.pause()
        await pilot.press("enter")  # tak
        await pilot.pause()
        stored = paid_document(app)
        assert stored.doc_type == "return" and stored.cashier_name == "Ola Wiśniewska"
        (given,) = stored.extra["authorisations"]
        assert (given["permission"], given["name"]) == ("returns", "Anna Kowalska")
        assert "Autoryzował: Anna Kowalska" in screen_text(pilot)
        sales = app.screen_stack[-2]
        assert isinstance(sales, RegistrationScreen)
        assert str(sales.query_one("#status", Static).content).endswith("Autoryzował: Anna Kowalska.")


async def test_kierownik_returns_without_a_dialog(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *MANAGER)
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog) and not isinstance(app.screen, AuthoriseDialog)


# -- cash: Wpłata, Wypłata ---------------------------------------------------------------------


async def open_shift(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("1")
    await pilot.pause()
    await enter_code(pilot, "200,00")
    await pilot.pause()
    await pilot.press("escape")
    await pilot.pause()


async def test_cash_operations_per_role(make_app, demo_dir: Path) -> None:
    with open_terminal(demo_dir) as terminal:
        set_catalogue_settings(terminal, cash_management=True)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *KASJER)
        await open_shift(pilot)
        await pilot.press("f2", "2")
        await pilot.pause()
        assert menu_texts(pilot)[:2] == ["Wpłata", "Wypłata *"]  # he deposits, a manager withdraws
        await pilot.press("1")
        await pilot.pause()
        assert not isinstance(app.screen, AuthoriseDialog)  # his own deposit: the amount at once
        await enter_code(pilot, "25,00")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.press("f2", "2", "2")
        await pilot.pause()
        await authorise(pilot, "1001", "9")  # wrong PIN
        assert dialog_error(pilot) == "Błędny PIN. Pozostałe próby: 4."
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("2")  # the cash menu is still there
        await pilot.pause()
        await authorise(pilot, *MANAGER)
        assert "Autoryzował: Anna Kowalska." in screen_text(pilot)  # said in the amount dialog
        await enter_code(pilot, "80,00")
        await pilot.pause()
        assert "Autoryzował: Anna Kowalska" in screen_text(pilot)  # on the printout
        deposit, withdrawal = (app.terminal.ledger.find_by_number(n, "cash_operation") for n in (2, 3))
        assert deposit is not None and "authorisations" not in deposit.extra
        assert withdrawal is not None and withdrawal.total == 8000
        assert withdrawal.extra["authorisations"][0]["permission"] == "cash_withdrawal"


# -- 3. Raport dobowy, 4. Raporty, Rozliczenia -------------------------------------------------------


async def test_trainee_day_close_with_the_managers_pin(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *TRAINEE)
        await pilot.press("f2", "3")
        await pilot.pause()
        await pilot.press("escape")  # no manager: no day close
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen) and status(pilot) == NOTHING_CHANGED
        assert app.terminal.ledger.last_number("daily_report") == 0
        await pilot.press("f2", "3")
        await pilot.pause()
        await authorise(pilot, *MANAGER)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, DayCloseScreen)
        report = app.terminal.ledger.find_by_number(1, "daily_report")
        assert report is not None and report.cashier_name == "Ola Wiśniewska"
        assert report.extra["authorisations"][0]["name"] == "Anna Kowalska"
        assert "Autoryzował: Anna Kowalska" in app.till.printer.printouts_of(report.uuid)[0].text


async def test_kasjer_day_close_and_reports_without_a_dialog(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *KASJER)
        await pilot.press("f2", "4", "2")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog) and not isinstance(app.screen, AuthoriseDialog)
        await pilot.press("escape", "escape", "escape")
        await pilot.press("f2", "3")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, DayCloseScreen)
        report = app.terminal.ledger.find_by_number(1, "daily_report")
        assert report is not None and "authorisations" not in report.extra


async def test_trainee_monthly_report_with_the_managers_pin(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *TRAINEE)
        await pilot.press("f2", "4", "2")
        await pilot.pause()
        await authorise(pilot, *MANAGER)
        await pilot.press("enter")  # this month
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        assert app.screen.text.endswith("Autoryzował: Anna Kowalska")  # at the end of the page
        (printed, *_rest) = app.till.printer.journal()
        assert printed.kind == "periodic_report" and "Autoryzował: Anna Kowalska" in printed.text


async def test_trainee_card_settlement_needs_the_manager(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *TRAINEE)
        await pilot.press("f2", "8", "6")
        await pilot.pause()
        assert menu_texts(pilot) == ["Transakcje kartowe", "Rozliczenia *"] or menu_texts(pilot)[1] == "Rozliczenia *"
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MenuScreen)
        await pilot.press("2")
        await pilot.pause()
        await authorise(pilot, *MANAGER)
        assert isinstance(app.screen, ConfirmDialog)  # then the question, as for anybody


# -- lockout: the dialog and the login count together ----------------------------------------


async def test_wrong_pins_in_the_dialog_lock_the_managers_login_too(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *TRAINEE)
        await enter_code(pilot, "9")
        await pilot.press("f4", "1")
        await pilot.pause()
        for attempt in range(MAX_FAILURES):
            await authorise(pilot, "1001", "0000") if attempt == 0 else await _pin_again(pilot, "0000")
        assert dialog_error(pilot) == "Zbyt wiele błędnych PIN-ów. Spróbuj ponownie za 30 s."
        await _pin_again(pilot, "1111")  # even the right PIN waits now
        assert dialog_error(pilot).startswith("Zbyt wiele błędnych PIN-ów")
        assert isinstance(app.screen, AuthoriseDialog)
        await pilot.press("escape")
        assert app.receipt.total == 599
        locked = app.terminal.auth.lockout_remaining("1001", app.clock())
        assert locked > 0  # the login screen would refuse Anna as well


async def _pin_again(pilot, pin: str) -> None:  # type: ignore[no-untyped-def]
    await type_text(pilot, pin)
    await pilot.press("enter")
    await pilot.pause()


# -- 8 → 3 Połączenie ----------------------------------------------------------------------------


def connect(demo_dir: Path, url: str = "http://127.0.0.1:1") -> None:
    with open_terminal(demo_dir) as terminal, terminal.db.atomic():
        ConnectionStore(terminal.db, terminal.models).save(Connection(url, 1, 1, "token", "Kasa 1"))


def stored_url(app) -> str:  # type: ignore[no-untyped-def]
    connection = ConnectionStore(app.terminal.db, app.terminal.models).get()
    assert connection is not None
    return connection.server_url


async def test_connection_address_changes_only_with_a_pin_of_settings(make_app, demo_dir: Path) -> None:
    connect(demo_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *TRAINEE)
        await pilot.press("f2", "8", "3")
        await pilot.pause()
        assert isinstance(app.screen, ConnectionScreen)  # looking is open to everybody
        assert "3 Adres zaplecza" in screen_text(pilot).splitlines()[-1]
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert status(pilot) == NOTHING_CHANGED
        await pilot.press("3")
        await pilot.pause()
        await authorise(pilot, *KASJER)
        assert dialog_error(pilot) == "Jan Nowak nie ma uprawnienia: ustawienia połączenia."
        await authorise(pilot, *MANAGER)
        await pilot.press("ctrl+u")
        await type_text(pilot, "ftp://zaplecze")
        await pilot.press("enter")
        await pilot.pause()
        assert dialog_error(pilot) == "nieprawidłowy adres zaplecza: ftp://zaplecze"  # refused, the form stays
        await pilot.press("ctrl+u")
        await type_text(pilot, "127.0.0.1:9/api/v1/")
        await pilot.press("enter")
        await pilot.pause()
        assert stored_url(app) == "http://127.0.0.1:9"
        assert "http://127.0.0.1:9" in screen_text(pilot)
        connection = ConnectionStore(app.terminal.db, app.terminal.models).get()
        assert connection is not None and (connection.terminal_id, connection.token) == (1, "token")  # still activated
        await app.workers.wait_for_complete()


async def test_kierownik_too_confirms_a_new_address_with_the_pin(make_app, demo_dir: Path) -> None:
    connect(demo_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, *MANAGER)
        await pilot.press("f2", "8", "3", "3")
        await pilot.pause()
        assert isinstance(app.screen, AuthoriseDialog)  # "always the manager's PIN"
        await pilot.press("escape")
        await pilot.press("1")  # re-activation: the same
        await pilot.pause()
        assert isinstance(app.screen, AuthoriseDialog)
        await authorise(pilot, *MANAGER)
        assert isinstance(app.screen, FormDialog) and app.screen.title_text == "Aktywacja kasoterminala"


async def test_reactivation_from_the_service_menu_needs_the_manager(make_app, demo_dir: Path) -> None:
    connect(demo_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2", "1", "3")  # before anybody logged in
        await pilot.pause()
        assert isinstance(app.screen, ConnectionScreen)
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, AuthoriseDialog)
        await authorise(pilot, *TRAINEE)
        assert dialog_error(pilot) == "Ola Wiśniewska nie ma uprawnienia: ustawienia połączenia."
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConnectionScreen) and stored_url(app) == "http://127.0.0.1:1"


async def test_the_first_activation_needs_no_pin(make_app, tmp_path: Path) -> None:
    app = make_app(data_dir=tmp_path / "fresh")
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, ConnectionScreen)
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog) and not isinstance(app.screen, AuthoriseDialog)
        await pilot.press("escape", "3")
        await pilot.pause()
        assert status(pilot).startswith("Kasa nie jest aktywowana")
