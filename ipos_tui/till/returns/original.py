"""The original of a return: the receipt (or Faktura) named by its code, found in this
till's ledger or asked of the back office, with what may still come back of each line
and how much a card may still get.

"Never more than sold, over all returns": what was already returned of each line
is the back office's figure (returns uploaded by any till) plus this till's own
returns the back office did not have when it answered. Which of ours it had is
decided by the upload state read BEFORE asking it: a return marked sent by then was
accepted before the question, so it is in the figure; one marked later may be
counted twice, which only ever refuses too much, never allows too much.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from ipos_tui.domain.authorisation import Authorisation
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.receipt_code import ReceiptCode, parse_receipt_code
from ipos_tui.domain.receipt_lookup import RemoteLookup, RemoteReceipt
from ipos_tui.domain.records import PERM_RETURNS, DocumentLine, DocumentPayment, User
from ipos_tui.domain.vat import VatTotal, vat_totals
from ipos_tui.store.document_returns import refunds, returned_lines
from ipos_tui.store.vat_table import document_rates, effective_rates
from ipos_tui.till.invoices import InvoiceRef, InvoiceService

if TYPE_CHECKING:
    from ipos_tui.store.db import Terminal


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


class OriginalFinder:
    """Finds the original of a return (here, or through ``lookup`` at the back office)
    and reads what this till's returns already took of it."""

    def __init__(self, terminal: Terminal, invoices: InvoiceService, lookup: RemoteLookup | None = None) -> None:
        """``lookup`` finds receipts of other tills (through the back office); without
        it only this till's receipts can be returned."""
        self._terminal = terminal
        self._invoices = invoices
        self._lookup = lookup

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
        counted = self.sent_returns(code)  # read before asking: see the module doc
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
        returned = self.returned(code, remote_returned, counted)
        kinds = self.method_kinds()
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
            card_refunded=remote_card + self.card_refunded(code, kinds, counted),
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

    def sent_returns(self, code: ReceiptCode) -> frozenset[str]:
        """Uuids of this till's returns of ``code`` the back office has accepted."""
        rows = returned_lines(self._terminal.db, code.terminal_id, code.number, code.doc_type)
        return frozenset(row.uuid for row in rows if row.upload_state == "sent")

    def returned(
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

    def method_kinds(self) -> dict[str, str]:
        """Payment method code → kind, inactive methods included (old receipts)."""
        rows = self._terminal.db.execute_sql("SELECT code, kind FROM payment_method").fetchall()
        return {code: kind for code, kind in rows}

    def card_refunded(self, code: ReceiptCode, kinds: Mapping[str, str], counted: frozenset[str]) -> int:
        """What this till's returns of ``code`` gave back to a card, except those the
        back office's figure already contains (``counted``)."""
        return sum(
            refund.amount for refund in refunds(self._terminal.db, code.terminal_id, code.number, code.doc_type)
            if kinds.get(refund.method) == "card" and refund.uuid not in counted
        )


__all__ = ["OriginalFinder", "ReturnLine", "ReturnSource", "require_permission"]
