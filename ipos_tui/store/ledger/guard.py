"""The numbering guard: the till's last numbers kept once more, outside its database.

A till database put back from an old copy (the file copied back by hand, a disk
image restored) would hand out again numbers it had already printed and sent. When
the back office answers, the till goes on above what it holds (``POST /numbers``),
but a till put back while offline would sell on reused numbers until then. So the
ledger writes its counters after every numbered commit to ``numbering.guard`` beside
the database, tagged with the database's own id; when the till opens a database
whose counters are below its guard's, it raises them first (and says so in its log).

Written after the outermost commit (peewee's ``after_commit``), never inside it: a
transaction that rolls back, or a process killed before the commit of the transaction
around the sale, must not raise a counter (numbering stays gapless), and a guard that lags one commit behind
(killed in between) only protects a little less. Not fsynced and not atomic (one
small write a sale): a torn or unreadable guard is ignored and written anew. A guard
of another database (another id: a new disk, a new activation) is replaced.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Final

log = logging.getLogger(__name__)

#: The guard's file name, beside the database.
GUARD_FILENAME: Final = "numbering.guard"


class NumberGuard:
    """The counters of one database, kept in a file (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db_id: str | None = None
        self._numbers: dict[str, int] = {}

    def start(self, db_id: str, numbers: dict[str, int]) -> dict[str, int]:
        """Begin guarding database ``db_id`` whose counters are ``numbers``; returns the
        counters the guard holds higher (the database was put back: raise them)."""
        stored = self._read()
        ahead: dict[str, int] = {}
        if stored is not None and stored[0] == db_id:
            ahead = {key: value for key, value in stored[1].items()
                     if value > numbers.get(key, 0)}
        with self._lock:
            self._db_id = db_id
            self._numbers = {**numbers, **ahead}
            self._write()
        return ahead

    def note(self, numbers: dict[str, int]) -> None:
        """Counters just committed (each only ever goes up here)."""
        with self._lock:
            if self._db_id is None:
                return
            changed = False
            for key, value in numbers.items():
                if value > self._numbers.get(key, 0):
                    self._numbers[key] = value
                    changed = True
            if changed:
                self._write()

    def _read(self) -> tuple[str, dict[str, int]] | None:
        try:
            data = json.loads(self.path.read_bytes())
            db_id, numbers = data["db"], data["numbers"]
            if not isinstance(db_id, str) or not isinstance(numbers, dict):
                return None
            return db_id, {str(k): int(v) for k, v in numbers.items() if int(v) >= 0}
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("numbering guard %s unreadable (%s): written anew", self.path, exc)
            return None

    def _write(self) -> None:
        data = json.dumps({"db": self._db_id, "numbers": self._numbers},
                          separators=(",", ":"), sort_keys=True).encode()
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                os.write(fd, data)
                os.ftruncate(fd, len(data))
            finally:
                os.close(fd)
        except OSError as exc:  # a full or read-only disk: the database says so itself
            log.warning("numbering guard %s not written (%s)", self.path, exc)
