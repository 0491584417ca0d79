"""The upload's entry points: the "transactions" job, the background upload and the
run both call, one at a time per terminal (see :mod:`ipos_tui.sync.upload`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ipos_tui.sync.progress import CancelToken, Observer, null_observer
from ipos_tui.sync.upload.numbers import compare_numbers_when_due
from ipos_tui.sync.upload.policy import BATCH_SIZE, UploadOutcome
from ipos_tui.sync.upload.sender import UploadRun
from ipos_tui.store.timeutil import utc_text

if TYPE_CHECKING:
    from ipos_tui.sync.context import SyncContext
    from ipos_tui.store.db import Terminal


def upload_job(ctx: SyncContext, observer: Observer, cancel: CancelToken) -> bool:
    """The "transactions" job: send every unsent document now, quarantined ones too.

    Returns True when every document ended up in the back office (or there was
    none); False when one was rejected, the run stopped on a failure, or it was
    cancelled. Never raises for network or server trouble: that is reported through
    the observer (ItemFailed with ``sync.err.document_not_sent``) and the return value.
    """
    outcome = upload(ctx, observer, cancel, include_quarantined=True, respect_backoff=False)
    return outcome.ok


def upload_due(
    ctx: SyncContext,
    observer: Observer = null_observer,
    cancel: CancelToken | None = None,
) -> UploadOutcome:
    """The background upload: pending documents, unless the link is in backoff.

    Cheap when there is nothing to do (two small queries, no network but the
    numbering comparison of :mod:`.numbers` after a start and every ten minutes). If another
    upload of the same terminal is running, returns at once with ``skipped``.
    """
    now = ctx.clock()
    with _own_connection(ctx.terminal):
        paused_until = ctx.terminal.ledger.upload_paused_until()
    if paused_until is not None and paused_until > now:
        return UploadOutcome(skipped=True, next_try_at=paused_until)
    return upload(
        ctx,
        observer,
        cancel or CancelToken(),
        include_quarantined=False,
        respect_backoff=True,
        wait=False,
    )


def upload(
    ctx: SyncContext,
    observer: Observer,
    cancel: CancelToken,
    *,
    include_quarantined: bool,
    respect_backoff: bool,
    batch_size: int = BATCH_SIZE,
    wait: bool = True,
) -> UploadOutcome:
    """One upload run (what both entry points call); see the module docstring.

    ``wait=False`` returns ``skipped`` instead of waiting for a run in progress.
    """
    lock = _terminal_lock(ctx.terminal)
    if not lock.acquire(blocking=wait):
        return UploadOutcome(skipped=True)
    try:
        with _own_connection(ctx.terminal):
            compare_numbers_when_due(ctx)  # before anything is sent or numbered anew
            run = UploadRun(ctx, observer, cancel, max(1, batch_size))
            outcome = run.execute(include_quarantined=include_quarantined,
                                  respect_backoff=respect_backoff)
            if outcome.sent and outcome.error is None:  # 7. Informacje: last upload
                ctx.terminal.settings.set_local("last_sync.transactions", utc_text(ctx.clock()))
            return outcome
    finally:
        lock.release()


_LOCKS_GUARD = threading.Lock()
_LOCKS: dict[str, threading.Lock] = {}


def _terminal_lock(terminal: Terminal) -> threading.Lock:
    """One upload at a time per terminal database in this process.

    Two concurrent runs would still store each sale once (the back office sees to
    that), but they would send the same documents twice over a slow link.
    """
    key = str(terminal.db_path.resolve())
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


@contextmanager
def _own_connection(terminal: Terminal) -> Iterator[None]:
    """A database connection for this thread, closed afterwards only if opened here.

    peewee's ``connection_context`` closes the thread's connection on exit even when
    the caller had it open (the headless CLI and tests run jobs on their own thread).
    """
    opened = terminal.db.is_closed()
    if opened:
        terminal.db.connect()
    try:
        yield
    finally:
        if opened:
            terminal.db.close()
