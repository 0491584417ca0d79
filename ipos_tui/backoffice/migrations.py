"""Numbered schema migrations, applied in order, each in its own transaction.

A newer back office opens an older database without loss: it applies the steps the
database has not seen yet (recorded in ``schema_version``). Step 1 creates the first
schema; later steps must use ``playhouse.migrate`` or SQL, never rely on the current
model definitions.
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import Database

from ipos_tui.backoffice.models import MODELS, SchemaVersion
from ipos_tui.domain.errors import DomainError


def _create_initial_schema(db: Database) -> None:
    """Version 1: every table of the first release."""
    db.create_tables(MODELS, safe=True)


#: (version, step) in ascending order.
MIGRATIONS: tuple[tuple[int, Callable[[Database], None]], ...] = ((1, _create_initial_schema),)

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
