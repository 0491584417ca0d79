"""3. Raport dobowy (zamknięcie dnia): the day close's ordered steps, without Textual.

The steps run in order: push the unsent documents → pull configuration, users,
products → settle the card app → clear the terminal's parked receipts (asking first
when one has lines) → store and print the daily report → write a changed VAT table
to the printer right AFTER the report, while the day's totals are zero (the cashier
confirms; not at all when no report was made) → lift a "blocked after midnight"
state → upload the report → LAST, install a staged update
(:func:`ipos_tui.updates.hook.day_close_update`).

The network steps may fail (offline): the report is still made — it is a fiscal
duty — and what failed is retried in the background afterwards
(:attr:`DayClose.failed_pulls`, :meth:`ipos_tui.till.syncing.TillSync.retry_pulls`).
Once the back office proved unreachable, the later network steps fail at once,
saying so. A step that breaks does not stop the others.

Progress goes to an observer, as a sync job's does (:mod:`ipos_tui.sync.progress`):
:class:`~ipos_tui.sync.progress.ItemStarted` and :class:`StepFinished` per step
(job :data:`JOB`, item the step), then
:class:`~ipos_tui.sync.progress.JobFinished`. Questions go to ``ask`` (awaited: the
UI shows a dialog; a headless caller answers at once). Blocking work (sync, the
report's sums, the update's checks) runs in threads with their own database
connections, so the caller's event loop stays free.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import format_money
from ipos_tui.domain.records import User
from ipos_tui.i18n import t
from ipos_tui.i18n.plural import tn
from ipos_tui.till.syncing import (
    ContextFactory,
    ItemDone,
    ItemFailed,
    ItemStarted,
    JobFinished,
    Observer,
    change_counts,
    failure_text,
    null_observer,
)

if TYPE_CHECKING:
    from ipos_tui.till import Till

log = logging.getLogger(__name__)

#: The job name of the day close's progress events.
JOB: Final = "day_close"
#: The steps in the order they run.
STEPS: Final = (
    "push", "config", "users", "products", "card", "parked", "report", "vat", "block", "upload", "update",
)
#: Failures meaning the back office cannot be reached at all (not a refusal).
OFFLINE: Final = "sync.err.offline"
NOT_ACTIVATED: Final = "sync.err.not_activated"
_OFFLINE_KEYS: Final = frozenset({OFFLINE, NOT_ACTIVATED})

#: Asks the cashier a yes/no question (the UI: a dialog).
Ask = Callable[[str], Awaitable[bool]]


@dataclass(frozen=True)
class StepOutcome:
    """How a step ended: "done", "skipped" or "failed", with a line saying what
    happened, or the refusal (``error``) the caller puts in words."""

    state: str
    detail: str = ""
    error: DomainError | None = None


@dataclass(frozen=True, slots=True)
class StepFinished:
    """A step of the day close ended (the progress event after its ItemStarted)."""

    job: str
    item: str
    outcome: StepOutcome


class DayClose:
    """One run of the day close for ``cashier`` (see the module's docstring)."""

    def __init__(
        self,
        till: Till,
        cashier: User | None,
        *,
        clock: Callable[[], datetime],
        data_dir: Path | None = None,
        keep_current: bool = False,
        authorisation: Any = None,
        context_factory: ContextFactory | None = None,
        arrow: str = "\u2192",
    ) -> None:
        self.till = till
        self.terminal = till.terminal
        self.cashier = cashier
        self.clock = clock
        self.data_dir = data_dir or self.terminal.data_dir
        #: started from payment under the midnight block: the receipt being rung up stays
        self.keep_current = keep_current
        #: the manager who authorised the day close for a cashier without "day_close"
        #: (an Authorisation, stored and printed with the report)
        self.authorisation = authorisation
        self.context_factory = context_factory
        self.arrow = arrow
        #: each step's state so far ("waiting" until it ran)
        self.states: dict[str, str] = dict.fromkeys(STEPS, "waiting")
        self.failures = 0
        self.report_uuid: str | None = None
        self.report_text = ""
        self.blocked_day: date | None = None
        #: pulls that failed: retried in the background afterwards
        self.failed_pulls: list[str] = []
        #: a staged update is ready: the till restarts to install it
        self.install_update = False
        #: why the back office could not be reached (:data:`OFFLINE` or
        #: :data:`NOT_ACTIVATED`): later network steps fail at once, saying so
        self.offline: str | None = None

    # -- the run ------------------------------------------------------------------
    async def run(self, observer: Observer = null_observer, ask: Ask | None = None) -> int:
        """Run every step in order; the number of failed steps."""
        ask = ask or _no
        for step in STEPS:
            observer(ItemStarted(JOB, step))
            try:
                outcome = await getattr(self, f"_step_{step}")(ask)
            except DomainError as error:
                outcome = StepOutcome("failed", error=error)
            except Exception:  # a bug or a full disk in one step must not stop the others
                log.exception("day close step %s failed", step)
                outcome = StepOutcome("failed", t("day.crashed"))
            self.failures += outcome.state == "failed"
            self.states[step] = outcome.state
            observer(StepFinished(JOB, step, outcome))
        observer(JobFinished(JOB, ok=not self.failures))
        return self.failures

    def run_blocking(self, observer: Observer = null_observer, ask: Callable[[str], bool] | None = None) -> int:
        """:meth:`run` for a caller without an event loop (a test, the CLI)."""

        async def asked(question: str) -> bool:
            return ask(question) if ask is not None else False

        return asyncio.run(self.run(observer, asked))

    def summary(self) -> tuple[str, dict[str, Any], bool]:
        """What the run ended with, for the status line: a catalogue key, its
        parameters, and whether it is bad news."""
        if self.install_update:
            return "day.restarting", {}, False
        if self.report_uuid is None:
            return "day.report_failed", {"step": STEPS.index("report") + 1}, True
        if self.offline == NOT_ACTIVATED:
            return "day.done_not_activated", {}, True
        if self.failed_pulls or self.states["upload"] == "failed":
            return "day.done_retrying", {"n": self.failures}, True
        if self.failures:
            return "day.done_with_failures", {"n": self.failures}, True
        return "day.done", {}, False

    # -- the network steps ----------------------------------------------------------
    async def _sync(self, job: str) -> StepOutcome:
        """Run one sync job in a thread with its own connection; sum up its events."""
        if self.offline:  # one unreachable back office is enough: no minutes of retries
            skipped = "day.offline_skipped" if self.offline == OFFLINE else "day.not_activated_skipped"
            return StepOutcome("failed", t(skipped))
        failures: list[str] = []
        done: list[ItemDone] = []

        def observer(event: object) -> None:
            if isinstance(event, ItemFailed):
                failures.append(failure_text(event.key, event.params))
                reason = event.key if event.key in _OFFLINE_KEYS else event.params.get("reason")
                if reason in _OFFLINE_KEYS:
                    self.offline = reason
            elif isinstance(event, ItemDone):
                done.append(event)

        failed = await asyncio.to_thread(self.till.sync.run_here, [job], observer, self.context_factory)
        if failed is None:
            self.offline = NOT_ACTIVATED
            failures.append(t(NOT_ACTIVATED))
        if self.offline == OFFLINE:  # one short line; the exact retry time is the upload's business
            return StepOutcome("failed", t("day.offline_skipped"))
        if failed is None or failed or failures:
            return StepOutcome("failed", failures[0] if failures else t("day.sync_failed"))
        if job == "transactions":  # a document taken now or held there already: delivered
            if not done:
                return StepOutcome("done", t("day.nothing_to_send"))
            return StepOutcome("done", t("day.sent", documents=tn("plural.documents", len(done))))
        added = sum(event.added for event in done)
        changed = sum(event.changed for event in done)
        removed = sum(event.removed for event in done)
        return StepOutcome("done", change_counts(ItemDone(job, "", added, changed, removed)))

    async def _pull(self, job: str) -> StepOutcome:
        outcome = await self._sync(job)
        if outcome.state == "failed":
            self.failed_pulls.append(job)
        return outcome

    async def _step_push(self, ask: Ask) -> StepOutcome:
        return await self._sync("transactions")

    async def _step_config(self, ask: Ask) -> StepOutcome:
        return await self._pull("config")

    async def _step_users(self, ask: Ask) -> StepOutcome:
        return await self._pull("users")

    async def _step_products(self, ask: Ask) -> StepOutcome:
        return await self._pull("products")

    async def _step_upload(self, ask: Ask) -> StepOutcome:
        # a failure's text already says when it is tried again (the background upload)
        return await self._sync("transactions")

    # -- the till's own steps -------------------------------------------------------
    async def _step_card(self, ask: Ask) -> StepOutcome:
        settlement = self.till.card_app.settle(self.clock())
        return StepOutcome(
            "done", t("day.card_settled", number=settlement.number, total=format_money(settlement.total),
                      transactions=tn("plural.transactions", settlement.count))
        )

    async def _step_parked(self, ask: Ask) -> StepOutcome:
        sale = self.till.sale
        keep = sale.parked_id if self.keep_current else None
        parked = [p for p in sale.parked.list_parked() if p.source == "terminal" and p.id != keep]
        with_lines = [p for p in parked if p.line_count]
        receipts = tn("plural.receipts", len(with_lines))
        if with_lines:
            question = t("day.parked_question", n=len(with_lines),
                         lines=tn("plural.lines", sum(p.line_count for p in with_lines)))
            if not await ask(question):
                return StepOutcome("skipped", t("day.parked_kept", receipts=receipts))
        # the void log and the receipts' removal in ONE transaction: a crash between
        # them would log the receipts again at the next day close (counted twice)
        with self.terminal.db.atomic("IMMEDIATE"):
            if self.cashier is not None:  # thrown away with lines: voided, counted in the report
                for receipt in with_lines:
                    self.terminal.ledger.record_voided(receipt.line_count, receipt.total, self.cashier,
                                                       self.clock())
            sale.parked.clear_parked(keep=keep)  # empty ones too: nothing to say about those
        if keep is None:
            sale.restore()
        if not with_lines:
            return StepOutcome("done", t("day.parked_none"))
        return StepOutcome("done", t("day.parked_cleared", receipts=receipts))

    async def _step_report(self, ask: Ask) -> StepOutcome:
        from ipos_tui.devices.printout import save_printout

        terminal = self.terminal
        cashier = self.cashier
        if cashier is None:
            raise DomainError("day.err_not_logged_in")
        now = self.clock()
        reports = self.till.reports
        self.blocked_day = reports.blocked(now)

        def run() -> Any:
            with terminal.db.connection_context():
                report, printout = reports.make_daily_report(cashier, now, self.authorisation)
                save_printout(self.data_dir, terminal.ledger.get_document(report.uuid), printout.text)
                return report, printout

        report, printout = await asyncio.to_thread(run)
        self.report_uuid = report.uuid
        self.report_text = printout.text
        return StepOutcome(
            "done", t("day.report_done", number=report.number, total=format_money(report.sums.total),
                      receipts=tn("plural.receipts", report.sums.receipts))
        )

    async def _step_vat(self, ask: Ask) -> StepOutcome:
        from ipos_tui.domain.printer import PRINTER_LETTERS, rate_label

        if self.report_uuid is None:  # the day still has sales: the PTU table must wait
            return StepOutcome("skipped", t("day.vat_not_written"))
        if not self.till.reports.open_day().is_empty:  # written only with zero totals
            return StepOutcome("skipped", t("vatdocs.vat_day_not_empty"))
        printer = self.till.printer
        wanted = {
            rate.letter: rate.rate_bp
            for rate in self.terminal.catalog.vat_rates()
            if rate.letter in PRINTER_LETTERS
        }
        change = printer.pending_vat_change(wanted)
        if change is None:
            return StepOutcome("done", t("day.vat_same"))
        if change.blocked:
            letters = ", ".join(c.letter for c in change.blocked)
            return StepOutcome("failed", t("err.vat_schodek", letters=letters))
        changes = ", ".join(
            f"{c.letter} {'-' if c.is_new else rate_label(c.old_bp)} {self.arrow} {rate_label(c.new_bp)}"
            for c in change.changes
        )
        if not await ask(t("day.vat_question", changes=changes)):
            return StepOutcome("skipped", t("day.vat_not_written"))
        report = self.terminal.ledger.get_document(self.report_uuid)
        printer.write_vat_table(wanted, self.clock(), note=(
            f"Po raporcie dobowym nr {report.number:04d}", "Sumy dobowe: 0,00 (dzień zamknięty)"))
        return StepOutcome("done", t("day.vat_written", changes=changes))

    async def _step_block(self, ask: Ask) -> StepOutcome:
        day = self.blocked_day
        if self.report_uuid is None:
            return StepOutcome("skipped", t("day.block_kept"))
        if day is None:
            return StepOutcome("done", t("day.block_none"))
        return StepOutcome("done", t("day.block_lifted", day=day.strftime("%d.%m.%Y")))

    async def _step_update(self, ask: Ask) -> StepOutcome:
        from ipos_tui.updates import hook

        if self.report_uuid is None:  # installs only after a stored report: never mid-day
            return StepOutcome("skipped", t("day.update_waits"))
        terminal = self.terminal

        def run() -> Any:  # re-hashes the staged wheelhouse: off the event loop
            with terminal.db.connection_context():
                pending, _oldest = terminal.ledger.pending_summary()
                return hook.day_close_update(terminal, pending=pending)

        result = await asyncio.to_thread(run)
        text = t(result.key, **result.params)
        if result.status == "ready":
            self.install_update = True
            return StepOutcome("done", text)
        if result.status == "nothing":  # the usual case: one short line
            return StepOutcome("skipped", t("day.update_nothing"))
        return StepOutcome("failed", text)


async def _no(_question: str) -> bool:
    return False


class DayCloseService:
    """``till.day_close``: starts a run of the day close."""

    def __init__(self, till: Till) -> None:
        self._till = till

    def begin(self, cashier: User | None, **options: Any) -> DayClose:
        """A run for ``cashier`` (options as :class:`DayClose`), not started yet."""
        return DayClose(self._till, cashier, **options)

    def close_day(
        self, cashier: User | None, *, observer: Observer = null_observer,
        ask: Callable[[str], bool] | None = None, **options: Any,
    ) -> DayClose:
        """Run the whole day close now (no event loop needed); the finished run."""
        run = self.begin(cashier, **options)
        run.run_blocking(observer, ask)
        return run


__all__ = ["JOB", "STEPS", "DayClose", "DayCloseService", "StepFinished", "StepOutcome"]
