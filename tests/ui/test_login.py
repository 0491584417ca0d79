"""Logging in, in each of the three modes of PRODUCT.md §3.

Bad input tried: an unknown identifier, a wrong PIN (five times: lockout with a
countdown that survives a restart), an inactive user, Enter on an empty identifier,
letters typed into the PIN field (refused by the field).
"""

from __future__ import annotations

from ipos_tui.ui.screens.login import LoginScreen
from ipos_tui.ui.screens.registration import RegistrationScreen

from ui_helpers import login, screen_text, set_catalogue_settings, status, type_text


async def test_identifier_and_pin_logs_in_and_names_the_cashier(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1002", "2222")
        assert isinstance(app.screen, RegistrationScreen)
        assert app.cashier.name == "Jan Nowak"
        assert "Jan Nowak" in screen_text(pilot).splitlines()[0]


async def test_pin_is_masked_on_screen(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "1001")
        await pilot.press("enter")
        await type_text(pilot, "1111")
        text = screen_text(pilot)
        assert "1111" not in text
        assert "1001" in text


async def test_letters_are_refused_by_the_pin_field(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "1001")
        await pilot.press("enter")
        await type_text(pilot, "1a1b11")
        assert app.screen.query_one("#pin").value == "1111"


async def test_empty_identifier_asks_for_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        assert isinstance(app.screen, LoginScreen)
        assert status(pilot) == "Wprowadź identyfikator."


async def test_unknown_identifier_is_refused(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "9999", "1111")
        assert isinstance(app.screen, LoginScreen)
        assert status(pilot) == "Nieznany identyfikator."
        assert app.cashier is None


async def test_inactive_user_is_refused(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1004", "4444")
        assert isinstance(app.screen, LoginScreen)
        assert status(pilot) == "Konto użytkownika jest nieaktywne."


async def test_wrong_pin_counts_down_attempts_then_locks_out_across_a_restart(make_app, clock) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1003", "0000")
        assert status(pilot) == "Błędny PIN. Pozostałe próby: 4."
        for _ in range(4):
            await type_text(pilot, "0000")
            await pilot.press("enter")
        assert status(pilot) == "Zbyt wiele błędnych PIN-ów. Spróbuj ponownie za 30 s."
        clock.advance(10)
        await type_text(pilot, "3333")  # the right PIN, but still locked
        await pilot.press("enter")
        assert isinstance(app.screen, LoginScreen)
        assert status(pilot) == "Zbyt wiele błędnych PIN-ów. Spróbuj ponownie za 20 s."
    # a restart does not lift the lockout
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1003", "3333")
        assert isinstance(app.screen, LoginScreen)
        assert "Spróbuj ponownie za 20 s" in status(pilot)
        clock.advance(21)
        await type_text(pilot, "3333")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        assert app.cashier.name == "Ola Wiśniewska"


async def test_identifier_only_mode(make_app, demo_terminal) -> None:
    set_catalogue_settings(demo_terminal, login_mode="id")
    demo_terminal.close()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert not app.screen.query("#pin")
        await type_text(pilot, "1003")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        assert app.cashier.identifier == "1003"


async def test_no_login_mode_sells_as_the_anonymous_cashier(make_app, demo_terminal) -> None:
    set_catalogue_settings(demo_terminal, login_mode="none")
    demo_terminal.close()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert "dowolny klawisz" in screen_text(pilot)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        assert app.cashier.name == "kasjer anonimowy"
        assert "kasjer anonimowy" in screen_text(pilot).splitlines()[0]


async def test_lock_screen_with_unsent_transactions_warns_first(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await type_text(pilot, "1")
        await pilot.press("enter", "plus", "enter")
        await pilot.pause()
        await pilot.press("escape", "f2", "1")
        await pilot.pause()
        assert "Niewysłane transakcje: 1" in screen_text(pilot)
        await pilot.press("escape")
        assert app.cashier is not None
        await pilot.press("f2", "1")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)


async def test_lock_screen_returns_to_login_and_keeps_the_open_receipt(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await type_text(pilot, "1")
        await pilot.press("enter")
        await pilot.press("f2", "1")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        assert app.cashier is None
        assert app.screen.query_one("#identifier").value == ""
        await login(pilot, "1002", "2222")
        assert [line.name for line in app.receipt.lines] == ["Mleko 3,2% 1l"]
