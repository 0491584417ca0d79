"""Ingest of documents pushed by terminals: exactly once, never refusing a real sale.

A document is stored once: UNIQUE(uuid) and UNIQUE(terminal, type, number) are
database indexes, checked again under the till's own write lock (not the company's:
tills never wait for each other), so concurrent pushes of one batch (a retry racing
its original) store it once and answer "duplicate" to the others. Only what can never be right is rejected (:mod:`.checks`) — malformed,
inconsistent totals, another store's document, a number already used by a different
document — and every rejected payload is kept raw in the quarantine with its reason
(:mod:`.quarantine`). A sale that names a product, cashier or payment method the back
office no longer knows is accepted with the values it carries and a warning; so is
a sale for a day its till's daily report has already closed in the back office
(:class:`.checks.ClosedDays`: "late_after_day_close").
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from peewee import IntegrityError

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice import numbering
from ipos_tui.backoffice.db import terminal_transaction
from ipos_tui.backoffice.models import utcnow
from ipos_tui.backoffice.services import BackOffice, TerminalAuth
from ipos_tui.domain.errors import DomainError
from ipos_tui.protocol import (
    STORED_LINES_MAX,
    CashOperationDocument,
    CashReportDocument,
    InvoiceDocument,
    ReceiptDocument,
    ReturnDocument,
)

from .checks import (
    AnyDocument,
    ClosedDays,
    KnownNames,
    Rejected,
    business_day,
    parse_document,
    tenders,
    utc_naive,
)

log = logging.getLogger(__name__)


class Ingest:
    """Stores pushed documents for one authenticated terminal."""

    def __init__(self, office: BackOffice, auth: TerminalAuth) -> None:
        self.office = office
        self.auth = auth

    def push(self, items: list[Any], *, pending_before: int | None = None
             ) -> list[dict[str, Any]]:
        """Process a batch in one transaction; one result per item, in order.

        ``pending_before`` is the terminal's unsent count as it sent the batch (its
        ``X-Pending-Count``, which counts this batch): what stays unsent after this
        answer (minus the documents now stored) is recorded for ``terminal list``.
        """
        parsed: list[AnyDocument | Rejected] = []
        for raw in items:
            try:
                parsed.append(parse_document(raw))
            except Rejected as rejected:
                parsed.append(rejected)
            except Exception as exc:  # any failure of one document is that document's
                log.exception("terminal %s: document could not be parsed", self.auth.terminal_id)
                parsed.append(Rejected(f"unexpected:{type(exc).__name__}"))
        with terminal_transaction(self.office.db, self.auth.terminal_id):
            results = self._store_batch(items, parsed)
            if pending_before is not None:
                settled = sum(1 for r in results if r.get("status") in ("accepted", "duplicate"))
                left = max(0, pending_before - settled)
                fields: dict[str, Any] = {"pending_count": left}
                if not left:
                    fields["oldest_pending"] = None  # nothing unsent: no oldest either
                m.Terminal.update(**fields).where(
                    m.Terminal.id == self.auth.terminal_id).execute()
        return results

    def compare_numbers(self, till_numbers: dict[str, int]) -> dict[str, Any]:
        """``POST /numbers`` (:func:`numbering.compare`): read without waiting for the
        till's write lock (it is asked before every upload run after a start); a
        rollback is recorded under it."""
        answer = numbering.compare(self.auth.terminal_id, till_numbers)
        behind = {doc_type: (till_numbers[doc_type], held)
                  for doc_type, held in answer["numbers"].items()
                  if held > till_numbers.get(doc_type, held)}
        if behind:
            with terminal_transaction(self.office.db, self.auth.terminal_id):
                for doc_type, (till_last, held) in behind.items():
                    numbering.note_rollback(self.auth.terminal_id, doc_type, till_last, held)
        return answer

    def _store_batch(self, items: list[Any], parsed: list[AnyDocument | Rejected]
                     ) -> list[dict[str, Any]]:
        docs = [d for d in parsed if not isinstance(d, Rejected)]
        existing = self._existing(docs)
        known = KnownNames.load(self.auth.company_id, docs)
        closed = ClosedDays.load(self.auth.terminal_id, docs)
        results: list[dict[str, Any]] = []
        for index, (raw, item) in enumerate(zip(items, parsed, strict=True)):
            uuid = str(item.uuid) if not isinstance(item, Rejected) else _raw_uuid(raw)
            result: dict[str, Any] = {"index": index, "uuid": uuid}
            if not isinstance(item, Rejected):
                try:
                    with self.office.db.atomic():  # its own savepoint
                        status, warnings = self._store_one(item, existing, known, closed)
                    result["status"] = status
                    if warnings:
                        result["warnings"] = warnings
                except Rejected as rejected:
                    item = rejected
                except Exception as exc:  # any failure stays with this one document
                    log.exception("terminal %s: document %s could not be stored",
                                  self.auth.terminal_id, uuid)
                    item = Rejected(f"unexpected:{type(exc).__name__}")
            if isinstance(item, Rejected):
                if item.reason == "number_conflict" and not isinstance(parsed[index], Rejected):
                    doc = parsed[index]
                    with self.office.db.atomic():  # the till's numbering went back
                        numbering.note_regression(self.auth.terminal_id, doc.type, doc.number)
                    # where its numbering must go on from (a till restored from an old
                    # backup would otherwise hand out every number held again, one by one)
                    result["last_number"] = numbering.last_number(self.auth.terminal_id,
                                                                  doc.type)
                log.warning("terminal %s: document %s rejected (%s), quarantined",
                            self.auth.terminal_id, uuid, item.reason)
                result.update(status="rejected", reason=item.reason)
                if item.stored is not None:
                    result["stored"] = item.stored
                with self.office.db.atomic():
                    self._quarantine(raw, item.reason, uuid)
            results.append(result)
        return results

    def _existing(self, docs: list[AnyDocument]) -> dict[str, Any]:
        """Already stored uuids (→ terminal) and numbers (→ uuid) that the batch names,
        in one query for a batch of up to 500 (each on its own unique index)."""
        t = m.Transaction
        uuids: dict[str, int] = {}
        numbers: dict[tuple[str, int], str] = {}
        for start in range(0, len(docs), 500):
            chunk = docs[start : start + 500]
            by_type: dict[str, list[int]] = defaultdict(list)
            for d in chunk:
                by_type[d.type].append(d.number)
            sent = {str(d.uuid) for d in chunk}
            wanted = t.uuid.in_(sorted(sent))
            for doc_type, nums in by_type.items():
                wanted |= ((t.terminal == self.auth.terminal_id) & (t.doc_type == doc_type)
                           & t.number.in_(nums))
            for uuid, terminal, doc_type, number in t.select(
                    t.uuid, t.terminal, t.doc_type, t.number).where(wanted).tuples():
                if uuid in sent:
                    uuids[uuid] = terminal
                if terminal == self.auth.terminal_id and number in by_type.get(doc_type, ()):
                    numbers[(doc_type, number)] = uuid
        return {"uuids": uuids, "numbers": numbers}

    def _store_one(self, doc: AnyDocument, existing: dict[str, Any], known: KnownNames,
                   closed: ClosedDays) -> tuple[str, list[str]]:
        uuid = str(doc.uuid)
        owner = existing["uuids"].get(uuid)
        if owner is not None:
            if owner != self.auth.terminal_id:
                raise Rejected("uuid_conflict")
            stored = self._differing(doc)
            if stored is not None:  # same uuid, different sale: show the till ours
                raise Rejected("uuid_conflict", stored=_summary(stored))
            # already stored (e.g. released from quarantine): a repeat is a success
            return "duplicate", []
        if doc.store_id != self.auth.store_id:
            raise Rejected("other_store")
        taken_by = existing["numbers"].get((doc.type, doc.number))
        if taken_by is not None and taken_by != uuid:
            raise Rejected("number_conflict")
        warnings = known.warnings(doc) + closed.warnings(doc)
        try:  # the caller's savepoint takes the document back on a failure
            store_document(self.auth, doc, warnings, doc.store_id)
        except IntegrityError as exc:  # backstop: another till reusing this uuid
            raise Rejected("conflict") from exc
        existing["uuids"][uuid] = self.auth.terminal_id
        existing["numbers"][(doc.type, doc.number)] = uuid
        closed.note(doc)
        return "accepted", warnings

    def _differing(self, doc: AnyDocument) -> m.Transaction | None:
        """The stored row of a resent uuid when its number, total or lines differ
        from what was sent (None when they agree: a plain duplicate)."""
        t = m.Transaction
        row = t.get_or_none(t.uuid == str(doc.uuid))
        if row is None:
            return None
        stored = json.loads(row.payload)
        sent = json.loads(doc.model_dump_json(exclude_none=True))
        same = (row.number == doc.number and stored.get("total") == sent.get("total")
                and stored.get("lines") == sent.get("lines"))
        return None if same else row

    def _quarantine(self, raw: Any, reason: str, uuid: str | None) -> None:
        """Keep a rejected payload; a retried one refreshes its row instead of piling up."""
        # ASCII escapes keep any string storable, lone surrogates included ("\\ud800")
        payload = json.dumps(raw, default=str, ensure_ascii=True)
        q = m.Quarantine
        same = q.get_or_none(
            (q.company == self.auth.company_id) & (q.terminal == self.auth.terminal_id)
            & (q.uuid == uuid) & (q.reason == reason[:200]) & q.released_at.is_null()
        ) if uuid else None
        if same is not None:
            same.received_at, same.payload = utcnow(), payload
            same.save()
            return
        q.create(company=self.auth.company_id, terminal=self.auth.terminal_id, uuid=uuid,
                 reason=reason[:200], payload=payload)

    # ------------------------------------------------------------- receipts lookup

    def lookup_receipt(self, terminal_id: int, number: int,
                       doc_type: str = "receipt") -> dict[str, Any]:
        """A receipt (``doc_type`` "sale_invoice": a Faktura) of the same store for a
        return (404 unknown or another store's)."""
        t = m.Transaction
        row = t.get_or_none((t.company == self.auth.company_id) & (t.terminal == terminal_id)
                            & (t.doc_type == doc_type) & (t.number == number)
                            & (t.number_repeat == 0))
        if row is None:
            raise DomainError("err.receipt_unknown", terminal=terminal_id, number=number)
        if row.store_id != self.auth.store_id:
            # the same answer as a missing one: a till cannot count another store's receipts
            raise DomainError("err.receipt_unknown", terminal=terminal_id, number=number)
        returned: dict[int, int] = defaultdict(int)
        refunded: dict[str, int] = defaultdict(int)
        for (payload,) in t.select(t.payload).where(
            (t.original_terminal == terminal_id) & (t.original_number == number)
            & (t.doc_type == "return") & (t.company == self.auth.company_id)
            & (t.original_type.is_null() if doc_type == "receipt" else t.original_type == doc_type)
        ).tuples():
            stored = json.loads(payload)
            for line in stored.get("lines", []):
                if line.get("original_line") is not None:
                    returned[int(line["original_line"])] += int(line["qty"])
            for tender in stored.get("payments", []):
                refunded[tender["method"]] += int(tender["amount"]) - int(tender.get("change", 0))
        answer = {"terminal_id": terminal_id, "number": number, "store_id": row.store_id,
                  "receipt": _receipt_with_buyer(row), "returned": dict(returned),
                  "refunded": dict(refunded)}
        invoice = t.get_or_none((t.company == self.auth.company_id) & (t.doc_type == "invoice")
                                & (t.original_terminal == terminal_id)
                                & (t.original_number == number)) if doc_type == "receipt" else None
        if invoice is not None and invoice.invoice_number:
            answer["invoice"] = {
                "invoice_number": invoice.invoice_number,
                "issued_at": invoice.created_at.isoformat() + "Z",
                "buyer": {key: value for key, value in (
                    ("nip", invoice.buyer_nip), ("name", invoice.buyer_name),
                    ("address", invoice.buyer_address)) if value},
            }
        return answer


def _receipt_with_buyer(row: m.Transaction) -> dict[str, Any]:
    """The stored receipt with its kind and buyer taken from the columns: a receipt
    stored before they existed has neither in its payload and reads as a paragon."""
    receipt: dict[str, Any] = json.loads(row.payload)
    receipt["kind"] = row.kind
    receipt.pop("buyer", None)
    if row.buyer_nip:
        receipt["buyer"] = {key: value for key, value in (
            ("nip", row.buyer_nip), ("name", row.buyer_name),
            ("address", row.buyer_address)) if value}
    return receipt


def _summary(row: m.Transaction) -> dict[str, Any]:
    """A stored document summed up for a ``uuid_conflict`` answer (protocol.StoredSummary)."""
    payload = json.loads(row.payload)
    lines = payload.get("lines") or []
    created = row.created_at
    return {
        "type": row.doc_type, "number": row.number, "total": row.total,
        "created_at": created.replace(tzinfo=UTC).isoformat() if isinstance(created, datetime)
        else None,
        "line_count": len(lines),
        "lines": [{"name": str(line.get("name", "")), "qty": int(line.get("qty", 0)),
                   "value": int(line.get("value", 0))} for line in lines[:STORED_LINES_MAX]],
    }


def _raw_uuid(raw: Any) -> str | None:
    if isinstance(raw, dict) and isinstance(raw.get("uuid"), str):
        # a lone surrogate cannot be stored as text: keep it escaped
        return raw["uuid"][:64].encode("utf-8", "backslashreplace").decode("utf-8")
    return None


def _total(doc: AnyDocument) -> int:
    if isinstance(doc, CashOperationDocument):
        return doc.amount
    if isinstance(doc, CashReportDocument):
        return doc.cash
    return doc.total


def _buyer_columns(doc: AnyDocument) -> dict[str, Any]:
    """The document kind and buyer columns of a receipt; a cash operation's kind
    (in/out) and a cash report's (state/shift_close) so lists can filter by them
    (other types: the column's plain default)."""
    if isinstance(doc, (CashOperationDocument, CashReportDocument)):
        return {"kind": doc.kind}
    if isinstance(doc, ReturnDocument | InvoiceDocument):
        # an invoice for a receipt (its receipt is its "original"), a correcting invoice
        buyer = doc.buyer
        columns: dict[str, Any] = {
            "buyer_nip": buyer.nip if buyer else None,
            "buyer_name": buyer.name if buyer else None,
            "buyer_address": buyer.address if buyer else None,
        }
        if isinstance(doc, InvoiceDocument):
            columns.update(kind="faktura", invoice_number=doc.invoice_number,
                           original_terminal=doc.receipt.terminal_id,
                           original_number=doc.receipt.number)
        else:
            columns.update(correction_number=doc.correction_number,
                           corrected_invoice=doc.corrected_invoice)
        return columns
    if not isinstance(doc, ReceiptDocument):
        return {}
    buyer = doc.buyer
    return {"kind": doc.kind, "buyer_nip": buyer.nip if buyer else None,
            "buyer_name": buyer.name if buyer else None,
            "buyer_address": buyer.address if buyer else None,
            "invoice_number": doc.invoice_number if doc.kind == "faktura" else None}


def store_document(auth: TerminalAuth, doc: AnyDocument, warnings: list[str],
                   store_id: int, *, number_repeat: int = 0) -> int:
    """Insert the document and its lines/payments (caller holds the transaction);
    ``number_repeat`` > 0: a released repeat of a number held (see the quarantine)."""
    original = getattr(doc, "original", None)
    if not number_repeat:
        numbering.note_arrival(auth.terminal_id, doc.type, doc.number)
    rates = getattr(doc, "vat_rates", None)
    columns = {"original_terminal": original.terminal_id if original else None,
               "original_number": original.number if original else None,
               # a return of a Faktura: its own numbering, so its type is kept
               "original_type": original.type if original and original.type != "receipt" else None,
               "vat_rates": json.dumps(rates, sort_keys=True) if rates else None,
               **_buyer_columns(doc)}
    row = m.Transaction.create(
        company=auth.company_id, store=store_id, terminal=auth.terminal_id,
        uuid=str(doc.uuid), doc_type=doc.type, number=doc.number,
        created_at=utc_naive(doc.created_at), day=business_day(doc),
        cashier_id=doc.cashier_id, cashier_identifier=doc.cashier_identifier,
        total=_total(doc), number_repeat=number_repeat, **columns,
        payload=doc.model_dump_json(exclude_none=True),
        warnings=json.dumps(warnings) if warnings else None,
    )
    lines = getattr(doc, "lines", ())
    if lines:
        m.TransactionLine.insert_many([
            {"transaction": row.id, "position": i, "product_id": line.product_id,
             "plu": line.plu, "name": line.name, "vat": line.vat, "unit_price": line.unit_price,
             "qty": line.qty, "discount": line.discount, "value": line.value}
            for i, line in enumerate(lines)
        ]).execute()
    payments = tenders(doc)
    if payments:
        m.TransactionPayment.insert_many([
            {"transaction": row.id, "method": p.method, "amount": p.amount, "change": p.change}
            for p in payments
        ]).execute()
    return row.id
