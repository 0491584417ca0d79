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

from typing import Any, Final

from ipos_tui.domain.records import Product
from ipos_tui.domain.search import is_digits, normalise
from ipos_tui.store.catalog.base import PRODUCT_COLUMNS, product_of
from ipos_tui.store.catalog.listing import Listing

#: Default number of search results (a screenful and then some).
SEARCH_LIMIT: Final = 50
#: Most matches looked at before sorting by name (see the module docstring): four
#: screenfuls, a fraction of the cost of a larger cap on the every-key-press path.
SEARCH_CANDIDATES: Final = 200
#: Shortest fragment the trigram index can match.
TRIGRAM_MIN: Final = 3
#: Sorts after every character a normalised name can contain (U+10FFFF).
_PREFIX_END: Final = "\U0010ffff"


def fts_phrase(fragment: str) -> str:
    """``fragment`` as an FTS5 string literal: quoted, inner quotes doubled.

    Quoting makes every character literal, so a query like ``a"b OR`` can
    neither fail to parse nor turn into FTS operators.
    """
    return '"' + fragment.replace('"', '""') + '"'


class Search(Listing):
    """Name search, category search and the most sold list."""

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
                f"SELECT {PRODUCT_COLUMNS} FROM product p WHERE p.active = 1 AND p.id IN "
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
        sql = f"SELECT {PRODUCT_COLUMNS} FROM product p WHERE p.active = 1 AND p.category_id IN ({marks})"
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
            f"SELECT {PRODUCT_COLUMNS} FROM product p WHERE p.active = 1 AND p.id IN "
            f"(SELECT id FROM product WHERE {column} >= ? AND {column} < ? LIMIT ?) "
            "ORDER BY p.name_norm, p.name LIMIT ?",
            (prefix, prefix + _PREFIX_END, candidates, limit),
        ).fetchall()
        return [((row[10], row[2]), product_of(row)) for row in rows]

    def most_sold(self, limit: int = SEARCH_LIMIT) -> list[Product]:
        """Best sellers of this terminal first, then the rest alphabetically."""
        result = self._many(
            # CROSS JOIN pins the loop order: walk the sales ranking and stop after
            # ``limit`` rows, instead of scanning every product (~50 ms at 300k).
            f"SELECT {PRODUCT_COLUMNS} FROM product_sales s CROSS JOIN product p "
            "ON p.id = s.product_id WHERE p.active = 1 "
            "ORDER BY s.sale_count DESC, s.qty_sold DESC, p.name_norm, p.name LIMIT ?",
            (limit,),
        )
        if len(result) < limit:
            result += self._many(
                f"SELECT {PRODUCT_COLUMNS} FROM product p WHERE p.active = 1 AND NOT EXISTS "
                "(SELECT 1 FROM product_sales s WHERE s.product_id = p.id) "
                "ORDER BY p.name_norm, p.name LIMIT ?",
                (limit - len(result),),
            )
        return result

    def has_sales(self) -> bool:
        """Whether this terminal sold anything yet (else "most sold" is alphabetical)."""
        return self._db.execute_sql("SELECT 1 FROM product_sales LIMIT 1").fetchone() is not None
