"""Fixtures of the cash tests: the demo terminal (its payment methods: "gotowka" is
kind cash, "karta" card, "bon" voucher), its cash service, cashiers with and without
the cash permissions, and a helper that sells with given tenders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest

from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine
from ipos_tui.store.db import Terminal
from ipos_tui.domain.records import StoredDocument, User
from ipos_tui.till.cash import CashService
from ipos_tui.till import Till

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=timezone(timedelta(hours=1)))

MANAGER = User(1, "1001", "Anna Kowalska", "kierownik", frozenset({"cash_withdrawal"}))
DEPOSITOR = User(5, "1005", "Ewa Wpłacająca", "kasjer", frozenset({"cash_deposit"}))
CASHIER = User(2, "1002", "Jan Nowak", "kasjer", frozenset({"free_discount"}))


@pytest.fixture
def cash(demo_terminal: Terminal) -> CashService:
    return Till(demo_terminal).cash


def receipt_for(terminal: Terminal, plu: str = "1", qty: int = 1000) -> Receipt:
    """A one-line receipt of ``qty`` milli-units of the product with ``plu``."""
    product = terminal.catalog.find_by_code(plu)
    assert product is not None
    line = ReceiptLine(
        plu=product.plu, name=product.name, unit=product.unit, precision=product.precision,
        unit_price=product.price, qty=qty, vat_letter=product.vat_letter, product_id=product.id,
    )
    return Receipt([line])


@pytest.fixture
def sell(demo_terminal: Terminal) -> Callable[..., StoredDocument]:
    """Sell PLU 1 (Mleko, 3,49 zł) × ``qty`` paid with ``tenders`` (method code,
    amount, change); the default is exact cash."""

    def _sell(tenders: list[tuple[str, int, int]] | None = None, *, qty: int = 1000,
              now: datetime = NOW) -> StoredDocument:
        receipt = receipt_for(demo_terminal, "1", qty)
        if tenders is None:
            tenders = [("gotowka", receipt.total, 0)]
        payments = [Payment(code, code, amount, change) for code, amount, change in tenders]
        return demo_terminal.ledger.commit_receipt(receipt, payments, cashier=MANAGER, now=now)

    return _sell
