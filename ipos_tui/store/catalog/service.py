"""The catalogue as the sales screen needs it: code lookup, name search, bulk writes.

Name search is the hot path (every key press in name mode), so it is raw SQL over
purpose-built indexes rather than ORM queries:

* 3+ characters: FTS5 ``trigram`` MATCH, i.e. any fragment anywhere in the name,
  on the normalised name (diacritics folded, ł→l) or, for digits, on the T9 form
  too; the matched row ids are capped (:data:`SEARCH_CANDIDATES`, never below
  the page asked for) before sorting, because ordering every match of a common
  fragment in a 300k catalogue costs ~20 ms and fetching and sorting 1000
  candidates still ~3x what 200 cost; results are in name order among them;
* 1–2 characters: trigrams cannot match, so a prefix range on ordinary indexes;
* nothing typed: the most sold items (local statistics), then alphabetical.

Bulk writes use ``executemany`` in one transaction (5–9× faster than ORM saves),
and a full replacement rebuilds the trigram index once instead of row by row.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, Final

from peewee import SqliteDatabase

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.scale_code import ScaleCode, ScaleLayout, parse_scale_code
from ipos_tui.domain.search import is_digits, normalise, t9_of_normalised
from ipos_tui.domain.validation import (
    CHECKED_BARCODE_LENGTHS,
    IN_STORE_BARCODE_LENGTHS,
    MAX_PLU_DIGITS,
    classify_code,
)
from ipos_tui.store.migrations import PRODUCT_FTS_TRIGGER_NAMES, PRODUCT_FTS_TRIGGERS
from ipos_tui.store.models import Models
from ipos_tui.domain.records import (
    Barcode,
    CatalogueSnapshot,
    Category,
    DiscountDef,
    DiscountScope,
    PaymentMethod,
    Product,
    Unit,
    VatRate,
)

#: Default number of search results (a screenful and then some).
SEARCH_LIMIT: Final = 50
#: Most matches looked at before sorting by name (see the module docstring): four
#: screenfuls, a fraction of the cost of a larger cap on the every-key-press path.
SEARCH_CANDIDATES: Final = 200
#: Shortest fragment the trigram index can match.
TRIGRAM_MIN: Final = 3
#: Sorts after every character a normalised name can contain (U+10FFFF).
_PREFIX_END: Final = "\U0010ffff"

_BARCODE_LENGTHS: Final = CHECKED_BARCODE_LENGTHS | IN_STORE_BARCODE_LENGTHS

_PRODUCT_COLUMNS: Final = (
    "p.id, p.plu, p.name, p.unit, p.precision, p.vat_letter, p.price, "
    "p.category_id, p.type, p.active, p.name_norm, p.deposit"
)

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

_INSERT_PRODUCT: Final = (
    "INSERT INTO product (id, plu, name, name_norm, name_t9, unit, precision, "
    "vat_letter, category_id, type, price, active, deposit) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_UPSERT_PRODUCT: Final = (
    _INSERT_PRODUCT + " ON CONFLICT (id) DO UPDATE SET plu = excluded.plu, "
    "name = excluded.name, name_norm = excluded.name_norm, name_t9 = excluded.name_t9, "
    "unit = excluded.unit, precision = excluded.precision, "
    "vat_letter = excluded.vat_letter, category_id = excluded.category_id, "
    "type = excluded.type, price = excluded.price, active = excluded.active, "
    "deposit = excluded.deposit"
)
_UPSERT_BARCODE: Final = (
    "INSERT INTO barcode (code, product_id) VALUES (?, ?) "
    "ON CONFLICT (code) DO UPDATE SET product_id = excluded.product_id"
)


def _product(row: Sequence[Any]) -> Product:
    """A Product record from a row selected with ``_PRODUCT_COLUMNS``."""
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


def _product_params(product: Product) -> tuple[Any, ...]:
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


def fts_phrase(fragment: str) -> str:
    """``fragment`` as an FTS5 string literal: quoted, inner quotes doubled.

    Quoting makes every character literal, so a query like ``a"b OR`` can
    neither fail to parse nor turn into FTS operators.
    """
    return '"' + fragment.replace('"', '""') + '"'


class CatalogService:
    """Read and write access to the catalogue tables."""

    def __init__(self, db: SqliteDatabase, models: Models) -> None:
        self._db = db
        self._m = models

    # -- lookups --------------------------------------------------------------

    def find_by_code(self, code: str) -> Product | None:
        """The active product with this PLU or barcode, or None.

        Codes of barcode length (6–8, 12, 13 digits) are looked up as barcodes
        first, so a scanned in-store code wins over a PLU with the same digits.
        Raises DomainError "err.code_invalid" for input that is no code at all.
        """
        code = code.strip()
        classify_code(code)
        if len(code) in _BARCODE_LENGTHS:
            found = self._one(
                f"SELECT {_PRODUCT_COLUMNS} FROM barcode b JOIN product p "
                "ON p.id = b.product_id WHERE b.code = ? AND p.active = 1",
                (code,),
            )
            if found is not None:
                return found
        if code[0] != "0" and len(code) <= MAX_PLU_DIGITS:
            return self._one(
                f"SELECT {_PRODUCT_COLUMNS} FROM product p WHERE p.plu = ? AND p.active = 1",
                (code,),
            )
        return None

    def find_label_code(
        self, code: str, layouts: dict[str, ScaleLayout]
    ) -> tuple[Product, ScaleCode] | None:
        """A label scale's EAN-13 (prefix with a layout in ``layouts``): the active
        product whose PLU is the code's product code, with the weight or price read
        from it; None when ``code`` is no label code at all.

        Raises DomainError "err.scale_check_digit" (wrong check digit),
        "err.scale_product_unknown" (no active product with that PLU),
        "err.scale_not_weighed" (a weight for a product sold by the piece) and the
        other refusals of :func:`~ipos_tui.domain.scale_code.parse_scale_code`.
        """
        parsed = parse_scale_code(code, layouts)
        if parsed is None:
            return None
        product = self._one(
            f"SELECT {_PRODUCT_COLUMNS} FROM product p WHERE p.plu = ? AND p.active = 1",
            (parsed.plu,),
        )
        if product is None:
            raise DomainError("err.scale_product_unknown", plu=parsed.plu, code=parsed.code)
        if parsed.kind == "weight" and product.precision == 0:
            raise DomainError("err.scale_not_weighed", name=product.name, unit=product.unit)
        return product, parsed

    def product(self, product_id: int) -> Product | None:
        """A product by id, active or not (None when the catalogue has no such id)."""
        return self._one(f"SELECT {_PRODUCT_COLUMNS} FROM product p WHERE p.id = ?", (product_id,))

    def barcodes(self, product_id: int) -> tuple[str, ...]:
        """The barcodes of one product, sorted."""
        rows = self._db.execute_sql(
            "SELECT code FROM barcode WHERE product_id = ? ORDER BY code", (product_id,)
        ).fetchall()
        return tuple(row[0] for row in rows)

    def product_count(self, *, active_only: bool = True) -> int:
        """How many (active) products the catalogue holds."""
        sql = "SELECT count(*) FROM product" + (" WHERE active = 1" if active_only else "")
        return int(self._db.execute_sql(sql).fetchone()[0])

    # -- name search ----------------------------------------------------------

    def search(self, text: str, limit: int = SEARCH_LIMIT) -> list[Product]:
        """Active products whose name matches ``text``, by name (see module docstring)."""
        query = normalise(text)
        if not query:
            return self.most_sold(limit)
        candidates = max(SEARCH_CANDIDATES, limit)
        digits = is_digits(query)
        if len(query) >= TRIGRAM_MIN:
            phrase = fts_phrase(query)
            match = phrase if digits else f"name_norm : {phrase}"
            return self._many(
                f"SELECT {_PRODUCT_COLUMNS} FROM product p WHERE p.active = 1 AND p.id IN "
                "(SELECT rowid FROM product_fts WHERE product_fts MATCH ? LIMIT ?) "
                "ORDER BY p.name_norm, p.name LIMIT ?",
                (match, candidates, limit),
            )
        found = self._prefix("name_norm", query, candidates, limit)
        if digits:
            found += self._prefix("name_t9", query, candidates, limit)
        unique = {product.id: (key, product) for key, product in found}
        ranked = sorted(unique.values(), key=lambda pair: pair[0])
        return [product for _, product in ranked[:limit]]

    def category_subtree(self, category_id: int) -> set[int]:
        """``category_id`` and every category under it."""
        children: dict[int | None, list[int]] = {}
        for category in self.categories():
            children.setdefault(category.parent_id, []).append(category.id)
        found, todo = set(), [category_id]
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo += children.get(current, [])
        return found

    def search_in_category(
        self, text: str, category_id: int, limit: int = SEARCH_LIMIT
    ) -> list[Product]:
        """Active products of a category (and its subcategories) whose name contains
        ``text`` (or whose T9 form starts with it, for digits), by name; an empty
        ``text`` lists the category alphabetically."""
        ids = sorted(self.category_subtree(category_id))
        query = normalise(text)
        marks = ",".join("?" * len(ids))
        sql = f"SELECT {_PRODUCT_COLUMNS} FROM product p WHERE p.active = 1 AND p.category_id IN ({marks})"
        params: list[Any] = list(ids)
        if query:
            escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            sql += " AND (p.name_norm LIKE ? ESCAPE '\\'"
            params.append(f"%{escaped}%")
            if is_digits(query):
                sql += " OR p.name_t9 LIKE ? ESCAPE '\\'"
                params.append(f"{escaped}%")
            sql += ")"
        sql += " ORDER BY p.name_norm, p.name LIMIT ?"
        params.append(limit)
        return self._many(sql, tuple(params))

    def _prefix(
        self, column: str, prefix: str, candidates: int, limit: int
    ) -> list[tuple[tuple[str, str], Product]]:
        """Active products whose ``column`` starts with ``prefix``, keyed for sorting.

        The index range yields ids in ``column`` order, so the first
        ``candidates`` of them are the alphabetically first matches.
        """
        rows = self._db.execute_sql(
            f"SELECT {_PRODUCT_COLUMNS} FROM product p WHERE p.active = 1 AND p.id IN "
            f"(SELECT id FROM product WHERE {column} >= ? AND {column} < ? LIMIT ?) "
            "ORDER BY p.name_norm, p.name LIMIT ?",
            (prefix, prefix + _PREFIX_END, candidates, limit),
        ).fetchall()
        return [((row[10], row[2]), _product(row)) for row in rows]

    def most_sold(self, limit: int = SEARCH_LIMIT) -> list[Product]:
        """Best sellers of this terminal first, then the rest alphabetically."""
        result = self._many(
            # CROSS JOIN pins the loop order: walk the sales ranking and stop after
            # ``limit`` rows, instead of scanning every product (~50 ms at 300k).
            f"SELECT {_PRODUCT_COLUMNS} FROM product_sales s CROSS JOIN product p "
            "ON p.id = s.product_id WHERE p.active = 1 "
            "ORDER BY s.sale_count DESC, s.qty_sold DESC, p.name_norm, p.name LIMIT ?",
            (limit,),
        )
        if len(result) < limit:
            result += self._many(
                f"SELECT {_PRODUCT_COLUMNS} FROM product p WHERE p.active = 1 AND NOT EXISTS "
                "(SELECT 1 FROM product_sales s WHERE s.product_id = p.id) "
                "ORDER BY p.name_norm, p.name LIMIT ?",
                (limit - len(result),),
            )
        return result

    def has_sales(self) -> bool:
        """Whether this terminal sold anything yet (else "most sold" is alphabetical)."""
        return self._db.execute_sql("SELECT 1 FROM product_sales LIMIT 1").fetchone() is not None

    # -- other catalogue reads -----------------------------------------------

    def payment_methods(self) -> list[PaymentMethod]:
        """Active payment methods in the back office's order."""
        table = self._m.payment_method
        rows = table.select().where(table.active == 1).order_by(table.position, table.code)
        return [
            PaymentMethod(row.code, row.name, row.kind, bool(row.allows_change), row.position, True)
            for row in rows
        ]

    def discounts(self, scope: DiscountScope | None = None) -> list[DiscountDef]:
        """Predefined discounts, of one scope ("line"/"receipt") or all, by name."""
        table = self._m.discount
        query = table.select().order_by(table.name, table.id)
        if scope is not None:
            query = query.where(table.scope == scope)
        return [DiscountDef(row.id, row.name, row.kind, row.value, row.scope) for row in query]

    def vat_rates(self) -> list[VatRate]:
        """The VAT table of the back office, by letter."""
        table = self._m.vat_rate
        return [VatRate(row.letter, row.rate_bp) for row in table.select().order_by(table.letter)]

    def units(self) -> list[Unit]:
        """Units of measure, by name."""
        table = self._m.unit
        return [Unit(row.name, row.precision) for row in table.select().order_by(table.name)]

    def categories(self) -> list[Category]:
        """The category tree as a flat list, by id."""
        table = self._m.category
        return [
            Category(row.id, row.name, row.parent_id) for row in table.select().order_by(table.id)
        ]

    # -- bulk writes ----------------------------------------------------------

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
        cursor.executemany(_INSERT_PRODUCT, [_product_params(p) for p in snap.products])
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
        params = [_product_params(p) for p in products]
        with self._db.atomic("IMMEDIATE"):
            self._db.cursor().executemany(_UPSERT_PRODUCT, params)
        return len(params)

    def upsert_barcodes(self, barcodes: Iterable[Barcode]) -> int:
        """Insert barcodes or move them to another product; return how many."""
        params = [(b.code, b.product_id) for b in barcodes]
        with self._db.atomic("IMMEDIATE"):
            self._db.cursor().executemany(_UPSERT_BARCODE, params)
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

    # -- helpers --------------------------------------------------------------

    def _one(self, sql: str, params: tuple[Any, ...]) -> Product | None:
        row = self._db.execute_sql(sql, params).fetchone()
        return None if row is None else _product(row)

    def _many(self, sql: str, params: tuple[Any, ...]) -> list[Product]:
        return [_product(row) for row in self._db.execute_sql(sql, params).fetchall()]
