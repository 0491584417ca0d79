"""The stored documents as the back office lists them: transactions (with who made
and who authorised them) and invoices."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.domain.validation import validate_nip


def list_transactions(office: BackOffice, *, store_id: int | None = None,
                      terminal_id: int | None = None, day: date | None = None,
                      doc_type: str | None = None, kind: str | None = None,
                      buyer_nip: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Stored documents, newest first; ``kind`` / ``buyer_nip`` find invoices and NIP
    receipts (the NIP in any usual spelling). A return names its original receipt
    (``original_terminal_id``, ``original_number``; None for other documents). Each
    lists the ``authorisations`` given on it (who allowed what the cashier could not)."""
    t = m.Transaction
    query = t.select().where(t.company == office.company_id)
    if store_id is not None:
        query = query.where(t.store == store_id)
    if terminal_id is not None:
        query = query.where(t.terminal == terminal_id)
    if day is not None:
        query = query.where(t.day == day)
    if doc_type is not None:
        query = query.where(t.doc_type == doc_type)
    if kind is not None:
        query = query.where(t.kind == kind)
    if buyer_nip is not None:
        query = query.where(t.buyer_nip == validate_nip(buyer_nip))
    rows = list(query.order_by(t.id.desc()).limit(limit))
    who = cashiers(office, rows)
    return [
        {"id": r.id, "uuid": r.uuid, "type": r.doc_type, "terminal_id": r.terminal_id,
         "store_id": r.store_id, "number": r.number, "day": r.day.isoformat(),
         "created_at": r.created_at.isoformat(timespec="seconds") + "Z", "total": r.total,
         **who[r.id], "kind": r.kind, "buyer_nip": r.buyer_nip,
         "buyer_name": r.buyer_name, "buyer_address": r.buyer_address,
         "original_terminal_id": r.original_terminal, "original_number": r.original_number,
         "original_type": r.original_type or "receipt",
         "invoice_number": r.invoice_number, "correction_number": r.correction_number,
         "corrected_invoice": r.corrected_invoice,
         "warnings": json.loads(r.warnings) if r.warnings else [],
         "authorisations": _authorisations(r),
         **count_columns(r)}
        for r in rows
    ]


#: What an invoice row is: sold as a Faktura, issued for an earlier receipt, or a
#: correcting invoice (a return against an invoice).
INVOICE_KINDS = ("sale", "receipt", "correction")


def list_invoices(office: BackOffice, *, store_id: int | None = None,
                  terminal_id: int | None = None, start: date | None = None,
                  end: date | None = None, buyer_nip: str | None = None,
                  limit: int = 100) -> list[dict[str, Any]]:
    """Invoices and correcting invoices, newest first: ``invoice`` kind "sale" (a
    Faktura printed at the sale), "receipt" (a "Faktura do paragonu": ``receipt_*``
    name the receipt) or "correction" (``corrects`` names the invoice; ``total`` is
    negative, the amount refunded). Days are the shop's calendar days, both ends in."""
    t = m.Transaction
    query = t.select().where((t.company == office.company_id) & (
        t.invoice_number.is_null(False) | t.correction_number.is_null(False)))
    if store_id is not None:
        query = query.where(t.store == store_id)
    if terminal_id is not None:
        query = query.where(t.terminal == terminal_id)
    if start is not None:
        query = query.where(t.day >= start)
    if end is not None:
        query = query.where(t.day <= end)
    if buyer_nip is not None:
        query = query.where(t.buyer_nip == validate_nip(buyer_nip))
    found = []
    for r in query.order_by(t.created_at.desc(), t.id.desc()).limit(limit):
        kind = ("correction" if r.doc_type == "return" else
                "receipt" if r.doc_type == "invoice" else "sale")
        found.append({
            "id": r.id, "invoice": kind, "number": r.correction_number or r.invoice_number,
            "type": r.doc_type, "document_number": r.number, "terminal_id": r.terminal_id,
            "store_id": r.store_id, "day": r.day.isoformat(),
            "created_at": r.created_at.isoformat(timespec="seconds") + "Z",
            "total": -r.total if kind == "correction" else r.total,
            "buyer_nip": r.buyer_nip, "buyer_name": r.buyer_name,
            "receipt_terminal_id": r.original_terminal if kind != "sale" else r.terminal_id,
            "receipt_number": r.original_number if kind != "sale" else r.number,
            "corrects": r.corrected_invoice,
        })
    return found


def _authorisations(row: m.Transaction) -> list[dict[str, Any]]:
    """Who authorised what on the document (a manager's identifier and PIN on the
    till), as uploaded: ``permission``, ``user_id``, ``identifier``, ``name``, ``at``,
    ``detail``; empty for documents without any and from tills that do not send them."""
    return list(json.loads(row.payload).get("authorisations") or [])


def count_columns(row: m.Transaction) -> dict[str, Any]:
    """A shift close's count: ``counted`` and ``difference`` (counted − expected cash,
    the close's total), None when the till did not count (an older till); nothing
    for other documents."""
    if row.doc_type != "cash_report" or row.kind != "shift_close":
        return {}
    payload = json.loads(row.payload)
    counted = payload.get("counted")
    if counted is None:
        return {"counted": None, "difference": None}
    return {"counted": int(counted), "difference": int(counted) - int(row.total)}


def cashiers(office: BackOffice, rows: list[m.Transaction]) -> dict[int, dict[str, Any]]:
    """Who made each document: ``cashier`` (identifier), ``cashier_id`` and
    ``cashier_name``. A till sends the cashier's id and the name it printed; the
    identifier comes from the staff table (the document's own one when it has it)."""
    ids = {r.cashier_id for r in rows if r.cashier_id is not None}
    identifiers = {r.cashier_identifier for r in rows
                   if r.cashier_id is None and r.cashier_identifier}
    users = list(m.User.select(m.User.id, m.User.identifier, m.User.name).where(
        (m.User.company == office.company_id)
        & (m.User.id.in_(list(ids) or [0]) | m.User.identifier.in_(list(identifiers) or [""]))))
    staff = {u.id: u for u in users}
    by_identifier = {u.identifier: u for u in users}
    found: dict[int, dict[str, Any]] = {}
    for r in rows:
        # a document that names its cashier by identifier only (an older till, an
        # import) still shows the name the staff table has for it
        user = (staff.get(r.cashier_id) if r.cashier_id is not None
                else by_identifier.get(r.cashier_identifier or ""))
        printed = json.loads(r.payload).get("cashier_name") if r.payload else None
        found[r.id] = {
            "cashier": r.cashier_identifier or (user.identifier if user else None),
            "cashier_id": r.cashier_id,
            "cashier_name": printed or (user.name if user else None),
        }
    return found
