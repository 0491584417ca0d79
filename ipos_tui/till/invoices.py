"""Invoices besides the sale itself: "Faktura do paragonu" and the correcting invoice.

**Faktura do paragonu** (an invoice for an earlier receipt). Polish rules:

* since 2020 an invoice for a sale documented by a fiscal receipt may be issued to
  a taxpayer only when the receipt carried the buyer's NIP (art. 106b ust. 5 ustawy
  o VAT), and the invoice names the same NIP (the till takes it from the receipt:
  only a "Paragon z NIP" qualifies);
* the buyer must ask within 3 months from the end of the month of the sale (art.
  106b ust. 3 pkt 1); the invoice is then due by the 15th day of the month after the
  sale when asked within the month of the sale, or within 15 days of the request
  when asked later (art. 106i ust. 6). The till issues it at the moment it is
  asked for, so both deadlines are met by issuing at once, and the rule it enforces
  is the request window: **up to the last day of the third month after the month of
  the sale** (:func:`invoice_deadline`);
* one invoice per receipt. A receipt partly returned at this till before the buyer
  asks gets an invoice for what the buyer kept (the sale as it stands: each line less
  the quantity and value its returns took back, the payments less the refunds, VAT
  computed again at the receipt's rates); a fully returned receipt gets none.

It is a document of its own type ("invoice", its own gapless running number like
every document type), with the next number of the till's invoice series ("FV/…",
the same counter as the invoices issued at a sale), its own copy of the receipt's
lines, VAT and payments, and the receipt it documents in ``extra["receipt"]``. It is
NOT a sale: daily, monthly and periodic reports, the drawer and the statistics count
receipts and returns only, so the receipt's sale is never counted twice. It is
printed as a non-fiscal printout (journal kind "invoice") and uploaded.

**Faktura korygująca** (correcting invoice). A return against a receipt that was
invoiced (a Faktura sold at the till, or a receipt with a "Faktura do paragonu")
is stored as the return it is, and takes the next number of the correction series
("FK/…", numbered like invoices) in the same transaction. Its ``extra["correction"]``
keeps what the printout needs and the return alone cannot tell: the corrected
invoice's number and dates, the reason, and, per corrected line and per VAT rate,
the values before this correction. The printout (journal kind "invoice_correction")
shows before / after / difference per line and per rate (net, VAT, gross).
"""

from __future__ import annotations

import calendar
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

from peewee import IntegrityError

from ipos_tui.devices.invoice_printout import render_correction, render_invoice
from ipos_tui.devices.printer import FiscalPrinter, JournalEntry
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import round_half_up
from ipos_tui.domain.quantity import QTY_SCALE
from ipos_tui.domain.receipt_code import parse_receipt_code
from ipos_tui.domain.vat import VAT_RATES, VatTotal, vat_from_gross, vat_totals
from ipos_tui.store.document_returns import refunds, returned_lines
from ipos_tui.store.ledger import DocumentDraft
from ipos_tui.domain.records import (
    Buyer,
    DocumentDetail,
    DocumentLine,
    DocumentPayment,
    StoredDocument,
    User,
)
from ipos_tui.store.timeutil import parse_time
from ipos_tui.store.vat_table import RATES_KEY, document_rates

if TYPE_CHECKING:
    from ipos_tui.store.db import Terminal

#: The ledger's document type of an invoice issued for an earlier receipt.
DOC_INVOICE: Final = "invoice"
#: The series of correcting invoices (numbered like "FV": per till, per month or year).
CORRECTION_SERIES: Final = "FK"
#: Why a return corrects an invoice, as printed on the correcting invoice (always in
#: Polish, the document's language), by the code the cashier picks.
CORRECTION_REASONS: Final = {
    "return": "Zwrot towaru",
    "complaint": "Reklamacja towaru",
    "mistake": "Pomyłka przy sprzedaży",
}
#: The reason when none is chosen (a plain return of goods).
CORRECTION_REASON: Final = CORRECTION_REASONS["return"]
INVOICE_TITLE: Final = "FAKTURA"
CORRECTION_TITLE: Final = "FAKTURA KORYGUJĄCA"
#: Months after the month of the sale in which a buyer may still ask (art. 106b ust. 3).
REQUEST_MONTHS: Final = 3

_INVOICE_OF_RECEIPT: Final = (
    "SELECT uuid FROM document WHERE doc_type = 'invoice' "
    "AND json_extract(extra, '$.receipt.terminal_id') = ? "
    "AND json_extract(extra, '$.receipt.number') = ?"
)


def invoice_deadline(sale_day: date) -> date:
    """The last day an invoice may be issued for a receipt of ``sale_day``: the end
    of the third month after the month of the sale (see the module doc)."""
    month_index = sale_day.year * 12 + sale_day.month - 1 + REQUEST_MONTHS
    year, month = divmod(month_index, 12)
    return date(year, month + 1, calendar.monthrange(year, month + 1)[1])


@dataclass(frozen=True)
class InvoiceRef:
    """The invoice a return corrects: its number, when it was issued, the sale's day
    and the buyer it names."""

    number: str
    issued: datetime
    sale: datetime
    buyer: Buyer | None


class InvoiceService:
    """Issues and prints invoices for earlier receipts; prints correcting invoices."""

    def __init__(self, terminal: Terminal, printer: FiscalPrinter) -> None:
        self._terminal = terminal
        self._printer = printer

    # -- finding -------------------------------------------------------------------

    def invoice_of_receipt(self, terminal_id: int, number: int) -> DocumentDetail | None:
        """The "Faktura do paragonu" issued for a receipt, or None."""
        row = self._terminal.db.execute_sql(_INVOICE_OF_RECEIPT, (terminal_id, number)).fetchone()
        return None if row is None else self._terminal.ledger.get_document(row[0])

    def invoice_ref(self, receipt: DocumentDetail) -> InvoiceRef | None:
        """The invoice documenting ``receipt`` (itself when it was a Faktura), or None."""
        if receipt.invoice_number:
            return InvoiceRef(receipt.invoice_number, receipt.created_local, receipt.created_local,
                              receipt.buyer)
        invoice = self.invoice_of_receipt(receipt.terminal_id, receipt.number)
        if invoice is None or not invoice.invoice_number:
            return None
        return InvoiceRef(invoice.invoice_number, invoice.created_local, receipt.created_local,
                          invoice.buyer)

    def find_receipt(self, text: str, now: datetime) -> DocumentDetail:
        """The receipt of this till named by ``text`` (a receipt code) if an invoice may
        be issued for it now. Raises DomainError "ret.err.code_invalid",
        "invoices2.err.not_found", "invoices2.err.not_nip", "invoices2.err.is_invoice",
        "invoices2.err.has_invoice", "invoices2.err.returned", "invoices2.err.too_late",
        "err.terminal_not_activated"."""
        info = self._terminal.settings.terminal_info()
        if info is None:
            raise DomainError("err.terminal_not_activated")
        code = parse_receipt_code(text, info.terminal_id)
        if code.terminal_id != info.terminal_id:
            # another till's receipt: its invoice is issued where it was sold
            raise DomainError("invoices2.err.other_till", code=code.text)
        receipt = self._terminal.ledger.find_by_number(code.number, code.doc_type)
        if receipt is None:
            raise DomainError("invoices2.err.not_found", code=code.text)
        self.check_receipt(receipt, now)
        return receipt

    def check_receipt(self, receipt: DocumentDetail, now: datetime) -> None:
        """Refuse a receipt no invoice may be issued for now (see :meth:`find_receipt`)."""
        code = receipt.code
        if receipt.kind == "faktura":
            raise DomainError("invoices2.err.is_invoice", code=code, number=receipt.invoice_number or "")
        if receipt.kind != "paragon_nip" or receipt.buyer is None:
            raise DomainError("invoices2.err.not_nip", code=code)
        existing = self.invoice_of_receipt(receipt.terminal_id, receipt.number)
        if existing is not None:
            raise DomainError("invoices2.err.has_invoice", code=code, number=existing.invoice_number or "")
        if not self.kept(receipt).lines:
            # everything came back: there is no sale left to invoice
            raise DomainError("invoices2.err.returned", code=code)
        deadline = invoice_deadline(receipt.created_local.date())
        if _local_day(now) > deadline:
            raise DomainError("invoices2.err.too_late", code=code, deadline=deadline.isoformat())

    def kept(self, receipt: DocumentDetail) -> Kept:
        """What the buyer kept of ``receipt``: its lines less this till's returns of
        it (quantity and the value each return refunded), its payments less the
        refunds, and the returns taken into account."""
        db, key = self._terminal.db, (receipt.terminal_id, receipt.number)
        taken: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        returns: set[str] = set()
        for row in returned_lines(db, *key):
            returns.add(row.uuid)
            if row.original_line is not None:
                taken[row.original_line][0] += row.qty
                taken[row.original_line][1] += row.value
        paid_back = [(refund.method, refund.amount) for refund in refunds(db, *key)]
        return kept_part(receipt, taken, paid_back, frozenset(returns))

    # -- issuing -------------------------------------------------------------------

    def issue_for_receipt(
        self, receipt: DocumentDetail, name: str, address: str, *, cashier: User, now: datetime
    ) -> StoredDocument:
        """Store the invoice for ``receipt`` with the next invoice number; the buyer's
        NIP is the receipt's, ``name`` and ``address`` are asked of the buyer.

        Raises what :meth:`check_receipt` raises (checked again inside the write
        transaction, so two tills or two screens cannot both invoice one receipt) and
        "err.buyer_details_required"."""
        name, address = " ".join(name.split()), " ".join(address.split())
        if not (name and address) or receipt.buyer is None:
            raise DomainError("err.buyer_details_required")
        buyer = Buyer(receipt.buyer.nip, name, address)
        kept = self.kept(receipt)
        rates = document_rates(receipt.extra)  # the receipt's rates
        draft = DocumentDraft(
            doc_type=DOC_INVOICE,
            kind="faktura",
            total=sum(line.value for line in kept.lines),
            # untouched, the receipt's own VAT; after a return, computed again
            vat=dict(receipt.vat) if not kept.returns else vat_totals(
                ((line.vat_letter, line.value) for line in kept.lines), rates),
            lines=kept.lines,
            payments=kept.payments,
            extra={
                "receipt": {
                    "terminal_id": receipt.terminal_id,
                    "number": receipt.number,
                    "uuid": receipt.uuid,
                    "created_local": receipt.created_local.isoformat(),
                    **({"returns": sorted(kept.returns)} if kept.returns else {}),
                },
                RATES_KEY: rates,
            },
            discount_total=sum(line.discount for line in kept.lines),
            buyer=buyer,
            invoice_series="FV",
        )
        try:
            return self._terminal.ledger.commit_document(
                draft, cashier=cashier, now=now, check=lambda: self._still_valid(receipt, kept, now)
            )
        except (IntegrityError, sqlite3.IntegrityError) as error:  # the unique index: invoiced meanwhile
            raise DomainError("invoices2.err.has_invoice", code=receipt.code, number="") from error

    def _still_valid(self, receipt: DocumentDetail, kept: Kept, now: datetime) -> None:
        """Inside the write transaction: the receipt may still be invoiced, and no
        return of it came in since ``kept`` was read."""
        self.check_receipt(receipt, now)
        if self.kept(receipt).returns != kept.returns:
            raise DomainError("ret.err.changed", code=receipt.code)

    # -- printing ------------------------------------------------------------------

    def print_invoice(self, doc_uuid: str, now: datetime) -> JournalEntry:
        """Print a stored "Faktura do paragonu" (non-fiscal, journal kind "invoice")."""
        detail = self._terminal.ledger.get_document(doc_uuid)
        return self._printer.print_nonfiscal(
            "invoice", INVOICE_TITLE, render_invoice(detail, self._terminal.settings.company()), now,
            document_uuid=detail.uuid, document_number=detail.number,
        )

    def print_correction(self, doc_uuid: str, now: datetime) -> JournalEntry | None:
        """Print the correcting invoice of a stored return (journal kind
        "invoice_correction"); None when the return corrected no invoice."""
        detail = self._terminal.ledger.get_document(doc_uuid)
        if not detail.invoice_number or "correction" not in detail.extra:
            return None
        return self._printer.print_nonfiscal(
            "invoice_correction", CORRECTION_TITLE,
            render_correction(detail, self._terminal.settings.company()), now,
            document_uuid=detail.uuid, document_number=detail.number,
        )


@dataclass(frozen=True)
class Kept:
    """What a buyer kept of a receipt (see :meth:`InvoiceService.kept`)."""

    lines: tuple[DocumentLine, ...]
    payments: tuple[DocumentPayment, ...]
    returns: frozenset[str]


def kept_part(
    receipt: DocumentDetail,
    taken: Mapping[int, Sequence[int]],
    refunds: Iterable[tuple[str, int]],
    returns: frozenset[str] = frozenset(),
) -> Kept:
    """``receipt`` less what returns took back: ``taken`` maps an original line index
    to [milli-units, grosze] returned; ``refunds`` are (method, amount) paid back.
    A line fully returned is left out; a partly returned one keeps its unit price,
    its remaining quantity and value, and its discount as gross less value. A refund
    comes off the payment of its method, else off the last payments."""
    lines = []
    for index, line in enumerate(receipt.lines):
        qty, value = taken.get(index, (0, 0))
        if not qty and not value:
            lines.append(line)
            continue
        left_qty, left_value = line.qty - qty, line.value - value
        if left_qty <= 0:
            continue
        gross = max(left_value, round_half_up(line.unit_price * left_qty, QTY_SCALE))
        lines.append(replace(line, qty=left_qty, gross=gross, value=left_value,
                             line_discount=gross - left_value, receipt_discount=0))
    paid = [[p, p.amount - p.change] for p in receipt.payments]
    for method, amount in refunds:
        order = [entry for entry in paid if entry[0].method == method] + \
            [entry for entry in reversed(paid) if entry[0].method != method]
        for entry in order:
            off = min(amount, entry[1])
            entry[1] -= off
            amount -= off
    payments = tuple(replace(p, amount=left, change=0) for p, left in paid if left > 0)
    return Kept(tuple(lines), payments if returns else tuple(receipt.payments), returns)


def _local_day(moment: datetime) -> date:
    from ipos_tui.store.timeutil import local_text

    return parse_time(local_text(moment)).date()


# -- the correction's record (built with the return) -------------------------------


def correction_record(
    invoice: InvoiceRef,
    originals: Mapping[int, tuple[DocumentLine, int]],
    original_vat: Mapping[str, VatTotal],
    returned_lines: Iterable[DocumentLine],
    rates: Mapping[str, int | None] = VAT_RATES,
    reason: str = CORRECTION_REASON,
) -> dict[str, Any]:
    """What a correcting invoice stores besides the return: the invoice corrected and
    the values before this correction.

    ``originals``: original line index → (the original line, milli-units returned
    before this return). Per line "before" is the sold quantity and value less the
    earlier returns (value as the return flow scales it, so the figures telescope);
    per rate, the gross before is the sum of every original line's value before; its
    VAT is the original invoice's own when nothing was returned yet, else computed
    from that gross at the letter's rate.
    """
    picked = {line.original_line for line in returned_lines}
    lines = []
    for index in sorted(i for i in picked if i is not None):
        line, returned = originals[index]
        lines.append({
            "index": index, "name": line.name, "unit": line.unit, "precision": line.precision,
            "unit_price": line.unit_price, "letter": line.vat_letter,
            "qty_before": line.qty - returned,
            "value_before": line.value - round_half_up(line.value * returned, line.qty),
        })
    gross_before: dict[str, int] = defaultdict(int)
    earlier = False
    for line, returned in originals.values():
        gross_before[line.vat_letter] += line.value - round_half_up(line.value * returned, line.qty)
        earlier = earlier or returned > 0
    per_rate = {}
    for letter, gross in sorted(gross_before.items()):
        if not earlier and letter in original_vat:
            vat = original_vat[letter].vat
        else:
            vat = vat_from_gross(gross, rates.get(letter))
        per_rate[letter] = {"gross_before": gross, "vat_before": vat}
    return {
        "invoice_number": invoice.number,
        "invoice_date": invoice.issued.isoformat(),
        "sale_date": invoice.sale.isoformat(),
        "reason": reason,
        "lines": lines,
        "rates": per_rate,
    }


__all__ = [
    "CORRECTION_REASON",
    "CORRECTION_REASONS",
    "CORRECTION_SERIES",
    "CORRECTION_TITLE",
    "DOC_INVOICE",
    "INVOICE_TITLE",
    "InvoiceRef",
    "InvoiceService",
    "correction_record",
    "invoice_deadline",
]
