"""The checks a pushed document passes before it is stored: well-formed, plausibly
dated, its buyer valid, its totals adding up; the names it carries that the back
office does not know, and a sale arriving for a day its till already closed (both
stored anyway, with a warning).

Only what can never be right is rejected (:class:`Rejected`, a machine-readable
reason); the ingest keeps every rejected payload in the quarantine.
"""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from peewee import SQL
from pydantic import ValidationError

from ipos_tui.backoffice import models as m
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import round_half_up
from ipos_tui.domain.validation import validate_nip
from ipos_tui.protocol import (
    DOCUMENT_ADAPTER,
    CashOperationDocument,
    CashReportDocument,
    DailyReportDocument,
    InvoiceDocument,
    ReceiptDocument,
    ReturnDocument,
)

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


class KnownNames:
    """Products, cashiers and payment methods the back office knows (for warnings)."""

    def __init__(self, products: set[int], plus: set[str], users: set[int],
                 identifiers: set[str], methods: set[str]) -> None:
        self.products, self.plus, self.methods = products, plus, methods
        self.users, self.identifiers = users, identifiers

    @classmethod
    def load(cls, company_id: int, docs: list[AnyDocument]) -> KnownNames:
        """What the documents name, in one query (a till uploads each sale as it is
        made, so a batch is mostly one receipt: round trips are its cost)."""
        ids: set[int] = set()
        plus: set[str] = set()
        for doc in docs:
            for line in getattr(doc, "lines", ()):
                if line.product_id is not None:
                    ids.add(line.product_id)
                elif line.plu:
                    plus.add(line.plu)
        p, u, pm = m.Product, m.User, m.PaymentMethod
        parts = [
            u.select(SQL("'u'"), u.id, u.identifier).where(u.company == company_id),
            pm.select(SQL("'m'"), SQL("NULL"), pm.code).where(pm.company == company_id),
        ]
        id_list = sorted(ids)
        for start in range(0, len(id_list), 500):
            parts.append(p.select(SQL("'p'"), p.id, SQL("NULL")).where(
                (p.company == company_id) & p.id.in_(id_list[start : start + 500])))
        if plus:
            parts.append(p.select(SQL("'l'"), SQL("NULL"), p.plu).where(
                (p.company == company_id) & p.plu.in_(sorted(plus))))
        query = parts[0]
        for part in parts[1:]:
            query = query + part  # UNION ALL
        found: dict[str, list[tuple[Any, Any]]] = {"u": [], "m": [], "p": [], "l": []}
        for kind, number, text in query.tuples():
            found[kind].append((number, text))
        return cls({number for number, _ in found["p"]}, {text for _, text in found["l"]},
                   {number for number, _ in found["u"]}, {text for _, text in found["u"]},
                   {text for _, text in found["m"]})

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
        for payment in tenders(doc):
            if payment.method not in self.methods:
                found.append(f"unknown_payment_method:{payment.method}")
        return list(dict.fromkeys(found))


#: The documents a daily report sums (the till's DAY_SUMMED_TYPES): one of them arriving
#: after its till's daily report of its day changes a day already closed.
DAY_SUMMED_TYPES = ("receipt", "sale_invoice", "return", "cash_operation")
#: The warning on such a document; its detail is the number of the report that closed
#: the day ("late_after_day_close:7").
LATE_AFTER_DAY_CLOSE = "late_after_day_close"
#: The warning of a document released from the quarantine on a number its till had
#: already used for another ("repeated_number:1": the first repeat of that number).
REPEATED_NUMBER = "repeated_number"


def utc_naive(value: datetime) -> datetime:
    """A document's time as the back office stores it (naive UTC)."""
    return value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)


class ClosedDays:
    """The daily reports of one till the back office already holds, for the days of a
    batch's sales: a sale dated within a day its till's report has already closed
    (dated on that day, no later than the report) is late: accepted, with a warning.
    A sale dated after the report (the till sold on after closing, same calendar day)
    belongs to the next report and is not."""

    def __init__(self, closed: dict[date, tuple[datetime, int]]) -> None:
        #: day -> (created_at as naive UTC, number) of the latest report of that day
        self.closed = closed

    @classmethod
    def load(cls, terminal_id: int, docs: list[AnyDocument]) -> ClosedDays:
        """One query on the till's daily reports (the (terminal, type, number) index),
        and only when the batch holds a document a report sums."""
        days = sorted({business_day(d) for d in docs if d.type in DAY_SUMMED_TYPES})
        closed: dict[date, tuple[datetime, int]] = {}
        if days:
            t = m.Transaction
            for day, created, number in t.select(t.day, t.created_at, t.number).where(
                    (t.terminal == terminal_id) & (t.doc_type == "daily_report")
                    & t.day.in_(days)).tuples():
                key = day if isinstance(day, date) else date.fromisoformat(str(day))
                cls._keep(closed, key, created, number)
        return cls(closed)

    @staticmethod
    def _keep(closed: dict[date, tuple[datetime, int]], day: date, created: datetime,
              number: int) -> None:
        if isinstance(created, str):  # SQLite may hand back the text
            created = datetime.fromisoformat(created)
        if day not in closed or closed[day] < (created, number):
            closed[day] = (created, number)

    def note(self, doc: AnyDocument) -> None:
        """A daily report stored in this batch closes its day for the sales after it."""
        if isinstance(doc, DailyReportDocument):
            self._keep(self.closed, doc.day, utc_naive(doc.created_at), doc.number)

    def warnings(self, doc: AnyDocument) -> list[str]:
        if doc.type not in DAY_SUMMED_TYPES:
            return []
        report = self.closed.get(business_day(doc))
        if report is None or utc_naive(doc.created_at) > report[0]:
            return []
        return [f"{LATE_AFTER_DAY_CLOSE}:{report[1]}"]


def tenders(doc: AnyDocument) -> list[Any]:
    """The tenders of a sale or a refund (a daily report's ``payments`` are its sums
    per method, not tenders)."""
    if isinstance(doc, ReceiptDocument | ReturnDocument | InvoiceDocument):
        return list(doc.payments)
    return []
