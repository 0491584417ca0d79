"""A receipt of the store as the back office's lookup answers it, and the lookup's
signature.

The return flow (:mod:`ipos_tui.till.returns`) asks through a plain
:data:`RemoteLookup` callable; the sync layer (:mod:`ipos_tui.sync.receipts`) builds
one over its HTTP client. Both meet here, below either of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ipos_tui.domain.receipt_code import ReceiptCode
from ipos_tui.domain.records import Buyer, DocumentLine, DocumentPayment


@dataclass(frozen=True)
class RemoteReceipt:
    """A receipt as the back office's lookup answered it, with what it knows was
    already returned of each line (0-based line index → milli-units)."""

    terminal_id: int
    number: int
    store_id: int
    created_local: datetime
    lines: tuple[DocumentLine, ...]
    payments: tuple[DocumentPayment, ...]
    returned: Mapping[int, int] = field(default_factory=dict)
    #: what the returns the back office holds gave back, per payment method code
    refunded: Mapping[str, int] = field(default_factory=dict)
    #: the receipt was a Faktura: its invoice number and buyer (for a correcting invoice)
    invoice_number: str | None = None
    buyer: Buyer | None = None
    #: an invoice issued for it after the sale: (its number, issued when, buyer)
    later_invoice: tuple[str, datetime, Buyer | None] | None = None


#: ``lookup(code)``: the back office's answer about the receipt (or Faktura) ``code``
#: names, or DomainError "ret.err.offline" (no connection), "ret.err.not_found" or
#: "ret.err.other_store".
RemoteLookup = Callable[[ReceiptCode], RemoteReceipt]


__all__ = ["RemoteLookup", "RemoteReceipt"]
