"""Deposits ("kaucja", the Polish deposit system) on the till (issue 14, item 7).

A product with a deposit adds it with every piece sold: outside VAT and the fiscal
total (the per-letter sums equal a Decimal computation over the line values alone),
paid with the receipt (the customer pays total + deposits), printed in its own
"KAUCJA" section and counted apart in the daily report. A deposit return (menu 9)
pays cash back as a cash operation with its own printout, listed in 5. Transakcje as
"Zwrot kaucji".

Bad input tried: 0 containers, letters, a deposit per piece of 0, a return larger
than the drawer holds (cash management on), Esc in the form (nothing stored).
"""

from __future__ import annotations

import dataclasses
from decimal import ROUND_HALF_UP, Decimal

from ipos_tui.domain.vat import VAT_RATES
from ipos_tui.demo.terminal import demo_snapshot
from ipos_tui.ui.dialogs import FormDialog, TextViewDialog
from ipos_tui.ui.screens.registration import RegistrationScreen

from ui_helpers import enter_code, login, screen_text, status

WATER = "Woda mineralna niegazowana 1,5l"


def with_deposit(terminal, name: str = WATER, deposit: int = 50):  # type: ignore[no-untyped-def]
    """The demo catalogue, ``name`` carrying a deposit per piece (as a sync brings it)."""
    snapshot = demo_snapshot()
    products = tuple(dataclasses.replace(p, deposit=deposit) if p.name == name else p
                     for p in snapshot.products)
    terminal.catalog.replace_all(dataclasses.replace(snapshot, products=products))
    return next(p for p in products if p.name == name)


def decimal_vat(lines) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """VAT per letter from the gross line values, by hand: gross x rate / (100 + rate)."""
    gross: dict[str, int] = {}
    for line in lines:
        gross[line.vat_letter] = gross.get(line.vat_letter, 0) + line.value
    out = {}
    for letter, value in gross.items():
        rate = VAT_RATES[letter]
        out[letter] = 0 if rate is None else int(
            (Decimal(value) * Decimal(rate) / (Decimal(10_000) + Decimal(rate))).quantize(
                Decimal(1), rounding=ROUND_HALF_UP))
    return out


async def test_a_sale_charges_the_deposit_apart_from_vat_and_the_total(make_app) -> None:
    app = make_app()
    water = with_deposit(app.terminal)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, water.plu)
        await enter_code(pilot, water.plu)  # two bottles: one line, 2 x 0,50 deposit
        await enter_code(pilot, "1")  # milk: no deposit
        receipt = app.receipt
        assert receipt.total == 2 * water.price + 349
        assert receipt.deposit_total == 100 and receipt.payable == receipt.total + 100
        vat_before = {letter: t.vat for letter, t in receipt.vat_totals().items()}
        assert vat_before == decimal_vat(receipt.lines)  # deposits take no part in VAT
        text = screen_text(pilot)
        assert "DO ZAPŁATY:  9,07\xa0zł" in text  # 2 x 2,29 + 3,49 + 1,00
        assert "Paragon 8,07\xa0zł + kaucja 1,00\xa0zł" in text
        await pilot.press("plus")
        await pilot.pause()
        assert "w tym kaucja 1,00\xa0zł  │" in screen_text(pilot)
        await pilot.press("enter")  # exactly, in cash: 9,07
        await pilot.pause()
        (summary, *_rest) = app.terminal.ledger.list_documents(limit=1)
        doc = app.terminal.ledger.get_document(summary.uuid)
        assert doc.total == 807 and sum(p.amount - p.change for p in doc.payments) == 907
        assert {letter: t.vat for letter, t in doc.vat.items()} == vat_before
        assert doc.extra["deposit"] == {"total": 100, "lines": [
            {"name": WATER, "product_id": water.id, "qty": 2, "unit": 50, "value": 100}]}
        journal = app.terminal.db.execute_sql(
            "SELECT text FROM printer_journal WHERE kind = 'receipt' ORDER BY number DESC LIMIT 1"
        ).fetchone()[0]
        assert "SUMA PLN                            8,07" in journal
        assert "KAUCJA RAZEM                        1,00" in journal
        assert "DO ZAPŁATY                          9,07" in journal
        sums = app.till.reports.open_day()
        assert (sums.receipts_total, sums.deposits_collected) == (807, 100)
        assert sum(sums.payments.values()) == 907


async def test_a_parked_receipt_keeps_its_deposits(make_app) -> None:
    app = make_app()
    water = with_deposit(app.terminal)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, water.plu)
    again = make_app()  # a restart reads the open receipt back from its parked copy
    async with again.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        assert again.receipt.deposit_total == 50


async def test_a_deposit_return_pays_cash_back_and_prints(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f2", "9")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        await pilot.press("0", "enter")
        await pilot.pause()
        assert "Liczba opakowań: od 1 do 9999." in screen_text(pilot)
        await pilot.press("backspace", "1", "2", "enter")
        await pilot.pause()
        await pilot.press("enter")  # 0,50 offered
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        text = screen_text(pilot)
        assert "ZWROT KAUCJI" in text and "12 szt. x 0,50" in text and "WYPŁACONO KLIENTOWI" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        assert status(pilot).startswith("Zwrot kaucji nr 1: 12 szt. – wypłać klientowi 6,00")
        (summary, *_rest) = app.terminal.ledger.list_documents(limit=1)
        doc = app.terminal.ledger.get_document(summary.uuid)
        assert (doc.doc_type, doc.kind, doc.total) == ("cash_operation", "out", 600)
        assert doc.extra["purpose"] == "deposit_return"
        sums = app.till.reports.open_day()
        assert (sums.deposits_returned, sums.cash_out, sums.receipts_total) == (600, 600, 0)
        # 5. Transakcje names it a deposit return (not a plain "Wypłata"), as does its printout
        await pilot.press("f2", "5")
        await pilot.pause()
        row = next(line for line in screen_text(pilot).splitlines() if "KO000001" in line)
        assert "Zwrot kaucji" in row and "-6,00\xa0zł" in row and "Wypłata" not in row
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        assert "Zwrot kaucji nr KO000001" in screen_text(pilot)


async def test_escape_stores_nothing_and_a_zero_deposit_is_refused(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f2", "9")
        await pilot.pause()
        await pilot.press("3", "enter", "ctrl+u")
        await pilot.pause()
        app.screen.query_one("#field-unit").value = "0"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        assert "Kwota musi być większa od zera." in screen_text(pilot)
        await pilot.press("escape")  # back to the menu, nothing stored
        await pilot.pause()
        assert not isinstance(app.screen, FormDialog)
        assert app.terminal.ledger.list_documents(limit=1) == []
