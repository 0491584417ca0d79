"""The documents of a sale and what refers to one: receipts, Faktury sold at the till,
returns (and correcting invoices), invoices issued for a receipt, and the receipt
lookup a return starts from (``GET /receipts/{terminal_id}/{number}``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final, Literal

from pydantic import Field

from ipos_tui.protocol.base import (
    Id32,
    NonNegativeGrosze,
    SignedGrosze,
    StrictWireInt,
    VatLetter,
    WireModel,
)
from ipos_tui.protocol.documents import (
    Buyer,
    DocumentBase,
    DocumentLine,
    DocumentPayment,
    DocumentRates,
    OriginalReceipt,
)

#: What a sale was printed as: a plain receipt, an invoice, or a receipt with the
#: buyer's NIP ("paragon z NIP").
ReceiptKind = Literal["paragon", "faktura", "paragon_nip"]
RECEIPT_KINDS: Final[tuple[str, ...]] = ("paragon", "faktura", "paragon_nip")
#: Kinds that name a buyer: an invoice needs its NIP, name and address, a receipt
#: with NIP its NIP. The back office checks the NIP's checksum (it is not checked
#: here: this module imports nothing of ours).
BUYER_FIELDS_REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    "paragon": (),
    "faktura": ("nip", "name", "address"),
    "paragon_nip": ("nip",),
}


class DepositLine(WireModel):
    """A deposit charged with a sale: ``qty`` pieces of ``name`` at ``unit`` grosze."""

    name: str = Field(min_length=1, max_length=80)
    product_id: Id32 | None = None
    qty: int = Field(gt=0, le=99_999)
    unit: NonNegativeGrosze
    value: NonNegativeGrosze


class ReceiptDocument(DocumentBase):
    """A sale. ``total`` = sum of line values = sum of payments' (amount − change).

    ``kind`` (default "paragon", left out when default) is what was printed; ``buyer``
    is required by :data:`BUYER_FIELDS_REQUIRED` for an invoice and a NIP receipt —
    the back office rejects one without it as malformed ("malformed:buyer:missing",
    "malformed:buyer.name:missing", "malformed:buyer.nip:invalid_nip" …).
    """

    type: Literal["receipt"] = "receipt"
    kind: ReceiptKind = "paragon"
    buyer: Buyer | None = None
    #: An invoice's number in the till's own series ("FV/K3/12/2026/0001"); left out
    #: for other kinds.
    invoice_number: str | None = Field(default=None, min_length=1, max_length=40)
    lines: list[DocumentLine] = Field(min_length=1, max_length=1000)
    payments: list[DocumentPayment] = Field(default_factory=list, max_length=20)
    total: NonNegativeGrosze
    vat_totals: dict[VatLetter, SignedGrosze] = Field(default_factory=dict)
    #: deposits charged for returnable packaging ("kaucja"): outside ``total`` and
    #: VAT; the payments cover total + deposit (left out when 0)
    deposit: NonNegativeGrosze = 0
    deposit_lines: list[DepositLine] | None = Field(default=None, max_length=1000)
    #: the rates of its letters the till sold at (the PTU table then in force), so the
    #: back office's reports need not guess them; left out by older tills
    vat_rates: DocumentRates | None = Field(default=None, max_length=7)

    def missing_buyer_field(self) -> str | None:
        """The first buyer field this ``kind`` requires but lacks ("buyer" when there is
        no buyer at all), or ``None`` when complete. Blank text counts as missing."""
        required = BUYER_FIELDS_REQUIRED[self.kind]
        if not required:
            return None
        if self.buyer is None:
            return "buyer"
        for name in required:
            value = getattr(self.buyer, name)
            if value is None or not value.strip():
                return f"buyer.{name}"
        return None


class SaleInvoiceDocument(ReceiptDocument):
    """A sale documented by a VAT invoice printed at the till (a Faktura): the same
    body as a receipt, with ``kind`` "faktura", the buyer in full and
    ``invoice_number`` required. ``number`` is gapless in its own series per till, so
    an invoice never takes a receipt's number. (Tills before this type sent a Faktura
    as a ``receipt`` of kind "faktura"; the back office still takes those.)"""

    type: Literal["sale_invoice"] = "sale_invoice"  # type: ignore[assignment]
    kind: Literal["faktura"] = "faktura"  # type: ignore[assignment]
    invoice_number: str = Field(min_length=1, max_length=40)  # type: ignore[assignment]

class ReturnDocument(DocumentBase):
    """Goods taken back; ``total`` is the (positive) amount refunded."""

    type: Literal["return"] = "return"
    original: OriginalReceipt | None = None
    #: A return against an invoice is also a correcting invoice ("faktura
    #: korygująca"): its number in the till's correction series ("FK/K3/12/2026/0001"),
    #: the invoice it corrects and the buyer; all left out for a plain return.
    correction_number: str | None = Field(default=None, min_length=1, max_length=40)
    corrected_invoice: str | None = Field(default=None, min_length=1, max_length=40)
    buyer: Buyer | None = None
    lines: list[DocumentLine] = Field(min_length=1, max_length=1000)
    payments: list[DocumentPayment] = Field(default_factory=list, max_length=20)
    total: NonNegativeGrosze
    vat_totals: dict[VatLetter, SignedGrosze] = Field(default_factory=dict)
    #: the rates the refunded lines were sold at (see :class:`ReceiptDocument`)
    vat_rates: DocumentRates | None = Field(default=None, max_length=7)


class InvoiceDocument(DocumentBase):
    """An invoice issued for an earlier receipt ("Faktura do paragonu"): NOT a sale (the
    receipt is), so reports never count it; it copies the receipt's lines, payments and
    totals, names the buyer in full (the receipt's NIP) and the receipt in ``receipt``.
    ``number`` is the till's running number of such invoices, ``invoice_number`` its
    number in the invoice series ("FV/K3/12/2026/0004")."""

    type: Literal["invoice"] = "invoice"
    invoice_number: str = Field(min_length=1, max_length=40)
    receipt: OriginalReceipt
    buyer: Buyer
    lines: list[DocumentLine] = Field(min_length=1, max_length=1000)
    payments: list[DocumentPayment] = Field(default_factory=list, max_length=20)
    total: NonNegativeGrosze
    vat_totals: dict[VatLetter, SignedGrosze] = Field(default_factory=dict)


class InvoiceOfReceipt(WireModel):
    """The invoice issued for a receipt after the sale: its number, when, and for whom."""

    invoice_number: str = Field(min_length=1, max_length=40)
    issued_at: datetime
    buyer: Buyer | None = None


class ReceiptLookupResponse(WireModel):
    """``GET /receipts/{terminal_id}/{number}``: a receipt of the same store, for a
    return. ``returned`` maps line index to the quantity (milli) already returned.
    ``receipt.kind`` / ``receipt.buyer`` say whether it was an invoice or a NIP receipt
    and for whom (the buyer's NIP as its 10 digits); a receipt stored before the back
    office knew them reads as a "paragon"."""

    terminal_id: int
    number: int
    store_id: int
    receipt: Annotated[ReceiptDocument | SaleInvoiceDocument, Field(discriminator="type")]
    returned: dict[int, StrictWireInt] = Field(default_factory=dict)
    #: What the returns already gave back, per payment method code (amount − change),
    #: so a till never refunds more to a card than was paid by card, over every till.
    refunded: dict[str, NonNegativeGrosze] = Field(default_factory=dict)
    #: The invoice issued later for this receipt ("Faktura do paragonu"), if any: a
    #: return of it then makes a correcting invoice of that invoice on any till.
    invoice: InvoiceOfReceipt | None = None
