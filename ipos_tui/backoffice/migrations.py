"""Numbered schema migrations, applied in order, each in its own transaction.

A newer back office opens an older database without loss: it applies the steps the
database has not seen yet (recorded in ``schema_version``). Step 1 creates the first
schema; later steps must use ``playhouse.migrate`` or SQL, never rely on the current
model definitions.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from peewee import Database

from ipos_tui.backoffice.models import MODELS, SchemaVersion
from ipos_tui.domain.errors import DomainError


def _create_initial_schema(db: Database) -> None:
    """Version 1: every table of the first release."""
    db.create_tables(MODELS, safe=True)


#: Columns migration 2 adds to ``transaction_doc``: the receipt's kind and its buyer.
#: Plain SQL valid on SQLite and PostgreSQL; the NOT NULL default makes every existing
#: row a "paragon", which is what it was sent as.
_RECEIPT_BUYER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("kind", "VARCHAR(16) NOT NULL DEFAULT 'paragon'"),
    ("buyer_nip", "VARCHAR(10)"),
    ("buyer_name", "VARCHAR(120)"),
    ("buyer_address", "VARCHAR(200)"),
)


def _add_receipt_kind_and_buyer(db: Database) -> None:
    """Version 2: document kind and buyer on stored transactions.

    A database created by this release already has the columns (step 1 creates the
    current tables), so only the missing ones are added.
    """
    table = "transaction_doc"
    present = {column.name for column in db.get_columns(table)}
    for name, definition in _RECEIPT_BUYER_COLUMNS:
        if name not in present:
            db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {definition}')


#: Permissions the tills enforce since this release (everybody could do these before):
#: voiding a receipt with lines, the daily report, the monthly and periodic reports,
#: changing the till's connection. Frozen here: a later release adds its own step.
_NEWLY_ENFORCED: tuple[str, ...] = ("day_close", "reports", "settings", "void")


def _grant_newly_enforced_permissions(db: Database) -> None:
    """Version 3: every user existing now keeps doing what they could before the tills
    began to check ``void``, ``day_close``, ``reports`` and ``settings``: they are
    added to each user's permissions (the tills' schema 7 does the same to the users
    they synced). The owner takes them away from whom they choose afterwards; users
    added later get exactly what they are given."""
    rows = db.execute_sql('SELECT "id", "permissions" FROM "staff_user"').fetchall()
    for user_id, text in rows:
        try:
            held = json.loads(text or "[]")
        except ValueError:
            held = []
        if not isinstance(held, list):
            held = []
        granted = sorted({str(p) for p in held} | set(_NEWLY_ENFORCED))
        if granted != held:
            db.execute_sql('UPDATE "staff_user" SET "permissions" = %s WHERE "id" = %s'
                           .replace("%s", db.param), (json.dumps(granted), user_id))


#: Columns migration 4 adds to ``staff_user`` for iPOS web logins.
_WEB_LOGIN_COLUMNS: tuple[tuple[str, str], ...] = (
    ("web_password_hash", "VARCHAR(200)"),
    ("web_failed", "INTEGER NOT NULL DEFAULT 0"),
    ("web_locked_until", "TIMESTAMP"),
)


def _add_web_logins(db: Database) -> None:
    """Version 4: iPOS web passwords and lockout on staff, the stores a manager runs,
    and browser sessions (tables created as of this release's models)."""
    from ipos_tui.backoffice.models import UserStore, WebSession

    present = {column.name for column in db.get_columns("staff_user")}
    for name, definition in _WEB_LOGIN_COLUMNS:
        if name not in present:
            db.execute_sql(f'ALTER TABLE "staff_user" ADD COLUMN "{name}" {definition}')
    db.create_tables([UserStore, WebSession], safe=True)


#: Columns migration 5 adds to ``terminal``: what a till reports of itself for the
#: Kasoterminale page (the age of its oldest unsent sale, its staged update).
_TERMINAL_REPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("oldest_pending", "TIMESTAMP"),
    ("staged_version", "VARCHAR(64)"),
)


def _add_terminal_reports(db: Database) -> None:
    """Version 5: a terminal's oldest unsent document and staged update version."""
    present = {column.name for column in db.get_columns("terminal")}
    for name, definition in _TERMINAL_REPORT_COLUMNS:
        if name not in present:
            db.execute_sql(f'ALTER TABLE "terminal" ADD COLUMN "{name}" {definition}')


def _add_product_list_index(db: Database) -> None:
    """Version 6: an index on (company, active, name_key) for iPOS web's product list,
    so a page of active or inactive products by name never reads the table row by row."""
    db.execute_sql('CREATE INDEX IF NOT EXISTS "product_company_id_active_name_key" '
                   'ON "product" ("company_id", "active", "name_key")')


#: Columns the PIN-key-rotation migration adds: (table, column, definition).
_PIN_KEY_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("company", "pin_key_version", "INTEGER NOT NULL DEFAULT 0"),
    ("staff_user", "pin_key_version", "INTEGER NOT NULL DEFAULT 0"),
    ("staff_user", "pin_digits", "INTEGER"),
)


def _add_pin_key_versions(db: Database) -> None:
    """Version 7 (issue 15): the company's PIN key version (rotate-pin-key), and per
    member of staff the key version of their PIN hash and their PIN's length."""
    for table, name, definition in _PIN_KEY_COLUMNS:
        if name not in {column.name for column in db.get_columns(table)}:
            db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {definition}')


def _add_product_deposit(db: Database) -> None:
    """Version 8 (issue 14, item 7): a product's deposit per piece ("kaucja", the
    Polish deposit system for returnable bottles and cans), grosze, 0 for none."""
    present = {column.name for column in db.get_columns("product")}
    if "deposit" not in present:
        db.execute_sql('ALTER TABLE "product" ADD COLUMN "deposit" INTEGER NOT NULL DEFAULT 0')


def _add_numbering_issues(db: Database) -> None:
    """Version 9 (issue 15, item 5): the ``numbering_issue`` table — gaps and
    regressions of a till's document numbering (terminal, doc_type, kind, first, last,
    seen_at), shown by ``terminal list`` and the Kasoterminale page."""
    from ipos_tui.backoffice.models import NumberingIssue

    db.create_tables([NumberingIssue], safe=True)


#: Columns the invoices migration adds to "transaction" (issue 14 item 3, branch invoices2).
_INVOICE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("invoice_number", "VARCHAR(40)"),
    ("correction_number", "VARCHAR(40)"),
    ("corrected_invoice", "VARCHAR(40)"),
)


def _add_invoice_columns(db: Database) -> None:
    """Version 10 (issue 14 item 3): a document's invoice number (a Faktura sold at the
    till, or an invoice issued for an earlier receipt, type "invoice", whose receipt is
    in original_terminal / original_number), a return's correcting invoice number and
    the invoice it corrects, as columns (filled from the stored payloads of invoices
    received before), and an index to list invoices. Plain SQL for SQLite and
    PostgreSQL; the payloads are read in Python."""
    import json

    table = "transaction_doc"
    present = {column.name for column in db.get_columns(table)}
    for name, definition in _INVOICE_COLUMNS:
        if name not in present:
            db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {definition}')
    rows = db.execute_sql(
        f'SELECT "id", "payload" FROM "{table}" WHERE "doc_type" = \'receipt\' '
        "AND \"kind\" = 'faktura' AND \"invoice_number\" IS NULL"
    ).fetchall()
    for doc_id, payload in rows:
        number = json.loads(payload).get("invoice_number")
        if number:
            db.execute_sql(f'UPDATE "{table}" SET "invoice_number" = %s WHERE "id" = %s'
                           .replace("%s", db.param), (number, doc_id))
    db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{table}_invoice_number" '
                   f'ON "{table}" ("company_id", "invoice_number")')


def _add_sale_invoice_columns(db: Database) -> None:
    """Version 11 (issue 14): a return's original may be a Faktura sold at the till
    (type "sale_invoice", numbered apart from the receipts), so the original's type
    is a column (NULL: a receipt); and the VAT rates a sale or return was sold at, as
    its till sent them (JSON, NULL for documents of older tills), so reports compute
    VAT at those rates."""
    table = "transaction_doc"
    present = {column.name for column in db.get_columns(table)}
    for name, definition in (("original_type", "VARCHAR(16)"), ("vat_rates", "VARCHAR(200)")):
        if name not in present:
            db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {definition}')


def _add_throttle_failures(db: Database) -> None:
    """Version 12 (issue 17): the ``throttle_failure`` table — the guessing throttle's
    failures, shared by every worker of every machine (rule, key, at, origin)."""
    from ipos_tui.backoffice.models import ThrottleFailure

    db.create_tables([ThrottleFailure], safe=True)


def _add_number_repeats(db: Database) -> None:
    """Version 13 (issue 18): ``number_repeat`` — a document released from the
    quarantine on a number its till had already used for another (a till put back from
    an old copy) is stored beside that one as repeat 1, 2 …; the unique index becomes
    (terminal, type, number, repeat). Every existing row is repeat 0."""
    table = "transaction_doc"
    present = {column.name for column in db.get_columns(table)}
    if "number_repeat" not in present:
        db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "number_repeat" INTEGER NOT NULL DEFAULT 0')
    indexes = {index.name for index in db.get_indexes(table)}
    if f"{table}_terminal_id_doc_type_number_number_repeat" not in indexes:
        db.execute_sql(
            f'CREATE UNIQUE INDEX "{table}_terminal_id_doc_type_number_number_repeat" '
            f'ON "{table}" ("terminal_id", "doc_type", "number", "number_repeat")')
    if f"{table}_terminal_id_doc_type_number" in indexes:
        db.execute_sql(f'DROP INDEX "{table}_terminal_id_doc_type_number"')


#: (version, step) in ascending order.
MIGRATIONS: tuple[tuple[int, Callable[[Database], None]], ...] = (
    (1, _create_initial_schema),
    (2, _add_receipt_kind_and_buyer),
    (3, _grant_newly_enforced_permissions),
    (4, _add_web_logins),
    (5, _add_terminal_reports),
    (6, _add_product_list_index),
    (7, _add_pin_key_versions),
    (8, _add_product_deposit),
    (9, _add_numbering_issues),
    (10, _add_invoice_columns),
    (11, _add_sale_invoice_columns),
    (12, _add_throttle_failures),
    (13, _add_number_repeats),
)

LATEST_VERSION = MIGRATIONS[-1][0]


def current_version(db: Database) -> int:
    """Highest applied migration, 0 for an empty database."""
    if not db.table_exists(SchemaVersion._meta.table_name):
        return 0
    row = SchemaVersion.select(SchemaVersion.version).order_by(SchemaVersion.version.desc()).first()
    return row.version if row else 0


def migrate(db: Database) -> list[int]:
    """Apply pending migrations; returns the versions applied now.

    A database written by a newer back office is refused rather than misread.
    """
    found = current_version(db)
    if found > LATEST_VERSION:
        raise DomainError("err.schema_too_new", found=found, supported=LATEST_VERSION)
    applied: list[int] = []
    for version, step in MIGRATIONS:
        if version <= current_version(db):
            continue
        with db.atomic():
            step(db)
            SchemaVersion.create(version=version)
        applied.append(version)
    return applied
