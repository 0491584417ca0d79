"""Gapless document numbers: one counter per document type, and the invoice series
per till and month (or year)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Final

from ipos_tui.store.ledger.base import LedgerBase
from ipos_tui.store.ledger.guard import NumberGuard
from ipos_tui.store.ledger.fiscal_day import DAY_FREE_TYPES, DAY_SUMMED_TYPES, DOC_RECEIPT
from ipos_tui.store.ledger.statements import NEXT_NUMBER
from ipos_tui.store.timeutil import local_text, parse_time

#: The invoice series and the setting saying when its numbers restart.
INVOICE_SERIES: Final = "FV"
INVOICE_NUMBERING_KEY: Final = "invoice_numbering"
#: The local setting naming this database (the numbering guard's tag; a copy of the
#: database keeps it, a new database gets its own).
DATABASE_ID_KEY: Final = "database_id"

log = logging.getLogger(__name__)


class Numbering(LedgerBase):
    """The next number of a document type or an invoice series (inside the commit's
    transaction), and the floor a re-activation raises it to."""

    def _next_number(self, doc_type: str) -> int:
        """The next number of ``doc_type`` (call inside the write transaction)."""
        row = self._db.cursor().execute(NEXT_NUMBER, (doc_type,)).fetchone()
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

    def start_guard(self, guard: NumberGuard) -> dict[str, int]:
        """Guard this database's counters with ``guard`` (see :mod:`.guard`) from now
        on; first raise any it holds higher (the database was put back from an older
        copy). Returns those {counter: guarded last number}."""
        db_id = self._settings.get_local(DATABASE_ID_KEY)
        if db_id is None:
            db_id = uuid.uuid4().hex
            self._settings.set_local(DATABASE_ID_KEY, db_id)
        ahead = guard.start(db_id, self._counters())
        for key, last in sorted(ahead.items()):
            log.warning("numbering of %s in the database is behind its guard (%d): the "
                        "database was put back from an older copy; numbering goes on from %d",
                        key, last, last + 1)
            self.raise_number_floor(key, last)
        self._guard = guard
        return ahead

    def _counters(self) -> dict[str, int]:
        return {key: int(last) for key, last in self._db.execute_sql(
            "SELECT doc_type, last_number FROM number_sequence").fetchall()}

    def _guard_numbers(self) -> None:
        """After a numbered commit: the counters to the guard once the outermost
        transaction has committed (a sale's commit sits inside the one that also
        removes its open copy: a kill before that commit must leave the guard behind,
        never ahead, or the next start would skip a number)."""
        if self._guard is not None:
            self._db.after_commit(self._note_guard)

    def _note_guard(self) -> None:
        guard = self._guard
        if guard is None:
            return
        try:  # runs after COMMIT: a failure here must not look like a failed commit
            guard.note(self._counters())
        except Exception:  # noqa: BLE001 - the guard only protects a little less
            log.exception("numbering guard not updated")

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
        self._guard_numbers()

    def numbers_in_use(self) -> dict[str, int]:
        """The last number of every document type (0: none yet), invoice series aside:
        what the till tells the back office to compare (``POST /numbers``)."""
        numbers = dict.fromkeys((*DAY_SUMMED_TYPES, *DAY_FREE_TYPES), 0)
        for doc_type, last in self._db.execute_sql(
                "SELECT doc_type, last_number FROM number_sequence "
                "WHERE instr(doc_type, '/') = 0").fetchall():
            numbers[doc_type] = int(last)
        return numbers

    def raise_invoice_floor(self, invoice_number: str) -> bool:
        """Make the next number of ``invoice_number``'s series and period go on above it
        ("FV/K3/12/2026/0007": the series "FV/K3/2026-12" at least 7; "FV/K3/2026/0007"
        when numbered yearly). False for a number of another shape (left alone)."""
        parts = invoice_number.split("/")
        if len(parts) == 5 and parts[2].isdigit() and parts[3].isdigit():
            key = f"{parts[0]}/{parts[1]}/{int(parts[3]):04d}-{int(parts[2]):02d}"
        elif len(parts) == 4 and parts[2].isdigit():
            key = f"{parts[0]}/{parts[1]}/{int(parts[2]):04d}"
        else:
            return False
        if not parts[-1].isdigit() or not parts[1].startswith("K"):
            return False
        self.raise_number_floor(key, int(parts[-1]))
        return True

    def last_number(self, doc_type: str = DOC_RECEIPT) -> int:
        """The last number used for ``doc_type`` (0 before the first document)."""
        row = self._db.execute_sql(
            "SELECT last_number FROM number_sequence WHERE doc_type = ?", (doc_type,)
        ).fetchone()
        return 0 if row is None else int(row[0])
