"""Gapless document numbers: one counter per document type, and the invoice series
per till and month (or year)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from ipos_tui.store.ledger.base import LedgerBase
from ipos_tui.store.ledger.fiscal_day import DOC_RECEIPT
from ipos_tui.store.ledger.statements import NEXT_NUMBER
from ipos_tui.store.timeutil import local_text, parse_time

#: The invoice series and the setting saying when its numbers restart.
INVOICE_SERIES: Final = "FV"
INVOICE_NUMBERING_KEY: Final = "invoice_numbering"


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
