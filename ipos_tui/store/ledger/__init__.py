"""The ledger: finished documents with their gapless numbers and upload state.

``LedgerService`` is the one object the rest of the terminal uses; the package's
modules split it by subject (see each module's docstring).
"""

from ipos_tui.store.ledger.commit import DEPOSIT_KEY, DocumentDraft, deposit_record
from ipos_tui.store.ledger.fiscal_day import (
    DAY_FREE_TYPES,
    DAY_SUMMED_TYPES,
    DOC_DAILY_REPORT,
    DOC_RECEIPT,
)
from ipos_tui.store.ledger.numbering import INVOICE_NUMBERING_KEY, INVOICE_SERIES
from ipos_tui.store.ledger.service import LedgerService
from ipos_tui.store.ledger.upload import QueuedDocument
from ipos_tui.store.ledger.voids import VoidRecord
from ipos_tui.store.rows import insert_sql

__all__ = [
    "DAY_FREE_TYPES",
    "DAY_SUMMED_TYPES",
    "DEPOSIT_KEY",
    "DOC_DAILY_REPORT",
    "DOC_RECEIPT",
    "INVOICE_NUMBERING_KEY",
    "INVOICE_SERIES",
    "DocumentDraft",
    "LedgerService",
    "QueuedDocument",
    "VoidRecord",
    "deposit_record",
    "insert_sql",
]
