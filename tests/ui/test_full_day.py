"""Every item of both menus, opened after a whole shop day.

A screen meets every kind of document only after a real day: the electronic journal
once crashed on the first cash document. So the day here has receipts in cash and by
card, a return, an opening, a deposit, a withdrawal and a daily report (offline: the
till is not activated here, so its network steps fail as they would in a shop without
a link). Then every item of the user menu, of each submenu, and of the service menu
is opened by its digit; whatever it shows must be a screen of the till, never the
error message, and Esc must lead back to the menu it came from. The conftest fails
the test on any error the app contained along the way.
"""

from __future__ import annotations

from textual.screen import Screen

from ipos_tui.ui.dialogs import ErrorDialog, MenuScreen
from ipos_tui.ui.screens.login import LoginScreen
from ipos_tui.ui.screens.registration import RegistrationScreen

from ui_helpers import enter_code, login, screen_text, set_catalogue_settings, type_text


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def shop_day(pilot) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await login(pilot)
    await pilot.press("1")  # opening cash: 1. Wprowadź
    await settle(pilot)
    await type_text(pilot, "200,")
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("escape")  # its printout
    # a cash receipt with change, and a card one
    for code in ("1", "9", "20"):
        await enter_code(pilot, code)
    await enter_code(pilot, "0,5")  # half a kilo of cheese
    await pilot.press("plus")
    await type_text(pilot, "5000")
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("escape")
    await enter_code(pilot, "9")
    await pilot.press("plus", "asterisk", "enter")  # karta: the card app asks
    await settle(pilot)
    await pilot.press("enter")  # approved
    await settle(pilot)
    await pilot.press("escape")
    # the milk of the first receipt comes back, in cash
    await pilot.press("f7")
    await settle(pilot)
    await type_text(pilot, "K1-000001")
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("asterisk", "plus", "1")
    await settle(pilot)
    await pilot.press("enter")  # confirm the refund
    await settle(pilot)
    await pilot.press("escape")  # its printout
    await settle(pilot)
    # a deposit and a withdrawal
    for item, amount in (("1", "50,"), ("2", "2000")):
        await pilot.press("f2", "2", item)
        await settle(pilot)
        assert type(app.screen).__name__ == "AmountDialog", screen_text(pilot)
        await type_text(pilot, amount)
        await pilot.press("asterisk")
        await type_text(pilot, "test")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")  # the printout
        await settle(pilot)
        while not isinstance(app.screen, RegistrationScreen):
            await pilot.press("escape")
    # the daily report
    await pilot.press("f2", "3")
    await settle(pilot)
    for _ in range(10):
        if not isinstance(app.screen, RegistrationScreen) and "Raport" in screen_text(pilot):
            break
        await settle(pilot)
    while not isinstance(app.screen, RegistrationScreen):
        await pilot.press("escape")
        await settle(pilot)
    kinds = {doc.doc_type for doc in app.terminal.ledger.list_documents(limit=100)}
    assert kinds == {"receipt", "return", "cash_operation", "daily_report"}, kinds


def menu_title(screen: Screen[object]) -> str:
    return str(screen.query_one("NumberedMenu").border_title)


async def reach(pilot, keys: list[str]) -> None:  # type: ignore[no-untyped-def]
    """From the sales or login screen, press ``keys`` (F2 and digits) to a menu."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def open_every_item(pilot, keys: list[str], path: list[str], seen: list[str],
                          skip: tuple[int, ...] = ()) -> None:  # type: ignore[no-untyped-def]
    """Open each item of the menu ``keys`` lead to, and of its submenus, by digit."""
    app = pilot.app
    await reach(pilot, keys)
    menu = app.screen
    assert isinstance(menu, MenuScreen), screen_text(pilot)
    title = menu_title(menu)
    for item in [item for item in menu.items if item.visible and item.number not in skip]:
        where = " > ".join([*path, f"{item.number}. {item.text()}"])
        if app.screen is not menu:  # the item before closed the menus (its job): reopen
            while not isinstance(app.screen, (RegistrationScreen, LoginScreen)):
                await pilot.press("escape")
                await settle(pilot)
            await reach(pilot, keys)
            menu = app.screen
            assert isinstance(menu, MenuScreen) and menu_title(menu) == title
        await pilot.press(str(item.number))
        await settle(pilot)
        opened = app.screen
        assert not isinstance(opened, ErrorDialog), f"{where}: {screen_text(pilot)}"
        seen.append(where)
        if isinstance(opened, MenuScreen) and opened is not menu:
            submenu = menu_title(opened)
            while not isinstance(app.screen, (RegistrationScreen, LoginScreen)):
                await pilot.press("escape")
                await settle(pilot)
            await open_every_item(pilot, [*keys, str(item.number)], [*path, submenu], seen)
            continue
        for _ in range(8):  # back to this menu, however deep the item went
            if app.screen is menu or isinstance(app.screen, (RegistrationScreen, LoginScreen)):
                break
            assert not isinstance(app.screen, ErrorDialog), f"{where}: {screen_text(pilot)}"
            await pilot.press("escape")
            await settle(pilot)
        if app.screen is menu and menu_title(menu) != title:  # a toggled setting (the language)
            await pilot.press(str(item.number))
            await settle(pilot)
            assert menu_title(menu) == title
    while not isinstance(app.screen, (RegistrationScreen, LoginScreen)):
        await pilot.press("escape")
        await settle(pilot)


async def test_every_menu_item_opens_after_a_full_shop_day(make_app) -> None:
    app = make_app()
    set_catalogue_settings(app.terminal, cash_management=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await shop_day(pilot)
        seen: list[str] = []
        # the user menu; 1. Blokada ekranu ends it all, so it is opened last
        await open_every_item(pilot, ["f2"], ["Menu użytkownika"], seen, skip=(1,))
        await pilot.press("f2", "1")  # 1. Blokada ekranu: unsent documents, it asks
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        # the service menu before login, the service tools behind their password
        await open_every_item(pilot, ["f2"], ["Menu serwisowe"], seen, skip=(2,))
        await open_every_item(pilot, ["f2", "2", *"SERVIS", "enter"], ["Menu serwisowe", "Serwis"], seen)
    opened = "\n".join(seen)
    for item in ("Obsługa gotówki > 1. Wpłata", "Obsługa gotówki > 4. Zamknięcie zmiany",
                 "Menu użytkownika > 3. Raport dobowy", "Raporty > 3. Raport okresowy",
                 "Menu użytkownika > 5. Transakcje", "> 6. Paragony", "> 7. Informacje",
                 "Drukarka fiskalna > 3. Elektroniczna kopia", "Aplikacja płatnicza > 2. Rozliczenia",
                 "Synchronizacja > 5. Aktualizacja aplikacji", "Serwis > Transakcje > 2.",
                 "Menu serwisowe > Konfiguracja > 4. Synchronizacja"):
        assert item in opened, (item, opened)
