"""Predefined discounts the tills offer."""

from __future__ import annotations

from typing import Any

from ipos_tui.backoffice import models as m
from ipos_tui.domain.errors import DomainError

from .base import ServiceBase
from .catalogue import MAX_PRICE

#: Longest discount name.
MAX_DISCOUNT_NAME = 40


class DiscountService(ServiceBase):
    """Predefined discounts: a percentage or an amount, of a line or a receipt."""

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
