"""The catalogue's small lists: payment methods, discounts, VAT rates, units, categories."""

from __future__ import annotations

from ipos_tui.domain.records import (
    Category,
    DiscountDef,
    DiscountScope,
    PaymentMethod,
    Unit,
    VatRate,
)
from ipos_tui.store.catalog.base import CatalogBase


class Listing(CatalogBase):
    """Reads of the catalogue's small tables."""

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
