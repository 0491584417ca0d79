"""What the App catches up on, so nothing is lost to a crash or a dead network:
documents a crash left committed but unprinted are printed at start (and the login
screen says which), and pulls that failed (offline at the day close, or at start)
are retried in the background until they succeed. A mixin of the App.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.message import Message

from ..i18n import t

if TYPE_CHECKING:
    from ..till import Till
    from .background import BackgroundUpload


class Recovery:
    """Mixin for the App (before ``App`` in the bases): start-up printing and
    background retries of pulls."""

    till: Till
    clock: Callable[[], datetime]
    data_dir: Path
    background_upload: BackgroundUpload | None
    #: what the start-up check printed late (shown once on the login screen)
    startup_notice: str = ""
    # the App's own
    contain_error: Callable[..., bool]
    set_timer: Callable[..., Any]
    run_worker: Callable[..., Any]
    post_message: Callable[[Message], bool]

    def print_unprinted(self) -> None:
        """Nothing committed goes unprinted: documents a crash left without their
        printout are printed now (till/journal_recovery.py), and the login
        screen says which."""
        from ..i18n.plural import tn
        from ..till.journal_recovery import print_unprinted
        from .screens.printouts import document_title

        try:
            result = print_unprinted(self.till, self.clock(), self.data_dir)
        except Exception as error:  # noqa: BLE001 - logged and shown; the till starts anyway
            if not self.contain_error(error):
                raise
            return
        parts = []
        if result.printed:
            titles = [document_title(item.detail) for item in result.printed]
            shown = ", ".join(titles[:3]) + (", …" if len(titles) > 3 else "")
            parts.append(tn("dayrule2.reprinted", len(titles), documents=shown))
        for detail, reason in result.failed:
            parts.append(t("dayrule2.reprint_failed", document=document_title(detail), reason=t(reason)))
        self.startup_notice = " ".join(parts)

    def take_startup_notice(self) -> str:
        """The start-up notice, once (the next login screen starts clean)."""
        notice, self.startup_notice = self.startup_notice, ""
        return notice

    def retry_pulls_later(self, jobs: tuple[str, ...], delay: float = 60.0) -> None:
        """Pulls that failed at day close (offline) run again in the background, with
        the wait doubling up to 15 minutes, until they succeed."""
        self.set_timer(delay, lambda: self._retry_pulls(jobs, delay))

    def _retry_pulls(self, jobs: tuple[str, ...], delay: float) -> None:
        from ..till.syncing import next_retry_delay

        def work() -> None:
            failed = self.till.sync.retry_pulls(jobs)
            if failed is None:  # not activated (any more): nothing to retry
                return
            self.post_message(self.PullsRetried(tuple(failed), next_retry_delay(delay)))

        self.run_worker(work, thread=True, group="day-close-retry", name="pull-retry", exit_on_error=False)

    class PullsRetried(Message):
        """A background retry of pulls ended: ``failed`` are tried again after ``delay``."""

        def __init__(self, failed: tuple[str, ...], delay: float) -> None:
            super().__init__()
            self.failed = failed
            self.delay = delay

    def on_recovery_pulls_retried(self, message: PullsRetried) -> None:
        if message.failed:
            self.retry_pulls_later(message.failed, message.delay)
        else:
            self.sync_finished()

    def sync_finished(self) -> None:
        """A pull ended: what is unsent goes now, rejected documents included (the
        back office may have released them from its quarantine)."""
        if self.background_upload is not None:
            self.background_upload.kick(retry_quarantined=True)


__all__ = ["Recovery"]
