"""The base of every model (its database, ids never reused, naive UTC times), the
schema version, companies and the change feed's counters and entries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from peewee import (
    SQL,
    AutoField,
    BigIntegerField,
    CharField,
    DatabaseProxy,
    DateTimeField,
    DoubleField,
    ForeignKeyField,
    IntegerField,
    Model,
    NodeList,
    SqliteDatabase,
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


class ThrottleFailure(BaseModel):
    """One failure the guessing throttle counted (a wrong activation code, a bad device
    token, a failed sign-in), so that every worker on every machine counts it: ``at`` is
    Unix time, ``origin`` the process that saw it (it already counted it itself)."""

    id = AutoField()
    rule = CharField(max_length=32)
    key = CharField(max_length=200)
    at = DoubleField(index=True)
    origin = CharField(max_length=80)

    class Meta:
        table_name = "throttle_failure"
