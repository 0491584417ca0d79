"""The reports of a period for iPOS web's Raporty pages: the tills' daily reports
beside the back office's own sums, sales per day, and net sales by product, category,
cashier or payment method.

A return counts negative in every sum of sales, so a period's sums by product,
category, cashier and payment method all add up to its receipts minus its returns,
to the grosz.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection
from datetime import date, timedelta
from typing import Any

from peewee import fn

from ipos_tui.backoffice import models as m

from .transactions import SALES_TYPES, TransactionQueryService, as_date

#: The longest period a report covers (one bar a day in the chart).
MAX_PERIOD_DAYS = 366


def _sign(doc_type: str) -> int:
    return -1 if doc_type == "return" else 1


class SalesReportService(TransactionQueryService):
    """Read-only reports of a period, in the stores the caller may see."""

    def tx_daily_reports(self, store_ids: Collection[int] | None, start: date, end: date, *,
                         store_id: int | None = None) -> list[dict[str, Any]]:
        """The daily reports (raport dobowy) the tills sent for days of the period, as
        sent, each with the back office's own net sales of that till and day beside it."""
        t = m.Transaction
        scope = self._doc_scope(store_ids, store_id) & t.day.between(start, end)
        own: dict[tuple[int, date], int] = defaultdict(int)
        for terminal_id, day, doc_type, total in t.select(
                t.terminal, t.day, t.doc_type, fn.SUM(t.total)).where(
                scope & t.doc_type.in_(SALES_TYPES)).group_by(
                t.terminal, t.day, t.doc_type).tuples():
            own[(terminal_id, as_date(day))] += _sign(doc_type) * int(total)
        rows = list(t.select(t, m.Store.name.alias("store_name"), m.Terminal.name.alias("terminal_name"))
                    .join(m.Store, on=(t.store == m.Store.id))
                    .switch(t).join(m.Terminal, on=(t.terminal == m.Terminal.id))
                    .where(scope & (t.doc_type == "daily_report"))
                    .order_by(t.day.desc(), t.terminal, t.number).objects())
        found = []
        for r in rows:
            payload = json.loads(r.payload)
            day = as_date(r.day)
            found.append({
                "id": r.id, "day": day, "number": r.number, "store": r.store_name,
                "terminal_id": r.terminal_id, "terminal": r.terminal_name,
                "created_at": r.created_at, "receipts": int(payload.get("receipts", 0)),
                "receipts_total": int(payload.get("receipts_total", 0)),
                "returns": int(payload.get("returns", 0)),
                "returns_total": int(payload.get("returns_total", 0)),
                "total": r.total, "office_total": own.get((r.terminal_id, day), 0),
                "payments": {k: int(v) for k, v in (payload.get("payments") or {}).items()},
                "vat_totals": {k: int(v) for k, v in (payload.get("vat_totals") or {}).items()}})
        return found

    def tx_sales_by_day(self, store_ids: Collection[int] | None, start: date, end: date, *,
                        store_id: int | None = None) -> list[dict[str, Any]]:
        """Every day of the period (none left out), with its receipts, returns and net
        sales (receipts − returns)."""
        t = m.Transaction
        scope = (self._doc_scope(store_ids, store_id) & t.day.between(start, end)
                 & t.doc_type.in_(SALES_TYPES))
        days: dict[date, dict[str, Any]] = {}
        for offset in range((end - start).days + 1):  # never past ``end`` (9999-12-31)
            current = start + timedelta(days=offset)
            days[current] = {"day": current, "receipts": 0, "receipts_total": 0,
                             "returns": 0, "returns_total": 0, "net": 0}
        for day, doc_type, count, total in t.select(
                t.day, t.doc_type, fn.COUNT(t.id), fn.SUM(t.total)).where(scope).group_by(
                t.day, t.doc_type).tuples():
            row = days[as_date(day)]
            name = "returns" if doc_type == "return" else "receipts"
            row[name] += int(count)
            row[f"{name}_total"] += int(total)
            row["net"] += _sign(doc_type) * int(total)
        return list(days.values())

    def tx_sales_by(self, group: str, store_ids: Collection[int] | None, start: date,
                    end: date, *, store_id: int | None = None) -> list[dict[str, Any]]:
        """The period's net sales grouped by ``product``, ``category``, ``cashier`` or
        ``payment`` (method), biggest first. Each row has ``value`` (receipts −
        returns, grosze); product and category rows also ``qty`` (thousandths of the
        unit), cashier rows the number of receipts and returns."""
        t = m.Transaction
        scope = (self._doc_scope(store_ids, store_id) & t.day.between(start, end)
                 & t.doc_type.in_(SALES_TYPES))
        if group == "product":
            rows = self._by_product(scope)
        elif group == "category":
            rows = self._by_category(scope)
        elif group == "cashier":
            rows = self._by_cashier(scope)
        elif group == "payment":
            rows = self._by_payment(scope)
        else:
            raise ValueError(group)
        return sorted(rows, key=lambda r: (-r["value"], r["name"]))

    def _line_sums(self, scope: Any) -> list[tuple[int | None, str | None, str, int, int]]:
        """(product id, PLU, name, signed qty, signed value) per product of the lines."""
        t, li = m.Transaction, m.TransactionLine
        sums: dict[tuple[int | None, str | None], list[Any]] = {}
        for product_id, plu, name, doc_type, qty, value in (
                li.select(li.product_id, li.plu, fn.MAX(li.name), t.doc_type, fn.SUM(li.qty),
                          fn.SUM(li.value)).join(t).where(scope)
                .group_by(li.product_id, li.plu, t.doc_type).tuples()):
            entry = sums.setdefault((product_id, plu), [name, 0, 0])
            entry[1] += _sign(doc_type) * int(qty)
            entry[2] += _sign(doc_type) * int(value)
        return [(pid, plu, name, qty, value) for (pid, plu), (name, qty, value) in sums.items()]

    def _by_product(self, scope: Any) -> list[dict[str, Any]]:
        return [{"plu": plu or "", "name": name, "qty": qty, "value": value}
                for _, plu, name, qty, value in self._line_sums(scope)]

    def _by_category(self, scope: Any) -> list[dict[str, Any]]:
        lines = self._line_sums(scope)
        p, c = m.Product, m.Category
        ids = sorted({pid for pid, *_ in lines if pid is not None})
        plus = sorted({plu for pid, plu, *_ in lines if pid is None and plu})
        by_id: dict[int, int | None] = {}
        by_plu: dict[str, int | None] = {}
        for start in range(0, len(ids), 500):
            by_id.update(p.select(p.id, p.category).where(
                (p.company == self.company_id) & p.id.in_(ids[start:start + 500])).tuples())
        for start in range(0, len(plus), 500):
            by_plu.update(p.select(p.plu, p.category).where(
                (p.company == self.company_id) & p.plu.in_(plus[start:start + 500])).tuples())
        names = dict(c.select(c.id, c.name).where(c.company == self.company_id).tuples())
        sums: dict[int | None, list[int]] = {}
        for pid, plu, _, qty, value in lines:
            category = by_id.get(pid) if pid is not None else by_plu.get(plu or "")
            entry = sums.setdefault(category if category in names else None, [0, 0])
            entry[0] += qty
            entry[1] += value
        return [{"category_id": cid, "name": names.get(cid, "") if cid else "",
                 "qty": qty, "value": value} for cid, (qty, value) in sums.items()]

    def _by_cashier(self, scope: Any) -> list[dict[str, Any]]:
        t = m.Transaction
        sums: dict[tuple[int | None, str | None], dict[str, Any]] = {}
        for cashier_id, identifier, doc_type, count, total in t.select(
                t.cashier_id, t.cashier_identifier, t.doc_type, fn.COUNT(t.id),
                fn.SUM(t.total)).where(scope).group_by(
                t.cashier_id, t.cashier_identifier, t.doc_type).tuples():
            entry = sums.setdefault((cashier_id, identifier), {
                "receipts": 0, "receipts_total": 0, "returns": 0, "returns_total": 0, "value": 0})
            name = "returns" if doc_type == "return" else "receipts"
            entry[name] += int(count)
            entry[f"{name}_total"] += int(total)
            entry["value"] += _sign(doc_type) * int(total)
        u = m.User
        staff = {uid: (ident, name) for uid, ident, name in u.select(
            u.id, u.identifier, u.name).where(u.company == self.company_id).tuples()}
        by_identifier = {ident: name for ident, name in staff.values()}
        merged: dict[str, dict[str, Any]] = {}
        for (cashier_id, identifier), entry in sums.items():
            known = staff.get(cashier_id) if cashier_id is not None else None
            identifier = identifier or (known[0] if known else "")
            name = known[1] if known else by_identifier.get(identifier, "")
            row = merged.setdefault(identifier, {"identifier": identifier, "name": name,
                                                 **{k: 0 for k in entry}})
            for key, value in entry.items():
                row[key] += value
        return list(merged.values())

    def _by_payment(self, scope: Any) -> list[dict[str, Any]]:
        t, p = m.Transaction, m.TransactionPayment
        names = self._method_names()
        sums: dict[str, int] = defaultdict(int)
        for doc_type, method, amount in p.select(t.doc_type, p.method,
                                                 fn.SUM(p.amount - p.change)).join(t).where(
                scope).group_by(t.doc_type, p.method).tuples():
            sums[method] += _sign(doc_type) * int(amount)
        return [{"method": method, "name": names.get(method, method), "value": value}
                for method, value in sums.items()]
