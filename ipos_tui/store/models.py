"""peewee models mirroring the tables that :mod:`.migrations` creates.

The schema itself comes from the migrations, never from ``create_tables``: models
describe the current columns for queries only. Models are declared unbound and
each :class:`~ipos_tui.store.db.Terminal` gets its own bound subclasses from
:func:`bind_models`, so two terminals (in tests, or a backup check beside a live
terminal) never share a ``Meta.database`` the way a global ``bind`` would make them.
Cross-table links are plain integer columns: the catalogue has no foreign keys by
design and the ledger's are enforced by SQLite itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from peewee import (
    BooleanField,
    CharField,
    CompositeKey,
    IntegerField,
    Model,
    SqliteDatabase,
    TextField,
)


class _Unbound(Model):
    """Base of all terminal models; a database is attached per terminal."""

    class Meta:
        legacy_table_names = False


# -- catalogue ------------------------------------------------------------------


class CompanyRow(_Unbound):
    id = IntegerField(primary_key=True)
    name = TextField()
    nip = TextField()
    address = TextField()

    class Meta:
        table_name = "company"


class StoreRow(_Unbound):
    id = IntegerField(primary_key=True)
    name = TextField()
    address = TextField()

    class Meta:
        table_name = "store"


class TerminalInfoRow(_Unbound):
    id = IntegerField(primary_key=True)
    terminal_id = IntegerField()
    name = TextField()
    store_id = IntegerField()

    class Meta:
        table_name = "terminal_info"


class SettingRow(_Unbound):
    key = CharField(primary_key=True)
    value = TextField()

    class Meta:
        table_name = "setting"


class PaymentMethodRow(_Unbound):
    code = CharField(primary_key=True)
    name = TextField()
    kind = TextField()
    allows_change = BooleanField()
    position = IntegerField()
    active = BooleanField()

    class Meta:
        table_name = "payment_method"


class UserRow(_Unbound):
    id = IntegerField(primary_key=True)
    identifier = TextField(unique=True)
    name = TextField()
    role = TextField()
    pin_hash = TextField()
    active = BooleanField()
    permissions = TextField()

    class Meta:
        table_name = "user"


class VatRateRow(_Unbound):
    letter = CharField(primary_key=True)
    rate_bp = IntegerField(null=True)

    class Meta:
        table_name = "vat_rate"


class UnitRow(_Unbound):
    name = CharField(primary_key=True)
    precision = IntegerField()

    class Meta:
        table_name = "unit"


class CategoryRow(_Unbound):
    id = IntegerField(primary_key=True)
    parent_id = IntegerField(null=True)
    name = TextField()

    class Meta:
        table_name = "category"


class ProductRow(_Unbound):
    id = IntegerField(primary_key=True)
    plu = TextField(unique=True)
    name = TextField()
    name_norm = TextField()
    name_t9 = TextField()
    unit = TextField()
    precision = IntegerField()
    vat_letter = TextField()
    category_id = IntegerField(null=True)
    type = TextField()
    price = IntegerField()
    active = BooleanField()
    #: the returnable packaging's deposit per piece (grosze), 0 for none
    deposit = IntegerField(default=0)

    class Meta:
        table_name = "product"


class BarcodeRow(_Unbound):
    code = CharField(primary_key=True)
    product_id = IntegerField()

    class Meta:
        table_name = "barcode"


class DiscountRow(_Unbound):
    id = IntegerField(primary_key=True)
    name = TextField()
    kind = TextField()
    value = IntegerField()
    scope = TextField()

    class Meta:
        table_name = "discount"


class SyncCursorRow(_Unbound):
    stream = CharField(primary_key=True)
    cursor = TextField()

    class Meta:
        table_name = "sync_cursor"


# -- ledger ---------------------------------------------------------------------


class DocumentRow(_Unbound):
    id = IntegerField(primary_key=True)
    uuid = TextField(unique=True)
    doc_type = TextField()
    number = IntegerField()
    kind = TextField()
    created_utc = TextField()
    created_local = TextField()
    cashier_id = IntegerField()
    cashier_name = TextField()
    store_id = IntegerField()
    terminal_id = IntegerField()
    total = IntegerField()
    discount_total = IntegerField()
    vat = TextField()
    buyer_nip = TextField(null=True)
    buyer_name = TextField(null=True)
    buyer_address = TextField(null=True)
    upload_state = TextField()
    upload_attempts = IntegerField()
    next_try_at = TextField(null=True)
    reject_reason = TextField(null=True)
    sent_at = TextField(null=True)
    extra = TextField(null=True)
    invoice_number = TextField(null=True)

    class Meta:
        table_name = "document"


class ReceiptLineColumns(_Unbound):
    """The columns of a receipt line, declared once for the ledger's ``document_line`` and
    the open receipts' ``parked_line`` (each table adds its own; the DDL is the
    migrations'): the item as sold, a copy of what the catalogue said at the time.
    :mod:`ipos_tui.store.rows` converts between these columns and the domain's lines.
    Never bound to a table of its own."""

    product_id = IntegerField(null=True)
    plu = TextField()
    name = TextField()
    unit = TextField()
    precision = IntegerField()
    unit_price = IntegerField()
    qty = IntegerField()
    vat_letter = TextField()


class DocumentLineRow(ReceiptLineColumns):
    id = IntegerField(primary_key=True)
    document_id = IntegerField()
    position = IntegerField()
    gross = IntegerField()
    line_discount = IntegerField()
    receipt_discount = IntegerField()
    value = IntegerField()
    original_line = IntegerField(null=True)

    class Meta:
        table_name = "document_line"


class DocumentPaymentRow(_Unbound):
    id = IntegerField(primary_key=True)
    document_id = IntegerField()
    position = IntegerField()
    method = TextField()
    name = TextField()
    amount = IntegerField()
    change = IntegerField()

    class Meta:
        table_name = "document_payment"


class NumberSequenceRow(_Unbound):
    doc_type = CharField(primary_key=True)
    last_number = IntegerField()

    class Meta:
        table_name = "number_sequence"


# -- local terminal state -------------------------------------------------------


class LocalSettingRow(_Unbound):
    key = CharField(primary_key=True)
    value = TextField()

    class Meta:
        table_name = "local_setting"


class LoginFailureRow(_Unbound):
    identifier = CharField(primary_key=True)
    failures = IntegerField()
    locked_until_utc = TextField(null=True)

    class Meta:
        table_name = "login_failure"


class ProductSalesRow(_Unbound):
    product_id = IntegerField(primary_key=True)
    sale_count = IntegerField()
    qty_sold = IntegerField()

    class Meta:
        table_name = "product_sales"


# -- parked receipts (open, not yet documents) ------------------------------------


class ParkedReceiptRow(_Unbound):
    id = IntegerField(primary_key=True)
    number = IntegerField(unique=True)
    source = TextField()
    is_current = IntegerField()
    discount_kind = TextField(null=True)
    discount_value = IntegerField(null=True)
    line_count = IntegerField()
    total = IntegerField()
    authorisations = TextField(null=True)
    #: the cashier who opened it (None: opened before schema 10, or by the back office)
    cashier_id = IntegerField(null=True)

    class Meta:
        table_name = "parked_receipt"


class ParkedLineRow(ReceiptLineColumns):
    parked_id = IntegerField()
    position = IntegerField()
    discount_kind = TextField(null=True)
    discount_value = IntegerField(null=True)
    deposit = IntegerField(default=0)

    class Meta:
        table_name = "parked_line"
        primary_key = CompositeKey("parked_id", "position")
        without_rowid = True


M = TypeVar("M", bound=_Unbound)


def _bound(model: type[M], db: SqliteDatabase) -> type[M]:
    """A subclass of ``model`` on the same table, attached to ``db`` only."""
    meta = type("Meta", (), {"database": db, "table_name": model._meta.table_name})
    return type(model.__name__, (model,), {"Meta": meta, "__module__": __name__})


@dataclass(frozen=True)
class Models:
    """The model classes of one terminal database."""

    company: type[CompanyRow]
    store: type[StoreRow]
    terminal_info: type[TerminalInfoRow]
    setting: type[SettingRow]
    payment_method: type[PaymentMethodRow]
    user: type[UserRow]
    vat_rate: type[VatRateRow]
    unit: type[UnitRow]
    category: type[CategoryRow]
    product: type[ProductRow]
    barcode: type[BarcodeRow]
    discount: type[DiscountRow]
    sync_cursor: type[SyncCursorRow]
    document: type[DocumentRow]
    document_line: type[DocumentLineRow]
    document_payment: type[DocumentPaymentRow]
    number_sequence: type[NumberSequenceRow]
    local_setting: type[LocalSettingRow]
    login_failure: type[LoginFailureRow]
    product_sales: type[ProductSalesRow]
    parked_receipt: type[ParkedReceiptRow]
    parked_line: type[ParkedLineRow]


def bind_models(db: SqliteDatabase) -> Models:
    """Model classes bound to ``db`` (and to nothing else)."""
    return Models(
        company=_bound(CompanyRow, db),
        store=_bound(StoreRow, db),
        terminal_info=_bound(TerminalInfoRow, db),
        setting=_bound(SettingRow, db),
        payment_method=_bound(PaymentMethodRow, db),
        user=_bound(UserRow, db),
        vat_rate=_bound(VatRateRow, db),
        unit=_bound(UnitRow, db),
        category=_bound(CategoryRow, db),
        product=_bound(ProductRow, db),
        barcode=_bound(BarcodeRow, db),
        discount=_bound(DiscountRow, db),
        sync_cursor=_bound(SyncCursorRow, db),
        document=_bound(DocumentRow, db),
        document_line=_bound(DocumentLineRow, db),
        document_payment=_bound(DocumentPaymentRow, db),
        number_sequence=_bound(NumberSequenceRow, db),
        local_setting=_bound(LocalSettingRow, db),
        login_failure=_bound(LoginFailureRow, db),
        product_sales=_bound(ProductSalesRow, db),
        parked_receipt=_bound(ParkedReceiptRow, db),
        parked_line=_bound(ParkedLineRow, db),
    )
