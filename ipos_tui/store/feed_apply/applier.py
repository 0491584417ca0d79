"""Applying the back office's change feed to the catalogue tables (no network here).

Why this shape:

* **One page, one transaction.** A page of changes and the stream's cursor commit
  together (``BEGIN IMMEDIATE``), with ``executemany`` per change type, so a crash
  (even ``kill -9``) resumes from the last committed page and the catalogue is
  always a state "as of revision X".
* **Resets build beside the live tables.** A stream rebuilt from zero (first sync,
  price-list switch, a restored back office) goes into ``shadow_*`` copies of its
  tables with their own cursor (``<stream>:shadow``); the page that completes it
  swaps the copies into the live tables in the same transaction. Until then the
  old catalogue keeps selling. Shadow tables are cloned from the live tables' own
  DDL, so they always match the current schema.
* **Entities arrive in any order** (no foreign keys): a price may come before its
  product, a barcode before its product. The sales row of a product is derived:
  its unit name and precision from ``unit`` (by the wire's unit id), its price from
  ``price`` (this store's list), and it is sellable (``active``) only when the back
  office lists it (``listed``) AND it has a price in this store's list — a product
  without a price here must not be sold at 0 zł.
* **Unique codes move between entities** (a PLU, barcode or identifier handed from
  one product/user to another): the feed sends each entity's latest state, so a
  page may bring the new holder before the old one lets go. The old holder gets a
  placeholder (``#<id>``, never typable as a code) until its own change arrives.
* Receipts are never touched: ledger lines carry their own copies.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from peewee import SqliteDatabase
from pydantic import ValidationError

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.search import normalise, t9_of_normalised
from ipos_tui.protocol import (
    DATA_MODELS,
    BarcodeData,
    CategoryData,
    CompanyData,
    DiscountData,
    PaymentMethodData,
    PinKeyData,
    ProductData,
    SettingData,
    StoreData,
    UnitData,
    UserData,
    VatRateData,
)
from ipos_tui.store.migrations import PRODUCT_FTS_TRIGGER_NAMES, PRODUCT_FTS_TRIGGERS

#: Tables each stream owns (replaced together by a reset).
STREAM_TABLES: Final[dict[str, tuple[str, ...]]] = {
    "config": ("company", "store", "setting", "payment_method"),
    "users": ("user",),
    "products": ("vat_rate", "unit", "category", "price", "product", "barcode", "discount"),
}
#: The progress item each change type counts under.
TYPE_ITEM: Final[dict[str, str]] = {
    "company": "company",
    "store": "stores",
    "setting": "settings",
    "pin_key": "settings",
    "payment_method": "payment_methods",
    "user": "users",
    "vat_rate": "vat_rates",
    "unit": "units",
    "category": "categories",
    "product": "products",
    "barcode": "barcodes",
    "price": "prices",
    "discount": "discounts",
}
#: The table behind each progress item (for the counts of a reset's swap).
ITEM_TABLE: Final[dict[str, str]] = {
    "company": "company",
    "stores": "store",
    "settings": "setting",
    "payment_methods": "payment_method",
    "users": "user",
    "vat_rates": "vat_rate",
    "units": "unit",
    "categories": "category",
    "products": "product",
    "barcodes": "barcode",
    "prices": "price",
    "discounts": "discount",
}
#: Key column of each catalogue table.
TABLE_KEY: Final[dict[str, str]] = {
    "company": "id",
    "store": "id",
    "setting": "key",
    "payment_method": "code",
    "user": "id",
    "vat_rate": "letter",
    "unit": "name",
    "category": "id",
    "product": "id",
    "barcode": "code",
    "price": "product_id",
    "discount": "id",
}
#: Order of change types inside one page: what others derive from goes first.
_APPLY_ORDER: Final = (
    "company", "store", "setting", "pin_key", "payment_method", "user",
    "vat_rate", "unit", "category", "price", "product", "barcode", "discount",
)
#: The setting row holding the company's PIN key (a key no back-office setting can have).
PIN_KEY_SETTING: Final = "@pin_key"
#: The setting row holding every PIN key by version ({"0": key, "1": key}).
PIN_KEYS_SETTING: Final = "@pin_keys"
#: Marks a synced PIN hash: argon2id over hex(HMAC-SHA256(company PIN key, PIN)).
KEYED_PIN_PREFIX: Final = "hmac:"
SHADOW_PREFIX: Final = "shadow_"
SHADOW_SUFFIX: Final = ":shadow"
#: Back-office words → terminal words.
_ROLES: Final = {"cashier": "kasjer", "manager": "kierownik", "owner": "właściciel"}
_KINDS: Final = {"good": "towar", "service": "usluga"}
_LOGIN_MODES: Final = {
    "identifier_pin": "id_pin", "id_pin": "id_pin", "pin": "id_pin",
    "identifier": "id", "id": "id", "none": "none",
}
#: Unit of a product whose unit has not arrived (yet).
_FALLBACK_UNIT: Final = ("szt.", 0)
_IN_CHUNK: Final = 500


@dataclass
class Counts:
    """Rows added, changed and removed on this terminal for one item."""

    added: int = 0
    changed: int = 0
    removed: int = 0

    def add(self, other: Counts) -> None:
        """Accumulate ``other`` into this."""
        self.added += other.added
        self.changed += other.changed
        self.removed += other.removed


@dataclass
class PageResult:
    """What one applied page did.

    ``received`` counts the page's changes per item (progress); ``counts`` are the
    live table's +added ~changed −removed per item — for a shadow page they stay
    empty until the page that swaps, which fills them with the difference between
    the old and the new catalogue.
    """

    received: dict[str, int] = field(default_factory=dict)
    counts: dict[str, Counts] = field(default_factory=dict)
    swapped: bool = False


@dataclass(frozen=True)
class StreamCursors:
    """A stream's live cursor and, while a reset is being built, its shadow cursor."""

    live: int | None
    shadow: int | None


@dataclass(frozen=True)
class _Change:
    op: str
    type: str
    id: int | str
    data: Any


Handler = Callable[[sqlite3.Cursor, "_Names", list[_Change]], Counts]


class _Names:
    """Actual table names for the live tables or their shadow copies.

    ``counting``: whether handlers look up which rows exist to report +added/~changed
    (live pages); a shadow page skips it, its counts come from the swap.
    """

    def __init__(self, shadow: bool) -> None:
        self.prefix = SHADOW_PREFIX if shadow else ""
        self.counting = not shadow

    def __getattr__(self, table: str) -> str:
        return f'"{self.prefix}{table}"'


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start : start + _IN_CHUNK]


def _existing(
    cur: sqlite3.Cursor, table: str, column: str, keys: Sequence[Any], counting: bool = True
) -> set[Any]:
    """Which of ``keys`` are present in ``table.column`` (nothing asked when not counting)."""
    found: set[Any] = set()
    if not counting:
        return found
    for chunk in _chunks(list(keys)):
        marks = ", ".join("?" * len(chunk))
        rows = cur.execute(f"SELECT {column} FROM {table} WHERE {column} IN ({marks})", chunk)
        found.update(row[0] for row in rows)
    return found


def _count(upserts: Sequence[Any], deletes: Sequence[Any], existing: set[Any]) -> Counts:
    added = sum(1 for key in upserts if key not in existing)
    return Counts(
        added=added,
        changed=len(upserts) - added,
        removed=sum(1 for key in deletes if key in existing),
    )


def _split(changes: list[_Change]) -> tuple[list[_Change], list[_Change]]:
    ups = [c for c in changes if c.op == "upsert"]
    return ups, [c for c in changes if c.op == "delete"]


def _simple(
    cur: sqlite3.Cursor,
    table: str,
    key: str,
    changes: list[_Change],
    upsert_sql: str,
    params: Callable[[_Change], tuple[Any, ...]],
    wire_key: Callable[[_Change], Any] = lambda c: c.id,
    counting: bool = True,
) -> Counts:
    """Upserts and deletes of a table keyed directly by the wire id."""
    ups, dels = _split(changes)
    existing = _existing(cur, table, key, [wire_key(c) for c in changes], counting)
    cur.executemany(f"DELETE FROM {table} WHERE {key} = ?", [(wire_key(c),) for c in dels])
    cur.executemany(upsert_sql, [params(c) for c in ups])
    return _count([wire_key(c) for c in ups], [wire_key(c) for c in dels], existing)


def _upsert_sql(table: str, columns: Sequence[str], key: str) -> str:
    marks = ", ".join("?" * len(columns))
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) "
        f"ON CONFLICT ({key}) DO UPDATE SET {updates}"
    )


# ------------------------------------------------------------------ type handlers


def _company(cur: sqlite3.Cursor, t: _Names, changes: list[_Change]) -> Counts:
    def params(c: _Change) -> tuple[Any, ...]:
        d: CompanyData = c.data
        return (1, d.name, d.nip or "", d.address or "")

    return _simple(
        cur, t.company, "id", changes,
        _upsert_sql(t.company, ("id", "name", "nip", "address"), "id"), params,
        wire_key=lambda c: 1, counting=t.counting,
    )


def _store(cur: sqlite3.Cursor, t: _Names, changes: list[_Change]) -> Counts:
    def params(c: _Change) -> tuple[Any, ...]:
        d: StoreData = c.data
        return (int(c.id), d.name, d.address or "")

    return _simple(
        cur, t.store, "id", changes, _upsert_sql(t.store, ("id", "name", "address"), "id"), params, counting=t.counting
    )


def setting_value(key: str, value: Any) -> Any:
    """A back-office setting value in the terminal's vocabulary (login modes differ)."""
    if key == "login_mode" and isinstance(value, str):
        return _LOGIN_MODES.get(value, value)
    return value


def _setting(cur: sqlite3.Cursor, t: _Names, changes: list[_Change]) -> Counts:
    def params(c: _Change) -> tuple[Any, ...]:
        d: SettingData = c.data
        value = setting_value(str(c.id), d.value)
        return (str(c.id), json.dumps(value, ensure_ascii=False))

    return _simple(
        cur, t.setting, "key", changes, _upsert_sql(t.setting, ("key", "value"), "key"), params,
        wire_key=lambda c: str(c.id), counting=t.counting,
    )


def _pin_key(cur: sqlite3.Cursor, t: _Names, changes: list[_Change]) -> Counts:
    def params(c: _Change) -> tuple[Any, ...]:
        d: PinKeyData = c.data
        return (PIN_KEY_SETTING, json.dumps(d.key))

    # every key a synced PIN hash may need, by version (after a rotation: the older
    # ones some member of staff's hash still names), replaced with each change
    ups, _ = _split(changes)
    for c in ups:
        d: PinKeyData = c.data
        keys = {**{str(v): k for v, k in d.previous.items()}, str(d.version): d.key}
        cur.execute(_upsert_sql(t.setting, ("key", "value"), "key"),
                    (PIN_KEYS_SETTING, json.dumps(keys)))

    return _simple(
        cur, t.setting, "key", changes, _upsert_sql(t.setting, ("key", "value"), "key"), params,
        wire_key=lambda c: PIN_KEY_SETTING, counting=t.counting,
    )


def _by_sync_id(
    cur: sqlite3.Cursor,
    table: str,
    key: str,
    changes: list[_Change],
    new_key: Callable[[_Change], str],
    upsert_sql: str,
    params: Callable[[_Change], tuple[Any, ...]],
    counting: bool = True,
) -> Counts:
    """Tables keyed locally by a name/code but by an int id on the wire.

    A changed name/code drops the entity's old row first; a name/code taken over
    from another entity overwrites that row (its own change follows).
    """
    ups, dels = _split(changes)
    existing = _existing(cur, table, "sync_id", [int(c.id) for c in changes], counting)
    cur.executemany(f"DELETE FROM {table} WHERE sync_id = ?", [(int(c.id),) for c in dels])
    cur.executemany(
        f"DELETE FROM {table} WHERE sync_id = ? AND {key} IS NOT ?",
        [(int(c.id), new_key(c)) for c in ups],
    )
    cur.executemany(upsert_sql, [params(c) for c in ups])
    return _count([int(c.id) for c in ups], [int(c.id) for c in dels], existing)


def _payment_method(cur: sqlite3.Cursor, t: _Names, changes: list[_Change]) -> Counts:
    def params(c: _Change) -> tuple[Any, ...]:
        d: PaymentMethodData = c.data
        return (d.code, d.name, d.kind, int(d.gives_change), d.position, int(d.active), int(c.id))

    columns = ("code", "name", "kind", "allows_change", "position", "active", "sync_id")
    return _by_sync_id(
        cur, t.payment_method, "code", changes, lambda c: c.data.code,
        _upsert_sql(t.payment_method, columns, "code"), params, counting=t.counting,
    )


def _user(cur: sqlite3.Cursor, t: _Names, changes: list[_Change]) -> Counts:
    def params(c: _Change) -> tuple[Any, ...]:
        d: UserData = c.data
        return (
            int(c.id), d.identifier, d.name, _ROLES.get(d.role, d.role),
            KEYED_PIN_PREFIX + d.pin_hash if d.pin_hash else "",
            int(d.active), json.dumps(sorted(d.permissions)),
        )

    ups, _ = _split(changes)
    cur.executemany(
        f"UPDATE {t.user} SET identifier = '#' || id WHERE identifier = ? AND id != ?",
        [(c.data.identifier, int(c.id)) for c in ups],
    )
    columns = ("id", "identifier", "name", "role", "pin_hash", "active", "permissions")
    return _simple(cur, t.user, "id", changes, _upsert_sql(t.user, columns, "id"), params, counting=t.counting)


def _vat_rate(cur: sqlite3.Cursor, t: _Names, changes: list[_Change]) -> Counts:
    def params(c: _Change) -> tuple[Any, ...]:
        d: VatRateData = c.data
        return (str(c.id), d.rate)

    return _simple(
        cur, t.vat_rate, "letter", changes,
        _upsert_sql(t.vat_rate, ("letter", "rate_bp"), "letter"), params,
        wire_key=lambda c: str(c.id), counting=t.counting,
    )


def _unit(cur: sqlite3.Cursor, t: _Names, changes: list[_Change]) -> Counts:
    def params(c: _Change) -> tuple[Any, ...]:
        d: UnitData = c.data
        return (d.name, d.precision, int(c.id))

    counts = _by_sync_id(
        cur, t.unit, "name", changes, lambda c: c.data.name,
        _upsert_sql(t.unit, ("name", "precision", "sync_id"), "name"), params, counting=t.counting,
    )
    ups, _ = _split(changes)
    cur.executemany(
        f"UPDATE {t.product} SET unit = ?, precision = ? WHERE unit_id = ?",
        [(c.data.name, c.data.precision, int(c.id)) for c in ups],
    )
    return counts


def _category(cur: sqlite3.Cursor, t: _Names, changes: list[_Change]) -> Counts:
    def params(c: _Change) -> tuple[Any, ...]:
        d: CategoryData = c.data
        return (int(c.id), d.parent_id, d.name)

    return _simple(
        cur, t.category, "id", changes,
        _upsert_sql(t.category, ("id", "parent_id", "name"), "id"), params, counting=t.counting,
    )


def _price(cur: sqlite3.Cursor, t: _Names, changes: list[_Change]) -> Counts:
    """This store's prices; each also sets the product's sales price and sellability."""
    ups, dels = _split(changes)
    counts = _simple(
        cur, t.price, "product_id", changes,
        _upsert_sql(t.price, ("product_id", "price"), "product_id"),
        lambda c: (int(c.id), c.data.price), counting=t.counting,
    )
    cur.executemany(
        f"UPDATE {t.product} SET price = ?, active = listed WHERE id = ?",
        [(c.data.price, int(c.id)) for c in ups],
    )
    cur.executemany(
        f"UPDATE {t.product} SET price = 0, active = 0 WHERE id = ?", [(int(c.id),) for c in dels]
    )
    return counts


_PRODUCT_COLUMNS: Final = (
    "id", "plu", "name", "name_norm", "name_t9", "unit", "precision", "vat_letter",
    "category_id", "type", "price", "active", "unit_id", "listed", "open_price", "deposit",
)


def _product_sql(t: _Names) -> str:
    updates = ", ".join(f"{c} = excluded.{c}" for c in _PRODUCT_COLUMNS if c != "id")
    return (
        f"INSERT INTO {t.product} ({', '.join(_PRODUCT_COLUMNS)}) VALUES (?, ?, ?, ?, ?, "
        f"coalesce((SELECT name FROM {t.unit} WHERE sync_id = ?), ?), "
        f"coalesce((SELECT precision FROM {t.unit} WHERE sync_id = ?), ?), ?, ?, ?, "
        f"coalesce((SELECT price FROM {t.price} WHERE product_id = ?), 0), "
        f"? AND EXISTS (SELECT 1 FROM {t.price} WHERE product_id = ?), ?, ?, ?, ?) "
        f"ON CONFLICT (id) DO UPDATE SET {updates}"
    )


def _product(cur: sqlite3.Cursor, t: _Names, changes: list[_Change]) -> Counts:
    def params(c: _Change) -> tuple[Any, ...]:
        d: ProductData = c.data
        pid = int(c.id)
        norm = normalise(d.name)
        return (
            pid, d.plu, d.name, norm, t9_of_normalised(norm),
            d.unit_id, _FALLBACK_UNIT[0], d.unit_id, _FALLBACK_UNIT[1],
            d.vat, d.category_id, _KINDS.get(d.kind, "towar"),
            pid, int(d.active), pid, d.unit_id, int(d.active), int(d.open_price),
            d.deposit,
        )

    ups, _ = _split(changes)
    cur.executemany(
        f"UPDATE {t.product} SET plu = '#' || id WHERE plu = ? AND id != ?",
        [(c.data.plu, int(c.id)) for c in ups],
    )
    return _simple(cur, t.product, "id", changes, _product_sql(t), params, counting=t.counting)


def _barcode(cur: sqlite3.Cursor, t: _Names, changes: list[_Change]) -> Counts:
    def params(c: _Change) -> tuple[Any, ...]:
        d: BarcodeData = c.data
        return (d.code, d.product_id, int(c.id))

    return _by_sync_id(
        cur, t.barcode, "code", changes, lambda c: c.data.code,
        _upsert_sql(t.barcode, ("code", "product_id", "sync_id"), "code"), params, counting=t.counting,
    )


def _discount(cur: sqlite3.Cursor, t: _Names, changes: list[_Change]) -> Counts:
    """Discounts the back office switched off (or that carry no value) are not offered."""

    def offered(c: _Change) -> bool:
        d: DiscountData = c.data
        return c.op == "upsert" and d.active and d.value > 0

    shown = [c for c in changes if offered(c)]
    hidden = [_Change("delete", c.type, c.id, None) for c in changes if not offered(c)]
    counts = _simple(
        cur, t.discount, "id", [*hidden, *shown],
        _upsert_sql(t.discount, ("id", "name", "kind", "value", "scope"), "id"),
        lambda c: (int(c.id), c.data.name, c.data.kind, c.data.value, c.data.scope), counting=t.counting,
    )
    return counts


_HANDLERS: Final[dict[str, Handler]] = {
    "company": _company,
    "store": _store,
    "setting": _setting,
    "pin_key": _pin_key,
    "payment_method": _payment_method,
    "user": _user,
    "vat_rate": _vat_rate,
    "unit": _unit,
    "category": _category,
    "price": _price,
    "product": _product,
    "barcode": _barcode,
    "discount": _discount,
}


def _parse(raw: Mapping[str, Any]) -> _Change:
    """A wire change with its payload parsed by the protocol's model."""
    try:
        op, type_, wire_id = raw["op"], raw["type"], raw["id"]
        data = None
        if op == "upsert":
            data = DATA_MODELS[type_].model_validate(raw.get("data") or {})
        elif op != "delete":
            raise KeyError(op)
    except (KeyError, TypeError, ValidationError) as exc:
        raise DomainError("sync.err.bad_response", detail=str(exc)[:200]) from exc
    return _Change(op, type_, wire_id, data)


# ------------------------------------------------------------------ shadow tables


_CREATE_TABLE = re.compile(r'^CREATE TABLE\s+"?(\w+)"?', re.IGNORECASE)
_CREATE_INDEX = re.compile(
    r'^CREATE (UNIQUE )?INDEX\s+"?(\w+)"?\s+ON\s+"?(\w+)"?', re.IGNORECASE
)


def _create_shadow(cur: sqlite3.Cursor, table: str) -> None:
    """(Re)create an empty ``shadow_<table>`` from the live table's own DDL."""
    shadow = SHADOW_PREFIX + table
    cur.execute(f'DROP TABLE IF EXISTS "{shadow}"')
    (sql,) = cur.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    cur.execute(_CREATE_TABLE.sub(f'CREATE TABLE "{shadow}"', sql, count=1))
    indexes = cur.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table,),
    ).fetchall()
    for (index_sql,) in indexes:
        cur.execute(
            _CREATE_INDEX.sub(
                lambda m: f'CREATE {m.group(1) or ""}INDEX "{SHADOW_PREFIX}{m.group(2)}" '
                f'ON "{shadow}"',
                index_sql,
                count=1,
            )
        )


def _columns(cur: sqlite3.Cursor, table: str) -> list[str]:
    return [row[1] for row in cur.execute(f'PRAGMA table_info("{table}")')]


def _swap_counts(cur: sqlite3.Cursor, table: str) -> Counts:
    """Difference between the live table and its shadow copy, row by key."""
    shadow = SHADOW_PREFIX + table
    key = TABLE_KEY[table]
    differs = " OR ".join(f's."{c}" IS NOT l."{c}"' for c in _columns(cur, table) if c != key)
    (added,) = cur.execute(
        f'SELECT count(*) FROM "{shadow}" s WHERE NOT EXISTS '
        f'(SELECT 1 FROM "{table}" l WHERE l."{key}" = s."{key}")'
    ).fetchone()
    (removed,) = cur.execute(
        f'SELECT count(*) FROM "{table}" l WHERE NOT EXISTS '
        f'(SELECT 1 FROM "{shadow}" s WHERE s."{key}" = l."{key}")'
    ).fetchone()
    (changed,) = cur.execute(
        f'SELECT count(*) FROM "{shadow}" s JOIN "{table}" l ON l."{key}" = s."{key}" '
        f"WHERE {differs or '0'}"
    ).fetchone()
    return Counts(int(added), int(changed), int(removed))


def _swap(cur: sqlite3.Cursor, stream: str) -> dict[str, Counts]:
    """Replace the stream's live tables with their shadows; returns counts per table.

    The product table's FTS triggers are dropped for the copy and the trigram index
    rebuilt once (far faster than row by row), all inside the caller's transaction.
    """
    counts: dict[str, Counts] = {}
    tables = STREAM_TABLES[stream]
    if "product" in tables:
        for name in PRODUCT_FTS_TRIGGER_NAMES:
            cur.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in tables:
        counts[table] = _swap_counts(cur, table)
        columns = ", ".join(f'"{c}"' for c in _columns(cur, table))
        cur.execute(f'DELETE FROM "{table}"')
        cur.execute(
            f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "{SHADOW_PREFIX}{table}"'
        )
        cur.execute(f'DROP TABLE "{SHADOW_PREFIX}{table}"')
    if "product" in tables:
        cur.execute("INSERT INTO product_fts (product_fts) VALUES ('rebuild')")
        for statement in PRODUCT_FTS_TRIGGERS:
            cur.execute(statement)
    return counts


# ------------------------------------------------------------------ the service


class FeedApplier:
    """Applies pull pages of the three streams to one terminal database."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def cursors(self, stream: str) -> StreamCursors:
        """The stream's committed live and shadow cursors (None = none yet)."""
        rows = dict(
            self._db.execute_sql(
                "SELECT stream, cursor FROM sync_cursor WHERE stream IN (?, ?)",
                (stream, stream + SHADOW_SUFFIX),
            ).fetchall()
        )
        live, shadow = rows.get(stream), rows.get(stream + SHADOW_SUFFIX)
        return StreamCursors(
            None if live is None else int(live), None if shadow is None else int(shadow)
        )

    def shadow_ready(self, stream: str) -> bool:
        """Whether every shadow table of an unfinished reset of ``stream`` exists."""
        names = [SHADOW_PREFIX + table for table in STREAM_TABLES[stream]]
        marks = ", ".join("?" * len(names))
        (found,) = self._db.execute_sql(
            f"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ({marks})",
            names,
        ).fetchone()
        return int(found) == len(names)

    def apply_page(
        self,
        stream: str,
        changes: Sequence[Mapping[str, Any]],
        cursor: int,
        *,
        shadow: bool,
        restart_shadow: bool = False,
        finish: bool = False,
    ) -> PageResult:
        """Apply one page and store its cursor, all in ONE transaction.

        ``shadow``: the page belongs to a reset being built in the shadow tables;
        ``restart_shadow`` empties them first (the page starts from zero);
        ``finish`` (the reset's last page) swaps them into the live tables and makes
        ``cursor`` the live cursor. Payloads are validated before anything is written.
        """
        if stream not in STREAM_TABLES:
            raise DomainError("sync.err.bad_response", detail=f"stream {stream}")
        parsed = [_parse(raw) for raw in changes]
        by_type: dict[str, list[_Change]] = {}
        for change in parsed:
            if change.type not in _HANDLERS:
                continue  # a newer back office's type this terminal cannot use
            by_type.setdefault(change.type, []).append(change)
        result = PageResult()
        for change in parsed:
            item = TYPE_ITEM.get(change.type)
            if item is not None:
                result.received[item] = result.received.get(item, 0) + 1
        with self._db.atomic("IMMEDIATE"):
            cur = self._db.cursor()
            if restart_shadow:
                for table in STREAM_TABLES[stream]:
                    _create_shadow(cur, table)
            names = _Names(shadow)
            for type_ in _APPLY_ORDER:
                if type_ in by_type:
                    counts = _HANDLERS[type_](cur, names, by_type[type_])
                    if not shadow:
                        result.counts.setdefault(TYPE_ITEM[type_], Counts()).add(counts)
            if shadow and finish:
                swapped = _swap(cur, stream)
                result.counts = {
                    item: swapped[table] for item, table in ITEM_TABLE.items() if table in swapped
                }
                result.swapped = True
                self._set_cursor(cur, stream, cursor)
                cur.execute("DELETE FROM sync_cursor WHERE stream = ?", (stream + SHADOW_SUFFIX,))
            elif shadow:
                self._set_cursor(cur, stream + SHADOW_SUFFIX, cursor)
            else:
                self._set_cursor(cur, stream, cursor)
        return result

    def forget(self) -> None:
        """Drop every cursor and unfinished shadow: the next pulls rebuild from zero.

        Used when the terminal is activated for another back office or identity.
        """
        with self._db.atomic("IMMEDIATE"):
            cur = self._db.cursor()
            cur.execute("DELETE FROM sync_cursor")
            for tables in STREAM_TABLES.values():
                for table in tables:
                    cur.execute(f'DROP TABLE IF EXISTS "{SHADOW_PREFIX}{table}"')

    @staticmethod
    def _set_cursor(cur: sqlite3.Cursor, key: str, cursor: int) -> None:
        cur.execute(
            "INSERT INTO sync_cursor (stream, cursor) VALUES (?, ?) "
            "ON CONFLICT (stream) DO UPDATE SET cursor = excluded.cursor",
            (key, str(int(cursor))),
        )


def pin_key(db: SqliteDatabase) -> str | None:
    """The company's PIN key (base64) from the config stream, None before it came."""
    row = db.execute_sql(
        "SELECT value FROM setting WHERE key = ?", (PIN_KEY_SETTING,)
    ).fetchone()
    return None if row is None else str(json.loads(row[0]))


def pin_keys(db: SqliteDatabase) -> dict[str, str]:
    """Every PIN key the config stream sent, by version (``{"0": base64 key}``); the
    current key alone (as version "0") from a back office before key rotation."""
    row = db.execute_sql(
        "SELECT value FROM setting WHERE key = ?", (PIN_KEYS_SETTING,)
    ).fetchone()
    keys = json.loads(row[0]) if row is not None else None
    if isinstance(keys, dict) and keys:
        return {str(v): str(k) for v, k in keys.items()}
    current = pin_key(db)
    return {} if current is None else {"0": current}
