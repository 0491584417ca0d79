"""The company's shop: price lists, stores, terminals and their activation, settings,
payment methods, staff and their web sessions, the VAT table."""

from __future__ import annotations

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .base import BaseModel, Company, IdField, utcnow


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
    manager with no store at all is sent to every till (see payloads._user)."""

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
