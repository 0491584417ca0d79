"""The assortment: products and their barcodes (units and categories: :mod:`.categories`,
discounts: :mod:`.discounts`).

Every rule of PRODUCT.md §7 is checked here, inside the write transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.feed import (
    ChangeRecorder,
)
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.validation import (
    MAX_BARCODES,
    product_name_key,
    validate_barcode,
    validate_barcodes,
    validate_plu,
    validate_product_name,
)

from .categories import CategoryService

MAX_PRICE = 99_999_999

PRODUCT_KINDS = ("good", "service")

#: Fields of a product its edit form changes (what a stale form is checked against).
PRODUCT_FORM_FIELDS = ("name", "plu", "vat", "unit", "category_id", "kind", "open_price",
                       "deposit")
#: The largest deposit ("kaucja") per piece of returnable packaging: 100,00 zł.
MAX_DEPOSIT = 10_000


def _vat_rank(letter: str, rates: dict[str, int | None]) -> int:
    """Order of VAT letters by rate (the company's table); exempt ("zw.") ranks below 0 %."""
    rate = rates.get(letter)
    return -1 if rate is None else rate

@dataclass
class ProductInput:
    """One product of a bulk import (CSV row); ``line`` is its line in the file.

    ``barcodes``/``price``/``category`` ``None`` mean "column absent: keep as is".
    """

    line: int
    name: str
    plu: str
    vat: str
    unit: str = "szt."
    price: int | None = None
    barcodes: list[str] | None = None
    category: str | None = None
    kind: str = "good"
    open_price: bool = False

class _ImportErrors:
    """Every bad row of an import, with its line number and reason."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, line: int, exc: DomainError) -> None:
        self.items.append({"line": line, "key": exc.key,
                           "params": {k: v for k, v in exc.params.items()}})

    def raise_if_any(self) -> None:
        if self.items:
            self.items.sort(key=lambda e: e["line"])
            raise DomainError("err.import_failed", count=len(self.items), errors=self.items)


class CatalogueService(CategoryService):
    """The assortment: products and their barcodes (in units and categories of
    :class:`~.categories.CategoryService`)."""

    def add_product(
        self,
        name: str,
        plu: str,
        vat: str,
        *,
        unit: str = "szt.",
        category_id: int | None = None,
        kind: str = "good",
        open_price: bool = False,
        barcodes: Sequence[str] = (),
        prices: dict[int, int] | None = None,
        deposit: int = 0,
    ) -> int:
        """Create a product with its barcodes and prices (price list id → grosze);
        ``deposit``: its packaging's deposit per piece ("kaucja"), grosze."""
        self._check_deposit(deposit)
        name = validate_product_name(name)
        plu = validate_plu(plu)
        self._check_vat(vat)
        self._check_kind(kind)
        codes = validate_barcodes(barcodes)
        for price in (prices or {}).values():
            self._check_price(price, open_price)
        with self._writing() as changes:
            unit_row = self._unit(unit)
            if category_id is not None:
                self._category(category_id)
            self._check_unique(name, plu, codes)
            product = m.Product.create(
                company=self.company_id, name=name, name_key=product_name_key(name), plu=plu,
                vat=vat, unit=unit_row.id, category=category_id, kind=kind,
                open_price=open_price, deposit=deposit,
            )
            changes.record("product", product.id)
            for code in codes:
                self._insert_barcode(changes, product.id, code)
            for list_id, price in (prices or {}).items():
                self._price_list(list_id)
                self._upsert_price(changes, list_id, product.id, price)
            return product.id

    def update_product(
        self,
        product_id: int,
        *,
        name: str | None = None,
        plu: str | None = None,
        vat: str | None = None,
        unit: str | None = None,
        category_id: int | None | type[Ellipsis] = ...,
        kind: str | None = None,
        open_price: bool | None = None,
        active: bool | None = None,
        barcodes: Sequence[str] | None = None,
        deposit: int | None = None,
    ) -> None:
        """Change a product; ``barcodes`` (if given) replaces the whole set."""
        if deposit is not None:
            self._check_deposit(deposit)
        with self._writing() as changes:
            product = self._product(product_id)
            if name is not None:
                name = validate_product_name(name)
                self._check_unique(name, None, (), exclude=product.id)
                product.name, product.name_key = name, product_name_key(name)
            if plu is not None:
                plu = validate_plu(plu)
                self._check_unique(None, plu, (), exclude=product.id)
                product.plu = plu
            if vat is not None and vat != product.vat:
                self._check_vat(vat)
                rates = self._vat_rates()
                if _vat_rank(vat, rates) > _vat_rank(product.vat, rates):
                    raise DomainError("err.vat_raise", plu=product.plu, old=product.vat, new=vat)
                product.vat = vat
            if unit is not None:
                product.unit = self._unit(unit).id
            if category_id is not ...:
                if category_id is not None:
                    self._category(category_id)  # type: ignore[arg-type]
                product.category = category_id
            if kind is not None:
                self._check_kind(kind)
                product.kind = kind
            if open_price is not None:
                product.open_price = open_price
            if active is not None:
                product.active = active
            if deposit is not None:
                product.deposit = deposit
            product.save()
            changes.record("product", product.id)
            if barcodes is not None:
                self._replace_barcodes(changes, product.id, validate_barcodes(barcodes))

    def delete_product(self, product_id: int) -> None:
        """Delete a product, its barcodes and prices, leaving tombstones for all."""
        with self._writing() as changes:
            product = self._product(product_id)
            for barcode in m.Barcode.select().where(m.Barcode.product == product_id):
                changes.record("barcode", barcode.id, "delete")
            for price in m.Price.select().where(m.Price.product == product_id):
                changes.record("price", product_id, "delete", price_list_id=price.price_list_id)
            m.Barcode.delete().where(m.Barcode.product == product_id).execute()
            m.Price.delete().where(m.Price.product == product_id).execute()
            product.delete_instance()
            changes.record("product", product_id, "delete")

    def add_barcode(self, product_id: int, code: str) -> int:
        code = validate_barcode(code)
        with self._writing() as changes:
            self._product(product_id)
            count = m.Barcode.select().where(m.Barcode.product == product_id).count()
            if count >= MAX_BARCODES:
                raise DomainError("err.barcodes_too_many", max=MAX_BARCODES)
            self._check_unique(None, None, [code])
            return self._insert_barcode(changes, product_id, code)

    def remove_barcode(self, code: str, product_id: int | None = None) -> None:
        """Remove a barcode; with ``product_id``, only if it is that product's (a page
        of one product never removes another's code)."""
        with self._writing() as changes:
            row = m.Barcode.get_or_none(company=self.company_id, code=code.strip())
            if row is None or (product_id is not None and row.product_id != product_id):
                raise DomainError("err.barcode_unknown", code=code)
            row.delete_instance()
            changes.record("barcode", row.id, "delete")

    def product_by_plu(self, plu: str) -> int:
        row = m.Product.get_or_none(company=self.company_id, plu=plu.strip())
        if row is None:
            raise DomainError("err.product_unknown", product=plu)
        return row.id

    def get_product(self, product_id: int) -> dict[str, Any]:
        product = self._product(product_id)
        return self._product_dict(product)

    def list_products(self, search: str | None = None, limit: int | None = None) -> list[dict]:
        query = (m.Product.select(m.Product, m.Unit).join(m.Unit)
                 .where(m.Product.company == self.company_id).order_by(m.Product.id))
        if search:
            query = query.where(
                m.Product.name_key.contains(search.casefold()) | (m.Product.plu == search)
            )
        if limit:
            query = query.limit(limit)
        products = list(query)
        ids = [p.id for p in products]
        codes: dict[int, list[str]] = {}
        prices: dict[int, dict[int, int]] = {}
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            for b in m.Barcode.select().where(m.Barcode.product.in_(chunk)).order_by(m.Barcode.id):
                codes.setdefault(b.product_id, []).append(b.code)
            for p in m.Price.select().where(m.Price.product.in_(chunk)):
                prices.setdefault(p.product_id, {})[p.price_list_id] = p.price
        return [self._product_dict(p, codes.get(p.id, []), prices.get(p.id, {}))
                for p in products]

    @staticmethod
    def product_form_values(product: dict[str, Any]) -> dict[str, Any]:
        """What a product's edit form shows and changes (:data:`PRODUCT_FORM_FIELDS`)."""
        return {name: product[name] for name in PRODUCT_FORM_FIELDS}

    @classmethod
    def check_price(cls, price: int, open_price: bool = False) -> None:
        """Refuse a price no product may carry (see :meth:`_check_price`)."""
        cls._check_price(price, open_price)

    def _product_dict(self, p: m.Product, codes: list[str] | None = None,
                      prices: dict[int, int] | None = None) -> dict[str, Any]:
        if codes is None:
            codes = [b.code for b in m.Barcode.select().where(m.Barcode.product == p.id)
                     .order_by(m.Barcode.id)]
        if prices is None:
            prices = {r.price_list_id: r.price
                      for r in m.Price.select().where(m.Price.product == p.id)}
        return {
            "id": p.id, "name": p.name, "plu": p.plu, "vat": p.vat, "unit": p.unit.name,
            "category_id": p.category_id, "kind": p.kind, "open_price": p.open_price,
            "active": p.active, "barcodes": codes, "prices": prices, "deposit": p.deposit,
        }

    def _product(self, product_id: int) -> m.Product:
        row = m.Product.get_or_none(
            (m.Product.id == product_id) & (m.Product.company == self.company_id)
        )
        if row is None:
            raise DomainError("err.product_unknown", product=product_id)
        return row

    def _vat_rates(self) -> dict[str, int | None]:
        """The company's VAT letters and rates (set with ``vat set`` or iPOS web)."""
        return {row.letter: row.rate
                for row in m.VatRate.select().where(m.VatRate.company == self.company_id)}

    def _check_vat(self, vat: str) -> None:
        """A product's letter must be one of the company's (A-G, as set)."""
        if vat not in self._vat_rates():
            raise DomainError("err.vat_letter", letter=vat)

    @staticmethod
    def _check_kind(kind: str) -> None:
        if kind not in PRODUCT_KINDS:
            raise DomainError("err.product_kind_invalid", kind=kind)

    @staticmethod
    def _check_deposit(deposit: int) -> None:
        """A deposit per piece: whole grosze from 0 (none) to :data:`MAX_DEPOSIT`."""
        if isinstance(deposit, bool) or not isinstance(deposit, int) or not 0 <= deposit <= MAX_DEPOSIT:
            raise DomainError("err.deposit_invalid", max=MAX_DEPOSIT)

    @staticmethod
    def _check_price(price: int, open_price: bool) -> None:
        """Prices are gross grosze; only an open-price item may carry 0."""
        if not isinstance(price, int) or price < 0 or price > MAX_PRICE:
            raise DomainError("err.price_invalid", price=price)
        if price == 0 and not open_price:
            raise DomainError("err.price_zero")

    def _check_unique(self, name: str | None, plu: str | None, codes: Iterable[str],
                      exclude: int | None = None) -> None:
        p = m.Product
        scope = (p.company == self.company_id) & (p.id != (exclude or 0))
        if name is not None:
            clash = p.get_or_none(scope & (p.name_key == product_name_key(name)))
            if clash is not None:
                raise DomainError("err.name_taken", name=name, plu=clash.plu)
        if plu is not None:
            clash = p.get_or_none(scope & (p.plu == plu))
            if clash is not None:
                raise DomainError("err.plu_taken", plu=plu, name=clash.name)
        for code in codes:
            row = m.Barcode.get_or_none(company=self.company_id, code=code)
            if row is not None and row.product_id != exclude:
                raise DomainError("err.barcode_taken", code=code, plu=row.product.plu)

    def _insert_barcode(self, changes: ChangeRecorder, product_id: int, code: str) -> int:
        row = m.Barcode.create(company=self.company_id, product=product_id, code=code)
        changes.record("barcode", row.id)
        return row.id

    def _replace_barcodes(self, changes: ChangeRecorder, product_id: int,
                          codes: list[str]) -> None:
        existing = {b.code: b for b in m.Barcode.select().where(m.Barcode.product == product_id)}
        for code, row in existing.items():
            if code not in codes:
                row.delete_instance()
                changes.record("barcode", row.id, "delete")
        new_codes = [code for code in codes if code not in existing]
        self._check_unique(None, None, new_codes, exclude=product_id)
        for code in new_codes:
            self._insert_barcode(changes, product_id, code)
