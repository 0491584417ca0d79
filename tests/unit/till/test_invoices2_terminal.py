"""Correcting invoices for returns against an invoice and "Faktura do paragonu"
(issue 14 item 3): numbering, what is stored, what is printed, line by line."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from terminal_support import CASHIER as SELLER
from terminal_support import NOW

from ipos_tui.domain.errors import DomainError
from ipos_tui.store.db import Terminal, open_terminal
from ipos_tui.till.invoices import invoice_deadline
from ipos_tui.domain.records import Buyer, PaymentMethod, StoredDocument
from ipos_tui.till import Till

MLEKO, KAKAO = "1", "526"
FIRMA = Buyer("5261045731", "Firma Test sp. z o.o.", "ul. Prosta 1, 00-001 Warszawa")
NIP_ONLY = Buyer("7740001454")
CASHIER = replace(SELLER, permissions=frozenset({"returns"}))
CASH = PaymentMethod("gotowka", "gotówka", "cash", allows_change=True)


def _return(terminal: Terminal, stored: StoredDocument, picks: dict[int, int], now: datetime = NOW):
    service = Till(terminal).returns
    source = service.find(stored.code, CASHIER)
    return service.commit(source, picks, CASH, cashier=CASHIER, now=now)


def test_a_return_of_an_invoice_makes_a_numbered_correcting_invoice(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    invoice = sell([(MLEKO, 3000), (KAKAO, 1000)], kind="faktura", buyer=FIRMA)
    plain = sell([(MLEKO, 1000)])
    first = _return(demo_terminal, invoice, {0: 1000}, NOW + timedelta(hours=1))
    second = _return(demo_terminal, invoice, {0: 1000, 1: 1000}, NOW + timedelta(hours=2))
    of_plain = _return(demo_terminal, plain, {0: 1000}, NOW + timedelta(hours=3))
    # the correction series is gapless and apart from the invoices'; a plain return has none
    assert first.invoice_number == "FK/K1/11/2026/0001"
    assert second.invoice_number == "FK/K1/11/2026/0002"
    assert of_plain.invoice_number is None
    detail = demo_terminal.ledger.get_document(second.uuid)
    assert detail.buyer == FIRMA
    record = detail.extra["correction"]
    assert record["invoice_number"] == "FV/K1/11/2026/0001"
    # before this correction: 2 of 3 milk left (one came back), the cocoa whole
    assert [(item["index"], item["qty_before"], item["value_before"]) for item in record["lines"]] == [
        (0, 2000, 698), (1, 1000, 799)
    ]
    assert record["rates"] == {"A": {"gross_before": 799, "vat_before": 149},
                               "C": {"gross_before": 698, "vat_before": 33}}


def test_the_correcting_invoice_printout_line_by_line(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    invoice = sell([(MLEKO, 3000), (KAKAO, 1000)], kind="faktura", buyer=FIRMA)
    stored = _return(demo_terminal, invoice, {0: 1000}, NOW + timedelta(hours=1))
    printed = Till(demo_terminal).returns.print_correction(stored.uuid, NOW + timedelta(hours=1))
    assert printed is not None and printed.kind == "invoice_correction"
    assert printed.document_uuid == stored.uuid
    assert printed.text.splitlines()[1:] == [
        "           FAKTURA KORYGUJĄCA",
        "2026-11-26 13:04        Wydruk nr 000001",
        "----------------------------------------",
        "Nr FK/K1/11/2026/0001",
        "Data wystawienia:             2026-11-26",
        "Do faktury:           FV/K1/11/2026/0001",
        "  z dnia                      2026-11-26",
        "Data sprzedaży:               2026-11-26",
        "Paragon:                       K1-000001",
        "Zwrot:                           Z000001",
        "----------------------------------------",
        "Sprzedawca:",
        "  Handel Centrum sp. z o.o.",
        "  ul. Marszałkowska 104, 00-017 Warszawa",
        "  NIP: 526-104-57-31",
        "Nabywca:",
        "  Firma Test sp. z o.o.",
        "  ul. Prosta 1, 00-001 Warszawa",
        "  NIP: 526-104-57-31",
        "----------------------------------------",
        "Przyczyna korekty: Zwrot towaru",
        "----------------------------------------",
        "1. Mleko 3,2% 1l",
        "  przed: 3 szt.                  10,47 C",
        "  po:    2 szt.                   6,98 C",
        "  różnica: -1 szt.               -3,49 C",
        "----------------------------------------",
        "Przed korektą:",
        "Stawka      Netto        VAT     Brutto",
        "A 23%        6,50       1,49       7,99",
        "C 5%         9,97       0,50      10,47",
        "Razem       16,47       1,99      18,46",
        "Po korekcie:",
        "A 23%        6,50       1,49       7,99",
        "C 5%         6,65       0,33       6,98",
        "Razem       13,15       1,82      14,97",
        "Różnica:",
        "C 5%        -3,32      -0,17      -3,49",
        "Razem       -3,32      -0,17      -3,49",
        "----------------------------------------",
        "KWOTA KOREKTY PLN                  -3,49",
        "DO ZWROTU PLN                       3,49",
        "Forma zwrotu: gotówka               3,49",
        "----------------------------------------",
        "Wystawił: Anna Kowalska           Kasa 1",
        "",
        "Podpis odbiorcy: ....................",
    ]
    # the return's own printout names its correcting invoice
    ret = Till(demo_terminal).returns.print_return(stored.uuid, NOW + timedelta(hours=1))
    assert "Korekta:              FK/K1/11/2026/0001" in ret.text.splitlines()


def test_faktura_do_paragonu_only_for_a_nip_receipt_once_and_in_time(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    service = Till(demo_terminal).invoices
    plain = sell([(MLEKO, 1000)])
    invoice = sell([(MLEKO, 1000)], kind="faktura", buyer=FIRMA)
    nip = sell([(MLEKO, 2000), (KAKAO, 1000)], kind="paragon_nip", buyer=NIP_ONLY)
    with pytest.raises(DomainError) as error:
        service.find_receipt(plain.code, NOW)
    assert error.value.key == "invoices2.err.not_nip"
    with pytest.raises(DomainError) as error:
        service.find_receipt(invoice.code, NOW)
    assert error.value.key == "invoices2.err.is_invoice"
    with pytest.raises(DomainError) as error:
        service.find_receipt("K1-000099", NOW)
    assert error.value.key == "invoices2.err.not_found"
    # the buyer may ask until the end of the third month after the sale's (art. 106b ust. 3)
    assert invoice_deadline(date(2026, 11, 26)) == date(2027, 2, 28)
    with pytest.raises(DomainError) as error:
        service.find_receipt(nip.code, datetime(2027, 3, 1, 9, 0, tzinfo=NOW.tzinfo))
    assert error.value.key == "invoices2.err.too_late"
    receipt = service.find_receipt(nip.code, datetime(2027, 2, 28, 18, 0, tzinfo=NOW.tzinfo))
    issued = service.issue_for_receipt(receipt, "Firma Test", "ul. Prosta 1", cashier=CASHIER,
                                       now=NOW + timedelta(days=1))
    # the next number of the invoice series (after the Faktura sold at the till)
    assert issued.invoice_number == "FV/K1/11/2026/0002"
    assert issued.doc_type == "invoice" and issued.number == 1
    stored = demo_terminal.ledger.get_document(issued.uuid)
    assert stored.buyer == Buyer("7740001454", "Firma Test", "ul. Prosta 1")
    assert stored.total == nip.total and stored.extra["receipt"]["number"] == nip.number
    with pytest.raises(DomainError) as error:
        service.find_receipt(nip.code, NOW + timedelta(days=2))
    assert error.value.key == "invoices2.err.has_invoice"
    with pytest.raises(DomainError) as error:  # checked again when storing
        service.issue_for_receipt(receipt, "X", "Y", cashier=CASHIER, now=NOW + timedelta(days=2))
    assert error.value.key == "invoices2.err.has_invoice"
    assert demo_terminal.ledger.last_number("invoice") == 1


def test_faktura_do_paragonu_is_not_a_second_sale(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    drawer = Till(demo_terminal).cash
    drawer.open_shift(10_000, cashier=CASHIER, now=NOW - timedelta(hours=1))
    nip = sell([(MLEKO, 2000), (KAKAO, 1000)], kind="paragon_nip", buyer=NIP_ONLY)
    reports = Till(demo_terminal).reports
    before, cash_before = reports.open_day(), drawer.drawer()
    service = Till(demo_terminal).invoices
    service.issue_for_receipt(service.find_receipt(nip.code, NOW), "Firma Test", "ul. Prosta 1",
                              cashier=CASHIER, now=NOW + timedelta(minutes=5))
    after = reports.open_day()
    # the day counts the one receipt, its VAT and payment once; the drawer is unchanged
    assert after == before
    assert after.receipts == 1 and after.receipts_total == nip.total
    assert drawer.drawer() == cash_before and cash_before.cash == 10_000 + nip.total


def _sale_invoice_text(terminal: Terminal, sell: Callable[..., StoredDocument]) -> list[str]:
    from ipos_tui.devices.printout import render_receipt

    stored = sell([(MLEKO, 3000), (KAKAO, 1000)], kind="faktura", buyer=FIRMA)
    settings = terminal.settings
    return render_receipt(terminal.ledger.get_document(stored.uuid), settings.company(),
                          settings.store(), settings.terminal_info()).splitlines()


def test_the_invoice_printed_at_the_sale_has_what_a_polish_invoice_needs(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    lines = _sale_invoice_text(demo_terminal, sell)
    # seller and buyer with NIP, sale and issue date, net / VAT / gross per rate, payment
    assert lines[4:] == [
        "2026-11-26 12:04             Nr: F000001",
        "                FAKTURA",
        "         Nr FV/K1/11/2026/0001",
        "Data sprzedaży:               2026-11-26",
        "Data wystawienia:             2026-11-26",
        "Sprzedawca:",
        "  Handel Centrum sp. z o.o.",
        "  ul. Marszałkowska 104, 00-017 Warszawa",
        "  NIP: 526-104-57-31",
        "Nabywca:",
        "  Firma Test sp. z o.o.",
        "  ul. Prosta 1, 00-001 Warszawa",
        "  NIP: 526-104-57-31",
        "----------------------------------------",
        "Mleko 3,2% 1l",
        "  3 szt. x 3,49                  10,47 C",
        "Kakao naturalne 150g",
        "  1 szt. x 7,99                   7,99 A",
        "----------------------------------------",
        "SPRZEDAŻ OPODATKOWANA A             7,99",
        "PTU A 23%                           1,49",
        "SPRZEDAŻ OPODATKOWANA C            10,47",
        "PTU C 5%                            0,50",
        "SUMA PTU                            1,99",
        "SUMA PLN                           18,46",
        "----------------------------------------",
        "Stawka      Netto        VAT     Brutto",
        "A 23%        6,50       1,49       7,99",
        "C 5%         9,97       0,50      10,47",
        "Razem       16,47       1,99      18,46",
        "----------------------------------------",
        "Sposób zapłaty:",
        "Gotówka                            18,46",
        "Zapłacono w całości.",
        "----------------------------------------",
        "Kasjer: Anna Kowalska             Kasa 1",
        "Kod: K1-F000001                 12:04:00",
        "          \u2503\u2579\u257b\u257b\u2579\u2579\u2579\u257b\u2579\u2579\u257b\u257b\u2579\u2503\u2579\u00b7\u2503\u257b\u2503",
        "               0110000013",
    ]


def test_the_invoice_for_a_receipt_printout_line_by_line(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    nip = sell([(MLEKO, 2000), (KAKAO, 1000)], kind="paragon_nip", buyer=NIP_ONLY)
    service = Till(demo_terminal).invoices
    later = NOW + timedelta(days=5)
    issued = service.issue_for_receipt(service.find_receipt(nip.code, later), "Firma Test sp. z o.o.",
                                       "ul. Prosta 1, 00-001 Warszawa", cashier=CASHIER, now=later)
    printed = service.print_invoice(issued.uuid, later)
    assert printed.kind == "invoice" and printed.document_uuid == issued.uuid
    # numbered in the month it is issued; the receipt and the sale's day named
    assert printed.text.splitlines() == [
        "           WYDRUK NIEFISKALNY",
        "                FAKTURA",
        "2026-12-01 12:04        Wydruk nr 000001",
        "----------------------------------------",
        "Nr FV/K1/12/2026/0001",
        "Data wystawienia:             2026-12-01",
        "Data sprzedaży:               2026-11-26",
        "Do paragonu fiskalnego:        K1-000001",
        "  z dnia                2026-11-26 12:04",
        "----------------------------------------",
        "Sprzedawca:",
        "  Handel Centrum sp. z o.o.",
        "  ul. Marszałkowska 104, 00-017 Warszawa",
        "  NIP: 526-104-57-31",
        "Nabywca:",
        "  Firma Test sp. z o.o.",
        "  ul. Prosta 1, 00-001 Warszawa",
        "  NIP: 774-000-14-54",
        "----------------------------------------",
        "Nazwa / ilość x cena brutto      Wartość",
        "1. Mleko 3,2% 1l",
        "  2 szt. x 3,49                   6,98 C",
        "2. Kakao naturalne 150g",
        "  1 szt. x 7,99                   7,99 A",
        "----------------------------------------",
        "Stawka      Netto        VAT     Brutto",
        "A 23%        6,50       1,49       7,99",
        "C 5%         6,65       0,33       6,98",
        "Razem       13,15       1,82      14,97",
        "----------------------------------------",
        "RAZEM PLN                          14,97",
        "Sposób zapłaty: gotówka            14,97",
        "Zapłacono przy paragonie.",
        "----------------------------------------",
        "Wystawił: Anna Kowalska           Kasa 1",
    ]


_WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timedelta, timezone
    from pathlib import Path
    from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine
    from ipos_tui.store.db import open_terminal
    from ipos_tui.domain.records import Buyer, PaymentMethod, User
    from ipos_tui.till import Till

    cashier = User(id=1, identifier="1001", name="Anna", role="kierownik",
                   permissions=frozenset({"returns"}))
    buyer = Buyer("5261045731", "Firma Test", "ul. Prosta 1")
    cash = PaymentMethod("gotowka", "gotówka", "cash")
    now = datetime(2026, 11, 26, 12, 4, tzinfo=timezone(timedelta(hours=1)))
    with open_terminal(Path(sys.argv[1])) as terminal:
        product = terminal.catalog.find_by_code("1")
        till = Till(terminal)
        invoices, returns = till.invoices, till.returns

        def sell(kind, buyer):
            receipt = Receipt()
            receipt.add_line(ReceiptLine(
                plu=product.plu, name=product.name, unit=product.unit,
                precision=product.precision, unit_price=product.price, qty=2000,
                vat_letter=product.vat_letter, product_id=product.id))
            return terminal.ledger.commit_receipt(
                receipt, [Payment("gotowka", "gotówka", receipt.total)],
                kind=kind, buyer=buyer, cashier=cashier, now=now)

        for _ in range(10_000):
            sold = sell("faktura", buyer)
            print(sold.invoice_number, flush=True)
            nip = sell("paragon_nip", Buyer("5261045731"))
            receipt = invoices.find_receipt(nip.code, now)
            print(invoices.issue_for_receipt(receipt, "Firma", "Adres", cashier=cashier,
                                             now=now).invoice_number, flush=True)
            source = returns.find(sold.code, cashier)
            print(returns.commit(source, {0: 1000}, cash, cashier=cashier, now=now).invoice_number,
                  flush=True)
    """
)


def test_invoice_and_correction_numbering_is_gapless_under_kill_9(demo_dir: Path, tmp_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(_WRITER, encoding="utf-8")
    rng = random.Random(1414)
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
    with open_terminal(demo_dir) as terminal:
        rows = terminal.db.execute_sql(
            "SELECT doc_type, invoice_number FROM document WHERE invoice_number IS NOT NULL ORDER BY id"
        ).fetchall()
        invoices = [number for doc_type, number in rows if doc_type in ("sale_invoice", "invoice")]
        corrections = [number for doc_type, number in rows if doc_type == "return"]
        # one invoice per receipt, whatever was killed when
        assert terminal.db.execute_sql(
            "SELECT count(*) FROM document WHERE doc_type = 'invoice'"
        ).fetchone()[0] == terminal.ledger.last_number("invoice")
    assert any(number.startswith("FK/") for number in reported), "no correction before the kills"
    # invoices (sold and for receipts) share one gapless series; corrections their own
    assert invoices == [f"FV/K1/11/2026/{n:04d}" for n in range(1, len(invoices) + 1)]
    assert corrections == [f"FK/K1/11/2026/{n:04d}" for n in range(1, len(corrections) + 1)]
    assert set(reported) <= set(invoices) | set(corrections)
    assert len(invoices) + len(corrections) - len(reported) <= 4


def test_the_database_itself_refuses_a_second_invoice_for_a_receipt(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    import sqlite3

    from ipos_tui.store.ledger import DocumentDraft

    nip = sell([(MLEKO, 1000)], kind="paragon_nip", buyer=NIP_ONLY)
    service = Till(demo_terminal).invoices
    service.issue_for_receipt(service.find_receipt(nip.code, NOW), "Firma", "Adres", cashier=CASHIER, now=NOW)
    twin = DocumentDraft(doc_type="invoice", kind="faktura", total=nip.total,
                         extra={"receipt": {"terminal_id": 1, "number": nip.number}},
                         invoice_series="FV")
    with pytest.raises(sqlite3.IntegrityError, match="document_invoice_of_receipt"):  # till migration 10
        demo_terminal.ledger.commit_document(twin, cashier=CASHIER, now=NOW)
    # the failed commit used no number of either series
    assert demo_terminal.ledger.last_number("invoice") == 1
    assert demo_terminal.ledger.last_number("FV/K1/2026-11") == 1


def test_faktura_do_paragonu_after_a_partial_return_invoices_what_the_buyer_kept(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    nip = sell([(MLEKO, 3000), (KAKAO, 1000)], kind="paragon_nip", buyer=NIP_ONLY)
    _return(demo_terminal, nip, {0: 1000}, NOW + timedelta(minutes=5))  # one milk back
    service = Till(demo_terminal).invoices
    later = NOW + timedelta(minutes=10)
    issued = service.issue_for_receipt(service.find_receipt(nip.code, later), FIRMA.name, FIRMA.address,
                                       cashier=CASHIER, now=later)
    detail = demo_terminal.ledger.get_document(issued.uuid)
    # two milks and the cocoa: quantities, values, VAT again at the receipt's rates, payments
    assert [(line.name, line.qty, line.value) for line in detail.lines] == [
        ("Mleko 3,2% 1l", 2000, 698), ("Kakao naturalne 150g", 1000, 799)]
    assert detail.total == 1497
    assert {letter: (v.net, v.vat, v.gross) for letter, v in detail.vat.items()} == {
        "A": (650, 149, 799), "C": (665, 33, 698)}
    assert [(p.method, p.amount - p.change) for p in detail.payments] == [("gotowka", 1497)]
    text = service.print_invoice(issued.uuid, later).text.splitlines()
    assert "  pomniejszonego o zwrot towaru" in text
    assert "RAZEM PLN                          14,97" in text
    assert "Sposób zapłaty: gotówka            14,97" in text
    # a later return of it corrects the invoice from what it says ("before": 2 milks)
    correction = _return(demo_terminal, nip, {0: 1000}, NOW + timedelta(minutes=20))
    record = demo_terminal.ledger.get_document(correction.uuid).extra["correction"]
    assert record["invoice_number"] == issued.invoice_number
    assert [(item["qty_before"], item["value_before"]) for item in record["lines"]] == [(2000, 698)]
    assert record["rates"]["C"] == {"gross_before": 698, "vat_before": 33}


def test_no_invoice_for_a_fully_returned_receipt(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    nip = sell([(MLEKO, 2000)], kind="paragon_nip", buyer=NIP_ONLY)
    _return(demo_terminal, nip, {0: 1000}, NOW + timedelta(minutes=5))
    _return(demo_terminal, nip, {0: 1000}, NOW + timedelta(minutes=6))
    with pytest.raises(DomainError) as error:
        Till(demo_terminal).invoices.find_receipt(nip.code, NOW + timedelta(minutes=10))
    assert error.value.key == "invoices2.err.returned"


def test_a_return_made_while_the_buyer_details_are_typed_is_taken_into_account(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    nip = sell([(MLEKO, 2000)], kind="paragon_nip", buyer=NIP_ONLY)
    service = Till(demo_terminal).invoices
    receipt = service.find_receipt(nip.code, NOW)  # the form opens with the whole receipt
    _return(demo_terminal, nip, {0: 1000}, NOW + timedelta(minutes=1))  # meanwhile, at another counter
    issued = service.issue_for_receipt(receipt, FIRMA.name, FIRMA.address, cashier=CASHIER, now=NOW)
    detail = demo_terminal.ledger.get_document(issued.uuid)
    assert [(line.qty, line.value) for line in detail.lines] == [(1000, 349)] and detail.total == 349


def test_the_cashier_picks_the_reason_of_a_correcting_invoice(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    invoice = sell([(MLEKO, 2000)], kind="faktura", buyer=FIRMA)
    service = Till(demo_terminal).returns
    source = service.find(invoice.code, CASHIER)
    with pytest.raises(DomainError) as error:  # only the reasons the till offers
        service.commit(source, {0: 1000}, CASH, cashier=CASHIER, now=NOW, reason="Bo tak")
    assert error.value.key == "ret.err.reason"
    stored = service.commit(source, {0: 1000}, CASH, cashier=CASHIER, now=NOW, reason="Reklamacja towaru")
    assert demo_terminal.ledger.get_document(stored.uuid).extra["correction"]["reason"] == "Reklamacja towaru"
    printed = service.print_correction(stored.uuid, NOW)
    assert printed is not None and "Przyczyna korekty: Reklamacja towaru" in printed.text.splitlines()
