"""Running sync jobs in Textual thread workers.

One worker per job, each in its own group: ``exclusive`` only within the group, so
a product pull never cancels a transaction upload. The worker gives the job its own
database connection and posts the engine's events to the screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from ..sync.progress import JOB_ITEMS, CancelToken, ItemFailed, JobFinished

if TYPE_CHECKING:
    from .app import IposApp


def worker_group(job: str) -> str:
    return f"sync-{job}"


@contextmanager
def stored_connection(terminal: Any) -> Iterator[Any]:
    """A sync context for the terminal's stored connection (None when not activated)."""
    from ..sync.context import SyncContext

    context = SyncContext.for_terminal(terminal)
    if context is None:
        yield None
        return
    with context:
        yield context


ContextFactory = Callable[[Any], AbstractContextManager[Any]]


def run_jobs_here(
    terminal: Any,
    jobs: Sequence[str],
    observer: Callable[[object], None],
    context_factory: ContextFactory = stored_connection,
) -> list[str] | None:
    """Run ``jobs`` in order on the calling (worker) thread, with its own database
    connection and one back-office client; the jobs that failed, or None when the
    terminal is not activated (nothing ran)."""
    from ..sync.pull import ALL_JOBS

    with terminal.db.connection_context(), context_factory(terminal) as context:
        if context is None:
            return None
        return [job for job in jobs if not ALL_JOBS[job](context, observer, CancelToken())]


def start_jobs(
    screen: Screen,
    jobs: Sequence[str],
    runner: Callable[[str], Callable[..., bool]],
    cancel: CancelToken,
    context_factory: ContextFactory = stored_connection,
) -> None:
    """Run ``jobs`` one after another in one worker per call (pulls are ordered:
    config before users before products), posting events to ``screen``."""
    from .screens.sync import JOB_ROW, SyncEvent

    app: IposApp = screen.app  # type: ignore[assignment]
    terminal = app.terminal

    def observer(event: object) -> None:
        screen.post_message(SyncEvent(event))

    def work() -> None:
        with terminal.db.connection_context(), context_factory(terminal) as context:
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
                except Exception:  # an engine bug must not kill the till
                    app.log.error(f"sync job {job} crashed")
                    observer(JobFinished(job, ok=False))
                    raise

    group = worker_group("pull" if "transactions" not in jobs else "+".join(jobs))
    screen.run_worker(work, thread=True, group=group, exclusive=True, exit_on_error=False, name=group)
