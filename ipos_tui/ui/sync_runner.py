"""Running sync jobs in Textual thread workers.

One worker per job, each in its own group: ``exclusive`` only within the group, so
a product pull never cancels a transaction upload. The worker runs the jobs through
the till (:meth:`ipos_tui.till.syncing.TillSync.run_jobs`, with its own database
connection) and posts the engine's events to the screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from textual.screen import Screen

from ..till.syncing import CancelToken, ContextFactory, JobFunction

if TYPE_CHECKING:
    from .app import IposApp


def worker_group(job: str) -> str:
    return f"sync-{job}"


def start_jobs(
    screen: Screen,
    jobs: Sequence[str],
    runner: Callable[[str], JobFunction],
    cancel: CancelToken,
    context_factory: ContextFactory | None = None,
) -> None:
    """Run ``jobs`` one after another in one worker per call (pulls are ordered:
    config before users before products), posting events to ``screen``."""
    from .screens.sync import SyncEvent

    app: IposApp = screen.app  # type: ignore[assignment]
    sync = app.till.sync

    def observer(event: object) -> None:
        screen.post_message(SyncEvent(event))

    def work() -> None:
        sync.run_jobs(jobs, runner, observer, cancel, context_factory)

    group = worker_group("pull" if "transactions" not in jobs else "+".join(jobs))
    screen.run_worker(work, thread=True, group=group, exclusive=True, exit_on_error=False, name=group)
