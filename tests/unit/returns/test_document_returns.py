"""store.document_returns: the lines and refunds of this till's returns of one
original, the one pair of queries the return flow and the invoices read."""

from __future__ import annotations

from collections.abc import Callable

from returns_support import MANAGER, NOW

from ipos_tui.domain.records import PaymentMethod, StoredDocument
from ipos_tui.store.db import Terminal
from ipos_tui.store.document_returns import Refund, ReturnedLine, refunds, returned_lines
from ipos_tui.till import Till

Sell = Callable[..., StoredDocument]
CASH = PaymentMethod("gotowka", "gotówka", "cash", True, 1)
CARD = PaymentMethod("karta", "karta", "card", False, 2)


def test_the_returns_of_one_receipt_and_no_other(demo_terminal: Terminal, sell: Sell) -> None:
    sale = sell([("9", 3000), ("1", 2000)], card=1000)
    other = sell([("9", 1000)])
    service = Till(demo_terminal).returns
    first = service.commit(service.find(sale.code, MANAGER), {0: 1000}, CARD, cashier=MANAGER, now=NOW)
    second = service.commit(service.find(sale.code, MANAGER), {0: 1000, 1: 1000}, CASH,
                            cashier=MANAGER, now=NOW)
    service.commit(service.find(other.code, MANAGER), {0: 1000}, CASH, cashier=MANAGER, now=NOW)
    db, till = demo_terminal.db, sale.terminal_id
    lines = returned_lines(db, till, sale.number)
    values = {(doc.uuid, line.original_line): line.value
              for doc in (first, second) for line in demo_terminal.ledger.get_document(doc.uuid).lines}
    assert sorted(lines, key=lambda r: (r.uuid != first.uuid, r.original_line)) == [
        ReturnedLine(first.uuid, "pending", 0, 1000, values[(first.uuid, 0)]),
        ReturnedLine(second.uuid, "pending", 0, 1000, values[(second.uuid, 0)]),
        ReturnedLine(second.uuid, "pending", 1, 1000, values[(second.uuid, 1)]),
    ]
    assert sorted(refunds(db, till, sale.number), key=lambda r: r.uuid != first.uuid) == [
        Refund(first.uuid, "karta", first.total),
        Refund(second.uuid, "gotowka", second.total),
    ]
    # the type of the original is part of the key: receipt 1 is not invoice 1
    assert returned_lines(db, till, sale.number, "invoice") == []
    assert refunds(db, till, sale.number, "invoice") == []
