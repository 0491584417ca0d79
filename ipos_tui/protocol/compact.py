"""The compact pull page of protocol 3 and its codec.

A plain page repeats ``op``/``type``/``id``/``rev`` and
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
from typing import Any, Final

from pydantic import Field

from ipos_tui.protocol.base import WireModel
from ipos_tui.protocol.versions import COMPACT_PAGES_VERSION


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
