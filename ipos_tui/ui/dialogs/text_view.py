"""A scrollable page of text: a printout, a report, key help."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..widgets.keybar import KeyBar
from ..errors import Guarded


class TextViewDialog(Guarded, ModalScreen[None]):
    DEFAULT_CSS = """
    TextViewDialog {
        align: center middle;
    }
    TextViewDialog > VerticalScroll {
        width: auto;
        min-width: 46;
        max-width: 78;
        height: auto;
        max-height: 21;
        border: solid $primary;
        background: $surface;
        padding: 0 1;
    }
    TextViewDialog #text {
        width: auto;
    }
    """

    BINDINGS = [
        Binding("escape,enter,ctrl+j", "close", "keys.close", key_display="Enter/Esc"),
        Binding("up", "scroll(-1)", "keys.scroll", key_display="\u2191\u2193"),
        Binding("down", "scroll(1)", "keys.scroll", show=False),
        Binding("pageup", "scroll(-10)", "keys.scroll", show=False),
        Binding("pagedown", "scroll(10)", "keys.scroll", show=False),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = self.title_text
            yield Static(self.text, id="text", markup=False)
        yield KeyBar()

    def action_scroll(self, lines: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)


class ErrorDialog(TextViewDialog):
    """An unexpected error, as the cashier reads it (ui/errors.py)."""

    DEFAULT_CSS = """
    ErrorDialog > VerticalScroll {
        width: 70;
        border: solid $error;
    }
    ErrorDialog #text {
        width: 100%;
    }
    """
