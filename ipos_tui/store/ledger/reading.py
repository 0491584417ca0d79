"""Reading the ledger back: document pages, one document by uuid or number."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.records import (
    Buyer,
    DocumentDetail,
    DocumentLine,
    DocumentPayment,
    DocumentSummary,
    cash_purpose,
)
from ipos_tui.store.ledger.base import LedgerBase
from ipos_tui.store.ledger.fiscal_day import DOC_RECEIPT
from ipos_tui.store.ledger.statements import vat_from_json
from ipos_tui.store.models import DocumentLineRow, DocumentRow
from ipos_tui.store.rows import line_item_fields
from ipos_tui.store.timeutil import parse_time


class Reading(LedgerBase):
    """Lists and reads stored documents."""

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
                purpose=cash_purpose(row.extra),
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
            vat=vat_from_json(row.vat),
            buyer=buyer,
            lines=tuple(lines),
            payments=tuple(payments),
            upload_state=row.upload_state,
            upload_attempts=row.upload_attempts,
            reject_reason=row.reject_reason,
            extra=json.loads(row.extra) if row.extra else {},
            invoice_number=row.invoice_number,
        )

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
            lines.setdefault(line.document_id, []).append(line_record(line))
        for pay in (
            pay_table.select()
            .where(pay_table.document_id.in_(document_ids))
            .order_by(pay_table.document_id, pay_table.position)
        ):
            payments.setdefault(pay.document_id, []).append(
                DocumentPayment(pay.method, pay.name, pay.amount, pay.change)
            )
        return lines, payments


def line_record(line: DocumentLineRow) -> DocumentLine:
    """The frozen record of a stored line row."""
    return DocumentLine(
        position=line.position,
        **line_item_fields(line),
        gross=line.gross,
        line_discount=line.line_discount,
        receipt_discount=line.receipt_discount,
        value=line.value,
        original_line=line.original_line,
    )
