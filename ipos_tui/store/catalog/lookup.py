"""Finding one product: by PLU or barcode, by a scale label's code, by id."""

from __future__ import annotations

from typing import Final

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.records import Product
from ipos_tui.domain.scale_code import ScaleCode, ScaleLayout, parse_scale_code
from ipos_tui.domain.validation import (
    CHECKED_BARCODE_LENGTHS,
    IN_STORE_BARCODE_LENGTHS,
    MAX_PLU_DIGITS,
    classify_code,
)
from ipos_tui.store.catalog.base import PRODUCT_COLUMNS, CatalogBase

BARCODE_LENGTHS: Final = CHECKED_BARCODE_LENGTHS | IN_STORE_BARCODE_LENGTHS


class Lookup(CatalogBase):
    """Code and id lookups of the catalogue."""

    def find_by_code(self, code: str) -> Product | None:
        """The active product with this PLU or barcode, or None.

        Codes of barcode length (6–8, 12, 13 digits) are looked up as barcodes
        first, so a scanned in-store code wins over a PLU with the same digits.
        Raises DomainError "err.code_invalid" for input that is no code at all.
        """
        code = code.strip()
        classify_code(code)
        if len(code) in BARCODE_LENGTHS:
            found = self._one(
                f"SELECT {PRODUCT_COLUMNS} FROM barcode b JOIN product p "
                "ON p.id = b.product_id WHERE b.code = ? AND p.active = 1",
                (code,),
            )
            if found is not None:
                return found
        if code[0] != "0" and len(code) <= MAX_PLU_DIGITS:
            return self._one(
                f"SELECT {PRODUCT_COLUMNS} FROM product p WHERE p.plu = ? AND p.active = 1",
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
            f"SELECT {PRODUCT_COLUMNS} FROM product p WHERE p.plu = ? AND p.active = 1",
            (parsed.plu,),
        )
        if product is None:
            raise DomainError("err.scale_product_unknown", plu=parsed.plu, code=parsed.code)
        if parsed.kind == "weight" and product.precision == 0:
            raise DomainError("err.scale_not_weighed", name=product.name, unit=product.unit)
        return product, parsed

    def product(self, product_id: int) -> Product | None:
        """A product by id, active or not (None when the catalogue has no such id)."""
        return self._one(f"SELECT {PRODUCT_COLUMNS} FROM product p WHERE p.id = ?", (product_id,))

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
