"""Documents other than sales (returns, cash operations, cash and daily reports): own
gapless numbering per type, all or nothing, frozen once stored, their wire form
accepted by the back office's own parser; the schema step that adds them keeps an
older database's electronic journal."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from peewee import IntegrityError
from terminal_support import CASHIER, NOW

from ipos_tui.backoffice.documents.checks import parse_document
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.receipt import Receipt
from ipos_tui.domain.vat import VatTotal
from ipos_tui.protocol import CashOperationDocument, CashReportDocument, DailyReportDocument
from ipos_tui.sync.documents import document_payload
from ipos_tui.store import migrations
from ipos_tui.store.db import Terminal, open_terminal
from ipos_tui.store.ledger import DocumentDraft
from ipos_tui.domain.records import DocumentLine, DocumentPayment, TerminalInfo


@pytest.fixture
def till(tmp_path: Path) -> Terminal:
    terminal = open_terminal(tmp_path / "till")
    terminal.settings.set_terminal_info(TerminalInfo(3, "Kasa 3", 1))
    yield terminal
    terminal.close()


def _cash(kind: str, amount: int, purpose: str) -> DocumentDraft:
    return DocumentDraft("cash_operation", kind, amount, extra={"purpose": purpose, "reason": "bank"})


def test_each_type_has_its_own_gapless_numbers(till: Terminal) -> None:
    numbers = [till.ledger.commit_document(_cash("in", 100, "deposit"), cashier=CASHIER, now=NOW).number
               for _ in range(3)]
    report = till.ledger.commit_document(
        DocumentDraft("cash_report", "state", 300), cashier=CASHIER, now=NOW)
    assert numbers == [1, 2, 3] and report.number == 1
    assert till.ledger.last_number("cash_operation") == 3
    assert till.ledger.last_number("receipt") == 0


def test_a_failing_check_stores_nothing_and_burns_no_number(till: Terminal) -> None:
    def refuse() -> None:
        raise DomainError("err.cash_not_enough", cash="1,00 zł")

    with pytest.raises(DomainError):
        till.ledger.commit_document(_cash("out", 100, "withdrawal"), cashier=CASHIER, now=NOW,
                                    check=refuse)
    assert till.ledger.last_number("cash_operation") == 0
    stored = till.ledger.commit_document(_cash("out", 100, "withdrawal"), cashier=CASHIER, now=NOW)
    assert stored.number == 1


def test_stored_extra_and_return_lines_come_back_and_never_change(till: Terminal) -> None:
    line = DocumentLine(1, 7, "7", "Mleko", "szt.", 0, 349, 2000, "B", 698, 0, 0, 698, original_line=0)
    draft = DocumentDraft(
        "return", "zwrot", 698, {"B": VatTotal("B", 698, 52)}, (line,),
        (DocumentPayment("cash", "Gotówka", 698, 0),),
        extra={"original": {"terminal_id": 3, "number": 12}},
    )
    stored = till.ledger.commit_document(draft, cashier=CASHIER, now=NOW)
    doc = till.ledger.get_document(stored.uuid)
    assert doc.extra == {"original": {"terminal_id": 3, "number": 12}}
    assert doc.lines[0].original_line == 0 and doc.payments[0].amount == 698
    with pytest.raises(IntegrityError):
        till.db.execute_sql("UPDATE document SET extra = '{}' WHERE uuid = ?", (stored.uuid,))
    till.ledger.mark_sent([stored.uuid], NOW)  # the upload state may still change
    assert till.ledger.get_document(stored.uuid).upload_state == "sent"


def test_receipts_are_not_committed_as_drafts(till: Terminal) -> None:
    with pytest.raises(ValueError):
        till.ledger.commit_document(DocumentDraft("receipt", "paragon", 1), cashier=CASHIER, now=NOW)


def test_every_new_type_goes_out_in_a_form_the_back_office_accepts(till: Terminal) -> None:
    line = DocumentLine(1, 7, "7", "Mleko", "szt.", 0, 349, 1000, "B", 349, 0, 0, 349, original_line=2)
    drafts = [
        _cash("in", 20_000, "opening"),
        DocumentDraft("cash_report", "shift_close", 25_000,
                      extra={"opening": 20_000, "cash_sales": 5_349, "cash_refunds": 349}),
        DocumentDraft("return", "zwrot", 349, {"B": VatTotal("B", 349, 26)}, (line,),
                      (DocumentPayment("cash", "Gotówka", 349, 0),),
                      extra={"original": {"terminal_id": 3, "number": 1}}),
        DocumentDraft("daily_report", "daily", 5_000, {"B": VatTotal("B", 5_000, 370)},
                      extra={"day": "2026-11-26", "receipts": 2, "receipts_total": 5_349,
                             "returns": 1, "returns_total": 349, "payments": {"cash": 5_000},
                             "voids": 1, "voids_total": 100,
                             "first_receipt_at": "2026-11-26T08:00:00+00:00"}),
    ]
    parsed = []
    for draft in drafts:
        stored = till.ledger.commit_document(draft, cashier=CASHIER, now=NOW)
        parsed.append(parse_document(document_payload(till.ledger.get_document(stored.uuid))))
    opening, closing, ret, report = parsed
    assert isinstance(opening, CashOperationDocument) and opening.purpose == "opening"
    assert opening.amount == 20_000 and opening.reason == "bank"
    assert isinstance(closing, CashReportDocument) and closing.cash == 25_000
    assert closing.cash_refunds == 349
    assert ret.original.number == 1 and ret.lines[0].original_line == 2
    assert isinstance(report, DailyReportDocument)
    assert (report.day.isoformat(), report.receipts, report.returns, report.voids) == ("2026-11-26", 2, 1, 1)
    assert report.vat_totals == {"B": 5_000} and report.vat_amounts == {"B": 370}
    assert report.payments == {"cash": 5_000}


def test_voids_are_logged_only_with_lines(till: Terminal) -> None:
    till.ledger.record_void(Receipt([]), CASHIER, NOW)
    assert till.db.execute_sql("SELECT count(*) FROM receipt_void").fetchone()[0] == 0


def test_version_4_database_keeps_its_journal_and_learns_the_new_printouts(tmp_path: Path) -> None:
    path = tmp_path / "old"
    path.mkdir()
    conn = sqlite3.connect(path / "terminal.sqlite3")
    for steps in migrations.MIGRATIONS[:4]:
        for statement in steps:
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 4")
    conn.execute("INSERT INTO printer_journal VALUES (1, 'receipt', 'u', 'l', 'x', 1, 'PARAGON', 'paragon')")
    conn.commit()
    conn.close()
    with open_terminal(path) as terminal:
        rows = terminal.db.execute_sql("SELECT number, kind, text FROM printer_journal").fetchall()
        assert rows == [(1, "receipt", "PARAGON")]
        terminal.db.execute_sql(
            "INSERT INTO printer_journal VALUES (2, 'daily_report', 'u', 'l', NULL, NULL, 'R', 'r')")
        with pytest.raises(IntegrityError):
            terminal.db.execute_sql("DELETE FROM printer_journal")
