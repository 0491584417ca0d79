"""A tak/nie question, as the duet asks it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..widgets.keybar import KeyBar
from ..errors import Guarded


class ConfirmDialog(Guarded, ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmDialog {
        align: center middle;
    }
    ConfirmDialog > Vertical {
        width: 60;
        height: auto;
        border: solid $warning;
        padding: 1 2;
        background: $surface;
    }
    ConfirmDialog #question {
        width: 100%;
        text-align: center;
    }
    """

    BINDINGS = [
        Binding("enter,ctrl+j", "answer(True)", "keys.yes", key_display="Enter"),
        Binding("escape", "answer(False)", "keys.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, id="question", markup=False)
        yield KeyBar()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
