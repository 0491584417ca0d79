"""Database backup before an install, and the ledger fingerprint that decides a restore.

The backup uses SQLite's online backup API (a consistent copy even with a WAL file
beside it). After a failed update the copy is put back only if the ledger has not
changed since the backup — a receipt written by the new version in between would
otherwise be lost, and the ledger is never lost.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

#: Append-only ledger tables: their row count and highest rowid change with any write.
LEDGER_APPEND_ONLY = ("document", "document_line", "document_payment", "printer_journal",
                      "card_transaction", "card_settlement")
#: Small ledger-side tables that are rewritten in place: hashed whole.
LEDGER_MUTABLE = ("number_sequence", "parked_receipt", "parked_line")


def backup_database(source: Path, target: Path) -> None:
    """Copy the SQLite database ``source`` to ``target`` (fsynced) with the backup API."""
    if not target.parent.is_dir():  # a new backup directory is owner-only (0700)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(target.parent, 0o700)
    _copy(source, target, target.with_name(target.name + ".part"))


def restore_database(backup: Path, target: Path) -> None:
    """Put ``backup`` back as ``target`` (its WAL and shared-memory files removed first)."""
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    _copy(backup, target, target.with_name(target.name + ".restore"))


def _copy(source: Path, target: Path, partial: Path) -> None:
    """SQLite's backup API from ``source`` (read-only) into ``partial``, fsynced, then
    renamed over ``target``: a crash leaves either the old file or the whole copy."""
    partial.unlink(missing_ok=True)
    # the copy holds the shop's sales: owner-only (0600) whatever the umask
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)


def ledger_columns(database: Path) -> dict[str, list[str]]:
    """The columns of the ledger's mutable tables in ``database`` (what a digest covers)."""
    conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {table: [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]
                for table in LEDGER_MUTABLE}
    finally:
        conn.close()


def ledger_fingerprint(database: Path, columns: dict[str, list[str]] | None = None) -> str:
    """A digest of the ledger's state: equal digests mean no ledger write in between.

    Read-only. ``columns`` (from :func:`ledger_columns` of the backup) restricts the
    mutable tables to the columns the backup had, so a migration that only added a
    column or an empty table does not count as a ledger change — the old app needs
    its copy back exactly then, as it cannot open the migrated file.
    """
    columns = columns if columns is not None else ledger_columns(database)
    conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        digest = hashlib.sha256()
        for table in LEDGER_APPEND_ONLY:
            if table in tables:
                count, top = conn.execute(
                    f'SELECT count(*), coalesce(max(rowid), 0) FROM "{table}"').fetchone()
                if count:
                    digest.update(f"{table}:{count}:{top};".encode())
        for table, names in columns.items():
            if not names:
                continue
            if table not in tables:
                digest.update(f"{table}:missing;".encode())
                continue
            selected = ", ".join(f'"{name}"' for name in names)
            try:
                rows = conn.execute(f'SELECT {selected} FROM "{table}" ORDER BY rowid')
                for row in rows:
                    digest.update(f"{table}:{row!r};".encode())
            except sqlite3.OperationalError:  # a column of the backup is gone
                digest.update(f"{table}:changed;".encode())
        return digest.hexdigest()
    finally:
        conn.close()
