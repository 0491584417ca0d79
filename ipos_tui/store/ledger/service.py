"""The ledger: finished documents, durable the moment the cashier finishes them.

A receipt is committed in ONE ``BEGIN IMMEDIATE`` transaction (with
``synchronous=FULL`` the commit is on disk when it returns): the next gapless
number, the document, its own copies of every line, the payments, the VAT per
letter, the upload state and the local sales statistics. Either all of it is
stored or none of it, so a failure never burns a number. Nothing here deletes
or rewrites a stored document; SQLite triggers refuse it even if someone tried.

The commit is the till's hot write path, so its statements are constant SQL run
on the connection's cursor (``execute``/``executemany``) rather than ORM
inserts: building the SQL in peewee made a 20-line receipt ~3x slower than the
same statements run directly. The insert statements are derived once from the
models' own table and column names, so they cannot drift from the models.
"""

from __future__ import annotations

import json
import uuid as uuid_module
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from peewee import Model, SqliteDatabase

from ipos_tui.domain.authorisation import EXTRA_KEY, Authorisation, records
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.fiscal_day import day_refusal
from ipos_tui.domain.receipt import Payment, Receipt
from ipos_tui.domain.validation import validate_nip
from ipos_tui.domain.vat import VatTotal
from ipos_tui.store.models import (
    DocumentLineRow,
    DocumentPaymentRow,
    DocumentRow,
    Models,
)
from ipos_tui.domain.records import (
    DOC_SALE_INVOICE,
    DOCUMENT_KINDS,
    KINDS_WITH_BUYER,
    SALE_TYPES,
    Buyer,
    DocumentDetail,
    DocumentKind,
    DocumentLine,
    DocumentPayment,
    DocumentSummary,
    StoredDocument,
    TerminalInfo,
    UploadState,
    User,
)
from ipos_tui.store.settings import SettingsService
from ipos_tui.store.timeutil import local_text, parse_time, to_utc, utc_text
from ipos_tui.store.vat_table import RATES_KEY, effective_rates, snapshot

DOC_RECEIPT: Final = "receipt"
DOC_DAILY_REPORT: Final = "daily_report"
#: Ledger types a daily report sums: the first of them since the last report starts
#: the open fiscal day (domain/fiscal_day.py).
DAY_SUMMED_TYPES: Final = (DOC_RECEIPT, DOC_SALE_INVOICE, "return", "cash_operation")
#: Types stored whatever the fiscal day: the daily report itself, the cash reports
#: (a shift may be closed after midnight) and an invoice for an earlier receipt
#: ("Faktura do paragonu": non-fiscal, it adds nothing to any day). Every other
#: document (sales and Faktury, returns, cash operations, deposit returns ...)
#: obeys the day rule.
DAY_FREE_TYPES: Final = (DOC_DAILY_REPORT, "cash_report", "invoice")
_OPEN_DAY_STARTED: Final = (
    "SELECT created_local FROM document WHERE id > coalesce(("
    "SELECT json_extract(extra, '$.upto_document') FROM document WHERE doc_type = ? "
    "ORDER BY number DESC LIMIT 1), 0) "
    f"AND doc_type IN ({', '.join('?' for _ in DAY_SUMMED_TYPES)}) ORDER BY id LIMIT 1"
)
#: The invoice series and the setting saying when its numbers restart.
INVOICE_SERIES: Final = "FV"
INVOICE_NUMBERING_KEY: Final = "invoice_numbering"
#: SQLite's default limit of host parameters is far above this; chunks keep
#: statements short for very long uuid lists.
_CHUNK: Final = 500


def insert_sql(model: type[Model], columns: Sequence[str]) -> str:
    """Constant ``INSERT INTO <table> (<columns>) VALUES (?, ...)`` of ``model``.

    Table and column names come from the model, and the check runs once at
    import: a column the model does not have, or a NOT NULL column left out of
    ``columns``, fails loudly instead of producing a statement that drifted
    from the schema.
    """
    meta = model._meta
    unknown = [name for name in columns if name not in meta.fields]
    if unknown:
        raise ValueError(f"{meta.table_name} has no columns {unknown}")
    missing = [
        field.name
        for field in meta.sorted_fields
        if not (field.primary_key or field.null or field.name in columns)
    ]
    if missing:
        raise ValueError(f"insert into {meta.table_name} leaves out NOT NULL {missing}")
    names = ", ".join(f'"{meta.fields[name].column_name}"' for name in columns)
    marks = ", ".join("?" for _ in columns)
    return f'INSERT INTO "{meta.table_name}" ({names}) VALUES ({marks})'


_DOCUMENT_COLUMNS: Final = (
    "uuid",
    "doc_type",
    "number",
    "kind",
    "created_utc",
    "created_local",
    "cashier_id",
    "cashier_name",
    "store_id",
    "terminal_id",
    "total",
    "discount_total",
    "vat",
    "buyer_nip",
    "buyer_name",
    "buyer_address",
    "upload_state",
    "upload_attempts",
    "extra",
)
_LINE_COLUMNS: Final = (
    "document_id",
    "position",
    "product_id",
    "plu",
    "name",
    "unit",
    "precision",
    "unit_price",
    "qty",
    "vat_letter",
    "gross",
    "line_discount",
    "receipt_discount",
    "value",
)
_PAYMENT_COLUMNS: Final = ("document_id", "position", "method", "name", "amount", "change")

#: The commit's statements, built once (the parameter tuples below follow the
#: column tuples above, in order).
_INSERT_DOCUMENT: Final = insert_sql(DocumentRow, _DOCUMENT_COLUMNS)
_INSERT_LINE: Final = insert_sql(DocumentLineRow, _LINE_COLUMNS)
_INSERT_PAYMENT: Final = insert_sql(DocumentPaymentRow, _PAYMENT_COLUMNS)
_INSERT_DRAFT: Final = insert_sql(DocumentRow, _DOCUMENT_COLUMNS)
_INSERT_DRAFT_LINE: Final = insert_sql(DocumentLineRow, (*_LINE_COLUMNS, "original_line"))
_NEXT_NUMBER: Final = (
    "INSERT INTO number_sequence (doc_type, last_number) VALUES (?, 1) "
    "ON CONFLICT (doc_type) DO UPDATE SET last_number = last_number + 1 "
    "RETURNING last_number"
)
_RECORD_SALE: Final = (
    "INSERT INTO product_sales (product_id, sale_count, qty_sold) VALUES (?, 1, ?) "
    "ON CONFLICT (product_id) DO UPDATE SET sale_count = sale_count + 1, "
    "qty_sold = qty_sold + excluded.qty_sold"
)


def _vat_json(vat: dict[str, VatTotal]) -> str:
    """Per-letter VAT as stored: {"A": {"gross": .., "vat": .., "net": ..}, ...}."""
    return json.dumps(
        {letter: {"gross": t.gross, "vat": t.vat, "net": t.net} for letter, t in vat.items()},
        sort_keys=True,
    )


def _vat_from_json(text: str) -> dict[str, VatTotal]:
    """The VatTotal map of a stored VAT column."""
    data = json.loads(text)
    return {
        letter: VatTotal(letter, item["gross"], item["vat"])
        for letter, item in sorted(data.items())
    }


def _check_buyer(kind: str, buyer: Buyer | None) -> Buyer | None:
    """The buyer with a validated NIP, required exactly for invoices and NIP receipts."""
    if kind not in DOCUMENT_KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    if kind not in KINDS_WITH_BUYER:
        return None
    if buyer is None or not buyer.nip.strip():
        raise DomainError("err.buyer_nip_required")
    checked = Buyer(validate_nip(buyer.nip), buyer.name.strip(), buyer.address.strip())
    if kind == "faktura" and not (checked.name and checked.address):
        # an invoice names its buyer in full; the back office refuses one without
        raise DomainError("err.buyer_details_required")
    return checked


def _check_payments(receipt: Receipt, payments: Sequence[Payment]) -> None:
    """Refuse an empty receipt or one the tenders do not cover exactly.

    Overpayment without change cannot come from ``PaymentState`` and would make
    the cash count wrong, so it is a programming error, not a cashier's.
    """
    if receipt.is_empty:
        raise DomainError("err.receipt_empty")
    for payment in payments:
        if payment.amount <= 0 or payment.change < 0 or payment.change > payment.amount:
            raise ValueError(f"malformed payment {payment!r}")
    # the tenders pay the fiscal total and the deposits ("kaucja") charged with it
    paid = sum(payment.net_amount for payment in payments)
    if paid < receipt.payable:
        raise DomainError("err.receipt_unpaid", remaining=receipt.payable - paid)
    if paid > receipt.payable:
        raise ValueError(f"payments exceed the total by {paid - receipt.payable} grosze")


#: Key of a receipt's ``extra`` holding the deposits it charged ("kaucja").
DEPOSIT_KEY: Final = "deposit"


def deposit_record(receipt: Receipt) -> dict[str, Any] | None:
    """The deposits ("kaucja") a receipt charged, as its ``extra`` stores them:
    ``{"total": grosze, "lines": [{"name", "product_id", "qty", "unit", "value"}]}``
    (qty in pieces, unit = deposit per piece); None when it charged none."""
    lines = [
        {"name": line.name, "product_id": line.product_id, "qty": line.qty // 1000,
         "unit": line.deposit, "value": line.deposit_value}
        for line in receipt.lines if line.deposit_value > 0
    ]
    if not lines:
        return None
    return {"total": sum(item["value"] for item in lines), "lines": lines}


def _receipt_extra(receipt: Receipt, rates: dict[str, int | None]) -> str:
    """A receipt's ``extra``: the rates of its letters (see
    :mod:`ipos_tui.store.vat_table`), the manager's authorisations and the
    deposits, if any."""
    extra: dict[str, Any] = {RATES_KEY: rates}
    if receipt.authorisations:
        # what a manager authorised on the receipt (a free discount, a price change)
        extra[EXTRA_KEY] = records(receipt.authorisations)
    deposit = deposit_record(receipt)
    if deposit is not None:
        extra[DEPOSIT_KEY] = deposit
    return json.dumps(extra, ensure_ascii=False)


class LedgerService:
    """Commits and reads ledger documents and keeps their upload state."""

    def __init__(self, db: SqliteDatabase, models: Models, settings: SettingsService) -> None:
        self._db = db
        self._m = models
        self._settings = settings

    # -- writing --------------------------------------------------------------

    def commit_receipt(
        self,
        receipt: Receipt,
        payments: Sequence[Payment],
        *,
        kind: DocumentKind = "paragon",
        buyer: Buyer | None = None,
        cashier: User,
        now: datetime,
    ) -> StoredDocument:
        """Store a finished receipt durably and return its number and uuid.

        Raises DomainError "err.receipt_empty", "err.receipt_unpaid",
        "err.buyer_nip_required", "err.nip_invalid", "err.terminal_not_activated" or
        "err.vat_letter" (a line's letter is not in the printer's PTU table) or the
        fiscal day's refusals (:meth:`check_fiscal_day`); on any failure nothing is
        stored and no number is used. The VAT is computed at the rates in force (the
        printer's PTU table), which the receipt keeps.
        """
        _check_payments(receipt, payments)
        checked_buyer = _check_buyer(kind, buyer)
        doc_uuid = str(uuid_module.uuid4())
        with self._db.atomic("IMMEDIATE"):
            # Read under the write lock: the identity stored is the committed one,
            # whoever changed it last, with no cache that could go stale.
            info = self._settings.terminal_info()
            if info is None:
                raise DomainError("err.terminal_not_activated")
            # a Faktura is numbered in its own series: a receipt number is never taken
            doc_type = DOC_SALE_INVOICE if kind == "faktura" else DOC_RECEIPT
            self.check_fiscal_day(doc_type, now)
            rates = effective_rates(self._db)
            missing = sorted({line.vat_letter for line in receipt.lines} - set(rates))
            if missing:
                raise DomainError("err.vat_letter", letter=", ".join(missing))
            number = self._next_number(doc_type)
            document_id = self._insert_document(
                doc_uuid, doc_type, number, kind, receipt, checked_buyer, cashier, info, now, rates
            )
            invoice_number = None
            if kind == "faktura":
                invoice_number = self._next_invoice_number(INVOICE_SERIES, info.terminal_id, now)
                self._db.execute_sql(
                    "UPDATE document SET invoice_number = ? WHERE id = ?",
                    (invoice_number, document_id),
                )
            self._insert_lines(document_id, receipt)
            self._insert_payments(document_id, payments)
            self._record_sales(receipt)
        return StoredDocument(
            uuid=doc_uuid,
            doc_type=doc_type,
            number=number,
            kind=kind,
            terminal_id=info.terminal_id,
            created_utc=to_utc(now),
            created_local=parse_time(local_text(now)),
            total=receipt.total,
            invoice_number=invoice_number,
        )

    def commit_document(
        self,
        draft: DocumentDraft,
        *,
        cashier: User,
        now: datetime,
        check: Callable[[], None] | None = None,
    ) -> StoredDocument:
        """Store a document other than a sale (a return, a cash operation, a cash or a
        daily report) durably, with the next gapless number of its type.

        ``check`` runs first inside the write transaction, so what it reads (say, how
        much of a receipt was already returned, or the cash in the drawer) cannot
        change before the document is stored; if it raises, nothing is stored and no
        number is used. Raises DomainError "err.terminal_not_activated", and the
        fiscal day's refusals (:meth:`check_fiscal_day`) before ``check`` runs.
        """
        if draft.doc_type in SALE_TYPES:
            raise ValueError("sales are committed with commit_receipt")
        doc_uuid = str(uuid_module.uuid4())
        with self._db.atomic("IMMEDIATE"):
            self.check_fiscal_day(draft.doc_type, now)
            if check is not None:
                check()
            info = self._settings.terminal_info()
            if info is None:
                raise DomainError("err.terminal_not_activated")
            number = self._next_number(draft.doc_type)
            cursor = self._db.cursor()
            buyer = draft.buyer
            cursor.execute(
                _INSERT_DRAFT,
                (
                    doc_uuid, draft.doc_type, number, draft.kind, utc_text(now), local_text(now),
                    cashier.id, cashier.name, info.store_id, info.terminal_id, draft.total,
                    draft.discount_total, _vat_json(draft.vat),
                    buyer.nip if buyer else None, buyer.name if buyer else None,
                    buyer.address if buyer else None, "pending", 0,
                    json.dumps(draft.extra, ensure_ascii=False, sort_keys=True) if draft.extra else None,
                ),
            )
            document_id = cursor.lastrowid
            invoice_number = None
            if draft.invoice_series is not None:
                # an invoice (or a correcting one) of a document other than a sale: the
                # next number of its own series, in the same transaction (gapless)
                invoice_number = self._next_invoice_number(draft.invoice_series, info.terminal_id, now)
                cursor.execute(
                    "UPDATE document SET invoice_number = ? WHERE id = ?", (invoice_number, document_id)
                )
            cursor.executemany(
                _INSERT_DRAFT_LINE,
                [
                    (
                        document_id, position, line.product_id, line.plu, line.name, line.unit,
                        line.precision, line.unit_price, line.qty, line.vat_letter, line.gross,
                        line.line_discount, line.receipt_discount, line.value, line.original_line,
                    )
                    for position, line in enumerate(draft.lines, start=1)
                ],
            )
            cursor.executemany(
                _INSERT_PAYMENT,
                [
                    (document_id, position, pay.method, pay.name, pay.amount, pay.change)
                    for position, pay in enumerate(draft.payments, start=1)
                ],
            )
        return StoredDocument(
            uuid=doc_uuid,
            doc_type=draft.doc_type,
            number=number,
            kind=draft.kind,  # type: ignore[arg-type]
            terminal_id=info.terminal_id,
            created_utc=to_utc(now),
            created_local=parse_time(local_text(now)),
            total=draft.total,
            invoice_number=invoice_number,
        )

    # -- the fiscal day ------------------------------------------------------------

    def open_day_started(self) -> datetime | None:
        """Local time of the open day's first summed document (None: nothing open)."""
        row = self._db.execute_sql(_OPEN_DAY_STARTED, (DOC_DAILY_REPORT, *DAY_SUMMED_TYPES)).fetchone()
        return parse_time(row[0]) if row else None

    def day_refusal(self, now: datetime) -> DomainError | None:
        """Why a sale (return, cash operation ...) could not be stored at ``now``:
        the open day began on an earlier date, or under the "block" option the set
        time has passed; None when it could. Screens ask it to warn early; the commit
        itself asks it again under its write lock (:meth:`check_fiscal_day`)."""
        return day_refusal(
            self.open_day_started(), parse_time(local_text(now)),
            option=self._settings.day_close(), at=self._settings.day_close_time(),
        )

    def check_fiscal_day(self, doc_type: str, now: datetime) -> None:
        """Raise DomainError "dayrule2.err_day_open" (``day``: the open day,
        dd.mm.rrrr) or "dayrule2.err_block_time" (``day``, ``time``) when a
        ``doc_type`` document may not join the open day at ``now``; the daily and
        cash reports always may. Call inside the write transaction."""
        if doc_type in DAY_FREE_TYPES:
            return
        refusal = self.day_refusal(now)
        if refusal is not None:
            raise refusal

    def record_void(
        self, receipt: Receipt, cashier: User, now: datetime, authorisation: Authorisation | None = None
    ) -> None:
        """Log a receipt voided with lines on it (the daily report counts them)."""
        self.record_voided(len(receipt.lines), receipt.total, cashier, now, authorisation)

    def record_voided(
        self,
        line_count: int,
        total: int,
        cashier: User,
        now: datetime,
        authorisation: Authorisation | None = None,
    ) -> None:
        """Log a voided receipt of ``line_count`` lines worth ``total`` (nothing for an
        empty one): Esc on the sales screen, or an open receipt deleted in 6. Paragony.
        ``authorisation``: the manager who allowed a cashier without "void" to do it."""
        if line_count <= 0:
            return
        with self._db.atomic("IMMEDIATE"):
            self._db.execute_sql(
                "INSERT INTO receipt_void (created_utc, created_local, cashier_id, cashier_name, "
                "line_count, total, authorised_by_id, authorised_by_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    utc_text(now), local_text(now), cashier.id, cashier.name, line_count, total,
                    authorisation.user_id if authorisation else None,
                    authorisation.name if authorisation else None,
                ),
            )

    def voids(self, limit: int = 100) -> list[VoidRecord]:
        """The voided receipts logged, newest first."""
        rows = self._db.execute_sql(
            "SELECT created_local, cashier_name, line_count, total, authorised_by_id, authorised_by_name "
            "FROM receipt_void ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [VoidRecord(parse_time(row[0]), row[1], row[2], row[3], row[4], row[5]) for row in rows]

    def _next_number(self, doc_type: str) -> int:
        """The next number of ``doc_type`` (call inside the write transaction)."""
        row = self._db.cursor().execute(_NEXT_NUMBER, (doc_type,)).fetchone()
        return int(row[0])

    def invoice_period(self) -> str:
        """How invoice numbers restart: "monthly" (default) or "yearly".

        A device setting ("invoice_numbering", set locally) wins over the synced
        one of the same name; anything else counts as monthly.
        """
        value = self._settings.get_local(INVOICE_NUMBERING_KEY)
        if value is None:
            value = self._settings.get(INVOICE_NUMBERING_KEY, "monthly")
        return "yearly" if value == "yearly" else "monthly"

    def _next_invoice_number(self, series: str, terminal_id: int, now: datetime) -> str:
        """The next number of an invoice series for this till (inside the write transaction).

        One gapless counter per series, till and period, kept in ``number_sequence``
        under a key such as "FV/K3/2026-12"; a new month (or year) starts at 1.
        """
        local = parse_time(local_text(now))
        if self.invoice_period() == "yearly":
            key, period = f"{series}/K{terminal_id}/{local.year:04d}", f"{local.year:04d}"
        else:
            key = f"{series}/K{terminal_id}/{local.year:04d}-{local.month:02d}"
            period = f"{local.month:02d}/{local.year:04d}"
        count = self._next_number(key)
        return f"{series}/K{terminal_id}/{period}/{count:04d}"

    def _insert_document(
        self,
        doc_uuid: str,
        doc_type: str,
        number: int,
        kind: str,
        receipt: Receipt,
        buyer: Buyer | None,
        cashier: User,
        info: TerminalInfo,
        now: datetime,
        rates: dict[str, int | None],
    ) -> int:
        """Insert the document row (VAT at ``rates``, kept with it); return its id."""
        cursor = self._db.cursor()
        cursor.execute(
            _INSERT_DOCUMENT,
            (
                doc_uuid,
                doc_type,
                number,
                kind,
                utc_text(now),
                local_text(now),
                cashier.id,
                cashier.name,
                info.store_id,
                info.terminal_id,
                receipt.total,
                receipt.discount_total,
                _vat_json(receipt.vat_totals(rates)),
                buyer.nip if buyer else None,
                buyer.name if buyer else None,
                buyer.address if buyer else None,
                "pending",
                0,
                _receipt_extra(receipt, snapshot(rates, (line.vat_letter for line in receipt.lines))),
            ),
        )
        document_id = cursor.lastrowid
        if document_id is None:
            raise RuntimeError("SQLite returned no id for the inserted document")
        return document_id

    def _insert_lines(self, document_id: int, receipt: Receipt) -> None:
        """Copy every receipt line, so later catalogue changes never alter it."""
        self._db.cursor().executemany(
            _INSERT_LINE,
            [
                (
                    document_id,
                    position,
                    line.product_id,
                    line.plu,
                    line.name,
                    line.unit,
                    line.precision,
                    line.unit_price,
                    line.qty,
                    line.vat_letter,
                    line.gross,
                    line.line_discount,
                    line.receipt_discount_share,
                    line.value,
                )
                for position, line in enumerate(receipt.lines, start=1)
            ],
        )

    def _insert_payments(self, document_id: int, payments: Sequence[Payment]) -> None:
        """Store the tenders in the order they were taken."""
        self._db.cursor().executemany(
            _INSERT_PAYMENT,
            [
                (
                    document_id,
                    position,
                    payment.method,
                    payment.name,
                    payment.amount,
                    payment.change,
                )
                for position, payment in enumerate(payments, start=1)
            ],
        )

    def _record_sales(self, receipt: Receipt) -> None:
        """Count the sale for the "most sold" list (products known to the catalogue)."""
        params = [
            (line.product_id, line.qty) for line in receipt.lines if line.product_id is not None
        ]
        self._db.cursor().executemany(_RECORD_SALE, params)

    def raise_number_floor(self, doc_type: str, last_number: int) -> None:
        """Make the next number of ``doc_type`` at least ``last_number + 1``.

        Re-activation on a new disk returns the last numbers the back office
        accepted; numbering must go on from there, never repeat.
        """
        with self._db.atomic("IMMEDIATE"):
            self._db.execute_sql(
                "INSERT INTO number_sequence (doc_type, last_number) VALUES (?, ?) "
                "ON CONFLICT (doc_type) DO UPDATE SET "
                "last_number = max(last_number, excluded.last_number)",
                (doc_type, last_number),
            )

    def last_number(self, doc_type: str = DOC_RECEIPT) -> int:
        """The last number used for ``doc_type`` (0 before the first document)."""
        row = self._db.execute_sql(
            "SELECT last_number FROM number_sequence WHERE doc_type = ?", (doc_type,)
        ).fetchone()
        return 0 if row is None else int(row[0])

    # -- reading --------------------------------------------------------------

    def list_documents(self, limit: int = 200, offset: int = 0) -> list[DocumentSummary]:
        """Documents newest first, one page."""
        table = self._m.document
        query = table.select().order_by(table.id.desc()).limit(limit).offset(offset)
        return [
            DocumentSummary(
                uuid=row.uuid,
                number=row.number,
                doc_type=row.doc_type,
                kind=row.kind,
                created_local=parse_time(row.created_local),
                cashier_name=row.cashier_name,
                total=row.total,
                upload_state=row.upload_state,
                reject_reason=row.reject_reason,
            )
            for row in query
        ]

    def document_types(self, uuids: Iterable[str]) -> dict[str, str]:
        """uuid → document type of the given documents (those the ledger holds)."""
        wanted = list(dict.fromkeys(uuids))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):  # SQLite's bound-parameter limit
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self._db.execute_sql(f"SELECT uuid, doc_type FROM document WHERE uuid IN ({marks})", chunk)
            found.update(dict(rows.fetchall()))
        return found

    def get_document(self, doc_uuid: str) -> DocumentDetail:
        """A whole document by uuid; DomainError "err.document_not_found" if unknown."""
        row = self._m.document.get_or_none(self._m.document.uuid == doc_uuid)
        if row is None:
            raise DomainError("err.document_not_found", uuid=doc_uuid)
        return self._detail(row)

    def find_by_number(self, number: int, doc_type: str = DOC_RECEIPT) -> DocumentDetail | None:
        """A local document by its number (for returns by receipt code), or None."""
        table = self._m.document
        row = table.get_or_none((table.doc_type == doc_type) & (table.number == number))
        return None if row is None else self._detail(row)

    def _detail(self, row: DocumentRow) -> DocumentDetail:
        """Assemble a DocumentDetail from a document row and its lines and payments."""
        lines, payments = self._lines_and_payments([row.id])
        return self._detail_from(row, lines.get(row.id, ()), payments.get(row.id, ()))

    @staticmethod
    def _detail_from(
        row: DocumentRow,
        lines: Sequence[DocumentLine],
        payments: Sequence[DocumentPayment],
    ) -> DocumentDetail:
        """A DocumentDetail of a document row with its already loaded lines and payments."""
        buyer = None
        if row.buyer_nip:
            buyer = Buyer(row.buyer_nip, row.buyer_name or "", row.buyer_address or "")
        return DocumentDetail(
            uuid=row.uuid,
            doc_type=row.doc_type,
            number=row.number,
            kind=row.kind,
            created_utc=parse_time(row.created_utc),
            created_local=parse_time(row.created_local),
            cashier_id=row.cashier_id,
            cashier_name=row.cashier_name,
            store_id=row.store_id,
            terminal_id=row.terminal_id,
            total=row.total,
            discount_total=row.discount_total,
            vat=_vat_from_json(row.vat),
            buyer=buyer,
            lines=tuple(lines),
            payments=tuple(payments),
            upload_state=row.upload_state,
            upload_attempts=row.upload_attempts,
            reject_reason=row.reject_reason,
            extra=json.loads(row.extra) if row.extra else {},
            invoice_number=row.invoice_number,
        )

    # -- upload bookkeeping ---------------------------------------------------

    def pending_summary(self) -> tuple[int, datetime | None]:
        """How many documents are not yet accepted by the back office, and the oldest's UTC time."""
        count, oldest = self._db.execute_sql(
            "SELECT count(*), min(created_utc) FROM document WHERE upload_state != 'sent'"
        ).fetchone()
        return int(count), (parse_time(oldest) if oldest else None)

    def documents_to_upload(
        self, now: datetime, limit: int = 100, *, include_quarantined: bool = False
    ) -> list[DocumentDetail]:
        """Unsent documents due for an upload attempt, oldest first.

        Quarantined ones are retried after each sync (the back office may have
        released them), so the sync engine asks for them explicitly.
        """
        states = ("pending", "quarantined") if include_quarantined else ("pending",)
        table = self._m.document
        query = (
            table.select()
            .where(
                table.upload_state.in_(states)
                & (table.next_try_at.is_null() | (table.next_try_at <= utc_text(now)))
            )
            .order_by(table.id)
            .limit(limit)
        )
        return [self._detail(row) for row in query]

    def mark_sent(self, uuids: Iterable[str], now: datetime | None = None) -> int:
        """Record that the back office accepted (or already had) these documents."""
        sent_at = utc_text(now or datetime.now(UTC))
        table = self._m.document
        changed = 0
        with self._db.atomic("IMMEDIATE"):
            for chunk in _chunks(list(uuids)):
                changed += (
                    table.update(
                        upload_state="sent", sent_at=sent_at, reject_reason=None, next_try_at=None
                    )
                    .where(table.uuid.in_(chunk))
                    .execute()
                )
        return changed

    def mark_quarantined(self, doc_uuid: str, reason: str) -> None:
        """Record that the back office rejected a document (kept there in quarantine)."""
        table = self._m.document
        with self._db.atomic("IMMEDIATE"):
            table.update(
                upload_state="quarantined",
                reject_reason=reason,
                upload_attempts=table.upload_attempts + 1,
            ).where(table.uuid == doc_uuid).execute()

    def mark_retry(self, uuids: Iterable[str], next_try_at: datetime) -> None:
        """Count a failed upload attempt and set when to try these documents again."""
        table = self._m.document
        with self._db.atomic("IMMEDIATE"):
            for chunk in _chunks(list(uuids)):
                table.update(
                    upload_attempts=table.upload_attempts + 1, next_try_at=utc_text(next_try_at)
                ).where(table.uuid.in_(chunk) & (table.upload_state != "sent")).execute()


    def upload_queue(
        self, now: datetime | None = None, *, include_quarantined: bool = False
    ) -> list[QueuedDocument]:
        """Every unsent document to offer the back office, oldest first (light rows).

        With ``now``, only documents whose ``next_try_at`` has passed (the
        background upload respects the backoff); without it, all of them (the
        cashier asked to send now). Quarantined documents come too when asked:
        the back office may have released them, and a retry costs it nothing.
        """
        states = ("pending", "quarantined") if include_quarantined else ("pending",)
        sql = (
            "SELECT uuid, doc_type, number, upload_state, upload_attempts, reject_reason "
            "FROM document "
            f"WHERE upload_state IN ({', '.join('?' for _ in states)})"
        )
        params: list[object] = list(states)
        if now is not None:
            sql += " AND (next_try_at IS NULL OR next_try_at <= ?)"
            params.append(utc_text(now))
        rows = self._db.execute_sql(sql + " ORDER BY id", params).fetchall()
        return [QueuedDocument(*row) for row in rows]

    def documents_for_upload(self, uuids: Sequence[str]) -> list[DocumentDetail]:
        """The whole documents named by ``uuids``, in that order (unknown ones skipped).

        Three queries per chunk instead of three per document: draining a backlog
        of thousands of sales must not be dominated by reading them back.
        """
        details: dict[str, DocumentDetail] = {}
        for chunk in _chunks(list(uuids)):
            rows = list(self._m.document.select().where(self._m.document.uuid.in_(chunk)))
            lines, payments = self._lines_and_payments([row.id for row in rows])
            for row in rows:
                details[row.uuid] = self._detail_from(
                    row, lines.get(row.id, ()), payments.get(row.id, ())
                )
        return [details[doc_uuid] for doc_uuid in uuids if doc_uuid in details]

    def _lines_and_payments(
        self, document_ids: list[int]
    ) -> tuple[dict[int, list[DocumentLine]], dict[int, list[DocumentPayment]]]:
        """Lines and payments of several documents, grouped by document id, in order."""
        line_table = self._m.document_line
        pay_table = self._m.document_payment
        lines: dict[int, list[DocumentLine]] = {}
        payments: dict[int, list[DocumentPayment]] = {}
        if not document_ids:
            return lines, payments
        for line in (
            line_table.select()
            .where(line_table.document_id.in_(document_ids))
            .order_by(line_table.document_id, line_table.position)
        ):
            lines.setdefault(line.document_id, []).append(_line_record(line))
        for pay in (
            pay_table.select()
            .where(pay_table.document_id.in_(document_ids))
            .order_by(pay_table.document_id, pay_table.position)
        ):
            payments.setdefault(pay.document_id, []).append(
                DocumentPayment(pay.method, pay.name, pay.amount, pay.change)
            )
        return lines, payments

    def apply_upload_results(
        self,
        sent: Iterable[str],
        rejected: Iterable[tuple[str, str]],
        now: datetime,
    ) -> None:
        """Record one batch's answers in ONE transaction: ``sent`` uuids (accepted or
        duplicate) and ``rejected`` (uuid, reason) pairs, which become quarantined.

        A quarantined document loses any ``next_try_at``: it is retried when the
        sync engine asks for quarantined documents, not on the backoff clock.
        """
        sent_at = utc_text(now)
        table = self._m.document
        with self._db.atomic("IMMEDIATE"):
            for chunk in _chunks(list(sent)):
                table.update(
                    upload_state="sent", sent_at=sent_at, reject_reason=None, next_try_at=None
                ).where(table.uuid.in_(chunk)).execute()
            for doc_uuid, reason in rejected:
                table.update(
                    upload_state="quarantined",
                    reject_reason=reason,
                    next_try_at=None,
                    upload_attempts=table.upload_attempts + 1,
                ).where((table.uuid == doc_uuid) & (table.upload_state != "sent")).execute()

    def record_upload_conflict(self, doc_uuid: str, remote: dict[str, Any],
                               now: datetime) -> None:
        """Keep what the back office holds under ``doc_uuid`` (its "uuid_conflict"
        answer's summary) to show next to the till's own version."""
        with self._db.atomic("IMMEDIATE"):
            self._db.execute_sql(
                "INSERT OR REPLACE INTO upload_conflict (document_uuid, remote, seen_utc) "
                "VALUES (?, ?, ?)", (doc_uuid, json.dumps(remote, ensure_ascii=False),
                                     utc_text(now)))

    def upload_conflicts(self, uuids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The back office's versions recorded for these documents (uuid -> summary)."""
        found: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(list(uuids)):
            rows = self._db.execute_sql(
                "SELECT document_uuid, remote FROM upload_conflict WHERE document_uuid IN "
                f"({', '.join('?' for _ in chunk)})", chunk).fetchall()
            for doc_uuid, remote in rows:
                try:
                    found[doc_uuid] = json.loads(remote)
                except ValueError:
                    continue
        return found

    def upload_paused_until(self) -> datetime | None:
        """The latest ``next_try_at`` of the pending documents (None if none is set).

        Backoff belongs to the link, not to one document: while it lies in the
        future the background upload waits, also for sales made after the failure.
        """
        row = self._db.execute_sql(
            "SELECT max(next_try_at) FROM document WHERE upload_state = 'pending'"
        ).fetchone()
        return parse_time(row[0]) if row and row[0] else None


@dataclass(frozen=True)
class DocumentDraft:
    """A document other than a sale, ready to be numbered and stored.

    ``lines`` are stored as given (a return copies the original's values, scaled to
    the quantity given back); their ``position`` is renumbered from 1.
    """

    doc_type: str
    kind: str
    total: int
    vat: dict[str, VatTotal] = field(default_factory=dict)
    lines: tuple[DocumentLine, ...] = ()
    payments: tuple[DocumentPayment, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    discount_total: int = 0
    #: The buyer named on the document (an invoice for a receipt, a correcting invoice).
    buyer: Buyer | None = None
    #: An invoice series ("FV", "FK") whose next number the document takes, if any.
    invoice_series: str | None = None


@dataclass(frozen=True)
class VoidRecord:
    """One voided receipt of the void log: who voided what, and who authorised it."""

    created_local: datetime
    cashier_name: str
    line_count: int
    total: int
    authorised_by_id: int | None = None
    authorised_by_name: str | None = None


@dataclass(frozen=True)
class QueuedDocument:
    """An unsent document as the upload queue lists it (without lines or payments)."""

    uuid: str
    doc_type: str
    number: int
    upload_state: UploadState
    upload_attempts: int
    #: Why it is quarantined (the back office's reason, or the till's own "held:…").
    reject_reason: str | None = None


def _line_record(line: DocumentLineRow) -> DocumentLine:
    """The frozen record of a stored line row."""
    return DocumentLine(
        position=line.position,
        product_id=line.product_id,
        plu=line.plu,
        name=line.name,
        unit=line.unit,
        precision=line.precision,
        unit_price=line.unit_price,
        qty=line.qty,
        vat_letter=line.vat_letter,
        gross=line.gross,
        line_discount=line.line_discount,
        receipt_discount=line.receipt_discount,
        value=line.value,
        original_line=line.original_line,
    )


def _chunks(items: list[str]) -> Iterable[list[str]]:
    """``items`` in slices of at most ``_CHUNK``."""
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
