"""The whole store on one machine, through the real back office on 127.0.0.1:
activation with a one-time code, the first sync shown row by row, a sale, and the
sale leaving ☁ once the background upload has delivered it; a price changed in the
back office reaches the till by "3. Synchronizacja produktów".

Nothing is mocked: the back office is the demo's, on uvicorn on a thread of the test
(``DemoBackOffice.start``) over a SQLite file in tmp_path, the terminal its own
database. The demo's back office as its own process: test_demo_processes.py.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from ipos_tui.demo.server import DemoBackOffice
from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine
from ipos_tui.store.db import Terminal, open_terminal
from ipos_tui.sync.activation import activate
from ipos_tui.ui.app import create_app
from ipos_tui.ui.screens.login import LoginScreen
from ipos_tui.ui.screens.sync import SyncScreen

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoBackOffice, str]]:
    root = tmp_path_factory.mktemp("demo-shop")
    backoffice = DemoBackOffice(root)
    server = backoffice.start()
    try:
        yield backoffice, server.url
    finally:
        server.stop()


@pytest.fixture
def till(shop: tuple[DemoBackOffice, str], tmp_path: Path) -> Iterator[Terminal]:
    backoffice, url = shop
    with open_terminal(tmp_path / "terminal") as terminal:
        activate(terminal, url, backoffice.activation_code(1), "Kasa 1")
        yield terminal


async def wait_for(pilot, predicate, tries: int = 300) -> None:  # type: ignore[no-untyped-def]
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not reached")


async def past_first_sync(pilot) -> None:  # type: ignore[no-untyped-def]
    """The first sync stays with its results: Enter goes on to the login."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, SyncScreen) and not app.screen.running)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))


async def test_first_sync_then_sell_and_upload(till: Terminal, tmp_path: Path, clock) -> None:
    app = create_app(till, data_dir=tmp_path / "terminal", cursor_blink=False, upload_interval=30,
                     startup_jobs=("config", "users", "products"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SyncScreen))
        await app.workers.wait_for_complete()
        await past_first_sync(pilot)
        assert till.catalog.product_count() >= 300
        # the demo shop has cash management on: "2. Pomiń" the opening cash
        for key in [*"1001", "enter", *"1111", "enter", "2", "wait:50", *"1", "enter", "plus", "enter"]:
            await pilot.press(key)
        await pilot.pause()
        assert [doc.number for doc in till.ledger.list_documents()] == [1]
        await pilot.press("escape")
        await wait_for(pilot, lambda: till.ledger.pending_summary()[0] == 0)
        (document,) = till.ledger.list_documents()
        assert document.upload_state == "sent"


async def test_price_change_arrives_with_products_sync(shop, till: Terminal, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    backoffice, _url = shop
    app = create_app(till, data_dir=tmp_path / "terminal", cursor_blink=False, upload_interval=None,
                     startup_jobs=("config", "users", "products"))
    async with app.run_test(size=(80, 24)) as pilot:
        await past_first_sync(pilot)
        assert till.catalog.find_by_code("1").price == 349
        # the exact line the demo prints for trainers, run from "another shell"
        command = shlex.split(backoffice.price_command())
        command[0] = str(Path(sys.executable).parent / command[0])
        subprocess.run(command, check=True, capture_output=True, timeout=60)
        for key in [*"1001", "enter", *"1111", "enter", "2", "wait:50", "f2", "8", "4", "3"]:
            await pilot.press(key)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SyncScreen)
        assert till.catalog.find_by_code("1").price == 379


async def test_activation_from_the_first_start_screen(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    backoffice, url = shop
    code = backoffice.activation_code(7)
    with open_terminal(tmp_path / "new-till") as terminal:
        app = create_app(terminal, data_dir=tmp_path / "new-till", cursor_blink=False, upload_interval=None)
        async with app.run_test(size=(80, 24)) as pilot:
            from ipos_tui.ui.screens.connection import ConnectionScreen

            assert isinstance(app.screen, ConnectionScreen)
            await pilot.press("1")
            await pilot.pause()
            app.screen.query_one("#field-server").value = url
            app.screen.query_one("#field-code").value = code
            app.screen.query_one("#field-name").focus()
            await pilot.press(*"Kasa 7", "enter")
            await past_first_sync(pilot)
            assert terminal.catalog.product_count() >= 300
            assert terminal.settings.terminal_info().name == "Kasa 7"


async def test_a_quarantined_sale_is_offered_again_after_a_sync(till: Terminal, tmp_path: Path) -> None:
    app = create_app(till, data_dir=tmp_path / "terminal", cursor_blink=False, upload_interval=3600,
                     startup_jobs=("config", "users", "products"))
    async with app.run_test(size=(80, 24)) as pilot:
        await past_first_sync(pilot)
        # a sale the back office once refused (say, while it was misconfigured)
        product = till.catalog.find_by_code("1")
        receipt = Receipt()
        receipt.add_line(ReceiptLine(plu=product.plu, name=product.name, unit=product.unit,
                                     precision=product.precision, unit_price=product.price, qty=1000,
                                     vat_letter=product.vat_letter, product_id=product.id))
        now = datetime.now().astimezone()
        cashier = till.auth.login("1001", "1111", now)
        stored = till.ledger.commit_receipt(receipt, [Payment("gotowka", "gotówka", receipt.total)],
                                            kind="paragon", buyer=None, cashier=cashier, now=now)
        till.ledger.mark_quarantined(stored.uuid, "total_mismatch")
        for key in [*"1001", "enter", *"1111", "enter", "2", "wait:50", "f2", "8", "4", "1"]:
            await pilot.press(key)
        await wait_for(pilot, lambda: till.ledger.get_document(stored.uuid).upload_state == "sent")
