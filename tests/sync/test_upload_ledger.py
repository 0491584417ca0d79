"""The ledger's upload bookkeeping the upload job relies on (no network)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine
from ipos_tui.store.db import Terminal, open_terminal
from ipos_tui.domain.records import TerminalInfo, User

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
CASHIER = User(id=7, identifier="1001", name="Anna", role="cashier")


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    with open_terminal(tmp_path / "t") as opened:
        opened.settings.set_terminal_info(TerminalInfo(3, "Kasa", 1))
        yield opened


def sell(terminal: Terminal, count: int) -> list[str]:
    uuids = []
    for i in range(count):
        receipt = Receipt([ReceiptLine("1", "Chleb", "szt.", 0, 300 + i, 1000, "B"),
                           ReceiptLine("2", "Masło", "szt.", 0, 799, 2000, "A")])
        uuids.append(terminal.ledger.commit_receipt(
            receipt, [Payment("cash", "Gotówka", receipt.total)], cashier=CASHIER,
            now=NOW).uuid)
    return uuids


def test_queue_lists_unsent_oldest_first_respecting_next_try_at(terminal: Terminal) -> None:
    a, b, c = sell(terminal, 3)
    ledger = terminal.ledger
    ledger.apply_upload_results([a], [(b, "other_store")], NOW)
    ledger.mark_retry([c], NOW + timedelta(minutes=5))
    assert ledger.upload_queue(NOW) == []
    assert [q.uuid for q in ledger.upload_queue(NOW + timedelta(minutes=5))] == [c]
    queued = ledger.upload_queue(None, include_quarantined=True)
    assert [(q.uuid, q.number, q.upload_state, q.upload_attempts) for q in queued] == [
        (b, 2, "quarantined", 1), (c, 3, "pending", 1)]
    assert ledger.upload_paused_until() == NOW + timedelta(minutes=5)


def test_bulk_load_equals_single_reads_in_the_asked_order(terminal: Terminal) -> None:
    uuids = sell(terminal, 4)
    wanted = [uuids[2], "no-such-uuid", uuids[0], uuids[3]]
    loaded = terminal.ledger.documents_for_upload(wanted)
    assert loaded == [terminal.ledger.get_document(u) for u in (uuids[2], uuids[0], uuids[3])]
    assert [len(doc.lines) for doc in loaded] == [2, 2, 2]


def test_results_never_unsend_and_quarantine_clears_the_backoff(terminal: Terminal) -> None:
    a, b = sell(terminal, 2)
    ledger = terminal.ledger
    ledger.mark_retry([a, b], NOW + timedelta(hours=1))
    ledger.apply_upload_results([a], [(b, "total_mismatch")], NOW)
    ledger.apply_upload_results([], [(a, "late_rejection")], NOW)  # a stays sent
    doc_a, doc_b = ledger.get_document(a), ledger.get_document(b)
    assert (doc_a.upload_state, doc_a.reject_reason) == ("sent", None)
    assert (doc_b.upload_state, doc_b.reject_reason) == ("quarantined", "total_mismatch")
    assert ledger.upload_paused_until() is None
    assert ledger.pending_summary() == (1, NOW)
