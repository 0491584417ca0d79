"""The demo shop as a trainer runs it: tills as real ``ipos-tui demo`` processes on
pseudo-terminals, the back office as its own background process (real uvicorn on
127.0.0.1), a second till in this process when a test needs to press its keys.

What was tried: till 1 killed (kill -9) and quit with Ctrl+Q while till 2 runs or
not; the back office stopped and started again; its recorded port taken by another
program that even answers ``/health``; three tills starting at the same moment;
``--reset`` with a till still running. The idle timeout is one second here (the
demo's default is 30 s), so each test takes seconds.
"""

from __future__ import annotations

import http.server
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from ipos_tui.backoffice import documents
from ipos_tui.demo.server import DemoBackOffice
from ipos_tui.demo.shop import open_demo_till, reset_demo
from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine
from ipos_tui.store.db import Terminal
from ipos_tui.sync.context import SyncContext, connection_of
from ipos_tui.sync.upload import upload_due
from ipos_tui.ui.app import create_app
from ipos_tui.ui.screens.login import LoginScreen
from ipos_tui.ui.screens.sync import SyncScreen

sys.path.insert(0, str(Path(__file__).parent))
from demo_support import TillProcess, pid_alive, wait_until  # noqa: E402

pytestmark = pytest.mark.timeout(120)

IDLE = 1.0


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[DemoBackOffice]:
    """A demo data dir; whatever back office process a test leaves is stopped."""
    backoffice = DemoBackOffice(tmp_path / "demo")
    yield backoffice
    backoffice.stop_server(timeout=5)


@pytest.fixture
def tills() -> Iterator[list[TillProcess]]:
    started: list[TillProcess] = []
    yield started
    for till in started:
        till.close()


def start_till(tills: list[TillProcess], shop: DemoBackOffice, number: int = 1) -> TillProcess:
    till = TillProcess(shop.root, number, idle_timeout=IDLE)
    tills.append(till)
    # a new till's first sync stays until Enter; a till that has its catalogue pulls
    # in the background and opens on the login
    shown = till.wait_for_any("Enter – przejdź do logowania", "Logowanie do kasoterminala")
    if shown.startswith("Enter"):
        till.press(b"\r")
        till.wait_for("Logowanie do kasoterminala")
    return till


async def wait_for(pilot, predicate, tries: int = 400) -> None:  # type: ignore[no-untyped-def]
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not reached")


def first_sync(terminal: Terminal) -> None:
    """What a till's startup screen does: configuration, users, products."""
    from ipos_tui.sync.progress import CancelToken, null_observer
    from ipos_tui.sync.pull import ALL_JOBS

    with SyncContext.for_terminal(terminal) as context:
        for job in ("config", "users", "products"):
            assert ALL_JOBS[job](context, null_observer, CancelToken())


def sell_one(terminal: Terminal) -> str:
    """A finished receipt of PLU 1, straight into the ledger; its uuid."""
    product = terminal.catalog.find_by_code("1")
    receipt = Receipt()
    receipt.add_line(ReceiptLine(plu=product.plu, name=product.name, unit=product.unit,
                                 precision=product.precision, unit_price=product.price, qty=1000,
                                 vat_letter=product.vat_letter, product_id=product.id))
    now = datetime.now().astimezone()
    cashier = terminal.auth.login("1001", "1111", now)
    stored = terminal.ledger.commit_receipt(receipt, [Payment("gotowka", "gotówka", receipt.total)],
                                            kind="paragon", buyer=None, cashier=cashier, now=now)
    return stored.uuid


def documents_of(shop: DemoBackOffice, name: str) -> list[int]:
    """Numbers of the documents the back office holds from till ``name``."""
    office = shop.office()
    (terminal_id,) = [row["id"] for row in office.list_terminals() if row["name"] == name]
    return [row["number"] for row in documents.list_transactions(office, terminal_id=terminal_id)]


async def test_till_2_keeps_the_back_office_when_till_1_dies_and_syncs_a_sale(
        shop: DemoBackOffice, tills: list[TillProcess], tmp_path: Path) -> None:
    till_1 = start_till(tills, shop)
    url = shop.recorded_url()
    server = shop.server_pid()
    assert url is not None and server is not None
    # the startup text: the address, and the exact line that changes a price
    assert f"Zaplecze demo: {url}\n" in till_1.text
    command = f"ipos-backoffice --db sqlite:///{shop.db_path.resolve()} price set --plu 1 --price 3,79 --list 1"
    assert f"\n  {command}\n" in till_1.text
    argv = shlex.split(command)
    argv[0] = str(Path(sys.executable).parent / argv[0])
    subprocess.run(argv, check=True, capture_output=True, timeout=60)

    with open_demo_till(shop, 2, shop.root / "terminal-2", idle_timeout=IDLE) as till_2:
        assert till_2.url == url
        till_1.process.send_signal(signal.SIGKILL)  # harsher than Ctrl+Q: no goodbye at all
        till_1.wait()
        assert shop.running_tills() == ["terminal-2"]
        app = create_app(till_2.terminal, data_dir=shop.root / "terminal-2", cursor_blink=False,
                         upload_interval=None, startup_jobs=("config", "users", "products"))
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, SyncScreen) and not app.screen.running)
            await pilot.press("enter")  # the first sync stays with its results until Enter
            await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
            assert till_2.terminal.catalog.find_by_code("1").price == 379  # the trainer's price
            for key in [*"1001", "enter", *"1111", "enter", "2", "wait:50", *"1", "enter",
                        "plus", "enter", "escape"]:
                await pilot.press(key)
            await pilot.pause(3 * IDLE)  # longer than the idle timeout: till 2 keeps it alive
            assert shop.server_pid() == server and shop.running_url() == url
            assert till_2.terminal.ledger.pending_summary()[0] == 1
            for key in ["f2", "8", "4", "4"]:  # Synchronizacja → Wyślij zaległe transakcje
                await pilot.press(key)
            await wait_for(pilot, lambda: till_2.terminal.ledger.pending_summary()[0] == 0)
            assert isinstance(app.screen, SyncScreen)
    assert documents_of(shop, "Kasa 2") == [1]


def test_with_no_till_left_the_back_office_stops_and_comes_back_on_its_port(
        shop: DemoBackOffice, tills: list[TillProcess]) -> None:
    till = start_till(tills, shop)
    url, server = shop.recorded_url(), shop.server_pid()
    assert server is not None
    till.press(b"\x11")  # Ctrl+Q
    assert till.wait() == 0
    assert f"Zaplecze demo: {url}\n" in till.text.split("Dane sklepu demonstracyjnego")[-1]
    assert "zatrzyma się samo po 1 s" in till.text
    wait_until(lambda: not pid_alive(server), message="the back office stopping by itself")
    assert shop.server_pid() is None and shop.running_url() is None
    assert "no till of the demo for 1 s: stopping" in shop.log_file.read_text("utf-8")

    again = start_till(tills, shop)
    assert shop.recorded_url() == url and shop.running_url() == url
    assert shop.server_pid() not in (None, server)
    assert "zajął inny program" not in again.text


class _Impostor(http.server.BaseHTTPRequestHandler):
    """Another program on the demo's port, answering 200 to everything."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_args: object) -> None:
        pass


def test_a_taken_port_is_said_and_the_demo_moves_with_its_running_till(
        shop: DemoBackOffice, tills: list[TillProcess]) -> None:
    old_url = shop.ensure_running(idle_timeout=IDLE)
    old_port = shop.recorded_port()
    with open_demo_till(shop, 2, shop.root / "terminal-2", idle_timeout=IDLE,
                        watch_interval=0.1) as till_2:
        terminal = till_2.terminal
        first_sync(terminal)
        assert connection_of(terminal).server_url == old_url
        assert shop.stop_server()  # the back office is gone (say, killed) …
        impostor = http.server.HTTPServer(("127.0.0.1", old_port), _Impostor)  # … and its port taken
        threading.Thread(target=impostor.serve_forever, daemon=True).start()
        try:
            uuid = sell_one(terminal)  # sold meanwhile
            till_1 = start_till(tills, shop)
            new_url = shop.recorded_url()
            assert new_url not in (None, old_url)
            assert (f"Port {old_port} zaplecza demo zajął inny program: zaplecze demo przenosi się "
                    f"na {new_url}") in till_1.text
            assert f"Zaplecze demo: {new_url}\n" in till_1.text
            assert shop.running_url() == new_url
            # the running till follows the record by itself
            wait_until(lambda: connection_of(terminal).server_url == new_url, message="till 2 following")
            wait_until(lambda: terminal.ledger.get_document(uuid).upload_state == "sent",
                       message="till 2's sale arriving")
        finally:
            impostor.shutdown()
            impostor.server_close()
    assert documents_of(shop, "Kasa 2") == [1]


def test_a_till_sends_its_waiting_sales_as_soon_as_the_back_office_is_back(
        shop: DemoBackOffice) -> None:
    url = shop.ensure_running(idle_timeout=IDLE)
    with open_demo_till(shop, 2, shop.root / "terminal-2", idle_timeout=IDLE,
                        watch_interval=0.1) as till_2:
        terminal = till_2.terminal
        first_sync(terminal)
        assert shop.stop_server()
        uuid = sell_one(terminal)
        with SyncContext.for_terminal(terminal, max_attempts=1) as context:
            outcome = upload_due(context)  # the background upload meets a dead back office
        assert outcome.next_try_at is not None
        assert outcome.next_try_at > datetime.now().astimezone() + timedelta(seconds=10)
        assert terminal.ledger.get_document(uuid).upload_state == "pending"

        assert shop.ensure_running(idle_timeout=IDLE) == url  # another till starts it again
        wait_until(lambda: terminal.ledger.get_document(uuid).upload_state == "sent",
                   message="the waiting sale sent")
    assert documents_of(shop, "Kasa 2") == [1]


def test_tills_starting_together_share_one_back_office(shop: DemoBackOffice) -> None:
    code = ("import sys; from pathlib import Path; from ipos_tui.demo.server import DemoBackOffice; "
            "print(DemoBackOffice(Path(sys.argv[1])).ensure_running(idle_timeout=2))")
    starters = [subprocess.Popen([sys.executable, "-c", code, str(shop.root)],
                                 stdout=subprocess.PIPE, text=True) for _ in range(3)]
    urls = {starter.communicate(timeout=60)[0].strip() for starter in starters}
    assert urls == {shop.recorded_url()}
    assert shop.log_file.read_text("utf-8").count("demo back office of") == 1


def test_reset_refuses_while_a_till_runs_then_stops_the_back_office(
        shop: DemoBackOffice, capsys: pytest.CaptureFixture[str]) -> None:
    from ipos_tui.cli import tui_main

    shop.ensure_running(idle_timeout=60)
    with open_demo_till(shop, 2, shop.root / "terminal-2", idle_timeout=60):
        assert tui_main(["demo", "--reset", "--data-dir", str(shop.root), "--lang", "pl"]) == 2
        assert "Nie można odtworzyć sklepu demo: działa jego kasa nr 2" in capsys.readouterr().err
        assert shop.db_path.exists() and shop.running_url() is not None
    server, url = shop.server_pid(), shop.recorded_url()
    assert server is not None  # 60 s idle timeout: it would still run
    assert reset_demo(shop.root) == 0
    assert [path.name for path in shop.root.iterdir()] == ["backoffice.url"]
    assert shop.recorded_url() == url  # a new shop on the same port
    wait_until(lambda: not pid_alive(server), timeout=5, message="the back office ended")
