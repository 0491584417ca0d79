"""Steps 7 to 12: permissions, deposits, invoices, upload conflicts, journal recovery.
Frozen: never edited after their release."""

from __future__ import annotations

from typing import Final

from ipos_tui.store.migrations.v02_to_v06 import JOURNAL_GUARDS

#: Version 7: permissions for every menu item, and a manager's authorisation of what
#: a cashier may not do alone. The permissions the till enforces from now on (void,
#: day_close, reports, settings) are granted to every user synced before, so an
#: update locks nobody out (the back office's migration 3 does the same there; the
#: owner restricts someone afterwards). An open receipt keeps the authorisations
#: given on it (JSON, moved into the ledger document when it is paid); a voided
#: receipt records who authorised the void.
PERMISSIONS_V7: Final = (
    """UPDATE user SET permissions = (
        SELECT json_group_array(value) FROM (
            SELECT value FROM json_each(CASE WHEN json_valid(user.permissions)
                THEN user.permissions ELSE '[]' END)
            UNION SELECT value FROM json_each('["day_close", "reports", "settings", "void"]')
            ORDER BY value
        )
    )""",
    "ALTER TABLE parked_receipt ADD COLUMN authorisations TEXT",
    "ALTER TABLE receipt_void ADD COLUMN authorised_by_id INTEGER",
    "ALTER TABLE receipt_void ADD COLUMN authorised_by_name TEXT",
)

#: Version 8 (issue 14, item 7): the deposit ("kaucja", returnable bottles and cans)
#: of a product, in grosze per piece, synced from the back office; an open receipt's
#: lines keep theirs. Receipts store the deposits they charged in their ``extra``.
DEPOSIT_V8: Final = (
    "ALTER TABLE product ADD COLUMN deposit INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE parked_line ADD COLUMN deposit INTEGER NOT NULL DEFAULT 0",
)

#: Version 9 (issue 14 item 3): invoices have their own number
#: series. ``document.invoice_number`` holds e.g. "FV/K3/12/2026/0001" (unique; set in
#: the commit's transaction from ``number_sequence`` rows keyed by series and period,
#: never changed afterwards). The printer journal gains the kinds 'invoice',
#: 'invoice_correction' and 'deposit_return' (the last for the deposit refunds), the
#: table recreated with its guards as in version 5.
INVOICES_V9: Final = (
    "ALTER TABLE document ADD COLUMN invoice_number TEXT",
    "CREATE UNIQUE INDEX document_invoice_number ON document (invoice_number) "
    "WHERE invoice_number IS NOT NULL",
    """CREATE TRIGGER document_invoice_number_frozen BEFORE UPDATE ON document
    WHEN old.invoice_number IS NOT NULL AND old.invoice_number IS NOT new.invoice_number BEGIN
        SELECT RAISE(ABORT, 'an invoice number never changes');
    END""",
    "DROP TRIGGER printer_journal_no_delete",
    "DROP TRIGGER printer_journal_no_update",
    "ALTER TABLE printer_journal RENAME TO printer_journal_v7",
    """CREATE TABLE printer_journal (
        number INTEGER PRIMARY KEY CHECK (number > 0),
        kind TEXT NOT NULL CHECK (kind IN ('receipt', 'settlement', 'vat_table', 'daily_report',
            'periodic_report', 'return', 'cash', 'update', 'invoice', 'invoice_correction',
            'deposit_return')),
        printed_utc TEXT NOT NULL,
        printed_local TEXT NOT NULL,
        document_uuid TEXT,
        document_number INTEGER,
        text TEXT NOT NULL,
        text_norm TEXT NOT NULL
    )""",
    "INSERT INTO printer_journal SELECT * FROM printer_journal_v7",
    "DROP TABLE printer_journal_v7",
    *JOURNAL_GUARDS,
)

#: Version 10 (issue 15 item 4, till side): what the back office holds under a uuid
#: it answered "uuid_conflict" for (its summary as JSON: type, number, total,
#: line_count, lines), so 5. Transakcje can show both versions; one row per document,
#: replaced when the answer comes again.
UPLOAD_CONFLICT_V10: Final = (
    """CREATE TABLE upload_conflict (
        document_uuid TEXT PRIMARY KEY,
        remote TEXT NOT NULL,
        seen_utc TEXT NOT NULL
    )""",
)

#: Version 11: nothing committed goes unprinted (issue 14, item 4): at start the till prints every
#: document without a printer-journal entry. Documents already stored when this step
#: runs predate that check; their last id is kept as the local setting
#: "journal_recovery_after" (till/journal_recovery.py), so they are not reprinted.
JOURNAL_RECOVERY_V11: Final = (
    "INSERT OR IGNORE INTO local_setting (key, value) "
    "SELECT 'journal_recovery_after', CAST(coalesce(max(id), 0) AS TEXT) FROM document",
)

#: Version 12 (issue 14 items 3 and 6): at most one invoice
#: ("Faktura do paragonu", document type 'invoice') per receipt of a till, enforced
#: by a unique index on the receipt it names in its ``extra``; and the cashier who
#: opened each parked receipt, so "6. Paragony" can show a cashier only their own.
INVOICES2_V12: Final = (
    "CREATE UNIQUE INDEX document_invoice_of_receipt ON document "
    "(json_extract(extra, '$.receipt.terminal_id'), json_extract(extra, '$.receipt.number')) "
    "WHERE doc_type = 'invoice'",
    "ALTER TABLE parked_receipt ADD COLUMN cashier_id INTEGER",
)
