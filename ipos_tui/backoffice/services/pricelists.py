"""Price lists: lists, prices per product, which list a store sells from."""

from __future__ import annotations

from typing import Any

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.feed import (
    ChangeRecorder,
)
from ipos_tui.domain.errors import DomainError

from .base import ServiceBase


class PriceListService(ServiceBase):
    """Price lists: lists, prices per product, which list a store sells from."""

    def add_price_list(self, name: str) -> int:
        name = name.strip()
        if not name:
            raise DomainError("err.name_empty")
        with self._writing():
            if m.PriceList.get_or_none(company=self.company_id, name=name):
                raise DomainError("err.price_list_taken", name=name)
            return m.PriceList.create(company=self.company_id, name=name).id

    def list_price_lists(self) -> list[dict[str, Any]]:
        rows = m.PriceList.select().where(m.PriceList.company == self.company_id)
        return [{"id": r.id, "name": r.name} for r in rows.order_by(m.PriceList.id)]

    def assign_price_list(self, store_id: int, price_list_id: int) -> None:
        """Make ``price_list_id`` the store's one active list; its terminals then reset."""
        with self._writing() as changes:
            store = self._store(store_id)
            self._price_list(price_list_id)
            store.price_list = price_list_id
            store.save()
            changes.record("store", store.id, store_id=store.id)

    def _price_list(self, price_list_id: int) -> m.PriceList:
        row = m.PriceList.get_or_none(
            (m.PriceList.id == price_list_id) & (m.PriceList.company == self.company_id)
        )
        if row is None:
            raise DomainError("err.price_list_unknown", price_list=price_list_id)
        return row

    def set_price(self, price_list_id: int, product_id: int, price: int) -> None:
        with self._writing() as changes:
            product = self._product(product_id)
            self._price_list(price_list_id)
            self._check_price(price, product.open_price)
            self._upsert_price(changes, price_list_id, product_id, price)

    def remove_price(self, price_list_id: int, product_id: int) -> None:
        """Remove a price: the product is no longer sellable in that list's stores."""
        with self._writing() as changes:
            deleted = m.Price.delete().where(
                (m.Price.price_list == price_list_id) & (m.Price.product == product_id)
            ).execute()
            if not deleted:
                raise DomainError("err.price_unknown", product=product_id)
            changes.record("price", product_id, "delete", price_list_id=price_list_id)

    def _upsert_price(self, changes: ChangeRecorder, price_list_id: int, product_id: int,
                      price: int) -> None:
        m.Price.insert(company=self.company_id, price_list=price_list_id, product=product_id,
                       price=price).on_conflict(
            conflict_target=[m.Price.price_list, m.Price.product],
            update={m.Price.price: price},
        ).execute()
        changes.record("price", product_id, price_list_id=price_list_id)
