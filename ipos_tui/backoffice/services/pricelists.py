"""Price lists: lists, prices per product, which list a store sells from.

A new price more than :data:`PRICE_JUMP_FACTOR` times the current one, or less than its
1/PRICE_JUMP_FACTOR, is most likely a typing slip (grosze typed as złoty, 379,00 for
3,79): :meth:`PriceListService.set_price` refuses it (``err.price_jump``) when the caller
says it was not confirmed, and :meth:`~PriceListService.price_jump` /
:meth:`~PriceListService.price_jumps` let the CLI, the CSV import and the page ask first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from peewee import JOIN, fn

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.feed import (
    ChangeRecorder,
)
from ipos_tui.domain.errors import DomainError

from .base import ServiceBase

#: A price changing more than this many times either way is asked about first.
PRICE_JUMP_FACTOR = 5
#: The longest price list name (the column's length).
PRICE_LIST_NAME_MAX = 80


def is_price_jump(old: int, new: int) -> bool:
    """True when ``new`` differs from ``old`` more than :data:`PRICE_JUMP_FACTOR`× either way."""
    if old <= 0 or new <= 0:
        return False
    return new > old * PRICE_JUMP_FACTOR or new * PRICE_JUMP_FACTOR < old


class PriceListService(ServiceBase):
    """Price lists: lists, prices per product, which list a store sells from."""

    def add_price_list(self, name: str) -> int:
        name = self._price_list_name(name)
        with self._writing():
            if m.PriceList.get_or_none(company=self.company_id, name=name):
                raise DomainError("err.price_list_taken", name=name)
            return m.PriceList.create(company=self.company_id, name=name).id

    def rename_price_list(self, price_list_id: int, name: str) -> None:
        """Give a list another name (unique in the company). The tills don't get list
        names, so nothing is recorded for them."""
        name = self._price_list_name(name)
        with self._writing():
            row = self._price_list(price_list_id)
            other = m.PriceList.get_or_none(company=self.company_id, name=name)
            if other is not None and other.id != row.id:
                raise DomainError("err.price_list_taken", name=name)
            row.name = name
            row.save()

    @staticmethod
    def _price_list_name(name: str) -> str:
        name = name.strip()
        if not name:
            raise DomainError("err.name_empty")
        if len(name) > PRICE_LIST_NAME_MAX:
            raise DomainError("err.name_too_long", max=PRICE_LIST_NAME_MAX)
        return name

    def list_price_lists(self) -> list[dict[str, Any]]:
        rows = m.PriceList.select().where(m.PriceList.company == self.company_id)
        return [{"id": r.id, "name": r.name} for r in rows.order_by(m.PriceList.id)]

    def price_list_overview(self) -> list[dict[str, Any]]:
        """Every list with the stores selling from it (ids) and how many prices it has."""
        lists = self.list_price_lists()
        stores: dict[int, list[int]] = {}
        for store_id, list_id in (m.Store.select(m.Store.id, m.Store.price_list)
                                  .where(m.Store.company == self.company_id)
                                  .order_by(m.Store.id).tuples()):
            if list_id is not None:
                stores.setdefault(list_id, []).append(store_id)
        counts = dict(m.Price.select(m.Price.price_list, fn.COUNT(m.Price.id))
                      .where(m.Price.company == self.company_id)
                      .group_by(m.Price.price_list).tuples())
        return [{**row, "store_ids": stores.get(row["id"], []),
                 "prices": counts.get(row["id"], 0)} for row in lists]

    def get_price_list(self, price_list_id: int) -> dict[str, Any]:
        row = self._price_list(price_list_id)
        return {"id": row.id, "name": row.name}

    def list_prices(self, price_list_id: int, search: str | None = None, *, offset: int = 0,
                    limit: int = 50) -> tuple[list[dict[str, Any]], int]:
        """One page of the company's products (in the order they were added) with their price in the list
        (None when the product has none there), and how many match. ``search`` is a part
        of the name, or a whole PLU or barcode."""
        self._price_list(price_list_id)
        p = m.Product
        where = p.company == self.company_id
        text = (search or "").strip()
        if text:
            by_code = (m.Barcode.select(m.Barcode.product)
                       .where((m.Barcode.company == self.company_id) & (m.Barcode.code == text)))
            where &= (p.name_key.contains(text.casefold()) | (p.plu == text)
                      | p.id.in_(by_code))
        total = p.select().where(where).count()
        rows = (p.select(p.id, p.plu, p.name, p.active, p.open_price,
                         m.Price.price.alias("price"))
                .join(m.Price, JOIN.LEFT_OUTER,
                      on=((m.Price.product == p.id) & (m.Price.price_list == price_list_id)))
                .where(where).order_by(p.id).offset(offset).limit(limit).dicts())
        return list(rows), total

    def product_by_code(self, code: str) -> int | None:
        """The product with this PLU, else with this barcode (None: no such product)."""
        code = code.strip()
        row = m.Product.get_or_none(company=self.company_id, plu=code)
        if row is None:
            row = m.Barcode.get_or_none(company=self.company_id, code=code)
            return row.product_id if row is not None else None
        return row.id

    def get_price(self, price_list_id: int, product_id: int) -> int | None:
        """The product's price in the list (None: not sellable there)."""
        return (m.Price.select(m.Price.price)
                .where((m.Price.price_list == price_list_id) & (m.Price.product == product_id)
                       & (m.Price.company == self.company_id)).scalar())

    def price_jump(self, price_list_id: int, product_id: int, price: int) -> int | None:
        """The product's current price in the list when ``price`` would change it more
        than 5× either way (ask before saving), else None."""
        current = self.get_price(price_list_id, product_id)
        return current if current is not None and is_price_jump(current, price) else None

    def price_jumps(self, price_list_id: int | None,
                    prices: Mapping[str, int]) -> dict[str, int]:
        """Of ``prices`` (PLU → new price), the PLUs whose price in the list would change
        more than 5× either way, with their current price."""
        if price_list_id is None or not prices:
            return {}
        current: dict[str, int] = {}
        plus = list(prices)
        for start in range(0, len(plus), 400):
            query = (m.Price.select(m.Product.plu, m.Price.price).join(m.Product)
                     .where((m.Price.price_list == price_list_id)
                            & (m.Product.company == self.company_id)
                            & m.Product.plu.in_(plus[start:start + 400])))
            current.update(query.tuples())
        return {plu: old for plu, old in current.items() if is_price_jump(old, prices[plu])}

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

    def set_price(self, price_list_id: int, product_id: int, price: int, *,
                  confirmed: bool = True) -> None:
        """Set the product's price in the list. With ``confirmed=False`` (a page that
        asks, and has not asked yet) a change of more than 5× either way is refused with
        ``err.price_jump`` (plu, list, old and new price), inside the same transaction
        as the save; callers that asked already (the CLI) leave it True."""
        with self._writing() as changes:
            product = self._product(product_id)
            self._price_list(price_list_id)
            self._check_price(price, product.open_price)
            if not confirmed:
                old = self.price_jump(price_list_id, product_id, price)
                if old is not None:
                    raise DomainError("err.price_jump", plu=product.plu, list=price_list_id,
                                      old=old, new=price)
            self._upsert_price(changes, price_list_id, product_id, price)

    def remove_price(self, price_list_id: int, product_id: int) -> None:
        """Remove a price: the product is no longer sellable in that list's stores."""
        with self._writing() as changes:
            deleted = m.Price.delete().where(
                (m.Price.price_list == price_list_id) & (m.Price.product == product_id)
                & (m.Price.company == self.company_id)
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
