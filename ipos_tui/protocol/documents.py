"""What every pushed document shares: its types, header, lines, payments, the buyer,
the manager's authorisations and the sale a document refers to. The documents
themselves are in :mod:`ipos_tui.protocol.sales` and :mod:`ipos_tui.protocol.cash`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final, Literal
from uuid import UUID

from pydantic import ConfigDict, Field, Strict

from ipos_tui.protocol.base import (
    Id32,
    NonNegativeGrosze,
    Thousandths,
    VatLetter,
    WireModel,
)

DocumentType = Literal["receipt", "sale_invoice", "return", "cash_operation", "daily_report"]
DOCUMENT_TYPES: Final[tuple[str, ...]] = ("receipt", "sale_invoice", "return", "cash_operation",
                                          "daily_report")
#: Documents of a sale: a receipt, and a sale documented by an invoice at the till
#: (a Faktura, numbered apart from the receipts: a receipt's number is never taken
#: by an invoice).
SALE_TYPES: Final[tuple[str, ...]] = ("receipt", "sale_invoice")
#: The rate of each VAT letter a document was sold at, in basis points (2300 = 23 %),
#: ``None`` for an exempt letter ("zw.").
DocumentRates = dict[Annotated[str, Field(pattern=r"^[A-G]$")],
                     Annotated[int, Strict(), Field(ge=0, le=10_000)] | None]


class DocumentLine(WireModel):
    """A sold (or returned) item with the values it had at sale time.

    ``qty`` is in thousandths of the unit; ``discount`` is every discount on the line
    (its own and its share of a receipt discount); ``value`` is what the customer
    pays: round_half_up(unit_price × qty / 1000) − discount.
    """

    name: str = Field(min_length=1, max_length=80)
    plu: str | None = Field(default=None, max_length=20)
    product_id: Id32 | None = None
    unit: str = Field(default="szt.", max_length=20)
    vat: VatLetter
    unit_price: NonNegativeGrosze
    qty: Thousandths
    discount: NonNegativeGrosze = 0
    value: NonNegativeGrosze
    #: Return lines: index of the line of the original receipt being returned.
    original_line: int | None = Field(default=None, ge=0, le=1000)


class DocumentPayment(WireModel):
    """One tender: ``amount`` handed over, ``change`` given back (cash only)."""

    method: str = Field(min_length=1, max_length=40)
    amount: NonNegativeGrosze
    change: NonNegativeGrosze = 0


class Authorisation(WireModel):
    """A manager's consent to an action the cashier may not do alone: the user who
    typed their identifier and PIN on the till, holding ``permission`` (a permission
    name as the back office grants them: "free_discount", "void" …), when, and which
    action it was (``detail``, e.g. "Jogurt grecki -10%"; free text for people).

    ``permission`` is any short name, not a fixed list: a newer till may authorise
    an action this back office does not know yet, and its document is still taken.
    """

    permission: str = Field(min_length=1, max_length=40)
    user_id: Id32 | None = None
    identifier: str | None = Field(default=None, max_length=40)
    name: str = Field(min_length=1, max_length=80)
    at: datetime | None = None
    detail: str | None = Field(default=None, max_length=200)


class DocumentBase(WireModel):
    """Header every document carries. ``number`` is gapless per (terminal, type).

    ``authorisations`` (optional on every version, left out when empty): who allowed
    actions on this document the cashier may not do alone — a free discount or price
    change on a receipt, a return, a cash operation, a daily report. A till that does
    not send them (older builds) uploads its documents exactly as before.
    """

    model_config = ConfigDict(extra="ignore")

    uuid: UUID
    number: Id32
    store_id: Id32
    created_at: datetime
    cashier_id: Id32 | None = None
    cashier_identifier: str | None = Field(default=None, max_length=40)
    cashier_name: str | None = Field(default=None, max_length=80)
    authorisations: list[Authorisation] | None = Field(default=None, max_length=100)


class Buyer(WireModel):
    """The customer named on an invoice or a receipt with NIP.

    ``nip`` as the terminal took it (the back office validates it and stores its 10
    digits); ``name`` and ``address`` are left out when empty (a NIP receipt has none).
    """

    nip: str = Field(min_length=1, max_length=20)
    name: str | None = Field(default=None, max_length=120)
    address: str | None = Field(default=None, max_length=200)

class OriginalReceipt(WireModel):
    """The sale a return (or an invoice) refers to: a receipt unless ``type`` says it
    was a Faktura (``sale_invoice``, left out when "receipt")."""

    terminal_id: Id32
    number: Id32
    type: Literal["receipt", "sale_invoice"] = "receipt"
