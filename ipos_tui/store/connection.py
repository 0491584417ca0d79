"""This terminal's connection to its back office: server address, identity, token.

Kept in the LOCAL world (``local_setting``), never in the catalogue: a catalogue
rebuild (reset, demo reseed) must not make a till forget where it belongs. The token
is a secret: it is never logged or shown (``repr`` hides it), and activation makes
the database file readable by its owner only — SQLite gives its WAL and journal
files the database file's permissions.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from peewee import SqliteDatabase

from ipos_tui.store.models import Models

KEY_CONNECTION: Final = "connection"


@dataclass(frozen=True)
class Connection:
    """Where and as whom this terminal syncs."""

    server_url: str
    terminal_id: int
    store_id: int
    token: str = field(repr=False)
    name: str = ""


class ConnectionStore:
    """Reads and writes the terminal's :class:`Connection` (one row of local state)."""

    def __init__(self, db: SqliteDatabase, models: Models) -> None:
        self._db = db
        self._m = models

    def get(self) -> Connection | None:
        """The stored connection, or None while the terminal is not activated."""
        table = self._m.local_setting
        row = table.get_or_none(table.key == KEY_CONNECTION)
        if row is None:
            return None
        data = json.loads(row.value)
        return Connection(
            server_url=str(data["server_url"]),
            terminal_id=int(data["terminal_id"]),
            store_id=int(data["store_id"]),
            token=str(data["token"]),
            name=str(data.get("name", "")),
        )

    def save(self, connection: Connection) -> None:
        """Store ``connection`` (replacing any older one) in the caller's transaction."""
        value = json.dumps(
            {
                "server_url": connection.server_url,
                "terminal_id": connection.terminal_id,
                "store_id": connection.store_id,
                "token": connection.token,
                "name": connection.name,
            },
            ensure_ascii=False,
        )
        # Straight on the DB-API cursor: peewee logs every query it runs with its
        # parameters at DEBUG level, and this one carries the token.
        self._db.cursor().execute(
            "INSERT INTO local_setting (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (KEY_CONNECTION, value),
        )

    def clear(self) -> None:
        """Forget the connection (the terminal must be activated again)."""
        table = self._m.local_setting
        table.delete().where(table.key == KEY_CONNECTION).execute()


def restrict_to_owner(db_path: Path) -> None:
    """Make the database and its WAL/SHM files readable by the owner only (0600).

    Best effort on filesystems without POSIX modes: the token must not be readable
    by other local users where the OS can prevent it.
    """
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = Path(f"{db_path}{suffix}")
        if path.exists():
            try:
                os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
            except OSError:
                continue
