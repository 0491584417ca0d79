"""peewee models of the back office. Every row carries its company id (multi-tenant ready).

Money is integer grosze. Uniqueness rules of PRODUCT.md §7 that a race could break
(PLU, case-insensitive name, barcode, one price per product and list, document uuid and
number) are UNIQUE indexes, so the database is the last word even if two writers check
at the same time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from peewee import (
    AutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DatabaseProxy,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    NodeList,
    SQL,
    SqliteDatabase,
    TextField,
)

database_proxy = DatabaseProxy()


class IdField(AutoField):
    """A primary key never reused after a delete.

    Ids travel to terminals and into receipts; SQLite's plain rowid would hand a
    deleted product's id to the next product (PostgreSQL sequences never reuse).
    """

    def ddl(self, ctx: Any) -> Any:
        node_list = super().ddl(ctx)
        if isinstance(database_proxy.obj, SqliteDatabase):
            return NodeList((node_list, SQL("AUTOINCREMENT")))
        return node_list


def utcnow() -> datetime:
    """Naive UTC now: stored the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


class SchemaVersion(BaseModel):
    """Numbered migrations applied to this database."""

    version = IntegerField(primary_key=True)
    applied_at = DateTimeField(default=utcnow)


class Company(BaseModel):
    id = IdField()
    name = CharField(max_length=120)
    nip = CharField(max_length=10, null=True)
    address = CharField(max_length=200, null=True)
    created_at = DateTimeField(default=utcnow)
    #: Version of the company's PIN key (``rotate-pin-key`` bumps it; 0: the first key).
    pin_key_version = IntegerField(default=0)


class RevCounter(BaseModel):
    """Last revision allocated per company; bumped only inside a write transaction."""

    company = ForeignKeyField(Company, primary_key=True, on_delete="CASCADE")
    rev = BigIntegerField(default=0)
    #: Tombstones at or below this revision have been purged.
    horizon = BigIntegerField(default=0)


class ChangeEntry(BaseModel):
    """Latest change of each entity: the change feed and its tombstones.

    One row per (type, entity, price list); every write moves the row to a fresh
    revision. ``store_id``/``price_list_id`` 0 means "every terminal"; otherwise the
    row is visible only to terminals of that store / using that price list.
    """

    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    stream = CharField(max_length=16)
    type = CharField(max_length=24)
    entity_id = CharField(max_length=40)
    store_id = IntegerField(default=0)
    price_list_id = IntegerField(default=0)
    op = CharField(max_length=8)
    rev = BigIntegerField()
    changed_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("company", "type", "entity_id", "price_list_id"), True),
            (("company", "stream", "rev"), False),
        )


class PriceList(BaseModel):
    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    name = CharField(max_length=80)

    class Meta:
        indexes = ((("company", "name"), True),)


class Store(BaseModel):
    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    name = CharField(max_length=120)
    address = CharField(max_length=200, null=True)
    price_list = ForeignKeyField(PriceList, null=True, on_delete="SET NULL")


class Terminal(BaseModel):
    """A till. ``token_hash`` is SHA-256 of the bearer token (the token is never stored)."""

    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    store = ForeignKeyField(Store, on_delete="CASCADE")
    name = CharField(max_length=80, default="")
    token_hash = CharField(max_length=64, null=True, unique=True)
    revoked = BooleanField(default=False)
    activated_at = DateTimeField(null=True)
    last_seen = DateTimeField(null=True)
    app_version = CharField(max_length=40, null=True)
    protocol_version = IntegerField(null=True)
    pending_count = IntegerField(null=True)
    #: UTC time of its oldest unsent document as it last said (None: nothing unsent or
    #: not said), and the update it has staged (None: nothing staged or not said).
    oldest_pending = DateTimeField(null=True)
    staged_version = CharField(max_length=64, null=True)
    created_at = DateTimeField(default=utcnow)


class TerminalPull(BaseModel):
    """Last pull of one stream by one terminal (for ``terminal list`` and resets)."""

    id = IdField()
    terminal = ForeignKeyField(Terminal, on_delete="CASCADE")
    stream = CharField(max_length=16)
    cursor = BigIntegerField(default=0)
    #: Price list the terminal's catalogue is built from (products stream only).
    price_list_id = IntegerField(null=True)
    pulled_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("terminal", "stream"), True),)


class ActivationCode(BaseModel):
    """One-time activation code (only its hash is stored) for a new or known terminal."""

    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    terminal = ForeignKeyField(Terminal, on_delete="CASCADE")
    code_hash = CharField(max_length=64, unique=True)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)


class Setting(BaseModel):
    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    key = CharField(max_length=40)
    value = TextField()  # JSON

    class Meta:
        indexes = ((("company", "key"), True),)


class PaymentMethod(BaseModel):
    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    code = CharField(max_length=40)
    name = CharField(max_length=40)
    kind = CharField(max_length=16, default="other")
    gives_change = BooleanField(default=False)
    opens_drawer = BooleanField(default=False)
    position = IntegerField(default=0)
    active = BooleanField(default=True)

    class Meta:
        indexes = ((("company", "code"), True),)


class User(BaseModel):
    """A member of staff ("personel"). ``pin_hash``: argon2id of HMAC(PIN key, PIN)."""

    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    identifier = CharField(max_length=20)
    name = CharField(max_length=80)
    role = CharField(max_length=16, default="cashier")
    permissions = TextField(default="[]")  # JSON list
    pin_hash = CharField(max_length=200)
    active = BooleanField(default=True)
    #: iPOS web: argon2id of the password (None: no web access), failed logins in a row
    #: and the end of a lockout they caused
    web_password_hash = CharField(max_length=200, null=True)
    web_failed = IntegerField(default=0)
    web_locked_until = DateTimeField(null=True)
    #: The PIN key version ``pin_hash`` was made with, and the PIN's length (None: set
    #: before lengths were kept).
    pin_key_version = IntegerField(default=0)
    pin_digits = IntegerField(null=True)

    class Meta:
        table_name = "staff_user"
        indexes = ((("company", "identifier"), True),)


class UserStore(BaseModel):
    """A store a member of staff works in: a manager (kierownik) runs it in iPOS web, and
    only its tills get the member's PIN hash. Owners see every store; a cashier or
    manager with no store at all is sent to every till (see feed._user)."""

    id = IdField()
    user = ForeignKeyField(User, on_delete="CASCADE")
    store = ForeignKeyField(Store, on_delete="CASCADE")

    class Meta:
        indexes = ((("user", "store"), True),)


class WebSession(BaseModel):
    """A signed-in browser of iPOS web. The cookie holds the token; only its SHA-256 is
    stored here. ``csrf`` is the token every form of the session must post back."""

    id = IdField()
    token_hash = CharField(max_length=64, unique=True)
    user = ForeignKeyField(User, on_delete="CASCADE")
    csrf = CharField(max_length=64)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()


class VatRate(BaseModel):
    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    letter = CharField(max_length=1)
    rate = IntegerField(null=True)  # basis points, None = exempt

    class Meta:
        indexes = ((("company", "letter"), True),)


class Unit(BaseModel):
    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    name = CharField(max_length=20)
    precision = IntegerField(default=0)
    builtin = BooleanField(default=False)

    class Meta:
        indexes = ((("company", "name"), True),)


class Category(BaseModel):
    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    name = CharField(max_length=60)
    parent = ForeignKeyField("self", null=True, on_delete="SET NULL")


class Product(BaseModel):
    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    name = CharField(max_length=40)
    name_key = CharField(max_length=40)
    plu = CharField(max_length=9)
    vat = CharField(max_length=1)
    unit = ForeignKeyField(Unit, on_delete="RESTRICT")
    category = ForeignKeyField(Category, null=True, on_delete="SET NULL")
    kind = CharField(max_length=8, default="good")
    open_price = BooleanField(default=False)
    active = BooleanField(default=True)
    #: returnable packaging's deposit per piece ("kaucja"), grosze; 0 for none
    deposit = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])

    class Meta:
        indexes = (
            (("company", "plu"), True),
            (("company", "name_key"), True),
            # iPOS web's assortment list: active (or inactive) products by name, read
            # from the index alone however deep the page (migration 5)
            (("company", "active", "name_key"), False),
        )


class Barcode(BaseModel):
    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    product = ForeignKeyField(Product, on_delete="CASCADE")
    code = CharField(max_length=13)

    class Meta:
        indexes = ((("company", "code"), True),)


class Price(BaseModel):
    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    price_list = ForeignKeyField(PriceList, on_delete="CASCADE")
    product = ForeignKeyField(Product, on_delete="CASCADE")
    price = BigIntegerField()

    class Meta:
        indexes = ((("price_list", "product"), True),)


class Discount(BaseModel):
    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    name = CharField(max_length=40)
    kind = CharField(max_length=8)  # percent (basis points) | amount (grosze)
    value = IntegerField()
    scope = CharField(max_length=8, default="line")  # line | receipt
    active = BooleanField(default=True)


class Transaction(BaseModel):
    """A document pushed by a terminal, stored exactly once.

    ``payload`` is the document as received (JSON); lines and payments are also
    stored as rows for reports.
    """

    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    store = ForeignKeyField(Store, on_delete="RESTRICT")
    terminal = ForeignKeyField(Terminal, on_delete="RESTRICT")
    uuid = CharField(max_length=36, unique=True)
    doc_type = CharField(max_length=16)
    number = IntegerField()
    created_at = DateTimeField()
    day = DateField()
    received_at = DateTimeField(default=utcnow)
    cashier_id = IntegerField(null=True)
    cashier_identifier = CharField(max_length=40, null=True)
    total = BigIntegerField(default=0)
    #: Receipts: "paragon" | "faktura" | "paragon_nip" (other documents: "paragon").
    #: The buyer (invoices, NIP receipts): NIP as 10 digits, name, address.
    #: Added by migration 2; rows stored before it read as plain paragons.
    kind = CharField(max_length=16, default="paragon")
    buyer_nip = CharField(max_length=10, null=True)
    buyer_name = CharField(max_length=120, null=True)
    buyer_address = CharField(max_length=200, null=True)
    #: For returns: the receipt taken back (terminal id, number), and its type when it
    #: was a Faktura ("sale_invoice"; NULL: a receipt). Type added by migration 11.
    original_terminal = IntegerField(null=True)
    original_number = IntegerField(null=True)
    original_type = CharField(max_length=16, null=True)
    #: The rates (basis points, null: exempt) of a sale's or a return's letters as its
    #: till sold them, JSON; NULL from older tills. Added by migration 11.
    vat_rates = CharField(max_length=200, null=True)
    #: An invoice's number ("FV/K3/12/2026/0001": a Faktura receipt, or an invoice for
    #: an earlier receipt, type "invoice", whose receipt is in original_*); a return
    #: against an invoice: its correcting invoice's number and the invoice corrected.
    #: Added by migration 9.
    invoice_number = CharField(max_length=40, null=True)
    correction_number = CharField(max_length=40, null=True)
    corrected_invoice = CharField(max_length=40, null=True)
    payload = TextField()
    warnings = TextField(null=True)  # JSON list

    class Meta:
        table_name = "transaction_doc"
        indexes = (
            (("terminal", "doc_type", "number"), True),
            (("company", "store", "day"), False),
            (("original_terminal", "original_number"), False),
        )


class TransactionLine(BaseModel):
    id = IdField()
    transaction = ForeignKeyField(Transaction, on_delete="CASCADE", column_name="doc_id")
    position = IntegerField()
    product_id = IntegerField(null=True)
    plu = CharField(max_length=20, null=True)
    name = CharField(max_length=80)
    vat = CharField(max_length=1)
    unit_price = BigIntegerField()
    qty = IntegerField()
    discount = BigIntegerField(default=0)
    value = BigIntegerField()


class TransactionPayment(BaseModel):
    id = IdField()
    transaction = ForeignKeyField(Transaction, on_delete="CASCADE", column_name="doc_id")
    method = CharField(max_length=40)
    amount = BigIntegerField()
    change = BigIntegerField(default=0)


class Quarantine(BaseModel):
    """A pushed payload the back office refused, kept raw with the reason."""

    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    terminal = ForeignKeyField(Terminal, null=True, on_delete="SET NULL")
    uuid = CharField(max_length=64, null=True)
    reason = CharField(max_length=200)
    payload = TextField()
    received_at = DateTimeField(default=utcnow)
    released_at = DateTimeField(null=True)
    released_as = IntegerField(null=True)  # transaction id it became

    class Meta:
        indexes = ((("company", "released_at"), False),)


class NumberingIssue(BaseModel):
    """A gap or a regression in one till's numbering of one document type, as the back
    office saw it (issue 15, item 5).

    ``kind`` "gap": the numbers ``first``..``last`` are missing between documents it
    holds (a higher number arrived first); the row shrinks as they arrive and goes
    when the last one does. ``kind`` "regression": numbers ``first``..``last`` came
    again for different documents (a till restored from an old backup numbering
    anew); kept until an administrator clears it. ``seen_at``: since when (UTC).
    """

    id = IdField()
    terminal = ForeignKeyField(Terminal, on_delete="CASCADE")
    doc_type = CharField(max_length=16)
    kind = CharField(max_length=12)
    first = IntegerField()
    last = IntegerField()
    seen_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "numbering_issue"
        indexes = ((("terminal", "doc_type", "kind"), False),)


#: Every table, in creation order.
MODELS: tuple[type[BaseModel], ...] = (
    SchemaVersion,
    Company,
    RevCounter,
    ChangeEntry,
    PriceList,
    Store,
    Terminal,
    TerminalPull,
    ActivationCode,
    Setting,
    PaymentMethod,
    User,
    VatRate,
    Unit,
    Category,
    Product,
    Barcode,
    Price,
    Discount,
    Transaction,
    TransactionLine,
    TransactionPayment,
    Quarantine,
    UserStore,
    WebSession,
    NumberingIssue,
)
