"""Sales by category in the periodic report (receipts less returns, per category)."""

from __future__ import annotations

from datetime import timedelta

from terminal_support import CASHIER, NOW, receipt_of

from ipos_tui.domain.receipt import Payment
from ipos_tui.store.db import Terminal
from ipos_tui.till.reports import category_lines
from ipos_tui.till import Till


def test_sales_by_category_sums_each_category(demo_terminal: Terminal) -> None:
    catalog = demo_terminal.catalog
    names = {c.id: c.name for c in catalog.categories()}
    receipt = receipt_of(demo_terminal, [("1", 2000), ("201", 1234), ("1401", 3000)])
    expected: dict[str, int] = {}
    for line in receipt.lines:
        product = catalog.find_by_code(line.plu)
        assert product is not None
        category = names.get(product.category_id) if product.category_id else None
        expected[category or ""] = expected.get(category or "", 0) + line.value
    demo_terminal.ledger.commit_receipt(
        receipt, [Payment("gotowka", "gotówka", receipt.total)], cashier=CASHIER, now=NOW
    )
    day = NOW.date()
    rows = Till(demo_terminal).reports.sales_by_category(day, day)
    assert sum(total for _, total in rows) == receipt.total
    assert dict(rows) == {k: v for k, v in expected.items() if v}
    assert Till(demo_terminal).reports.sales_by_category(day + timedelta(days=1),
                                                       day + timedelta(days=1)) == []
    lines = category_lines(rows)
    assert lines[1] == "SPRZEDAŻ WG KATEGORII" and all(len(x) <= 40 for x in lines)
    assert category_lines([]) == []
