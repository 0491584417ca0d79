"""Invoices have their own number series per till ("FV/K1/11/2026/0001"), gapless,
restarting each month (or year, as configured), and survive kill -9 without gaps or
reuse (issue 14, items 3 and 9)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from terminal_support import CASHIER, NOW

from ipos_tui.store.db import Terminal, open_terminal
from ipos_tui.domain.records import Buyer, StoredDocument
from ipos_tui.till import Till

MLEKO = "1"
FIRMA = Buyer("5261045731", "Firma Test", "ul. Prosta 1, 00-001 Warszawa")


def test_invoices_have_their_own_series_apart_from_receipts(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    first = sell([(MLEKO, 1000)])
    invoice = sell([(MLEKO, 1000)], kind="faktura", buyer=FIRMA)
    nip_receipt = sell([(MLEKO, 1000)], kind="paragon_nip", buyer=FIRMA)
    second = sell([(MLEKO, 1000)], kind="faktura", buyer=FIRMA)
    # a Faktura never takes a receipt's number: receipts count on gaplessly, the
    # invoices in their own document type and FV series
    assert [first.number, nip_receipt.number] == [1, 2]
    assert [first.doc_type, nip_receipt.doc_type] == ["receipt", "receipt"]
    assert [invoice.number, second.number] == [1, 2]
    assert [invoice.doc_type, second.doc_type] == ["sale_invoice", "sale_invoice"]
    assert demo_terminal.ledger.last_number("receipt") == 2
    assert demo_terminal.ledger.last_number("sale_invoice") == 2
    assert first.invoice_number is None and nip_receipt.invoice_number is None
    assert invoice.invoice_number == "FV/K1/11/2026/0001"
    assert second.invoice_number == "FV/K1/11/2026/0002"
    assert demo_terminal.ledger.get_document(second.uuid).invoice_number == "FV/K1/11/2026/0002"
    assert demo_terminal.ledger.get_document(first.uuid).invoice_number is None


def test_invoice_series_goes_on_above_what_the_back_office_holds(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    """A till put back from an old copy learns the latest invoice numbers the back
    office holds (``POST /numbers``): each series goes on above them; a number of
    another shape, or a lower one, changes nothing."""
    ledger = demo_terminal.ledger
    assert sell([(MLEKO, 1000)], kind="faktura", buyer=FIRMA).invoice_number == "FV/K1/11/2026/0001"
    assert ledger.raise_invoice_floor("FV/K1/11/2026/0007")
    assert ledger.raise_invoice_floor("FV/K1/10/2026/0099")  # last month's: its own series
    assert ledger.raise_invoice_floor("FV/K1/11/2026/0003")  # lower: never goes back
    for odd in ("", "FV", "FV/K1/xx/2026/0001", "FV/1/11/2026/0001", "FV/K1/11/2026/abc"):
        assert not ledger.raise_invoice_floor(odd)
    assert sell([(MLEKO, 1000)], kind="faktura", buyer=FIRMA).invoice_number == "FV/K1/11/2026/0008"
    ledger.raise_invoice_floor("FV/K1/2026/0041")  # numbered yearly
    assert ledger.last_number("FV/K1/2026") == 41
    assert ledger.numbers_in_use()["sale_invoice"] == 2
    assert not any("/" in doc_type for doc_type in ledger.numbers_in_use())


def test_invoice_numbers_restart_at_the_month_change(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    nov_30 = NOW.replace(day=30, hour=23, minute=59)
    dec_1 = nov_30 + timedelta(minutes=2)
    numbers = []
    for when in (nov_30, nov_30, dec_1, dec_1):
        if when == dec_1 and len(numbers) == 2:  # a day is closed before the next one sells
            Till(demo_terminal).reports.make_daily_report(CASHIER, dec_1)
        numbers.append(sell([(MLEKO, 1000)], now=when, kind="faktura", buyer=FIRMA).invoice_number)
    assert numbers == [
        "FV/K1/11/2026/0001",
        "FV/K1/11/2026/0002",
        "FV/K1/12/2026/0001",
        "FV/K1/12/2026/0002",
    ]


def test_yearly_numbering_as_a_device_setting(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    demo_terminal.settings.set_local("invoice_numbering", "yearly")
    reports = Till(demo_terminal).reports
    nov = sell([(MLEKO, 1000)], kind="faktura", buyer=FIRMA).invoice_number
    reports.make_daily_report(CASHIER, NOW)  # each day closed by its daily report
    dec = sell([(MLEKO, 1000)], now=NOW + timedelta(days=10), kind="faktura", buyer=FIRMA)
    reports.make_daily_report(CASHIER, NOW + timedelta(days=10))
    next_year = sell([(MLEKO, 1000)], now=NOW + timedelta(days=40), kind="faktura", buyer=FIRMA)
    assert [nov, dec.invoice_number, next_year.invoice_number] == [
        "FV/K1/2026/0001",
        "FV/K1/2026/0002",
        "FV/K1/2027/0001",
    ]


def test_a_stored_invoice_number_never_changes(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    invoice = sell([(MLEKO, 1000)], kind="faktura", buyer=FIRMA)
    with pytest.raises(Exception, match="never changes"):
        demo_terminal.ledger._db.execute_sql(  # noqa: SLF001 - the guard itself is under test
            "UPDATE document SET invoice_number = 'FV/X' WHERE uuid = ?", (invoice.uuid,)
        )


_WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timedelta, timezone
    from pathlib import Path
    from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine
    from ipos_tui.store.db import open_terminal
    from ipos_tui.domain.records import Buyer, User

    cashier = User(id=1, identifier="1001", name="Anna", role="kierownik", permissions=frozenset())
    buyer = Buyer("5261045731", "Firma Test", "ul. Prosta 1")
    now = datetime(2026, 11, 26, 12, 4, tzinfo=timezone(timedelta(hours=1)))
    with open_terminal(Path(sys.argv[1])) as terminal:
        product = terminal.catalog.find_by_code("1")
        for _ in range(10_000):
            receipt = Receipt()
            receipt.add_line(ReceiptLine(
                plu=product.plu, name=product.name, unit=product.unit,
                precision=product.precision, unit_price=product.price, qty=1000,
                vat_letter=product.vat_letter, product_id=product.id))
            doc = terminal.ledger.commit_receipt(
                receipt, [Payment("gotowka", "gotówka", receipt.total)],
                kind="faktura", buyer=buyer, cashier=cashier, now=now)
            print(doc.invoice_number, flush=True)
    """
)


def test_invoice_numbering_is_gapless_under_kill_9(demo_dir: Path, tmp_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(_WRITER, encoding="utf-8")
    rng = random.Random(14)
    reported: list[str] = []
    for _ in range(4):
        proc = subprocess.Popen(
            [sys.executable, str(script), str(demo_dir)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
        )
        time.sleep(1.5 + rng.random() * 1.5)  # startup, then a random point among commits
        os.kill(proc.pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL, err
        reported += out.split()
    assert reported, "the writer committed nothing before it was killed"
    with open_terminal(demo_dir) as terminal:
        stored = [
            row[0]
            for row in terminal.ledger._db.execute_sql(  # noqa: SLF001
                "SELECT invoice_number FROM document WHERE invoice_number IS NOT NULL ORDER BY number"
            ).fetchall()
        ]
    # gapless and never reused: 0001..N in commit order
    assert stored == [f"FV/K1/11/2026/{n:04d}" for n in range(1, len(stored) + 1)]
    # everything a writer reported as committed is stored (at most one commit may have
    # landed after its last line was printed)
    assert set(reported) <= set(stored)
    assert len(stored) - len(reported) <= 4


def test_the_daily_report_counts_the_faktury_apart_from_the_receipts(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    receipt = sell([(MLEKO, 1000)])
    invoice = sell([(MLEKO, 2000)], kind="faktura", buyer=FIRMA)
    report, printout = Till(demo_terminal).reports.make_daily_report(CASHIER, NOW)
    sums = report.sums
    # both are sales of the day; the Faktura is counted apart, not as a receipt
    assert (sums.receipts, sums.receipts_total) == (2, receipt.total + invoice.total)
    assert (sums.invoices, sums.invoices_total) == (1, invoice.total)
    printed = demo_terminal.ledger.get_document(report.uuid)
    assert printed.extra["invoices"] == 1 and printed.extra["invoices_total"] == invoice.total
    lines = [" ".join(line.split()) for line in printout.text.splitlines()]
    amount = lambda grosze: f"{grosze // 100},{grosze % 100:02d}"  # noqa: E731
    assert f"Paragony: 1 {amount(receipt.total)}" in lines
    assert f"Faktury: 1 {amount(invoice.total)}" in lines
