"""VAT of documents at the rates of the till's PTU table, against a Decimal hand
calculation (property test with changed rates); each document keeps its rates; a return
corrects its original's VAT at the original's rate; daily and periodic reports keep
sales and returns per letter (and rate) apart, never negative, with the net as summary."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from terminal_support import CASHIER, NOW

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine
from ipos_tui.domain.vat import MAX_RATE_BP, PTU_LETTERS, rate_totals
from ipos_tui.store.db import Terminal
from ipos_tui.domain.records import PERM_RETURNS, StoredDocument, User
from ipos_tui.store.vat_table import effective_rates
from ipos_tui.till.reports import add_sums
from ipos_tui.till.returns import ReturnService
from ipos_tui.till import Till

MLEKO, PIWO = "1", "1401"  # letters C and A
MANAGER = User(1, "1001", "Anna Kowalska", "kierownik", frozenset({PERM_RETURNS}))


def by_hand(gross: int, rate_bp: int | None) -> int:
    """VAT in ``gross`` at ``rate_bp``: gross × r / (100 % + r), half up, in Decimal."""
    if rate_bp is None or rate_bp == 0:
        return 0
    vat = Decimal(gross) * Decimal(rate_bp) / (Decimal(10_000) + Decimal(rate_bp))
    return int(vat.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _force_table(terminal: Terminal, table: dict[str, int | None]) -> None:
    """Put ``table`` into the printer's PTU table directly (a freshly fiscalised
    printer: no "schodek" between examples)."""
    Till(terminal).printer.vat_table()
    terminal.db.cursor().executemany(
        "INSERT INTO printer_vat (letter, rate_bp, used) VALUES (?, ?, 0) "
        "ON CONFLICT (letter) DO UPDATE SET rate_bp = excluded.rate_bp",
        list(table.items()),
    )


rate_st = st.one_of(st.none(), st.integers(0, MAX_RATE_BP))
table_st = st.fixed_dictionaries({letter: rate_st for letter in PTU_LETTERS})
line_st = st.tuples(st.sampled_from(PTU_LETTERS), st.integers(1, 99_999), st.integers(1, 20))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tables=st.lists(table_st, min_size=1, max_size=3),
       receipts=st.lists(st.lists(line_st, min_size=1, max_size=6), min_size=1, max_size=6))
def test_vat_at_changed_rates_matches_a_decimal_hand_calculation(
    demo_terminal: Terminal, tables: list[dict[str, int | None]], receipts: list[list[tuple[str, int, int]]]
) -> None:
    sold: dict[tuple[str, int | None], int] = defaultdict(int)
    for index, items in enumerate(receipts):
        table = tables[index % len(tables)]  # the table changes between receipts
        _force_table(demo_terminal, table)
        assert effective_rates(demo_terminal.db) == table
        receipt = Receipt([ReceiptLine(f"{n}", f"Towar {n}", "szt.", 0, price, qty * 1000, letter)
                           for n, (letter, price, qty) in enumerate(items)])
        stored = demo_terminal.ledger.commit_receipt(
            receipt, [Payment("gotowka", "gotówka", receipt.total)], cashier=CASHIER, now=NOW)
        doc = demo_terminal.ledger.get_document(stored.uuid)
        gross: dict[str, int] = defaultdict(int)
        for line in doc.lines:
            gross[line.vat_letter] += line.value
            sold[(line.vat_letter, table[line.vat_letter])] += line.value
        assert doc.extra["vat_rates"] == {letter: table[letter] for letter in gross}
        assert {k: (v.gross, v.vat) for k, v in doc.vat.items()} == {
            letter: (value, by_hand(value, table[letter])) for letter, value in gross.items()}
    report, _printout = Till(demo_terminal).reports.make_daily_report(CASHIER, NOW)
    def key(row: tuple[str, int | None, int, int]) -> tuple[str, int]:
        return row[0], -1 if row[1] is None else row[1]

    expected = sorted(((letter, rate, value, by_hand(value, rate)) for (letter, rate), value in sold.items()),
                      key=key)
    got = [(i.letter, i.rate_bp, i.gross, i.vat) for i in report.sums.vat_sales]
    assert got == expected
    assert report.sums.vat_returns == ()
    assert report.sums.vat_total == sum(row[3] for row in expected)


def test_a_letter_missing_from_the_printer_is_refused_and_nothing_stored(demo_terminal: Terminal) -> None:
    Till(demo_terminal).printer.vat_table()
    receipt = Receipt([ReceiptLine("9", "Towar", "szt.", 0, 100, 1000, "G")])
    with pytest.raises(DomainError) as caught:
        demo_terminal.ledger.commit_receipt(receipt, [Payment("gotowka", "g", 100)], cashier=CASHIER, now=NOW)
    assert caught.value.key == "err.vat_letter"
    assert demo_terminal.ledger.last_number("receipt") == 0


def _cash(service: ReturnService):  # type: ignore[no-untyped-def]
    return next(m for m in service.refund_methods() if m.kind == "cash")


def test_reports_keep_sales_and_returns_per_letter_apart(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    sale = sell([(MLEKO, 2000), (PIWO, 3000)])
    service = Till(demo_terminal).returns
    source = service.find(sale.code, MANAGER)
    # all the beer comes back: its letter's net is 0, yet sales and returns both show it
    back = service.commit(source, {1: 3000}, _cash(service), cashier=MANAGER, now=NOW)
    beer = demo_terminal.ledger.get_document(back.uuid)
    report, printout = Till(demo_terminal).reports.make_daily_report(CASHIER, NOW + timedelta(minutes=5))
    sums = report.sums
    doc = demo_terminal.ledger.get_document(sale.uuid)
    assert [(i.letter, i.gross, i.vat) for i in sums.vat_sales] == [
        ("A", doc.vat["A"].gross, doc.vat["A"].vat), ("C", doc.vat["C"].gross, doc.vat["C"].vat)]
    assert [(i.letter, i.rate_bp, i.gross, i.vat) for i in sums.vat_returns] == [
        ("A", 2300, beer.total, beer.vat["A"].vat)]
    assert all(i.gross > 0 and i.vat >= 0 for i in (*sums.vat_sales, *sums.vat_returns))
    assert sums.vat == {"C": doc.vat["C"]}  # the net summary: A is gone
    assert sums.vat_total == doc.vat["C"].vat
    text = printout.text
    assert "Sprzedaż wg stawek PTU:" in text and "Zwroty wg stawek PTU:" in text
    sales_part, returns_part = text.split("Zwroty wg stawek PTU:")
    assert "PTU A 23% brutto" in sales_part and "PTU A 23% brutto" in returns_part.split("Razem")[0]
    assert "-" not in "".join(line.split()[-1] for line in text.splitlines() if line.startswith("PTU "))
    assert "RAZEM NETTO" in text
    # stored and read back: the same sums (a monthly report adds them)
    again = Till(demo_terminal).reports.last_daily_report()
    assert again is not None and again.sums == sums
    assert add_sums([sums, sums]).vat_returns[0].gross == 2 * beer.total


def test_a_return_after_a_rate_change_corrects_the_vat_at_the_original_rate(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    printer = Till(demo_terminal).printer
    assert printer.vat_table()["C"] == 500
    sale = sell([(MLEKO, 3000)])
    reports = Till(demo_terminal).reports
    reports.make_daily_report(CASHIER, NOW)
    assert printer.write_vat_table({"C": 0}, NOW) is not None  # lowering a used letter is fine
    tomorrow = NOW + timedelta(days=1)
    new_sale = sell([(MLEKO, 1000)], now=tomorrow)
    assert demo_terminal.ledger.get_document(new_sale.uuid).vat["C"].vat == 0
    service = Till(demo_terminal).returns
    back = service.commit(service.find(sale.code, MANAGER), {0: 1000}, _cash(service),
                          cashier=MANAGER, now=tomorrow)
    returned = demo_terminal.ledger.get_document(back.uuid)
    assert returned.extra["vat_rates"] == {"C": 500}
    assert returned.vat["C"].vat == by_hand(returned.total, 500) > 0
    report, printout = reports.make_daily_report(CASHIER, tomorrow)
    assert [(i.letter, i.rate_bp) for i in report.sums.vat_sales] == [("C", 0)]
    assert [(i.letter, i.rate_bp, i.vat) for i in report.sums.vat_returns] == [
        ("C", 500, by_hand(returned.total, 500))]
    assert "PTU C 0% brutto" in printout.text and "PTU C 5% brutto" in printout.text
    assert report.sums.vat_total == -by_hand(returned.total, 500)  # the net may be below 0
    period = reports.periodic(NOW.date(), tomorrow.date())
    assert [(i.letter, i.rate_bp) for i in period.sums.vat_sales] == [("C", 0), ("C", 500)]


def test_rate_totals_group_per_letter_and_rate() -> None:
    items = [("C", 500, 105), ("C", 0, 100), ("C", 500, 105), ("A", None, 50), ("B", 800, 0)]
    assert [(i.letter, i.rate_bp, i.gross, i.vat) for i in rate_totals(items)] == [
        ("A", None, 50, 0), ("C", 0, 100, 0), ("C", 500, 210, 10)]
