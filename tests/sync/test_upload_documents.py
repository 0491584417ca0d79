"""Every receipt shape the terminal can make is ACCEPTED by the real back office.

Receipts are committed through the terminal's ledger (as the payment screen does),
mapped by ``ipos_tui.sync.documents`` and pushed by the upload job to a real uvicorn
back office on 127.0.0.1, which re-checks lines, totals, VAT per letter and tenders.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from faultproxy import Shop, serve_app
from hypothesis import given, settings
from hypothesis import strategies as st

from ipos_tui.backoffice.api import create_app
from ipos_tui.backoffice.documents.checks import parse_document
from ipos_tui.domain.money import round_half_up
from ipos_tui.domain.receipt import Discount, Payment, Receipt, ReceiptLine
from ipos_tui.protocol import ReceiptDocument, SaleInvoiceDocument
from ipos_tui.sync.context import SyncContext
from ipos_tui.sync.documents import UnsupportedDocument, document_payload, receipt_document
from ipos_tui.sync.progress import CancelToken, ItemDone, ItemFailed, JobFinished
from ipos_tui.sync.upload import upload_job
from ipos_tui.store.db import Terminal, open_terminal
from ipos_tui.domain.records import ANONYMOUS_USER, Buyer, TerminalInfo, User
from office_db import OfficeBackend

WARSAW = timezone(timedelta(hours=1))
SOLD_AT = datetime(2026, 11, 26, 23, 30, tzinfo=WARSAW)


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


def line(name: str, price: int, qty: int = 1000, vat: str = "A", *, plu: str = "",
         product_id: int | None = None, unit: str = "szt.", precision: int = 0,
         discount: Discount | None = None) -> ReceiptLine:
    return ReceiptLine(plu=plu, name=name, unit=unit, precision=precision, unit_price=price,
                       qty=qty, vat_letter=vat, product_id=product_id, discount=discount)


def shapes(shop: Shop) -> dict[str, dict[str, Any]]:
    """Receipt shapes: lines, receipt discount, tenders, kind, buyer, cashier."""
    p = shop.products
    cash = ("cash", "Gotówka")
    return {
        "plain_cash_with_change": dict(
            lines=[line("Towar A", 100, 3000, "A", plu="100", product_id=p["A"])],
            pay=[(*cash, 500)]),
        "every_vat_letter": dict(
            lines=[line(f"Towar {v}", 101 + i, 1000, v, plu=f"10{i}", product_id=p[v])
                   for i, v in enumerate("ABCDE")],
            pay=[(*cash, 515)]),
        "kg_line_rounded_half_up": dict(
            lines=[line("Ser żółty", 3999, 1235, "B", plu="200", product_id=p["kg"],
                        unit="kg", precision=3),
                   line("Ser żółty", 3999, 5, "B", plu="200", product_id=p["kg"],
                        unit="kg", precision=3)],
            pay=[("card", "Karta", None)]),
        "line_discounts_percent_and_amount": dict(
            lines=[line("Towar A", 999, 3000, "A", discount=Discount("percent", 1250)),
                   line("Towar B", 1999, 1000, "B", discount=Discount("amount", 350)),
                   line("Towar C", 500, 1000, "C", discount=Discount("percent", 10000))],
            pay=[(*cash, None)]),
        "receipt_discount_split_over_lines": dict(
            lines=[line("Towar A", 333, 1000, "A"), line("Towar B", 667, 2000, "B"),
                   line("Ser", 2999, 777, "D", unit="kg", precision=3,
                        discount=Discount("amount", 100))],
            receipt_discount=Discount("percent", 1700),
            pay=[(*cash, None)]),
        "receipt_amount_discount": dict(
            lines=[line("Towar A", 1001, 1000, "A"), line("Towar E", 1001, 1000, "E")],
            receipt_discount=Discount("amount", 3),
            pay=[(*cash, None)]),
        "split_tender_card_voucher_cash_change": dict(
            lines=[line("Towar A", 12345, 1000, "A"), line("Towar B", 678, 4000, "B")],
            pay=[("card", "Karta", 5000), ("voucher", "Bon", 2000), (*cash, 10000)]),
        "faktura_with_buyer": dict(
            lines=[line("Usługa", 24600, 1000, "A")], pay=[("card", "Karta", None)],
            kind="faktura", buyer=Buyer("526-025-09-95", "Firma Kupująca sp. z o.o.",
                                        "ul. Długa 1, 00-001 Warszawa")),
        "paragon_z_nip": dict(
            lines=[line("Towar B", 250, 2000, "B")], pay=[(*cash, 1000)],
            kind="paragon_nip", buyer=Buyer("5260250995")),
        "anonymous_cashier_manual_item": dict(
            lines=[line("Dowolny towar", 1, 1000, "D")], pay=[(*cash, 100)],
            cashier=ANONYMOUS_USER),
        "long_polish_names": dict(
            lines=[line(("Zażółć gęślą jaźń " * 5)[:80], 1234, 2000, "A")],
            pay=[(*cash, None)]),
    }


def sell(terminal: Terminal, shape: dict[str, Any], cashier: User) -> str:
    """Commit ``shape`` through the ledger as the payment screen does; its uuid."""
    receipt = Receipt(shape["lines"], shape.get("receipt_discount"))
    payments: list[Payment] = []
    remaining = receipt.total
    for method, name, amount in shape["pay"]:
        handed = remaining if amount is None else amount
        change = max(0, handed - remaining) if method == "cash" else 0
        payments.append(Payment(method, name, handed, change))
        remaining -= handed - change
    stored = terminal.ledger.commit_receipt(
        receipt, payments, kind=shape.get("kind", "paragon"), buyer=shape.get("buyer"),
        cashier=shape.get("cashier", cashier), now=SOLD_AT)
    return stored.uuid


def test_every_receipt_shape_is_accepted_and_stored_as_printed(
    terminal: Terminal, shop: tuple[Shop, str]
) -> None:
    office, _ = shop
    named = shapes(office)
    uuids = {name: sell(terminal, shape, office.cashier) for name, shape in named.items()}
    ctx = SyncContext.for_terminal(terminal, sleep=lambda _s: None)
    assert ctx is not None
    events: list[object] = []
    with ctx:
        assert upload_job(ctx, events.append, CancelToken()) is True

    done = [e for e in events if isinstance(e, ItemDone)]
    # receipts numbered 1, 2 ...; the Faktura in its own series (it takes no receipt number)
    invoices = sum(1 for shape in named.values() if shape.get("kind") == "faktura")
    assert invoices == 1
    assert sorted(e.item for e in done) == sorted(
        [f"{n:06d}" for n in range(1, len(named) - invoices + 1)] + ["sale_invoice:000001"])
    assert all(e.added == 1 for e in done)
    assert events[-1] == JobFinished("transactions", True)
    assert terminal.ledger.pending_summary() == (0, None)

    rows = {row.uuid: row for row in office.stored(list(uuids.values()))}
    assert len(rows) == len(named)
    for uuid in uuids.values():
        local = terminal.ledger.get_document(uuid)
        row = rows[uuid]
        assert local.upload_state == "sent"
        assert (row.number, row.total, row.store_id) == (local.number, local.total,
                                                           local.store_id)
        assert row.created_at.replace(tzinfo=UTC) == local.created_utc
        assert row.warnings is None, (uuid, row.warnings)
        assert row.doc_type == local.doc_type
        stored = (SaleInvoiceDocument if local.doc_type == "sale_invoice"
                  else ReceiptDocument).model_validate_json(row.payload)
        assert [(ln.value, ln.discount, ln.qty, ln.unit_price, ln.vat) for ln in stored.lines] \
            == [(ln.value, ln.discount, ln.qty, ln.unit_price, ln.vat_letter)
                for ln in local.lines]
        assert [(p.method, p.amount, p.change) for p in stored.payments] == \
            [(p.method, p.amount, p.change) for p in local.payments]
    # The back office files the late-evening sale under the shop's (Warsaw) day.
    assert {row.day.isoformat() for row in rows.values()} == {"2026-11-26"}


def _upload(terminal: Terminal) -> list[object]:
    ctx = SyncContext.for_terminal(terminal, sleep=lambda _s: None)
    assert ctx is not None
    events: list[object] = []
    with ctx:
        upload_job(ctx, events.append, CancelToken())
    return events


def test_invoice_and_nip_receipt_reach_the_back_office_with_their_buyer(
    terminal: Terminal, shop: tuple[Shop, str]
) -> None:
    office, _ = shop
    named = shapes(office)
    faktura = sell(terminal, named["faktura_with_buyer"], office.cashier)
    nip_receipt = sell(terminal, named["paragon_z_nip"], office.cashier)
    plain = sell(terminal, named["plain_cash_with_change"], office.cashier)
    assert _upload(terminal)[-1] == JobFinished("transactions", True)

    rows = {row.uuid: row for row in office.stored([faktura, nip_receipt, plain])}
    assert (rows[faktura].kind, rows[faktura].buyer_nip, rows[faktura].buyer_name,
            rows[faktura].buyer_address) == (
        "faktura", "5260250995", "Firma Kupująca sp. z o.o.", "ul. Długa 1, 00-001 Warszawa")
    assert (rows[nip_receipt].kind, rows[nip_receipt].buyer_nip,
            rows[nip_receipt].buyer_name) == ("paragon_nip", "5260250995", None)
    assert (rows[plain].kind, rows[plain].buyer_nip) == ("paragon", None)
    assert rows[faktura].doc_type == "sale_invoice"
    stored = SaleInvoiceDocument.model_validate_json(rows[faktura].payload)
    assert stored.kind == "faktura" and stored.buyer is not None
    assert stored.buyer.address == "ul. Długa 1, 00-001 Warszawa"
    # the invoice's own number reaches the real back office with it (issue 14, item 3)
    assert stored.invoice_number is not None and stored.invoice_number.startswith("FV/K")
    assert stored.invoice_number == terminal.ledger.get_document(faktura).invoice_number
    assert ReceiptDocument.model_validate_json(rows[plain].payload).invoice_number is None
    # A plain paragon costs no extra bytes: kind and buyer are left out.
    payload = document_payload(terminal.ledger.get_document(plain))
    assert "kind" not in payload and "buyer" not in payload and "invoice_number" not in payload
    assert document_payload(terminal.ledger.get_document(nip_receipt))["buyer"] == {
        "nip": "5260250995"}


def test_invoice_without_buyer_name_is_rejected_by_reason_and_blocks_nothing(
    terminal: Terminal, shop: tuple[Shop, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An invoice with only a NIP (this ledger refuses to make one now, an older app
    version made it): the back office refuses it, the terminal keeps the reason."""
    from ipos_tui.store.ledger import commit as ledger_module

    office, _ = shop
    named = shapes(office)
    bare = dict(named["faktura_with_buyer"], buyer=Buyer("5260250995"))
    with monkeypatch.context() as older_app:
        older_app.setattr(ledger_module, "_check_buyer",
                          lambda kind, buyer: buyer if kind != "paragon" else None)
        rejected = sell(terminal, bare, office.cashier)
    accepted = sell(terminal, named["paragon_z_nip"], office.cashier)
    events = _upload(terminal)

    local = terminal.ledger.get_document(rejected)
    assert [e.item for e in events if isinstance(e, ItemFailed)] == [f"sale_invoice:{local.number:06d}"]
    assert (local.upload_state, local.reject_reason) == (
        "quarantined", "malformed:buyer.name:missing")
    assert terminal.ledger.get_document(accepted).upload_state == "sent"
    assert [row.uuid for row in office.stored([rejected, accepted])] == [accepted]
    assert [q.reason for q in office.quarantined(rejected)] == ["malformed:buyer.name:missing"]


def test_mapping_copies_the_printed_values(terminal: Terminal, shop: tuple[Shop, str]) -> None:
    office, _ = shop
    shape = shapes(office)["receipt_discount_split_over_lines"]
    doc = terminal.ledger.get_document(sell(terminal, shape, office.cashier))
    wire = receipt_document(doc)
    assert wire.total == doc.total == sum(ln.value for ln in wire.lines)
    for sent, local in zip(wire.lines, doc.lines, strict=True):
        assert sent.discount == local.line_discount + local.receipt_discount
        assert sent.value == round_half_up(sent.unit_price * sent.qty, 1000) - sent.discount
    assert sum(ln.discount for ln in wire.lines) == doc.discount_total > 0
    assert wire.vat_totals == {letter: v.gross for letter, v in doc.vat.items()}
    assert wire.cashier_id == office.cashier.id
    assert wire.created_at == doc.created_utc


def test_anonymous_cashier_and_manual_item_leave_out_what_they_lack(
    terminal: Terminal, shop: tuple[Shop, str]
) -> None:
    office, _ = shop
    shape = shapes(office)["anonymous_cashier_manual_item"]
    payload = document_payload(terminal.ledger.get_document(
        sell(terminal, shape, office.cashier)))
    assert "cashier_id" not in payload
    assert "plu" not in payload["lines"][0] and "product_id" not in payload["lines"][0]
    assert payload["payments"] == [{"method": "cash", "amount": 100, "change": 99}]


def test_a_document_type_without_mapping_is_refused_by_name(
    terminal: Terminal, shop: tuple[Shop, str]
) -> None:
    office, _ = shop
    doc = terminal.ledger.get_document(
        sell(terminal, shapes(office)["plain_cash_with_change"], office.cashier))
    with pytest.raises(UnsupportedDocument) as caught:
        document_payload(replace(doc, doc_type="shift_report"))
    assert caught.value.reason == "unsupported_type:shift_report"


_discounts = st.one_of(
    st.none(),
    st.builds(Discount, st.just("percent"), st.integers(1, 10_000)),
    st.builds(Discount, st.just("amount"), st.integers(1, 50_000)),
)


@st.composite
def _lines(draw: st.DrawFn) -> ReceiptLine:
    precision = draw(st.sampled_from([0, 3]))
    step = 10 ** (3 - precision)
    qty = draw(st.integers(1, 50_000 // step)) * step
    return line("Towar", draw(st.integers(1, 100_000)), qty, draw(st.sampled_from("ABCDE")),
                unit="kg" if precision else "szt.", precision=precision,
                discount=draw(_discounts))


@pytest.fixture(scope="module")
def ledger_terminal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Terminal]:
    """One terminal for every generated receipt (opening one per example is slow)."""
    with open_terminal(tmp_path_factory.mktemp("generated")) as opened:
        opened.settings.set_terminal_info(TerminalInfo(1, "Kasa", 1))
        yield opened


@settings(max_examples=80, deadline=None)
@given(lines=st.lists(_lines(), min_size=1, max_size=8), receipt_discount=_discounts,
       card_share=st.integers(0, 100), extra_cash=st.integers(0, 20_000))
def test_any_receipt_the_domain_builds_passes_the_back_office_checks(
    ledger_terminal: Terminal, lines: list[ReceiptLine], receipt_discount: Discount | None,
    card_share: int, extra_cash: int,
) -> None:
    """The back office's own parser (the one the API runs) accepts every mapped receipt:
    any lines, kg or pieces, line and receipt discounts (up to 100 %), split tender."""
    receipt = Receipt([replace(ln) for ln in lines], receipt_discount)
    card = receipt.total * card_share // 100
    cash = receipt.total - card
    payments = [Payment("card", "Karta", card)] if card else []
    if cash:
        payments.append(Payment("cash", "Gotówka", cash + extra_cash, extra_cash))
    cashier = User(id=5, identifier="1001", name="Anna", role="cashier")
    stored = ledger_terminal.ledger.commit_receipt(receipt, payments, cashier=cashier,
                                                   now=SOLD_AT)
    doc = ledger_terminal.ledger.get_document(stored.uuid)
    parsed = parse_document(document_payload(doc))
    assert isinstance(parsed, ReceiptDocument)
    assert parsed.total == receipt.total == doc.total
    assert [ln.value for ln in parsed.lines] == [ln.value for ln in receipt.lines]
