"""The wire protocol between a terminal and the back office (JSON over HTTP, ``/api/v1``).

One module shared by both sides so they cannot drift apart: the back office builds its
responses from these models (or from dicts a test checks against them) and the
terminal's sync engine parses them with the same models. It imports nothing of ours.

Bytes matter (terminals sync over GSM), so items are compact on the wire: ``None`` is
never sent and change payloads omit fields that hold their default (``active: true``,
``kind: "good"`` …); parsing a payload with its model fills the defaults back in.

Versions: the back office serves :data:`PROTOCOL_VERSION` and
:data:`PREVIOUS_PROTOCOL_VERSION` on every endpoint (an old terminal must still upload
its sales and fetch the update that fixes it); anything older is answered with 426. Version 2 added per-document ``warnings`` to the push
results; a version-1 terminal gets the same results without them. Version 3 added
compact pull pages (:class:`CompactPullResponse`, see "Compact pages" below); they
are sent only to a caller that says ``X-Protocol-Version: 3`` (or newer) — a v1/v2
terminal, or curl without the header, gets the plain :class:`PullResponse`. Pushes,
activation and lookups are the same on every version.

Additive changes need no new version: fields a receiver does not know are ignored and
optional fields a sender leaves out take their defaults. So a receipt's ``kind`` and
``buyer`` (an invoice's or a NIP receipt's customer) are optional on every version: a
terminal that does not send them (protocol 1, or an older protocol-2 build) uploads a
plain "paragon", exactly what it printed. Likewise every document's
``authorisations`` (who allowed what the cashier may not do alone).

Compact pages (protocol 3). A plain page repeats ``op``/``type``/``id``/``rev`` and
every field name for each change; over GSM that is most of the bytes. A compact page
carries the same changes in the same order, without the per-change ``rev`` (the
terminal only needs the page's ``cursor``):

``{"groups": [[type, ids, rows], …], "order": [g, n, g, n, …], "cursor": c,
"has_more": true, "reset": true, "totals": {…}}``

* ``groups``: one per change type present in the page, in the order of each type's
  first change; a group holds that type's changes in revision order.
* ``ids``: one per change. Int ids are delta-coded within the group: each is the
  difference from the group's previous int id (the first from 0, so it is the id
  itself); str ids (settings, VAT letters) are sent as they are.
* ``rows``: one per change, aligned with ``ids``: ``0`` for a delete (a tombstone),
  else the upsert's data as a positional list in :data:`PAGE_FIELDS` order of its
  type. Trailing fields that are absent or at their default are left out; one inside
  the list is ``null``, meaning "absent, take the default". A field implied by the
  id is not sent (:data:`PAGE_ID_FIELDS`: a price's ``product_id`` is its id).
* ``order``: how the groups interleave in revision order, run-length coded as flat
  pairs "take the next ``n`` changes of group ``g``". Left out when the page is just
  the groups one after another (each type one run: the usual case). With it, the
  page keeps the exact order of a plain page, e.g. a barcode deleted before another
  one takes over its code, whatever the types in between.
* ``groups`` is left out of an empty page, ``has_more`` and ``reset`` when false.
* ``totals`` (changes per type from ``since`` to the end, as in a plain page) come
  with every compact page unless the request says ``totals=0`` — a terminal asks
  for them on a pull's first page only by leaving the parameter out — and are left
  out when there is nothing to count. So a no-op pull is just
  ``GET …?since=c`` → ``{"cursor": c}``.

:func:`compact_changes` builds ``groups``/``order`` from plain changes and
:func:`expand_groups` turns them back into plain changes (without ``rev``), in order;
both sides use them, so the form is defined here once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Annotated, Any, Final, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, Strict, TypeAdapter

#: The protocol version this code speaks.
PROTOCOL_VERSION: Final = 3
#: The version before it (plain pull pages).
PREVIOUS_PROTOCOL_VERSION: Final = 2
#: The oldest version still served (DESIGN.md: the current and the previous one).
OLDEST_PROTOCOL_VERSION: Final = PREVIOUS_PROTOCOL_VERSION
#: Every version the back office accepts.
SUPPORTED_PROTOCOL_VERSIONS: Final = frozenset(
    range(OLDEST_PROTOCOL_VERSION, PROTOCOL_VERSION + 1))
#: The first version that is sent compact pull pages (:class:`CompactPullResponse`).
COMPACT_PAGES_VERSION: Final = 3

API_PREFIX: Final = "/api/v1"
HEADER_PROTOCOL_VERSION: Final = "X-Protocol-Version"
HEADER_TERMINAL_VERSION: Final = "X-Terminal-Version"
HEADER_PENDING_COUNT: Final = "X-Pending-Count"
#: UTC ISO 8601 time of the terminal's oldest unsent document ("2026-12-04T17:05:00Z");
#: sent with ``X-Pending-Count`` while anything is unsent (a count of 0 means none).
HEADER_OLDEST_PENDING: Final = "X-Oldest-Pending"
#: The app version the terminal has staged (downloaded and verified, not installed
#: yet), or :data:`NOTHING_STAGED`. A header that is absent or empty says nothing.
HEADER_STAGED_VERSION: Final = "X-Staged-Version"
NOTHING_STAGED: Final = "none"
#: What a staged version may look like (as a release's version; 64 characters at most).
STAGED_VERSION_PATTERN: Final = r"[0-9A-Za-z.!+_-]{1,64}"

#: Most changes one pull page returns; a larger ``limit`` is silently capped.
MAX_PULL_LIMIT: Final = 2000
#: Page size without ``limit``: the terminal's own page size, so it need not send it.
DEFAULT_PULL_LIMIT: Final = 1000

Stream = Literal["config", "users", "products"]
STREAMS: Final[tuple[str, ...]] = ("config", "users", "products")

#: Change types each stream delivers (``Change.type``).
STREAM_TYPES: Final[dict[str, tuple[str, ...]]] = {
    "config": ("company", "store", "setting", "payment_method", "pin_key"),
    "users": ("user",),
    "products": ("vat_rate", "unit", "category", "product", "barcode", "price", "discount"),
}

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

#: Ids and document numbers fit a 32-bit database integer on every backend.
Id32 = Annotated[int, Field(ge=1, le=2_147_483_647)]
#: Money (grosze) and quantities (thousandths of a unit) are true JSON integers on the
#: wire, on both sides: ``"12"``, ``12.0`` and ``true`` are refused (pydantic strict
#: int), so no sender's float or string is silently turned into an amount.
StrictWireInt = Annotated[int, Strict()]
NonNegativeGrosze = Annotated[int, Strict(), Field(ge=0, le=99_999_999_999)]
SignedGrosze = Annotated[int, Strict(), Field(ge=-99_999_999_999, le=99_999_999_999)]
#: Thousandths of a unit sold or returned (1000 = 1 szt. or 1 kg).
Thousandths = Annotated[int, Strict(), Field(gt=0, le=99_999_000)]
#: The fiscal printer's PTU letters (A-G; the back office sets which exist and their rates).
VatLetter = Literal["A", "B", "C", "D", "E", "F", "G"]
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


class CompactPullResponse(WireModel):
    """``GET /sync/{stream}`` for protocol ≥ 3: the page of :class:`PullResponse` in the
    compact form described in this module's docstring ("Compact pages").

    ``groups`` are ``[type, ids, rows]`` lists; ``order`` (flat ``[group, count, …]``
    pairs) only when the groups interleave; :func:`expand_groups` gives back the plain
    changes in revision order.
    """

    groups: list[list[Any]] = Field(default_factory=list)
    order: list[int] | None = None
    cursor: int
    has_more: bool = False
    reset: bool = False
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
    ``argon2.verify(pin_hash, hmac_sha256(key, pin).hexdigest())``.

    After a rotation (``version`` > 0) a user's ``pin_hash`` made with an older key
    starts ``k<version>:`` and that key is in ``previous`` (version → base64 key); a
    hash without the prefix is of the current key."""

    key: str
    version: int = 0
    previous: dict[str, str] = Field(default_factory=dict)


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
    #: the returnable packaging's deposit per piece ("kaucja"), grosze; 0 for none
    #: (left out then; an older till ignores it)
    deposit: NonNegativeGrosze = 0


class BarcodeData(WireModel):
    product_id: int
    code: str


class PriceData(WireModel):
    """The price of a product in the terminal's store (gross grosze)."""

    product_id: int
    price: StrictWireInt


class DiscountData(WireModel):
    """``value``: basis points ("percent") or grosze ("amount"); ``scope``: a line or the
    whole receipt."""

    name: str
    kind: Literal["percent", "amount"]
    value: StrictWireInt
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


def wants_compact_pages(header: str | None) -> bool:
    """Whether a pull with this ``X-Protocol-Version`` header value gets a compact page:
    only when the caller names protocol ≥ :data:`COMPACT_PAGES_VERSION` (a request
    without the header, e.g. curl, gets the readable plain page)."""
    text = (header or "").strip()
    return (text.isascii() and text.isdigit() and len(text) < 10
            and int(text) >= COMPACT_PAGES_VERSION)


#: Field order of each change type's positional rows in a compact page. The order is
#: part of the protocol: a field added later is appended to its type's tuple.
PAGE_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "company": ("name", "nip", "address"),
    "store": ("name", "address", "price_list_id"),
    "setting": ("value",),
    "payment_method": ("code", "name", "kind", "gives_change", "opens_drawer", "position",
                       "active"),
    "pin_key": ("key", "version", "previous"),
    "user": ("identifier", "name", "role", "permissions", "pin_hash", "active"),
    "vat_rate": ("rate",),
    "unit": ("name", "precision"),
    "category": ("name", "parent_id"),
    "product": ("name", "plu", "vat", "unit_id", "category_id", "kind", "open_price",
                "active", "deposit"),
    "barcode": ("code", "product_id"),
    "price": ("price",),
    "discount": ("name", "kind", "value", "scope", "active"),
}
#: Data fields equal to the change id, left out of compact rows.
PAGE_ID_FIELDS: Final[dict[str, str]] = {"price": "product_id"}
#: A compact row standing for a delete (tombstone).
DELETE_ROW: Final = 0


def compact_changes(changes: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """``{"groups": …}`` (plus ``"order"`` when types interleave) for plain changes in
    revision order; ``rev`` is dropped. Raises ValueError for a change type without
    :data:`PAGE_FIELDS` or a data field the positional form does not know."""
    index: dict[str, int] = {}
    groups: list[list[Any]] = []
    last_id: list[int] = []
    order: list[int] = []
    for change in changes:
        type_ = change["type"]
        g = index.get(type_)
        if g is None:
            if type_ not in PAGE_FIELDS:
                raise ValueError(f"no compact form for change type {type_!r}")
            g = index[type_] = len(groups)
            groups.append([type_, [], []])
            last_id.append(0)
        if order and order[-2] == g:
            order[-1] += 1
        else:
            order += [g, 1]
        wire_id = change["id"]
        if isinstance(wire_id, int):
            groups[g][1].append(wire_id - last_id[g])
            last_id[g] = wire_id
        else:
            groups[g][1].append(wire_id)
        groups[g][2].append(
            DELETE_ROW if change["op"] == "delete" else _row(type_, change.get("data") or {}))
    page: dict[str, Any] = {"groups": groups}
    if len(order) > 2 * len(groups):
        page["order"] = order
    return page


def _row(type_: str, data: Mapping[str, Any]) -> list[Any]:
    fields = PAGE_FIELDS[type_]
    unknown = set(data) - set(fields) - {PAGE_ID_FIELDS.get(type_)}
    if unknown:
        raise ValueError(f"{type_}: fields {sorted(unknown)} have no compact position")
    row = [data.get(name) for name in fields]
    while row and row[-1] is None:
        row.pop()
    return row


def expand_groups(groups: Any, order: Any = None) -> list[dict[str, Any]]:
    """Plain changes (``op``, ``type``, ``id``, ``data``; no ``rev``) of a compact page,
    in revision order. Groups of a type this code does not know (a newer back office)
    are skipped. Raises ValueError for anything malformed (the payloads themselves
    are checked by the caller with :data:`DATA_MODELS`)."""
    if not isinstance(groups, list):
        raise ValueError("groups must be a list")
    decoded = [_expand_group(group) for group in groups]
    if order is None:
        return [change for group in decoded if group for change in group]
    if not isinstance(order, list) or len(order) % 2:
        raise ValueError("order must be a list of [group, count] pairs")
    taken = [0] * len(decoded)
    changes: list[dict[str, Any]] = []
    for g, count in zip(order[::2], order[1::2], strict=True):
        if not (_is_int(g) and _is_int(count) and 0 <= g < len(decoded) and count > 0):
            raise ValueError(f"bad order pair {g!r}, {count!r}")
        end = taken[g] + count
        if end > len(groups[g][1]):
            raise ValueError(f"order takes more changes than group {g} holds")
        if decoded[g] is not None:
            changes.extend(decoded[g][taken[g] : end])
        taken[g] = end
    if any(taken[g] != len(groups[g][1]) for g in range(len(groups))):
        raise ValueError("order does not cover every change")
    return changes


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _expand_group(group: Any) -> list[dict[str, Any]] | None:
    """One group's changes (None for an unknown type, after checking its shape)."""
    if not (isinstance(group, list) and len(group) == 3 and isinstance(group[0], str)
            and isinstance(group[1], list) and isinstance(group[2], list)
            and len(group[1]) == len(group[2])):
        raise ValueError("a group is [type, ids, rows] with as many rows as ids")
    type_, ids, rows = group
    fields = PAGE_FIELDS.get(type_)
    if fields is None:
        return None
    implied = PAGE_ID_FIELDS.get(type_)
    changes: list[dict[str, Any]] = []
    previous = 0
    for raw_id, row in zip(ids, rows, strict=True):
        if _is_int(raw_id):
            previous += raw_id
            wire_id: int | str = previous
        elif isinstance(raw_id, str):
            wire_id = raw_id
        else:
            raise ValueError(f"{type_}: bad id {raw_id!r}")
        if row == DELETE_ROW and _is_int(row):
            changes.append({"op": "delete", "type": type_, "id": wire_id})
            continue
        if not isinstance(row, list) or len(row) > len(fields):
            raise ValueError(f"{type_} {wire_id}: bad row")
        data = {name: value for name, value in zip(fields, row) if value is not None}
        if implied is not None:
            data[implied] = wire_id
        changes.append({"op": "upsert", "type": type_, "id": wire_id, "data": data})
    return changes


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


class OriginalReceipt(WireModel):
    """The sale a return (or an invoice) refers to: a receipt unless ``type`` says it
    was a Faktura (``sale_invoice``, left out when "receipt")."""

    terminal_id: Id32
    number: Id32
    type: Literal["receipt", "sale_invoice"] = "receipt"


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


class CashOperationDocument(DocumentBase):
    """Cash put into ("in") or taken out of ("out") the drawer.

    ``purpose`` says why: the shift's opening cash, a deposit ("wpłata") or a
    withdrawal ("wypłata"); left out it reads as a plain deposit or withdrawal.
    """

    type: Literal["cash_operation"] = "cash_operation"
    kind: Literal["in", "out"]
    amount: Annotated[int, Strict(), Field(gt=0, le=99_999_999_999)]
    reason: str | None = Field(default=None, max_length=200)
    purpose: Literal["opening", "deposit", "withdrawal", "deposit_return"] | None = None


class CashReportDocument(DocumentBase):
    """The drawer's cash as the terminal counts it: a cash-state report ("raport stanu
    kasy", kind "state") or the end of a shift ("zamknięcie zmiany", kind
    "shift_close"). ``cash`` = opening + cash sales − cash refunds + deposits −
    withdrawals since the shift opened.

    A shift close may carry the cash the cashier counted in the drawer (``counted``)
    and ``difference`` = counted − cash (above 0 a surplus, "nadwyżka"; below 0 a
    shortage, "niedobór"). Both are optional and left out by tills that do not count
    (such a close is accepted as before); :meth:`count_problem` says what the back
    office rejects.
    """

    type: Literal["cash_report"] = "cash_report"
    kind: Literal["state", "shift_close"]
    cash: SignedGrosze
    opening: NonNegativeGrosze = 0
    cash_sales: SignedGrosze = 0
    cash_refunds: NonNegativeGrosze = 0
    deposits: NonNegativeGrosze = 0
    withdrawals: NonNegativeGrosze = 0
    shift_started_at: datetime | None = None
    counted: NonNegativeGrosze | None = None
    difference: SignedGrosze | None = None

    def count_problem(self) -> str | None:
        """Why the count cannot be right, as a rejection reason, or ``None``: a count on
        a report other than a shift close ("malformed:counted:not_shift_close"), a
        difference without a count ("malformed:counted:missing") or one that is not
        counted − cash ("difference_mismatch"). A count without its difference is
        complete: the difference follows from it."""
        if self.counted is None:
            return None if self.difference is None else "malformed:counted:missing"
        if self.kind != "shift_close":
            return "malformed:counted:not_shift_close"
        if self.difference is not None and self.difference != self.counted - self.cash:
            return "difference_mismatch"
        return None


class DailyReportDocument(DocumentBase):
    """The daily report ("raport dobowy") of one fiscal day; ``number`` is its running
    number. ``total`` is the day's net sales (receipts − returns); ``vat_totals``
    holds the net GROSS per VAT letter (as receipts do), ``vat_amounts`` the VAT in
    it; ``payments`` the net amount per payment method."""

    type: Literal["daily_report"] = "daily_report"
    day: date
    receipts: int = Field(ge=0, le=2_147_483_647)
    total: SignedGrosze
    vat_totals: dict[VatLetter, SignedGrosze] = Field(default_factory=dict)
    vat_amounts: dict[VatLetter, SignedGrosze] = Field(default_factory=dict)
    receipts_total: NonNegativeGrosze = 0
    returns: int = Field(default=0, ge=0, le=2_147_483_647)
    returns_total: NonNegativeGrosze = 0
    payments: dict[str, SignedGrosze] = Field(default_factory=dict)
    cash_in: NonNegativeGrosze = 0
    cash_out: NonNegativeGrosze = 0
    voids: int = Field(default=0, ge=0, le=2_147_483_647)
    voids_total: NonNegativeGrosze = 0
    first_receipt_at: datetime | None = None
    last_receipt_at: datetime | None = None
    #: deposits ("kaucja"): charged with the day's receipts, paid back in cash
    deposits_collected: NonNegativeGrosze = 0
    deposits_returned: NonNegativeGrosze = 0
    #: of the sales (``receipts``), the Faktury: their count and total (left out when 0)
    invoices: int = Field(default=0, ge=0, le=100_000_000, strict=True)
    invoices_total: NonNegativeGrosze = 0


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


Document = Annotated[
    ReceiptDocument
    | SaleInvoiceDocument
    | ReturnDocument
    | InvoiceDocument
    | CashOperationDocument
    | CashReportDocument
    | DailyReportDocument,
    Field(discriminator="type"),
]
#: Parses one pushed document (a dict) into its model.
DOCUMENT_ADAPTER: Final[TypeAdapter[Any]] = TypeAdapter(Document)


class TransactionBatch(WireModel):
    """``POST /transactions``. Items are parsed one by one, so one malformed document
    is rejected on its own and never blocks the rest of the batch."""

    documents: list[Any] = Field(max_length=1000)


ItemStatus = Literal["accepted", "duplicate", "rejected"]


class StoredLine(WireModel):
    """One line of a stored document as a ``uuid_conflict`` answer sums it up."""

    name: str
    qty: int
    value: int


#: Lines a ``uuid_conflict`` answer lists at most (``line_count`` says how many there are).
STORED_LINES_MAX: Final = 30


class StoredSummary(WireModel):
    """What the back office already holds under a uuid the terminal sent again with
    other content (``reason`` "uuid_conflict"), so the till can show both versions:
    its number, total (a cash operation's amount, a cash report's cash), line count
    and the first :data:`STORED_LINES_MAX` lines. Added in this release as an optional
    field of :class:`TransactionResult`: an older till ignores it."""

    type: str
    number: int
    total: int
    created_at: datetime | None = None
    line_count: int = 0
    lines: list[StoredLine] = Field(default_factory=list)


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
    #: With reason "uuid_conflict" for a document of the same till: the stored version.
    stored: StoredSummary | None = None


class TransactionsResponse(WireModel):
    results: list[TransactionResult]


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


# --------------------------------------------------------------------------- misc


class ErrorDetail(WireModel):
    loc: list[str | int] = Field(default_factory=list)
    msg: str
    type: str


class ErrorResponse(WireModel):
    """Body of every 4xx answer: ``error`` is a stable machine-readable code (the key
    the terminal translates into its own catalogue's text, e.g. "activation_code_used"),
    ``message`` the same in readable English (for logs, curl and admins), ``details``
    what failed validation."""

    error: str
    message: str
    details: list[ErrorDetail] | None = None


class HealthResponse(WireModel):
    status: Literal["ok"] = "ok"
    protocol_version: int = PROTOCOL_VERSION
    supported_versions: list[int] = Field(
        default_factory=lambda: sorted(SUPPORTED_PROTOCOL_VERSIONS)
    )


# --------------------------------------------------------------------------- releases

#: ``GET /api/v1/releases/latest?channel=`` answers :class:`SignedRelease`; the files
#: are served under this path (``…/releases/files/{name}``) with HTTP Range support.
RELEASES_PATH: Final = f"{API_PREFIX}/releases"
DEFAULT_RELEASE_CHANNEL: Final = "stable"
#: Channel names: short, lowercase, safe as a directory name.
RELEASE_CHANNEL_PATTERN: Final = r"^[a-z0-9][a-z0-9_-]{0,31}$"
#: A release file name as served: the wheelhouse archive, nothing with a path.
RELEASE_FILE_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$"


class ReleaseMetadata(WireModel):
    """What a signature vouches for (DESIGN.md "Wire protocol → Updates").

    ``url`` is relative to the back office (``/api/v1/releases/files/…``) or absolute;
    ``sha256``/``size`` describe that file: a zip of the wheelhouse (the app wheel plus
    every dependency wheel). ``expires`` (UTC, ISO 8601) bounds how long a captured
    answer can be replayed to hold a terminal back.
    """

    version: str = Field(min_length=1, max_length=64)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(gt=0)
    url: str = Field(min_length=1, max_length=500)
    channel: str = Field(pattern=RELEASE_CHANNEL_PATTERN)
    expires: datetime
    published: datetime | None = None
    package: str = "ipos-tui"


class SignedRelease(WireModel):
    """``metadata`` + an Ed25519 signature over its canonical JSON.

    Canonical JSON: ``json.dumps(metadata, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False).encode("utf-8")`` of the metadata object exactly as sent (a
    verifier hashes the received object, never a re-serialised model). ``key_id``
    names the signing key (first 16 hex digits of the sha256 of the raw public key)
    so a terminal picks among keys it already trusts; it is never a key itself.
    """

    metadata: dict[str, Any]
    key_id: str = Field(pattern=r"^[0-9a-f]{16}$")
    signature: str = Field(min_length=1, max_length=200)


def canonical_json(value: Mapping[str, Any]) -> bytes:
    """The bytes a release signature covers (both sides use this one function)."""
    import json

    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def release_key_id(raw_public_key: bytes) -> str:
    """The id of an Ed25519 public key (its 32 raw bytes): 16 hex digits of its sha256."""
    import hashlib

    return hashlib.sha256(raw_public_key).hexdigest()[:16]
