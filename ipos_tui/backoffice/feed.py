"""The change feed: revision allocation inside write transactions, and paged reads.

Each entity has one row in ``change_entry`` holding the revision and kind of its
latest change ("upsert", or "delete" — a tombstone). A write moves the row to a new
revision, so a pull from ``since`` returns every entity whose latest state is newer
than ``since``, in revision order, once. Revisions are taken from the company's
counter inside the write transaction, which holds the database's write lock (see
:func:`ipos_tui.backoffice.db.write_transaction`): the revision order is the commit
order, and a reader that saw revision N has seen every change up to N.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from peewee import Database

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.db import is_postgres, write_transaction
from ipos_tui.backoffice.models import utcnow
from ipos_tui.protocol import STREAM_TYPES

#: Stream of each change type.
TYPE_STREAM: dict[str, str] = {
    type_: stream for stream, types in STREAM_TYPES.items() for type_ in types
}
#: Types whose wire id is a string (the others are ints).
STRING_ID_TYPES = frozenset({"setting", "vat_rate"})



@dataclass(frozen=True)
class PendingChange:
    type: str
    entity_id: str
    op: str
    store_id: int
    price_list_id: int


@dataclass
class ChangeRecorder:
    """Collects the changes of one write transaction and gives each a fresh revision."""

    company_id: int
    _pending: dict[tuple[str, str, int], tuple[int, PendingChange]] = field(default_factory=dict)
    _rev: int | None = None

    def record(
        self,
        type_: str,
        entity_id: int | str,
        op: str = "upsert",
        *,
        store_id: int = 0,
        price_list_id: int = 0,
    ) -> int:
        """Note that an entity changed; returns the revision it got."""
        if self._rev is None:
            counter = m.RevCounter.get_by_id(self.company_id)
            self._rev = counter.rev
        self._rev += 1
        change = PendingChange(type_, str(entity_id), op, store_id, price_list_id)
        self._pending[(type_, str(entity_id), price_list_id)] = (self._rev, change)
        return self._rev

    def flush(self) -> None:
        """Write the change rows and the counter (still inside the transaction)."""
        if self._rev is None:
            return
        now = utcnow()
        rows = [
            (self.company_id, TYPE_STREAM[change.type], change.type, change.entity_id,
             change.store_id, change.price_list_id, change.op, rev, now)
            for rev, change in sorted(self._pending.values(), key=lambda item: item[0])
        ]
        executemany(
            "change_entry",
            ("company_id", "stream", "type", "entity_id", "store_id", "price_list_id", "op",
             "rev", "changed_at"),
            rows,
            "ON CONFLICT (company_id, type, entity_id, price_list_id) DO UPDATE SET"
            " stream = excluded.stream, op = excluded.op, rev = excluded.rev,"
            " store_id = excluded.store_id, changed_at = excluded.changed_at",
        )
        m.RevCounter.update(rev=self._rev).where(
            m.RevCounter.company == self.company_id
        ).execute()
        self._pending.clear()


def executemany(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                suffix: str = "") -> None:
    """Plain ``INSERT … VALUES`` through the DB-API's executemany, for bulk writes.

    Building the same statement through the ORM costs several times more than running
    it (STACK.md); the SQL is the same on SQLite and PostgreSQL.
    """
    if not rows:
        return
    db = m.database_proxy.obj
    marks = ", ".join([db.param] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) {suffix}"
    cursor = db.cursor()
    for start in range(0, len(rows), 5000):
        cursor.executemany(sql, rows[start : start + 5000])


@contextmanager
def writing(db: Database, company_id: int) -> Iterator[ChangeRecorder]:
    """A locked write transaction whose recorded changes commit with it."""
    with write_transaction(db, company_id):
        recorder = ChangeRecorder(company_id)
        yield recorder
        recorder.flush()


@contextmanager
def snapshot(db: Database) -> Iterator[None]:
    """A read transaction seeing one consistent state (several SELECTs, one snapshot)."""
    with db.atomic():
        # SQLite (WAL): a deferred transaction takes its snapshot at the first read.
        if is_postgres(db):
            db.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


@dataclass(frozen=True)
class ChangeRow:
    type: str
    entity_id: str
    op: str
    rev: int


def read_changes(
    company_id: int,
    stream: str,
    since: int,
    limit: int,
    store_id: int,
    price_list_id: int,
) -> tuple[list[ChangeRow], bool]:
    """Up to ``limit`` change rows after ``since`` visible to a store/price list.

    Plain SQL: this is the hot path of every pull (the ORM's row objects cost more
    than the query).
    """
    db = m.database_proxy.obj
    p = db.param
    cursor = db.execute_sql(
        "SELECT type, entity_id, op, rev FROM change_entry"
        f" WHERE company_id = {p} AND stream = {p} AND rev > {p}"
        f" AND store_id IN (0, {p}) AND price_list_id IN (0, {p})"
        f" ORDER BY rev LIMIT {p}",
        (company_id, stream, since, store_id, price_list_id, limit + 1),
    )
    rows = [ChangeRow(*row) for row in cursor.fetchall()]
    return rows[:limit], len(rows) > limit


def count_changes(company_id: int, stream: str, since: int, store_id: int,
                  price_list_id: int) -> dict[str, int]:
    """Change rows per type after ``since`` visible to a store/price list (the work a
    pull from ``since`` still has to do; a terminal shows it as n/N)."""
    db = m.database_proxy.obj
    p = db.param
    cursor = db.execute_sql(
        "SELECT type, count(*) FROM change_entry"
        f" WHERE company_id = {p} AND stream = {p} AND rev > {p}"
        f" AND store_id IN (0, {p}) AND price_list_id IN (0, {p})"
        " GROUP BY type",
        (company_id, stream, since, store_id, price_list_id),
    )
    return {str(type_): int(count) for type_, count in cursor.fetchall()}


def _select_in(sql: str, ids: list[Any], *params: Any) -> list[tuple[Any, ...]]:
    """Run ``sql`` whose last condition is ``IN ({ids})`` with bound parameters."""
    db = m.database_proxy.obj
    marks = ", ".join([db.param] * len(ids))
    return db.execute_sql(sql.format(p=db.param, ids=marks), (*params, *ids)).fetchall()


# ----------------------------------------------------------------------- payloads


def _compact(data: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """Drop ``None`` and fields equal to their wire default (DESIGN: compact items)."""
    return {
        key: value
        for key, value in data.items()
        if value is not None and not (key in defaults and defaults[key] == value)
    }


def _company(ids: list[str], ctx: PayloadContext) -> dict[str, dict[str, Any]]:
    rows = m.Company.select().where(m.Company.id.in_([int(i) for i in ids]))
    return {
        str(r.id): _compact({"name": r.name, "nip": r.nip, "address": r.address}, {})
        for r in rows
    }


def _store(ids: list[str], ctx: PayloadContext) -> dict[str, dict[str, Any]]:
    rows = m.Store.select().where(
        (m.Store.company == ctx.company_id) & m.Store.id.in_([int(i) for i in ids])
    )
    return {
        str(r.id): _compact(
            {"name": r.name, "address": r.address, "price_list_id": r.price_list_id}, {}
        )
        for r in rows
    }


def _setting(ids: list[str], ctx: PayloadContext) -> dict[str, dict[str, Any]]:
    rows = m.Setting.select().where(
        (m.Setting.company == ctx.company_id) & m.Setting.key.in_(ids)
    )
    return {r.key: {"value": json.loads(r.value)} for r in rows}


def _payment_method(ids: list[str], ctx: PayloadContext) -> dict[str, dict[str, Any]]:
    rows = m.PaymentMethod.select().where(
        (m.PaymentMethod.company == ctx.company_id)
        & m.PaymentMethod.id.in_([int(i) for i in ids])
    )
    defaults = {"kind": "other", "gives_change": False, "opens_drawer": False, "position": 0,
                "active": True}
    return {
        str(r.id): _compact(
            {
                "code": r.code,
                "name": r.name,
                "kind": r.kind,
                "gives_change": r.gives_change,
                "opens_drawer": r.opens_drawer,
                "position": r.position,
                "active": r.active,
            },
            defaults,
        )
        for r in rows
    }


def _pin_key(ids: list[str], ctx: PayloadContext) -> dict[str, dict[str, Any]]:
    """The current key, its version and the older keys some member's PIN hash still
    needs (after a rotation, until their PIN is set again)."""
    if str(ctx.company_id) not in ids:
        return {}
    data: dict[str, Any] = {"key": ctx.pin_key}
    if ctx.pin_key_version:
        data["version"] = ctx.pin_key_version
        older = sorted({int(r.pin_key_version) for r in m.User.select(m.User.pin_key_version)
                        .where((m.User.company == ctx.company_id)
                               & (m.User.pin_key_version != ctx.pin_key_version))})
        if older and ctx.older_pin_key is not None:
            data["previous"] = {str(v): ctx.older_pin_key(v) for v in older}
    return {str(ctx.company_id): data}


#: What a user loader gives for a member of staff the pulling store must not have: the
#: change goes out as a delete (a till of a store they left drops them).
HIDDEN: dict[str, Any] = {}


def user_sent_to_store(role: str, store_ids: Sequence[int], store_id: int) -> bool:
    """Whether a member of staff goes to the tills of ``store_id``: owners to every
    store; the others to the stores they work in (UserStore), or to every store while
    they have none (staff of the whole company; a one-store shop needs no setting)."""
    return role == "owner" or not store_ids or store_id in store_ids


def _user(ids: list[str], ctx: PayloadContext) -> dict[str, dict[str, Any]]:
    user_ids = [int(i) for i in ids]
    rows = m.User.select().where(
        (m.User.company == ctx.company_id) & m.User.id.in_(user_ids)
    )
    stores: dict[int, list[int]] = {}
    for link in m.UserStore.select(m.UserStore.user, m.UserStore.store).where(
            m.UserStore.user.in_(user_ids)):
        stores.setdefault(link.user_id, []).append(link.store_id)
    defaults = {"role": "cashier", "permissions": [], "active": True}
    result: dict[str, dict[str, Any]] = {}
    for r in rows:
        if not user_sent_to_store(r.role, stores.get(r.id, []), ctx.store_id):
            result[str(r.id)] = HIDDEN
            continue
        # a hash made with an older key than the current one names its key version
        pin_hash = (r.pin_hash if r.pin_key_version == ctx.pin_key_version
                    else f"k{r.pin_key_version}:{r.pin_hash}")
        result[str(r.id)] = _compact(
            {
                "identifier": r.identifier,
                "name": r.name,
                "role": r.role,
                "permissions": json.loads(r.permissions),
                "pin_hash": pin_hash,
                "active": r.active,
            },
            defaults,
        )
    return result


def _vat_rate(ids: list[str], ctx: PayloadContext) -> dict[str, dict[str, Any]]:
    rows = m.VatRate.select().where(
        (m.VatRate.company == ctx.company_id) & m.VatRate.letter.in_(ids)
    )
    return {r.letter: _compact({"rate": r.rate}, {}) for r in rows}


def _unit(ids: list[str], ctx: PayloadContext) -> dict[str, dict[str, Any]]:
    rows = m.Unit.select().where(
        (m.Unit.company == ctx.company_id) & m.Unit.id.in_([int(i) for i in ids])
    )
    return {str(r.id): _compact({"name": r.name, "precision": r.precision}, {"precision": 0})
            for r in rows}


def _category(ids: list[str], ctx: PayloadContext) -> dict[str, dict[str, Any]]:
    rows = m.Category.select().where(
        (m.Category.company == ctx.company_id) & m.Category.id.in_([int(i) for i in ids])
    )
    return {str(r.id): _compact({"name": r.name, "parent_id": r.parent_id}, {}) for r in rows}


_PRODUCT_DEFAULTS = {"kind": "good", "open_price": False, "active": True}


def _product(ids: list[str], ctx: PayloadContext) -> dict[str, dict[str, Any]]:
    rows = _select_in(
        "SELECT id, name, plu, vat, unit_id, category_id, kind, open_price, active, deposit"
        " FROM product WHERE company_id = {p} AND id IN ({ids})",
        [int(i) for i in ids], ctx.company_id,
    )
    result = {}
    for pid, name, plu, vat, unit_id, category_id, kind, open_price, active, deposit in rows:
        data: dict[str, Any] = {"name": name, "plu": plu, "vat": vat, "unit_id": unit_id}
        if category_id is not None:
            data["category_id"] = category_id
        if kind != "good":
            data["kind"] = kind
        if open_price:
            data["open_price"] = True
        if not active:
            data["active"] = False
        if deposit:
            data["deposit"] = deposit
        result[str(pid)] = data
    return result


def _barcode(ids: list[str], ctx: PayloadContext) -> dict[str, dict[str, Any]]:
    rows = _select_in(
        "SELECT id, product_id, code FROM barcode WHERE company_id = {p} AND id IN ({ids})",
        [int(i) for i in ids], ctx.company_id,
    )
    return {str(bid): {"product_id": pid, "code": code} for bid, pid, code in rows}


def _price(ids: list[str], ctx: PayloadContext) -> dict[str, dict[str, Any]]:
    rows = _select_in(
        "SELECT product_id, price FROM price WHERE price_list_id = {p} AND product_id IN ({ids})",
        [int(i) for i in ids], ctx.price_list_id,
    )
    return {str(pid): {"product_id": pid, "price": price} for pid, price in rows}


def _discount(ids: list[str], ctx: PayloadContext) -> dict[str, dict[str, Any]]:
    rows = m.Discount.select().where(
        (m.Discount.company == ctx.company_id) & m.Discount.id.in_([int(i) for i in ids])
    )
    return {
        str(r.id): _compact(
            {"name": r.name, "kind": r.kind, "value": r.value, "scope": r.scope,
             "active": r.active},
            {"active": True, "scope": "line"},
        )
        for r in rows
    }


@dataclass(frozen=True)
class PayloadContext:
    """Who is pulling: payloads depend on the company, store and price list."""

    company_id: int
    store_id: int
    price_list_id: int
    pin_key: str
    pin_key_version: int = 0
    #: The base64 key of an older version (for hashes made before a rotation).
    older_pin_key: Callable[[int], str] | None = None


Loader = Callable[[list[str], PayloadContext], dict[str, dict[str, Any]]]

LOADERS: dict[str, Loader] = {
    "company": _company,
    "store": _store,
    "setting": _setting,
    "payment_method": _payment_method,
    "pin_key": _pin_key,
    "user": _user,
    "vat_rate": _vat_rate,
    "unit": _unit,
    "category": _category,
    "product": _product,
    "barcode": _barcode,
    "price": _price,
    "discount": _discount,
}

_IN_CHUNK = 900  # stays under SQLite's bound-parameter limit with room to spare


def build_changes(rows: Iterable[ChangeRow], ctx: PayloadContext) -> list[dict[str, Any]]:
    """Wire changes for the rows, upserts with their current data, in the rows' order.

    An upsert whose entity vanished (possible only outside a snapshot) is skipped: its
    tombstone has a later revision and will come in a later page.
    """
    rows = list(rows)
    wanted: dict[str, list[str]] = {}
    for row in rows:
        if row.op == "upsert":
            wanted.setdefault(row.type, []).append(row.entity_id)
    payloads: dict[str, dict[str, dict[str, Any]]] = {}
    for type_, ids in wanted.items():
        loaded: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), _IN_CHUNK):
            loaded.update(LOADERS[type_](ids[start : start + _IN_CHUNK], ctx))
        payloads[type_] = loaded
    changes: list[dict[str, Any]] = []
    for row in rows:
        wire_id: int | str = row.entity_id if row.type in STRING_ID_TYPES else int(row.entity_id)
        if row.op == "delete":
            changes.append({"op": "delete", "type": row.type, "id": wire_id, "rev": row.rev})
            continue
        data = payloads[row.type].get(row.entity_id)
        if data is None:
            continue
        if data is HIDDEN:
            changes.append({"op": "delete", "type": row.type, "id": wire_id, "rev": row.rev})
            continue
        changes.append(
            {"op": "upsert", "type": row.type, "id": wire_id, "rev": row.rev, "data": data}
        )
    return changes
