"""The fiscal day as the ledger sees it: which documents open a day, and whether one
may still be stored in the open day."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.fiscal_day import day_refusal
from ipos_tui.domain.records import DOC_SALE_INVOICE
from ipos_tui.store.ledger.base import LedgerBase
from ipos_tui.store.timeutil import local_text, parse_time

DOC_RECEIPT: Final = "receipt"
DOC_DAILY_REPORT: Final = "daily_report"
#: Ledger types a daily report sums: the first of them since the last report starts
#: the open fiscal day (domain/fiscal_day.py).
DAY_SUMMED_TYPES: Final = (DOC_RECEIPT, DOC_SALE_INVOICE, "return", "cash_operation")
#: Types stored whatever the fiscal day: the daily report itself, the cash reports
#: (a shift may be closed after midnight) and an invoice for an earlier receipt
#: ("Faktura do paragonu": non-fiscal, it adds nothing to any day). Every other
#: document (sales and Faktury, returns, cash operations, deposit returns ...)
#: obeys the day rule.
DAY_FREE_TYPES: Final = (DOC_DAILY_REPORT, "cash_report", "invoice")
#: The open day's first summed document: a walk along the primary key from the last
#: report's ``upto_document`` (``+doc_type`` keeps SQLite off the type index, which
#: would read every receipt the till ever made, under the commit's write lock: a sale
#: got slower with each day of an unsynced ledger, 20 ms at 50 000 receipts).
_OPEN_DAY_STARTED: Final = (
    "SELECT created_local FROM document WHERE id > coalesce(("
    "SELECT json_extract(extra, '$.upto_document') FROM document WHERE doc_type = ? "
    "ORDER BY number DESC LIMIT 1), 0) "
    f"AND +doc_type IN ({', '.join('?' for _ in DAY_SUMMED_TYPES)}) ORDER BY id LIMIT 1"
)


class FiscalDay(LedgerBase):
    """When the open day began and whether a document may join it."""

    def open_day_started(self) -> datetime | None:
        """Local time of the open day's first summed document (None: nothing open)."""
        row = self._db.execute_sql(_OPEN_DAY_STARTED, (DOC_DAILY_REPORT, *DAY_SUMMED_TYPES)).fetchone()
        return parse_time(row[0]) if row else None

    def day_refusal(self, now: datetime) -> DomainError | None:
        """Why a sale (return, cash operation ...) could not be stored at ``now``:
        the open day began on an earlier date, or under the "block" option the set
        time has passed; None when it could. Screens ask it to warn early; the commit
        itself asks it again under its write lock (:meth:`check_fiscal_day`)."""
        return day_refusal(
            self.open_day_started(), parse_time(local_text(now)),
            option=self._settings.day_close(), at=self._settings.day_close_time(),
        )

    def check_fiscal_day(self, doc_type: str, now: datetime) -> None:
        """Raise DomainError "dayrule2.err_day_open" (``day``: the open day,
        dd.mm.rrrr) or "dayrule2.err_block_time" (``day``, ``time``) when a
        ``doc_type`` document may not join the open day at ``now``; the daily and
        cash reports always may. Call inside the write transaction."""
        if doc_type in DAY_FREE_TYPES:
            return
        refusal = self.day_refusal(now)
        if refusal is not None:
            raise refusal
