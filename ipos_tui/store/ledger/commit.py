"""Storing a document: a sale (``commit_receipt``) or any other document
(``commit_document``), each in ONE ``BEGIN IMMEDIATE`` transaction with its number."""

from __future__ import annotations

import json
import uuid as uuid_module
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from ipos_tui.domain.authorisation import EXTRA_KEY, records
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.receipt import Payment, Receipt
from ipos_tui.domain.records import (
    DOC_SALE_INVOICE,
    DOCUMENT_KINDS,
    KINDS_WITH_BUYER,
    SALE_TYPES,
    Buyer,
    DocumentKind,
    DocumentLine,
    DocumentPayment,
    StoredDocument,
    TerminalInfo,
    User,
)
from ipos_tui.domain.validation import validate_nip
from ipos_tui.domain.vat import VatTotal
from ipos_tui.store.ledger.fiscal_day import DOC_RECEIPT, FiscalDay
from ipos_tui.store.ledger.numbering import INVOICE_SERIES, Numbering
from ipos_tui.store.ledger.statements import (
    INSERT_DOCUMENT,
    INSERT_DRAFT,
    INSERT_DRAFT_LINE,
    INSERT_LINE,
    INSERT_PAYMENT,
    RECORD_SALE,
    vat_json,
)
from ipos_tui.store.rows import line_item_values
from ipos_tui.store.timeutil import local_text, parse_time, to_utc, utc_text
from ipos_tui.store.vat_table import RATES_KEY, effective_rates, snapshot


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


class Committing(Numbering, FiscalDay):
    """Commits sales and other documents."""

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
        self._guard_numbers()
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
                INSERT_DRAFT,
                (
                    doc_uuid, draft.doc_type, number, draft.kind, utc_text(now), local_text(now),
                    cashier.id, cashier.name, info.store_id, info.terminal_id, draft.total,
                    draft.discount_total, vat_json(draft.vat),
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
                INSERT_DRAFT_LINE,
                [
                    (
                        document_id, position, *line_item_values(line), line.gross,
                        line.line_discount, line.receipt_discount, line.value, line.original_line,
                    )
                    for position, line in enumerate(draft.lines, start=1)
                ],
            )
            cursor.executemany(
                INSERT_PAYMENT,
                [
                    (document_id, position, pay.method, pay.name, pay.amount, pay.change)
                    for position, pay in enumerate(draft.payments, start=1)
                ],
            )
        self._guard_numbers()
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
            INSERT_DOCUMENT,
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
                vat_json(receipt.vat_totals(rates)),
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
            INSERT_LINE,
            [
                (
                    document_id,
                    position,
                    *line_item_values(line),
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
            INSERT_PAYMENT,
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
        self._db.cursor().executemany(RECORD_SALE, params)
