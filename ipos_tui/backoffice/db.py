"""Opening the back-office database and running write transactions under a database lock.

Two kinds of write, two locks:

* **The company's** (:func:`write_transaction`): everything that allocates change-feed
  revisions (catalogue, prices, users, settings) or changes the company's shape
  (stores, terminals, activation). The feed needs the order in which revisions become
  visible to equal their order, even when several server workers and a CLI command
  (separate processes) write at the same time, so these writes run one at a time.
* **One till's** (:func:`terminal_transaction`): what a till sends about itself, its
  documents above all (with their numbering checks and quarantine), its pull cursors
  and its last contact. Tills never wait for each other; the requests of one till (a
  retry racing its original) run one after another, and the unique indexes on a
  document's uuid and (terminal, type, number) are the backstop of exactly-once.

A Python lock cannot see other processes, so the serialisation is the database's:
``BEGIN IMMEDIATE`` on SQLite (one writer at a time, whatever it writes, taken before
the first read) and ``pg_advisory_xact_lock`` on PostgreSQL (held until commit), in a
namespace per kind of lock.
"""

from __future__ import annotations

import os

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

import platformdirs
from peewee import Database, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import connect as connect_url

#: Name of the application directory (platformdirs) holding the default database.
APP_NAME = "ipos-backoffice"
DEFAULT_DB_FILE = "backoffice.sqlite3"

#: How long a writer waits for another process's write transaction (ms).
SQLITE_BUSY_TIMEOUT_MS = 30_000

#: Advisory-lock namespaces so our keys never collide with another application's
#: (nor a company's id with a terminal's).
_PG_LOCK_NAMESPACE = 0x1F05
_PG_TERMINAL_LOCK_NAMESPACE = 0x1F06


def default_db_url() -> str:
    """SQLite file in the user's data directory (created on demand)."""
    directory = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / DEFAULT_DB_FILE}"


def sqlite_path(url: str) -> str | None:
    """The file path of a SQLite URL, or ``None`` for other databases.

    As in SQLAlchemy and peewee: ``sqlite:///shop.db`` is relative to the working
    directory, ``sqlite:////var/lib/shop.db`` absolute.
    """
    parsed = urlparse(url)
    if parsed.scheme != "sqlite":
        return None
    path = unquote(parsed.path)
    if parsed.netloc:
        path = f"/{parsed.netloc}{path}"
    return path[1:] if path.startswith("/") else path


def open_database(url: str | None = None) -> Database:
    """Open (lazily) the database at ``url``; SQLite with WAL and a busy timeout.

    PostgreSQL URLs need the optional ``postgres`` extra (psycopg2).
    """
    url = url or default_db_url()
    path = sqlite_path(url)
    if path is not None:
        if path not in ("", ":memory:"):
            _create_private(Path(path))
        return SqliteDatabase(
            path,
            pragmas={
                "journal_mode": "wal",
                "synchronous": "full",
                "foreign_keys": 1,
                "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
            },
            check_same_thread=False,
        )
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    return connect_url(url)


def _create_private(path: Path) -> None:
    """The database holds buyers' NIP and addresses and PIN and token hashes: a new file
    is created owner-only (0600; SQLite gives its -wal and -shm files the same mode) in
    a directory created owner-only (0700). Existing files keep the mode they have."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)  # an empty file is an empty SQLite database


def is_postgres(db: Database) -> bool:
    return isinstance(db, PostgresqlDatabase)


@contextmanager
def _locked_transaction(db: Database, namespace: int, key: int) -> Iterator[None]:
    """A write transaction holding the lock ``(namespace, key)`` from its first
    statement: ``BEGIN IMMEDIATE`` on SQLite (one writer at a time, whatever the key),
    ``pg_advisory_xact_lock`` on PostgreSQL (held until commit)."""
    if isinstance(db, SqliteDatabase):
        with db.atomic("IMMEDIATE"):
            yield
        return
    with db.atomic():
        if is_postgres(db):
            db.execute_sql("SELECT pg_advisory_xact_lock(%s, %s)", (namespace, key))
        yield


def write_transaction(db: Database, company_id: int) -> AbstractContextManager[None]:
    """A write transaction that holds the company's write lock from its first statement.

    Everything that allocates revisions or checks-then-writes must run inside one, so
    validation reads and the writes they justify cannot interleave with another writer.
    """
    return _locked_transaction(db, _PG_LOCK_NAMESPACE, company_id)


def terminal_transaction(db: Database, terminal_id: int) -> AbstractContextManager[None]:
    """A write transaction of one till's own rows, holding that till's lock (not the
    company's) from its first statement: other tills' writes go on beside it."""
    return _locked_transaction(db, _PG_TERMINAL_LOCK_NAMESPACE, terminal_id)
