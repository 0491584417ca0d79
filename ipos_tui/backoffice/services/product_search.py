"""Finding products: the assortment list of iPOS web (a page at a time, by name
fragment, PLU or barcode) and the products of one code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from peewee import SQL, NodeList, Select

from ipos_tui.backoffice import models as m
from ipos_tui.domain.validation import product_name_key

from .base import ServiceBase

#: Products per page of the assortment list (iPOS web).
PRODUCTS_PER_PAGE = 50
#: Which products a list shows: on sale, withdrawn (inactive), or both.
PRODUCT_STATUSES = ("active", "inactive", "all")
#: A search of this many digits or more is a barcode (or a 9-digit PLU), not a name.
CODE_ONLY_DIGITS = 8


@dataclass
class ProductPage:
    """One page of the assortment list: its rows and whether a next page exists
    (found by reading one row more than a page, so no COUNT over the catalogue)."""

    rows: list[dict[str, Any]]
    page: int
    per_page: int
    has_more: bool


def _like_pattern(fragment: str) -> str:
    """``%fragment%`` for LIKE with ``\\`` escaping ``%`` and ``_`` (``%`` may be in a
    product's name: "Mleko 3,2%")."""
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class ProductSearchService(ServiceBase):
    """Pages of the assortment list and lookups by code."""

    def product_search_query(self, search: str = "", status: str = "active") -> Select:
        """The products matching ``search`` by name; ``status`` is one of
        :data:`PRODUCT_STATUSES`.

        ``search`` is a fragment of the name (any case), or a PLU or barcode typed
        whole. Digits are both: the products with that PLU or barcode (found on their
        indexes first, so the name walk below tests only row ids) and the names
        containing them; 8 digits or more (EAN-8, UPC-A, EAN-13, a 9-digit PLU) are
        looked up as a code only, never by walking the names. The order is the
        (company, name_key) index, so a page reads only its rows and the ones before it.
        """
        p = m.Product
        query = (p.select(p.id, p.name, p.plu, p.vat, p.active, p.kind, p.open_price,
                          m.Unit.name.alias("unit_name"))
                 .join(m.Unit).where(p.company == self.company_id))
        text = search.strip()
        if text:
            digits = text.isascii() and text.isdigit()
            coded = [row["id"] for row in self.products_by_code(text)] if digits else []
            if digits and len(text) >= CODE_ONLY_DIGITS:
                query = query.where(p.id.in_(coded))
            else:
                matches = NodeList((p.name_key, SQL("LIKE"),
                                    _like_pattern(product_name_key(text)), SQL("ESCAPE '\\'")))
                query = query.where(matches | p.id.in_(coded) if coded else matches)
        if status == "active":
            query = query.where(p.active == True)  # noqa: E712 (SQL, not Python)
        elif status == "inactive":
            query = query.where(p.active == False)  # noqa: E712
        return query.order_by(p.name_key)

    def search_products(self, search: str = "", status: str = "active", page: int = 1,
                        per_page: int = PRODUCTS_PER_PAGE) -> ProductPage:
        """One page of the assortment list (see :meth:`product_search_query`), each row
        with its barcodes and its price in each price list."""
        if status not in PRODUCT_STATUSES:
            status = "active"
        page = max(page, 1)
        query = self.product_search_query(search, status)
        found = list(query.limit(per_page + 1).offset((page - 1) * per_page).dicts())
        rows, has_more = found[:per_page], len(found) > per_page
        ids = [row["id"] for row in rows]
        codes: dict[int, list[str]] = {}
        prices: dict[int, dict[int, int]] = {}
        if ids:
            for product_id, code in (m.Barcode.select(m.Barcode.product, m.Barcode.code)
                                     .where(m.Barcode.product.in_(ids))
                                     .order_by(m.Barcode.id).tuples()):
                codes.setdefault(product_id, []).append(code)
            for product_id, list_id, price in (m.Price.select(m.Price.product, m.Price.price_list,
                                                              m.Price.price)
                                               .where(m.Price.product.in_(ids)).tuples()):
                prices.setdefault(product_id, {})[list_id] = price
        for row in rows:
            row["unit"] = row.pop("unit_name")
            row["barcodes"] = codes.get(row["id"], [])
            row["prices"] = prices.get(row["id"], {})
        return ProductPage(rows=rows, page=page, per_page=per_page, has_more=has_more)

    def products_by_code(self, code: str) -> list[dict[str, Any]]:
        """The products whose PLU or one of whose barcodes is exactly ``code`` (a 6–7
        digit code may be one product's PLU and another's in-store barcode)."""
        code = code.strip()
        if not (code.isascii() and code.isdigit()) or len(code) > 13:
            return []
        p, b = m.Product, m.Barcode
        # two lookups on the unique (company, plu) and (company, code) indexes: one OR
        # of both would make SQLite walk the whole table
        ids = [row.id for row in p.select(p.id).where((p.company == self.company_id)
                                                       & (p.plu == code))]
        ids += [row.product_id for row in b.select(b.product).where(
            (b.company == self.company_id) & (b.code == code))]
        if not ids:
            return []
        rows = p.select(p.id, p.name, p.plu, p.active).where(p.id.in_(ids)).order_by(p.id)
        return list(rows.dicts())
