"""Opening a terminal's data directory: lock, safety checks, pragmas, migrations.

The database holds the ledger, the one thing a till must never lose, so opening
it is deliberately careful:

* one process per terminal: an exclusive ``flock`` on ``terminal.lock`` held
  until :meth:`Terminal.close` (flock locks belong to the open file description,
  so even a second open in the same process is refused);
* the file is probed read-only BEFORE the real connection applies its pragmas
  (``journal_mode=wal`` would rewrite the header): a database from a newer app,
  a corrupt file or another program's database (tables, but no schema version of
  ours) is refused and left byte-for-byte as it was, never "repaired" by
  recreating it or migrated into;
* a full disk or a read-only data directory is a :class:`DomainError` the
  cashier can read (:func:`storage_error`), at the open and at every sale;
* pragmas (WAL, ``synchronous=FULL``, foreign keys, busy timeout) are set in the
  constructor, so every connection of every worker thread gets them.
"""

from __future__ import annotations

import errno
import fcntl
import os
import sqlite3
from pathlib import Path
from types import TracebackType
from typing import Final

from peewee import DatabaseError as PeeweeDatabaseError
from peewee import SqliteDatabase

from ipos_tui.domain.errors import DomainError
from ipos_tui.store.auth import AuthService
from ipos_tui.store.catalog import CatalogService
from ipos_tui.store.ledger import LedgerService
from ipos_tui.store.ledger.guard import GUARD_FILENAME, NumberGuard
from ipos_tui.store.write_turns import TerminalDatabase
from ipos_tui.store.migrations import SCHEMA_VERSION, migrate, schema_version
from ipos_tui.store.models import Models, bind_models
from ipos_tui.store.paths import create_private_file, make_private_dir
from ipos_tui.store.settings import SettingsService

DB_FILENAME: Final = "terminal.sqlite3"
LOCK_FILENAME: Final = "terminal.lock"
#: How long a writer waits for another connection's write lock (ms).
BUSY_TIMEOUT_MS: Final = 5000

PRAGMAS: Final = {
    "journal_mode": "wal",
    "synchronous": "full",
    "foreign_keys": 1,
    "busy_timeout": BUSY_TIMEOUT_MS,
}

#: SQLite result codes meaning the file's content is not a sound database.
_CORRUPT_CODES: Final = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
#: What a write that failed for lack of room or for a read-only disk is told as.
_FULL_ERRNOS: Final = frozenset({errno.ENOSPC, errno.EDQUOT})
_READONLY_ERRNOS: Final = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})
DISK_FULL: Final = "err.disk_full"
READ_ONLY: Final = "err.storage_readonly"


def storage_error(exc: BaseException, path: Path | str = "") -> DomainError | None:
    """The cashier's message for a write that failed because the disk is full
    (SQLITE_FULL, ENOSPC) or the data directory is read-only (SQLITE_READONLY,
    EROFS, EACCES), or None for any other error.

    The whole chain is looked at: when a commit fails for lack of room SQLite rolls
    the transaction back itself and peewee's own rollback then fails with "no
    transaction is active", which hides the real cause in ``__context__``."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        error = todo.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        code = getattr(error, "sqlite_errorcode", None)
        if isinstance(code, int):
            if code & 0xFF == sqlite3.SQLITE_FULL:
                return DomainError(DISK_FULL, path=str(path))
            if code & 0xFF == sqlite3.SQLITE_READONLY:
                return DomainError(READ_ONLY, path=str(path))
        if isinstance(error, OSError) and not isinstance(error, BlockingIOError):
            if error.errno in _FULL_ERRNOS:
                return DomainError(DISK_FULL, path=str(path))
            if error.errno in _READONLY_ERRNOS:
                return DomainError(READ_ONLY, path=str(path))
        todo += [getattr(error, "orig", None), error.__cause__, error.__context__]
    return None


class _DirectoryLock:
    """An exclusive, non-blocking ``flock`` on a lock file, with our pid written in.

    The file itself is never deleted: removing it would let a third process lock a
    fresh inode while the second still holds the old one.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DomainError("err.db_locked", path=str(path.parent)) from None
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:  # a full disk: not even the pid fits; the lock must not stay held
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
            raise
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        """True until :meth:`release`."""
        return self._fd is not None

    def release(self) -> None:
        """Unlock and close; safe to call twice."""
        if self._fd is None:
            return
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None


def _probe(path: Path) -> None:
    """Refuse a database that is newer than this app or not sound, touching nothing.

    A missing or empty file is a new terminal. The probe reads the header version
    and runs ``PRAGMA quick_check`` on a read-only connection without pragmas.
    """
    if not path.exists() or path.stat().st_size == 0:
        return
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        found = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if found > SCHEMA_VERSION:
            raise DomainError("err.db_too_new", found=found, supported=SCHEMA_VERSION)
        if found == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            # every step of ours bumps user_version with its tables: a version 0 file
            # with tables is another program's database, not a new till's
            raise DomainError("err.db_foreign", path=str(path))
        result = conn.execute("PRAGMA quick_check").fetchall()
        if result != [("ok",)]:
            raise DomainError("err.db_corrupt", path=str(path))
    except sqlite3.Error as exc:
        if _is_corruption(exc):
            raise DomainError("err.db_corrupt", path=str(path)) from exc
        raise
    finally:
        conn.close()


def _is_corruption(exc: Exception) -> bool:
    """Whether an sqlite3 (or peewee-wrapped, original in ``orig``) error means a bad file."""
    original = getattr(exc, "orig", exc)
    return getattr(original, "sqlite_errorcode", None) in _CORRUPT_CODES


class Terminal:
    """One open terminal database and the services built on it.

    ``db`` is a thread-aware peewee database: each worker thread wraps its work in
    ``with terminal.db.connection_context():`` to get (and close) its own connection.
    """

    def __init__(self, data_dir: Path, db: SqliteDatabase, lock: _DirectoryLock) -> None:
        self.data_dir = data_dir
        self.db = db
        self._lock = lock
        self.models: Models = bind_models(db)
        self.settings = SettingsService(db, self.models)
        self.catalog = CatalogService(db, self.models)
        self.auth = AuthService(db, self.models, self.settings)
        self.ledger = LedgerService(db, self.models, self.settings)

    @property
    def db_path(self) -> Path:
        """The SQLite file of this terminal."""
        return self.data_dir / DB_FILENAME

    @property
    def schema_version(self) -> int:
        """The schema version of the open database (``PRAGMA user_version``)."""
        return schema_version(self.db)

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran."""
        return not self._lock.held

    def close(self) -> None:
        """Close the main thread's connection and release the directory lock."""
        try:
            if not self.db.is_closed():
                self.db.close()
        finally:
            self._lock.release()

    def __enter__(self) -> Terminal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_terminal(data_dir: Path) -> Terminal:
    """Open (creating if needed) the terminal database in ``data_dir``, migrated.

    Raises DomainError "err.db_locked" when another process has it open,
    "err.db_too_new" for a database of a newer release, "err.db_corrupt" for a
    file that is not a sound SQLite database and "err.db_foreign" for another
    program's database; in the last three cases the file is left exactly as it
    was. A full disk or a read-only data directory is "err.disk_full" or
    "err.storage_readonly" (:func:`storage_error`).
    """
    data_dir = Path(data_dir)
    try:
        return _open_terminal(data_dir)
    except (OSError, sqlite3.Error, PeeweeDatabaseError) as exc:
        told = storage_error(exc, data_dir)
        if told is None:
            raise
        raise told from exc


def _open_terminal(data_dir: Path) -> Terminal:
    make_private_dir(data_dir)
    lock = _DirectoryLock(data_dir / LOCK_FILENAME)
    try:
        path = data_dir / DB_FILENAME
        _probe(path)
        create_private_file(path)
        # the cashier's write transactions go before the sync workers' (write_turns.py)
        db = TerminalDatabase(str(path), pragmas=PRAGMAS, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            db.connect()
            migrate(db)
        except (sqlite3.Error, PeeweeDatabaseError) as exc:
            db.close()
            if _is_corruption(exc):
                raise DomainError("err.db_corrupt", path=str(path)) from exc
            raise
        except BaseException:
            db.close()
            raise
        terminal = Terminal(data_dir, db, lock)
        try:  # a database put back from an older copy goes on above its guard
            terminal.ledger.start_guard(NumberGuard(data_dir / GUARD_FILENAME))
        except BaseException:
            db.close()
            raise
        return terminal
    except BaseException:
        lock.release()
        raise
