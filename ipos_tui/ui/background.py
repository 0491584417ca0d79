"""The background upload: sales leave for the back office without anyone waiting.

A one-shot thread worker in its own group, re-armed by a timer when it ends (in any
final state), and kicked right after each finished receipt. ``upload_due`` itself
respects the backoff after a failure, so a dead network is not hammered, and does
nothing without a stored connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.timer import Timer
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from .app import IposApp

GROUP = "upload-background"


class BackgroundUpload:
    def __init__(self, app: IposApp, interval: float) -> None:
        self.app = app
        self.interval = interval
        self.worker: Worker[None] | None = None
        self.timer: Timer | None = None

    def start(self) -> None:
        self._arm(1.0)

    def kick(self, *, retry_quarantined: bool = False) -> None:
        """Upload now (after a finished receipt, or after a sync: then documents the
        back office rejected are offered again too), unless a run is under way."""
        if self.worker is None or self.worker.is_finished:
            if self.timer is not None:
                self.timer.stop()
            self._run(retry_quarantined)

    def _arm(self, delay: float) -> None:
        self.timer = self.app.set_timer(delay, self._run, name="upload-background")

    def _run(self, retry_quarantined: bool = False) -> None:
        if self.worker is not None and not self.worker.is_finished:
            return
        self.worker = self.app.run_worker(
            lambda: self._work(retry_quarantined),
            thread=True,
            group=GROUP,
            name=GROUP,
            exclusive=False,
            exit_on_error=False,
        )

    def _work(self, retry_quarantined: bool) -> None:
        self.app.till.sync.upload_in_background(retry_quarantined=retry_quarantined)

    def worker_ended(self, worker: Worker[None]) -> None:
        """Re-arm the timer whatever way the run ended (success, error, cancel)."""
        if worker is self.worker and worker.state in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self._arm(self.interval)
