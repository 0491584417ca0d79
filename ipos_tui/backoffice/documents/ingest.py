"""Ingest of documents pushed by terminals: exactly once, never refusing a real sale.

A document is stored once: UNIQUE(uuid) and UNIQUE(terminal, type, number) are
database indexes, checked again under the company's write lock, so concurrent pushes
of one batch (a retry racing its original) store it once and answer "duplicate" to
the others. Only what can never be right is rejected — malformed, inconsistent totals,
another store's document, a number already used by a different document — and every
rejected payload is kept raw in the quarantine with its reason. A sale that names a
product, cashier or payment method the back office no longer knows is accepted with
the values it carries and a warning.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
import os
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from peewee import IntegrityError, fn
from pydantic import ValidationError

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice import numbering
from ipos_tui.backoffice.db import write_transaction
from ipos_tui.backoffice.models import utcnow
from ipos_tui.backoffice.services import BackOffice, TerminalAuth
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import round_half_up
from ipos_tui.domain.validation import validate_nip
from ipos_tui.domain.vat import VAT_RATES, RateTotal, VatTotal, rate_totals
from ipos_tui.protocol import (
    DOCUMENT_ADAPTER,
    STORED_LINES_MAX,
    CashOperationDocument,
    CashReportDocument,
    DailyReportDocument,
    InvoiceDocument,
    ReceiptDocument,
    ReturnDocument,
    SALE_TYPES,
)

log = logging.getLogger(__name__)

#: Business days are Polish calendar days.
SHOP_TZ = ZoneInfo("Europe/Warsaw")
_QTY_SCALE = 1000

AnyDocument = (
    ReceiptDocument | ReturnDocument | CashOperationDocument | CashReportDocument | DailyReportDocument
    | InvoiceDocument  # (a SaleInvoiceDocument is a ReceiptDocument)
)


class Rejected(Exception):
    """A document that can never be stored as it is; ``reason`` is machine-readable."""

    def __init__(self, reason: str, stored: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        #: For "uuid_conflict": a summary of the version the back office holds.
        self.stored = stored


#: Plausible creation dates of a pushed document: from this day (UTC) ...
EARLIEST_DOCUMENT = datetime(
    *(int(p) for p in os.environ.get("IPOS_EARLIEST_DOCUMENT", "2000-01-01").split("-")),
    tzinfo=UTC)
#: ... to now plus this clock skew (days) of a till.
FUTURE_SKEW = timedelta(days=float(os.environ.get("IPOS_FUTURE_SKEW_DAYS", "2")))


def _check_text(value: Any, where: str = "document") -> None:
    """Every string of the payload must be encodable as UTF-8 (no lone surrogates)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise Rejected(f"malformed:{where}:invalid_utf8") from exc
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, where)
            _check_text(item, str(key) if where == "document" else f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_text(item, f"{where}.{index}")


def _check_date(doc: AnyDocument) -> None:
    """A creation date outside 2000-01-01 .. now + 2 days cannot be a real sale."""
    created = getattr(doc, "created_at", None)
    if created is None:
        return
    try:
        aware = created if created.tzinfo else created.replace(tzinfo=UTC)
        utc = aware.astimezone(UTC)
        plausible = EARLIEST_DOCUMENT <= utc <= datetime.now(UTC) + FUTURE_SKEW
        business_day(doc)
    except (OverflowError, ValueError) as exc:
        raise Rejected("implausible_date:created_at") from exc
    if not plausible:
        raise Rejected("implausible_date:created_at")


def _utc_naive(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def business_day(doc: AnyDocument) -> date:
    """The shop's calendar day of a document (the report's own day for daily reports)."""
    if isinstance(doc, DailyReportDocument):
        return doc.day
    created = doc.created_at if doc.created_at.tzinfo else doc.created_at.replace(tzinfo=UTC)
    return created.astimezone(SHOP_TZ).date()


def parse_document(raw: Any) -> AnyDocument:
    """Parse and check one pushed item; raises :class:`Rejected` with the reason."""
    if not isinstance(raw, dict):
        raise Rejected("malformed:not_an_object")
    _check_text(raw)
    try:
        doc = DOCUMENT_ADAPTER.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = list(first["loc"])
        if loc and loc[0] in ("receipt", "sale_invoice", "return", "cash_operation",
                              "cash_report", "daily_report", "invoice"):
            loc = loc[1:]  # the union's tag: the type is known from the payload
        where = ".".join(str(part) for part in loc) or "document"
        raise Rejected(f"malformed:{where}:{first['type']}") from exc
    _check_date(doc)
    if isinstance(doc, ReceiptDocument):
        _check_buyer(doc)
    if isinstance(doc, InvoiceDocument | ReturnDocument):
        _check_invoice_buyer(doc)
    if isinstance(doc, ReceiptDocument | ReturnDocument | InvoiceDocument):
        _check_totals(doc)
    if isinstance(doc, CashReportDocument):
        problem = doc.count_problem()
        if problem is not None:
            raise Rejected(problem)
    return doc


def _check_buyer(doc: ReceiptDocument) -> None:
    """An invoice names its buyer (NIP, name, address), a NIP receipt its NIP; any NIP
    sent must be a real one. The NIP is normalised to its 10 digits in place, so the
    stored payload and the ``buyer_nip`` column agree however the cashier typed it."""
    missing = doc.missing_buyer_field()
    if missing is not None:
        raise Rejected(f"malformed:{missing}:missing")
    if doc.buyer is None:
        return
    try:
        doc.buyer.nip = validate_nip(doc.buyer.nip)
    except DomainError as exc:
        raise Rejected("malformed:buyer.nip:invalid_nip") from exc


def _check_invoice_buyer(doc: InvoiceDocument | ReturnDocument) -> None:
    """An invoice for a receipt names its buyer in full; a correcting invoice (a return
    against an invoice) may name one. Any NIP sent must be a real one (stored as its
    10 digits)."""
    buyer = doc.buyer
    if isinstance(doc, InvoiceDocument):
        for name in ("name", "address"):
            value = getattr(buyer, name)
            if value is None or not value.strip():
                raise Rejected(f"malformed:buyer.{name}:missing")
    if buyer is None:
        return
    try:
        buyer.nip = validate_nip(buyer.nip)
    except DomainError as exc:
        raise Rejected("malformed:buyer.nip:invalid_nip") from exc


def _check_totals(doc: ReceiptDocument | ReturnDocument | InvoiceDocument) -> None:
    """Lines, VAT totals and payments must agree with the total (what was printed)."""
    for index, line in enumerate(doc.lines):
        gross = round_half_up(line.unit_price * line.qty, _QTY_SCALE)
        if line.value != gross - line.discount:
            raise Rejected(f"line_mismatch:{index}")
    if sum(line.value for line in doc.lines) != doc.total:
        raise Rejected("total_mismatch")
    if doc.vat_totals:
        per_letter: dict[str, int] = defaultdict(int)
        for line in doc.lines:
            per_letter[line.vat] += line.value
        if {k: v for k, v in per_letter.items() if v} != {
            k: v for k, v in doc.vat_totals.items() if v
        }:
            raise Rejected("vat_totals_mismatch")
    # a sale's payments also cover its deposits ("kaucja"), which are outside the total
    deposit = doc.deposit if isinstance(doc, ReceiptDocument) else 0
    if isinstance(doc, ReceiptDocument) and doc.deposit_lines is not None and (
        sum(d.value for d in doc.deposit_lines) != deposit
        or any(d.value != d.unit * d.qty for d in doc.deposit_lines)
    ):
        raise Rejected("deposit_mismatch")
    if doc.payments and sum(p.amount - p.change for p in doc.payments) != doc.total + deposit:
        raise Rejected("payments_mismatch")


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
        with write_transaction(self.office.db, self.auth.company_id):
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

    def _store_batch(self, items: list[Any], parsed: list[AnyDocument | Rejected]
                     ) -> list[dict[str, Any]]:
        docs = [d for d in parsed if not isinstance(d, Rejected)]
        existing = self._existing(docs)
        known = _KnownNames.load(self.auth.company_id, docs)
        results: list[dict[str, Any]] = []
        for index, (raw, item) in enumerate(zip(items, parsed, strict=True)):
            uuid = str(item.uuid) if not isinstance(item, Rejected) else _raw_uuid(raw)
            result: dict[str, Any] = {"index": index, "uuid": uuid}
            if not isinstance(item, Rejected):
                try:
                    with self.office.db.atomic():  # its own savepoint
                        status, warnings = self._store_one(item, existing, known)
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
        """Already stored uuids (→ terminal) and numbers (→ uuid) that the batch names."""
        t = m.Transaction
        uuids: dict[str, int] = {}
        numbers: dict[tuple[str, int], str] = {}
        wanted = [str(d.uuid) for d in docs]
        for start in range(0, len(wanted), 500):
            for uuid, terminal in t.select(t.uuid, t.terminal).where(
                t.uuid.in_(wanted[start : start + 500])
            ).tuples():
                uuids[uuid] = terminal
        by_type: dict[str, list[int]] = defaultdict(list)
        for d in docs:
            by_type[d.type].append(d.number)
        for doc_type, nums in by_type.items():
            for start in range(0, len(nums), 500):
                for number, uuid in t.select(t.number, t.uuid).where(
                    (t.terminal == self.auth.terminal_id) & (t.doc_type == doc_type)
                    & t.number.in_(nums[start : start + 500])
                ).tuples():
                    numbers[(doc_type, number)] = uuid
        return {"uuids": uuids, "numbers": numbers}

    def _store_one(self, doc: AnyDocument, existing: dict[str, Any], known: _KnownNames
                   ) -> tuple[str, list[str]]:
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
        warnings = known.warnings(doc)
        try:
            with self.office.db.atomic():
                store_document(self.auth, doc, warnings, doc.store_id)
        except IntegrityError as exc:  # backstop: the lock makes this unreachable
            raise Rejected("conflict") from exc
        existing["uuids"][uuid] = self.auth.terminal_id
        existing["numbers"][(doc.type, doc.number)] = uuid
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
                            & (t.doc_type == doc_type) & (t.number == number))
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


class _KnownNames:
    """Products, cashiers and payment methods the back office knows (for warnings)."""

    def __init__(self, products: set[int], plus: set[str], users: set[int],
                 identifiers: set[str], methods: set[str]) -> None:
        self.products, self.plus, self.methods = products, plus, methods
        self.users, self.identifiers = users, identifiers

    @classmethod
    def load(cls, company_id: int, docs: list[AnyDocument]) -> _KnownNames:
        ids: set[int] = set()
        plus: set[str] = set()
        for doc in docs:
            for line in getattr(doc, "lines", ()):
                if line.product_id is not None:
                    ids.add(line.product_id)
                elif line.plu:
                    plus.add(line.plu)
        p = m.Product
        known_ids: set[int] = set()
        id_list = sorted(ids)
        for start in range(0, len(id_list), 500):
            known_ids.update(pid for (pid,) in p.select(p.id).where(
                (p.company == company_id) & p.id.in_(id_list[start : start + 500])).tuples())
        known_plus = {plu for (plu,) in p.select(p.plu).where(
            (p.company == company_id) & p.plu.in_(sorted(plus))).tuples()} if plus else set()
        staff = list(m.User.select(m.User.id, m.User.identifier).where(
            m.User.company == company_id).tuples())
        methods = {code for (code,) in m.PaymentMethod.select(m.PaymentMethod.code).where(
            m.PaymentMethod.company == company_id).tuples()}
        return cls(known_ids, known_plus, {uid for uid, _ in staff},
                   {identifier for _, identifier in staff}, methods)

    def warnings(self, doc: AnyDocument) -> list[str]:
        found: list[str] = []
        for line in getattr(doc, "lines", ()):
            if line.product_id is not None and line.product_id not in self.products:
                found.append(f"unknown_product:{line.product_id}")
            elif line.product_id is None and line.plu and line.plu not in self.plus:
                found.append(f"unknown_plu:{line.plu}")
        if doc.cashier_id is not None and doc.cashier_id not in self.users:
            found.append(f"unknown_cashier:{doc.cashier_id}")
        elif (doc.cashier_id is None and doc.cashier_identifier
              and doc.cashier_identifier not in self.identifiers):
            found.append(f"unknown_cashier:{doc.cashier_identifier}")
        for authorisation in doc.authorisations or ():
            if authorisation.user_id is not None and authorisation.user_id not in self.users:
                found.append(f"unknown_authoriser:{authorisation.user_id}")
        for payment in _tenders(doc):
            if payment.method not in self.methods:
                found.append(f"unknown_payment_method:{payment.method}")
        return list(dict.fromkeys(found))


def _tenders(doc: AnyDocument) -> list[Any]:
    """The tenders of a sale or a refund (a daily report's ``payments`` are its sums
    per method, not tenders)."""
    if isinstance(doc, ReceiptDocument | ReturnDocument | InvoiceDocument):
        return list(doc.payments)
    return []


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
                   store_id: int) -> int:
    """Insert the document and its lines/payments (caller holds the transaction)."""
    original = getattr(doc, "original", None)
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
        created_at=_utc_naive(doc.created_at), day=business_day(doc),
        cashier_id=doc.cashier_id, cashier_identifier=doc.cashier_identifier,
        total=_total(doc), **columns,
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
    payments = _tenders(doc)
    if payments:
        m.TransactionPayment.insert_many([
            {"transaction": row.id, "method": p.method, "amount": p.amount, "change": p.change}
            for p in payments
        ]).execute()
    return row.id


# ------------------------------------------------------------------ admin side


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
    cashiers = _cashiers(office, rows)
    return [
        {"id": r.id, "uuid": r.uuid, "type": r.doc_type, "terminal_id": r.terminal_id,
         "store_id": r.store_id, "number": r.number, "day": r.day.isoformat(),
         "created_at": r.created_at.isoformat(timespec="seconds") + "Z", "total": r.total,
         **cashiers[r.id], "kind": r.kind, "buyer_nip": r.buyer_nip,
         "buyer_name": r.buyer_name, "buyer_address": r.buyer_address,
         "original_terminal_id": r.original_terminal, "original_number": r.original_number,
         "original_type": r.original_type or "receipt",
         "invoice_number": r.invoice_number, "correction_number": r.correction_number,
         "corrected_invoice": r.corrected_invoice,
         "warnings": json.loads(r.warnings) if r.warnings else [],
         "authorisations": _authorisations(r),
         **_count_columns(r)}
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


def _count_columns(row: m.Transaction) -> dict[str, Any]:
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

def _cashiers(office: BackOffice, rows: list[m.Transaction]) -> dict[int, dict[str, Any]]:
    """Who made each document: ``cashier`` (identifier), ``cashier_id`` and
    ``cashier_name``. A till sends the cashier's id and the name it printed; the
    identifier comes from the staff table (the document's own one when it has it)."""
    ids = {r.cashier_id for r in rows if r.cashier_id is not None}
    staff = {u.id: u for u in m.User.select(m.User.id, m.User.identifier, m.User.name).where(
        (m.User.company == office.company_id) & m.User.id.in_(list(ids) or [0]))}
    found: dict[int, dict[str, Any]] = {}
    for r in rows:
        user = staff.get(r.cashier_id) if r.cashier_id is not None else None
        printed = json.loads(r.payload).get("cashier_name") if r.payload else None
        found[r.id] = {
            "cashier": r.cashier_identifier or (user.identifier if user else None),
            "cashier_id": r.cashier_id,
            "cashier_name": printed or (user.name if user else None),
        }
    return found


def list_quarantine(office: BackOffice, include_released: bool = False) -> list[dict[str, Any]]:
    q = m.Quarantine
    query = q.select().where(q.company == office.company_id)
    if not include_released:
        query = query.where(q.released_at.is_null())
    return [
        {"id": r.id, "terminal_id": r.terminal_id, "uuid": r.uuid, "reason": r.reason,
         "received_at": r.received_at.isoformat(timespec="seconds") + "Z",
         "released_at": r.released_at.isoformat(timespec="seconds") + "Z"
         if r.released_at else None,
         "payload": r.payload}
        for r in query.order_by(q.id)
    ]


def release_quarantine(office: BackOffice, quarantine_id: int) -> dict[str, Any]:
    """Accept a quarantined document after an administrator's review.

    The store check is what a release overrides (e.g. a terminal moved between
    stores); the document must still parse and add up, and is still stored once.
    """
    q = m.Quarantine
    row = q.get_or_none((q.id == quarantine_id) & (q.company == office.company_id))
    if row is None:
        raise DomainError("err.quarantine_unknown", id=quarantine_id)
    if row.released_at is not None:
        raise DomainError("err.quarantine_released", id=quarantine_id)
    if row.terminal_id is None:
        raise DomainError("err.quarantine_unreleasable", id=quarantine_id, reason="no_terminal")
    try:
        doc = parse_document(json.loads(row.payload))
    except Rejected as rejected:
        raise DomainError("err.quarantine_unreleasable", id=quarantine_id,
                          reason=rejected.reason) from rejected
    terminal = m.Terminal.get_by_id(row.terminal_id)
    store = m.Store.get_or_none((m.Store.id == doc.store_id)
                                & (m.Store.company == office.company_id))
    auth = TerminalAuth(terminal.id, office.company_id, terminal.store_id)
    with write_transaction(office.db, office.company_id):
        t = m.Transaction
        clash = t.get_or_none((t.uuid == str(doc.uuid)) | (
            (t.terminal == terminal.id) & (t.doc_type == doc.type) & (t.number == doc.number)))
        if clash is not None and clash.uuid != str(doc.uuid):
            raise DomainError("err.quarantine_unreleasable", id=quarantine_id,
                              reason="number_conflict")
        status = "duplicate" if clash else "accepted"
        doc_id = clash.id if clash else store_document(
            auth, doc, _KnownNames.load(office.company_id, [doc]).warnings(doc),
            store.id if store else terminal.store_id)
        row.released_at, row.released_as = utcnow(), doc_id
        row.save()
    log.info("quarantined item %s released as transaction %s (%s)", quarantine_id, doc_id,
             status)
    return {"id": quarantine_id, "status": status, "transaction_id": doc_id}


#: Documents of a sale, and those with the returns (see protocol.SALE_TYPES).
SALES_AND_RETURNS = (*SALE_TYPES, "return")


def _per_letter(items: tuple[RateTotal, ...]) -> dict[str, VatTotal]:
    """Gross and VAT per letter, each rate's VAT computed from its own sum."""
    out: dict[str, VatTotal] = {}
    for item in items:
        before = out.get(item.letter)
        out[item.letter] = VatTotal(item.letter, item.gross + (before.gross if before else 0),
                                    item.vat + (before.vat if before else 0))
    return out


def sales_report(office: BackOffice, day: date, store_id: int | None = None) -> dict[str, Any]:
    """Sales of one shop day: receipts, returns, VAT per letter, payments, cash ops and
    the shift closes with their counted cash."""
    t, line, pay = m.Transaction, m.TransactionLine, m.TransactionPayment
    scope = (t.company == office.company_id) & (t.day == day)
    if store_id is not None:
        scope &= t.store == store_id
    counts = {doc_type: (n, total) for doc_type, n, total in t.select(
        t.doc_type, fn.COUNT(t.id), fn.SUM(t.total)).where(scope).group_by(t.doc_type).tuples()}
    # sales and returns apart per letter and rate, VAT once from each sum (as the
    # till's daily report) at the rates each document was sold at (a document of an
    # older till, without them: the company's table now); the net is their difference
    current = {r.letter: r.rate for r in m.VatRate.select().where(
        m.VatRate.company == office.company_id)}
    sold_items: list[tuple[str, int | None, int]] = []
    returned_items: list[tuple[str, int | None, int]] = []
    for doc_type, rates_json, vat, value in (
            line.select(t.doc_type, t.vat_rates, line.vat, fn.SUM(line.value))
            .join(t).where(scope & t.doc_type.in_(SALES_AND_RETURNS))
            .group_by(t.doc_type, t.vat_rates, line.vat).tuples()):
        rates = json.loads(rates_json) if rates_json else {}
        rate = rates[vat] if vat in rates else current.get(vat, VAT_RATES.get(vat))
        (returned_items if doc_type == "return" else sold_items).append((vat, rate, int(value)))
    payments: dict[str, int] = defaultdict(int)
    for doc_type, method, amount in (pay.select(t.doc_type, pay.method,
                                                fn.SUM(pay.amount - pay.change))
                                     .join(t).where(scope & t.doc_type.in_(SALES_AND_RETURNS))
                                     .group_by(t.doc_type, pay.method).tuples()):
        payments[method] += -int(amount) if doc_type == "return" else int(amount)
    cash = {"in": 0, "out": 0}
    deposits_returned = 0
    for (payload,) in t.select(t.payload).where(scope & (t.doc_type == "cash_operation")).tuples():
        data = json.loads(payload)
        cash[data["kind"]] += int(data["amount"])
        if data.get("purpose") == "deposit_return":
            deposits_returned += int(data["amount"])
    deposits_collected = sum(
        int(json.loads(payload).get("deposit", 0))
        for (payload,) in t.select(t.payload).where(scope & t.doc_type.in_(SALE_TYPES)).tuples()
    )
    shift_closes = [
        {"terminal_id": row.terminal_id, "number": row.number,
         "cashier": json.loads(row.payload).get("cashier_name") or row.cashier_identifier,
         "created_at": row.created_at.isoformat(timespec="seconds") + "Z", "expected": row.total,
         **_count_columns(row)}
        for row in t.select().where(scope & (t.doc_type == "cash_report") & (t.kind == "shift_close"))
        .order_by(t.terminal, t.number)
    ]
    vat_sold = _per_letter(rate_totals(sold_items))
    vat_returned = _per_letter(rate_totals(returned_items))
    vat = {}
    for letter in sorted(set(vat_sold) | set(vat_returned)):
        gross = (vat_sold[letter].gross if letter in vat_sold else 0) - (
            vat_returned[letter].gross if letter in vat_returned else 0)
        tax = (vat_sold[letter].vat if letter in vat_sold else 0) - (
            vat_returned[letter].vat if letter in vat_returned else 0)
        if gross or tax:
            vat[letter] = VatTotal(letter, gross, tax)
    daily_reports = [
        {"terminal_id": terminal_id, "number": number, "total": total,
         "receipts": json.loads(payload).get("receipts", 0)}
        for terminal_id, number, total, payload in t.select(t.terminal, t.number, t.total, t.payload)
        .where(scope & (t.doc_type == "daily_report")).order_by(t.terminal, t.number).tuples()
    ]
    receipts = tuple(sum(int(counts.get(kind, (0, 0))[i] or 0) for kind in SALE_TYPES) for i in (0, 1))
    invoices = counts.get("sale_invoice", (0, 0))
    returns = counts.get("return", (0, 0))
    return {
        "day": day.isoformat(), "store_id": store_id,
        # sales: receipts and Faktury sold at the tills; of them the Faktury
        "receipts": receipts[0], "receipts_total": int(receipts[1] or 0),
        "invoices": invoices[0], "invoices_total": int(invoices[1] or 0),
        "returns": returns[0], "returns_total": int(returns[1] or 0),
        "net_sales": int(receipts[1] or 0) - int(returns[1] or 0),
        "vat": {letter: {"gross": v.gross, "vat": v.vat, "net": v.net}
                for letter, v in vat.items()},
        "vat_sales": {letter: {"gross": v.gross, "vat": v.vat, "net": v.net}
                      for letter, v in vat_sold.items()},
        "vat_returns": {letter: {"gross": v.gross, "vat": v.vat, "net": v.net}
                        for letter, v in vat_returned.items()},
        "payments": dict(sorted(payments.items())),
        "cash_in": cash["in"], "cash_out": cash["out"],
        # deposits ("kaucja") apart from sales: charged with receipts, paid back in
        # cash for returned packaging (the latter are also in cash_out)
        "deposits_collected": deposits_collected, "deposits_returned": deposits_returned,
        # the shifts closed that day: expected cash, cash counted, their difference
        # (counted − expected; None where an older till did not count) and its sum
        "shift_closes": shift_closes,
        "cash_difference": sum(c["difference"] for c in shift_closes if c["difference"] is not None),
        # the terminals' own daily reports of the day, to compare with the sums above
        "daily_reports": daily_reports,
    }
