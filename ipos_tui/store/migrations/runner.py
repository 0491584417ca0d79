"""Numbered schema steps of the terminal database, keyed by ``PRAGMA user_version``.

Each step is plain SQL frozen at the release that introduced it: a later release
adds a new step and never edits an old one, so any older database walks forward
to the current schema without losing a row. Every step runs in its own
``BEGIN IMMEDIATE`` transaction together with the ``user_version`` bump, so a
crash mid-migration leaves the previous version intact.

Two worlds live in the steps (``v01_base``, ``v02_to_v06``, ``v07_to_v12``, ``v13_outbox``) and never
reference each other:

* catalogue tables (replaceable, from the back office) without foreign keys,
  because the sync feed may deliver a barcode before its product;
* ledger tables (precious, made here), append-only: triggers refuse any delete
  and any change of a stored document other than its upload bookkeeping.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from peewee import SqliteDatabase

from ipos_tui.store.migrations.v01_base import (
    CATALOGUE_V1,
    LEDGER_V1,
    LOCAL_V1,
    PRODUCT_FTS_TRIGGER_NAMES,
    PRODUCT_FTS_TRIGGERS,
)
from ipos_tui.store.migrations.v02_to_v06 import (
    CARD_REFUND_V6,
    DAY_V5,
    DEVICES_V4,
    PARKED_V3,
    SYNC_V2,
)
from ipos_tui.store.migrations.v07_to_v12 import (
    DEPOSIT_V8,
    INVOICES2_V12,
    INVOICES_V9,
    JOURNAL_RECOVERY_V11,
    PERMISSIONS_V7,
    UPLOAD_CONFLICT_V10,
)
from ipos_tui.store.migrations.v13_outbox import OUTBOX_V13

__all__ = [
    "MIGRATIONS",
    "PRODUCT_FTS_TRIGGERS",
    "PRODUCT_FTS_TRIGGER_NAMES",
    "SCHEMA_VERSION",
    "migrate",
    "schema_version",
]


#: Step n (1-based) brings a database from user_version n-1 to n.
MIGRATIONS: Final[tuple[Sequence[str], ...]] = (
    (*CATALOGUE_V1, *LEDGER_V1, *LOCAL_V1),
    SYNC_V2,
    PARKED_V3,
    DEVICES_V4,
    DAY_V5,
    CARD_REFUND_V6,
    PERMISSIONS_V7,
    DEPOSIT_V8,
    INVOICES_V9,
    UPLOAD_CONFLICT_V10,
    JOURNAL_RECOVERY_V11,
    INVOICES2_V12,
    OUTBOX_V13,
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
