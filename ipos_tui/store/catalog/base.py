"""What the catalogue's parts share: the product row's columns and statements, and
the connection they read through."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from peewee import SqliteDatabase

from ipos_tui.domain.records import Product
from ipos_tui.domain.search import normalise, t9_of_normalised
from ipos_tui.store.models import Models

PRODUCT_COLUMNS: Final = (
    "p.id, p.plu, p.name, p.unit, p.precision, p.vat_letter, p.price, "
    "p.category_id, p.type, p.active, p.name_norm, p.deposit"
)

INSERT_PRODUCT: Final = (
    "INSERT INTO product (id, plu, name, name_norm, name_t9, unit, precision, "
    "vat_letter, category_id, type, price, active, deposit) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
UPSERT_PRODUCT: Final = (
    INSERT_PRODUCT + " ON CONFLICT (id) DO UPDATE SET plu = excluded.plu, "
    "name = excluded.name, name_norm = excluded.name_norm, name_t9 = excluded.name_t9, "
    "unit = excluded.unit, precision = excluded.precision, "
    "vat_letter = excluded.vat_letter, category_id = excluded.category_id, "
    "type = excluded.type, price = excluded.price, active = excluded.active, "
    "deposit = excluded.deposit"
)
UPSERT_BARCODE: Final = (
    "INSERT INTO barcode (code, product_id) VALUES (?, ?) "
    "ON CONFLICT (code) DO UPDATE SET product_id = excluded.product_id"
)


def product_of(row: Sequence[Any]) -> Product:
    """A Product record from a row selected with ``PRODUCT_COLUMNS``."""
    return Product(
        id=row[0],
        plu=row[1],
        name=row[2],
        unit=row[3],
        precision=row[4],
        vat_letter=row[5],
        price=row[6],
        category_id=row[7],
        type=row[8],
        active=bool(row[9]),
        deposit=int(row[11] or 0),
    )


def product_params(product: Product) -> tuple[Any, ...]:
    """Insert parameters of a product, with its two derived search forms.

    The T9 form is derived from the normalised name, so a 300k-product load
    normalises each name once, not twice.
    """
    name_norm = normalise(product.name)
    return (
        product.id,
        product.plu,
        product.name,
        name_norm,
        t9_of_normalised(name_norm),
        product.unit,
        product.precision,
        product.vat_letter,
        product.category_id,
        product.type,
        product.price,
        int(product.active),
        product.deposit,
    )


class CatalogBase:
    """The connection and models the catalogue's parts (lookup, search, listing, writes) use."""

    def __init__(self, db: SqliteDatabase, models: Models) -> None:
        self._db = db
        self._m = models

    def _one(self, sql: str, params: tuple[Any, ...]) -> Product | None:
        row = self._db.execute_sql(sql, params).fetchone()
        return None if row is None else product_of(row)

    def _many(self, sql: str, params: tuple[Any, ...]) -> list[Product]:
        return [product_of(row) for row in self._db.execute_sql(sql, params).fetchall()]
