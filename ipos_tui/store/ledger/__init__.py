"""The ledger: finished documents with their gapless numbers and upload state.

``LedgerService`` is the one object the rest of the terminal uses; the package's
modules split it by subject (see each module's docstring).
"""

from ipos_tui.store.ledger.service import (
    DAY_FREE_TYPES,
    DAY_SUMMED_TYPES,
    DEPOSIT_KEY,
    DOC_DAILY_REPORT,
    DOC_RECEIPT,
    INVOICE_NUMBERING_KEY,
    INVOICE_SERIES,
    DocumentDraft,
    LedgerService,
    QueuedDocument,
    VoidRecord,
    deposit_record,
    insert_sql,
)

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
