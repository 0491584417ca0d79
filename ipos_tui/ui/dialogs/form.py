"""A small form: labelled fields, ``*`` or Tab to the next one, Enter to accept.

Each field may carry a validator that returns the cleaned value or raises
DomainError; the message shows under the form and the dialog stays open.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ...domain.errors import DomainError
from ...i18n import t
from ..errors import error_text
from ..widgets.code_input import CodeInput, run_command
from ..widgets.keybar import KeyBar
from ..errors import Guarded


@dataclass(frozen=True)
class Field:
    name: str
    label_key: str
    value: str = ""
    password: bool = False
    restrict: str | None = None
    max_length: int = 0
    required: bool = True
    validate: Callable[[str], Any] | None = None


class FormDialog(Guarded, ModalScreen[dict[str, Any] | None]):
    DEFAULT_CSS = """
    FormDialog {
        align: center middle;
    }
    FormDialog > Vertical {
        width: 66;
        height: auto;
        border: solid $primary;
        background: $surface;
        padding: 0 1;
    }
    FormDialog Grid {
        grid-size: 2;
        grid-columns: 18 1fr;
        grid-rows: 3;
        height: auto;
    }
    FormDialog Grid Label {
        height: 3;
        content-align: left middle;
    }
    FormDialog #hint {
        color: $text-muted;
    }
    FormDialog #error {
        color: $text-error;
        text-style: bold;
    }
    """

    BINDINGS = [
        Binding("enter,ctrl+j", "accept", "keys.accept", key_display="Enter", id="FormDialog.accept"),
        Binding("asterisk,tab,multiply", "next_field", "keys.next_field", key_display="*", id="FormDialog.next_field"),
        Binding("escape", "cancel", "keys.cancel", id="FormDialog.cancel"),
        Binding("f1", "app.help", "keys.help", id="FormDialog.app_help"),
    ]

    def __init__(self, title: str, fields: Sequence[Field], *, hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.fields = list(fields)
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            if self.hint:
                yield Static(self.hint, id="hint", markup=False)
            with Grid():
                for field in self.fields:
                    yield Label(t(field.label_key), markup=False)
                    yield CodeInput(
                        value=field.value,
                        password=field.password,
                        restrict=field.restrict,
                        max_length=field.max_length,
                        id=f"field-{field.name}",
                        select_on_focus=False,
                        commands="*",
                    )
            yield Static("", id="error", markup=False)
        yield KeyBar()

    async def on_code_input_command(self, message: CodeInput.Command) -> None:
        await run_command(self, message)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_accept()

    def _inputs(self) -> list[CodeInput]:
        return list(self.query(CodeInput))

    def _check(self, field: Field, widget: CodeInput) -> tuple[bool, Any]:
        """Validate one field; on failure say why and keep the cursor there."""
        raw = widget.value.strip()
        if not raw:
            if field.required:
                self._fail(widget, t("form.required", field=t(field.label_key).rstrip(":")))
                return False, None
            return True, None
        try:
            return True, field.validate(raw) if field.validate else raw
        except DomainError as error:
            self._fail(widget, error_text(error))
            return False, None

    def _focused_index(self) -> int:
        inputs = self._inputs()
        return inputs.index(self.focused) if self.focused in inputs else -1

    def action_next_field(self) -> None:
        """``*`` or Tab: check this field, then go to the next one."""
        inputs = self._inputs()
        index = self._focused_index()
        if index >= 0:
            ok, _value = self._check(self.fields[index], inputs[index])
            if not ok:
                return
        self.query_one("#error", Static).update("")
        inputs[(index + 1) % len(inputs)].focus()

    def action_accept(self) -> None:
        """Enter: next field, or on the last one check everything and return it."""
        index = self._focused_index()
        if 0 <= index < len(self.fields) - 1:
            self.action_next_field()
            return
        values: dict[str, Any] = {}
        for field, widget in zip(self.fields, self._inputs(), strict=True):
            ok, value = self._check(field, widget)
            if not ok:
                return
            values[field.name] = value
        self.dismiss(values)

    def _fail(self, widget: CodeInput, message: str) -> None:
        self.query_one("#error", Static).update(message)
        widget.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
