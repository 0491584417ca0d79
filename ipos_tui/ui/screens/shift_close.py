"""Zamknięcie zmiany with cash management.

It asks first for the cash counted in the drawer, without showing what should be
there (a blind count), then shows both and the difference ("nadwyżka" / "niedobór" /
"zgodne") and asks to close; Esc there goes back to the count with the typed amount
kept. A difference above the back office's limit asks once more, with "nie" as the
answer Enter gives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ...domain.errors import DomainError
from ...domain.money import format_money
from ...i18n import t
from ...till.cash import CashService, DrawerState, ShiftCount
from ..errors import Guarded
from ..widgets.code_input import CodeInput
from ..widgets.keybar import KeyBar
from ..widgets.menu import MenuItem, NumberedMenu
from .cash_amount import AmountDialog
from .cash_results import (
    count_rows,
    difference_text,
    document_stored,
    drawer_rows,
    refuse,
    rows_text,
    show_result,
)

if TYPE_CHECKING:
    from ...domain.records import User
    from ..app import IposApp


class ShiftClose:
    """The steps of one shift close, keeping what the cashier typed between them."""

    def __init__(self, app: IposApp, service: CashService, cashier: User, state: DrawerState) -> None:
        self.app = app
        self.service = service
        self.cashier = cashier
        self.state = state
        self.limit = service.difference_limit()
        #: the count as typed, shown again when the cashier goes back to correct it
        self.typed = ""
        self.count: ShiftCount | None = None

    def ask_count(self) -> None:
        """The count form; Esc leaves the shift open and nothing stored."""
        shift = self.state.shift
        info = t("cash.count_info", start=f"{shift.started_local:%Y-%m-%d %H:%M}", cashier=shift.cashier_name)
        dialog: AmountDialog[int] = AmountDialog(
            t("cash.count_title"), info, self._counted, allow_zero=True, label_key="cash.count_label",
            hint_key="cash.count_hint", accept_key="cash.key_next", initial=self.typed,
        )
        self.app.push_screen(dialog, self._after_count)

    def _counted(self, amount: int, _reason: str) -> int:
        screen = self.app.screen
        if isinstance(screen, AmountDialog):
            self.typed = screen.query_one("#amount", CodeInput).value
        return amount

    def _after_count(self, counted: int | None) -> None:
        if counted is None:
            return
        self.count = ShiftCount(self.state.cash, counted)
        self.app.push_screen(ShiftCloseSummary(self.state, self.count, self.limit), self._after_summary)

    def _after_summary(self, close: bool | None) -> None:
        assert self.count is not None
        if not close:
            self.ask_count()
        elif self.count.is_large(self.limit):
            self.app.push_screen(LargeDifferenceDialog(self.count, self.limit), self._after_large)
        else:
            self._close()

    def _after_large(self, sure: bool | None) -> None:
        if sure:
            self._close()
        else:
            self.ask_count()

    def _close(self) -> None:
        app, count = self.app, self.count
        assert count is not None
        try:
            result = self.service.close_shift(
                cashier=self.cashier, now=app.clock(), counted=count.counted, expected=count.expected
            )
        except DomainError as error:
            app.call_later(refuse, app, error)
            return
        document_stored(app, result)
        message = t("cash.close_done", number=result.document.number, counted=format_money(count.counted),
                    difference=difference_text(count))
        app.call_later(show_result, app, result, app.logout, message)


class ShiftCloseSummary(Guarded, ModalScreen[bool]):
    """The shift's sums, what should be in the drawer, what was counted and the
    difference; Enter closes the shift, Esc goes back to the count."""


    BINDINGS = [
        Binding("enter,ctrl+j", "answer(True)", "cash.key_close", key_display="Enter", id="ShiftCloseSummary.answer.enter"),
        Binding("escape", "answer(False)", "cash.key_correct", id="ShiftCloseSummary.answer.escape"),
    ]

    def __init__(self, state: DrawerState, count: ShiftCount, limit: int) -> None:
        super().__init__()
        self.state = state
        self.count = count
        self.limit = limit

    def compose(self) -> ComposeResult:
        rows = count_rows(self.count)
        with Vertical() as box:
            box.border_title = t("cash.shift_close")
            yield Static(rows_text(drawer_rows(self.state)), id="sums", markup=False)
            yield Static("\u2500" * 40, id="rule", markup=False)
            yield Static(rows_text(rows[:2]), id="count", markup=False)
            yield Static(rows_text(rows[2:]), id="difference", classes=self.count.kind, markup=False)
            if self.count.is_large(self.limit):
                yield Static(t("cash.large_note", limit=format_money(self.limit)), id="large", markup=False)
            yield Static(t("cash.close_confirm"), id="question", markup=False)
        yield KeyBar()

    def action_answer(self, close: bool) -> None:
        self.dismiss(close)


class LargeDifferenceDialog(Guarded, ModalScreen[bool]):
    """"Czy na pewno?" for a difference above the limit: 1. Nie (where Enter starts),
    2. Tak; Esc is "nie"."""


    BINDINGS = [Binding("escape", "answer(False)", "keys.no", id="LargeDifferenceDialog.answer.escape")]

    def __init__(self, count: ShiftCount, limit: int) -> None:
        super().__init__()
        self.count = count
        self.limit = limit

    def compose(self) -> ComposeResult:
        text = t("cash.large_question", difference=difference_text(self.count), limit=format_money(self.limit))
        with Vertical() as box:
            box.border_title = t("cash.large_title")
            yield Static(text, id="sure-text", markup=False)
            yield NumberedMenu([
                MenuItem(1, "cash.large_no", lambda: self.action_answer(False)),
                MenuItem(2, "cash.large_yes", lambda: self.action_answer(True)),
            ])
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(NumberedMenu).focus()

    def on_numbered_menu_chosen(self, event: NumberedMenu.Chosen) -> None:
        event.stop()
        event.item.action()

    def action_answer(self, sure: bool) -> None:
        self.dismiss(sure)
