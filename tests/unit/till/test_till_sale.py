"""The sale use case (ipos_tui/till/sale.py, issue 16): ringing up and paying a
receipt with no Textual at all; paying is one transaction with the removal of the
open copy and the card authorisations it used."""

from __future__ import annotations

import subprocess
import sys

import pytest
from terminal_support import CASHIER, NOW

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.receipt import Payment
from ipos_tui.devices.card_app import CardApp
from ipos_tui.store.db import Terminal
from ipos_tui.till import Till

MLEKO = "1"


def test_the_till_layer_imports_no_textual() -> None:
    code = "import sys, ipos_tui.till; print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_card_sale_is_rung_up_saved_and_paid_in_one_transaction(demo_terminal: Terminal) -> None:
    sale = Till(demo_terminal).sale
    product = sale.find(MLEKO)
    assert not isinstance(product, tuple)
    sale.add(sale.line(product))
    sale.add(sale.line(product))  # merged: 2 szt.
    sale.save(CASHIER.id)
    assert [(item.number, item.line_count) for item in sale.parked.list_parked()] == [(1, 1)]
    card = Till(demo_terminal).card_app.authorize(sale.receipt.total, NOW)
    stored = sale.pay([Payment("karta", "karta", sale.receipt.total)], cashier=CASHIER, now=NOW,
                      card_ids=[card.id])
    assert stored.total == 698
    # the open copy went with the sale; the card payment is tied to it; a new receipt is open
    assert all(item.line_count == 0 for item in sale.parked.list_parked())
    linked = Till(demo_terminal).card_app.transaction(card.id)
    assert (linked.receipt_uuid, linked.receipt_number) == (stored.uuid, stored.number)
    assert sale.receipt.is_empty and sale.number == 1


def test_a_failure_inside_the_payment_rolls_everything_back(
    demo_terminal: Terminal, monkeypatch: pytest.MonkeyPatch
) -> None:
    sale = Till(demo_terminal).sale
    product = sale.find(MLEKO)
    assert not isinstance(product, tuple)
    sale.add(sale.line(product))
    sale.save(CASHIER.id)
    card = Till(demo_terminal).card_app.authorize(sale.receipt.total, NOW)
    before = demo_terminal.ledger.last_number()

    def power_cut(*_args: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(CardApp, "link_receipt", power_cut)
    with pytest.raises(RuntimeError):
        sale.pay([Payment("karta", "karta", sale.receipt.total)], cashier=CASHIER, now=NOW, card_ids=[card.id])
    # no number used, the receipt still open and stored, the card payment still free
    assert demo_terminal.ledger.last_number() == before
    assert [item.line_count for item in sale.parked.list_parked()] == [1]
    assert len(sale.receipt.lines) == 1
    assert Till(demo_terminal).card_app.transaction(card.id).receipt_uuid is None


def test_unknown_codes_and_letters_missing_on_the_printer_are_refused(demo_terminal: Terminal) -> None:
    sale = Till(demo_terminal).sale
    with pytest.raises(DomainError) as error:
        sale.find("999999999")
    assert error.value.key == "reg.not_found"
    with pytest.raises(DomainError) as error:
        sale.check_letter("G")  # the demo printer's PTU table has no G
    assert error.value.key == "vatdocs.err_not_on_printer"


def test_voiding_logs_the_receipt_and_starts_over(demo_terminal: Terminal) -> None:
    sale = Till(demo_terminal).sale
    product = sale.find(MLEKO)
    assert not isinstance(product, tuple)
    sale.add(sale.line(product, qty=3000))
    sale.save(CASHIER.id)
    sale.void(CASHIER, NOW)
    assert sale.receipt.is_empty
    assert Till(demo_terminal).sale.receipt.is_empty  # as stored: a restart finds it empty
