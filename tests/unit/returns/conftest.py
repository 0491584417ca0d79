"""Fixtures of the return service tests: the demo till with a few sales on it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from returns_support import MANAGER, NOW, receipt_of

from ipos_tui.domain.receipt import Discount, Payment
from ipos_tui.store.db import Terminal
from ipos_tui.domain.records import StoredDocument


@pytest.fixture
def sell(demo_terminal: Terminal) -> Callable[..., StoredDocument]:
    """Sell on the demo till; ``card`` grosze of the total paid by card, the rest cash."""

    def _sell(items: list[tuple[str, int]], *, card: int = 0, **discounts: Discount | None) -> StoredDocument:
        receipt = receipt_of(demo_terminal, items, **discounts)
        payments = []
        if card:
            payments.append(Payment("karta", "karta", card))
        if receipt.total - card:
            payments.append(Payment("gotowka", "gotówka", receipt.total - card))
        return demo_terminal.ledger.commit_receipt(receipt, payments, cashier=MANAGER, now=NOW)

    return _sell
