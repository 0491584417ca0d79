"""A scrollable page of text: a printout, a report, key help.

It sits in the upper part of the screen, above the sales screen's code field and
status line, and says on its lower border when more text is above or below
("↑ więcej" / "↓ więcej"): a receipt's payment and change lines are at its end, so a
just-finished document opens scrolled to the end (``at_end``).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...i18n import t
from ..widgets.keybar import KeyBar
from ..errors import Guarded


class TextViewDialog(Guarded, ModalScreen[None]):
    DEFAULT_CSS = """
    TextViewDialog {
        align: center top;
    }
    TextViewDialog > VerticalScroll {
        width: auto;
        min-width: 46;
        max-width: 78;
        height: auto;
        max-height: 18;
        margin: 1 0 0 0;
        border: solid $primary;
        border-subtitle-align: right;
        background: $surface;
        padding: 0 1;
    }
    TextViewDialog #text {
        width: auto;
    }
    TextViewDialog.-wrap > VerticalScroll {
        width: 76;
    }
    TextViewDialog.-wrap #text {
        width: 100%;
    }
    """

    BINDINGS = [
        Binding("escape,enter,ctrl+j", "close", "keys.close", key_display="Enter/Esc", id="TextViewDialog.close"),
        # priority: the scroll container's own arrows would run instead (no hint update)
        Binding("up", "scroll(-1)", "keys.scroll", key_display="\u2191\u2193", priority=True, id="TextViewDialog.scroll.up"),
        Binding("down", "scroll(1)", "keys.scroll", show=False, priority=True, id="TextViewDialog.scroll.down"),
        Binding("pageup", "scroll(-10)", "keys.scroll", show=False, priority=True, id="TextViewDialog.scroll.pageup"),
        Binding("pagedown", "scroll(10)", "keys.scroll", show=False, priority=True, id="TextViewDialog.scroll.pagedown"),
    ]

    #: rows of the screen the page leaves free: the top bar above it, and below it the
    #: sales screen's code field (3), its status line and the key bar
    FREE_ROWS = 6

    def __init__(self, title: str, text: str, *, at_end: bool = False, wrap: bool = False) -> None:
        """``wrap``: prose (help, messages) wraps at the page's width; a printout keeps
        its 40-column lines as printed."""
        super().__init__()
        self.title_text = title
        self.text = text
        self.at_end = at_end
        self.set_class(wrap, "-wrap")

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = self.title_text
            yield Static(self.text, id="text", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self._fit()
        self.call_after_refresh(self._start)

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """As tall as the screen allows above the code field (at least 8 rows)."""
        self.query_one(VerticalScroll).styles.max_height = max(self.size.height - self.FREE_ROWS, 8)

    def _start(self) -> None:
        if self.at_end:
            self.query_one(VerticalScroll).scroll_end(animate=False, immediate=True)
        self.call_after_refresh(self._mark_more)

    def _mark_more(self) -> None:
        """Say on the lower border whether text is hidden above or below."""
        scroll = self.query_one(VerticalScroll)
        parts = []  # ↑ ↓ are in the console font too
        if scroll.scroll_y > 0:
            parts.append(f"\u2191 {t('view.more_above')}")
        if scroll.scroll_y < scroll.max_scroll_y:
            parts.append(f"\u2193 {t('view.more_below')}")
        scroll.border_subtitle = " · ".join(parts)

    def action_scroll(self, lines: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False, immediate=True)
        self.call_after_refresh(self._mark_more)

    def action_close(self) -> None:
        self.dismiss(None)


class ErrorDialog(TextViewDialog):
    """An unexpected error, as the cashier reads it (ui/errors.py)."""

    DEFAULT_CSS = """
    ErrorDialog > VerticalScroll {
        border: solid $error;
    }
    """

    def __init__(self, title: str, text: str) -> None:
        super().__init__(title, text, wrap=True)
