"""Fixtures of the terminal database tests: fresh and demo-seeded terminals on
file databases under tmp_path (never :memory:), and a one-call sale helper."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from terminal_support import CASHIER, NOW, receipt_of

from ipos_tui.domain.receipt import Payment
from ipos_tui.store.db import Terminal, open_terminal
from ipos_tui.domain.records import StoredDocument


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
