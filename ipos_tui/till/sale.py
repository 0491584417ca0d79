"""The sale: the receipt being rung up at one till, from the first code to the paid
document, as plain Python (no Textual): a test, the CLI or a screen drive it alike.

The open receipt is always stored (its parked row: a crash never loses what was
rung up). Paying it is one transaction: the ledger document with its gapless
number, the open copy removed, and the card authorisations tied to it — a crash
leaves either the paid sale (and no open copy) or the open receipt (and the card
payments still free to reverse), never both, never neither. Printing follows the
commit (a document committed but not printed is printed at the next start).

A full disk or a read-only data directory fails the write before anything is
printed: the cashier reads why (``err.disk_full``, ``err.storage_readonly``), no
number is used, the receipt stays open and is paid once there is room again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime

from ipos_tui.domain.authorisation import Authorisation
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine
from ipos_tui.domain.scale_code import ScaleCode
from ipos_tui.devices.card_app import CardApp
from ipos_tui.store.db import Terminal, storage_error
from ipos_tui.domain.parked import OpenReceipt
from ipos_tui.store.parked import ParkedService, ReceiptState, receipt_state
from ipos_tui.domain.records import Buyer, DocumentKind, Product, StoredDocument, User
from ipos_tui.store.vat_table import effective_rates


@contextmanager
def told_storage_errors(terminal: Terminal) -> Iterator[None]:
    """A write that fails for a full disk or a read-only data directory raises the
    DomainError the cashier reads instead of SQLite's own error."""
    try:
        yield
    except DomainError:
        raise
    except Exception as exc:
        told = storage_error(exc, terminal.data_dir)
        if told is None:
            raise
        raise told from exc


class Sale:
    """The open receipt of a till and what can be done with it."""

    def __init__(self, terminal: Terminal, card_app: CardApp) -> None:
        self.terminal = terminal
        self._card_app = card_app
        self.parked = ParkedService(terminal.db, terminal.models)
        self.receipt = Receipt()
        #: the open receipt's slot: its parked row and its number ("Sprzedaż 2")
        self.parked_id = 0
        self.number = 1
        self._saved: ReceiptState = receipt_state(self.receipt)
        self.open(self.parked.open_current())

    # -- which receipt is open ------------------------------------------------------

    def open(self, opened: OpenReceipt) -> None:
        """Make ``opened`` the receipt being rung up."""
        self.receipt = opened.receipt
        self.parked_id = opened.id
        self.number = opened.number
        self._saved = receipt_state(opened.receipt)

    def restore(self) -> None:
        """Reopen the current receipt as stored (at start, after the daily report)."""
        self.open(self.parked.open_current())

    def save(self, cashier_id: int | None) -> None:
        """Store the open receipt if it changed since the last write (crash safety)."""
        state = receipt_state(self.receipt)
        if state != self._saved:
            with told_storage_errors(self.terminal):
                self.parked.save(self.parked_id, self.receipt, cashier_id)
            self._saved = state

    def start_over(self) -> None:
        """The current slot starts over empty (after a sale, or the receipt was voided)."""
        self.open(self.parked.start_empty(self.number))

    def for_cashier(self, owner: int | None, cashier_id: int | None) -> None:
        """When each cashier sees only their own parked receipts (``owner`` is the
        cashier logging in), one left open by another cashier is put aside and this
        one gets their own (or a free or new one); every slot taken: it stays."""
        if owner is None or self.parked.owner(self.parked_id) in (None, owner):
            return
        self.save(cashier_id)
        try:
            self.open(self.parked.open_for(owner))
        except DomainError:
            pass

    # -- ringing up -------------------------------------------------------------------

    def find(self, code: str) -> Product | tuple[Product, ScaleCode]:
        """The product of a typed or scanned code, or of a label scale's code (with the
        weight or price it carries). DomainError "reg.not_found"."""
        catalog = self.terminal.catalog
        product = catalog.find_by_code(code)
        if product is not None:
            return product
        label = catalog.find_label_code(code, self.terminal.settings.scale_layouts())
        if label is None:
            raise DomainError("reg.not_found")
        return label

    def check_letter(self, letter: str) -> None:
        """A product can be sold only on a VAT letter the printer's PTU table has (a
        letter new in the back office is written at the next day close).
        DomainError "vatdocs.err_not_on_printer"."""
        if letter not in effective_rates(self.terminal.db):
            raise DomainError("vatdocs.err_not_on_printer", letter=letter)

    def line(self, product: Product, qty: int | None = None, price: int | None = None) -> ReceiptLine:
        """The line for ``qty`` (milli-units; one piece by default) of ``product`` at
        ``price`` (its catalogue price by default)."""
        self.check_letter(product.vat_letter)
        return ReceiptLine(
            plu=product.plu,
            name=product.name,
            unit=product.unit,
            precision=product.precision,
            unit_price=price if price is not None else product.price,
            qty=qty if qty is not None else 1000,
            vat_letter=product.vat_letter,
            product_id=product.id,
            deposit=product.deposit,
        )

    def label_line(self, product: Product, label: ScaleCode) -> ReceiptLine:
        """A label scale's code: its weight as the quantity, or its price as the value
        of one piece ("1 szt. x label price", as the fiscal printer needs qty x price =
        value, so the receipt charges the label's value to the grosz)."""
        if label.kind == "weight":
            return self.line(product, qty=label.amount)
        return replace(self.line(product, price=label.amount), unit="szt.", precision=0)

    def add(self, line: ReceiptLine) -> int:
        """Add ``line`` (merged into an equal one); its index on the receipt."""
        return self.receipt.add_line(line, merge=True)

    def void(self, cashier: User, now: datetime, authorisation: Authorisation | None = None) -> None:
        """Void the open receipt (logged for the daily report when it had lines); the
        log and the emptied slot are one transaction, so a crash can neither leave the
        receipt open and logged (voided twice) nor emptied and unlogged."""
        with self.terminal.db.atomic("IMMEDIATE"):
            self.terminal.ledger.record_void(self.receipt, cashier, now, authorisation)
            emptied = self.parked.start_empty(self.number)
        self.open(emptied)

    def delete_parked(
        self, parked_id: int, cashier: User | None, now: datetime, authorisation: Authorisation | None = None
    ) -> OpenReceipt:
        """Throw an open receipt away (6. Paragony) and return the current one after it
        (not opened: the caller opens it). One with lines is logged as voided when a
        cashier is known, in the same transaction as its removal: a crash leaves it
        either open and unlogged or gone and logged once. DomainError
        "err.parked_missing" when it is gone already."""
        with self.terminal.db.atomic("IMMEDIATE"):
            row = next((p for p in self.parked.list_parked() if p.id == parked_id), None)
            opened = self.parked.delete(parked_id)
            if cashier is not None and row is not None:
                self.terminal.ledger.record_voided(row.line_count, row.total, cashier, now, authorisation)
        return opened

    # -- paying -----------------------------------------------------------------------

    def pay(
        self,
        payments: Sequence[Payment],
        *,
        kind: DocumentKind = "paragon",
        buyer: Buyer | None = None,
        cashier: User,
        now: datetime,
        card_ids: Sequence[int] = (),
    ) -> StoredDocument:
        """Commit the open receipt paid by ``payments`` in one transaction with the
        removal of its open copy and the card authorisations ``card_ids`` tied to it;
        then the slot starts over empty. Raises what the ledger's commit raises, and
        then nothing is stored and the receipt stays open (a full disk or a
        read-only data directory as ``err.disk_full`` / ``err.storage_readonly``)."""
        db = self.terminal.db
        with told_storage_errors(self.terminal), db.atomic("IMMEDIATE"):
            stored = self.terminal.ledger.commit_receipt(
                self.receipt, payments, kind=kind, buyer=buyer, cashier=cashier, now=now
            )
            self.parked.remove_paid(self.parked_id)
            if card_ids:
                self._card_app.link_receipt(card_ids, stored.uuid, stored.number)
        self.start_over()
        return stored


__all__ = ["Sale", "storage_error", "told_storage_errors"]
