"""What happened in the shop, read for iPOS web's Transakcje pages: the documents the
tills uploaded, the quarantine, and the reports of a period.

Every query takes the stores its caller may see (``store_ids``: ``None`` for every
store of the company, an owner; a manager's own stores otherwise), so a manager's page
never reads another store's document. Money stays integer grosze; a return counts
negative in every sum of sales, so a period's sums by product, category, cashier and
payment method all add up to its receipts minus its returns, to the grosz.

Nothing here writes; releasing a quarantined document is the ingest's one release
(:func:`ipos_tui.backoffice.documents.quarantine.release_quarantine`, the CLI's too).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection
from datetime import date, timedelta
from typing import Any

from peewee import JOIN, fn

from ipos_tui.backoffice import models as m

from .base import ServiceBase

#: The document kinds a list can be narrowed to (the page's "Rodzaj" filter).
DOCUMENT_KINDS = ("paragon", "faktura", "paragon_nip", "return", "cash", "daily_report", "invoices")
#: Sales documents: a receipt or a Faktura sold at a till ("sale_invoice") adds to a
#: period's sales, a return takes away.
SALES_TYPES = ("receipt", "sale_invoice", "return")
#: The longest period a report covers (one bar a day in the chart).
MAX_PERIOD_DAYS = 366
#: The largest id a page may ask for (ids are 32-bit on the wire; anything above is
#: no document, and never reaches the database as an out-of-range integer).
MAX_ID = 2_147_483_647


def _sign(doc_type: str) -> int:
    return -1 if doc_type == "return" else 1


class TransactionQueryService(ServiceBase):
    """Read-only queries of documents, quarantine and reports (for iPOS web)."""

    # ------------------------------------------------------------------ scope

    def _doc_scope(self, store_ids: Collection[int] | None, store_id: int | None = None,
                   terminal_id: int | None = None) -> Any:
        t = m.Transaction
        scope = t.company == self.company_id
        if store_ids is not None:
            scope &= t.store.in_(sorted(store_ids) or [0])
        if store_id is not None:
            scope &= t.store == store_id
        if terminal_id is not None:
            scope &= t.terminal == terminal_id
        return scope

    def tx_terminal(self, terminal_id: int, store_ids: Collection[int] | None
                    ) -> dict[str, Any] | None:
        """A till of the company that the caller may see (None: no such till for them)."""
        if not 0 < terminal_id <= MAX_ID:
            return None
        row = m.Terminal.get_or_none((m.Terminal.id == terminal_id)
                                     & (m.Terminal.company == self.company_id))
        if row is None or (store_ids is not None and row.store_id not in store_ids):
            return None
        return {"id": row.id, "name": row.name, "store_id": row.store_id}

    def tx_terminals(self, store_ids: Collection[int] | None) -> list[dict[str, Any]]:
        """The tills the caller may see, with their store, for the filters."""
        te = m.Terminal
        query = te.select(te.id, te.name, te.store).where(te.company == self.company_id)
        if store_ids is not None:
            query = query.where(te.store.in_(sorted(store_ids) or [0]))
        return [{"id": r.id, "name": r.name, "store_id": r.store_id}
                for r in query.order_by(te.store, te.id)]

    # -------------------------------------------------------------- documents

    def tx_documents(self, store_ids: Collection[int] | None, *, store_id: int | None = None,
                     terminal_id: int | None = None, day: date | None = None,
                     kind: str | None = None, page: int = 1, per_page: int = 50
                     ) -> tuple[list[dict[str, Any]], int]:
        """One page of documents, newest first, and how many there are in all."""
        t = m.Transaction
        scope = self._doc_scope(store_ids, store_id, terminal_id)
        if day is not None:
            scope &= t.day == day
        if kind in ("paragon", "faktura", "paragon_nip"):
            scope &= t.doc_type.in_(["receipt", "sale_invoice"]) & (t.kind == kind)
        elif kind == "cash":
            scope &= t.doc_type.in_(["cash_operation", "cash_report"])
        elif kind in ("return", "daily_report"):
            scope &= t.doc_type == kind
        elif kind == "invoices":  # every invoice: sold as one, for a receipt, correcting
            scope &= t.invoice_number.is_null(False) | t.correction_number.is_null(False)
        count = t.select().where(scope).count()
        rows = list(t.select(t, m.Store.name.alias("store_name"), m.Terminal.name.alias("terminal_name"))
                    .join(m.Store, on=(t.store == m.Store.id))
                    .switch(t).join(m.Terminal, on=(t.terminal == m.Terminal.id))
                    .where(scope).order_by(t.created_at.desc(), t.id.desc())
                    .limit(per_page).offset((max(page, 1) - 1) * per_page).objects())
        return self._document_rows(rows), count

    def _document_rows(self, rows: list[Any]) -> list[dict[str, Any]]:
        from ipos_tui.backoffice.documents.listing import cashiers  # builds on the services

        cashiers_of = cashiers(self, rows)  # type: ignore[arg-type]
        payments: dict[int, list[dict[str, Any]]] = defaultdict(list)
        p = m.TransactionPayment
        for doc_id, method, amount, change in p.select(p.transaction, p.method, p.amount,
                                                       p.change).where(
                p.transaction.in_([r.id for r in rows] or [0])).order_by(p.id).tuples():
            payments[doc_id].append({"method": method, "amount": amount - change})
        names = self._method_names()
        found = []
        for r in rows:
            found.append({
                "id": r.id, "type": r.doc_type, "kind": r.kind, "number": r.number,
                "store_id": r.store_id, "store": getattr(r, "store_name", None) or r.store.name,
                "terminal_id": r.terminal_id,
                "terminal": getattr(r, "terminal_name", None) or r.terminal.name,
                "created_at": r.created_at, "day": _as_date(r.day), "total": r.total,
                "cashier": cashiers_of[r.id]["cashier_name"] or cashiers_of[r.id]["cashier"] or "",
                "payments": [{**pay, "name": names.get(pay["method"], pay["method"])}
                             for pay in payments[r.id]],
                "buyer_nip": r.buyer_nip,
                "invoice_number": r.correction_number or r.invoice_number,
            })
        return found

    def _method_names(self) -> dict[str, str]:
        pm = m.PaymentMethod
        return dict(pm.select(pm.code, pm.name).where(pm.company == self.company_id).tuples())

    def tx_document(self, doc_id: int, store_ids: Collection[int] | None
                    ) -> dict[str, Any] | None:
        """One document with its lines, payments, buyer and (a return) the receipt it
        takes back; None when there is none the caller may see."""
        if not 0 < doc_id <= MAX_ID:
            return None
        t = m.Transaction
        row = t.get_or_none((t.id == doc_id) & self._doc_scope(store_ids))
        if row is None:
            return None
        (doc,) = self._document_rows([row])
        payload = json.loads(row.payload)
        li = m.TransactionLine
        doc["lines"] = [
            {"position": line.position + 1, "name": line.name, "plu": line.plu,
             "qty": line.qty, "unit_price": line.unit_price, "discount": line.discount,
             "value": line.value, "vat": line.vat}
            for line in li.select().where(li.transaction == row.id).order_by(li.position)]
        units = [line.get("unit", "szt.") for line in payload.get("lines", [])]
        for line, unit in zip(doc["lines"], units, strict=False):
            line["unit"] = unit
        doc["buyer"] = ({"nip": row.buyer_nip, "name": row.buyer_name,
                         "address": row.buyer_address} if row.buyer_nip else None)
        doc["uuid"] = row.uuid
        doc["received_at"] = row.received_at
        doc["warnings"] = json.loads(row.warnings) if row.warnings else []
        doc["authorisations"] = list(payload.get("authorisations") or [])
        doc["payload"] = payload
        doc["payload_text"] = json.dumps(payload, indent=2, ensure_ascii=False)
        names = self._method_names()
        p = m.TransactionPayment
        doc["tenders"] = [{"method": r.method, "name": names.get(r.method, r.method),
                           "amount": r.amount, "change": r.change}
                          for r in p.select().where(p.transaction == row.id).order_by(p.id)]
        doc["original"] = None
        if row.original_terminal is not None:
            original = t.get_or_none(
                (t.company == self.company_id) & (t.terminal == row.original_terminal)
                & (t.doc_type == (row.original_type or "receipt"))
                & (t.number == row.original_number))
            doc["original"] = {"terminal_id": row.original_terminal,
                               "number": row.original_number,
                               "type": row.original_type or "receipt",
                               "id": original.id if original is not None else None}
        doc["returns"] = []
        if row.doc_type in ("receipt", "sale_invoice"):
            doc["returns"] = [
                {"id": r.id, "number": r.number, "total": r.total, "created_at": r.created_at}
                for r in t.select().where(
                    (t.company == self.company_id) & (t.doc_type == "return")
                    & (t.original_terminal == row.terminal_id)
                    & (t.original_number == row.number)
                    & (t.original_type.is_null() if row.doc_type == "receipt"
                       else t.original_type == row.doc_type)).order_by(t.id)]
        return doc

    # ------------------------------------------------------------- quarantine

    def tx_quarantine(self, store_ids: Collection[int] | None, *,
                      include_released: bool = False, item_id: int | None = None
                      ) -> list[dict[str, Any]]:
        """Quarantined payloads, newest first, with their till and store. A manager
        sees those of their stores' tills; one whose till is unknown, only the owner."""
        q, te = m.Quarantine, m.Terminal
        query = (q.select(q, te.name.alias("terminal_name"), te.store.alias("terminal_store")).join(te, JOIN.LEFT_OUTER,
                                                    on=(q.terminal == te.id))
                 .where(q.company == self.company_id))
        if not include_released:
            query = query.where(q.released_at.is_null())
        if item_id is not None:
            query = query.where(q.id == item_id)
        if store_ids is not None:
            query = query.where(te.store.in_(sorted(store_ids) or [0]))
        stores = dict(m.Store.select(m.Store.id, m.Store.name).where(
            m.Store.company == self.company_id).tuples())
        found = []
        for r in query.order_by(q.received_at.desc(), q.id.desc()).objects():
            store_id = getattr(r, "terminal_store", None)
            found.append({
                "id": r.id, "terminal_id": r.terminal_id, "terminal": getattr(r, "terminal_name", None),
                "store_id": store_id, "store": stores.get(store_id), "uuid": r.uuid,
                "reason": r.reason, "payload": _pretty(r.payload),
                "received_at": r.received_at, "released_at": r.released_at,
                "released_as": r.released_as})
        return found

    def tx_quarantined(self, quarantine_id: int, store_ids: Collection[int] | None
                       ) -> dict[str, Any] | None:
        """One quarantined item the caller may see (released or not), else None."""
        if not 0 < quarantine_id <= MAX_ID:
            return None
        found = self.tx_quarantine(store_ids, include_released=True, item_id=quarantine_id)
        return found[0] if found else None

    def release_quarantined(self, quarantine_id: int) -> dict[str, Any]:
        """Accept a quarantined document (the CLI's ``quarantine release``): stored
        once; a second release raises ``err.quarantine_released`` and changes nothing."""
        from ipos_tui.backoffice.documents.quarantine import release_quarantine

        return release_quarantine(self, quarantine_id)  # type: ignore[arg-type]

    # ---------------------------------------------------------------- reports

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
            own[(terminal_id, _as_date(day))] += _sign(doc_type) * int(total)
        rows = list(t.select(t, m.Store.name.alias("store_name"), m.Terminal.name.alias("terminal_name"))
                    .join(m.Store, on=(t.store == m.Store.id))
                    .switch(t).join(m.Terminal, on=(t.terminal == m.Terminal.id))
                    .where(scope & (t.doc_type == "daily_report"))
                    .order_by(t.day.desc(), t.terminal, t.number).objects())
        found = []
        for r in rows:
            payload = json.loads(r.payload)
            day = _as_date(r.day)
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
            row = days[_as_date(day)]
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


def _as_date(value: Any) -> date:
    """A day as the database gave it (SQLite may hand back the ISO text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _pretty(payload: str) -> str:
    """A stored payload for reading: indented JSON when it is JSON, else as it is."""
    try:
        return json.dumps(json.loads(payload), indent=2, ensure_ascii=False)
    except ValueError:
        return payload
