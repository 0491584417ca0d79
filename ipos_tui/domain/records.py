"""Plain, frozen records the till's database and use cases hand out and take in (value types,
no I/O: they sit in the domain so that every layer, the UI included, may name them).

The UI and the sync engine never see peewee rows: a row object is bound to one
connection and one thread, and a frozen dataclass can be passed to a Textual
worker, compared in a test or cached without surprises.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal

from ipos_tui.domain.document_number import (  # noqa: F401 (re-exported for the till)
    NUMBER_PREFIXES,
    document_number_text,
)
from ipos_tui.domain.vat import VatTotal

LoginMode = Literal["id_pin", "id", "none"]
PaymentKind = Literal["cash", "card", "voucher", "transfer", "other"]
ProductType = Literal["towar", "usluga"]
DocumentKind = Literal["paragon", "faktura", "paragon_nip"]
UploadState = Literal["pending", "sent", "quarantined"]
DiscountScope = Literal["line", "receipt"]

LOGIN_MODES: Final = ("id_pin", "id", "none")
PAYMENT_KINDS: Final = ("cash", "card", "voucher", "transfer", "other")
PRODUCT_TYPES: Final = ("towar", "usluga")
DOCUMENT_KINDS: Final = ("paragon", "faktura", "paragon_nip")
#: The purpose of a cash payout that pays a deposit back (the till stores and sends it).
PURPOSE_DEPOSIT_RETURN: Final = "deposit_return"
#: Document kinds that name a buyer by NIP and so need one.
KINDS_WITH_BUYER: Final = frozenset({"faktura", "paragon_nip"})

#: Permission names the back office grants per user.
PERM_PRICE_CHANGE: Final = "price_change"
PERM_FREE_DISCOUNT: Final = "free_discount"
PERM_RETURNS: Final = "returns"
PERM_CASH_WITHDRAWAL: Final = "cash_withdrawal"
PERM_CASH_DEPOSIT: Final = "cash_deposit"
PERM_VOID: Final = "void"
PERM_DAY_CLOSE: Final = "day_close"
PERM_REPORTS: Final = "reports"
PERM_SETTINGS: Final = "settings"
#: Every permission the till checks (the back office's PERMISSIONS):
#: price_change ``#`` price, free_discount F4 free discounts, returns, cash_withdrawal
#: and cash_deposit (Wypłata / Wpłata), void (voiding a receipt with lines, deleting
#: an open receipt with lines), day_close (Raport dobowy, the card app's
#: Rozliczenia), reports (monthly and periodic reports), settings (changing the
#: back office's address, re-activation: always with the PIN of a user holding it).
ALL_PERMISSIONS: Final = (
    PERM_PRICE_CHANGE,
    PERM_FREE_DISCOUNT,
    PERM_RETURNS,
    PERM_CASH_WITHDRAWAL,
    PERM_CASH_DEPOSIT,
    PERM_VOID,
    PERM_DAY_CLOSE,
    PERM_REPORTS,
    PERM_SETTINGS,
)
#: Permissions the till enforces since schema 7 (everybody could do these before):
#: migrations on both sides grant them to the users that existed then, so nobody
#: is locked out by the update until the owner takes them away.
NEWLY_ENFORCED: Final = (PERM_VOID, PERM_DAY_CLOSE, PERM_REPORTS, PERM_SETTINGS)


# -- catalogue ------------------------------------------------------------------


@dataclass(frozen=True)
class Company:
    """The taxpayer printed at the top of every receipt."""

    name: str
    nip: str
    address: str = ""


@dataclass(frozen=True)
class Store:
    """A shop of the company; the terminal belongs to exactly one."""

    id: int
    name: str
    address: str = ""


@dataclass(frozen=True)
class TerminalInfo:
    """Who this terminal is (set at activation): its id, display name and store."""

    terminal_id: int
    name: str
    store_id: int


@dataclass(frozen=True)
class PaymentMethod:
    """A tender offered on the payment screen, in ``position`` order."""

    code: str
    name: str
    kind: PaymentKind
    allows_change: bool = False
    position: int = 0
    active: bool = True


@dataclass(frozen=True)
class UserAccount:
    """A staff member as the catalogue stores it (with the PIN hash); never shown."""

    id: int
    identifier: str
    name: str
    role: str
    pin_hash: str
    active: bool = True
    permissions: tuple[str, ...] = ()


@dataclass(frozen=True)
class User:
    """The logged-in cashier; what the UI may know about them."""

    id: int
    identifier: str
    name: str
    role: str
    permissions: frozenset[str] = frozenset()

    def can(self, permission: str) -> bool:
        """Whether this cashier holds ``permission`` (e.g. "price_change")."""
        return permission in self.permissions


#: Who sells when the back office switched login off ("brak logowania"). Without a
#: login nobody can be restricted, so the anonymous cashier may still void, close
#: the day and print reports as before; what was always a manager's (discounts,
#: prices, returns, cash, settings) needs a manager's identifier and PIN.
ANONYMOUS_USER: Final = User(
    id=0, identifier="", name="kasjer anonimowy", role="kasjer",
    permissions=frozenset({PERM_VOID, PERM_DAY_CLOSE, PERM_REPORTS}),
)


@dataclass(frozen=True)
class VatRate:
    """A printer VAT letter and its rate in basis points (``None`` = exempt)."""

    letter: str
    rate_bp: int | None


@dataclass(frozen=True)
class Unit:
    """A unit of measure and the decimals its quantities carry."""

    name: str
    precision: int


@dataclass(frozen=True)
class Category:
    """A node of the product category tree (``parent_id`` None for a root)."""

    id: int
    name: str
    parent_id: int | None = None


@dataclass(frozen=True)
class Product:
    """A sellable product with this store's price (0 = the cashier types the price)."""

    id: int
    plu: str
    name: str
    unit: str
    precision: int
    vat_letter: str
    price: int
    category_id: int | None = None
    type: ProductType = "towar"
    active: bool = True
    #: the returnable packaging's deposit per piece (grosze; "kaucja"), 0 for none
    deposit: int = 0

    @property
    def open_price(self) -> bool:
        """True when the back office left the price at 0: ask the cashier for it."""
        return self.price == 0


@dataclass(frozen=True)
class Barcode:
    """One barcode (EAN or in-store code) of a product."""

    code: str
    product_id: int


@dataclass(frozen=True)
class DiscountDef:
    """A predefined discount: ``value`` is grosze ("amount") or basis points ("percent")."""

    id: int
    name: str
    kind: Literal["amount", "percent"]
    value: int
    scope: DiscountScope


@dataclass(frozen=True)
class CatalogueSnapshot:
    """A complete catalogue, written at once by :meth:`CatalogService.replace_all`.

    ``settings`` values must be JSON-serialisable. Terminal identity
    (:class:`TerminalInfo`) is not part of it: activation sets that, not the feed.
    """

    company: Company | None = None
    stores: tuple[Store, ...] = ()
    settings: dict[str, object] = field(default_factory=dict)
    payment_methods: tuple[PaymentMethod, ...] = ()
    users: tuple[UserAccount, ...] = ()
    vat_rates: tuple[VatRate, ...] = ()
    units: tuple[Unit, ...] = ()
    categories: tuple[Category, ...] = ()
    products: tuple[Product, ...] = ()
    barcodes: tuple[Barcode, ...] = ()
    discounts: tuple[DiscountDef, ...] = ()


# -- ledger ---------------------------------------------------------------------


@dataclass(frozen=True)
class Buyer:
    """The customer named on an invoice or a receipt with NIP."""

    nip: str
    name: str = ""
    address: str = ""


@dataclass(frozen=True)
class StoredDocument:
    """What committing a document returns: enough to print and to show its number."""

    uuid: str
    doc_type: str
    number: int
    kind: DocumentKind
    terminal_id: int
    created_utc: datetime
    created_local: datetime
    total: int
    #: An invoice's number in its own series ("FV/K3/12/2026/0001"), else None.
    invoice_number: str | None = None

    @property
    def code(self) -> str:
        """Receipt code printed for returns: "K<terminal>-<number>" (a Faktura's
        "K<terminal>-F<number>")."""
        return document_code(self.terminal_id, self.number, self.doc_type)


@dataclass(frozen=True)
class DocumentSummary:
    """One row of the document list (newest first)."""

    uuid: str
    number: int
    doc_type: str
    kind: DocumentKind
    created_local: datetime
    cashier_name: str
    total: int
    upload_state: UploadState
    reject_reason: str | None
    #: a cash operation's purpose ("deposit_return": a deposit paid back), else ""
    purpose: str = ""


@dataclass(frozen=True)
class DocumentLine:
    """A stored line: its own copy of everything the catalogue said at the sale."""

    position: int
    product_id: int | None
    plu: str
    name: str
    unit: str
    precision: int
    unit_price: int
    qty: int
    vat_letter: str
    gross: int
    line_discount: int
    receipt_discount: int
    value: int
    #: A return's line: the position of the original receipt's line it gives back.
    original_line: int | None = None

    @property
    def discount(self) -> int:
        """All grosze taken off this line (its own discount plus its receipt share)."""
        return self.line_discount + self.receipt_discount


@dataclass(frozen=True)
class DocumentPayment:
    """A stored tender: ``amount`` handed over, ``change`` given back."""

    method: str
    name: str
    amount: int
    change: int


@dataclass(frozen=True)
class DocumentDetail:
    """A whole stored document, for preview, reprint, return lookup and upload."""

    uuid: str
    doc_type: str
    number: int
    kind: DocumentKind
    created_utc: datetime
    created_local: datetime
    cashier_id: int
    cashier_name: str
    store_id: int
    terminal_id: int
    total: int
    discount_total: int
    vat: dict[str, VatTotal]
    buyer: Buyer | None
    lines: tuple[DocumentLine, ...]
    payments: tuple[DocumentPayment, ...]
    upload_state: UploadState
    upload_attempts: int
    reject_reason: str | None
    #: What only some document types carry (a return's original receipt, a cash
    #: operation's reason, a daily report's sums), as stored with the document.
    extra: dict[str, Any] = field(default_factory=dict)
    #: An invoice's number in its own series, else None.
    invoice_number: str | None = None

    @property
    def subtotal(self) -> int:
        """Sum of line values before any discount."""
        return self.total + self.discount_total

    @property
    def change(self) -> int:
        """Change given back over all tenders ("Reszta")."""
        return sum(payment.change for payment in self.payments)

    @property
    def code(self) -> str:
        """Receipt code printed for returns: "K<terminal>-<number>" (a Faktura's
        "K<terminal>-F<number>")."""
        return document_code(self.terminal_id, self.number, self.doc_type)


#: A sale documented by an invoice at the till (a Faktura): numbered in its own
#: gapless series, so it never takes a receipt's number.
DOC_SALE_INVOICE: Final = "sale_invoice"
#: The types of a sale (what reports sum as sales; a return refers to one of them).
SALE_TYPES: Final = ("receipt", DOC_SALE_INVOICE)


def document_code(terminal_id: int, number: int, doc_type: str = "receipt") -> str:
    """The receipt code a return asks for: terminal and number, e.g. "K1-000123"
    (a Faktura sold at the till: "K1-F000007")."""
    mark = "F" if doc_type == "sale_invoice" else ""
    return f"K{terminal_id}-{mark}{number:06d}"


def cash_purpose(stored: str | None) -> str:
    """A cash operation's ``purpose`` from its stored JSON (the till's extras, the back
    office's payload): "deposit_return", …, or "" when it has none or is unreadable."""
    if not stored:
        return ""
    try:
        purpose = json.loads(stored).get("purpose", "")
    except (ValueError, AttributeError):
        return ""
    return purpose if isinstance(purpose, str) else ""
