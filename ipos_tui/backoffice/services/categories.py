"""Units of measure and the category tree of the assortment."""

from __future__ import annotations

from typing import Any

from ipos_tui.backoffice import models as m
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.quantity import validate_unit_name

from .base import ServiceBase

BUILTIN_UNITS = (("szt.", 0), ("kg", 3), ("g", 0))
#: Longest unit name (the printer's field) and category name.
MAX_UNIT_NAME = 20
MAX_CATEGORY_NAME = 60
#: Decimal places a unit may allow in a quantity (0: whole pieces, 3: grams of a kg).
UNIT_PRECISIONS = (0, 1, 2, 3)


class CategoryService(ServiceBase):
    """Units (built in and the company's own) and the category tree."""

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
