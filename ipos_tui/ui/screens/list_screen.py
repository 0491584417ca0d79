"""A boxed list of fixed-width rows under a header line: what 5. Transakcje, the card
app's transactions and 6. Paragony share.

Subclasses give the box's id prefix, the header text, the rows (``load``) and their
own keys; the moving keys and Esc come from :data:`NAVIGATION` so each screen keeps
its keys in the order it shows them.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.containers import Vertical
from textual.widgets import Static

from ...i18n import t
from ..widgets.receipt_list import RowList
from .base import PosScreen

#: ↑↓ (shown once), PgUp/PgDn: the highlight; splice into a subclass's BINDINGS
NAVIGATION: list[Binding] = [
    Binding("up", "move(-1)", "keys.move", key_display="\u2191\u2193", id="list_screen.move.up"),
    Binding("down", "move(1)", "keys.move", show=False, id="list_screen.move.down"),
    Binding("pageup", "move(-10)", "keys.move", show=False, id="list_screen.move.pageup"),
    Binding("pagedown", "move(10)", "keys.move", show=False, id="list_screen.move.pagedown"),
]


class ListScreen(PosScreen):

    #: ids are "<prefix>-box", "<prefix>-header", "<prefix>-list"
    ID_PREFIX: ClassVar[str] = "list"
    #: catalogue key of the box's border title, if any
    BOX_TITLE_KEY: ClassVar[str | None] = None

    def compose_body(self) -> ComposeResult:
        prefix = self.ID_PREFIX
        with Vertical(id=f"{prefix}-box", classes="list-box") as box:
            if self.BOX_TITLE_KEY is not None:
                box.border_title = t(self.BOX_TITLE_KEY)
            yield Static(self.header(), id=f"{prefix}-header", classes="list-header", markup=False)
            yield RowList(id=f"{prefix}-list")

    def header(self) -> str:
        return ""

    def load(self) -> None:
        """(Re)draw the rows."""

    def on_mount(self) -> None:
        self.load()

    @property
    def rows(self) -> RowList:
        return self.query_one(RowList)

    @property
    def box(self) -> Vertical:
        return self.query_one(f"#{self.ID_PREFIX}-box", Vertical)

    def refresh_texts(self) -> None:
        super().refresh_texts()
        if self.BOX_TITLE_KEY is not None:
            self.box.border_title = t(self.BOX_TITLE_KEY)
        self.query_one(f"#{self.ID_PREFIX}-header", Static).update(self.header())
        self.load()

    def row_width(self) -> int:
        """Cells a row has in the list box now (80 columns: 78; 78 before it is drawn)."""
        try:
            return self.box.content_size.width or 78
        except NoMatches:
            return 78

    def on_resize(self) -> None:
        """Rows are drawn for the width there is: redraw them when it changes."""
        self.call_after_refresh(self._relayout)

    def _relayout(self) -> None:
        self.query_one(f"#{self.ID_PREFIX}-header", Static).update(self.header())
        self.load()

    def action_move(self, step: int) -> None:
        self.rows.move(step)

    def action_back(self) -> None:
        self.dismiss(None)
