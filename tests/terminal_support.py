"""Helpers of the terminal database tests (imported by the test modules)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ipos_tui.domain.receipt import Discount, Receipt, ReceiptLine
from ipos_tui.store.db import Terminal
from ipos_tui.domain.records import User

#: A fixed instant for tests (Warsaw winter time).
NOW = datetime(2026, 11, 26, 12, 4, tzinfo=timezone(timedelta(hours=1)))

CASHIER = User(
    id=1, identifier="1001", name="Anna Kowalska", role="kierownik", permissions=frozenset()
)


def receipt_of(
    terminal: Terminal,
    items: list[tuple[str, int]],
    *,
    line_discount: Discount | None = None,
    receipt_discount: Discount | None = None,
) -> Receipt:
    """A receipt of (PLU, quantity in milli-units) pairs from ``terminal``'s catalogue."""
    lines = []
    for plu, qty in items:
        product = terminal.catalog.find_by_code(plu)
        assert product is not None, plu
        lines.append(
            ReceiptLine(
                plu=product.plu,
                name=product.name,
                unit=product.unit,
                precision=product.precision,
                unit_price=product.price,
                qty=qty,
                vat_letter=product.vat_letter,
                product_id=product.id,
                discount=line_discount,
            )
        )
    return Receipt(lines, receipt_discount)
