"""Numbered menus: digits, arrows + Enter, Esc back one level; the user menu, the
service menu (password), settings that persist, transactions with ☁, information.

Bad input tried: a digit no item has, a wrong service password, Esc at the top menu.
"""

from __future__ import annotations

from ipos_tui.ui.dialogs import FormDialog, MenuScreen, TextViewDialog
from ipos_tui.ui.screens.info import InfoScreen, TerminalInfoScreen
from ipos_tui.ui.screens.login import LoginScreen
from ipos_tui.ui.screens.registration import RegistrationScreen
from ipos_tui.ui.screens.transactions import TransactionsScreen

from ui_helpers import enter_code, login, screen_text, type_text


def menu_title(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("NumberedMenu").border_title)


async def sell_one(pilot, code: str = "1") -> None:  # type: ignore[no-untyped-def]
    await enter_code(pilot, code)
    await pilot.press("plus", "enter")
    await pilot.pause()
    await pilot.press("escape")


async def test_user_menu_shows_only_working_items_with_fixed_numbers(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f2")
        assert menu_title(app) == "Menu użytkownika"
        text = screen_text(pilot)
        for label in ("1. Blokada ekranu", "5. Transakcje", "7. Informacje", "8. Konfiguracja"):
            assert label in text
        assert "2. " not in text and "\u2630" not in text


async def test_digit_opens_and_escape_goes_back_one_level(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f2", "8")
        await pilot.pause()
        assert menu_title(app) == "Konfiguracja"
        await pilot.press("9")  # no such item: nothing happens
        assert menu_title(app) == "Konfiguracja"
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, TerminalInfoScreen)
        assert "Sklep Centrum" in screen_text(pilot)
        await pilot.press("escape")
        assert menu_title(app) == "Konfiguracja"
        await pilot.press("escape")
        assert menu_title(app) == "Menu użytkownika"
        await pilot.press("escape")
        assert isinstance(app.screen, RegistrationScreen)


async def test_arrows_and_enter_choose_too(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f2", "down", "down", "down", "down", "down", "enter")  # 1 → 3 → 4 → 5 → 6 → 7
        await pilot.pause()
        assert isinstance(app.screen, InfoScreen)
        text = screen_text(pilot)
        assert "Kasa 1 (id 1)" in text and "Niewysłane transakcje:" in text


async def test_transactions_list_marks_unsent_with_a_cloud_and_opens_one(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell_one(pilot, "1")
        await sell_one(pilot, "9")
        await pilot.press("f2", "5")
        await pilot.pause()
        assert isinstance(app.screen, TransactionsScreen)
        rows = [row for row in screen_text(pilot).splitlines() if "Paragon" in row]
        assert len(rows) == 2
        assert all("\u2601 00000" in row for row in rows)
        assert "000002" in rows[0] and "5,99" in rows[0]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        assert "Nr: 000001" in app.screen.text
        assert "\u2601 niewysłany" in str(app.screen.query_one("VerticalScroll").border_title)


async def test_settings_switch_language_and_console_mode_and_persist(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f2", "8", "2")
        await pilot.pause()
        assert "1. Język: polski" in screen_text(pilot)
        await pilot.press("1")
        await pilot.pause()
        assert "1. Language: English" in screen_text(pilot)
        await pilot.press("2")
        await pilot.pause()
        assert "2. Console mode (ASCII): on" in screen_text(pilot)
        assert app.console_mode
        await pilot.press("escape", "escape", "escape")
        assert "TOTAL:" in screen_text(pilot)
        assert "\u2191 0" in screen_text(pilot).splitlines()[0]  # console cloud
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.language == "en" and app.console_mode
        assert "Terminal login" in screen_text(pilot)


async def test_service_menu_before_login_with_password(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        assert menu_title(app) == "Menu serwisowe"
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        await type_text(pilot, "zle")
        await pilot.press("enter")
        assert "Błędne hasło serwisowe." in screen_text(pilot)
        app.screen.query_one("#field-password").value = ""
        await type_text(pilot, "SERVIS")
        await pilot.press("enter")
        await pilot.pause()
        assert menu_title(app) == "Serwis"
        await pilot.press("1")
        await pilot.pause()
        assert menu_title(app) == "Transakcje"
        assert "2. Wyślij zaległe transakcje" in screen_text(pilot)
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, TransactionsScreen)
        await pilot.press("escape", "escape", "escape", "escape")
        assert isinstance(app.screen, LoginScreen)


async def test_f1_shows_the_keys_of_the_current_screen(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        help_text = app.screen.text
        assert "Kod/Nazwa" in help_text and "Zapłata" in help_text and "T9" in help_text
        await pilot.press("escape")
        assert isinstance(app.screen, RegistrationScreen)


async def test_menu_keybar_lists_digits_and_escape(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f2")
        await pilot.pause()
        assert screen_text(pilot).splitlines()[-1].startswith("1\u20139 \u2191\u2193 Enter Wybierz Esc Wróć")
        assert isinstance(app.screen, MenuScreen)
