"""Nothing committed goes unprinted (issue 14, item 4): documents stored without their
printout (a crash between the commit and the printer) are printed at start, once, in
commit order, each with its normal printout; documents older than the check stay
as they are."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from terminal_support import CASHIER, NOW

from ipos_tui.store.db import Terminal
from ipos_tui.store.ledger import DocumentDraft
from ipos_tui.domain.records import StoredDocument
from ipos_tui.till.journal_recovery import (
    RECOVERY_AFTER_KEY,
    print_unprinted,
    unprinted,
)
from ipos_tui.till import Till

MLEKO = "1"


def test_a_receipt_committed_without_its_printout_is_printed_once(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument], tmp_path: Path
) -> None:
    assert demo_terminal.settings.get_local(RECOVERY_AFTER_KEY) == 0  # a new till: every document
    sold = sell([(MLEKO, 2000)])  # committed; the till died before printing
    printer = Till(demo_terminal).printer
    assert printer.printouts_of(sold.uuid) == [] and unprinted(demo_terminal) == [sold.uuid]
    result = print_unprinted(Till(demo_terminal), NOW + timedelta(minutes=1), tmp_path)
    assert [item.detail.number for item in result.printed] == [1] and not result.failed
    (entry,) = printer.printouts_of(sold.uuid)
    assert entry.kind == "receipt" and entry.document_number == 1
    assert "PARAGON FISKALNY" in entry.text and "Mleko" in entry.text
    assert (tmp_path / "printouts" / "receipt-000001.txt").read_text(encoding="utf-8") == entry.text
    again = print_unprinted(Till(demo_terminal), NOW + timedelta(minutes=2), tmp_path)
    assert again.nothing and len(printer.printouts_of(sold.uuid)) == 1


def test_every_kind_of_document_gets_its_own_printout_in_commit_order(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    Till(demo_terminal).cash.open_shift(10_000, cashier=CASHIER, now=NOW)  # printed as usual
    first = sell([(MLEKO, 1000)])
    demo_terminal.ledger.commit_document(  # a withdrawal stored, its printout lost
        DocumentDraft("cash_operation", "out", 500, extra={"purpose": "withdrawal", "reason": ""}),
        cashier=CASHIER, now=NOW)
    second = sell([(MLEKO, 3000)])
    report, _ = Till(demo_terminal).reports.make_daily_report(CASHIER, NOW)  # printed as usual
    printer = Till(demo_terminal).printer
    before = len(printer.journal())
    result = print_unprinted(Till(demo_terminal), NOW + timedelta(hours=1))
    printed = [(item.detail.doc_type, item.detail.number, item.entry.kind) for item in result.printed]
    assert printed == [("receipt", 1, "receipt"), ("cash_operation", 2, "cash"), ("receipt", 2, "receipt")]
    assert len(printer.journal()) == before + 3
    withdrawal = result.printed[1].entry.text
    assert "WYPŁATA Z KASY" in withdrawal and "GOTÓWKA W KASIE" in withdrawal
    assert [item.detail.uuid for item in result.printed][::2] == [first.uuid, second.uuid]
    assert len(printer.printouts_of(report.uuid)) == 1  # printed once, not again
    assert unprinted(demo_terminal) == []


def test_a_daily_report_whose_printout_failed_is_printed_at_the_next_start(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument], monkeypatch
) -> None:
    import pytest

    from ipos_tui.devices.printer import FiscalPrinter

    sold = sell([(MLEKO, 1000)])
    print_unprinted(Till(demo_terminal), NOW)  # the sale's receipt
    original = FiscalPrinter.print_fiscal_report

    def jammed(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("paper jam")

    monkeypatch.setattr(FiscalPrinter, "print_fiscal_report", jammed)
    with pytest.raises(OSError):
        Till(demo_terminal).reports.make_daily_report(CASHIER, NOW)
    report = Till(demo_terminal).reports.last_daily_report()
    assert report is not None  # stored: printing follows the commit
    failed = print_unprinted(Till(demo_terminal), NOW)  # still jammed: said, tried again later
    assert [detail.uuid for detail, _why in failed.failed] == [report.uuid] and not failed.printed
    monkeypatch.setattr(FiscalPrinter, "print_fiscal_report", original)
    result = print_unprinted(Till(demo_terminal), NOW + timedelta(hours=1))
    (item,) = result.printed
    assert item.entry.kind == "daily_report" and item.entry.document_uuid == report.uuid
    text = item.entry.text
    assert "RAPORT DOBOWY nr 0001" in text and "Paragony: 1" in text and "26.11.2026" in text
    assert str(sold.total // 100) in text
    assert print_unprinted(Till(demo_terminal), NOW + timedelta(hours=2)).nothing


def test_documents_older_than_the_check_are_left_alone(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    old = sell([(MLEKO, 1000)])
    (last_id,) = demo_terminal.db.execute_sql("SELECT max(id) FROM document").fetchone()
    demo_terminal.settings.set_local(RECOVERY_AFTER_KEY, last_id)  # as the migration records it
    new = sell([(MLEKO, 2000)])
    assert unprinted(demo_terminal) == [new.uuid] != [old.uuid]


def test_invoices_and_corrections_are_printed_late_in_their_own_layout(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    from dataclasses import replace

    from ipos_tui.domain.records import Buyer, PaymentMethod
    firm = Buyer("5261045731", "Firma Test sp. z o.o.", "ul. Prosta 1, 00-001 Warszawa")
    cashier = replace(CASHIER, permissions=frozenset({"returns"}))
    faktura = sell([(MLEKO, 2000)], kind="faktura", buyer=firm)
    with_nip = sell([(MLEKO, 1000)], kind="paragon_nip", buyer=Buyer("7740001454"))
    returns = Till(demo_terminal).returns
    back = returns.commit(returns.find(faktura.code, cashier), {0: 1000},
                          PaymentMethod("gotowka", "gotówka", "cash", allows_change=True),
                          cashier=cashier, now=NOW + timedelta(hours=1))
    invoices = Till(demo_terminal).invoices
    # the next day, the day still open: an invoice for a receipt adds nothing to any
    # day, so the day rule lets it through
    for_receipt = invoices.issue_for_receipt(
        invoices.find_receipt(with_nip.code, NOW), "Firma Test", "ul. Prosta 1",
        cashier=cashier, now=NOW + timedelta(days=1))
    result = print_unprinted(Till(demo_terminal), NOW + timedelta(days=1, hours=1))
    assert [(item.detail.doc_type, item.entry.kind) for item in result.printed] == [
        ("sale_invoice", "invoice"), ("receipt", "receipt"), ("return", "return"), ("invoice", "invoice")]
    printer = Till(demo_terminal).printer
    assert [entry.kind for entry in printer.printouts_of(back.uuid)] == ["return", "invoice_correction"]
    (invoice_entry,) = printer.printouts_of(for_receipt.uuid)
    assert "FV/K1/11/2026/0002" in invoice_entry.text and "Do paragonu fiskalnego:" in invoice_entry.text
    assert "C 5%" in invoice_entry.text  # at the rate the receipt was sold at
    (correction,) = [e for e in printer.printouts_of(back.uuid) if e.kind == "invoice_correction"]
    assert "FK/K1/11/2026/0001" in correction.text and "FV/K1/11/2026/0001" in correction.text
