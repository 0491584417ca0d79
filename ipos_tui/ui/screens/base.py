"""What every full screen of the till shares: top bar, body, status line, key bar."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from ...domain.errors import DomainError
from ...i18n import t
from ..widgets.code_input import CodeInput, run_command
from ..widgets.keybar import KeyBar
from ..widgets.topbar import TopBar
from ..errors import Guarded, error_text

if TYPE_CHECKING:
    from ..app import IposApp


class StatusLine(Static):
    """One line for the result of the last key: what happened, or what went wrong."""


    def __init__(self, **kwargs: object) -> None:
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]

    def say(self, text: str, *, error: bool = False) -> None:
        self.set_class(error, "-error")
        self.update(text)


class PosScreen(Guarded, Screen[None]):
    """A full screen with the top bar and the key bar."""

    #: catalogue key of the title shown on the top bar instead of the location
    TITLE_KEY: str | None = None
    #: whether the top bar names the open receipt ("Sprzedaż 1")
    WITH_RECEIPT = False

    @property
    def pos(self) -> IposApp:
        return cast("IposApp", self.app)

    def compose(self) -> ComposeResult:
        yield TopBar(id="topbar")
        yield from self.compose_body()
        yield StatusLine(id="status")
        yield KeyBar(id="keybar")

    def compose_body(self) -> ComposeResult:
        yield from ()

    async def on_code_input_command(self, message: CodeInput.Command) -> None:
        await run_command(self, message)

    def on_screen_resume(self) -> None:
        # back from a dialog or another screen: whatever it did is counted
        self.refresh_top_bar()

    def top_left(self) -> str:
        if self.TITLE_KEY is not None:
            return t(self.TITLE_KEY)
        return " \u00b7 ".join(self.pos.location_parts(with_receipt=self.WITH_RECEIPT))

    def say(self, text: str, *, error: bool = False) -> None:
        self.query_one(StatusLine).say(text, error=error)

    def say_error(self, error: DomainError) -> None:
        self.say(error_text(error), error=True)

    def refresh_top_bar(self) -> None:
        """Something just happened here (a sale, a sync step, a staged update): read
        the unsent count and the staged update again, and redraw the top bar."""
        self.pos.refresh_status()
        self.query_one(TopBar).refresh_bar()

    def refresh_texts(self) -> None:
        """Redraw texts after a language or glyph change."""
        self.refresh_top_bar()
        self.query_one(KeyBar).update_keys()
