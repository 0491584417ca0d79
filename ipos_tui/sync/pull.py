"""Pull jobs: the config, users and products streams from the back office.

Each job follows its stream page by page from the stored cursor and hands every
page to :class:`ipos_tui.store.feed_apply.FeedApplier`, which commits the page
and its cursor together. Where the stream starts from zero (first sync, the back
office answers ``reset``, or this release builds a newer catalogue shape than the
stream's, see ``FEED_VERSION``) the pages go to shadow tables and replace the live
ones only with the last page, so selling goes on from the old catalogue meanwhile.

Pages come in the compact form of protocol 3 (``groups``, see ``ipos_tui.protocol.compact``)
from a back office that speaks it, else plain; both become the same list of changes
in revision order before they are applied.

Jobs report through the observer (see :mod:`ipos_tui.sync.progress`) and return a
bool; expected problems (network down, revoked token, a bad answer, cancel) end as
``ItemFailed`` + ``JobFinished(ok=False)``, never as an exception to the caller.
Cancel is honoured between pages: every committed page stays, with its cursor.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final

from peewee import PeeweeException, SqliteDatabase

from ipos_tui.domain.errors import DomainError
from ipos_tui.protocol import DEFAULT_PULL_LIMIT, expand_groups
from ipos_tui.sync.context import SyncContext
from ipos_tui.sync.progress import (
    JOB_CONFIG,
    JOB_ITEMS,
    JOB_PRODUCTS,
    JOB_TRANSACTIONS,
    JOB_USERS,
    CancelToken,
    ItemDone,
    ItemFailed,
    ItemProgress,
    ItemStarted,
    JobFinished,
    Observer,
)
from ipos_tui.store.feed_apply import TYPE_ITEM, Counts, FeedApplier
from ipos_tui.store.timeutil import utc_text

log = logging.getLogger(__name__)

#: Changes asked per page: big enough for few round trips, small enough that one
#: page's transaction stays short (the till sells between pages).
#: It is the back office's default, so the request leaves ``limit`` out.
DEFAULT_PAGE_LIMIT: Final = DEFAULT_PULL_LIMIT

Job = Callable[[SyncContext, Observer, CancelToken], bool]


@dataclass
class PullResult:
    """What one pull job did (the observer saw the same, event by event)."""

    stream: str
    ok: bool = False
    pages: int = 0
    reset: bool = False
    cursor: int | None = None
    counts: dict[str, Counts] = field(default_factory=dict)
    error_key: str | None = None
    error_params: dict[str, Any] = field(default_factory=dict)


@contextmanager
def thread_connection(db: SqliteDatabase) -> Iterator[None]:
    """This thread's own connection for the job (a worker thread has none yet);
    one the caller already holds is reused and left open."""
    opened = db.is_closed()
    if opened:
        db.connect()
    try:
        yield
    finally:
        if opened:
            db.close()


class _Progress:
    """Per-item counters of one run and the events they turn into."""

    def __init__(self, job: str, observer: Observer) -> None:
        self.job = job
        self.items = JOB_ITEMS[job]
        self.observer = observer
        self.done: dict[str, int] = dict.fromkeys(self.items, 0)
        self.totals: dict[str, int] | None = None

    def start(self) -> None:
        for item in self.items:
            self.observer(ItemStarted(self.job, item, None))

    def set_totals(self, by_type: Mapping[str, int] | None) -> None:
        """Totals per item from the back office's totals per change type."""
        if by_type is None:
            self.totals = None
            return
        totals = dict.fromkeys(self.items, 0)
        for type_, count in by_type.items():
            item = TYPE_ITEM.get(type_)
            if item in totals:
                totals[item] += int(count)
        self.totals = totals

    def restart(self) -> None:
        """A reset page: counting starts again from zero."""
        self.done = dict.fromkeys(self.items, 0)

    def page(self, received: Mapping[str, int]) -> None:
        for item, count in received.items():
            if item not in self.done:
                continue
            self.done[item] += count
            total = None if self.totals is None else max(self.totals[item], self.done[item])
            self.observer(ItemProgress(self.job, item, self.done[item], total))

    def finish(self, counts: Mapping[str, Counts]) -> None:
        for item in self.items:
            c = counts.get(item, Counts())
            self.observer(ItemDone(self.job, item, c.added, c.changed, c.removed))
        self.observer(JobFinished(self.job, True))

    def fail(self, key: str, params: Mapping[str, Any]) -> None:
        for item in self.items:
            self.observer(ItemFailed(self.job, item, key, dict(params)))
        self.observer(JobFinished(self.job, False))


def _page_changes(data: Mapping[str, Any]) -> Any:
    """The page's changes in revision order: a compact page (protocol 3; its
    ``groups`` are left out when empty) is expanded to the plain form; a plain one
    (``changes``) is taken as is."""
    if "changes" in data:
        return data["changes"]
    try:
        return expand_groups(data.get("groups", []), data.get("order"))
    except (ValueError, TypeError) as exc:
        raise DomainError("sync.err.bad_response", detail=str(exc)[:200]) from exc


def _page_fields(data: Mapping[str, Any]) -> tuple[list[Any], int, bool, bool, Any]:
    """The envelope of a pull page, checked (the changes are checked when applied)."""
    if not isinstance(data, Mapping):
        raise DomainError("sync.err.bad_response", detail="pull page envelope")
    changes, cursor = _page_changes(data), data.get("cursor")
    has_more, reset, totals = data.get("has_more", False), data.get("reset", False), data.get(
        "totals"
    )
    if (
        not isinstance(changes, list)
        or not isinstance(cursor, int)
        or isinstance(cursor, bool)
        or cursor < 0
        or not isinstance(has_more, bool)
        or not isinstance(reset, bool)
        or not (totals is None or isinstance(totals, dict))
    ):
        raise DomainError("sync.err.bad_response", detail="pull page envelope")
    return changes, cursor, has_more, reset, totals


def _page_params(since: int, limit: int, first: bool) -> dict[str, Any]:
    """Query of one page request, as short as the protocol allows (a no-op pull is
    most of what a till sends over GSM): ``limit`` only when not the back office's
    default; totals come with a compact page unless declined, and only a pull's
    first page needs them (for "Produkty n/N")."""
    params: dict[str, Any] = {"since": since}
    if limit != DEFAULT_PULL_LIMIT:
        params["limit"] = limit
    if not first:
        params["totals"] = 0
    return params


def _follow(
    ctx: SyncContext, stream: str, progress: _Progress, cancel: CancelToken, limit: int,
    result: PullResult,
) -> bool:
    """Fetch and apply pages until the stream is current; False if cancelled."""
    applier = FeedApplier(ctx.terminal.db)
    cursors = applier.cursors(stream)
    shadow_ok = cursors.shadow is not None and applier.shadow_ready(stream)
    if shadow_ok:
        shadow, restart, since = True, False, int(cursors.shadow or 0)
    elif cursors.live is not None and not applier.outdated(stream):
        shadow, restart, since = False, False, cursors.live
    else:  # first sync, or a catalogue of an older shape (FEED_VERSION): from zero
        if cursors.live is not None:
            log.info("pull %s: catalogue built with feed version %d, rebuilding",
                     stream, applier.feed_version(stream))
            result.reset = True
        shadow, restart, since = True, True, 0
    first = True
    counts: dict[str, Counts] = {}
    while True:
        if cancel.cancelled:
            return False
        params = _page_params(since, limit, first)
        changes, cursor, has_more, reset, totals = _page_fields(
            ctx.client.get_json(f"/sync/{stream}", params)
        )
        if first:
            progress.set_totals(totals)
        elif reset:
            progress.set_totals(totals)
        if reset:
            shadow, restart, counts = True, True, {}
            result.reset = True
            progress.restart()
        page = applier.apply_page(
            stream, changes, cursor, shadow=shadow, restart_shadow=restart,
            finish=shadow and not has_more,
        )
        result.pages += 1
        restart, first, since = False, False, cursor
        result.cursor = cursor
        if page.swapped:
            counts = dict(page.counts)
        else:
            for item, c in page.counts.items():
                counts.setdefault(item, Counts()).add(c)
        progress.page(page.received)
        if not has_more:
            result.counts = counts
            return True


#: Local settings "last_sync.<job>": the UTC time of the job's last success.
LAST_SYNC_PREFIX: Final = "last_sync."


def pull_stream(
    ctx: SyncContext,
    stream: str,
    observer: Observer,
    cancel: CancelToken,
    *,
    limit: int | None = None,
) -> PullResult:
    """Bring one stream up to date; every outcome is reported, none raised."""
    result = PullResult(stream)
    progress = _Progress(stream, observer)
    progress.start()
    try:
        with thread_connection(ctx.terminal.db):
            finished = _follow(
                ctx, stream, progress, cancel, limit or ctx.page_limit, result
            )
            if finished:  # 7. Informacje shows when each domain was last synced
                ctx.terminal.settings.set_local(LAST_SYNC_PREFIX + stream, utc_text(ctx.clock()))
    except DomainError as error:  # SyncError included: offline, 401, bad answer …
        log.warning("pull %s failed: %s", stream, error.key)
        return _failed(result, progress, error.key, error.params)
    except (sqlite3.Error, PeeweeException) as error:
        log.exception("pull %s: local database error", stream)
        return _failed(result, progress, "sync.err.local_db", {"detail": str(error)[:200]})
    except Exception as error:  # a till must not crash on a sync bug; the log says what
        log.exception("pull %s: unexpected error", stream)
        return _failed(result, progress, "sync.err.internal", {"detail": type(error).__name__})
    if not finished:
        return _failed(result, progress, "sync.err.cancelled", {})
    result.ok = True
    progress.finish(result.counts)
    return result


def _failed(
    result: PullResult, progress: _Progress, key: str, params: Mapping[str, Any]
) -> PullResult:
    result.error_key, result.error_params = key, dict(params)
    progress.fail(key, params)
    return result


def config_job(ctx: SyncContext, observer: Observer, cancel: CancelToken) -> bool:
    """Company, stores, settings (login mode …), payment methods, PIN key."""
    return pull_stream(ctx, JOB_CONFIG, observer, cancel).ok


def users_job(ctx: SyncContext, observer: Observer, cancel: CancelToken) -> bool:
    """Cashiers: identifiers, names, roles, permissions, PIN hashes."""
    return pull_stream(ctx, JOB_USERS, observer, cancel).ok


def products_job(ctx: SyncContext, observer: Observer, cancel: CancelToken) -> bool:
    """VAT rates, units, categories, products, barcodes, this store's prices, discounts."""
    return pull_stream(ctx, JOB_PRODUCTS, observer, cancel).ok


def transactions_job(ctx: SyncContext, observer: Observer, cancel: CancelToken) -> bool:
    """Upload of unsent documents (the upload engine's job, imported when first used)."""
    from ipos_tui.sync.upload import upload_job

    return bool(upload_job(ctx, observer, cancel))


PULL_JOBS: Final[dict[str, Job]] = {
    JOB_CONFIG: config_job,
    JOB_USERS: users_job,
    JOB_PRODUCTS: products_job,
}
ALL_JOBS: Final[dict[str, Job]] = {**PULL_JOBS, JOB_TRANSACTIONS: transactions_job}


def run_job(ctx: SyncContext, job: str, observer: Observer, cancel: CancelToken) -> bool:
    """Run the job named ``job`` ("config", "users", "products", "transactions")."""
    return ALL_JOBS[job](ctx, observer, cancel)
