"""Helpers of the till database tests (imported by the test modules), and their fixtures
(registered for every test by tests/conftest.py): ``fresh``, an empty migrated till
database on a file, and ``sell``, a one-call cash sale on the demo till."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ipos_tui.domain.receipt import Discount, Payment, Receipt, ReceiptLine
from ipos_tui.domain.records import StoredDocument, User
from ipos_tui.store.db import Terminal, open_terminal

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


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Terminal]:
    """An empty, migrated terminal database."""
    with open_terminal(tmp_path / "fresh") as terminal:
        yield terminal


@pytest.fixture
def sell(demo_terminal: Terminal) -> Callable[..., StoredDocument]:
    """Sell (PLU, milli) items on the demo terminal, paid exactly in cash."""

    def _sell(
        items: list[tuple[str, int]], now: datetime = NOW, **kwargs: object
    ) -> StoredDocument:
        receipt = receipt_of(demo_terminal, items)
        payment = Payment("gotowka", "gotówka", receipt.total)
        return demo_terminal.ledger.commit_receipt(  # type: ignore[arg-type]
            receipt, [payment], cashier=CASHIER, now=now, **kwargs
        )

    return _sell
