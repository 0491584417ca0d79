"""Cash management on the till, driven by keys as a cashier would: the opening cash
after login ("wprowadź" / "pomiń"), 2. Obsługa gotówki → Wpłata, Wypłata (refused
above the drawer and without the permission), Raport stanu kasy, Zamknięcie zmiany
(the counted cash, the summary with nadwyżka / niedobór / zgodne, a second question
for a large difference, then the login screen); item 2 hidden while the back office
has cash management off.
"""

from __future__ import annotations

from pathlib import Path

from ipos_tui.store.db import open_terminal
from ipos_tui.ui.dialogs import TextViewDialog
from ipos_tui.ui.dialogs.authorise import AuthoriseDialog
from ipos_tui.ui.screens.cash_amount import AmountDialog
from ipos_tui.ui.screens.opening_cash import OpeningCashScreen
from ipos_tui.ui.screens.shift_close import LargeDifferenceDialog, ShiftCloseSummary
from ipos_tui.ui.widgets.code_input import CodeInput
from ipos_tui.ui.screens.login import LoginScreen
from ipos_tui.ui.screens.registration import RegistrationScreen

from ui_helpers import enter_code, login, screen_text, set_catalogue_settings, status, type_text


def cash_management(demo_dir: Path, on: bool = True) -> None:
    with open_terminal(demo_dir) as terminal:
        set_catalogue_settings(terminal, cash_management=on)


def dialog_error(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#error").content)


def shown(pilot) -> str:  # type: ignore[no-untyped-def]
    """The screen's text with the amounts' no-break spaces as plain ones."""
    return screen_text(pilot).replace("\xa0", " ")


def dialog_text(app) -> str:  # type: ignore[no-untyped-def]
    """The texts and labels of the dialog on top, unwrapped, no-break spaces plain."""
    from textual.widgets import Label, Static

    parts = [str(widget.content) for widget in app.screen.query(Static) if isinstance(widget, Static | Label)]
    return "\n".join(parts).replace("\xa0", " ")


def _row(text: str, label: str) -> str:
    """The screen row that holds ``label``, without the box around it."""
    (row,) = [line for line in text.splitlines() if f" {label} " in line]
    return row.strip(" │┃|").rstrip()


def status_under(app) -> str:  # type: ignore[no-untyped-def]
    """The status line of the registration screen below the dialogs."""
    return str(app.screen_stack[0 if len(app.screen_stack) == 1 else -2].query_one("#status").content)


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

        # Zamknięcie zmiany: the count (blind: the expected cash is not shown yet), the
        # summary with the difference, tak, the report, then the login screen
        await pilot.press("f2", "2")
        await pilot.pause()
        await pilot.press("4")
        await pilot.pause()
        assert isinstance(app.screen, AmountDialog)
        text = shown(pilot)
        assert "Policz gotówkę" in text and "Policzono:" in text and "200, albo 200,00" in text
        assert "153,49" not in str(app.screen.query_one("#info").content)
        await type_text(pilot, "150,")
        assert "= 150,00 zł" in shown(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ShiftCloseSummary)
        text = shown(pilot)
        assert "Zamknąć zmianę?" in text and "Sprzedaż gotówkowa" in text
        assert _row(text, "Powinno być").endswith("153,49 zł") and _row(text, "Policzono").endswith("150,00 zł")
        assert _row(text, "Niedobór").endswith("3,49 zł")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        text = shown(pilot)
        assert "ZAMKNIĘCIE ZMIANY" in text and "POLICZONO" in text and "-3,49" in text
        assert "Policzono 150,00 zł: niedobór 3,49 zł" in status_under(app).replace("\xa0", " ")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen) and app.cashier is None

        # every step is a stored, numbered, printed document waiting for upload
        ledger = app.terminal.ledger
        assert ledger.last_number("cash_operation") == 2 and ledger.last_number("cash_report") == 2
        assert ledger.pending_summary()[0] == 5  # the sale + 2 operations + 2 reports
        assert [e.kind for e in app.till.printer.journal()] == ["cash", "cash", "cash", "receipt", "cash"]
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
        assert app.till.cash.current_shift() is None
        await pilot.press("escape")  # logs out again
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen) and app.cashier is None


async def test_withdrawal_and_deposit_need_permissions(make_app, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    cash_management(demo_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1003", "3333")  # Ola Wiśniewska: no cash permissions
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("f2", "2")
        await pilot.pause()
        assert "1. Wpłata *" in screen_text(pilot) and "2. Wypłata *" in screen_text(pilot)
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, AuthoriseDialog)  # a manager's PIN, or nothing
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, AuthoriseDialog)
        await pilot.press("escape")
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
        assert app.till.cash.current_shift() is not None
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


# -- Zamknięcie zmiany: the count -------------------------------------------------------------


async def open_shift_and_count(pilot, opening: str = "200,00") -> None:  # type: ignore[no-untyped-def]
    """Log in, open the shift with ``opening`` and reach the count form of 4. Zamknięcie zmiany."""
    await login(pilot)
    await open_with(pilot, opening)
    await pilot.press("escape")  # the opening's printout
    await pilot.pause()
    await pilot.press("f2", "2")
    await pilot.pause()
    await pilot.press("4")
    await pilot.pause()
    assert isinstance(pilot.app.screen, AmountDialog)


async def count(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Replace the count field's text with ``text`` and press Enter."""
    await pilot.press("ctrl+u")
    await type_text(pilot, text)
    await pilot.press("enter")
    await pilot.pause()


def close_of(app):  # type: ignore[no-untyped-def]
    """The stored shift close's extra sums (None before the close)."""
    ledger = app.terminal.ledger
    if ledger.last_number("cash_report") == 0:
        return None
    doc = ledger.find_by_number(ledger.last_number("cash_report"), "cash_report")
    return doc.extra


async def test_close_with_a_surplus_typed_as_grosze(make_app, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    cash_management(demo_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shift_and_count(pilot)
        await count(pilot, "20550")  # bare digits: grosze, 205,50 zł
        assert isinstance(app.screen, ShiftCloseSummary)
        text = shown(pilot)
        assert _row(text, "Powinno być").endswith("200,00 zł") and _row(text, "Policzono").endswith("205,50 zł")
        assert _row(text, "Nadwyżka").endswith("5,50 zł") and "Niedobór" not in text
        assert "Różnica większa" not in text
        await pilot.press("enter")
        await pilot.pause()
        assert "NADWYŻKA" in shown(pilot) and "+5,50" in shown(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        extra = close_of(app)
        assert (extra["counted"], extra["difference"]) == (20_550, 550)


async def test_close_exact_with_a_trailing_comma(make_app, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    cash_management(demo_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shift_and_count(pilot)
        await count(pilot, "200,")  # a comma makes złoty: 200,00 zł
        text = shown(pilot)
        assert _row(text, "Zgodne").endswith("0,00 zł")
        await pilot.press("enter")
        await pilot.pause()
        assert "ZGODNE" in shown(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert (close_of(app)["counted"], close_of(app)["difference"]) == (20_000, 0)


async def test_bad_counts_say_why_and_keep_what_was_typed(make_app, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """Tried: letters "12a", a sign "-5", a wall of 30 digits, three decimals "12,345",
    an empty field. Each leaves the form open with its text and a message; nothing is
    stored and the shift stays open; then a good count goes through."""
    cash_management(demo_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shift_and_count(pilot)
        field = app.screen.query_one("#amount", CodeInput)

        await type_text(pilot, "12a")  # said at once, before Enter
        assert "Nieprawidłowa kwota: „12a”" in dialog_error(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AmountDialog) and field.value == "12a"
        assert "Nieprawidłowa kwota: „12a”" in dialog_error(app)

        await count(pilot, "-5")  # never read as 0,05 zł
        assert isinstance(app.screen, AmountDialog) and field.value == "-5"
        assert "Kwota nie może być ujemna („-5”)" in dialog_error(app)

        wall = "1234567890" * 3
        await count(pilot, wall)
        assert isinstance(app.screen, AmountDialog) and field.value == wall
        assert "Za duża kwota (najwyżej 999 999,99 zł)" in dialog_error(app)

        await count(pilot, "12,345")
        assert isinstance(app.screen, AmountDialog) and field.value == "12,345"
        assert "najwyżej dwa miejsca po przecinku" in dialog_error(app)

        await count(pilot, "")
        assert isinstance(app.screen, AmountDialog) and "Nieprawidłowa kwota" in dialog_error(app)

        assert close_of(app) is None and app.till.cash.current_shift() is not None
        await count(pilot, "0")  # an empty drawer is a count: 0 is allowed
        assert isinstance(app.screen, ShiftCloseSummary)
        assert _row(shown(pilot), "Niedobór").endswith("200,00 zł")


async def test_escape_on_the_summary_corrects_the_count_and_escape_again_keeps_the_shift(make_app, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    cash_management(demo_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shift_and_count(pilot)
        await count(pilot, "19500")
        assert isinstance(app.screen, ShiftCloseSummary)
        assert "Esc Popraw kwotę" in shown(pilot)
        await pilot.press("escape")  # back to the count, with what was typed
        await pilot.pause()
        assert isinstance(app.screen, AmountDialog)
        assert app.screen.query_one("#amount", CodeInput).value == "19500"
        assert "= 195,00 zł" in shown(pilot)
        await pilot.press("escape")  # leave to the cash menu: nothing stored, the shift goes on
        await pilot.pause()
        assert "4. Zamknięcie zmiany" in shown(pilot)
        assert close_of(app) is None and app.till.cash.current_shift() is not None


async def test_a_large_difference_asks_again_and_enter_means_no(make_app, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    cash_management(demo_dir)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shift_and_count(pilot)
        await count(pilot, "50,00")  # 150,00 zł short: above the default 100,00 zł
        assert isinstance(app.screen, ShiftCloseSummary)
        assert "Różnica większa niż 100,00 zł." in shown(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LargeDifferenceDialog)
        text = dialog_text(app)
        assert "więcej niż 100,00 zł: niedobór 150,00 zł" in text and "Czy na pewno" in text
        await pilot.press("enter")  # Enter is on "1. Nie": back to counting, nothing stored
        await pilot.pause()
        assert isinstance(app.screen, AmountDialog)
        assert app.screen.query_one("#amount", CodeInput).value == "50,00" and close_of(app) is None

        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")  # Esc is "nie" too
        await pilot.pause()
        assert isinstance(app.screen, AmountDialog) and close_of(app) is None

        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("2")  # Tak – zamknij zmianę
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog) and "NIEDOBÓR" in shown(pilot) and "-150,00" in shown(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        assert (close_of(app)["counted"], close_of(app)["difference"]) == (5_000, -15_000)


async def test_the_back_office_sets_the_limit(make_app, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    with open_terminal(demo_dir) as terminal:
        set_catalogue_settings(terminal, cash_management=True, cash_difference_limit="200,00")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shift_and_count(pilot)
        await count(pilot, "50,00")  # 150,00 zł short, within 200,00 zł: no second question
        assert "Różnica większa" not in shown(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog) and "ZAMKNIĘCIE ZMIANY" in shown(pilot)


async def test_the_count_in_english(make_app, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    cash_management(demo_dir)
    app = make_app(language="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shift_and_count(pilot)
        text = dialog_text(app)
        assert "Count the cash in the drawer" in text and "Counted:" in text and "(200, or 200,00)" in text
        await type_text(pilot, "x")
        assert "Invalid amount: \"x\"" in dialog_error(app)
        await count(pilot, "210,00")
        text = shown(pilot)
        assert _row(text, "Expected").endswith("200,00 zł") and _row(text, "Surplus").endswith("10,00 zł")
        assert "End the shift?" in text and "Esc Correct amount" in text
        await pilot.press("escape")  # correct the count
        await pilot.pause()
        await count(pilot, "0")
        await pilot.press("enter")
        await pilot.pause()
        assert "shortage 200,00 zł" in dialog_text(app) and "1. No – go back and count again" in shown(pilot)
