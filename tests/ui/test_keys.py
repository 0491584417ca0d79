"""The keys a cashier is told about: F1 lists only the till's own keys of the screen,
in the UI language (none of Textual's "Move cursor left and select", "ctrl+q Quit");
the key bar offers what applies now (↑↓ with lines to choose from, Ctrl+Q between
receipts, F7 on an empty receipt); Ctrl+Q asks first when sales are unsent."""

from __future__ import annotations

from ipos_tui.ui.dialogs import ConfirmDialog, TextViewDialog
from ipos_tui.ui.screens.registration import RegistrationScreen

from ui_helpers import enter_code, login, screen_text


def key_bar(pilot) -> str:  # type: ignore[no-untyped-def]
    return screen_text(pilot).splitlines()[-1]


async def test_f1_lists_only_the_till_keys_in_the_ui_language(make_app) -> None:
    for language, expected in (("pl", ("Zakończ", "Kod/Nazwa", "Wybór")), ("en", ("Quit", "Code/Name", "Select"))):
        app = make_app(language=language)
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot)
            for screen_keys in (("f1",), ("f2", "f1"), ("f2", "8", "4", "f1")):
                await pilot.press(*screen_keys)
                await pilot.pause()
                assert isinstance(app.screen, TextViewDialog)
                text = app.screen.text
                for textual_own in ("Move cursor", "and select", "Scroll", "Page Up", "ctrl+", "Go to", "Delete "):
                    assert textual_own not in text, (screen_keys, textual_own, text)
                await pilot.press("escape")
                while not isinstance(app.screen, RegistrationScreen):
                    await pilot.press("escape")
            await pilot.press("f1")
            for word in expected:
                assert word in app.screen.text
            assert "Ctrl+Q" in app.screen.text


async def test_key_bar_offers_what_applies_now(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        bar = key_bar(pilot)
        assert "F7 Zwrot" in bar and "Ctrl+Q Zakończ" in bar and "Zapłata" not in bar
        await enter_code(pilot, "1")
        bar = key_bar(pilot)
        assert "+ Zapłata" in bar and "F7" not in bar and "Ctrl+Q" not in bar and "\u2191\u2193" not in bar
        await enter_code(pilot, "9")
        assert "\u2191\u2193 Wybór" in key_bar(pilot)  # two lines: there is a choice
        await pilot.press("number_sign")
        bar = key_bar(pilot)
        assert "# Cena" in bar and "Enter Dalej" in bar and "Esc Wróć" in bar
        await pilot.press("escape", "asterisk")
        bar = key_bar(pilot)
        assert "* Kod" in bar and "\u2191\u2193 Wybór" in bar and "Enter Dodaj" in bar
        assert len(bar.rstrip()) <= 80


async def test_ctrl_q_quits_at_once_with_nothing_unsent(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


async def test_ctrl_q_asks_first_when_sales_are_unsent(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "1")
        await pilot.press("plus", "enter")
        await pilot.pause()
        await pilot.press("escape")  # the printout
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "Niewysłane transakcje: 1" in screen_text(pilot)
        await pilot.press("enter")  # Enter: "nie"
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, RegistrationScreen)
        await pilot.press("ctrl+q")
        await pilot.press("t")
        await pilot.pause()
    assert not app.is_running


async def test_clicking_menu_bottom_left_opens_the_user_menu(make_app) -> None:
    """The duet's menu button: "F2 Menu" bottom-left of the key bar, for a mouse."""
    from ipos_tui.ui.dialogs import MenuScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        assert key_bar(pilot).startswith("F2 Menu")
        await pilot.click("KeyBar", offset=(1, 0))
        await pilot.pause()
        assert isinstance(app.screen, MenuScreen) and app.screen.title_key == "menu.user"
        await pilot.click("MenuScreen KeyBar", offset=(len("1–9 ↑↓ Enter Wybierz") + 2, 0))  # "Esc Wróć"
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)


def test_every_binding_has_a_unique_id() -> None:
    """Issue 16: bindings carry ids ("Screen.action"), so a keymap can move a key
    without touching the code; no two bindings share one (a shared list, such as the
    list screens' navigation, is one binding wherever it is used)."""
    import importlib
    import pkgutil

    import ipos_tui.ui as ui
    from textual.binding import Binding
    from textual.dom import DOMNode

    seen: dict[str, str] = {}
    classes = 0
    for info in pkgutil.walk_packages(ui.__path__, "ipos_tui.ui."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if not (isinstance(value, type) and issubclass(value, DOMNode)) or value.__module__ != info.name:
                continue
            bindings = [b for b in value.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]
            classes += bool(bindings)
            for binding in bindings:
                assert binding.id, f"{value.__name__}: {binding.key} -> {binding.action} has no id"
                owner = f"{binding.key} -> {binding.action}"
                assert seen.setdefault(binding.id, owner) == owner, f"{binding.id} used twice"
    assert classes > 20 and len(seen) > 80
