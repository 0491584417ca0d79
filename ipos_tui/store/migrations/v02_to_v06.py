"""Steps 2 to 6: sync cursors, parked receipts, devices, the fiscal day, card refunds.
Frozen: never edited after their release."""

from __future__ import annotations

from typing import Final

#: Version 2: what applying the back office's change feed needs. Wire ids of entities
#: the terminal keys otherwise (units and payment methods by name/code, barcodes by
#: code), the wire's product fields the sales row does not carry (unit id, the back
#: office's own active flag "listed", open price), and this store's prices as the feed
#: sends them, so a price may arrive before or after its product.
SYNC_V2: Final = (
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
PARKED_V3: Final = (
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
JOURNAL_GUARDS: Final = (
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
DEVICES_V4: Final = (
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
    *JOURNAL_GUARDS,
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
DAY_V5: Final = (
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
    *JOURNAL_GUARDS,
)

#: Version 6: the payment application refunds to a card (a return paid back by card).
#: A refund is a card transaction of its own kind, linked to the return document; a
#: settlement nets refunds against payments.
CARD_REFUND_V6: Final = (
    "ALTER TABLE card_transaction ADD COLUMN kind TEXT NOT NULL DEFAULT 'payment' "
    "CHECK (kind IN ('payment', 'refund'))",
)
