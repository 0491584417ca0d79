"""What happened in the shop, read for iPOS web's Transakcje pages: the documents the
tills uploaded and the quarantine (the reports of a period: :mod:`.sales_reports`).

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
from datetime import date
from typing import Any

from peewee import JOIN

from ipos_tui.backoffice import models as m
from ipos_tui.domain.records import cash_purpose

from .base import ServiceBase

#: The document kinds a list can be narrowed to (the page's "Rodzaj" filter).
DOCUMENT_KINDS = ("paragon", "faktura", "paragon_nip", "return", "cash", "daily_report", "invoices")
#: Sales documents: a receipt or a Faktura sold at a till ("sale_invoice") adds to a
#: period's sales, a return takes away.
SALES_TYPES = ("receipt", "sale_invoice", "return")
#: The largest id a page may ask for (ids are 32-bit on the wire; anything above is
#: no document, and never reaches the database as an out-of-range integer).
MAX_ID = 2_147_483_647


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
        from ipos_tui.backoffice.documents.listing import (
            cashiers,  # builds on the services
        )

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
                "created_at": r.created_at, "day": as_date(r.day), "total": r.total,
                "cashier": cashiers_of[r.id]["cashier_name"] or cashiers_of[r.id]["cashier"] or "",
                "payments": [{**pay, "name": names.get(pay["method"], pay["method"])}
                             for pay in payments[r.id]],
                "buyer_nip": r.buyer_nip,
                "invoice_number": r.correction_number or r.invoice_number,
                "warnings": json.loads(r.warnings) if r.warnings else [],
                "purpose": cash_purpose(r.payload) if r.doc_type == "cash_operation" else "",
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
        doc["authorisations"] = list(payload.get("authorisations") or [])
        doc["payload"] = payload
        doc["payload_text"] = json.dumps(payload, indent=2, ensure_ascii=False)
        names = self._method_names()
        doc["method_names"] = names  # a daily report's sums by method, named
        p = m.TransactionPayment
        doc["tenders"] = [{"method": r.method, "name": names.get(r.method, r.method),
                           "amount": r.amount, "change": r.change}
                          for r in p.select().where(p.transaction == row.id).order_by(p.id)]
        doc["original"] = None
        if row.original_terminal is not None:
            original = t.get_or_none(
                (t.company == self.company_id) & (t.terminal == row.original_terminal)
                & (t.doc_type == (row.original_type or "receipt"))
                & (t.number == row.original_number) & (t.number_repeat == 0))
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

def as_date(value: Any) -> date:
    """A day as the database gave it (SQLite may hand back the ISO text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _pretty(payload: str) -> str:
    """A stored payload for reading: indented JSON when it is JSON, else as it is."""
    try:
        return json.dumps(json.loads(payload), indent=2, ensure_ascii=False)
    except ValueError:
        return payload
