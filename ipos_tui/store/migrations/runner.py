"""Numbered schema steps of the terminal database, keyed by ``PRAGMA user_version``.

Each step is plain SQL frozen at the release that introduced it: a later release
adds a new step and never edits an old one, so any older database walks forward
to the current schema without losing a row. Every step runs in its own
``BEGIN IMMEDIATE`` transaction together with the ``user_version`` bump, so a
crash mid-migration leaves the previous version intact.

Two worlds live in the file and never reference each other:

* catalogue tables (replaceable, from the back office) without foreign keys,
  because the sync feed may deliver a barcode before its product;
* ledger tables (precious, made here), append-only: triggers refuse any delete
  and any change of a stored document other than its upload bookkeeping.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from peewee import SqliteDatabase

#: Triggers keeping the external-content FTS index of product names current. The
#: update trigger reindexes only when a name really changed: a sync page that only
#: moves prices must not pay for re-tokenising every name.
#: They are dropped and recreated around a full catalogue load (a trigram
#: 'rebuild' is ~5x faster than indexing row by row); a migration that changes
#: them must drop and recreate them, and update this constant in the same release.
PRODUCT_FTS_TRIGGERS: Final[tuple[str, ...]] = (
    """CREATE TRIGGER product_fts_ai AFTER INSERT ON product BEGIN
        INSERT INTO product_fts(rowid, name_norm, name_t9)
        VALUES (new.id, new.name_norm, new.name_t9);
    END""",
    """CREATE TRIGGER product_fts_ad AFTER DELETE ON product BEGIN
        INSERT INTO product_fts(product_fts, rowid, name_norm, name_t9)
        VALUES ('delete', old.id, old.name_norm, old.name_t9);
    END""",
    """CREATE TRIGGER product_fts_au AFTER UPDATE OF id, name_norm, name_t9 ON product
    WHEN old.id IS NOT new.id OR old.name_norm IS NOT new.name_norm
      OR old.name_t9 IS NOT new.name_t9
    BEGIN
        INSERT INTO product_fts(product_fts, rowid, name_norm, name_t9)
        VALUES ('delete', old.id, old.name_norm, old.name_t9);
        INSERT INTO product_fts(rowid, name_norm, name_t9)
        VALUES (new.id, new.name_norm, new.name_t9);
    END""",
)
PRODUCT_FTS_TRIGGER_NAMES: Final = ("product_fts_ai", "product_fts_ad", "product_fts_au")

_CATALOGUE_V1: Final = (
    """CREATE TABLE company (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        name TEXT NOT NULL,
        nip TEXT NOT NULL DEFAULT '',
        address TEXT NOT NULL DEFAULT ''
    )""",
    """CREATE TABLE store (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        address TEXT NOT NULL DEFAULT ''
    )""",
    """CREATE TABLE terminal_info (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        terminal_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        store_id INTEGER NOT NULL
    )""",
    "CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE payment_method (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL
            CHECK (kind IN ('cash', 'card', 'voucher', 'transfer', 'other')),
        allows_change INTEGER NOT NULL DEFAULT 0,
        position INTEGER NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1
    )""",
    """CREATE TABLE user (
        id INTEGER PRIMARY KEY,
        identifier TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        role TEXT NOT NULL DEFAULT '',
        pin_hash TEXT NOT NULL DEFAULT '',
        active INTEGER NOT NULL DEFAULT 1,
        permissions TEXT NOT NULL DEFAULT '[]'
    )""",
    "CREATE TABLE vat_rate (letter TEXT PRIMARY KEY, rate_bp INTEGER)",
    "CREATE TABLE unit (name TEXT PRIMARY KEY, precision INTEGER NOT NULL)",
    """CREATE TABLE category (
        id INTEGER PRIMARY KEY,
        parent_id INTEGER,
        name TEXT NOT NULL
    )""",
    """CREATE TABLE product (
        id INTEGER PRIMARY KEY,
        plu TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        name_norm TEXT NOT NULL,
        name_t9 TEXT NOT NULL,
        unit TEXT NOT NULL,
        precision INTEGER NOT NULL,
        vat_letter TEXT NOT NULL,
        category_id INTEGER,
        type TEXT NOT NULL DEFAULT 'towar' CHECK (type IN ('towar', 'usluga')),
        price INTEGER NOT NULL DEFAULT 0 CHECK (price >= 0),
        active INTEGER NOT NULL DEFAULT 1
    )""",
    "CREATE INDEX product_name_norm ON product (name_norm)",
    "CREATE INDEX product_name_t9 ON product (name_t9)",
    "CREATE TABLE barcode (code TEXT PRIMARY KEY, product_id INTEGER NOT NULL)",
    "CREATE INDEX barcode_product ON barcode (product_id)",
    """CREATE TABLE discount (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('amount', 'percent')),
        value INTEGER NOT NULL CHECK (value > 0),
        scope TEXT NOT NULL CHECK (scope IN ('line', 'receipt'))
    )""",
    "CREATE TABLE sync_cursor (stream TEXT PRIMARY KEY, cursor TEXT NOT NULL)",
    """CREATE VIRTUAL TABLE product_fts USING fts5(
        name_norm, name_t9,
        content='product', content_rowid='id', tokenize='trigram'
    )""",
    *PRODUCT_FTS_TRIGGERS,
)

_LEDGER_V1: Final = (
    """CREATE TABLE document (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        doc_type TEXT NOT NULL,
        number INTEGER NOT NULL CHECK (number > 0),
        kind TEXT NOT NULL,
        created_utc TEXT NOT NULL,
        created_local TEXT NOT NULL,
        cashier_id INTEGER NOT NULL,
        cashier_name TEXT NOT NULL,
        store_id INTEGER NOT NULL,
        terminal_id INTEGER NOT NULL,
        total INTEGER NOT NULL,
        discount_total INTEGER NOT NULL,
        vat TEXT NOT NULL,
        buyer_nip TEXT,
        buyer_name TEXT,
        buyer_address TEXT,
        upload_state TEXT NOT NULL DEFAULT 'pending'
            CHECK (upload_state IN ('pending', 'sent', 'quarantined')),
        upload_attempts INTEGER NOT NULL DEFAULT 0,
        next_try_at TEXT,
        reject_reason TEXT,
        sent_at TEXT,
        UNIQUE (doc_type, number)
    )""",
    "CREATE INDEX document_upload ON document (upload_state, created_utc)",
    """CREATE TABLE document_line (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES document (id),
        position INTEGER NOT NULL,
        product_id INTEGER,
        plu TEXT NOT NULL,
        name TEXT NOT NULL,
        unit TEXT NOT NULL,
        precision INTEGER NOT NULL,
        unit_price INTEGER NOT NULL,
        qty INTEGER NOT NULL,
        vat_letter TEXT NOT NULL,
        gross INTEGER NOT NULL,
        line_discount INTEGER NOT NULL,
        receipt_discount INTEGER NOT NULL,
        value INTEGER NOT NULL,
        UNIQUE (document_id, position)
    )""",
    """CREATE TABLE document_payment (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES document (id),
        position INTEGER NOT NULL,
        method TEXT NOT NULL,
        name TEXT NOT NULL,
        amount INTEGER NOT NULL,
        change INTEGER NOT NULL DEFAULT 0,
        UNIQUE (document_id, position)
    )""",
    """CREATE TABLE number_sequence (
        doc_type TEXT PRIMARY KEY,
        last_number INTEGER NOT NULL CHECK (last_number >= 0)
    )""",
    """CREATE TRIGGER document_no_delete BEFORE DELETE ON document BEGIN
        SELECT RAISE(ABORT, 'ledger documents are never deleted');
    END""",
    """CREATE TRIGGER document_line_no_delete BEFORE DELETE ON document_line BEGIN
        SELECT RAISE(ABORT, 'ledger lines are never deleted');
    END""",
    """CREATE TRIGGER document_payment_no_delete BEFORE DELETE ON document_payment BEGIN
        SELECT RAISE(ABORT, 'ledger payments are never deleted');
    END""",
    """CREATE TRIGGER document_line_no_update BEFORE UPDATE ON document_line BEGIN
        SELECT RAISE(ABORT, 'ledger lines are never changed');
    END""",
    """CREATE TRIGGER document_payment_no_update BEFORE UPDATE ON document_payment BEGIN
        SELECT RAISE(ABORT, 'ledger payments are never changed');
    END""",
    """CREATE TRIGGER document_frozen BEFORE UPDATE ON document
    WHEN old.uuid IS NOT new.uuid OR old.doc_type IS NOT new.doc_type
      OR old.number IS NOT new.number OR old.kind IS NOT new.kind
      OR old.created_utc IS NOT new.created_utc OR old.created_local IS NOT new.created_local
      OR old.cashier_id IS NOT new.cashier_id OR old.cashier_name IS NOT new.cashier_name
      OR old.store_id IS NOT new.store_id OR old.terminal_id IS NOT new.terminal_id
      OR old.total IS NOT new.total OR old.discount_total IS NOT new.discount_total
      OR old.vat IS NOT new.vat OR old.buyer_nip IS NOT new.buyer_nip
      OR old.buyer_name IS NOT new.buyer_name OR old.buyer_address IS NOT new.buyer_address
    BEGIN
        SELECT RAISE(ABORT, 'a stored document never changes, only its upload state');
    END""",
)

_LOCAL_V1: Final = (
    "CREATE TABLE local_setting (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE login_failure (
        identifier TEXT PRIMARY KEY,
        failures INTEGER NOT NULL DEFAULT 0,
        locked_until_utc TEXT
    )""",
    """CREATE TABLE product_sales (
        product_id INTEGER PRIMARY KEY,
        sale_count INTEGER NOT NULL DEFAULT 0,
        qty_sold INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX product_sales_rank ON product_sales (sale_count DESC)",
)

#: Version 2: what applying the back office's change feed needs. Wire ids of entities
#: the terminal keys otherwise (units and payment methods by name/code, barcodes by
#: code), the wire's product fields the sales row does not carry (unit id, the back
#: office's own active flag "listed", open price), and this store's prices as the feed
#: sends them, so a price may arrive before or after its product.
_SYNC_V2: Final = (
    "ALTER TABLE unit ADD COLUMN sync_id INTEGER",
    "CREATE UNIQUE INDEX unit_sync_id ON unit (sync_id)",
    "ALTER TABLE barcode ADD COLUMN sync_id INTEGER",
    "CREATE INDEX barcode_sync_id ON barcode (sync_id)",
    "ALTER TABLE payment_method ADD COLUMN sync_id INTEGER",
    "CREATE UNIQUE INDEX payment_method_sync_id ON payment_method (sync_id)",
    "ALTER TABLE product ADD COLUMN unit_id INTEGER",
    "ALTER TABLE product ADD COLUMN listed INTEGER NOT NULL DEFAULT 1",
    "ALTER TABLE product ADD COLUMN open_price INTEGER NOT NULL DEFAULT 0",
    "CREATE INDEX product_unit_id ON product (unit_id)",
    """CREATE TABLE price (
        product_id INTEGER PRIMARY KEY,
        price INTEGER NOT NULL CHECK (price >= 0)
    )""",
)

#: Version 3: parked receipts ("Paragony"), the open receipts a cashier rings up.
#: They are not ledger documents (no number, never uploaded): each keeps its own copy
#: of every line, is rewritten as it changes, and is deleted when paid (in the ledger
#: commit's transaction), voided, or cleared by the daily report. At most one is the
#: current one (the partial unique index), shown as "Sprzedaż n" on the top bar. Ids are
#: never reused (AUTOINCREMENT): the app holds the id of its open receipt, and a deleted
#: receipt's id must not come back as somebody else's.
_PARKED_V3: Final = (
    """CREATE TABLE parked_receipt (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        number INTEGER NOT NULL UNIQUE CHECK (number > 0),
        source TEXT NOT NULL DEFAULT 'terminal' CHECK (source IN ('terminal', 'backoffice')),
        is_current INTEGER NOT NULL DEFAULT 0 CHECK (is_current IN (0, 1)),
        discount_kind TEXT CHECK (discount_kind IN ('amount', 'percent')),
        discount_value INTEGER,
        line_count INTEGER NOT NULL DEFAULT 0,
        total INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE UNIQUE INDEX parked_receipt_one_current ON parked_receipt (is_current) WHERE is_current = 1",
    """CREATE TABLE parked_line (
        parked_id INTEGER NOT NULL REFERENCES parked_receipt (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        product_id INTEGER,
        plu TEXT NOT NULL,
        name TEXT NOT NULL,
        unit TEXT NOT NULL,
        precision INTEGER NOT NULL,
        unit_price INTEGER NOT NULL,
        qty INTEGER NOT NULL,
        vat_letter TEXT NOT NULL,
        discount_kind TEXT CHECK (discount_kind IN ('amount', 'percent')),
        discount_value INTEGER,
        PRIMARY KEY (parked_id, position)
    ) WITHOUT ROWID""",
)

#: The electronic journal's indexes and its append-only triggers (version 4 made them;
#: version 5 rebuilds the table and makes them again).
_JOURNAL_GUARDS: Final = (
    "CREATE INDEX printer_journal_document ON printer_journal (document_uuid)",
    "CREATE INDEX printer_journal_document_number ON printer_journal (document_number)",
    """CREATE TRIGGER printer_journal_no_delete BEFORE DELETE ON printer_journal BEGIN
        SELECT RAISE(ABORT, 'the electronic journal is never deleted');
    END""",
    """CREATE TRIGGER printer_journal_no_update BEFORE UPDATE ON printer_journal BEGIN
        SELECT RAISE(ABORT, 'a journaled printout never changes');
    END""",
)

#: Version 4: the simulated devices of the duet. The fiscal printer's state (one row),
#: its PTU table (``used`` marks letters printed on a receipt: their rate may not go
#: up, the "schodek podatkowy") and its electronic journal, append-only like the real
#: one; the payment application's card transactions and numbered settlements.
_DEVICES_V4: Final = (
    """CREATE TABLE printer_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        serial TEXT NOT NULL,
        vat_table_utc TEXT,
        vat_table_writes INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE printer_vat (
        letter TEXT PRIMARY KEY CHECK (letter IN ('A', 'B', 'C', 'D', 'E', 'F', 'G')),
        rate_bp INTEGER CHECK (rate_bp IS NULL OR rate_bp BETWEEN 0 AND 9999),
        used INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1))
    )""",
    """CREATE TABLE printer_journal (
        number INTEGER PRIMARY KEY CHECK (number > 0),
        kind TEXT NOT NULL CHECK (kind IN ('receipt', 'settlement', 'vat_table')),
        printed_utc TEXT NOT NULL,
        printed_local TEXT NOT NULL,
        document_uuid TEXT,
        document_number INTEGER,
        text TEXT NOT NULL,
        text_norm TEXT NOT NULL
    )""",
    *_JOURNAL_GUARDS,
    """CREATE TABLE card_settlement (
        number INTEGER PRIMARY KEY CHECK (number > 0),
        settled_utc TEXT NOT NULL,
        settled_local TEXT NOT NULL,
        tx_count INTEGER NOT NULL,
        total INTEGER NOT NULL,
        reversed_count INTEGER NOT NULL
    )""",
    """CREATE TABLE card_transaction (
        id INTEGER PRIMARY KEY,
        created_utc TEXT NOT NULL,
        created_local TEXT NOT NULL,
        amount INTEGER NOT NULL CHECK (amount > 0),
        auth_code TEXT NOT NULL,
        card_masked TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'approved' CHECK (state IN ('approved', 'reversed')),
        reversed_utc TEXT,
        receipt_uuid TEXT,
        receipt_number INTEGER,
        settlement_number INTEGER REFERENCES card_settlement (number)
    )""",
    "CREATE INDEX card_transaction_open ON card_transaction (settlement_number, state)",
    """CREATE TRIGGER card_transaction_no_delete BEFORE DELETE ON card_transaction BEGIN
        SELECT RAISE(ABORT, 'card transactions are never deleted');
    END""",
)

#: Version 5: the working day. Returns, cash operations, cash reports and daily
#: reports are ledger documents like receipts (own gapless number per type); what only
#: some types carry (a return's original receipt, a cash operation's reason, a daily
#: report's sums) is one JSON ``extra`` written once with the document. A return line
#: names the line of the original receipt it gives back. Voided receipts are logged
#: for the daily report's void count. The printer's journal learns the new printouts
#: (SQLite cannot widen a CHECK, so the table is rebuilt with its rows and triggers).
_DAY_V5: Final = (
    "ALTER TABLE document ADD COLUMN extra TEXT",
    """CREATE TRIGGER document_extra_frozen BEFORE UPDATE OF extra ON document
    WHEN old.extra IS NOT new.extra BEGIN
        SELECT RAISE(ABORT, 'a stored document never changes, only its upload state');
    END""",
    "ALTER TABLE document_line ADD COLUMN original_line INTEGER",
    "CREATE INDEX document_type_time ON document (doc_type, created_local)",
    """CREATE TABLE receipt_void (
        id INTEGER PRIMARY KEY,
        created_utc TEXT NOT NULL,
        created_local TEXT NOT NULL,
        cashier_id INTEGER NOT NULL,
        cashier_name TEXT NOT NULL,
        line_count INTEGER NOT NULL CHECK (line_count >= 0),
        total INTEGER NOT NULL
    )""",
    """CREATE TRIGGER receipt_void_no_delete BEFORE DELETE ON receipt_void BEGIN
        SELECT RAISE(ABORT, 'the void log is never deleted');
    END""",
    "DROP TRIGGER printer_journal_no_delete",
    "DROP TRIGGER printer_journal_no_update",
    "ALTER TABLE printer_journal RENAME TO printer_journal_v4",
    """CREATE TABLE printer_journal (
        number INTEGER PRIMARY KEY CHECK (number > 0),
        kind TEXT NOT NULL CHECK (kind IN ('receipt', 'settlement', 'vat_table', 'daily_report',
            'periodic_report', 'return', 'cash', 'update')),
        printed_utc TEXT NOT NULL,
        printed_local TEXT NOT NULL,
        document_uuid TEXT,
        document_number INTEGER,
        text TEXT NOT NULL,
        text_norm TEXT NOT NULL
    )""",
    "INSERT INTO printer_journal SELECT * FROM printer_journal_v4",
    "DROP TABLE printer_journal_v4",
    *_JOURNAL_GUARDS,
)

#: Version 6: the payment application refunds to a card (a return paid back by card).
#: A refund is a card transaction of its own kind, linked to the return document; a
#: settlement nets refunds against payments.
_CARD_REFUND_V6: Final = (
    "ALTER TABLE card_transaction ADD COLUMN kind TEXT NOT NULL DEFAULT 'payment' "
    "CHECK (kind IN ('payment', 'refund'))",
)

#: Version 7: permissions for every menu item, and a manager's authorisation of what
#: a cashier may not do alone. The permissions the till enforces from now on (void,
#: day_close, reports, settings) are granted to every user synced before, so an
#: update locks nobody out (the back office's migration 3 does the same there; the
#: owner restricts someone afterwards). An open receipt keeps the authorisations
#: given on it (JSON, moved into the ledger document when it is paid); a voided
#: receipt records who authorised the void.
_PERMISSIONS_V7: Final = (
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
_DEPOSIT_V8: Final = (
    "ALTER TABLE product ADD COLUMN deposit INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE parked_line ADD COLUMN deposit INTEGER NOT NULL DEFAULT 0",
)

#: Version 9 (issue 14 item 3): invoices have their own number
#: series. ``document.invoice_number`` holds e.g. "FV/K3/12/2026/0001" (unique; set in
#: the commit's transaction from ``number_sequence`` rows keyed by series and period,
#: never changed afterwards). The printer journal gains the kinds 'invoice',
#: 'invoice_correction' and 'deposit_return' (the last for the deposit refunds), the
#: table recreated with its guards as in version 5.
_INVOICES_V9: Final = (
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
    *_JOURNAL_GUARDS,
)

#: Version 10 (issue 15 item 4, till side): what the back office holds under a uuid
#: it answered "uuid_conflict" for (its summary as JSON: type, number, total,
#: line_count, lines), so 5. Transakcje can show both versions; one row per document,
#: replaced when the answer comes again.
_UPLOAD_CONFLICT_V10: Final = (
    """CREATE TABLE upload_conflict (
        document_uuid TEXT PRIMARY KEY,
        remote TEXT NOT NULL,
        seen_utc TEXT NOT NULL
    )""",
)

#: Version 11: nothing committed goes unprinted (issue 14, item 4): at start the till prints every
#: document without a printer-journal entry. Documents already stored when this step
#: runs predate that check; their last id is kept as the local setting
#: "journal_recovery_after" (terminal/journal_recovery.py), so they are not reprinted.
_JOURNAL_RECOVERY_V11: Final = (
    "INSERT OR IGNORE INTO local_setting (key, value) "
    "SELECT 'journal_recovery_after', CAST(coalesce(max(id), 0) AS TEXT) FROM document",
)

#: Version 12 (issue 14 items 3 and 6): at most one invoice
#: ("Faktura do paragonu", document type 'invoice') per receipt of a till, enforced
#: by a unique index on the receipt it names in its ``extra``; and the cashier who
#: opened each parked receipt, so "6. Paragony" can show a cashier only their own.
_INVOICES2_V12: Final = (
    "CREATE UNIQUE INDEX document_invoice_of_receipt ON document "
    "(json_extract(extra, '$.receipt.terminal_id'), json_extract(extra, '$.receipt.number')) "
    "WHERE doc_type = 'invoice'",
    "ALTER TABLE parked_receipt ADD COLUMN cashier_id INTEGER",
)

#: Step n (1-based) brings a database from user_version n-1 to n.
MIGRATIONS: Final[tuple[Sequence[str], ...]] = (
    (*_CATALOGUE_V1, *_LEDGER_V1, *_LOCAL_V1),
    _SYNC_V2,
    _PARKED_V3,
    _DEVICES_V4,
    _DAY_V5,
    _CARD_REFUND_V6,
    _PERMISSIONS_V7,
    _DEPOSIT_V8,
    _INVOICES_V9,
    _UPLOAD_CONFLICT_V10,
    _JOURNAL_RECOVERY_V11,
    _INVOICES2_V12,
)

#: The schema version this release writes and the newest it can open.
SCHEMA_VERSION: Final = len(MIGRATIONS)


def schema_version(db: SqliteDatabase) -> int:
    """The ``PRAGMA user_version`` of an open database (0 for a new file)."""
    row = db.execute_sql("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(db: SqliteDatabase) -> list[int]:
    """Apply every step above the database's version; return the versions applied.

    The caller has already refused a database newer than :data:`SCHEMA_VERSION`
    (see ``db.open_terminal``), so this only ever moves forward.
    """
    applied: list[int] = []
    for version in range(schema_version(db) + 1, SCHEMA_VERSION + 1):
        with db.atomic("IMMEDIATE"):
            if schema_version(db) >= version:
                continue
            for statement in MIGRATIONS[version - 1]:
                db.execute_sql(statement)
            db.execute_sql(f"PRAGMA user_version = {version:d}")
        applied.append(version)
    return applied
