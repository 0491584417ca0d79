"""The fiscal day on the screens (issue 14, item 1): once the open day began on an
earlier date, every screen that stores a document of the day refuses it with the
message naming the day and the way out ("F2 → 3. Raport dobowy"), keeps what the
cashier typed, and never crashes. The refusal comes from the ledger's commit, so a
payment started at 23:59 and finished at 00:01 is refused too (the receipt stays),
as are a return, a cash deposit and a deposit return after midnight. After the
daily report everything works again.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from ui_helpers import (
    enter_code,
    login,
    screen_text,
    set_catalogue_settings,
    status,
    type_text,
)

from ipos_tui.store.db import open_terminal
from ipos_tui.ui.dialogs import ConfirmDialog, MenuScreen, TextViewDialog
from ipos_tui.ui.screens.cash_amount import AmountDialog
from ipos_tui.ui.screens.payment import PaymentScreen
from ipos_tui.ui.screens.registration import RegistrationScreen
from ipos_tui.ui.screens.returns import ReturnScreen

REFUSAL = "Dzień 26.11.2026 nie jest zamknięty: najpierw F2 → 3. Raport dobowy."
QUESTION = ("Dzień 26.11.2026 nie jest zamknięty: brak raportu dobowego.\n"
            "Enter – wykonaj raport teraz (paragon zostaje); Esc – wróć.")


async def sell(pilot, *codes: str) -> None:  # type: ignore[no-untyped-def]
    """Ring up ``codes``, pay exactly in cash, close the printout."""
    for code in codes:
        await enter_code(pilot, code)
    await pilot.press("plus")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("escape")
    await pilot.pause()


def after_midnight(clock) -> None:  # type: ignore[no-untyped-def]
    clock.now = clock.now.replace(hour=0, minute=1) + timedelta(days=1)


async def day_close(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("f2", "3")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("escape")
    await pilot.pause()


async def test_a_payment_started_at_2359_and_finished_at_0001_is_refused(make_app, clock) -> None:
    app = make_app()
    clock.now = clock.now.replace(hour=23, minute=50)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot, "1")
        clock.now = clock.now.replace(minute=59)
        await enter_code(pilot, "101")
        await pilot.press("plus")
        await pilot.pause()
        assert isinstance(app.screen, PaymentScreen)  # 23:59: still the same day
        after_midnight(clock)
        await pilot.press("enter")  # pay exactly in cash, at 00:01
        await pilot.pause()
        assert isinstance(app.screen, PaymentScreen)
        assert status(pilot) == REFUSAL
        assert app.terminal.ledger.last_number("receipt") == 1
        await pilot.press("escape")  # cancel the tender taken: asked first
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        assert [line.plu for line in app.receipt.lines] == ["101"]  # nothing lost
        # the way out: the daily report (of 26.11), then the receipt is paid on 27.11
        await pilot.press("plus")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and app.screen.question == QUESTION
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        report = app.till.reports.last_daily_report()
        assert report is not None and report.day.isoformat() == "2026-11-26" and report.sums.receipts == 1
        await pilot.press("plus")
        await pilot.pause()
        assert isinstance(app.screen, PaymentScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert app.terminal.ledger.last_number("receipt") == 2


async def test_in_english_the_refusal_names_the_day_and_the_way_out(make_app, clock) -> None:
    app = make_app(language="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot, "1")
        after_midnight(clock)
        await enter_code(pilot, "1")
        await pilot.press("plus")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.question == ("Day 26.11.2026 is not closed: its daily report is missing.\n"
                                       "Enter – make the report now (the receipt stays); Esc – back.")


async def test_a_return_after_midnight_is_refused_and_the_screen_stays(make_app, clock) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot, "1")
        clock.now = clock.now.replace(hour=23, minute=58)
        await pilot.press("f7")  # begun at 23:58
        await enter_code(pilot, "K1-000001")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReturnScreen)
        await pilot.press("asterisk", "plus")
        await pilot.pause()
        assert isinstance(app.screen, MenuScreen)
        await pilot.press("1")  # gotówka
        await pilot.pause()
        after_midnight(clock)
        await pilot.press("enter")  # yes, return it: at 00:01
        await pilot.pause()
        assert isinstance(app.screen, ReturnScreen)
        assert status(pilot) == REFUSAL
        assert app.terminal.ledger.last_number("return") == 0
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        await pilot.press("f7")  # a new return after midnight: refused before asking anything
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen) and status(pilot) == REFUSAL


async def test_a_cash_deposit_after_midnight_is_refused_in_its_dialog(make_app, demo_dir: Path, clock) -> None:
    with open_terminal(demo_dir) as terminal:
        set_catalogue_settings(terminal, cash_management=True)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("1")
        await pilot.pause()
        await type_text(pilot, "100,00")
        await pilot.press("enter")  # the opening cash: 100,00 on 26.11
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        after_midnight(clock)
        await pilot.press("f2", "2")
        await pilot.pause()
        await pilot.press("1")  # Wpłata
        await pilot.pause()
        assert isinstance(app.screen, AmountDialog)
        await type_text(pilot, "50,00")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AmountDialog)  # what was typed stays
        assert str(app.screen.query_one("#error").content) == REFUSAL
        assert app.terminal.ledger.last_number("cash_operation") == 1
        # a shift may still be closed after midnight (a cash report is no sale)
        await pilot.press("escape")
        await pilot.pause()


async def test_a_deposit_return_after_midnight_is_refused(make_app, clock) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot, "1")
        clock.now = clock.now.replace(hour=23, minute=59)
        await pilot.press("f2", "9")  # the form opened at 23:59 ...
        await pilot.pause()
        await pilot.press("1", "2", "enter")
        await pilot.pause()
        after_midnight(clock)
        await pilot.press("enter")  # ... and filled in at 00:01
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        assert status(pilot) == REFUSAL
        assert app.terminal.ledger.last_number("cash_operation") == 0
        await pilot.press("f2", "9")  # after midnight: refused before asking anything
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen) and status(pilot) == REFUSAL
        await day_close(pilot)
        await pilot.press("f2", "9")
        await pilot.pause()
        await pilot.press("1", "2", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog) and "ZWROT KAUCJI" in screen_text(pilot)
        assert app.terminal.ledger.last_number("cash_operation") == 1


async def test_a_shop_closed_for_days_sells_without_empty_reports(make_app, clock) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot, "1")
        await day_close(pilot)
        clock.now += timedelta(days=4)  # closed over a long weekend
        await sell(pilot, "1")
        assert app.terminal.ledger.last_number("receipt") == 2
        assert app.terminal.ledger.last_number("daily_report") == 1


async def test_no_card_money_is_taken_for_a_sale_the_day_refuses(make_app, clock) -> None:
    app = make_app()
    clock.now = clock.now.replace(hour=23, minute=50)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot, "1")
        await enter_code(pilot, "101")
        await pilot.press("plus")
        await pilot.pause()
        after_midnight(clock)
        await pilot.press("asterisk", "enter")  # the card, at 00:01
        await pilot.pause()
        assert isinstance(app.screen, PaymentScreen)  # no question to the card terminal
        assert status(pilot) == REFUSAL
        assert app.till.card_app.open_transactions() == []


async def test_next_morning_the_opening_cash_waits_for_yesterdays_report(
    make_app, demo_dir: Path, clock
) -> None:
    """Yesterday's shift was closed but not the day: this morning's opening cash (a
    cash operation of the day) is refused; "2. Pomiń" opens the shift without a
    document, the daily report closes yesterday, and cash goes in again."""
    from ipos_tui.ui.screens.opening_cash import OpeningCashScreen
    from ipos_tui.ui.screens.shift_close import ShiftCloseSummary
    from ipos_tui.ui.screens.login import LoginScreen

    with open_terminal(demo_dir) as terminal:
        set_catalogue_settings(terminal, cash_management=True)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("1")
        await pilot.pause()
        await type_text(pilot, "200,00")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f2", "2")
        await pilot.pause()
        await pilot.press("4")  # Zamknięcie zmiany: counted exactly
        await pilot.pause()
        await pilot.press("ctrl+u")
        await type_text(pilot, "200,00")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ShiftCloseSummary)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        clock.now = clock.now.replace(hour=8, minute=0) + timedelta(days=1)
        await login(pilot)
        assert isinstance(app.screen, OpeningCashScreen)
        await pilot.press("1")
        await pilot.pause()
        await type_text(pilot, "100,00")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AmountDialog)
        assert str(app.screen.query_one("#error").content) == REFUSAL
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, OpeningCashScreen)
        await pilot.press("2")  # Pomiń: no document
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        await day_close(pilot)
        report = app.till.reports.last_daily_report()
        assert report is not None and report.day.isoformat() == "2026-11-26"
        assert report.sums.cash_in == 20_000
        await pilot.press("f2", "2")
        await pilot.pause()
        await pilot.press("1")  # Wpłata, now of the new day
        await pilot.pause()
        await type_text(pilot, "100,00")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog) and "WPŁATA DO KASY" in screen_text(pilot)
