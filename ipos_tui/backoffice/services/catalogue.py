"""The assortment: products and their barcodes, units, categories and discounts.

Every rule of PRODUCT.md §7 is checked here, inside the write transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from peewee import SQL, NodeList, Select

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.feed import (
    ChangeRecorder,
)
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.quantity import validate_unit_name
from ipos_tui.domain.validation import (
    MAX_BARCODES,
    product_name_key,
    validate_barcode,
    validate_barcodes,
    validate_plu,
    validate_product_name,
)

from .base import ServiceBase

MAX_PRICE = 99_999_999

PRODUCT_KINDS = ("good", "service")

#: Products per page of the assortment list (iPOS web).
PRODUCTS_PER_PAGE = 50
#: Which products a list shows: on sale, withdrawn (inactive), or both.
PRODUCT_STATUSES = ("active", "inactive", "all")
#: A search of this many digits or more is a barcode (or a 9-digit PLU), not a name.
CODE_ONLY_DIGITS = 8
#: Fields of a product its edit form changes (what a stale form is checked against).
PRODUCT_FORM_FIELDS = ("name", "plu", "vat", "unit", "category_id", "kind", "open_price",
                       "deposit")
#: The largest deposit ("kaucja") per piece of returnable packaging: 100,00 zł.
MAX_DEPOSIT = 10_000

BUILTIN_UNITS = (("szt.", 0), ("kg", 3), ("g", 0))
#: Longest unit name (the printer's field), category name and discount name.
MAX_UNIT_NAME = 20
MAX_CATEGORY_NAME = 60
MAX_DISCOUNT_NAME = 40
#: Decimal places a unit may allow in a quantity (0: whole pieces, 3: grams of a kg).
UNIT_PRECISIONS = (0, 1, 2, 3)

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


class CatalogueService(ServiceBase):
    """The assortment: products and their barcodes, units, categories and discounts."""

    def add_unit(self, name: str, precision: int = 0) -> int:
        name = self._unit_name(name)
        if precision not in UNIT_PRECISIONS:
            raise DomainError("err.unit_precision", precision=precision)
        with self._writing() as changes:
            if m.Unit.get_or_none(company=self.company_id, name=name):
                raise DomainError("err.unit_taken", name=name)
            unit = m.Unit.create(company=self.company_id, name=name, precision=precision)
            changes.record("unit", unit.id)
            return unit.id

    def rename_unit(self, unit_name: str, new_name: str) -> None:
        new_name = self._unit_name(new_name)
        with self._writing() as changes:
            unit = self._unit(unit_name)
            if unit.builtin:
                raise DomainError("err.unit_builtin", name=unit.name)
            if m.Unit.get_or_none(company=self.company_id, name=new_name):
                raise DomainError("err.unit_taken", name=new_name)
            unit.name = new_name
            unit.save()
            changes.record("unit", unit.id)

    def list_units(self) -> list[dict[str, Any]]:
        rows = m.Unit.select().where(m.Unit.company == self.company_id).order_by(m.Unit.id)
        return [{"id": r.id, "name": r.name, "precision": r.precision, "builtin": r.builtin}
                for r in rows]

    @staticmethod
    def _unit_name(name: str) -> str:
        name = validate_unit_name(name)
        if len(name) > MAX_UNIT_NAME:
            raise DomainError("err.name_too_long", max=MAX_UNIT_NAME)
        return name

    def _unit(self, name: str) -> m.Unit:
        unit = m.Unit.get_or_none(company=self.company_id, name=name.strip())
        if unit is None:
            raise DomainError("err.unit_unknown", name=name)
        return unit

    def add_category(self, name: str, parent_id: int | None = None) -> int:
        """A category (under ``parent_id``); names are unique in the company, as the CSV
        import finds a product's category by its name."""
        name = self._category_name(name)
        with self._writing() as changes:
            self._check_category_free(name)
            if parent_id is not None:
                self._category(parent_id)
            category = m.Category.create(company=self.company_id, name=name, parent=parent_id)
            changes.record("category", category.id)
            return category.id

    def update_category(self, category_id: int, *, name: str | None = None,
                        parent_id: int | None | type[Ellipsis] = ...) -> None:
        with self._writing() as changes:
            category = self._category(category_id)
            if name is not None:
                category.name = self._category_name(name)
                self._check_category_free(category.name, exclude=category_id)
            if parent_id is not ...:
                if parent_id is not None:
                    self._category(parent_id)  # type: ignore[arg-type]
                self._check_no_cycle(category_id, parent_id)  # type: ignore[arg-type]
                category.parent = parent_id
            category.save()
            changes.record("category", category.id)

    def delete_category(self, category_id: int) -> None:
        """Delete a category; its products and subcategories lose it (and are re-sent)."""
        with self._writing() as changes:
            category = self._category(category_id)
            for child in m.Category.select().where(m.Category.parent == category_id):
                child.parent = None
                child.save()
                changes.record("category", child.id)
            products = m.Product.select(m.Product.id).where(m.Product.category == category_id)
            for product in products:
                changes.record("product", product.id)
            m.Product.update(category=None).where(m.Product.category == category_id).execute()
            category.delete_instance()
            changes.record("category", category_id, "delete")

    def list_categories(self) -> list[dict[str, Any]]:
        rows = m.Category.select().where(m.Category.company == self.company_id)
        return [{"id": r.id, "name": r.name, "parent_id": r.parent_id}
                for r in rows.order_by(m.Category.id)]

    def category_product_counts(self) -> dict[int, int]:
        """How many products each category has (categories without any are absent)."""
        from peewee import fn

        p = m.Product
        query = (p.select(p.category, fn.COUNT(p.id))
                 .where((p.company == self.company_id) & p.category.is_null(False))
                 .group_by(p.category))
        return dict(query.tuples())

    def _check_category_free(self, name: str, exclude: int | None = None) -> None:
        key = name.casefold()
        for row in m.Category.select(m.Category.id, m.Category.name).where(
                m.Category.company == self.company_id):
            if row.id != exclude and row.name.casefold() == key:
                raise DomainError("err.category_taken", name=row.name)

    @staticmethod
    def _category_name(name: str) -> str:
        cleaned = name.strip()
        if not cleaned:
            raise DomainError("err.name_empty")
        if len(cleaned) > MAX_CATEGORY_NAME:
            raise DomainError("err.name_too_long", max=MAX_CATEGORY_NAME)
        return cleaned

    def _category(self, category_id: int) -> m.Category:
        row = m.Category.get_or_none(
            (m.Category.id == category_id) & (m.Category.company == self.company_id)
        )
        if row is None:
            raise DomainError("err.category_unknown", category=category_id)
        return row

    def _check_no_cycle(self, category_id: int, parent_id: int | None) -> None:
        seen = {category_id}
        while parent_id is not None:
            if parent_id in seen:
                raise DomainError("err.category_cycle", category=category_id)
            seen.add(parent_id)
            parent_id = self._category(parent_id).parent_id

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

    def add_discount(self, name: str, kind: str, value: int, scope: str = "line") -> int:
        """A predefined discount: ``value`` in basis points (percent, up to 100 %) or
        grosze (amount, up to the largest price); names unique case-insensitively."""
        name = name.strip()
        if not name:
            raise DomainError("err.name_empty")
        if len(name) > MAX_DISCOUNT_NAME:
            raise DomainError("err.name_too_long", max=MAX_DISCOUNT_NAME)
        if kind not in ("percent", "amount"):
            raise DomainError("err.discount_kind_invalid", kind=kind)
        if (not isinstance(value, int) or value <= 0
                or value > (10_000 if kind == "percent" else MAX_PRICE)):
            raise DomainError("err.discount_value_invalid", value=value)
        if scope not in ("line", "receipt"):
            raise DomainError("err.discount_scope_invalid", scope=scope)
        with self._writing() as changes:
            for other in m.Discount.select(m.Discount.name).where(
                    m.Discount.company == self.company_id):
                if other.name.casefold() == name.casefold():
                    raise DomainError("err.discount_taken", name=other.name)
            row = m.Discount.create(company=self.company_id, name=name, kind=kind, value=value,
                                    scope=scope)
            changes.record("discount", row.id)
            return row.id

    def list_discounts(self) -> list[dict[str, Any]]:
        rows = m.Discount.select().where(m.Discount.company == self.company_id)
        return [{"id": r.id, "name": r.name, "kind": r.kind, "value": r.value,
                 "scope": r.scope, "active": r.active} for r in rows.order_by(m.Discount.id)]

    def delete_discount(self, discount_id: int) -> None:
        with self._writing() as changes:
            deleted = m.Discount.delete().where(
                (m.Discount.id == discount_id) & (m.Discount.company == self.company_id)
            ).execute()
            if not deleted:
                raise DomainError("err.discount_unknown", discount=discount_id)
            changes.record("discount", discount_id, "delete")
