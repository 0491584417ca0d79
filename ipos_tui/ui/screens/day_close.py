"""3. Raport dobowy (zamknięcie dnia): the day close, as visible steps.

The steps run in order, one row each with its state: push the unsent documents →
pull configuration, users, products → settle the card app → clear the terminal's
parked receipts (asking first when one has lines) → store and print the daily report
→ write a changed VAT table to the printer right AFTER the report, while the day's
totals are zero (the cashier confirms; not at all when no report was made) → lift a
"blocked after midnight" state → upload the report → LAST, install a staged update
(``ipos_tui.updates.hook``).

The network steps may fail (offline): the report is still made — it is a fiscal
duty — and what failed is retried in the background afterwards. Blocking work (sync,
the report's sums) runs in threads with their own database connections; questions
are modal dialogs awaited by the screen's worker, so nothing blocks the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from ...domain.errors import DomainError
from ...domain.money import format_money
from ...i18n import t
from ...i18n.plural import tn
from ...till.syncing import ItemDone, ItemFailed
from .base import PosScreen, error_text
from .sync import change_counts, failure_text

log = logging.getLogger(__name__)

#: The steps in the order they run.
STEPS: Final = (
    "push", "config", "users", "products", "card", "parked", "report", "vat", "block", "upload", "update",
)
#: Steps that talk to the back office (retried in the background when they fail).
_PULLS: Final = ("config", "users", "products")

#: Failures meaning the back office cannot be reached at all (not a refusal).
_OFFLINE: Final = "sync.err.offline"
_NOT_ACTIVATED: Final = "sync.err.not_activated"
_OFFLINE_KEYS: Final = frozenset({_OFFLINE, _NOT_ACTIVATED})

_STYLES: Final = {
    "waiting": "dim",
    "running": "bold yellow",
    "done": "green",
    "skipped": "dim",
    "failed": "bold red",
}


@dataclass(frozen=True)
class StepOutcome:
    state: str  # "done", "skipped" or "failed"
    detail: str = ""


class StepRow(Horizontal):
    """One step: its number and label, then a mark of its state with a detail
    ("✓ wysłano 2 dokumenty"); the state's word when there is no detail."""


    def __init__(self, step: str, number: int, label_width: int) -> None:
        super().__init__()
        self.step = step
        self.number = number
        self.label_width = label_width
        self.state = "waiting"

    def compose(self) -> ComposeResult:
        label = Static(step_label(self.step, self.number), classes="label", markup=False)
        label.styles.width = self.label_width
        yield label
        yield Static(self._text("waiting"), classes="state", markup=False)

    def _text(self, state: str, detail: str = "") -> Text:
        glyphs = self.app.glyphs  # type: ignore[attr-defined]
        mark = {
            "waiting": glyphs.dot, "running": "\u2026", "done": glyphs.ok, "skipped": "\u2013",
            "failed": glyphs.failed,
        }[state]
        text = Text(mark, style=_STYLES[state])
        text.append(" ")
        text.append(detail or t(f"day.state_{state}"), style="dim" if state == "waiting" else "")
        return text

    def show(self, state: str, detail: str = "") -> None:
        self.state = state
        self.query(".state").first(Static).update(self._text(state, detail))


def step_label(step: str, number: int) -> str:
    """"1. Wysłanie transakcji": the steps are numbered as they run (up to 11)."""
    return f"{number:>2}. {t(f'day.step_{step}')}"


def label_width() -> int:
    """The label column: the longest numbered label of the UI language, plus a gap."""
    return max(len(step_label(step, number)) for number, step in enumerate(STEPS, 1)) + 2


class DayCloseScreen(PosScreen):
    """Runs the day close once; Enter shows the report, Esc goes back when it ended."""

    TITLE_KEY = "day.title"


    BINDINGS = [
        Binding("enter", "show_report", "day.key_report", key_display="Enter", id="DayCloseScreen.show_report"),
        Binding("escape", "close", "keys.back", id="DayCloseScreen.close"),
        Binding("f1", "app.help", "keys.help", id="DayCloseScreen.app_help"),
    ]

    def __init__(
        self,
        *,
        keep_current: bool = False,
        context_factory: Callable[[object], Any] | None = None,
        authorisation: Any = None,
    ) -> None:
        super().__init__()
        #: started from payment under the midnight block: the receipt being rung up stays
        self.keep_current = keep_current
        self.context_factory = context_factory
        #: the manager who authorised the day close for a cashier without "day_close"
        #: (an Authorisation, stored and printed with the report)
        self.authorisation = authorisation
        self.rows: dict[str, StepRow] = {}
        self.running = True
        self.report_uuid: str | None = None
        self.report_text = ""
        self.blocked_day: date | None = None
        self.failed_pulls: list[str] = []
        self.install_update = False
        #: why the back office could not be reached ("sync.err.offline" or
        #: "sync.err.not_activated"): later network steps fail at once, saying so
        self.offline: str | None = None

    def compose_body(self) -> ComposeResult:
        width = label_width()
        with Vertical(id="day-box"):
            for number, step in enumerate(STEPS, 1):
                row = StepRow(step, number, width)
                self.rows[step] = row
                yield row

    def on_mount(self) -> None:
        self.say(t("day.running"))
        self.run_steps()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The printout key once the report exists; Esc once every step ended."""
        if action == "show_report":
            return self.report_uuid is not None
        if action == "close":
            return not self.running and not self.install_update
        return True

    # -- the run ------------------------------------------------------------------

    @work(exclusive=True, group="day-close")
    async def run_steps(self) -> None:
        failures = 0
        for step in STEPS:
            row = self.rows[step]
            row.show("running")
            try:
                outcome = await getattr(self, f"_step_{step}")()
            except DomainError as error:
                outcome = StepOutcome("failed", error_text(error))
            except Exception:  # a bug or a full disk in one step must not stop the others
                log.exception("day close step %s failed", step)
                outcome = StepOutcome("failed", t("day.crashed"))
            failures += outcome.state == "failed"
            row.show(outcome.state, outcome.detail)
            if step == "report":
                self.refresh_bindings()
        self.running = False
        self._finished(failures)
        self.refresh_bindings()

    def _finished(self, failures: int) -> None:
        pos = self.pos
        pos.sale_finished()  # whatever is still unsent goes on in the background
        if self.failed_pulls:
            pos.retry_pulls_later(tuple(self.failed_pulls))
        self.refresh_top_bar()
        if self.install_update:
            self.say(t("day.restarting"))
            self.set_timer(2.0, lambda: self.app.exit("install-update"))
        elif self.report_uuid is None:
            self.say(t("day.report_failed", step=STEPS.index("report") + 1), error=True)
        elif self.offline == _NOT_ACTIVATED:
            self.say(t("day.done_not_activated"), error=True)
        elif self.failed_pulls or self.rows["upload"].state == "failed":
            self.say(t("day.done_retrying", n=failures), error=True)
        elif failures:
            self.say(t("day.done_with_failures", n=failures), error=True)
        else:
            self.say(t("day.done"))
        self.query_one("KeyBar").update_keys()

    # -- steps ----------------------------------------------------------------------

    async def _sync(self, job: str) -> StepOutcome:
        """Run one sync job in a thread with its own connection; sum up its events."""
        if self.offline:  # one unreachable back office is enough: no minutes of retries
            skipped = "day.offline_skipped" if self.offline == _OFFLINE else "day.not_activated_skipped"
            return StepOutcome("failed", t(skipped))
        sync = self.pos.till.sync
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

        failed = await asyncio.to_thread(sync.run_here, [job], observer, self.context_factory)
        if failed is None:
            self.offline = _NOT_ACTIVATED
            failures.append(t(_NOT_ACTIVATED))
        if self.offline == _OFFLINE:  # one short line; the exact retry time is the upload's business
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

    async def _step_push(self) -> StepOutcome:
        return await self._sync("transactions")

    async def _pull(self, job: str) -> StepOutcome:
        outcome = await self._sync(job)
        if outcome.state == "failed":
            self.failed_pulls.append(job)
        return outcome

    async def _step_config(self) -> StepOutcome:
        return await self._pull("config")

    async def _step_users(self) -> StepOutcome:
        return await self._pull("users")

    async def _step_products(self) -> StepOutcome:
        return await self._pull("products")

    async def _step_vat(self) -> StepOutcome:
        from ...devices.printer import PRINTER_LETTERS, rate_label
        from ..dialogs import ConfirmDialog

        terminal = self.pos.terminal
        if self.report_uuid is None:  # the day still has sales: the PTU table must wait
            return StepOutcome("skipped", t("day.vat_not_written"))
        if not self.pos.till.reports.open_day().is_empty:  # written only with zero totals
            return StepOutcome("skipped", t("vatdocs.vat_day_not_empty"))
        printer = self.pos.till.printer
        wanted = {
            rate.letter: rate.rate_bp
            for rate in terminal.catalog.vat_rates()
            if rate.letter in PRINTER_LETTERS
        }
        change = printer.pending_vat_change(wanted)
        if change is None:
            return StepOutcome("done", t("day.vat_same"))
        if change.blocked:
            letters = ", ".join(c.letter for c in change.blocked)
            return StepOutcome("failed", t("err.vat_schodek", letters=letters))
        arrow = self.pos.glyphs.arrow
        changes = ", ".join(
            f"{c.letter} {'-' if c.is_new else rate_label(c.old_bp)} {arrow} {rate_label(c.new_bp)}"
            for c in change.changes
        )
        if not await self.app.push_screen_wait(ConfirmDialog(t("day.vat_question", changes=changes))):
            return StepOutcome("skipped", t("day.vat_not_written"))
        report = terminal.ledger.get_document(self.report_uuid)
        printer.write_vat_table(wanted, self.pos.clock(), note=(
            f"Po raporcie dobowym nr {report.number:04d}", "Sumy dobowe: 0,00 (dzień zamknięty)"))
        return StepOutcome("done", t("day.vat_written", changes=changes))

    async def _step_card(self) -> StepOutcome:

        settlement = self.pos.till.card_app.settle(self.pos.clock())
        return StepOutcome(
            "done", t("day.card_settled", number=settlement.number, total=format_money(settlement.total),
                      transactions=tn("plural.transactions", settlement.count))
        )

    async def _step_parked(self) -> StepOutcome:
        from ..dialogs import ConfirmDialog

        pos = self.pos
        keep = pos.parked_id if self.keep_current else None
        parked = [
            p for p in pos.parked.list_parked() if p.source == "terminal" and p.id != keep
        ]
        with_lines = [p for p in parked if p.line_count]
        receipts = tn("plural.receipts", len(with_lines))
        if with_lines:
            question = t("day.parked_question", n=len(with_lines),
                         lines=tn("plural.lines", sum(p.line_count for p in with_lines)))
            if not await self.app.push_screen_wait(ConfirmDialog(question)):
                return StepOutcome("skipped", t("day.parked_kept", receipts=receipts))
        if pos.cashier is not None:  # thrown away with lines: voided, counted in the report
            for receipt in with_lines:
                pos.terminal.ledger.record_voided(receipt.line_count, receipt.total, pos.cashier, pos.clock())
        pos.parked.clear_parked(keep=keep)  # empty ones too: nothing to say about those
        if keep is None:
            pos.restore_receipt()
        if not with_lines:
            return StepOutcome("done", t("day.parked_none"))
        return StepOutcome("done", t("day.parked_cleared", receipts=receipts))

    async def _step_report(self) -> StepOutcome:
        from ...devices.printout import save_printout

        pos = self.pos
        terminal = pos.terminal
        cashier = pos.cashier
        if cashier is None:
            raise DomainError("day.err_not_logged_in")
        now = pos.clock()
        self.blocked_day = pos.till.reports.blocked(now)

        def run() -> Any:
            with terminal.db.connection_context():
                report, printout = pos.till.reports.make_daily_report(cashier, now, self.authorisation)
                save_printout(pos.data_dir, terminal.ledger.get_document(report.uuid), printout.text)
                return report, printout

        report, printout = await asyncio.to_thread(run)
        self.report_uuid = report.uuid
        self.report_text = printout.text
        return StepOutcome(
            "done", t("day.report_done", number=report.number, total=format_money(report.sums.total),
                      receipts=tn("plural.receipts", report.sums.receipts))
        )

    async def _step_block(self) -> StepOutcome:
        day = self.blocked_day
        if self.report_uuid is None:
            return StepOutcome("skipped", t("day.block_kept"))
        if day is None:
            return StepOutcome("done", t("day.block_none"))
        return StepOutcome("done", t("day.block_lifted", day=day.strftime("%d.%m.%Y")))

    async def _step_upload(self) -> StepOutcome:
        # a failure's text already says when it is tried again (the background upload)
        return await self._sync("transactions")

    async def _step_update(self) -> StepOutcome:
        from ...updates.hook import day_close_update

        if self.report_uuid is None:  # installs only after a stored report: never mid-day
            return StepOutcome("skipped", t("day.update_waits"))
        terminal = self.pos.terminal

        def run() -> Any:  # re-hashes the staged wheelhouse: off the event loop
            with terminal.db.connection_context():
                pending, _oldest = terminal.ledger.pending_summary()
                return day_close_update(terminal, pending=pending)

        result = await asyncio.to_thread(run)
        text = t(result.key, **result.params)
        if result.status == "ready":
            self.install_update = True
            return StepOutcome("done", text)
        if result.status == "nothing":  # the usual case: one short line
            return StepOutcome("skipped", t("day.update_nothing"))
        return StepOutcome("failed", text)

    # -- keys -----------------------------------------------------------------------

    def action_show_report(self) -> None:
        if self.report_uuid is None:
            return
        from ..dialogs import TextViewDialog

        self.app.push_screen(TextViewDialog(t("day.report_title"), self.report_text))

    def action_close(self) -> None:
        if not self.running and not self.install_update:
            self.dismiss(None)
