"""No screen brings the till down: an unexpected error is logged with its traceback,
shown as a message, and the cashier goes on selling.

Tried: a screen that fails while it is built (compose), an action that raises, a
result callback that raises, a burst of errors (the app ends, as a loop of error
messages helps nobody), and the journal after every kind of printout (the crash
"KeyError: 'cash'" of 8 → 5 → 3 after the opening cash).
"""

from __future__ import annotations

import logging
import typing

import pytest

from ipos_tui.i18n import has_key
from ipos_tui.domain.printer import PrintoutKind
from ipos_tui.ui.dialogs import ErrorDialog, MenuScreen
from ipos_tui.ui.screens.info import InfoScreen
from ipos_tui.ui.screens.printer import JournalScreen, kind_text
from ipos_tui.ui.screens.registration import RegistrationScreen

from ui_helpers import enter_code, login, screen_text


def test_every_printout_kind_has_a_name_in_both_languages() -> None:
    from ipos_tui.i18n import catalogue

    for kind in typing.get_args(PrintoutKind):
        key = "printer.kind_vat" if kind == "vat_table" else f"printer.kind_{kind}"
        assert has_key(key), kind
        assert key in catalogue("en"), kind
        assert kind_text(kind) != kind


async def test_failing_screen_is_closed_with_a_message_and_selling_goes_on(make_app, monkeypatch, caplog) -> None:
    def broken(self):  # type: ignore[no-untyped-def]
        raise RuntimeError("broken screen")
        yield  # pragma: no cover

    monkeypatch.setattr(InfoScreen, "compose_body", broken)
    app = make_app()
    app.errors_expected = True
    with caplog.at_level(logging.ERROR, logger="ipos_tui.ui"):
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot)
            await enter_code(pilot, "1")
            await pilot.press("f2", "7")
            await pilot.pause()
            await pilot.pause()
            assert isinstance(app.screen, ErrorDialog)
            text = screen_text(pilot)
            assert "Błąd programu" in text and "RuntimeError: broken screen" in text
            assert "ipos-tui.log" in text
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, MenuScreen)  # where the cashier chose it
            await pilot.press("escape")
            await pilot.pause()
            # back where the cashier was, with the receipt intact, and still selling
            assert isinstance(app.screen, RegistrationScreen)
            await enter_code(pilot, "1")
            assert app.receipt.lines[0].qty == 2000
    assert [type(error) for error in app.error_guard.errors] == [RuntimeError]
    record = next(r for r in caplog.records if r.name == "ipos_tui.ui")
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError


async def test_failing_action_is_shown_and_the_screen_keeps_working(make_app, monkeypatch) -> None:
    def explode(self) -> None:  # type: ignore[no-untyped-def]
        raise ValueError("discount exploded")

    monkeypatch.setattr(RegistrationScreen, "action_discount", explode)
    app = make_app()
    app.errors_expected = True
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "1")
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        await enter_code(pilot, "1")  # keys still reach the screen
        assert app.receipt.lines[0].qty == 2000
        await pilot.press("plus", "enter")
        await pilot.pause()
        assert app.receipt.is_empty  # paid and committed
    assert app.return_code in (0, None)


async def test_failing_result_callback_is_contained(make_app, monkeypatch) -> None:
    from ipos_tui.ui.screens import registration

    def explode(self, document) -> None:  # type: ignore[no-untyped-def]
        raise KeyError("after payment")

    monkeypatch.setattr(registration.RegistrationScreen, "_after_payment", explode)
    app = make_app()
    app.errors_expected = True
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "1")
        await pilot.press("plus", "enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog)
        assert app.terminal.ledger.pending_summary()[0] == 1  # the sale is in the ledger
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)


async def test_a_burst_of_errors_ends_the_app_as_textual_would(make_app, monkeypatch) -> None:
    def explode(self) -> None:  # type: ignore[no-untyped-def]
        raise ValueError("again")

    monkeypatch.setattr(RegistrationScreen, "action_discount", explode)
    app = make_app()
    app.errors_expected = True
    with pytest.raises(ValueError):
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot)
            await enter_code(pilot, "1")
            for _ in range(8):
                await pilot.press("f4")
                await pilot.pause()
                await pilot.press("escape")
    assert len(app.error_guard.errors) > 5


async def test_journal_lists_cash_returns_and_reports(make_app, clock) -> None:
    """The crash of the first session: F2 8 5 3 after the opening cash."""
    from ui_helpers import set_catalogue_settings

    app = make_app()
    set_catalogue_settings(app.terminal, cash_management=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.pause()
        await pilot.press("1")  # opening cash: 1. Wprowadź
        await pilot.pause()
        for key in "20000":
            await pilot.press(key)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")  # the printout
        await pilot.pause()
        await pilot.press("f2", "8", "5", "3")
        await pilot.pause()
        assert isinstance(app.screen, JournalScreen), screen_text(pilot)
        assert "Dokument kasowy" in screen_text(pilot)
