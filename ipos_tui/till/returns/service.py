"""The return itself: its lines valued from the original's, the refund (cash, or back
to the card that paid, within what the card paid), the commit that re-checks what was
returned inside the write transaction, the refund on the card, and the printouts.

Money: the refund of a partial quantity of a line is the line's value scaled by
quantity with the cumulative quantity, ``f(c) = round_half_up(value × c / sold)``,
and a return of ``q`` after ``r`` already returned gets ``f(r + q) − f(r)``. Over
any sequence of returns these telescope to exactly the line's value: never more,
and the last piece takes the remainder. The back office re-checks each line as
``value == round_half_up(unit_price × qty / 1000) − discount``, so the line carries
the difference as its (proportional) discount.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Final

from ipos_tui.devices.card_app import CardApp
from ipos_tui.devices.printer import FiscalPrinter, JournalEntry
from ipos_tui.domain.authorisation import Authorisation, with_authorisation
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import round_half_up
from ipos_tui.domain.quantity import QTY_SCALE, format_quantity
from ipos_tui.domain.receipt_lookup import RemoteLookup
from ipos_tui.domain.records import (
    PERM_RETURNS,
    DocumentLine,
    DocumentPayment,
    PaymentMethod,
    StoredDocument,
    User,
)
from ipos_tui.domain.vat import vat_totals
from ipos_tui.store.ledger import DocumentDraft
from ipos_tui.store.vat_table import RATES_KEY, effective_rates, snapshot
from ipos_tui.till.invoices import (
    CORRECTION_REASON,
    CORRECTION_REASONS,
    CORRECTION_SERIES,
    InvoiceService,
    correction_record,
)
from ipos_tui.till.returns.original import (
    OriginalFinder,
    ReturnSource,
    require_permission,
)
from ipos_tui.till.returns.printout import RETURN_TITLE, render_return

if TYPE_CHECKING:
    from ipos_tui.store.db import Terminal

DOC_RETURN: Final = "return"
#: The ledger's ``kind`` of a return document.
RETURN_KIND: Final = "zwrot"
#: Payment kinds a refund may go to: cash, or back to the card that paid.
REFUND_KINDS: Final = ("cash", "card")


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
        self._originals = OriginalFinder(terminal, invoices, lookup)

    def with_lookup(self, lookup: RemoteLookup | None) -> ReturnService:
        """The same service (same devices) finding other tills' receipts through ``lookup``."""
        return ReturnService(self._terminal, self._printer, self._card_app, self._invoices, lookup)

    def find(self, text: str, cashier: User, authorisation: Authorisation | None = None) -> ReturnSource:
        """The original receipt named by ``text`` (a receipt code as typed or scanned);
        ``authorisation``: the manager who allowed a cashier without "returns".

        Raises DomainError "ret.err.no_permission", "ret.err.code_invalid",
        "ret.err.not_found", "ret.err.offline" (a receipt of another till needs the
        back office), "ret.err.other_store", "err.terminal_not_activated".
        """
        return self._originals.find(text, cashier, authorisation)

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
        kinds = self._originals.method_kinds()

        def still_valid() -> None:
            returned = self._originals.returned(source.code, source.remote_returned, source.counted_remotely)
            for line in draft.lines:
                index = line.original_line
                assert index is not None
                if returned.get(index, 0) != source.lines[index].returned:
                    raise DomainError("ret.err.changed", code=source.code.text)
            card = source.remote_card_refunded + self._originals.card_refunded(source.code, kinds, source.counted_remotely)
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


__all__ = ["DOC_RETURN", "REFUND_KINDS", "RETURN_KIND", "ReturnService", "refund_value"]
