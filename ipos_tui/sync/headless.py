"""``ipos-tui sync`` and ``ipos-tui activate`` without a screen: the same rows as the UI.

A :class:`RowCollector` is an observer that folds the events of a job into one row
per item (state, counts, progress, failure reason); the CLI prints those rows as
text or JSON and exits non-zero when any item failed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, TextIO

from ipos_tui.domain.errors import DomainError
from ipos_tui.i18n import has_key, t
from ipos_tui.i18n.reasons import reject_reason_text
from ipos_tui.sync.activation import activate
from ipos_tui.sync.context import SyncContext
from ipos_tui.sync.progress import (
    JOB_TRANSACTIONS,
    JOBS,
    CancelToken,
    ItemDone,
    ItemFailed,
    ItemProgress,
    ItemStarted,
    JobFinished,
)
from ipos_tui.sync.pull import run_job
from ipos_tui.store.db import Terminal


@dataclass
class ItemRow:
    """One item of one job as the sync screen shows it."""

    job: str
    item: str
    state: str = "waiting"  # waiting | running | done | failed
    done: int = 0
    total: int | None = None
    added: int = 0
    changed: int = 0
    removed: int = 0
    key: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def label(self) -> str:
        """The item's display name (a transaction shows its document number)."""
        if self.job == JOB_TRANSACTIONS:
            return t("sync.item_document", number=self.item)
        return t(f"sync.item.{self.item}")

    def summary(self) -> str:
        """State text of the row: "+a ~c −d", "n/N" or the failure reason."""
        if self.state == "done":
            return f"+{self.added} ~{self.changed} −{self.removed}"
        if self.state == "failed" and self.key:
            return failure_text(self.key, self.params)
        if self.total is not None:
            return f"{self.done}/{self.total}"
        return str(self.done) if self.done else ""


def failure_text(key: str, params: dict[str, Any]) -> str:
    """The readable reason of a failed item; a parameter that is itself a message key
    (the upload's ``reason``: "sync.err.offline") is translated first, with the same
    parameters, and a back office's rejection code is put in words, so no code
    reaches the user (here and on the sync screen)."""
    filled = {
        name: t(value, **params) if isinstance(value, str) and has_key(value)
        else reject_reason_text(value) if name == "reason" and isinstance(value, str) else value
        for name, value in params.items()
    }
    return t(key, **filled)


class RowCollector:
    """Observer folding events into :class:`ItemRow` rows, in first-seen order."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], ItemRow] = {}
        self.jobs: dict[str, bool] = {}

    def _row(self, job: str, item: str) -> ItemRow:
        return self.rows.setdefault((job, item), ItemRow(job, item))

    def __call__(self, event: object) -> None:
        if isinstance(event, ItemStarted):
            row = self._row(event.job, event.item)
            row.state, row.total = "running", event.total
        elif isinstance(event, ItemProgress):
            row = self._row(event.job, event.item)
            row.state, row.done, row.total = "running", event.done, event.total
        elif isinstance(event, ItemDone):
            row = self._row(event.job, event.item)
            row.state = "done"
            row.added, row.changed, row.removed = event.added, event.changed, event.removed
        elif isinstance(event, ItemFailed):
            row = self._row(event.job, event.item)
            row.state, row.key, row.params = "failed", event.key, dict(event.params)
        elif isinstance(event, JobFinished):
            self.jobs[event.job] = event.ok

    @property
    def ok(self) -> bool:
        """No job failed and no item failed."""
        return all(self.jobs.values()) and all(r.state != "failed" for r in self.rows.values())


def run_jobs(
    ctx: SyncContext, jobs: Sequence[str], collector: RowCollector,
    cancel: CancelToken | None = None,
) -> bool:
    """Run ``jobs`` in order (each even when an earlier one failed); True if all ok."""
    token = cancel or CancelToken()
    ok = True
    for job in jobs:
        ok = run_job(ctx, job, collector, token) and ok
    return ok and collector.ok


def render_text(collector: RowCollector, out: TextIO) -> None:
    """One aligned line per item: job, item, state, counts or reason (in the current
    language; ``--json`` keeps the job and item codes)."""
    rows = list(collector.rows.values())
    width = max((len(r.label()) for r in rows), default=0)
    for row in rows:
        state = t(f"sync.state_{row.state}")
        job = t(f"cli.sync.job_{row.job}")
        out.write(f"{job:<12} {row.label():<{width}}  {state:<10} {row.summary()}\n")


def render_json(collector: RowCollector, ok: bool, out: TextIO) -> None:
    """Machine-readable rows: ``{"ok": bool, "jobs": {...}, "items": [...]}``."""
    items = []
    for row in collector.rows.values():
        data = asdict(row)
        data["label"] = row.label()
        data["message"] = failure_text(row.key, row.params) if row.key else None
        items.append(data)
    json.dump({"ok": ok, "jobs": collector.jobs, "items": items}, out, ensure_ascii=False,
              indent=2)
    out.write("\n")


def sync_command(
    terminal: Terminal,
    job: str,
    *,
    as_json: bool = False,
    out: TextIO | None = None,
    context_factory: Callable[[Terminal], SyncContext | None] = SyncContext.for_terminal,
) -> int:
    """``ipos-tui sync JOB``: 0 when everything synced, 1 when anything failed,
    3 when the terminal is not activated."""
    out = out or sys.stdout  # looked up now: the process's stdout may have been replaced
    jobs = list(JOBS) if job == "all" else [job]
    ctx = context_factory(terminal)
    collector = RowCollector()
    if ctx is None:
        for name in jobs:
            collector(ItemFailed(name, name, "sync.err.not_activated", {}))
            collector(JobFinished(name, False))
        _render(collector, False, as_json, out)
        return 3
    with ctx:
        ok = run_jobs(ctx, jobs, collector)
    _render(collector, ok, as_json, out)
    return 0 if ok else 1


def _render(collector: RowCollector, ok: bool, as_json: bool, out: TextIO) -> None:
    if as_json:
        render_json(collector, ok, out)
    else:
        render_text(collector, out)


def activate_command(
    terminal: Terminal, server: str, code: str, name: str = "", *, out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """``ipos-tui activate``: 0 on success (prints the identity), 1 with the reason."""
    out, err = out or sys.stdout, err or sys.stderr  # looked up now, not at import
    try:
        connection = activate(terminal, server, code, name)
    except DomainError as error:
        err.write(t(error.key, **error.params) + "\n")
        return 1
    out.write(
        t("sync.activated", terminal=connection.terminal_id, store=connection.store_id,
          server=connection.server_url)
        + "\n"
    )
    return 0
