"""One handler per change type: upserts and deletes of a page's changes, as
``executemany`` on the live tables or their shadow copies."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final

from ipos_tui.domain.search import normalise, t9_of_normalised
from ipos_tui.protocol import (
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
from ipos_tui.store.feed_apply.pins import (
    KEYED_PIN_PREFIX,
    PIN_KEY_SETTING,
    PIN_KEYS_SETTING,
)
from ipos_tui.store.feed_apply.streams import Change, Counts, Names

#: Order of change types inside one page: what others derive from goes first.
APPLY_ORDER: Final = (
    "company", "store", "setting", "pin_key", "payment_method", "user",
    "vat_rate", "unit", "category", "price", "product", "barcode", "discount",
)
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


Handler = Callable[[sqlite3.Cursor, Names, list[Change]], Counts]


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


def _split(changes: list[Change]) -> tuple[list[Change], list[Change]]:
    ups = [c for c in changes if c.op == "upsert"]
    return ups, [c for c in changes if c.op == "delete"]


def _simple(
    cur: sqlite3.Cursor,
    table: str,
    key: str,
    changes: list[Change],
    upsert_sql: str,
    params: Callable[[Change], tuple[Any, ...]],
    wire_key: Callable[[Change], Any] = lambda c: c.id,
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


def _company(cur: sqlite3.Cursor, t: Names, changes: list[Change]) -> Counts:
    def params(c: Change) -> tuple[Any, ...]:
        d: CompanyData = c.data
        return (1, d.name, d.nip or "", d.address or "")

    return _simple(
        cur, t.company, "id", changes,
        _upsert_sql(t.company, ("id", "name", "nip", "address"), "id"), params,
        wire_key=lambda c: 1, counting=t.counting,
    )


def _store(cur: sqlite3.Cursor, t: Names, changes: list[Change]) -> Counts:
    def params(c: Change) -> tuple[Any, ...]:
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


def _setting(cur: sqlite3.Cursor, t: Names, changes: list[Change]) -> Counts:
    def params(c: Change) -> tuple[Any, ...]:
        d: SettingData = c.data
        value = setting_value(str(c.id), d.value)
        return (str(c.id), json.dumps(value, ensure_ascii=False))

    return _simple(
        cur, t.setting, "key", changes, _upsert_sql(t.setting, ("key", "value"), "key"), params,
        wire_key=lambda c: str(c.id), counting=t.counting,
    )


def _pin_key(cur: sqlite3.Cursor, t: Names, changes: list[Change]) -> Counts:
    def params(c: Change) -> tuple[Any, ...]:
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
    changes: list[Change],
    new_key: Callable[[Change], str],
    upsert_sql: str,
    params: Callable[[Change], tuple[Any, ...]],
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


def _payment_method(cur: sqlite3.Cursor, t: Names, changes: list[Change]) -> Counts:
    def params(c: Change) -> tuple[Any, ...]:
        d: PaymentMethodData = c.data
        return (d.code, d.name, d.kind, int(d.gives_change), d.position, int(d.active), int(c.id))

    columns = ("code", "name", "kind", "allows_change", "position", "active", "sync_id")
    return _by_sync_id(
        cur, t.payment_method, "code", changes, lambda c: c.data.code,
        _upsert_sql(t.payment_method, columns, "code"), params, counting=t.counting,
    )


def _user(cur: sqlite3.Cursor, t: Names, changes: list[Change]) -> Counts:
    def params(c: Change) -> tuple[Any, ...]:
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


def _vat_rate(cur: sqlite3.Cursor, t: Names, changes: list[Change]) -> Counts:
    def params(c: Change) -> tuple[Any, ...]:
        d: VatRateData = c.data
        return (str(c.id), d.rate)

    return _simple(
        cur, t.vat_rate, "letter", changes,
        _upsert_sql(t.vat_rate, ("letter", "rate_bp"), "letter"), params,
        wire_key=lambda c: str(c.id), counting=t.counting,
    )


def _unit(cur: sqlite3.Cursor, t: Names, changes: list[Change]) -> Counts:
    def params(c: Change) -> tuple[Any, ...]:
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


def _category(cur: sqlite3.Cursor, t: Names, changes: list[Change]) -> Counts:
    def params(c: Change) -> tuple[Any, ...]:
        d: CategoryData = c.data
        return (int(c.id), d.parent_id, d.name)

    return _simple(
        cur, t.category, "id", changes,
        _upsert_sql(t.category, ("id", "parent_id", "name"), "id"), params, counting=t.counting,
    )


def _price(cur: sqlite3.Cursor, t: Names, changes: list[Change]) -> Counts:
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


def _product_sql(t: Names) -> str:
    updates = ", ".join(f"{c} = excluded.{c}" for c in _PRODUCT_COLUMNS if c != "id")
    return (
        f"INSERT INTO {t.product} ({', '.join(_PRODUCT_COLUMNS)}) VALUES (?, ?, ?, ?, ?, "
        f"coalesce((SELECT name FROM {t.unit} WHERE sync_id = ?), ?), "
        f"coalesce((SELECT precision FROM {t.unit} WHERE sync_id = ?), ?), ?, ?, ?, "
        f"coalesce((SELECT price FROM {t.price} WHERE product_id = ?), 0), "
        f"? AND EXISTS (SELECT 1 FROM {t.price} WHERE product_id = ?), ?, ?, ?, ?) "
        f"ON CONFLICT (id) DO UPDATE SET {updates}"
    )


def _product(cur: sqlite3.Cursor, t: Names, changes: list[Change]) -> Counts:
    def params(c: Change) -> tuple[Any, ...]:
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


def _barcode(cur: sqlite3.Cursor, t: Names, changes: list[Change]) -> Counts:
    def params(c: Change) -> tuple[Any, ...]:
        d: BarcodeData = c.data
        return (d.code, d.product_id, int(c.id))

    return _by_sync_id(
        cur, t.barcode, "code", changes, lambda c: c.data.code,
        _upsert_sql(t.barcode, ("code", "product_id", "sync_id"), "code"), params, counting=t.counting,
    )


def _discount(cur: sqlite3.Cursor, t: Names, changes: list[Change]) -> Counts:
    """Discounts the back office switched off (or that carry no value) are not offered."""

    def offered(c: Change) -> bool:
        d: DiscountData = c.data
        return c.op == "upsert" and d.active and d.value > 0

    shown = [c for c in changes if offered(c)]
    hidden = [Change("delete", c.type, c.id, None) for c in changes if not offered(c)]
    counts = _simple(
        cur, t.discount, "id", [*hidden, *shown],
        _upsert_sql(t.discount, ("id", "name", "kind", "value", "scope"), "id"),
        lambda c: (int(c.id), c.data.name, c.data.kind, c.data.value, c.data.scope), counting=t.counting,
    )
    return counts


HANDLERS: Final[dict[str, Handler]] = {
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
