"""Keys typed faster than the screen reacts are handled in typing order.

A scanner sends a code and Enter in one burst, a quick cashier types the identifier,
Enter, the PIN and Enter before the screen has moved the focus, and Ctrl+U followed at
once by typing must clear first and keep what was typed after (tmux showed the typed
keys lost). The burst is posted to the App in one go, as the terminal delivers it.
"""

from __future__ import annotations

from textual import events

from ipos_tui.ui.screens.registration import RegistrationScreen

from ui_helpers import login, screen_text


def burst(app, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Post ``keys`` at once, as one read from the terminal would deliver them."""
    for key in keys:
        character = key if len(key) == 1 else {"enter": "\r", "ctrl+u": "\x15"}.get(key)
        app.post_message(events.Key(key, character))


async def test_login_typed_ahead_of_the_focus(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        burst(app, *"1001", "enter", *"1111", "enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen), screen_text(pilot)
        assert app.cashier is not None and app.cashier.identifier == "1001"


async def test_ctrl_u_then_typing_keeps_what_follows(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        burst(app, *"123", "ctrl+u", *"9")
        await pilot.pause()
        assert app.screen.query_one("#code").value == "9"


async def test_a_scanner_burst_rings_up_each_code(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        burst(app, "1", "enter", "9", "enter", "1", "enter")
        await pilot.pause()
        assert [line.plu for line in app.receipt.lines] == ["1", "9", "1"]


async def test_top_bar_stays_live_under_a_menu(make_app, clock) -> None:
    """The clock and the unsent count go on while a menu or dialog is open."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("1", "enter")  # a sale: ☁ 1
        await pilot.press("plus", "enter")
        await pilot.pause()
        await pilot.press("escape")  # the printout
        await pilot.press("f2")
        await pilot.pause()
        assert "12:04" in screen_text(pilot).splitlines()[0]
        clock.advance(120)
        await pilot.pause(1.3)
        top = screen_text(pilot).splitlines()[0]
        assert "12:06" in top and "\u2601 1 (2 min)" in top
