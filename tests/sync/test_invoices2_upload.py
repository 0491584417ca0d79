"""Invoices for earlier receipts and correcting invoices reach the REAL back office
(uvicorn on 127.0.0.1), which keeps their numbers as columns and lists them
(issue 14 item 3)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import redirect_stdout
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from faultproxy import Shop, serve_app

from ipos_tui.backoffice.api import create_app
from ipos_tui.backoffice.cli import build_parser
from ipos_tui.backoffice.cli.table import command_named
from ipos_tui.backoffice.documents.listing import list_invoices, list_transactions
from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine
from ipos_tui.protocol import InvoiceDocument, ReturnDocument
from ipos_tui.store.db import Terminal, open_terminal
from ipos_tui.domain.records import Buyer, PaymentMethod, User
from ipos_tui.sync.context import SyncContext
from ipos_tui.sync.progress import CancelToken, JobFinished
from ipos_tui.sync.upload import upload_job
from ipos_tui.till import Till
from office_db import OfficeBackend

WARSAW = timezone(timedelta(hours=1))
SOLD_AT = datetime(2026, 11, 26, 10, 30, tzinfo=WARSAW)
BUYER = Buyer("5260250995", "Firma Kupująca sp. z o.o.", "ul. Długa 1, 00-001 Warszawa")
CASH = PaymentMethod("cash", "Gotówka", "cash", allows_change=True)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, office_backend: OfficeBackend) -> Iterator[tuple[Shop, str]]:
    shop = Shop.create(office_backend.url(tmp_path_factory.mktemp("office") / "office.sqlite3"))
    with serve_app(create_app(shop.office)) as base:
        yield shop, base


@pytest.fixture
def terminal(tmp_path: Path, shop: tuple[Shop, str]) -> Iterator[Terminal]:
    office, base = shop
    with open_terminal(tmp_path / "terminal") as opened:
        office.activate(base, opened)
        yield opened


def _sell(terminal: Terminal, cashier: User, kind: str, buyer: Buyer) -> str:
    receipt = Receipt([
        ReceiptLine(plu="100", name="Towar A", unit="szt.", precision=0, unit_price=1230,
                    qty=2000, vat_letter="A"),
        ReceiptLine(plu="101", name="Towar B", unit="szt.", precision=0, unit_price=540,
                    qty=1000, vat_letter="B"),
    ])
    stored = terminal.ledger.commit_receipt(
        receipt, [Payment("cash", "Gotówka", receipt.total, 0)], kind=kind, buyer=buyer,  # type: ignore[arg-type]
        cashier=cashier, now=SOLD_AT)
    return stored.uuid


def _upload(terminal: Terminal) -> list[object]:
    ctx = SyncContext.for_terminal(terminal, sleep=lambda _s: None)
    assert ctx is not None
    events: list[object] = []
    with ctx:
        upload_job(ctx, events.append, CancelToken())
    return events


def test_invoice_for_a_receipt_and_a_correction_are_stored_with_their_numbers(
    terminal: Terminal, shop: tuple[Shop, str]
) -> None:
    office, _ = shop
    cashier = replace(office.cashier, permissions=frozenset({"returns"}))
    k = terminal.settings.terminal_info().terminal_id  # type: ignore[union-attr]
    faktura = terminal.ledger.get_document(_sell(terminal, cashier, "faktura", BUYER))
    nip = terminal.ledger.get_document(_sell(terminal, cashier, "paragon_nip", Buyer("526-025-09-95")))
    reports = Till(terminal).reports
    reports.make_daily_report(cashier, SOLD_AT + timedelta(hours=1))  # the day closed, as a till must
    invoices = Till(terminal).invoices
    for_receipt = invoices.issue_for_receipt(
        invoices.find_receipt(nip.code, SOLD_AT + timedelta(days=3)), "Firma Kupująca sp. z o.o.",
        "ul. Długa 1, 00-001 Warszawa", cashier=cashier, now=SOLD_AT + timedelta(days=3))
    returns = Till(terminal).returns
    correction = returns.commit(returns.find(faktura.code, cashier), {0: 1000}, CASH,
                                cashier=cashier, now=SOLD_AT + timedelta(days=4))
    reports.make_daily_report(cashier, SOLD_AT + timedelta(days=4, hours=1))
    plain_return = returns.commit(returns.find(nip.code, cashier), {1: 1000}, CASH,
                                  cashier=cashier, now=SOLD_AT + timedelta(days=5))
    assert _upload(terminal)[-1] == JobFinished("transactions", True)
    assert terminal.ledger.pending_summary() == (0, None)

    rows = {row.uuid: row for row in office.stored(
        [faktura.uuid, for_receipt.uuid, correction.uuid, plain_return.uuid])}
    assert rows[faktura.uuid].invoice_number == f"FV/K{k}/11/2026/0001"
    invoice_row = rows[for_receipt.uuid]
    assert (invoice_row.doc_type, invoice_row.invoice_number, invoice_row.original_terminal,
            invoice_row.original_number, invoice_row.buyer_nip, invoice_row.total) == (
        "invoice", f"FV/K{k}/11/2026/0002", nip.terminal_id, nip.number, "5260250995", nip.total)
    assert InvoiceDocument.model_validate_json(invoice_row.payload).buyer.name == BUYER.name
    correction_row = rows[correction.uuid]
    assert (correction_row.correction_number, correction_row.corrected_invoice,
            correction_row.buyer_nip) == (f"FK/K{k}/11/2026/0001", f"FV/K{k}/11/2026/0001", "5260250995")
    # the return of the NIP receipt that got its invoice later also corrects that invoice
    assert (rows[plain_return.uuid].correction_number, rows[plain_return.uuid].corrected_invoice) == (
        f"FK/K{k}/12/2026/0001",
        f"FV/K{k}/11/2026/0002")
    assert ReturnDocument.model_validate_json(correction_row.payload).correction_number == f"FK/K{k}/11/2026/0001"

    # the back office's sales count the receipts once: the invoice is no sale
    listed = list_invoices(office.office, terminal_id=k)
    assert [(row["number"], row["invoice"], row["total"]) for row in listed] == [
        (rows[plain_return.uuid].correction_number, "correction", -plain_return.total),
        (f"FK/K{k}/11/2026/0001", "correction", -correction.total),
        (f"FV/K{k}/11/2026/0002", "receipt", nip.total),
        (f"FV/K{k}/11/2026/0001", "sale", faktura.total),
    ]
    assert listed[2]["receipt_number"] == nip.number and listed[0]["corrects"] == f"FV/K{k}/11/2026/0002"
    day_sales = [r for r in list_transactions(office.office, terminal_id=k, day=date(2026, 11, 26))
                 if r["type"] in ("receipt", "sale_invoice")]
    assert sorted(r["type"] for r in day_sales) == ["receipt", "sale_invoice"]
    assert list_transactions(office.office, terminal_id=k, doc_type="invoice")[0]["invoice_number"] == f"FV/K{k}/11/2026/0002"


def test_invoice_list_on_the_command_line(terminal: Terminal, shop: tuple[Shop, str]) -> None:
    office, _ = shop
    cashier = office.cashier
    nip = terminal.ledger.get_document(_sell(terminal, cashier, "paragon_nip", Buyer("5260250995")))
    invoices = Till(terminal).invoices
    issued = invoices.issue_for_receipt(invoices.find_receipt(nip.code, SOLD_AT), "Firma X",
                                        "ul. Krótka 2", cashier=cashier, now=SOLD_AT)
    assert _upload(terminal)[-1] == JobFinished("transactions", True)
    out = io.StringIO()
    with redirect_stdout(out):
        rows = command_named("invoice", "list")(office.office, _args(nip="5260250995", json=True))
    assert any(row["number"] == issued.invoice_number for row in json.loads(out.getvalue()))
    out = io.StringIO()
    with redirect_stdout(out):  # later days: none (every document here is of November or 1.12)
        command_named("invoice", "list")(office.office, _args(start=date(2026, 12, 2), json=True))
    assert json.loads(out.getvalue()) == []
    # as typed: ipos-backoffice invoice list --from … --to … (the parser's own wiring;
    # main() would rebind the models to a second connection under the running server)
    args = build_parser().parse_args(["invoice", "list", "--from", "2026-11-26", "--to", "2026-11-26"])
    assert (args.handler, args.start, args.end) == (command_named("invoice", "list"), date(2026, 11, 26), date(2026, 11, 26))
    args.json = False
    out = io.StringIO()
    with redirect_stdout(out):
        args.handler(office.office, args)
    lines = out.getvalue().splitlines()
    assert lines[0].split() [:3] == ["Numer", "Rodzaj", "Dzień"]
    mine = next(line for line in lines if issued.invoice_number in line)
    assert "faktura do paragonu" in mine and nip.code in mine
    assert rows


def _args(**values: object) -> object:
    import argparse

    defaults = dict(store=None, terminal=None, start=None, end=None, nip=None, limit=100, json=False)
    defaults.update(values)
    return argparse.Namespace(**defaults)


def test_another_till_returning_an_invoiced_receipt_makes_a_correction(
    terminal: Terminal, shop: tuple[Shop, str], tmp_path: Path
) -> None:
    from ipos_tui.sync.receipts import receipt_lookup

    office, base = shop
    cashier = replace(office.cashier, permissions=frozenset({"returns"}))
    nip = terminal.ledger.get_document(_sell(terminal, cashier, "paragon_nip", Buyer("5260250995")))
    invoices = Till(terminal).invoices
    issued = invoices.issue_for_receipt(invoices.find_receipt(nip.code, SOLD_AT), "Firma X",
                                        "ul. Krótka 2", cashier=cashier, now=SOLD_AT + timedelta(hours=1))
    assert _upload(terminal)[-1] == JobFinished("transactions", True)
    with open_terminal(tmp_path / "second") as other:
        office.activate(base, other)
        ctx = SyncContext.for_terminal(other, sleep=lambda _s: None)
        assert ctx is not None
        with ctx:
            service = Till(other).returns.with_lookup(receipt_lookup(ctx.client))
            source = service.find(nip.code, cashier)
            assert source.remote and source.invoice is not None
            assert source.invoice.number == issued.invoice_number
            back = service.commit(source, {0: 1000}, CASH, cashier=cashier, now=SOLD_AT + timedelta(hours=2))
        other_id = other.settings.terminal_info().terminal_id  # type: ignore[union-attr]
        assert back.invoice_number == f"FK/K{other_id}/11/2026/0001"
        detail = other.ledger.get_document(back.uuid)
        assert detail.extra["correction"]["invoice_number"] == issued.invoice_number
        assert detail.buyer == Buyer("5260250995", "Firma X", "ul. Krótka 2")
        printed = service.print_correction(back.uuid, SOLD_AT + timedelta(hours=2))
        assert printed is not None
        assert any(line.startswith("Do faktury:") and line.endswith(f" {issued.invoice_number}")
                   for line in printed.text.splitlines())
