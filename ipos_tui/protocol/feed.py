"""The change feeds (``GET /sync/{stream}``): streams, their change types and the plain
page of changes. The compact page of protocol 3 is in :mod:`ipos_tui.protocol.compact`,
each change type's payload in :mod:`ipos_tui.protocol.payloads`."""

from __future__ import annotations

from typing import Any, Final, Literal

from ipos_tui.protocol.base import WireModel

#: Most changes one pull page returns; a larger ``limit`` is silently capped.
MAX_PULL_LIMIT: Final = 2000
#: Page size without ``limit``: the terminal's own page size, so it need not send it.
DEFAULT_PULL_LIMIT: Final = 1000

Stream = Literal["config", "users", "products"]
STREAMS: Final[tuple[str, ...]] = ("config", "users", "products")

#: Change types each stream delivers (``Change.type``).
STREAM_TYPES: Final[dict[str, tuple[str, ...]]] = {
    "config": ("company", "store", "setting", "payment_method", "pin_key"),
    "users": ("user",),
    "products": ("vat_rate", "unit", "category", "product", "barcode", "price", "discount"),
}


class Change(WireModel):
    """One entry of a stream's change feed, in revision order.

    ``op`` "upsert" carries the full current ``data`` of the entity; "delete" (a
    tombstone) carries none. ``id`` is an int, or a str for settings and VAT letters.
    Prices are keyed by product id: a terminal only ever sees its store's price list.
    """

    op: Literal["upsert", "delete"]
    type: str
    id: int | str
    rev: int
    data: dict[str, Any] | None = None


class PullResponse(WireModel):
    """``GET /sync/{stream}``: one page of changes after ``since``.

    Continue with ``since=cursor`` while ``has_more``. ``reset`` means the terminal must
    rebuild the stream from zero (this page already starts from zero): its store's price
    list changed, its cursor is older than the tombstone horizon, or the back office was
    restored from an older copy.
    """

    changes: list[Change]
    cursor: int
    has_more: bool = False
    reset: bool = False
    #: Only when asked (``totals=1``): changes per type from ``since`` (or from zero
    #: after a reset) to the end of the feed, this page included, so a terminal can
    #: show "Produkty n/N". Omitted otherwise; older back offices never send it.
    totals: dict[str, int] | None = None
