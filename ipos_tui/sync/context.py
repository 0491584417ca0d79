"""Everything a sync job needs: the terminal, a client for its back office, a clock.

Built from the connection activation stored in the terminal, so the UI, the headless
CLI and tests all start jobs the same way. Each job uses the terminal's thread-aware
database from its own thread (``connection_context``) and the context's one
pooled HTTP client.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import httpx

from ipos_tui import __version__
from ipos_tui.sync.client import SyncClient
from ipos_tui.store.connection import Connection, ConnectionStore
from ipos_tui.store.db import Terminal
from ipos_tui.updates.staging import read_staged


def utc_now() -> datetime:
    """The default clock of sync jobs."""
    return datetime.now(UTC)


def staged_version(data_dir: Path) -> str | None:
    """The version of the update staged in ``data_dir`` (None: nothing staged)."""
    staged = read_staged(data_dir)
    return staged.version if staged is not None else None


def connection_of(terminal: Terminal) -> Connection | None:
    """The terminal's stored connection (None until activated)."""
    return ConnectionStore(terminal.db, terminal.models).get()


@dataclass
class SyncContext:
    """A terminal, the client talking to its back office, and the clock jobs use."""

    terminal: Terminal
    client: SyncClient
    clock: Callable[[], datetime] = utc_now
    #: Changes asked per pull page (tests use small pages to exercise paging).
    page_limit: int = 1000

    @classmethod
    def for_terminal(
        cls,
        terminal: Terminal,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 4,
        clock: Callable[[], datetime] = utc_now,
        page_limit: int = 1000,
    ) -> SyncContext | None:
        """A context for ``terminal``'s stored connection, or None if not activated."""
        connection = connection_of(terminal)
        if connection is None:
            return None
        client = SyncClient(
            connection.server_url,
            connection.token,
            app_version=__version__,
            pending_summary=terminal.ledger.pending_summary,
            staged_version=lambda: staged_version(terminal.data_dir),
            transport=transport,
            sleep=sleep,
            max_attempts=max_attempts,
        )
        return cls(terminal, client, clock, page_limit)

    @property
    def connection(self) -> Connection | None:
        """The connection this context was built from (re-read: activation may change it)."""
        return connection_of(self.terminal)

    def close(self) -> None:
        """Close the HTTP client (the terminal stays open: its owner closes it)."""
        self.client.close()

    def __enter__(self) -> SyncContext:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
