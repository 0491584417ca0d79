"""The amount dialog of the cash operations: the opening cash, a deposit or withdrawal
(with an optional reason) and the count of a shift close."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ...domain.errors import DomainError
from ...domain.money import format_money
from ...i18n import t
from ...till.cash import parse_cash_amount
from ..errors import Guarded, error_text
from ..widgets.code_input import CodeInput, run_command
from ..widgets.keybar import KeyBar

_ResultT = TypeVar("_ResultT")
#: Characters of a well-formed amount; anything else is refused as soon as it is typed.
_AMOUNT_CHARS = frozenset("0123456789 ,.\u00a0złZŁ")


class AmountDialog(Guarded, ModalScreen[_ResultT], Generic[_ResultT]):
    """Asks for an amount (and, for deposits and withdrawals, an optional reason) and
    runs ``submit`` on Enter: a refusal (too much, no permission, a bad amount) is
    shown here and the dialog stays open with what was typed; what ``submit`` returns
    (a stored document, or the counted amount of a shift close) closes it.

    The field takes any character, so letters or a minus sign get a message instead of
    vanishing (a "-5" silently read as 0,05 zł would be worse than an error)."""


    BINDINGS = [
        Binding("enter,ctrl+j", "accept", "cash.key_confirm", key_display="Enter", id="AmountDialog.accept"),
        Binding("asterisk,tab,multiply", "next_field", "cash.key_reason", key_display="*", id="AmountDialog.next_field"),
        Binding("escape", "cancel", "keys.cancel", id="AmountDialog.cancel"),
    ]

    def __init__(
        self,
        title: str,
        info: str,
        submit: Callable[[int, str], _ResultT],
        *,
        allow_zero: bool = False,
        with_reason: bool = False,
        label_key: str = "cash.amount",
        hint_key: str = "cash.amount_hint",
        accept_key: str = "cash.key_confirm",
        initial: str = "",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.info = info
        self.submit = submit
        self.allow_zero = allow_zero
        self.with_reason = with_reason
        self.label_key = label_key
        self.hint_key = hint_key
        self.accept_key = accept_key
        self.initial = initial
        #: True once ``submit`` stored nothing and returned None (a skipped opening)
        self.done_without_document = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            if self.info:
                yield Static(self.info, id="info", markup=False)
            with Grid():
                yield Label(t(self.label_key), markup=False)
                yield CodeInput(self.initial, id="amount", select_on_focus=False, commands="*")
                if self.with_reason:
                    yield Label(t("cash.reason"), markup=False)
                    yield CodeInput(id="reason", max_length=200, select_on_focus=False, commands="*")
            yield Static(t(self.hint_key), id="hint", markup=False)
            yield Static("", id="preview", markup=False)
            yield Static("", id="error", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#amount", CodeInput).focus()

    def binding_label(self, binding: Binding) -> str | None:
        return t(self.accept_key) if binding.action == "accept" else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_field":
            return self.with_reason
        return True

    async def on_code_input_command(self, message: CodeInput.Command) -> None:
        await run_command(self, message)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "amount":
            return
        preview = self.query_one("#preview", Static)
        error = self.query_one("#error", Static)
        error.update("")
        try:
            amount = parse_cash_amount(event.value, allow_zero=self.allow_zero)
        except DomainError as refused:
            preview.update("")
            if not set(event.value) <= _AMOUNT_CHARS:  # a letter or a sign: say so at once
                error.update(error_text(refused))
            return
        preview.update(t("cash.preview", amount=format_money(amount)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_accept()

    def action_next_field(self) -> None:
        fields = list(self.query(CodeInput))
        index = fields.index(self.focused) if self.focused in fields else -1
        fields[(index + 1) % len(fields)].focus()

    def action_accept(self) -> None:
        amount_field = self.query_one("#amount", CodeInput)
        reason = self.query_one("#reason", CodeInput).value if self.with_reason else ""
        try:
            amount = parse_cash_amount(amount_field.value, allow_zero=self.allow_zero)
            result = self.submit(amount, reason)
        except DomainError as error:
            self.query_one("#error", Static).update(error_text(error))
            amount_field.focus()
            return
        self.done_without_document = result is None
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)
