"""8 → 4 → 5. Aktualizacja aplikacji: check, download (resumable), verify, stage.

The work runs in a Textual thread worker (group "update", exclusive only within it)
with its own database connection, as the sync screen's jobs do; the updater reports
through callbacks whose results are posted to this screen as messages. Nothing is
installed here: a staged version installs as the last step of the daily report.
Esc stops a download at once (the bytes on disk stay: Enter resumes from there),
otherwise goes back.

What ``ipos-tui update health-check`` runs after an install is in
:mod:`ipos_tui.ui.health` (it builds a whole App, which sits above the screens).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import ProgressBar, Static

from ... import __version__
from ...domain.errors import DomainError
from ...i18n import current_language, t
from ...protocol import DEFAULT_RELEASE_CHANNEL
from ...updates.download import DownloadCancelled, DownloadProgress
from ...updates.install import last_install
from ...updates.staging import read_staged
from ...till.syncing import SyncError
from ...updates.updater import CheckResult, Updater
from .base import PosScreen, error_text

if TYPE_CHECKING:
    from ...store.db import Terminal

#: Builds the updater of a terminal's database (tests script the back office).
UpdaterFactory = Callable[["Terminal"], AbstractContextManager["Updater | None"]]

#: How often the screen redraws the download's progress (s). The worker only stores
#: the latest figures: a fast LAN cannot flood the UI, a stalled link shows the truth.
PROGRESS_INTERVAL = 0.1


def format_bytes(count: float) -> str:
    """"812 B", "48 kB", "12,4 MB" (decimal comma in Polish)."""
    if count < 1000:
        text = f"{int(count)} B"
    elif count < 1_000_000:
        text = f"{count / 1000:.0f} kB"
    else:
        text = f"{count / 1_000_000:.1f} MB"
    return text.replace(".", ",") if current_language() == "pl" else text


class UpdateEvent(Message):
    """Something the worker has to tell the screen (``kind`` + its payload)."""

    def __init__(self, kind: str, payload: Any = None) -> None:
        super().__init__()
        self.kind = kind
        self.payload = payload


class UpdateScreen(PosScreen):
    """Check, download with a progress bar, verify and stage an app update."""

    TITLE_KEY = "update.title"

    BINDINGS = [
        Binding("enter,ctrl+j", "go", "update.keys_check", key_display="Enter", id="UpdateScreen.go"),
        Binding("escape", "back", "keys.back", id="UpdateScreen.back"),
        Binding("f1", "app.help", "keys.help", id="UpdateScreen.app_help"),
    ]

    def __init__(self, updater_factory: UpdaterFactory | None = None) -> None:
        super().__init__()
        #: None: the till's own back office (tests script one)
        self.updater_factory = updater_factory
        self.state = "checking"
        self.found: CheckResult | None = None
        self.cancel = threading.Event()
        self.done_bytes = 0
        self._latest: DownloadProgress | None = None  # written by the worker thread
        self._shown: DownloadProgress | None = None

    # -- layout -------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        with Vertical(id="update-box"):
            yield Static(self._info_text(), id="update-info", markup=False)
            yield ProgressBar(id="update-progress", show_eta=False)
            yield Static("", id="update-bytes", markup=False)
            yield Static("", id="update-message", markup=False)

    def on_mount(self) -> None:
        self.set_interval(PROGRESS_INTERVAL, self._poll_progress)
        self._check()

    def _poll_progress(self) -> None:
        latest = self._latest
        if latest is not None and latest is not self._shown:
            self._shown = latest
            self._on_progress(latest)

    def _info_text(self) -> str:
        found = self.found
        available = (found.version if found and found.version else
                     (t("update.none") if found else t("update.unknown")))
        staged = read_staged(self.pos.data_dir)
        rows = [
            ("update.installed", __version__),
            ("update.available", available),
            ("update.staged_label", staged.version if staged else t("update.none")),
            ("update.channel", DEFAULT_RELEASE_CHANNEL),
            ("update.last_install", last_install_text(self.pos.data_dir) or t("update.none")),
        ]
        return "\n".join(f"{t(key):<24}{value}" for key, value in rows)

    def _show(self, state: str, message: str = "", *, refused: bool = False) -> None:
        self.state = state
        self.set_class(state in ("downloading", "stopped", "verifying"), "-progress")
        self.set_class(refused, "-refused")
        self.query_one("#update-info", Static).update(self._info_text())
        self.query_one("#update-message", Static).update(message)
        self.refresh_top_bar()
        self.refresh_bindings()

    # -- keys ---------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go":
            return self.state in ("available", "stopped", "up_to_date", "no_release", "refused",
                                  "failed", "staged")
        return True

    def binding_label(self, binding: Binding) -> str | None:
        if binding.action == "go":
            return {"available": t("update.keys_download"),
                    "stopped": t("update.keys_resume")}.get(self.state, t("update.keys_check"))
        if binding.action == "back" and self.state == "downloading":
            return t("update.keys_stop")
        return None

    def action_go(self) -> None:
        if self.state in ("available", "stopped") and self.found is not None:
            self._download(self.found)
        elif self.check_action("go", ()):
            self._check()

    def action_back(self) -> None:
        if self.state == "downloading":
            self.cancel.set()
            return
        if self.state in ("checking", "verifying"):
            return  # a check or a verification ends within seconds; let it finish
        self.dismiss(None)

    # -- work in a thread ---------------------------------------------------------
    def _check(self) -> None:
        # a new answer replaces the last one: a refused check must not leave the
        # version or the download figures of an earlier one on the screen
        self.found = None
        self._latest = self._shown = None
        self.query_one("#update-bytes", Static).update("")
        self._show("checking", t("update.checking"))
        self._run(lambda updater: self.post_message(UpdateEvent("checked", updater.check())))

    def _download(self, found: CheckResult) -> None:
        self.cancel.clear()
        version = found.version or ""
        self.query_one("#update-progress", ProgressBar).update(total=found.metadata.size
                                                               if found.metadata else None)
        self._show("downloading", t("update.downloading", version=version))

        def progress(p: DownloadProgress) -> None:
            self._latest = p

        def job(updater: Updater) -> None:
            staged = updater.download_and_stage(found, progress=progress,
                                                cancelled=self.cancel.is_set)
            self.post_message(UpdateEvent("staged", staged.version))

        self._run(job)

    def _run(self, job: Callable[[Updater], None]) -> None:
        terminal = self.pos.terminal
        factory = self.updater_factory
        updater_of = self.pos.till.sync.updater if factory is None else (lambda: factory(terminal))

        def work() -> None:
            with terminal.db.connection_context(), updater_of() as updater:
                if updater is None:
                    self.post_message(UpdateEvent("failed", DomainError("update.err_not_activated")))
                    return
                try:
                    job(updater)
                except DownloadCancelled:
                    self.post_message(UpdateEvent("stopped"))
                except SyncError as error:
                    self.post_message(UpdateEvent("failed", error))
                except DomainError as error:
                    self.post_message(UpdateEvent("refused", error))
                except OSError as error:
                    self.post_message(UpdateEvent("failed", DomainError(
                        "update.err_io", detail=error.strerror or str(error))))

        self.run_worker(work, thread=True, group="update", exclusive=True, exit_on_error=False,
                        name="update")

    # -- results --------------------------------------------------------------------
    def on_update_event(self, message: UpdateEvent) -> None:
        self._poll_progress()  # the last figures before the outcome
        handler = getattr(self, f"_on_{message.kind}")
        handler(message.payload)

    def _on_checked(self, found: CheckResult) -> None:
        self.found = found
        if found.status == "no_release":
            self._show("no_release", t("update.no_release", channel=DEFAULT_RELEASE_CHANNEL))
        elif found.status == "up_to_date":
            self._show("up_to_date", t("update.up_to_date", version=found.current))
        elif found.status == "staged":
            self._show("staged", t("update.staged", version=found.version))
        else:
            size = format_bytes(found.metadata.size if found.metadata else 0)
            self._show("available", t("update.found", version=found.version, size=size))

    def _on_progress(self, p: DownloadProgress) -> None:
        self.done_bytes = p.done
        self.query_one("#update-progress", ProgressBar).update(total=p.total, progress=p.done)
        text = t("update.progress", done=format_bytes(p.done), total=format_bytes(p.total),
                 speed=format_bytes(p.speed))
        if p.resumed_from and p.resumed_from < p.total:
            text += "  " + t("update.resumed", done=format_bytes(p.resumed_from))
        self.query_one("#update-bytes", Static).update(text)
        if p.done >= p.total and self.state == "downloading":
            self._show("verifying", t("update.verifying"))

    def _on_staged(self, version: str) -> None:
        self._show("staged", t("update.staged", version=version))

    def _on_stopped(self, _payload: object) -> None:
        self._show("stopped", t("update.stopped", done=format_bytes(self.done_bytes)))

    def _on_refused(self, error: DomainError) -> None:
        self._show("refused", t("update.refused", reason=error_text(error)), refused=True)

    def _on_failed(self, error: DomainError) -> None:
        self._show("failed", t("update.failed", reason=error_text(error)), refused=True)


def last_install_text(data_dir: Any) -> str | None:
    """One line on the last install attempt, from its journal (None if there was none)."""
    journal = last_install(data_dir)
    if not journal or "outcome" not in journal:
        return None
    when = str(journal.get("finished", ""))[:16].replace("T", " ")
    params = {"to": journal.get("to", "?"), "from": journal.get("from", "?"), "when": when}
    outcome = journal["outcome"]
    if outcome == "refused":
        reason = t(str(journal.get("key", "")), **journal.get("params", {}))
        return t("update.result_refused", reason=reason, **params)
    key = {"installed": "update.result_installed", "rolled_back": "update.result_rolled_back"}
    return t(key.get(outcome, "update.result_rollback_failed"), **params)
