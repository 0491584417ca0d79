"""A tak/nie question, as the duet asks it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap
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

    #: default "tak": Enter (green) agrees, Esc (red) refuses
    BINDINGS = [
        Binding("enter,ctrl+j", "answer(True)", "keys.yes", key_display="Enter", id="ConfirmDialog.answer_yes.enter"),
        Binding("escape", "answer(False)", "keys.no", id="ConfirmDialog.answer_no.escape"),
    ]

    def __init__(self, question: str, *, default: bool = True) -> None:
        """``default=False`` for what cannot be undone by mistake (voiding a receipt,
        an amount far beyond the usual): Enter and Esc both say "nie", and only
        ``T`` (or ``1``) says "tak"."""
        super().__init__()
        self.question = question
        self.default = default
        if not default:
            self._bindings = BindingsMap(
                [
                    Binding("t,T,y,Y,1", "answer(True)", "keys.yes", key_display="T/1", id="ConfirmDialog.answer_yes.t"),
                    Binding("enter,ctrl+j,escape", "answer(False)", "keys.no", key_display="Enter/Esc", id="ConfirmDialog.answer_no.enter"),
                ]
            )

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, id="question", markup=False)
        yield KeyBar()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
