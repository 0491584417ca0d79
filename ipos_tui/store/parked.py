"""Parked receipts ("Paragony"): the till's open receipts, durable as they change.

A cashier may hold several open receipts ("Sprzedaż 1", "Sprzedaż 2", …) and switch
between them. None of them is a ledger document: no number is used and nothing is
uploaded until one is paid. Each keeps its own copy of every line (name, PLU, unit,
price, VAT letter, discount), so a later price change in the back office never
alters what the customer was promised, and each is rewritten in one short
transaction whenever it changes, so a power cut loses nothing that was rung up.

A receipt is identified by its slot number ``n`` (shown as "Sprzedaż n" in the UI
language, so the stored data carries no translated text). Exactly one receipt is
the current one once :meth:`ParkedService.open_current` ran; the schema allows at
most one. Terminal-created receipts are cleared by the daily report
(:meth:`ParkedService.clear_parked`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Final

from peewee import SqliteDatabase

from ipos_tui.domain.authorisation import Authorisation, records
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.parked import MAX_PARKED, OpenReceipt, ParkedSummary
from ipos_tui.domain.receipt import Discount, Receipt, ReceiptLine
from ipos_tui.store.models import Models, ParkedLineRow, ParkedReceiptRow
from ipos_tui.store.rows import (
    LINE_ITEM_COLUMNS,
    insert_sql,
    line_item_fields,
    line_item_values,
)

SOURCE_TERMINAL: Final = "terminal"
SOURCE_BACKOFFICE: Final = "backoffice"

#: A parked line: its receipt and place, the item (shared with the ledger's lines),
#: then what the cashier did to it so far.
_LINE_COLUMNS: Final = (
    "parked_id",
    "position",
    *LINE_ITEM_COLUMNS,
    "discount_kind",
    "discount_value",
    "deposit",
)
_INSERT_LINE: Final = insert_sql(ParkedLineRow, _LINE_COLUMNS)
_INSERT_RECEIPT: Final = insert_sql(
    ParkedReceiptRow, ("number", "source", "is_current", "line_count", "total", "cashier_id")
)
_DELETE_LINES: Final = "DELETE FROM parked_line WHERE parked_id = ?"
_UPDATE_HEADER: Final = (
    "UPDATE parked_receipt SET discount_kind = ?, discount_value = ?, line_count = ?, total = ?, "
    "authorisations = ?, cashier_id = coalesce(cashier_id, ?) WHERE id = ?"
)
_DELETE_RECEIPT: Final = "DELETE FROM parked_receipt WHERE id = ?"

#: What a receipt looks like for change detection: plain values, no live objects.
ReceiptState = tuple[object, ...]


def _discount_columns(discount: Discount | None) -> tuple[str | None, int | None]:
    return (None, None) if discount is None else (discount.kind, discount.value)


def _discount_of(kind: str | None, value: int | None) -> Discount | None:
    return None if kind is None or value is None else Discount(kind, value)  # type: ignore[arg-type]


def receipt_state(receipt: Receipt) -> ReceiptState:
    """A value snapshot of ``receipt``: equal snapshots need no write.

    The UI calls :meth:`ParkedService.save` after every redraw of the receipt; this
    lets it skip the write (and its fsync) when nothing really changed.
    """
    lines = tuple(_line_values(line) for line in receipt.lines)
    return (lines, *_discount_columns(receipt.receipt_discount), tuple(receipt.authorisations))


def _line_values(line: ReceiptLine) -> tuple[object, ...]:
    """What a parked line stores of a receipt line, in ``_LINE_COLUMNS`` order after
    its receipt id and position."""
    return (*line_item_values(line), *_discount_columns(line.discount), line.deposit)


class ParkedService:
    """Stores, lists, switches and clears the open receipts of this terminal."""

    def __init__(self, db: SqliteDatabase, models: Models) -> None:
        self._db = db
        self._m = models

    # -- reading ----------------------------------------------------------------

    def list_parked(self, cashier_id: int | None = None) -> list[ParkedSummary]:
        """Every open receipt, by slot number; with ``cashier_id``, only those that
        cashier may see when each sees their own: theirs, the current one (being rung
        up on this screen) and any nobody owns yet."""
        table = self._m.parked_receipt
        query = table.select().order_by(table.number)
        if cashier_id is not None:
            query = query.where(
                (table.cashier_id == cashier_id) | table.cashier_id.is_null() | (table.is_current == 1)
            )
        return [
            ParkedSummary(row.id, row.number, row.source, row.line_count, row.total, bool(row.is_current),
                          row.cashier_id)
            for row in query
        ]

    def owner(self, parked_id: int) -> int | None:
        """The cashier who opened ``parked_id`` (None: nobody yet, or it is gone)."""
        row = self._m.parked_receipt.get_or_none(self._m.parked_receipt.id == parked_id)
        return None if row is None else row.cashier_id

    def open_for(self, cashier_id: int) -> OpenReceipt:
        """At login when each cashier sees only their own: the current receipt if it
        is theirs or nobody's; else their lowest-numbered one, or a new empty one
        (DomainError "err.parked_limit" when every slot is taken: the current one
        then stays)."""
        table = self._m.parked_receipt
        with self._db.atomic("IMMEDIATE"):
            current = table.get_or_none(table.is_current == 1)
            if current is not None and current.cashier_id in (None, cashier_id):
                return self._load(current)
            mine = (
                table.select()
                .where((table.cashier_id == cashier_id) | table.cashier_id.is_null())
                .order_by(table.number)
                .first()
            )
            if mine is not None:
                self._make_current(mine.id)
                return self._load(self._row(mine.id))
        return self.add(cashier_id)

    def _load(self, row: ParkedReceiptRow) -> OpenReceipt:
        line_table = self._m.parked_line
        rows = line_table.select().where(line_table.parked_id == row.id).order_by(line_table.position)
        lines = [
            ReceiptLine(
                **line_item_fields(line),
                discount=_discount_of(line.discount_kind, line.discount_value),
                deposit=line.deposit,
            )
            for line in rows
        ]
        authorisations = [Authorisation.from_record(item) for item in json.loads(row.authorisations or "[]")]
        receipt = Receipt(lines, _discount_of(row.discount_kind, row.discount_value), authorisations)
        return OpenReceipt(row.id, row.number, receipt)

    def _row(self, parked_id: int) -> ParkedReceiptRow:
        row = self._m.parked_receipt.get_or_none(self._m.parked_receipt.id == parked_id)
        if row is None:
            raise DomainError("err.parked_missing")
        return row

    # -- choosing the current one ------------------------------------------------

    def open_current(self) -> OpenReceipt:
        """The current receipt as stored (at start and after the daily report).

        With none current the lowest-numbered one becomes current; with none at all
        an empty receipt 1 ("Sprzedaż 1") is created.
        """
        table = self._m.parked_receipt
        with self._db.atomic("IMMEDIATE"):
            row = table.get_or_none(table.is_current == 1)
            if row is None:
                row = table.select().order_by(table.number).first()
                parked_id = self._create(1) if row is None else row.id
                self._make_current(parked_id)
                row = self._row(parked_id)
        return self._load(row)

    def add(self, cashier_id: int | None = None) -> OpenReceipt:
        """A new empty receipt with the lowest free number, made current.

        Raises DomainError "err.parked_limit" (max) when :data:`MAX_PARKED` are open.
        """
        with self._db.atomic("IMMEDIATE"):
            used = {row.number for row in self._m.parked_receipt.select(self._m.parked_receipt.number)}
            if len(used) >= MAX_PARKED:
                raise DomainError("err.parked_limit", max=MAX_PARKED)
            number = next(n for n in range(1, MAX_PARKED + 2) if n not in used)
            parked_id = self._create(number, cashier_id)
            self._make_current(parked_id)
        return OpenReceipt(parked_id, number, Receipt())

    def switch(self, parked_id: int) -> OpenReceipt:
        """Make ``parked_id`` current and return it restored (DomainError "err.parked_missing")."""
        with self._db.atomic("IMMEDIATE"):
            row = self._row(parked_id)
            self._make_current(parked_id)
        return self._load(row)

    def delete(self, parked_id: int) -> OpenReceipt:
        """Drop ``parked_id`` with its lines and return the current receipt afterwards.

        Deleting the current one makes the lowest-numbered remaining receipt current
        (or a new empty receipt 1 when it was the last).
        """
        with self._db.atomic("IMMEDIATE"):
            self._row(parked_id)
            self._db.cursor().execute(_DELETE_RECEIPT, (parked_id,))
            return self.open_current()

    def start_empty(self, number: int) -> OpenReceipt:
        """Slot ``number`` starts over with an empty, current receipt.

        Used after a sale (its row went with the ledger commit) and after the cashier
        voided the whole receipt.
        """
        table = self._m.parked_receipt
        with self._db.atomic("IMMEDIATE"):
            table.delete().where(table.number == number).execute()
            parked_id = self._create(number)
            self._make_current(parked_id)
        return OpenReceipt(parked_id, number, Receipt())

    def _create(self, number: int, cashier_id: int | None = None) -> int:
        cursor = self._db.cursor()
        cursor.execute(_INSERT_RECEIPT, (number, SOURCE_TERMINAL, 0, 0, 0, cashier_id))
        return int(cursor.lastrowid)

    def _make_current(self, parked_id: int) -> None:
        """Move the current mark (call inside a transaction: the index allows one)."""
        table = self._m.parked_receipt
        table.update(is_current=0).where(table.is_current == 1).execute()
        table.update(is_current=1).where(table.id == parked_id).execute()

    # -- writing ----------------------------------------------------------------

    def save(self, parked_id: int, receipt: Receipt, cashier_id: int | None = None) -> None:
        """Store ``receipt`` as the content of ``parked_id``, replacing what was there.

        One transaction of constant statements: a few lines cost one fsync, the same
        as a single-row write would. Raises DomainError "err.parked_missing" when the
        receipt was removed meanwhile. ``cashier_id``: who rings it up; a receipt
        nobody owned yet becomes theirs (with lines only: an empty slot stays free).
        """
        discount_kind, discount_value = _discount_columns(receipt.receipt_discount)
        with self._db.atomic("IMMEDIATE"):
            cursor = self._db.cursor()
            authorisations = json.dumps(records(receipt.authorisations)) if receipt.authorisations else None
            cursor.execute(
                _UPDATE_HEADER,
                (discount_kind, discount_value, len(receipt.lines), receipt.total, authorisations,
                 cashier_id if receipt.lines else None, parked_id),
            )
            if cursor.rowcount != 1:
                raise DomainError("err.parked_missing")
            cursor.execute(_DELETE_LINES, (parked_id,))
            cursor.executemany(_INSERT_LINE, self._line_params(parked_id, receipt.lines))

    @staticmethod
    def _line_params(parked_id: int, lines: Iterable[ReceiptLine]) -> list[tuple[object, ...]]:
        return [(parked_id, position, *_line_values(line)) for position, line in enumerate(lines, 1)]

    def remove_paid(self, parked_id: int) -> None:
        """Delete a receipt that became a ledger document.

        Meant to run inside the ledger's commit transaction (see
        ``ipos_tui.till.sale.Sale.pay``), so the sale and the disappearance of
        its open copy are one atomic step: a crash can never bring a paid receipt
        back as open.
        """
        self._db.cursor().execute(_DELETE_RECEIPT, (parked_id,))

    def clear_parked(self, *, source: str = SOURCE_TERMINAL, keep: int | None = None) -> int:
        """Delete every open receipt created by ``source`` (the daily report's step),
        except the one with id ``keep`` (the receipt being rung up when the report
        was started from payment under the midnight block).

        Returns how many were removed. The caller asks the cashier first when
        :meth:`list_parked` shows lines, and reopens the current receipt afterwards
        with :meth:`open_current`.
        """
        table = self._m.parked_receipt
        condition = table.source == source
        if keep is not None:
            condition &= table.id != keep
        with self._db.atomic("IMMEDIATE"):
            return int(table.delete().where(condition).execute())
