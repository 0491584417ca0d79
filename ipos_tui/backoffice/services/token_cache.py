"""The terminal tokens a worker checked lately, so a pull served from the page cache
does not pay a hash and a query for its token each time.

Each worker process has its own cache (:data:`TOKENS`). A token revoked or replaced
(re-activation) is forgotten at once by the worker that did it; every pull also reads
the terminal's row in the query it makes anyway and refuses a token revoked elsewhere
(:class:`TokenRevoked`); other calls notice within :data:`TOKEN_CACHE_TTL`.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .terminals import TerminalAuth

#: How long a worker trusts a token it has checked without asking the database again:
#: a till revoked or re-activated through another process (or worker) is refused
#: within this time (at once by the worker that revoked it, and by every pull).
TOKEN_CACHE_TTL = 5.0


class TokenCache:
    """The tokens this process authenticated lately (by their digest), with what their
    terminal last told this process, for :data:`TOKEN_CACHE_TTL` seconds each."""

    def __init__(self, ttl: float = TOKEN_CACHE_TTL, max_entries: int = 10_000) -> None:
        self.ttl, self.max_entries = ttl, max_entries
        self._entries: dict[tuple[int, str], tuple[TerminalAuth, float]] = {}
        self._lock = threading.Lock()
        #: Moves whenever a terminal is forgotten: a check that read the database
        #: before that may not put what it read (it may be the revoked token).
        self.generation = 0

    def get(self, db_key: int, token_digest: str) -> TerminalAuth | None:
        entry = self._entries.get((db_key, token_digest))
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, db_key: int, auth: TerminalAuth, generation: int) -> None:
        """Keep ``auth``, read from the database when :attr:`generation` was
        ``generation`` (unless a terminal was forgotten since)."""
        assert auth.token_digest is not None
        with self._lock:
            if generation != self.generation:
                return
            if len(self._entries) >= self.max_entries:
                now = time.monotonic()
                self._entries = {k: v for k, v in self._entries.items() if v[1] >= now}
                if len(self._entries) >= self.max_entries:
                    self._entries.clear()
            self._entries[(db_key, auth.token_digest)] = (auth, time.monotonic() + self.ttl)

    def update(self, db_key: int, auth: TerminalAuth) -> None:
        """Keep what the terminal just told us (its entry keeps its expiry)."""
        with self._lock:
            key = (db_key, auth.token_digest or "")
            entry = self._entries.get(key)
            if entry is not None and entry[0].terminal_id == auth.terminal_id:
                self._entries[key] = (auth, entry[1])

    def forget_terminal(self, terminal_id: int) -> None:
        """Drop every token of ``terminal_id`` (of any database: ids repeat, so this may
        drop a little more than needed, never less)."""
        with self._lock:
            self.generation += 1
            self._entries = {k: v for k, v in self._entries.items()
                             if v[0].terminal_id != terminal_id}

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self._entries.clear()


#: This process's token cache (each worker has its own).
TOKENS = TokenCache()


class TokenRevoked(Exception):
    """The terminal's token stopped working after it was checked (revoked or replaced
    by a re-activation, possibly through another worker)."""

    def __init__(self, terminal_id: int) -> None:
        super().__init__(f"terminal {terminal_id}: token revoked")
        self.terminal_id = terminal_id
