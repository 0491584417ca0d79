"""Step 1: the first schema (catalogue, ledger, local state) and the product name
index's triggers. Frozen: never edited after its release."""

from __future__ import annotations

from typing import Final

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

CATALOGUE_V1: Final = (
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

LEDGER_V1: Final = (
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

LOCAL_V1: Final = (
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
