"""3. Raport dobowy (zamknięcie dnia): the day close, as visible steps.

The steps, their order, retries and offline rules are the till's
(:mod:`ipos_tui.till.day_close`); this screen shows one row per step with its state,
asks the cashier the run's questions as modal dialogs, and when the run ended says
how it went. The run is awaited by the screen's worker on the event loop (its
blocking parts run in threads), so nothing blocks the UI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from ...i18n import t
from ...till.day_close import STEPS, DayClose, StepFinished
from ...till.syncing import ItemStarted
from .base import PosScreen, error_text

_STYLES: Final = {
    "waiting": "dim",
    "running": "bold yellow",
    "done": "green",
    "skipped": "dim",
    "failed": "bold red",
}


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
        #: the till's run (made when the screen starts it)
        self.day_close: DayClose | None = None

    # what the run found out, as the keys and the tests read it
    @property
    def report_uuid(self) -> str | None:
        return self.day_close.report_uuid if self.day_close else None

    @property
    def report_text(self) -> str:
        return self.day_close.report_text if self.day_close else ""

    @property
    def failed_pulls(self) -> list[str]:
        return self.day_close.failed_pulls if self.day_close else []

    @property
    def install_update(self) -> bool:
        return self.day_close.install_update if self.day_close else False

    @property
    def offline(self) -> str | None:
        return self.day_close.offline if self.day_close else None

    def compose_body(self) -> ComposeResult:
        width = label_width()
        with Vertical(id="day-box"):
            for number, step in enumerate(STEPS, 1):
                row = StepRow(step, number, width)
                self.rows[step] = row
                yield row

    def on_mount(self) -> None:
        self.say(t("day.running"))
        pos = self.pos
        self.day_close = pos.till.day_close.begin(
            pos.cashier, clock=pos.clock, data_dir=pos.data_dir, keep_current=self.keep_current,
            authorisation=self.authorisation, context_factory=self.context_factory, arrow=pos.glyphs.arrow,
        )
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
        assert self.day_close is not None
        await self.day_close.run(self._progress, self._ask)
        self.running = False
        self._finished()
        self.refresh_bindings()

    def _progress(self, event: object) -> None:
        """A step started or ended: its row shows it."""
        if isinstance(event, ItemStarted):
            self.rows[event.item].show("running")
        elif isinstance(event, StepFinished):
            outcome = event.outcome
            detail = error_text(outcome.error) if outcome.error is not None else outcome.detail
            self.rows[event.item].show(outcome.state, detail)
            if event.item == "report":
                self.refresh_bindings()

    async def _ask(self, question: str) -> bool:
        from ..dialogs import ConfirmDialog

        return bool(await self.app.push_screen_wait(ConfirmDialog(question)))

    def _finished(self) -> None:
        assert self.day_close is not None
        pos = self.pos
        pos.sale_finished()  # whatever is still unsent goes on in the background
        if self.failed_pulls:
            pos.retry_pulls_later(tuple(self.failed_pulls))
        self.refresh_top_bar()
        key, params, bad = self.day_close.summary()
        self.say(t(key, **params), error=bad)
        if self.install_update:
            self.set_timer(2.0, lambda: self.app.exit("install-update"))
        self.query_one("KeyBar").update_keys()

    # -- keys -----------------------------------------------------------------------

    def action_show_report(self) -> None:
        if self.report_uuid is None:
            return
        from ..dialogs import TextViewDialog

        self.app.push_screen(TextViewDialog(t("day.report_title"), self.report_text))

    def action_close(self) -> None:
        if not self.running and not self.install_update:
            self.dismiss(None)
