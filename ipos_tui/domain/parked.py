"""The open (parked) receipts as the till hands them out: value types, no I/O.

They sit in the domain so that the UI may name them; the database side lives in
``ipos_tui.store.parked``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ipos_tui.domain.receipt import Receipt

#: At most this many open receipts: each is picked with one digit on the list.
MAX_PARKED: Final = 9


@dataclass(frozen=True)
class ParkedSummary:
    """One open receipt as the list shows it."""

    id: int
    number: int
    source: str
    line_count: int
    total: int
    is_current: bool
    #: who opened it (None: nobody yet, an empty slot, or one of the back office)
    cashier_id: int | None = None


@dataclass(frozen=True)
class OpenReceipt:
    """The current receipt: its slot and the domain receipt restored from storage."""

    id: int
    number: int
    receipt: Receipt
