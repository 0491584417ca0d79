"""What each change of the feed carries to a till: the current data of the changed
entities, loaded a chunk of ids at a time, compact (no ``None``, no wire defaults),
and for the pulling store only (a manager of another store is sent as deleted)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ipos_tui.backoffice import models as m

from .feed import STRING_ID_TYPES, ChangeRow


def _select_in(sql: str, ids: list[Any], *params: Any) -> list[tuple[Any, ...]]:
    """Run ``sql`` whose last condition is ``IN ({ids})`` with bound parameters."""
    db = m.database_proxy.obj
    marks = ", ".join([db.param] * len(ids))
    return db.execute_sql(sql.format(p=db.param, ids=marks), (*params, *ids)).fetchall()


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
