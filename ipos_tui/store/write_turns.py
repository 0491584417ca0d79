"""Write turns: the cashier's writes go before background work's.

SQLite lets one connection write at a time. A till's background workers (a catalogue
pull applying a page of 1 000 changes, about 40 ms; the upload marking what was sent)
write on their own connections beside the cashier's. Left to SQLite alone, a sale's
``BEGIN IMMEDIATE`` that finds the lock taken sleeps in SQLite's busy handler
(back-off steps of up to 25-100 ms) and may find the next page already applying when
it wakes; a sale makes several write transactions, each of which could wait so.

So every ``BEGIN IMMEDIATE``/``EXCLUSIVE`` of the till's database first takes a turn
here: the thread that waits wakes the moment the writer before it commits, and a
waiting foreground writer (the app's main thread, where the cashier works) goes before
any background one. A background writer also lets a short pause pass after a
foreground commit, so the next transaction of the same sale does not find a page
in its way. Nothing here replaces SQLite's lock: a turn not had within the busy
timeout is given up and the transaction goes to SQLite as before (which then waits
or says "database is locked" as it always did); other processes do not take turns.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Final

from peewee import SqliteDatabase

#: After a foreground commit, background writers wait this long for the next one
#: (a sale's transactions follow each other within a few milliseconds).
FOREGROUND_GRACE_S: Final = 0.03
#: A background writer never waits longer than this for the foreground (at most one
#: page's delay under a cashier selling without a pause).
BACKGROUND_MAX_WAIT_S: Final = 0.06


class WriteTurns:
    """Who writes next (see the module docstring)."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._cond = threading.Condition()
        self._busy = False
        self._foreground_waiting = 0
        self._foreground_done = 0.0

    def take(self, foreground: bool) -> bool:
        """Wait for the turn; False when it was not had in time (go on without it)."""
        deadline = time.monotonic() + self.timeout_s
        # a background writer's yielding is bounded from the first moment the turn is
        # free: time spent waiting for another writer's page is not yielding
        polite_until: float | None = None
        with self._cond:
            if foreground:
                self._foreground_waiting += 1
            try:
                while True:
                    now = time.monotonic()
                    if not self._busy and polite_until is None:
                        polite_until = now + BACKGROUND_MAX_WAIT_S
                    if not self._busy and (foreground or not self._yield_to_foreground(
                            now, polite_until or now)):
                        self._busy = True
                        return True
                    if now >= deadline:
                        return False
                    wait = deadline - now
                    if polite_until is not None and not self._busy and not foreground:
                        # only politeness keeps it: look again when that ends
                        wait = min(wait, max(0.001, min(
                            polite_until, self._foreground_done + FOREGROUND_GRACE_S) - now))
                    self._cond.wait(wait)
            finally:
                if foreground:
                    self._foreground_waiting -= 1

    def _yield_to_foreground(self, now: float, polite_until: float) -> bool:
        if now >= polite_until:
            return False
        return bool(self._foreground_waiting) or now < self._foreground_done + FOREGROUND_GRACE_S

    def give_back(self, foreground: bool) -> None:
        with self._cond:
            self._busy = False
            if foreground:
                self._foreground_done = time.monotonic()
            self._cond.notify_all()


class TerminalDatabase(SqliteDatabase):
    """The till's database: SQLite with :class:`WriteTurns` around write transactions."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.turns = WriteTurns(float(kwargs.get("timeout") or 5.0))
        self._held = threading.local()

    @staticmethod
    def _foreground() -> bool:
        return threading.current_thread() is threading.main_thread()

    def begin(self, lock_type: str | None = None) -> None:
        kind = (lock_type or self._lock_type or "").upper()
        if kind not in ("IMMEDIATE", "EXCLUSIVE") or getattr(self._held, "turn", None):
            super().begin(lock_type)
            return
        foreground = self._foreground()
        had = self.turns.take(foreground)
        try:
            super().begin(lock_type)
        except BaseException:
            if had:
                self.turns.give_back(foreground)
            raise
        self._held.turn = (had, foreground)

    def _end(self) -> None:
        held = getattr(self._held, "turn", None)
        self._held.turn = None
        if held and held[0]:
            self.turns.give_back(held[1])

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._end()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._end()


__all__ = ["TerminalDatabase", "WriteTurns"]
