"""Helpers of the return service tests (imported by the test modules)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ipos_tui.domain.receipt import Discount, Receipt, ReceiptLine
from ipos_tui.store.db import Terminal
from ipos_tui.domain.records import PERM_RETURNS, User

NOW = datetime(2026, 11, 26, 12, 4, tzinfo=timezone(timedelta(hours=1)))
MANAGER = User(1, "1001", "Anna Kowalska", "kierownik", frozenset({PERM_RETURNS}))
CASHIER = User(2, "1002", "Jan Nowak", "kasjer", frozenset())


def receipt_of(
    terminal: Terminal,
    items: list[tuple[str, int]],
    *,
    line_discount: Discount | None = None,
    receipt_discount: Discount | None = None,
) -> Receipt:
    """A receipt of (PLU, milli-units) pairs from the till's catalogue."""
    lines = []
    for plu, qty in items:
        product = terminal.catalog.find_by_code(plu)
        assert product is not None, plu
        lines.append(ReceiptLine(product.plu, product.name, product.unit, product.precision,
                                 product.price, qty, product.vat_letter, product.id,
                                 discount=line_discount))
    return Receipt(lines, receipt_discount)
