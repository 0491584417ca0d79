"""8. Konfiguracja → 4. Synchronizacja: one row per item a job syncs, live.

Each job runs in its own Textual thread worker (its own worker group, so a pull
never cancels an upload) with its own database connection; the engine reports
through the observer, whose events are posted to this screen as messages. Esc asks
the jobs to stop at their next safe point (between pages: what is applied stays
consistent), then closes. After a failure or a stop, F5 runs the jobs again.

A job that reports no item at all (an upload with nothing pending) still gets a row
saying so. The first sync of a new till (``next_step``) stays with its results and
says what comes next; Enter (or Esc) goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import ProgressBar, Static

from ...i18n import t
from ...till.syncing import (
    JOB_ITEMS,
    JOB_ROW,
    CancelToken,
    ItemDone,
    ItemFailed,
    ItemProgress,
    ItemStarted,
    JobFinished,
    JobFunction,
    change_counts,
    failure_text,
    job_function,
)
from .base import PosScreen

JOB_TITLES = {
    "config": "sync.job_config",
    "users": "sync.job_users",
    "products": "sync.job_products",
    "transactions": "sync.job_transactions",
}


def item_label(job: str, item: str) -> str:
    if item == JOB_ROW:  # the job's own row: it reported no item of its own
        return t("sync.item.documents") if job == "transactions" else t("sync.item.all")
    if job == "transactions":
        return t("sync.item_document", number=item)
    return t(f"sync.item.{item}")


class SyncRow(Horizontal):
    """Label | state | progress bar | counts, for one item."""


    def __init__(self, job: str, item: str) -> None:
        super().__init__()
        self.job = job
        self.item = item
        self.state = "waiting"

    def compose(self) -> ComposeResult:
        yield Static(item_label(self.job, self.item), classes="label", markup=False)
        yield Static(self._text("waiting"), classes="state", markup=False)
        yield ProgressBar(show_eta=False, show_percentage=False)
        yield Static("", classes="counts", markup=False)

    def _text(self, state: str, detail: str = "") -> Text:
        g = self.app.glyphs  # type: ignore[attr-defined]
        mark = {"waiting": g.dot, "running": "\u2026", "done": g.ok, "failed": g.failed, "skipped": "\u2013"}[state]
        # a failure shows its reason right after the mark; the others their state
        text = mark if state == "failed" else f"{mark} {t(f'sync.state_{state}')}"
        return Text(f"{text} {detail}".rstrip(), no_wrap=True, overflow="ellipsis")

    def show(self, state: str, *, detail: str = "", counts: str = "") -> None:
        self.state = state
        self.set_class(state == "running", "-running")
        self.set_class(state == "failed", "-failed")
        self.query_one(".state", Static).update(self._text(state, detail))
        self.query_one(".counts", Static).update(counts)

    def progress(self, done: int, total: int | None) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=total, progress=done)
        counts = f"{done:,} / {total:,}".replace(",", "\u00a0") if total else f"{done:,}".replace(",", "\u00a0")
        self.query_one(".counts", Static).update(counts)


class SyncEvent(Message):
    """An engine event, carried from the worker thread to the screen."""

    def __init__(self, event: object) -> None:
        super().__init__()
        self.event = event


class SyncHeader(Horizontal):
    """The column titles, in the widths of :class:`SyncRow`."""


    def compose(self) -> ComposeResult:
        yield Static(t("sync.col_item"), classes="label", markup=False)
        yield Static(t("sync.col_state"), classes="state", markup=False)
        yield Static(t("sync.col_changes"), classes="counts", markup=False)


class SyncScreen(PosScreen):

    BINDINGS = [
        Binding("enter", "next", "sync.key_next", id="SyncScreen.next"),
        Binding("f5", "retry", "sync.key_retry", id="SyncScreen.retry"),
        # Esc stops a running sync, and goes back once it has ended (one binding each,
        # so the key bar and F1 both name what Esc does now)
        Binding("escape", "stop", "keys.stop", id="SyncScreen.stop"),
        Binding("escape", "back", "keys.back", id="SyncScreen.back"),
        Binding("f1", "app.help", "keys.help", id="SyncScreen.app_help"),
    ]

    def __init__(
        self,
        title_key: str,
        jobs: Sequence[str],
        runner: Callable[[str], JobFunction] | None = None,
        context_factory: Callable[[object], object] | None = None,
        *,
        next_step: str | None = None,
    ) -> None:
        """``next_step``: the catalogue key of what Enter leads to once the jobs
        ended ("sync.next_login" for the first sync of a new till); the screen then
        stays with its results until Enter or Esc."""
        super().__init__()
        self.context_factory = context_factory
        self.next_step = next_step
        self.TITLE_KEY = title_key
        self.jobs = list(jobs)
        self.runner = runner or default_runner
        self.cancel = CancelToken()
        self.running = set(self.jobs)
        self.failures = 0
        self.rows: dict[tuple[str, str], SyncRow] = {}

    def compose_body(self) -> ComposeResult:
        with Vertical(id="sync-box"):
            yield SyncHeader(id="sync-header")
            with VerticalScroll(id="sync-rows"):
                for job in self.jobs:
                    if len(self.jobs) > 1:
                        yield Static(t(JOB_TITLES[job]), classes="job-title", markup=False)
                    for item in JOB_ITEMS.get(job, ()):
                        row = SyncRow(job, item)
                        self.rows[(job, item)] = row
                        yield row

    def on_mount(self) -> None:
        self._start()

    def _start(self) -> None:
        from ..sync_runner import start_jobs

        self.say(self.running_note())
        start_jobs(self, self.jobs, self.runner, self.cancel, self.context_factory)  # type: ignore[arg-type]
        self.refresh_bindings()

    def running_note(self) -> str:
        """What goes on meanwhile: selling on the old catalogue only while products
        are pulled into a till that has a catalogue to sell from."""
        if self.jobs == ["transactions"]:
            return t("sync.running_upload")
        if "products" in self.jobs and self.pos.terminal.catalog.product_count():
            return t("sync.running_note")
        return t("sync.running_pull")

    # -- events from the engine ---------------------------------------------------
    async def on_sync_event(self, message: SyncEvent) -> None:
        event = message.event
        job = getattr(event, "job", "")
        if isinstance(event, JobFinished):
            await self._job_finished(event)
            return
        row = await self._row(job, event.item)  # type: ignore[attr-defined]
        if isinstance(event, ItemStarted):
            row.show("running")
            row.progress(0, event.total)
        elif isinstance(event, ItemProgress):
            row.show("running")
            row.progress(event.done, event.total)
        elif isinstance(event, ItemDone):
            row.show("done", counts=change_counts(event))
        elif isinstance(event, ItemFailed):
            self.failures += 1
            row.show("failed", detail=failure_text(event.key, event.params))

    async def _row(self, job: str, item: str) -> SyncRow:
        """The row of ``item``; transactions (and unknown items) get one on the fly."""
        key = (job, item)
        if key not in self.rows:
            row = SyncRow(job, item)
            self.rows[key] = row
            await self.query_one("#sync-rows", VerticalScroll).mount(row)
            row.scroll_visible(animate=False)
        return self.rows[key]

    async def _job_finished(self, event: JobFinished) -> None:
        if not any(job == event.job for job, _item in self.rows):
            # nothing was reported (nothing to upload, or it ended before any item)
            row = await self._row(event.job, JOB_ROW)
            if event.ok:
                row.show("done", counts=t("sync.nothing_to_send" if event.job == "transactions" else "sync.no_changes"))
            else:
                self.failures += 1
                reason = "sync.err.cancelled" if self.cancel.cancelled else "sync.err.internal"
                row.show("failed", detail=t(reason))
        for (job, _item), row in self.rows.items():
            if job == event.job and row.state in ("waiting", "running"):  # will not run now
                row.show("skipped", detail=t("sync.stopped") if self.cancel.cancelled else "")
        self.running.discard(event.job)
        if not self.running:
            self.finished()

    def finished(self) -> None:
        """Every job ended: the summary with the next step, and Esc now closes."""
        self.refresh_top_bar()
        if "transactions" not in self.jobs:
            self.pos.sync_finished()
        self.say(self.summary(), error=bool(self.cancel.cancelled or self.failures))
        self.refresh_bindings()
        self.query_one("KeyBar").update_keys()

    def summary(self) -> str:
        """What happened and what the cashier does now, on the status line."""
        then = t(self.next_step) if self.next_step else ""
        if self.cancel.cancelled:
            return t("sync.summary_cancelled_then", then=then) if then else t("sync.summary_cancelled")
        if self.failures:
            if then:
                return t("sync.summary_failed_then", n=self.failures, then=then)
            return t("sync.summary_failed", n=self.failures)
        return f"{t('sync.summary_ok')} {then}." if then else t("sync.summary_ok")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Enter goes on once the jobs ended (first sync only); F5 runs them again
        after a failure or a stop."""
        if action == "next":
            return self.next_step is not None and not self.running
        if action == "retry":
            return not self.running and bool(self.failures or self.cancel.cancelled)
        if action == "stop":
            return bool(self.running)
        if action == "back":
            return not self.running
        return True

    def action_next(self) -> None:
        if not self.running:
            self.dismiss(None)

    def action_back(self) -> None:
        if not self.running:
            self.dismiss(None)

    def action_retry(self) -> None:
        """Run every job again: the rows start over (per-document rows go, the
        upload lists what is still unsent)."""
        if self.running:
            return
        for key, row in list(self.rows.items()):
            if key[1] in JOB_ITEMS.get(key[0], ()):
                row.show("waiting")
            else:
                del self.rows[key]
                row.remove()
        self.failures = 0
        self.cancel = CancelToken()
        self.running = set(self.jobs)
        self._start()

    def action_stop(self) -> None:
        if self.running and not self.cancel.cancelled:
            self.cancel.cancel()
            self.say(t("sync.cancelling"))


def default_runner(job: str) -> JobFunction:
    """The engine's job function for ``job``."""
    return job_function(job)
