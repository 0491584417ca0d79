"""The till and its back office: the stored connection, activation, the connection
test, running sync jobs, the background upload, what the screens show about syncing,
and the updater that talks to the same back office.

Plain Python over :mod:`ipos_tui.sync` and :mod:`ipos_tui.updates`, no Textual: the UI
runs these calls in its thread workers (each job on the calling thread, with that
thread's own database connection) and shows the progress events the jobs report
through an observer (:mod:`ipos_tui.sync.progress`, re-exported here: it is the
till's observer type, the day close reports through it too).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import Final

from ipos_tui.i18n import t
from ipos_tui.protocol import DEFAULT_RELEASE_CHANNEL
from ipos_tui.store.connection import Connection, ConnectionStore
from ipos_tui.store.db import Terminal
from ipos_tui.store.timeutil import parse_time
from ipos_tui.sync.activation import activate
from ipos_tui.sync.client import normalise_server_url
from ipos_tui.sync.context import SyncContext, connection_of
from ipos_tui.sync.errors import SyncError
from ipos_tui.sync.headless import failure_text
from ipos_tui.sync.progress import (
    JOB_ITEMS,
    CancelToken,
    ItemDone,
    ItemFailed,
    ItemProgress,
    ItemStarted,
    JobFinished,
    Observer,
    null_observer,
)
from ipos_tui.sync.pull import ALL_JOBS, LAST_SYNC_PREFIX
from ipos_tui.sync.upload import is_held, upload_due, upload_job
from ipos_tui.updates.updater import Updater

log = logging.getLogger(__name__)

#: A sync job: (context, observer, cancel) -> ok
JobFunction = Callable[[SyncContext, Observer, CancelToken], bool]
#: Builds the sync context of a terminal (None when it is not activated)
ContextFactory = Callable[[Terminal], AbstractContextManager["SyncContext | None"]]

#: The pulls, in the order they run (config before users before products).
PULLS: Final = ("config", "users", "products")
#: The jobs whose last success the information screen shows.
SHOWN_JOBS: Final = ("config", "users", "products", "transactions")
#: The item of a job's own row, when the job reported no item (nothing to upload).
JOB_ROW: Final = ""
#: The longest wait between background retries of failed pulls (s).
RETRY_MAX_DELAY: Final = 900.0


@contextmanager
def stored_connection(terminal: Terminal) -> Iterator[SyncContext | None]:
    """A sync context for the terminal's stored connection (None when not activated)."""
    context = SyncContext.for_terminal(terminal)
    if context is None:
        yield None
        return
    with context:
        yield context


def job_function(job: str) -> JobFunction:
    """The engine's job function for ``job``."""
    return ALL_JOBS[job]  # type: ignore[return-value]


def next_retry_delay(delay: float) -> float:
    """Pulls that failed are tried again with the wait doubling, up to 15 minutes."""
    return min(delay * 2, RETRY_MAX_DELAY)


def change_counts(event: ItemDone) -> str:
    """What an item changed on this till ("+3 ~37 \u22121"), or what became of an
    uploaded document."""
    if event.job == "transactions":  # a document is either new there or already held
        return t("sync.sent") if event.added else t("sync.already_sent")
    parts = []
    if event.added:
        parts.append(f"+{event.added}")
    if event.changed:
        parts.append(f"~{event.changed}")
    if event.removed:
        parts.append(f"\u2212{event.removed}")
    return " ".join(parts) if parts else t("sync.no_changes")


class TillSync:
    """One terminal's link to its back office (``till.sync``)."""

    def __init__(self, terminal: Terminal) -> None:
        self.terminal = terminal

    # -- the stored connection ---------------------------------------------------
    def connection(self) -> Connection | None:
        """The stored connection (None until activated)."""
        return connection_of(self.terminal)

    def needs_activation(self) -> bool:
        """A terminal with no back office and nothing to sell starts with activation."""
        return self.connection() is None and self.terminal.catalog.product_count() == 0

    def _context(self, context_factory: ContextFactory | None) -> AbstractContextManager[SyncContext | None]:
        # looked up at call time: tests put a scripted back office in its place
        return (context_factory or stored_connection)(self.terminal)

    def activate(self, server: str, code: str, name: str) -> Connection:
        """Activate the till at ``server`` with a one-time ``code`` (on the calling
        thread, with its own connection). Raises DomainError with the reason."""
        with self.terminal.db.connection_context():
            return activate(self.terminal, server, code, name, max_attempts=2)

    def change_address(self, url: str) -> Connection | None:
        """Store a new address of the same back office (nothing else of the connection
        changes); the connection as it was, or None when not activated. An unchanged
        address is stored as it was (the caller compares)."""
        terminal = self.terminal
        store = ConnectionStore(terminal.db, terminal.models)
        with terminal.db.atomic("IMMEDIATE"):
            connection = store.get()
            if connection is None or connection.server_url == url:
                return connection
            store.save(replace(connection, server_url=url))
        return connection

    def test_connection(self, context_factory: ContextFactory | None = None) -> int | None:
        """Ask the back office's health endpoint: milliseconds it took, None when the
        till is not activated. Raises DomainError when it cannot be reached."""
        with self.terminal.db.connection_context(), self._context(context_factory) as context:
            if context is None:
                return None
            started = time.monotonic()
            context.client.health()
        return int((time.monotonic() - started) * 1000)

    def last_syncs(self, zone: tzinfo | None) -> list[tuple[str, datetime | None]]:
        """When each job last synced successfully (in ``zone``), or None: never."""
        rows = []
        for job in SHOWN_JOBS:
            stored = self.terminal.settings.get_local(LAST_SYNC_PREFIX + job)
            rows.append((job, parse_time(stored).astimezone(zone) if stored else None))
        return rows

    # -- running jobs (on the calling thread) ------------------------------------
    def run_here(
        self, jobs: Sequence[str], observer: Observer, context_factory: ContextFactory | None = None
    ) -> list[str] | None:
        """Run ``jobs`` in order on the calling (worker) thread, with its own database
        connection and one back-office client; the jobs that failed, or None when the
        terminal is not activated (nothing ran)."""
        with self.terminal.db.connection_context(), self._context(context_factory) as context:
            if context is None:
                return None
            return [job for job in jobs if not job_function(job)(context, observer, CancelToken())]

    def run_jobs(
        self,
        jobs: Sequence[str],
        runner: Callable[[str], JobFunction],
        observer: Observer,
        cancel: CancelToken,
        context_factory: ContextFactory | None = None,
    ) -> None:
        """Run ``jobs`` one after another on the calling thread, reporting every row
        to ``observer``: without a stored connection each job fails on its rows, a
        cancelled run ends the jobs not begun, and a job that crashes ends failed
        before the error goes on up (an engine bug must not look like success)."""
        with self.terminal.db.connection_context(), self._context(context_factory) as context:
            if context is None:
                for job in jobs:  # a job without items of its own (the upload) says it on its row
                    for item in JOB_ITEMS.get(job) or (JOB_ROW,):
                        observer(ItemFailed(job, item, "sync.err.not_activated"))
                    observer(JobFinished(job, ok=False))
                return
            for job in jobs:
                if cancel.cancelled:
                    observer(JobFinished(job, ok=False))
                    continue
                try:
                    runner(job)(context, observer, cancel)
                except Exception:
                    log.error("sync job %s crashed", job)
                    observer(JobFinished(job, ok=False))
                    raise

    def retry_pulls(self, jobs: Sequence[str]) -> list[str] | None:
        """Run pulls that failed earlier (the day close's, offline); the ones that
        failed again, or None when the till is not activated (nothing to retry)."""
        return self.run_here(jobs, null_observer)

    def upload_in_background(self, *, retry_quarantined: bool = False) -> None:
        """The background upload: what is due (respecting the backoff after a
        failure), or after a pull every unsent document, rejected ones included (the
        back office may have released them). Nothing without a stored connection."""
        with self.terminal.db.connection_context(), stored_connection(self.terminal) as context:
            if context is None:
                return
            if retry_quarantined:
                upload_job(context, null_observer, CancelToken())
            else:
                upload_due(context)

    # -- updates from the same back office ---------------------------------------
    @contextmanager
    def updater(self) -> Iterator[Updater | None]:
        """An updater talking to the till's back office (None when not activated)."""
        context = SyncContext.for_terminal(self.terminal)
        if context is None:
            yield None
            return
        with context:
            yield Updater(self.terminal.data_dir, context.client, channel=DEFAULT_RELEASE_CHANNEL)


__all__ = [
    "JOB_ITEMS",
    "JOB_ROW",
    "PULLS",
    "CancelToken",
    "ContextFactory",
    "ItemDone",
    "ItemFailed",
    "ItemProgress",
    "ItemStarted",
    "JobFinished",
    "JobFunction",
    "Observer",
    "SyncError",
    "TillSync",
    "change_counts",
    "failure_text",
    "is_held",
    "job_function",
    "next_retry_delay",
    "normalise_server_url",
    "null_observer",
    "stored_connection",
]
