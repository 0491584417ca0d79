"""What the owner changes in iPOS web reaches a till: a real back office on uvicorn
(127.0.0.1), Debian's chromium driven by playwright as the owner, and a real till (its
own database, activated on the back office, driven through its screens) that fetches
the change with 8 → 4 → N as a cashier does. Nothing mocked.

The browser runs in a thread of its own (playwright's sync API cannot share the
asyncio loop the till's pilot runs in)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import launched_browser, sign_in

from ipos_tui.backoffice.services import BackOffice
from ipos_tui.store.db import open_terminal
from ipos_tui.sync.activation import activate
from ipos_tui.ui.screens.login import LoginScreen
from ipos_tui.ui.screens.registration import RegistrationScreen
from ipos_tui.ui.screens.sync import SyncScreen

pytestmark = pytest.mark.timeout(180)


def in_browser(url: str, steps: Callable[[Any], None], login: tuple[str, str] = ("1001", "demo")
               ) -> None:
    """Sign in to iPOS web in a fresh chromium and run ``steps(page)``."""
    with launched_browser() as browser:
        context = browser.new_context(locale="pl-PL", base_url=url,
                                      viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, url, *login)
        steps(page)
        context.close()


async def browse(url: str, steps: Callable[[Any], None], login: tuple[str, str] = ("1001", "demo")
                 ) -> None:
    await asyncio.to_thread(in_browser, url, steps, login)


@pytest.fixture
def till_dir(tmp_path: Path, office: BackOffice, web_url: str) -> Path:
    """A till of Sklep Centrum, activated on the back office (nothing fetched yet)."""
    _, code = office.add_terminal(1, "Kasa 1")
    directory = tmp_path / "till"
    with open_terminal(directory) as terminal:
        activate(terminal, web_url, code, "Kasa 1", sleep=lambda _s: None)
    return directory


async def wait_for(pilot: Any, predicate: Callable[[], bool], tries: int = 600) -> None:
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not reached")


async def start_till(make_app: Any, till_dir: Path, **options: Any) -> Any:
    options.setdefault("startup_jobs", ("config", "users", "products"))
    return make_app(data_dir=till_dir, **options)


async def first_sync(app: Any, pilot: Any) -> None:
    await wait_for(pilot, lambda: not getattr(app.screen, "running", True))
    await pilot.press("enter")  # the first sync stays with its results until Enter
    await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))


async def log_in(app: Any, pilot: Any, identifier: str, pin: str) -> None:
    await pilot.press(*identifier, "enter", *pin, "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, RegistrationScreen))


async def menu_sync(app: Any, pilot: Any, item: str) -> None:
    """8. Konfiguracja → 4. Synchronizacja → item, as a cashier does, then back."""
    await pilot.press("f2")
    await pilot.pause()
    await pilot.press("8", "4")
    await pilot.pause()
    await pilot.press(item)
    await wait_for(pilot, lambda: isinstance(app.screen, SyncScreen) and not app.screen.running)
    while not isinstance(app.screen, RegistrationScreen):
        await pilot.press("escape")
        await pilot.pause()


async def sell_plu(app: Any, pilot: Any, plu: str) -> int:
    """Sell one of ``plu`` for cash (10,00 zł given); the unit price charged."""
    before = app.terminal.ledger.last_number()
    await pilot.press(*plu, "enter", "plus", *"5000", "enter")
    await wait_for(pilot, lambda: app.terminal.ledger.last_number() == before + 1)
    while not isinstance(app.screen, RegistrationScreen):
        await pilot.press("escape")  # the printout
        await pilot.pause()
    receipt = app.terminal.ledger.find_by_number(before + 1)
    assert receipt is not None and len(receipt.lines) == 1
    return receipt.lines[0].unit_price


async def test_a_price_changed_in_the_page_is_charged_after_8_4_3(
        make_app: Any, office: BackOffice, web_url: str, till_dir: Path) -> None:
    app = await start_till(make_app, till_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await first_sync(app, pilot)
        await log_in(app, pilot, "1001", "1111")
        old = await sell_plu(app, pilot, "1")
        assert old == 349

        def change_price(page: Any) -> None:
            page.get_by_role("link", name="Cenniki").click()
            page.get_by_role("link", name="Cennik Sklep Centrum").click()
            page.get_by_label("PLU lub kod kreskowy").fill("1")
            page.get_by_label("Cena brutto (zł)").fill("4,19")
            page.get_by_role("button", name="Zapisz cenę").click()
            assert "Zapisano cenę PLU 1." in page.get_by_role("status").first.inner_text()
            note = page.locator(".pending").inner_text()
            assert "Do pobrania przy następnej synchronizacji (8 → 4 → 3" in note
            assert "Sklep Centrum: 1 z 1 kasoterminala" in note

        await browse(web_url, change_price)
        assert await sell_plu(app, pilot, "1") == 349  # not fetched yet: the old price
        await menu_sync(app, pilot, "3")
        assert await sell_plu(app, pilot, "1") == 419
    assert office.delivery(["products"], [1])[0].behind == 0  # the page's line is gone


async def log_out(app: Any, pilot: Any) -> None:
    """F2 → 1. Blokada ekranu (asks first while sales are unsent: Enter)."""
    await pilot.press("f2")
    await pilot.pause()
    await pilot.press("1")
    await pilot.pause()
    if not isinstance(app.screen, LoginScreen):
        await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))


async def test_a_cashier_added_in_the_page_logs_in_after_8_4_2(
        make_app: Any, office: BackOffice, web_url: str, till_dir: Path) -> None:
    def add_cashier(page: Any) -> None:
        page.get_by_role("link", name="Personel").click()
        page.get_by_role("link", name="Dodaj pracownika").click()
        page.get_by_label("Identyfikator").fill("2001")
        page.get_by_label("Imię i nazwisko").fill("Zofia Nowicka")
        page.get_by_label("PIN", exact=True).fill("2468")
        page.get_by_label("Powtórz PIN").fill("2468")
        page.get_by_role("button", name="Dodaj").click()
        assert "Dodano pracownika 2001" in page.get_by_role("status").first.inner_text()

    app = await start_till(make_app, till_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await first_sync(app, pilot)
        await browse(web_url, add_cashier)
        await pilot.press(*"2001", "enter", *"2468", "enter")  # not on this till yet
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        await pilot.press("escape")
        await log_in(app, pilot, "1001", "1111")
        await menu_sync(app, pilot, "2")
        await log_out(app, pilot)
        await log_in(app, pilot, "2001", "2468")
        assert app.cashier is not None and app.cashier.name == "Zofia Nowicka"


async def test_the_login_mode_switched_in_the_page_changes_the_login_screen_after_8_4_1(
        make_app: Any, office: BackOffice, web_url: str, till_dir: Path) -> None:
    def identifier_only(page: Any) -> None:
        page.get_by_role("link", name="Ustawienia").click()
        page.get_by_label("Tryb logowania na kasie").select_option(label="identyfikator")
        page.get_by_role("button", name="Zapisz ustawienia").click()
        assert "Zapisano ustawienia (1 zmienione)." in page.get_by_role("status").first.inner_text()
        assert "8 → 4 → 1" in page.locator(".pending").inner_text()

    app = await start_till(make_app, till_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await first_sync(app, pilot)
        assert app.screen.query("#pin")  # identifier + PIN
        await log_in(app, pilot, "1001", "1111")
        await browse(web_url, identifier_only)
        await menu_sync(app, pilot, "1")
        await log_out(app, pilot)
        assert not app.screen.query("#pin")  # identifier only now
        await pilot.press(*"1002", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RegistrationScreen))


async def test_another_price_list_is_switched_to_without_an_empty_catalogue(
        make_app: Any, office: BackOffice, web_url: str, till_dir: Path) -> None:
    from ipos_tui.backoffice import models as m

    product = office.product_by_plu("1")
    other = m.Price.get((m.Price.price_list == 2) & (m.Price.product == product)).price
    office.set_price(2, product, other + 100)  # make sure the lists differ for PLU 1
    other += 100

    def assign(page: Any) -> None:
        page.get_by_role("link", name="Sklepy").click()
        page.get_by_role("link", name="Sklep Centrum", exact=True).click()
        page.get_by_label("Cennik", exact=True).select_option(label="Cennik Sklep Osiedlowy")
        page.get_by_role("button", name="Przypisz cennik").click()
        assert "Zmieniono cennik sklepu" in page.get_by_role("status").first.inner_text()

    app = await start_till(make_app, till_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await first_sync(app, pilot)
        await log_in(app, pilot, "1001", "1111")
        before = app.terminal.catalog.product_count()
        await browse(web_url, assign)
        counts: list[int] = []
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("8", "4", "3")
        for _ in range(600):  # the catalogue while the new list arrives
            counts.append(app.terminal.catalog.product_count())
            if isinstance(app.screen, SyncScreen) and not app.screen.running:
                break
            await pilot.pause(0.02)
        assert min(counts) > 0 and app.terminal.catalog.product_count() == before
        while not isinstance(app.screen, RegistrationScreen):
            await pilot.press("escape")
            await pilot.pause()
        assert await sell_plu(app, pilot, "1") == other


def test_a_manager_cannot_open_another_stores_pages(office: BackOffice, web_url: str,
                                                    browser: Any) -> None:
    office.add_user("3001", "Marek Wójcik", "3579", "manager")
    office.set_web_password("3001", "kierownik-osiedle")
    office.set_user_stores("3001", [2])
    _, _code = office.add_terminal(1, "Kasa Centrum")
    context = browser.new_context(locale="pl-PL", base_url=web_url)
    page = context.new_page()
    sign_in(page, web_url, "3001", "kierownik-osiedle")
    assert page.get_by_role("cell", name="Sklep Osiedlowy").is_visible()
    assert page.get_by_role("cell", name="Sklep Centrum").count() == 0
    for path in ("/stores/1", "/terminals?store=1", "/terminals/1", "/transactions?store=1"):
        response = page.goto(f"{web_url}{path}")
        assert response.status == 404, path
        assert page.get_by_role("heading", level=1).inner_text() == "Nie ma takiej strony"
    for path in ("/staff", "/settings", "/price-lists", "/products"):
        response = page.goto(f"{web_url}{path}")
        assert response.status == 403, path
    assert page.get_by_role("link", name="Personel").count() == 0  # not in the menu either
    context.close()


async def test_sales_a_till_uploads_show_in_the_page_and_its_unsent_count_drops_to_0(
        make_app: Any, office: BackOffice, web_url: str, till_dir: Path) -> None:
    seen: dict[str, str] = {}

    def unsent_cell(page: Any) -> str:
        page.get_by_role("link", name="Lista kasoterminali").click()
        row = page.get_by_role("row").filter(has_text="Kasa 1")
        return row.get_by_role("cell").nth(-2).inner_text()  # unsent: the column before numbering

    def before_upload(page: Any) -> None:
        seen["before"] = unsent_cell(page)

    def after_upload(page: Any) -> None:
        seen["after"] = unsent_cell(page)
        page.goto(f"{web_url}/transactions?store=1&day=")  # every day: the till's clock is fixed
        seen["transactions"] = page.locator("main").inner_text()

    app = await start_till(make_app, till_dir)  # no background upload: it waits for 8 → 4 → 4
    async with app.run_test(size=(80, 24)) as pilot:
        await first_sync(app, pilot)
        await log_in(app, pilot, "1001", "1111")
        await sell_plu(app, pilot, "1")
        await sell_plu(app, pilot, "2")
        assert app.terminal.ledger.pending_summary()[0] == 2
        await menu_sync(app, pilot, "1")  # any contact tells the back office what waits
        await browse(web_url, before_upload)
        await menu_sync(app, pilot, "4")
        assert app.terminal.ledger.pending_summary()[0] == 0
        await browse(web_url, after_upload)
    assert seen["before"].startswith("2") and "najstarsza" in seen["before"]
    assert seen["after"] == "0"
    assert "Anna Kowalska" in seen["transactions"]
