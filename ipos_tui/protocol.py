"""The wire protocol between a terminal and the back office (JSON over HTTP, ``/api/v1``).

One module shared by both sides so they cannot drift apart: the back office builds its
responses from these models (or from dicts a test checks against them) and the
terminal's sync engine parses them with the same models. It imports nothing of ours.

Bytes matter (terminals sync over GSM), so items are compact on the wire: ``None`` is
never sent and change payloads omit fields that hold their default (``active: true``,
``kind: "good"`` …); parsing a payload with its model fills the defaults back in.

Versions: the back office serves :data:`PROTOCOL_VERSION` and
:data:`PREVIOUS_PROTOCOL_VERSION` on every endpoint (an old terminal must still upload
its sales and fetch the update that fixes it); anything older is answered with 426.
Version 2 added per-document ``warnings`` to the push results; a version-1 terminal
gets the same results without them.

Additive changes need no new version: fields a receiver does not know are ignored and
optional fields a sender leaves out take their defaults. So a receipt's ``kind`` and
``buyer`` (an invoice's or a NIP receipt's customer) are optional on every version: a
terminal that does not send them (protocol 1, or an older protocol-2 build) uploads a
plain "paragon", exactly what it printed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Final, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

#: The protocol version this code speaks.
PROTOCOL_VERSION: Final = 2
#: The one older version the back office still serves.
PREVIOUS_PROTOCOL_VERSION: Final = 1
#: Every version the back office accepts.
SUPPORTED_PROTOCOL_VERSIONS: Final = frozenset({PREVIOUS_PROTOCOL_VERSION, PROTOCOL_VERSION})

API_PREFIX: Final = "/api/v1"
HEADER_PROTOCOL_VERSION: Final = "X-Protocol-Version"
HEADER_TERMINAL_VERSION: Final = "X-Terminal-Version"
HEADER_PENDING_COUNT: Final = "X-Pending-Count"

#: Most changes one pull page returns; a larger ``limit`` is silently capped.
MAX_PULL_LIMIT: Final = 2000
DEFAULT_PULL_LIMIT: Final = 500

Stream = Literal["config", "users", "products"]
STREAMS: Final[tuple[str, ...]] = ("config", "users", "products")

#: Change types each stream delivers (``Change.type``).
STREAM_TYPES: Final[dict[str, tuple[str, ...]]] = {
    "config": ("company", "store", "setting", "payment_method", "pin_key"),
    "users": ("user",),
    "products": ("vat_rate", "unit", "category", "product", "barcode", "price", "discount"),
}

DocumentType = Literal["receipt", "return", "cash_operation", "daily_report"]
DOCUMENT_TYPES: Final[tuple[str, ...]] = ("receipt", "return", "cash_operation", "daily_report")

#: Ids and document numbers fit a 32-bit database integer on every backend.
Id32 = Annotated[int, Field(ge=1, le=2_147_483_647)]
NonNegativeGrosze = Annotated[int, Field(ge=0, le=99_999_999_999)]
SignedGrosze = Annotated[int, Field(ge=-99_999_999_999, le=99_999_999_999)]
VatLetter = Literal["A", "B", "C", "D", "E"]
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


class WireModel(BaseModel):
    """Base of every wire model: unknown fields are ignored (a newer peer may add some)."""

    model_config = ConfigDict(extra="ignore", frozen=False)

    def to_wire(self) -> dict[str, Any]:
        """JSON-ready dict without ``None`` values (compact on the wire)."""
        return self.model_dump(mode="json", exclude_none=True)


# --------------------------------------------------------------------------- activation


class ActivateRequest(WireModel):
    """``POST /activate``: the one-time code shown by ``terminal add`` and a device name."""

    code: str = Field(min_length=1, max_length=64)
    name: str = Field(default="", max_length=80)


class ActivateResponse(WireModel):
    """Identity of the activated terminal. ``numbers`` maps a document type to the last
    number the back office accepted from this terminal, so numbering continues after a
    re-activation (new disk, revoked token)."""

    terminal_id: int
    store_id: int
    token: str
    numbers: dict[str, int] = Field(default_factory=dict)


# --------------------------------------------------------------------------- pull


class Change(WireModel):
    """One entry of a stream's change feed, in revision order.

    ``op`` "upsert" carries the full current ``data`` of the entity; "delete" (a
    tombstone) carries none. ``id`` is an int, or a str for settings and VAT letters.
    Prices are keyed by product id: a terminal only ever sees its store's price list.
    """

    op: Literal["upsert", "delete"]
    type: str
    id: int | str
    rev: int
    data: dict[str, Any] | None = None


class PullResponse(WireModel):
    """``GET /sync/{stream}``: one page of changes after ``since``.

    Continue with ``since=cursor`` while ``has_more``. ``reset`` means the terminal must
    rebuild the stream from zero (this page already starts from zero): its store's price
    list changed, its cursor is older than the tombstone horizon, or the back office was
    restored from an older copy.
    """

    changes: list[Change]
    cursor: int
    has_more: bool = False
    reset: bool = False
    #: Only when asked (``totals=1``): changes per type from ``since`` (or from zero
    #: after a reset) to the end of the feed, this page included, so a terminal can
    #: show "Produkty n/N". Omitted otherwise; older back offices never send it.
    totals: dict[str, int] | None = None


# ----------------------------------------------------------------- change payloads (data)


class CompanyData(WireModel):
    name: str
    nip: str | None = None
    address: str | None = None


class StoreData(WireModel):
    name: str
    address: str | None = None
    price_list_id: int | None = None


class SettingData(WireModel):
    """A setting; the key is the change ``id`` (e.g. "login_mode")."""

    value: Any = None


class PaymentMethodData(WireModel):
    code: str
    name: str
    kind: Literal["cash", "card", "voucher", "transfer", "other"] = "other"
    gives_change: bool = False
    opens_drawer: bool = False
    position: int = 0
    active: bool = True


class PinKeyData(WireModel):
    """The company's PIN key (base64): terminals verify PINs offline as
    ``argon2.verify(pin_hash, hmac_sha256(key, pin).hexdigest())``."""

    key: str


class UserData(WireModel):
    identifier: str
    name: str
    role: Literal["cashier", "manager", "owner"] = "cashier"
    permissions: list[str] = Field(default_factory=list)
    pin_hash: str | None = None
    active: bool = True


class VatRateData(WireModel):
    """A VAT letter (the change ``id``); ``rate`` in basis points, ``None`` = exempt."""

    rate: int | None = None


class UnitData(WireModel):
    name: str
    precision: int = 0


class CategoryData(WireModel):
    name: str
    parent_id: int | None = None


class ProductData(WireModel):
    name: str
    plu: str
    vat: VatLetter
    unit_id: int
    category_id: int | None = None
    kind: Literal["good", "service"] = "good"
    open_price: bool = False
    active: bool = True


class BarcodeData(WireModel):
    product_id: int
    code: str


class PriceData(WireModel):
    """The price of a product in the terminal's store (gross grosze)."""

    product_id: int
    price: int


class DiscountData(WireModel):
    """``value``: basis points ("percent") or grosze ("amount"); ``scope``: a line or the
    whole receipt."""

    name: str
    kind: Literal["percent", "amount"]
    value: int
    scope: Literal["line", "receipt"] = "line"
    active: bool = True


#: Payload model of each change type.
DATA_MODELS: Final[dict[str, type[WireModel]]] = {
    "company": CompanyData,
    "store": StoreData,
    "setting": SettingData,
    "payment_method": PaymentMethodData,
    "pin_key": PinKeyData,
    "user": UserData,
    "vat_rate": VatRateData,
    "unit": UnitData,
    "category": CategoryData,
    "product": ProductData,
    "barcode": BarcodeData,
    "price": PriceData,
    "discount": DiscountData,
}


# --------------------------------------------------------------------------- push


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
    qty: int = Field(gt=0, le=99_999_000)
    discount: NonNegativeGrosze = 0
    value: NonNegativeGrosze
    #: Return lines: index of the line of the original receipt being returned.
    original_line: int | None = Field(default=None, ge=0, le=1000)


class DocumentPayment(WireModel):
    """One tender: ``amount`` handed over, ``change`` given back (cash only)."""

    method: str = Field(min_length=1, max_length=40)
    amount: NonNegativeGrosze
    change: NonNegativeGrosze = 0


class DocumentBase(WireModel):
    """Header every document carries. ``number`` is gapless per (terminal, type)."""

    model_config = ConfigDict(extra="ignore")

    uuid: UUID
    number: Id32
    store_id: Id32
    created_at: datetime
    cashier_id: Id32 | None = None
    cashier_identifier: str | None = Field(default=None, max_length=40)
    cashier_name: str | None = Field(default=None, max_length=80)


class Buyer(WireModel):
    """The customer named on an invoice or a receipt with NIP.

    ``nip`` as the terminal took it (the back office validates it and stores its 10
    digits); ``name`` and ``address`` are left out when empty (a NIP receipt has none).
    """

    nip: str = Field(min_length=1, max_length=20)
    name: str | None = Field(default=None, max_length=120)
    address: str | None = Field(default=None, max_length=200)


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
    lines: list[DocumentLine] = Field(min_length=1, max_length=1000)
    payments: list[DocumentPayment] = Field(default_factory=list, max_length=20)
    total: NonNegativeGrosze
    vat_totals: dict[VatLetter, SignedGrosze] = Field(default_factory=dict)

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


class OriginalReceipt(WireModel):
    terminal_id: Id32
    number: Id32


class ReturnDocument(DocumentBase):
    """Goods taken back; ``total`` is the (positive) amount refunded."""

    type: Literal["return"] = "return"
    original: OriginalReceipt | None = None
    lines: list[DocumentLine] = Field(min_length=1, max_length=1000)
    payments: list[DocumentPayment] = Field(default_factory=list, max_length=20)
    total: NonNegativeGrosze
    vat_totals: dict[VatLetter, SignedGrosze] = Field(default_factory=dict)


class CashOperationDocument(DocumentBase):
    """Cash put into ("in") or taken out of ("out") the drawer."""

    type: Literal["cash_operation"] = "cash_operation"
    kind: Literal["in", "out"]
    amount: int = Field(gt=0, le=99_999_999_999)
    reason: str | None = Field(default=None, max_length=200)


class DailyReportDocument(DocumentBase):
    """The daily report ("raport dobowy") of one fiscal day."""

    type: Literal["daily_report"] = "daily_report"
    day: date
    receipts: int = Field(ge=0, le=2_147_483_647)
    total: SignedGrosze
    vat_totals: dict[VatLetter, SignedGrosze] = Field(default_factory=dict)


Document = Annotated[
    ReceiptDocument | ReturnDocument | CashOperationDocument | DailyReportDocument,
    Field(discriminator="type"),
]
#: Parses one pushed document (a dict) into its model.
DOCUMENT_ADAPTER: Final[TypeAdapter[Any]] = TypeAdapter(Document)


class TransactionBatch(WireModel):
    """``POST /transactions``. Items are parsed one by one, so one malformed document
    is rejected on its own and never blocks the rest of the batch."""

    documents: list[Any] = Field(max_length=1000)


ItemStatus = Literal["accepted", "duplicate", "rejected"]


class TransactionResult(WireModel):
    """Outcome of one pushed document, in request order (``index``).

    "duplicate" is success for the terminal (the document is already stored).
    "rejected" comes with a machine-readable ``reason``; the payload is kept in the
    back office's quarantine. ``warnings`` (protocol ≥ 2) say what the back office
    could not match, e.g. "unknown_product:123", while still accepting the sale.
    """

    index: int
    uuid: str | None = None
    status: ItemStatus
    reason: str | None = None
    warnings: list[str] | None = None


class TransactionsResponse(WireModel):
    results: list[TransactionResult]


class ReceiptLookupResponse(WireModel):
    """``GET /receipts/{terminal_id}/{number}``: a receipt of the same store, for a
    return. ``returned`` maps line index to the quantity (milli) already returned.
    ``receipt.kind`` / ``receipt.buyer`` say whether it was an invoice or a NIP receipt
    and for whom (the buyer's NIP as its 10 digits); a receipt stored before the back
    office knew them reads as a "paragon"."""

    terminal_id: int
    number: int
    store_id: int
    receipt: ReceiptDocument
    returned: dict[int, int] = Field(default_factory=dict)


# --------------------------------------------------------------------------- misc


class ErrorDetail(WireModel):
    loc: list[str | int] = Field(default_factory=list)
    msg: str
    type: str


class ErrorResponse(WireModel):
    """Body of every 4xx answer: ``error`` is a stable machine-readable code."""

    error: str
    message: str
    details: list[ErrorDetail] | None = None


class HealthResponse(WireModel):
    status: Literal["ok"] = "ok"
    protocol_version: int = PROTOCOL_VERSION
    supported_versions: list[int] = Field(
        default_factory=lambda: sorted(SUPPORTED_PROTOCOL_VERSIONS)
    )
