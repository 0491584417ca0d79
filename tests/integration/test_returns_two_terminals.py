"""Returns across two tills of a store, through the real back office on 127.0.0.1.

Sold on till 1 and uploaded; till 2 finds the receipt by its code in the back
office, returns part of it and uploads the return; the back office's lookup then
counts it, so a second return over the rest is refused on either till. The lookup's
404 (unknown receipt), 403 (another store's till) and an unreachable server reach
the cashier as their own messages. Nothing is mocked.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from office_db import OfficeBackend

from ipos_tui.backoffice import documents
from ipos_tui.backoffice.db import open_database
from ipos_tui.demo.backoffice import seed_demo
from ipos_tui.backoffice.embedded import EmbeddedServer
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.receipt_code import ReceiptCode
from ipos_tui.domain.receipt import Discount, Payment, Receipt, ReceiptLine
from ipos_tui.sync.activation import activate
from ipos_tui.sync.client import SyncClient
from ipos_tui.sync.context import SyncContext
from ipos_tui.sync.progress import CancelToken
from ipos_tui.sync.pull import pull_stream
from ipos_tui.sync.receipts import receipt_lookup
from ipos_tui.sync.upload import upload_job
from ipos_tui.store.db import Terminal, open_terminal
from ipos_tui.domain.records import PERM_RETURNS, Buyer, PaymentMethod, User
from ipos_tui.till.returns import ReturnService
from ipos_tui.till import Till

pytestmark = pytest.mark.timeout(120)

NOW = datetime(2026, 11, 26, 11, 4, tzinfo=UTC)
MANAGER = User(1, "1001", "Anna Kowalska", "kierownik", frozenset({PERM_RETURNS}))
CASH = PaymentMethod("gotowka", "gotówka", "cash", True, 1)


@dataclass
class Shop:
    office: BackOffice
    url: str
    stores: list[int]
    db_url: str


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, office_backend: OfficeBackend) -> Iterator[Shop]:
    path = tmp_path_factory.mktemp("returns-office") / "office.sqlite3"
    db_url = office_backend.url(path)
    office = BackOffice(open_database(db_url), b"returns-test-pepper")
    office.init_schema()
    seed_demo(office)
    with EmbeddedServer(office) as url:
        yield Shop(office, url, [int(store["id"]) for store in office.list_stores()], db_url)


def till(shop: Shop, directory: Path, store_id: int, name: str) -> Terminal:
    """A till activated for ``store_id`` with its catalogue pulled."""
    _, code = shop.office.add_terminal(store_id, name)
    terminal = open_terminal(directory)
    activate(terminal, shop.url, code, name, sleep=lambda _s: None)
    context = SyncContext.for_terminal(terminal, sleep=lambda _s: None)
    assert context is not None
    with context:
        for stream in ("config", "users", "products"):
            assert pull_stream(context, stream, lambda _e: None, CancelToken()).ok
    return terminal


def upload_all(terminal: Terminal) -> None:
    context = SyncContext.for_terminal(terminal, sleep=lambda _s: None)
    assert context is not None
    with context:
        assert upload_job(context, lambda _e: None, CancelToken())


def service_of(terminal: Terminal, client: SyncClient) -> ReturnService:
    units = {unit.name: unit.precision for unit in terminal.catalog.units()}
    return Till(terminal).returns.with_lookup(receipt_lookup(client, units.get))


def client_of(terminal: Terminal) -> SyncClient:
    context = SyncContext.for_terminal(terminal, sleep=lambda _s: None, max_attempts=1)
    assert context is not None
    return context.client


def sell(terminal: Terminal) -> str:
    """3 × Jogurt grecki with 10 % off and 0,350 kg of Gouda, paid in cash; its code."""
    lines = []
    for plu, qty in (("9", 3000), ("20", 350)):
        product = terminal.catalog.find_by_code(plu)
        assert product is not None
        lines.append(ReceiptLine(product.plu, product.name, product.unit, product.precision,
                                 product.price, qty, product.vat_letter, product.id,
                                 discount=Discount("percent", 1000) if plu == "9" else None))
    receipt = Receipt(lines)
    stored = terminal.ledger.commit_receipt(
        receipt, [Payment("gotowka", "gotówka", receipt.total)], cashier=MANAGER, now=NOW)
    return stored.code


def test_a_return_on_another_till_counts_for_every_till(shop: Shop, tmp_path: Path) -> None:
    first = till(shop, tmp_path / "t1", shop.stores[0], "Kasa A")
    second = till(shop, tmp_path / "t2", shop.stores[0], "Kasa B")
    with first, second, client_of(first) as client1, client_of(second) as client2:
        code = sell(first)
        on_second = service_of(second, client2)
        with pytest.raises(DomainError) as caught:  # not uploaded yet: the office has no such receipt
            on_second.find(code, MANAGER)
        assert caught.value.key == "ret.err.not_found"
        upload_all(first)

        source = on_second.find(code, MANAGER)
        assert source.remote and [line.returnable for line in source.lines] == [3000, 350]
        assert source.lines[1].line.precision == 3  # kg known from the till's units
        stored = on_second.commit(source, {0: 2000, 1: 100}, CASH, cashier=MANAGER, now=NOW)
        upload_all(second)

        stored_return = second.ledger.get_document(stored.uuid)
        assert stored_return.upload_state == "sent"
        listed = documents.list_transactions(shop.office, doc_type="return")
        assert [(row["number"], row["original_terminal_id"], row["original_number"]) for row in listed] == [
            (stored.number, source.code.terminal_id, source.code.number)]

        # both tills now see what the back office counts; nobody gets more than the rest
        on_first = service_of(first, client1)
        for service in (on_first, on_second):
            assert [line.returned for line in service.find(code, MANAGER).lines] == [2000, 100]
            with pytest.raises(DomainError) as caught:
                again = service.find(code, MANAGER)
                service.commit(again, {0: 2000}, CASH, cashier=MANAGER, now=NOW)
            assert caught.value.key == "ret.err.qty_too_much"
        rest = on_first.commit(on_first.find(code, MANAGER), {0: 1000, 1: 250}, CASH,
                               cashier=MANAGER, now=NOW)
        upload_all(first)
        assert on_second.find(code, MANAGER).fully_returned

        original = first.ledger.find_by_number(source.code.number)
        assert original is not None
        refunded = stored_return.total + first.ledger.get_document(rest.uuid).total
        assert refunded == original.total  # all of it back, not a grosz more
        # the lookup says what went back per method, over both tills
        answer = client2.lookup_receipt(source.code.terminal_id, source.code.number)
        assert answer.refunded == {"gotowka": refunded}
        answer = client1.lookup_receipt(source.code.terminal_id, source.code.number)
        assert answer.returned == {0: 3000, 1: 350}
        listed = backoffice_cli(shop, "transactions", "list", "--type", "return")
        assert [line.split()[1] for line in listed[1:]] == ["return", "return"]
        assert all(line.split()[-1] == source.code.text for line in listed[1:]), listed


def backoffice_cli(shop: Shop, *argv: str) -> list[str]:
    """``ipos-backoffice --db … ARGV`` in its own process (its own database binding)."""
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from ipos_tui.backoffice.cli import main; sys.exit(main(sys.argv[1:]))",
         "--db", shop.db_url, *argv],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "IPOS_BACKOFFICE_SECRET": "returns-test-secret"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_lookup_failures_reach_the_cashier(shop: Shop, tmp_path: Path) -> None:
    first = till(shop, tmp_path / "t1", shop.stores[0], "Kasa C")
    elsewhere = till(shop, tmp_path / "t3", shop.stores[1], "Kasa D")
    with first, elsewhere, client_of(elsewhere) as client:
        code = sell(first)
        upload_all(first)
        service = service_of(elsewhere, client)
        # another store's receipt reads exactly as a missing one (no counting of them)
        for text, key in ((code, "ret.err.not_found"), ("K9999-000001", "ret.err.not_found")):
            with pytest.raises(DomainError) as caught:
                service.find(text, MANAGER)
            assert caught.value.key == key, text
    with SyncClient("http://127.0.0.1:9", "token", app_version="test", max_attempts=1) as closed:
        lookup = receipt_lookup(closed)
        with pytest.raises(DomainError) as caught:
            lookup(ReceiptCode(1, 1))
        assert caught.value.key == "ret.err.offline"


async def test_the_return_screen_finds_another_tills_receipt(shop: Shop, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    """The cashier's side: F7 on till F, the code of till E's receipt, the lines come
    from the back office, the whole receipt goes back in cash and is uploaded."""
    from ipos_tui.ui.app import create_app
    from ipos_tui.ui.dialogs import TextViewDialog
    from ipos_tui.ui.screens.returns import ReturnScreen

    seller = till(shop, tmp_path / "te", shop.stores[0], "Kasa E")
    with seller:
        code = sell(seller)
        upload_all(seller)
    returner = till(shop, tmp_path / "tf", shop.stores[0], "Kasa F")
    app = create_app(returner, data_dir=tmp_path / "tf", clock=clock, cursor_blink=False, upload_interval=30)
    with returner:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(*"1001", "enter", *"1111", "enter", "f7", *code, "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ReturnScreen) and screen.source is not None
            assert screen.source.remote and "(z zaplecza)" in str(screen.box.border_title)
            await pilot.press("asterisk", "down", "asterisk", "plus", "1")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, TextViewDialog) and code in str(app.screen.text)
            await pilot.press("escape")
            for _ in range(200):  # the background upload takes it like a sale
                if returner.ledger.pending_summary()[0] == 0:
                    break
                await pilot.pause(0.05)
        stored = returner.ledger.find_by_number(1, "return")
        assert stored is not None and stored.upload_state == "sent"
        assert [line.qty for line in stored.lines] == [3000, 350]
        with client_of(returner) as client:
            terminal_id, number = code[1:].split("-")
            assert client.lookup_receipt(int(terminal_id), int(number)).returned == {0: 3000, 1: 350}


def test_a_faktura_has_its_own_number_and_is_returned_on_another_till(shop: Shop, tmp_path: Path) -> None:
    """Issue 14: a Faktura never takes a receipt number. Till G sells a receipt and a
    Faktura, both number 1 of their own series; till H returns a line of the Faktura by
    its code "K<G>-F000001" through the real back office, which keeps the two apart
    (returns, lookups) and reports VAT at the rates the tills sold at, even after the
    owner changed a rate."""
    store = shop.stores[1]  # nothing else is sold there
    seller = till(shop, tmp_path / "tg", store, "Kasa G")
    other = till(shop, tmp_path / "th", store, "Kasa H")
    with seller, other, client_of(other) as client:
        receipt_code = sell(seller)
        product = seller.catalog.find_by_code("9")
        assert product is not None
        faktura = Receipt([ReceiptLine(product.plu, product.name, product.unit, product.precision,
                                       product.price, 2000, product.vat_letter, product.id)])
        stored = seller.ledger.commit_receipt(
            faktura, [Payment("gotowka", "gotówka", faktura.total)], kind="faktura",
            buyer=Buyer("5260250995", "Firma Kupująca sp. z o.o.", "ul. Długa 1, 00-001 Warszawa"),
            cashier=MANAGER, now=NOW)
        assert (stored.doc_type, stored.number) == ("sale_invoice", 1)
        assert receipt_code.endswith("-000001") and stored.code == f"K{stored.terminal_id}-F000001"
        upload_all(seller)

        service = service_of(other, client)
        source = service.find(stored.code, MANAGER)
        assert source.remote and source.invoice is not None
        assert [line.line.qty for line in source.lines] == [2000]
        back = service.commit(source, {0: 1000}, CASH, cashier=MANAGER, now=NOW)
        assert back.invoice_number is not None and back.invoice_number.startswith("FK/")
        upload_all(other)

        # the return counts against the Faktura only, never against receipt no. 1
        assert client.lookup_receipt(stored.terminal_id, 1, "sale_invoice").returned == {0: 1000}
        assert client.lookup_receipt(stored.terminal_id, 1).returned == {}
        assert service.find(receipt_code, MANAGER).lines[0].returned == 0
        listed = [row for row in documents.list_transactions(shop.office, store_id=store)
                  if row["type"] == "return"]
        assert [(row["original_terminal_id"], row["original_number"]) for row in listed] == [
            (stored.terminal_id, 1)]

        # VAT at the rates the tills sold at, not at the table changed since
        letter = product.vat_letter
        sold_rate = seller.ledger.get_document(stored.uuid).extra["vat_rates"][letter]
        expected = {}
        for doc in (seller.ledger.find_by_number(1), seller.ledger.get_document(stored.uuid)):
            assert doc is not None
            for key, total in doc.vat.items():
                expected[key] = expected.get(key, 0) + total.gross
        old = {row["letter"]: row["rate_bp"] for row in shop.office.list_vat_rates()}
        try:
            shop.office.set_vat_rate(letter, 0 if sold_rate else 2300)
            report = documents.sales_report(shop.office, NOW.date(), store_id=store)
        finally:
            shop.office.set_vat_rate(letter, old[letter])
        assert (report["receipts"], report["invoices"], report["returns"]) == (2, 1, 1)
        sold = report["vat_sales"][letter]
        from ipos_tui.domain.vat import vat_from_gross

        assert sold["gross"] == expected[letter]
        assert sold["vat"] != vat_from_gross(expected[letter], 0 if sold_rate else 2300)
        assert sold["vat"] == (
            seller.ledger.find_by_number(1).vat[letter].vat  # type: ignore[union-attr]
            + seller.ledger.get_document(stored.uuid).vat[letter].vat)
