"""A card payment as the payment application (:mod:`ipos_tui.devices.card_app`)
recorded it: a value the screens list without reaching the device."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

CardState = Literal["approved", "reversed"]
#: A card payment takes money from the card; a refund gives it back (a return).
CardKind = Literal["payment", "refund"]


@dataclass(frozen=True)
class CardTransaction:
    """One card payment as the payment application recorded it."""

    id: int
    created_local: datetime
    amount: int
    auth_code: str
    card_masked: str
    receipt_uuid: str | None
    receipt_number: int | None
    state: CardState
    #: "refund": money given back to the card (linked to a return document)
    kind: CardKind = "payment"

    @property
    def signed_amount(self) -> int:
        """The amount as it moves the card period's total (a refund is negative)."""
        return -self.amount if self.kind == "refund" else self.amount
