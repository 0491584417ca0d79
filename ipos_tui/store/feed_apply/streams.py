"""The three feed streams, the tables each owns, and the records a page reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

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
SHADOW_PREFIX: Final = "shadow_"
SHADOW_SUFFIX: Final = ":shadow"


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
class Change:
    """One change of a page, its payload parsed by the protocol's model (None for a delete)."""

    op: str
    type: str
    id: int | str
    data: Any


class Names:
    """Actual table names for the live tables or their shadow copies.

    ``counting``: whether handlers look up which rows exist to report +added/~changed
    (live pages); a shadow page skips it, its counts come from the swap.
    """

    def __init__(self, shadow: bool) -> None:
        self.prefix = SHADOW_PREFIX if shadow else ""
        self.counting = not shadow

    def __getattr__(self, table: str) -> str:
        return f'"{self.prefix}{table}"'
