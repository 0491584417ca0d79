"""Returns ("zwrot"): goods taken back against the receipt they were sold on.

The cashier gives the receipt code (typed or scanned, see
:mod:`ipos_tui.domain.receipt_code`). A receipt of this till is read from the
ledger; one of another till of the store is asked of the back office, through a
:data:`~ipos_tui.domain.receipt_lookup.RemoteLookup` the caller supplies (the sync
layer builds one over HTTP: :func:`ipos_tui.sync.receipts.receipt_lookup`).

"Never more than sold, over all returns": what was already returned of each line
is the back office's figure (returns uploaded by any till) plus this till's own
returns the back office did not have when it answered. Which of ours it had is
decided by the upload state read BEFORE asking it: a return marked sent by then was
accepted before the question, so it is in the figure; one marked later may be
counted twice, which only ever refuses too much, never allows too much. The commit
re-reads this till's returns inside the ledger's write transaction, so two returns
cannot both take the last piece.

Money: the refund of a partial quantity of a line is the line's value scaled by
quantity with the cumulative quantity, ``f(c) = round_half_up(value × c / sold)``,
and a return of ``q`` after ``r`` already returned gets ``f(r + q) − f(r)``. Over
any sequence of returns these telescope to exactly the line's value: never more,
and the last piece takes the remainder. The back office re-checks each line as
``value == round_half_up(unit_price × qty / 1000) − discount``, so the line carries
the difference as its (proportional) discount.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Final

from ipos_tui.devices import paper
from ipos_tui.devices.card_app import CardApp
from ipos_tui.devices.paper import PRINT_WIDTH
from ipos_tui.devices.printer import FiscalPrinter, JournalEntry
from ipos_tui.domain.authorisation import (
    Authorisation,
    authorisations_of,
    printout_lines,
    with_authorisation,
)
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import round_half_up
from ipos_tui.domain.quantity import QTY_SCALE, format_quantity
from ipos_tui.domain.receipt_code import ReceiptCode, parse_receipt_code
from ipos_tui.domain.receipt_lookup import RemoteLookup, RemoteReceipt
from ipos_tui.domain.vat import VatTotal, letter_label, vat_totals
from ipos_tui.till.invoices import (
    CORRECTION_REASON,
    CORRECTION_REASONS,
    CORRECTION_SERIES,
    InvoiceRef,
    InvoiceService,
    correction_record,
)
from ipos_tui.store.document_returns import refunds, returned_lines
from ipos_tui.store.ledger import DocumentDraft
from ipos_tui.domain.records import (
    PERM_RETURNS,
    DocumentDetail,
    DocumentLine,
    DocumentPayment,
    PaymentMethod,
    StoredDocument,
    User,
    document_number_text,
)
from ipos_tui.store.vat_table import (
    RATES_KEY,
    document_rates,
    effective_rates,
    snapshot,
)

if TYPE_CHECKING:
    from ipos_tui.store.db import Terminal

DOC_RETURN: Final = "return"
#: The ledger's ``kind`` of a return document.
RETURN_KIND: Final = "zwrot"
#: Payment kinds a refund may go to: cash, or back to the card that paid.
REFUND_KINDS: Final = ("cash", "card")

@dataclass(frozen=True)
class ReturnLine:
    """One line of the original receipt with how much of it can still come back."""

    index: int
    line: DocumentLine
    returned: int

    @property
    def returnable(self) -> int:
        """Milli-units still returnable (sold minus every return so far)."""
        return max(0, self.line.qty - self.returned)


@dataclass(frozen=True)
class ReturnSource:
    """The original receipt of a return and everything the return is checked against."""

    code: ReceiptCode
    store_id: int
    created_local: datetime
    total: int
    lines: tuple[ReturnLine, ...]
    payments: tuple[DocumentPayment, ...]
    #: paid by card on the original (amount − change of card-kind tenders)
    card_paid: int
    #: already refunded to a card: by the returns the back office holds (any till)
    #: plus this till's returns it does not hold yet
    card_refunded: int
    #: found in the back office (a receipt of another till)
    remote: bool
    #: the back office's returns are included (False: offline, this till's only)
    remote_checked: bool
    #: the back office's figure per line, kept for the re-check at commit
    remote_returned: Mapping[int, int] = field(default_factory=dict)
    #: this till's returns the back office's figure already contains
    counted_remotely: frozenset[str] = frozenset()
    #: the back office's card refunds of it, kept for the re-check at commit
    remote_card_refunded: int = 0
    #: the VAT rates the original was sold at (its snapshot; None: a receipt of the
    #: back office, whose answer has no rates: the till's rates in force are used)
    rates: Mapping[str, int | None] | None = None
    #: the invoice documenting the original (a Faktura, or a "Faktura do paragonu"):
    #: a return of it makes a correcting invoice
    invoice: InvoiceRef | None = None
    #: the original's VAT per letter (the "before" of a first correction)
    original_vat: Mapping[str, VatTotal] = field(default_factory=dict)

    @property
    def card_limit(self) -> int:
        """How much may still go back to the card."""
        return max(0, self.card_paid - self.card_refunded)

    @property
    def fully_returned(self) -> bool:
        """Nothing left to return."""
        return all(line.returnable == 0 for line in self.lines)


def require_permission(cashier: User, authorisation: Authorisation | None = None) -> None:
    """Returns need the "returns" permission, the cashier's own or a manager's who
    authorised this return (``authorisation``); DomainError "ret.err.no_permission"."""
    if cashier.can(PERM_RETURNS):
        return
    if authorisation is not None and authorisation.permission == PERM_RETURNS:
        return
    raise DomainError("ret.err.no_permission", name=cashier.name)


def refund_value(line: DocumentLine, already: int, qty: int) -> int:
    """Grosze refunded for ``qty`` of ``line`` after ``already`` was returned.

    ``f(already + qty) − f(already)`` with ``f(c) = round_half_up(value × c / sold)``,
    capped at the gross of ``qty`` (the back office wants a non-negative discount).
    """
    def scaled(count: int) -> int:
        return round_half_up(line.value * count, line.qty)

    share = scaled(already + qty) - scaled(already)
    return max(0, min(share, round_half_up(line.unit_price * qty, QTY_SCALE)))


class ReturnService:
    """Finds the original of a return, builds the return and commits it."""

    def __init__(
        self,
        terminal: Terminal,
        printer: FiscalPrinter,
        card_app: CardApp,
        invoices: InvoiceService,
        lookup: RemoteLookup | None = None,
    ) -> None:
        """``lookup`` finds receipts of other tills (through the back office); without
        it only this till's receipts can be returned."""
        self._terminal = terminal
        self._printer = printer
        self._card_app = card_app
        self._invoices = invoices
        self._lookup = lookup

    def with_lookup(self, lookup: RemoteLookup | None) -> ReturnService:
        """The same service (same devices) finding other tills' receipts through ``lookup``."""
        return ReturnService(self._terminal, self._printer, self._card_app, self._invoices, lookup)

    # -- finding the original ------------------------------------------------------

    def find(self, text: str, cashier: User, authorisation: Authorisation | None = None) -> ReturnSource:
        """The original receipt named by ``text`` (a receipt code as typed or scanned);
        ``authorisation``: the manager who allowed a cashier without "returns".

        Raises DomainError "ret.err.no_permission", "ret.err.code_invalid",
        "ret.err.not_found", "ret.err.offline" (a receipt of another till needs the
        back office), "ret.err.other_store", "err.terminal_not_activated".
        """
        require_permission(cashier, authorisation)
        info = self._terminal.settings.terminal_info()
        if info is None:
            raise DomainError("err.terminal_not_activated")
        code = parse_receipt_code(text, info.terminal_id)
        counted = self._sent_returns(code)  # read before asking: see the module doc
        if code.terminal_id == info.terminal_id:
            local = self._local_source(code, counted)
            if local is not None:
                return local
            if self._lookup is None:
                raise DomainError("ret.err.not_found", code=code.text)
            # a till re-activated on a new disk: its older receipts live in the back office
            remote = self._own_from_back_office(code)
        elif self._lookup is None:
            raise DomainError("ret.err.offline", code=code.text)
        else:
            remote = self._lookup(code)
        if remote.store_id != info.store_id:
            raise DomainError("ret.err.other_store", code=code.text)
        invoice = None
        if remote.invoice_number:
            invoice = InvoiceRef(remote.invoice_number, remote.created_local, remote.created_local, remote.buyer)
        elif remote.later_invoice is not None:
            number, issued, buyer = remote.later_invoice
            invoice = InvoiceRef(number, issued, remote.created_local, buyer)
        return self._source(
            code, remote.store_id, remote.created_local, remote.lines, remote.payments,
            remote=True, remote_checked=True, remote_returned=dict(remote.returned),
            counted=counted, remote_refunded=dict(remote.refunded), invoice=invoice,
        )

    def _own_from_back_office(self, code: ReceiptCode) -> RemoteReceipt:
        """A receipt of this till that its ledger lacks, from the back office; when
        that cannot answer, it is simply not found."""
        assert self._lookup is not None
        try:
            return self._lookup(code)
        except DomainError as error:
            raise DomainError("ret.err.not_found", code=code.text) from error

    def _local_source(self, code: ReceiptCode, counted: frozenset[str]) -> ReturnSource | None:
        """A receipt of this till's ledger (None if it has none), with the back
        office's returns when it can answer."""
        doc = self._terminal.ledger.find_by_number(code.number, code.doc_type)
        if doc is None:
            return None
        returned: dict[int, int] = {}
        refunded: dict[str, int] = {}
        checked = False
        if self._lookup is not None:
            try:
                answer = self._lookup(code)
                returned, refunded = dict(answer.returned), dict(answer.refunded)
                checked = True
            except DomainError as error:
                # not uploaded yet: no other till can have returned any of it
                checked = error.key == "ret.err.not_found"
        source = self._source(
            code, doc.store_id, doc.created_local, doc.lines, doc.payments,
            remote=False, remote_checked=checked, remote_returned=returned,
            counted=counted if checked else frozenset(), remote_refunded=refunded,
            invoice=self._invoices.invoice_ref(doc), original_vat=doc.vat,
        )
        return replace(source, rates=document_rates(doc.extra))

    def _source(
        self,
        code: ReceiptCode,
        store_id: int,
        created_local: datetime,
        lines: Iterable[DocumentLine],
        payments: tuple[DocumentPayment, ...],
        *,
        remote: bool,
        remote_checked: bool,
        remote_returned: dict[int, int],
        counted: frozenset[str],
        remote_refunded: Mapping[str, int],
        invoice: InvoiceRef | None = None,
        original_vat: Mapping[str, VatTotal] | None = None,
    ) -> ReturnSource:
        originals = tuple(lines)
        returned = self._returned(code, remote_returned, counted)
        kinds = self._method_kinds()
        card_paid = sum(p.amount - p.change for p in payments if kinds.get(p.method) == "card")
        remote_card = sum(amount for method, amount in remote_refunded.items() if kinds.get(method) == "card")
        return ReturnSource(
            code=code,
            store_id=store_id,
            created_local=created_local,
            total=sum(line.value for line in originals),
            lines=tuple(
                ReturnLine(index, line, returned.get(index, 0)) for index, line in enumerate(originals)
            ),
            payments=payments,
            card_paid=card_paid,
            card_refunded=remote_card + self._card_refunded(code, kinds, counted),
            remote=remote,
            remote_checked=remote_checked,
            remote_returned=remote_returned,
            counted_remotely=counted,
            remote_card_refunded=remote_card,
            invoice=invoice,
            original_vat=(
                dict(original_vat) if original_vat is not None
                else vat_totals(((line.vat_letter, line.value) for line in originals),
                                effective_rates(self._terminal.db))
            ),
        )

    # -- what was returned already ---------------------------------------------------

    def _sent_returns(self, code: ReceiptCode) -> frozenset[str]:
        """Uuids of this till's returns of ``code`` the back office has accepted."""
        rows = returned_lines(self._terminal.db, code.terminal_id, code.number, code.doc_type)
        return frozenset(row.uuid for row in rows if row.upload_state == "sent")

    def _returned(
        self, code: ReceiptCode, remote_returned: Mapping[int, int], counted: frozenset[str]
    ) -> dict[int, int]:
        """Milli-units returned per original line: the back office's figure plus this
        till's returns it did not contain."""
        returned: dict[int, int] = defaultdict(int)
        for index, qty in remote_returned.items():
            returned[int(index)] += int(qty)
        for row in returned_lines(self._terminal.db, code.terminal_id, code.number, code.doc_type):
            if row.uuid not in counted and row.original_line is not None:
                returned[row.original_line] += row.qty
        return dict(returned)

    def _method_kinds(self) -> dict[str, str]:
        """Payment method code → kind, inactive methods included (old receipts)."""
        rows = self._terminal.db.execute_sql("SELECT code, kind FROM payment_method").fetchall()
        return {code: kind for code, kind in rows}

    def _card_refunded(self, code: ReceiptCode, kinds: Mapping[str, str], counted: frozenset[str]) -> int:
        """What this till's returns of ``code`` gave back to a card, except those the
        back office's figure already contains (``counted``)."""
        return sum(
            refund.amount for refund in refunds(self._terminal.db, code.terminal_id, code.number, code.doc_type)
            if kinds.get(refund.method) == "card" and refund.uuid not in counted
        )

    # -- building and committing ----------------------------------------------------

    def refund_methods(self) -> list[PaymentMethod]:
        """The active cash and card methods a refund can go to, in the back office's order."""
        return [m for m in self._terminal.catalog.payment_methods() if m.kind in REFUND_KINDS]

    def refund_total(self, source: ReturnSource, picks: Mapping[int, int]) -> int:
        """What ``picks`` would refund, checking them as :meth:`draft` does (before a
        refund method is chosen). Raises DomainError "ret.err.nothing_picked",
        "ret.err.qty_too_much" or "ret.err.qty_precision"."""
        return sum(line.value for line in self._return_lines(source, picks))

    def _return_lines(self, source: ReturnSource, picks: Mapping[int, int]) -> tuple[DocumentLine, ...]:
        """The return's lines in the original's order (picks of 0 left out)."""
        chosen = sorted((index, qty) for index, qty in picks.items() if qty)
        if not chosen:
            raise DomainError("ret.err.nothing_picked")
        return tuple(self._return_line(source, index, qty) for index, qty in chosen)

    def draft(
        self, source: ReturnSource, picks: Mapping[int, int], method: PaymentMethod,
        reason: str = CORRECTION_REASON,
    ) -> DocumentDraft:
        """The return document for ``picks`` (original line index → milli-units);
        ``reason``, one of :data:`CORRECTION_REASONS`, is printed on the correcting
        invoice of a return against an invoice.

        Raises DomainError "ret.err.nothing_picked", "ret.err.qty_too_much",
        "ret.err.qty_precision", "ret.err.method", "ret.err.card_limit" or
        "ret.err.reason".
        """
        if reason not in CORRECTION_REASONS.values():
            raise DomainError("ret.err.reason", reason=reason)
        lines = self._return_lines(source, picks)
        total = sum(line.value for line in lines)
        if method.kind not in REFUND_KINDS:
            raise DomainError("ret.err.method", method=method.name)
        if method.kind == "card" and total > source.card_limit:
            raise DomainError("ret.err.card_limit", amount=total, limit=source.card_limit)
        payments = (DocumentPayment(method.code, method.name, total, 0),) if total else ()
        # a return corrects the VAT of its original: at the rates the original used
        rates = dict(source.rates) if source.rates is not None else effective_rates(self._terminal.db)
        letters = {line.vat_letter for line in lines}
        missing = sorted(letters - set(rates))
        if missing:
            raise DomainError("err.vat_letter", letter=", ".join(missing))
        extra: dict[str, object] = {
            "original": {"terminal_id": source.code.terminal_id, "number": source.code.number,
                         **({"type": source.code.doc_type} if source.code.doc_type != "receipt" else {})},
            # the original's letters too: a correcting invoice shows its "before"
            RATES_KEY: snapshot(rates, letters | {item.line.vat_letter for item in source.lines}),
        }
        if source.invoice is not None:
            # a return against an invoice: a correcting invoice ("FK/...") with it
            extra["correction"] = correction_record(
                source.invoice,
                {item.index: (item.line, item.returned) for item in source.lines},
                source.original_vat,
                lines,
                rates,
                reason,
            )
        return DocumentDraft(
            doc_type=DOC_RETURN,
            kind=RETURN_KIND,
            total=total,
            vat=vat_totals(((line.vat_letter, line.value) for line in lines), rates),
            lines=lines,
            payments=payments,
            extra=extra,
            discount_total=sum(line.line_discount for line in lines),
            buyer=source.invoice.buyer if source.invoice is not None else None,
            invoice_series=CORRECTION_SERIES if source.invoice is not None else None,
        )

    @staticmethod
    def _return_line(source: ReturnSource, index: int, qty: int) -> DocumentLine:
        """One return line: ``qty`` of original line ``index``, valued proportionally."""
        if not 0 <= index < len(source.lines):
            raise ValueError(f"receipt {source.code.text} has no line {index}")
        item = source.lines[index]
        line = item.line
        step = 10 ** (3 - line.precision)
        if qty < 0 or qty % step:
            raise DomainError(
                "ret.err.qty_precision", name=line.name, qty=format_quantity(abs(qty), 3),
                precision=line.precision,
            )
        if qty > item.returnable:
            raise DomainError(
                "ret.err.qty_too_much", name=line.name,
                qty=format_quantity(qty, line.precision),
                returnable=format_quantity(item.returnable, line.precision), unit=line.unit,
            )
        value = refund_value(line, item.returned, qty)
        gross = round_half_up(line.unit_price * qty, QTY_SCALE)
        return replace(
            line, position=0, qty=qty, gross=gross, line_discount=gross - value, receipt_discount=0,
            value=value, original_line=index,
        )

    def commit(
        self,
        source: ReturnSource,
        picks: Mapping[int, int],
        method: PaymentMethod,
        *,
        cashier: User,
        now: datetime,
        authorisation: Authorisation | None = None,
        reason: str = CORRECTION_REASON,
    ) -> StoredDocument:
        """Store the return (own gapless number), then refund a card through the
        payment application. Inside the write transaction the returned quantities and
        the card refunds are read again: if they changed since ``source`` was found,
        DomainError "ret.err.changed" and nothing is stored (look the receipt up again).
        ``authorisation``: the manager who allowed a cashier without "returns" (stored
        with the return and printed on it).
        """
        require_permission(cashier, authorisation)
        draft = self.draft(source, picks, method, reason)
        if not cashier.can(PERM_RETURNS) and authorisation is not None:
            draft = replace(draft, extra=with_authorisation(draft.extra, authorisation))
        kinds = self._method_kinds()

        def still_valid() -> None:
            returned = self._returned(source.code, source.remote_returned, source.counted_remotely)
            for line in draft.lines:
                index = line.original_line
                assert index is not None
                if returned.get(index, 0) != source.lines[index].returned:
                    raise DomainError("ret.err.changed", code=source.code.text)
            card = source.remote_card_refunded + self._card_refunded(source.code, kinds, source.counted_remotely)
            if card != source.card_refunded:
                raise DomainError("ret.err.changed", code=source.code.text)

        stored = self._terminal.ledger.commit_document(draft, cashier=cashier, now=now, check=still_valid)
        if method.kind == "card" and stored.total > 0:
            self._card_app.refund(
                stored.total, now, document_uuid=stored.uuid, document_number=stored.number
            )
        return stored

    def print_correction(self, doc_uuid: str, now: datetime) -> JournalEntry | None:
        """Print the correcting invoice of a stored return against an invoice (journal
        kind "invoice_correction"); None for a return of a plain receipt."""
        return self._invoices.print_correction(doc_uuid, now)

    def print_return(self, doc_uuid: str, now: datetime) -> JournalEntry:
        """Print a stored return on the fiscal printer (non-fiscal "return" printout,
        journaled with the document's uuid and number)."""
        detail = self._terminal.ledger.get_document(doc_uuid)
        return self._printer.print_nonfiscal(
            "return", RETURN_TITLE, render_return(detail), now,
            document_uuid=detail.uuid, document_number=detail.number,
        )


#: The title of a return printout.
RETURN_TITLE: Final = "ZWROT TOWARU"


def render_return(detail: DocumentDetail, width: int = PRINT_WIDTH) -> list[str]:
    """The body of a return printout: which receipt, what came back, the refund."""
    original = detail.extra.get("original") or {}
    out = [paper.fit(f"Zwrot nr {document_number_text('return', detail.number)}", detail.created_local.strftime("%Y-%m-%d %H:%M"), width)]
    if original:
        code = ReceiptCode(int(original["terminal_id"]), int(original["number"]),
                           str(original.get("type", "receipt")))
        out.append(paper.fit("Do paragonu", code.text, width))
    if detail.invoice_number:
        out.append(paper.fit("Korekta:", detail.invoice_number, width))
    out.append("-" * width)
    for line in detail.lines:
        qty = format_quantity(line.qty, line.precision)
        out.append(line.name[:width])
        out.append(paper.fit(f"  {qty} {line.unit} x {paper.amount(line.unit_price)}",
                        f"-{paper.amount(line.gross)} {line.vat_letter}", width))
        if line.line_discount:
            out.append(paper.fit("  Rabat", f"+{paper.amount(line.line_discount)}", width - 2))
    out.append("-" * width)
    rates = document_rates(detail.extra)
    for letter, total in detail.vat.items():
        label = letter_label(letter, rates)
        out.append(paper.fit(f"ZWROT {letter} {label}".rstrip(), f"-{paper.amount(total.gross)}", width))
        if total.vat:
            out.append(paper.fit(f"  w tym PTU {letter}", f"-{paper.amount(total.vat)}", width))
    out.append(paper.fit("DO ZWROTU PLN", paper.amount(detail.total), width))
    for payment in detail.payments:
        out.append(paper.fit(f"Zwrot: {payment.name}", paper.amount(payment.amount - payment.change), width))
    out.append("-" * width)
    out.append(paper.fit(f"Kasjer: {detail.cashier_name}", f"Kasa {detail.terminal_id}", width))
    out += printout_lines(authorisations_of(detail.extra), width)
    out.append("")
    out.append("Podpis klienta: ....................")
    return [line.rstrip() for line in out]


__all__ = [
    "DOC_RETURN",
    "RETURN_KIND",
    "ReturnLine",
    "ReturnService",
    "ReturnSource",
    "refund_value",
    "render_return",
    "require_permission",
]
