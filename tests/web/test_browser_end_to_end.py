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
from ipos_tui.sync.activation import activate
from ipos_tui.terminal.db import open_terminal
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
            assert "Sklep Centrum: 1 z 1 kasoterminali" in note

        await browse(web_url, change_price)
        assert await sell_plu(app, pilot, "1") == 349  # not fetched yet: the old price
        await menu_sync(app, pilot, "3")
        assert await sell_plu(app, pilot, "1") == 419
    assert office.delivery(["products"], [1])[0].behind == 0  # the page's line is gone
