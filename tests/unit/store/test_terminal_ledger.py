"""Committing receipts: gapless numbers, own copies of lines, totals and VAT, all or
nothing on failure, buyer rules, upload bookkeeping, and commits from a worker."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from peewee import IntegerField, Model, TextField
from terminal_support import CASHIER, NOW, receipt_of

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.receipt import Discount, Payment, Receipt
from ipos_tui.store.db import Terminal, open_terminal
from ipos_tui.store.ledger import LedgerService, insert_sql
from ipos_tui.domain.records import Buyer, StoredDocument, TerminalInfo

MLEKO, CHLEB, LIGOL, PIWO = "1", "101", "201", "1401"


def _plu(terminal: Terminal, name: str) -> str:
    found = [p for p in terminal.catalog.search(name, 5) if p.name == name]
    assert found, name
    return found[0].plu


def test_demo_plus_used_here_are_what_the_tests_assume(demo_terminal: Terminal) -> None:
    assert demo_terminal.catalog.find_by_code(MLEKO).name == "Mleko 3,2% 1l"  # type: ignore[union-attr]
    assert _plu(demo_terminal, "Chleb żytni 500g") == CHLEB
    assert _plu(demo_terminal, "Jabłka Ligol") == LIGOL
    assert _plu(demo_terminal, "Piwo jasne 0,5l") == PIWO


def test_numbers_are_gapless_and_continue_after_reopen(
    demo_dir: Path, demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    stored = [sell([(MLEKO, 1000)]) for _ in range(3)]
    assert [doc.number for doc in stored] == [1, 2, 3]
    assert len({doc.uuid for doc in stored}) == 3
    assert stored[0].code == "K1-000001"
    demo_terminal.close()
    with open_terminal(demo_dir) as again:
        receipt = receipt_of(again, [(CHLEB, 2000)])
        doc = again.ledger.commit_receipt(
            receipt, [Payment("karta", "karta", receipt.total)], cashier=CASHIER, now=NOW
        )
        assert doc.number == 4
        assert [s.number for s in again.ledger.list_documents()] == [4, 3, 2, 1]


def test_document_keeps_its_own_copy_of_lines_totals_and_vat(demo_terminal: Terminal) -> None:
    receipt = receipt_of(
        demo_terminal,
        [(MLEKO, 2000), (LIGOL, 1234), (PIWO, 3000)],
        receipt_discount=Discount("percent", 1000),
    )
    receipt.set_line_discount(0, Discount("amount", 100))
    payments = [
        Payment("bon", "bon", 1000),
        Payment("gotowka", "gotówka", 5000, 5000 - (receipt.total - 1000)),
    ]
    stored = demo_terminal.ledger.commit_receipt(
        receipt, payments, kind="paragon", buyer=None, cashier=CASHIER, now=NOW
    )
    expected_lines = [(line.name, line.qty, line.unit_price, line.value) for line in receipt.lines]

    mleko = demo_terminal.catalog.find_by_code(MLEKO)
    assert mleko is not None
    demo_terminal.catalog.upsert_products(
        [replace(mleko, name="Mleko UHT 1l", price=999, vat_letter="A")]
    )
    ligol = demo_terminal.catalog.find_by_code(LIGOL)
    assert ligol is not None
    demo_terminal.catalog.delete_products([ligol.id])

    detail = demo_terminal.ledger.get_document(stored.uuid)
    assert [
        (line.name, line.qty, line.unit_price, line.value) for line in detail.lines
    ] == expected_lines
    assert detail.lines[0].plu == MLEKO and detail.lines[0].vat_letter == "C"
    assert detail.lines[0].line_discount == 100
    assert detail.lines[1].unit == "kg" and detail.lines[1].precision == 3
    assert (
        sum(line.receipt_discount for line in detail.lines) == receipt.receipt_discount_amount > 0
    )
    assert detail.total == stored.total == receipt.total
    assert detail.discount_total == receipt.discount_total
    assert detail.subtotal == receipt.subtotal
    assert detail.vat == receipt.vat_totals()
    assert set(detail.vat) == {"A", "C"}
    assert [(p.method, p.amount, p.change) for p in detail.payments] == [
        (p.method, p.amount, p.change) for p in payments
    ]
    assert detail.change == payments[1].change
    assert (
        detail.cashier_name == "Anna Kowalska" and detail.terminal_id == 1 and detail.store_id == 1
    )
    assert detail.created_utc == NOW.astimezone(UTC)
    assert detail.created_local == NOW
    assert detail.upload_state == "pending" and detail.buyer is None


def test_failure_midway_leaves_nothing_and_burns_no_number(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument], monkeypatch: pytest.MonkeyPatch
) -> None:
    sell([(MLEKO, 1000)])

    def explode(self: LedgerService, receipt: Receipt) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(LedgerService, "_record_sales", explode)
    with pytest.raises(RuntimeError, match="power cut"):
        sell([(CHLEB, 1000), (PIWO, 1000)])
    monkeypatch.undo()

    count = demo_terminal.db.execute_sql(
        "SELECT (SELECT count(*) FROM document), (SELECT count(*) FROM document_line), "
        "(SELECT count(*) FROM document_payment)"
    ).fetchone()
    assert count == (1, 1, 1)
    assert demo_terminal.ledger.last_number() == 1
    assert sell([(CHLEB, 1000)]).number == 2


def test_database_error_in_the_last_insert_leaves_nothing(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    sell([(MLEKO, 1000)])
    receipt = receipt_of(demo_terminal, [(CHLEB, 1000), (PIWO, 2000)])
    nameless = Payment("gotowka", None, receipt.total)  # type: ignore[arg-type]
    with pytest.raises(Exception, match="NOT NULL"):
        demo_terminal.ledger.commit_receipt(receipt, [nameless], cashier=CASHIER, now=NOW)

    count = demo_terminal.db.execute_sql(
        "SELECT (SELECT count(*) FROM document), (SELECT count(*) FROM document_line), "
        "(SELECT count(*) FROM document_payment), (SELECT sum(sale_count) FROM product_sales)"
    ).fetchone()
    assert count == (1, 1, 1, 1)
    assert demo_terminal.ledger.last_number() == 1
    assert sell([(CHLEB, 1000)]).number == 2


def test_each_commit_uses_the_terminal_identity_as_now_stored(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    first = sell([(MLEKO, 1000)])
    demo_terminal.settings.set_terminal_info(TerminalInfo(7, "Kasa 7", 3))
    second = sell([(MLEKO, 1000)])
    # A write that bypasses SettingsService (another connection, a repair tool)
    # must be seen as well: the identity is never served from a stale copy.
    with demo_terminal.db.atomic("IMMEDIATE"):
        demo_terminal.db.execute_sql("UPDATE terminal_info SET terminal_id = 8, store_id = 4")
    third = sell([(MLEKO, 1000)])
    stored = [demo_terminal.ledger.get_document(doc.uuid) for doc in (first, second, third)]
    assert [(d.terminal_id, d.store_id) for d in stored] == [(1, 1), (7, 3), (8, 4)]
    assert [doc.terminal_id for doc in (first, second, third)] == [1, 7, 8]
    assert third.code == "K8-000003"


class _Sample(Model):
    """A model whose table and column names differ from its Python names."""

    id = IntegerField(primary_key=True)
    amount = IntegerField(column_name="amount_gr")
    note = TextField(null=True)

    class Meta:
        table_name = "sample_rows"


def test_insert_sql_takes_table_and_column_names_from_the_model() -> None:
    assert insert_sql(_Sample, ("amount",)) == 'INSERT INTO "sample_rows" ("amount_gr") VALUES (?)'
    assert (
        insert_sql(_Sample, ("amount", "note"))
        == 'INSERT INTO "sample_rows" ("amount_gr", "note") VALUES (?, ?)'
    )
    with pytest.raises(ValueError, match="no columns"):
        insert_sql(_Sample, ("amount", "amount_gr"))
    with pytest.raises(ValueError, match="NOT NULL"):
        insert_sql(_Sample, ("note",))


def test_empty_and_unpaid_receipts_are_refused(demo_terminal: Terminal) -> None:
    with pytest.raises(DomainError) as caught:
        demo_terminal.ledger.commit_receipt(Receipt(), [], cashier=CASHIER, now=NOW)
    assert caught.value.key == "err.receipt_empty"
    receipt = receipt_of(demo_terminal, [(PIWO, 2000)])
    with pytest.raises(DomainError) as caught:
        demo_terminal.ledger.commit_receipt(
            receipt, [Payment("karta", "karta", 100)], cashier=CASHIER, now=NOW
        )
    assert caught.value.key == "err.receipt_unpaid"
    assert caught.value.params == {"remaining": receipt.total - 100}
    with pytest.raises(ValueError):
        demo_terminal.ledger.commit_receipt(
            receipt, [Payment("karta", "karta", receipt.total + 1)], cashier=CASHIER, now=NOW
        )
    assert demo_terminal.ledger.last_number() == 0
    assert demo_terminal.ledger.list_documents() == []


def test_receipt_with_nip_and_invoice_need_a_valid_buyer(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    for kind in ("paragon_nip", "faktura"):
        with pytest.raises(DomainError) as caught:
            sell([(MLEKO, 1000)], kind=kind, buyer=None)
        assert caught.value.key == "err.buyer_nip_required"
    with pytest.raises(DomainError) as caught:
        sell([(MLEKO, 1000)], kind="paragon_nip", buyer=Buyer("1234567890"))
    assert caught.value.key == "err.nip_invalid"
    stored = sell(
        [(MLEKO, 1000)],
        kind="faktura",
        buyer=Buyer("PL 526-104-57-31", " Firma Test ", "ul. Prosta 1"),
    )
    detail = demo_terminal.ledger.get_document(stored.uuid)
    assert detail.kind == "faktura"
    assert detail.buyer == Buyer("5261045731", "Firma Test", "ul. Prosta 1")
    plain = demo_terminal.ledger.get_document(sell([(MLEKO, 1000)], buyer=Buyer("5261045731")).uuid)
    assert plain.buyer is None  # a plain receipt names no buyer


def test_unactivated_terminal_cannot_sell(fresh: Terminal) -> None:
    from ipos_tui.domain.receipt import ReceiptLine

    receipt = Receipt([ReceiptLine("1", "Mleko", "szt.", 0, 349, 1000, "C")])
    with pytest.raises(DomainError) as caught:
        fresh.ledger.commit_receipt(
            receipt, [Payment("gotowka", "gotówka", 349)], cashier=CASHIER, now=NOW
        )
    assert caught.value.key == "err.terminal_not_activated"


def test_upload_bookkeeping(demo_terminal: Terminal, sell: Callable[..., StoredDocument]) -> None:
    assert demo_terminal.ledger.pending_summary() == (0, None)
    first = sell([(MLEKO, 1000)], now=NOW)
    second = sell([(CHLEB, 1000)], now=NOW + timedelta(minutes=5))
    third = sell([(PIWO, 1000)], now=NOW + timedelta(minutes=9))
    assert demo_terminal.ledger.pending_summary() == (3, NOW.astimezone(UTC))

    assert demo_terminal.ledger.mark_sent([first.uuid], NOW) == 1
    demo_terminal.ledger.mark_quarantined(second.uuid, "obcy sklep")
    assert demo_terminal.ledger.pending_summary() == (
        2,
        (NOW + timedelta(minutes=5)).astimezone(UTC),
    )
    rows = {s.uuid: s for s in demo_terminal.ledger.list_documents()}
    assert rows[first.uuid].upload_state == "sent"
    assert (rows[second.uuid].upload_state, rows[second.uuid].reject_reason) == (
        "quarantined",
        "obcy sklep",
    )

    later = NOW + timedelta(hours=1)
    demo_terminal.ledger.mark_retry([third.uuid], later)
    assert demo_terminal.ledger.documents_to_upload(NOW) == []
    due = demo_terminal.ledger.documents_to_upload(later, include_quarantined=True)
    assert [d.uuid for d in due] == [second.uuid, third.uuid]
    assert due[1].upload_attempts == 1


def test_unknown_document_and_lookup_by_number(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    with pytest.raises(DomainError) as caught:
        demo_terminal.ledger.get_document("no-such-uuid")
    assert caught.value.key == "err.document_not_found"
    stored = sell([(MLEKO, 1000)])
    assert demo_terminal.ledger.find_by_number(stored.number).uuid == stored.uuid  # type: ignore[union-attr]
    assert demo_terminal.ledger.find_by_number(99) is None


def test_number_floor_after_reactivation(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    demo_terminal.ledger.raise_number_floor("receipt", 41)
    assert sell([(MLEKO, 1000)]).number == 42
    demo_terminal.ledger.raise_number_floor("receipt", 10)  # never goes back
    assert sell([(MLEKO, 1000)]).number == 43


def test_commits_from_worker_threads_stay_gapless(demo_terminal: Terminal) -> None:
    numbers: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with demo_terminal.db.connection_context():
                for _ in range(5):
                    receipt = receipt_of(demo_terminal, [(MLEKO, 1000)])
                    doc = demo_terminal.ledger.commit_receipt(
                        receipt,
                        [Payment("karta", "karta", receipt.total)],
                        cashier=CASHIER,
                        now=NOW,
                    )
                    numbers.append(doc.number)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, 16))



def test_an_invoice_needs_the_buyers_name_and_address(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    """The back office refuses an invoice without them, so the till never makes one."""
    for buyer in (Buyer("5261045731"), Buyer("5261045731", "Firma Test"), Buyer("5261045731", "", "ul. X 1")):
        with pytest.raises(DomainError) as caught:
            sell([(MLEKO, 1000)], kind="faktura", buyer=buyer)
        assert caught.value.key == "err.buyer_details_required"
    assert demo_terminal.ledger.list_documents() == []
    assert demo_terminal.ledger.last_number() == 0
    assert sell([(MLEKO, 1000)], kind="paragon_nip", buyer=Buyer("5261045731")).number == 1
