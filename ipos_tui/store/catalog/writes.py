"""Bulk writes of the catalogue: a full replacement (one transaction, the trigram index
rebuilt once) and incremental upserts and deletes, all with ``executemany``."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Final

from ipos_tui.domain.records import Barcode, CatalogueSnapshot, Product
from ipos_tui.store.catalog.base import (
    INSERT_PRODUCT,
    UPSERT_BARCODE,
    UPSERT_PRODUCT,
    CatalogBase,
    product_params,
)
from ipos_tui.store.migrations import PRODUCT_FTS_TRIGGER_NAMES, PRODUCT_FTS_TRIGGERS

#: Tables a full catalogue replacement empties. terminal_info (set at activation)
#: and sync_cursor (owned by the sync engine) are deliberately not among them.
_REPLACED_TABLES: Final = (
    "company",
    "store",
    "setting",
    "payment_method",
    "user",
    "vat_rate",
    "unit",
    "category",
    "product",
    "barcode",
    "price",
    "discount",
)


class BulkWrites(CatalogBase):
    """Replaces, upserts and deletes catalogue rows."""

    def replace_all(self, snapshot: CatalogueSnapshot) -> None:
        """Replace the whole catalogue with ``snapshot`` in ONE transaction.

        Readers on other connections see the old catalogue until the commit, then
        the new one. The FTS triggers are dropped for the load and the trigram index
        rebuilt once, then the triggers come back, all inside the transaction.
        Local statistics (product_sales) and the ledger are not touched.
        """
        with self._db.atomic("IMMEDIATE"):
            cursor = self._db.cursor()
            for name in PRODUCT_FTS_TRIGGER_NAMES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            for table in _REPLACED_TABLES:
                cursor.execute(f'DELETE FROM "{table}"')
            self._insert_snapshot(cursor, snapshot)
            cursor.execute("INSERT INTO product_fts (product_fts) VALUES ('rebuild')")
            for statement in PRODUCT_FTS_TRIGGERS:
                cursor.execute(statement)

    def _insert_snapshot(self, cursor: sqlite3.Cursor, snap: CatalogueSnapshot) -> None:
        """Insert every table of ``snap`` with executemany (tables already empty)."""
        if snap.company is not None:
            cursor.execute(
                "INSERT INTO company (id, name, nip, address) VALUES (1, ?, ?, ?)",
                (snap.company.name, snap.company.nip, snap.company.address),
            )
        cursor.executemany(
            "INSERT INTO store (id, name, address) VALUES (?, ?, ?)",
            [(s.id, s.name, s.address) for s in snap.stores],
        )
        cursor.executemany(
            "INSERT INTO setting (key, value) VALUES (?, ?)",
            [(key, json.dumps(value, ensure_ascii=False)) for key, value in snap.settings.items()],
        )
        cursor.executemany(
            "INSERT INTO payment_method (code, name, kind, allows_change, position, active) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (m.code, m.name, m.kind, int(m.allows_change), m.position, int(m.active))
                for m in snap.payment_methods
            ],
        )
        cursor.executemany(
            "INSERT INTO user (id, identifier, name, role, pin_hash, active, permissions) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    u.id,
                    u.identifier,
                    u.name,
                    u.role,
                    u.pin_hash,
                    int(u.active),
                    json.dumps(list(u.permissions)),
                )
                for u in snap.users
            ],
        )
        cursor.executemany(
            "INSERT INTO vat_rate (letter, rate_bp) VALUES (?, ?)",
            [(v.letter, v.rate_bp) for v in snap.vat_rates],
        )
        cursor.executemany(
            "INSERT INTO unit (name, precision) VALUES (?, ?)",
            [(u.name, u.precision) for u in snap.units],
        )
        cursor.executemany(
            "INSERT INTO category (id, parent_id, name) VALUES (?, ?, ?)",
            [(c.id, c.parent_id, c.name) for c in snap.categories],
        )
        cursor.executemany(INSERT_PRODUCT, [product_params(p) for p in snap.products])
        cursor.executemany(
            "INSERT INTO barcode (code, product_id) VALUES (?, ?)",
            [(b.code, b.product_id) for b in snap.barcodes],
        )
        cursor.executemany(
            "INSERT INTO discount (id, name, kind, value, scope) VALUES (?, ?, ?, ?, ?)",
            [(d.id, d.name, d.kind, d.value, d.scope) for d in snap.discounts],
        )

    def upsert_products(self, products: Iterable[Product]) -> int:
        """Insert or update products by id in one transaction; return how many.

        For incremental sync pages: the FTS triggers keep the name index current.
        """
        params = [product_params(p) for p in products]
        with self._db.atomic("IMMEDIATE"):
            self._db.cursor().executemany(UPSERT_PRODUCT, params)
        return len(params)

    def upsert_barcodes(self, barcodes: Iterable[Barcode]) -> int:
        """Insert barcodes or move them to another product; return how many."""
        params = [(b.code, b.product_id) for b in barcodes]
        with self._db.atomic("IMMEDIATE"):
            self._db.cursor().executemany(UPSERT_BARCODE, params)
        return len(params)

    def delete_products(self, product_ids: Iterable[int]) -> int:
        """Remove products and their barcodes; return how many products went.

        Receipts are unaffected: their lines carry their own copies.
        """
        params = [(product_id,) for product_id in product_ids]
        with self._db.atomic("IMMEDIATE"):
            cursor = self._db.cursor()
            cursor.executemany("DELETE FROM barcode WHERE product_id = ?", params)
            cursor.executemany("DELETE FROM product WHERE id = ?", params)
            return max(cursor.rowcount, 0)
