"""The top bar: where am I, who is selling, unsent documents and the clock."""

from __future__ import annotations

from rich.text import Text
from textual.screen import ModalScreen
from textual.widgets import Static

from ...i18n import t
from ..errors import Guarded


def format_age(minutes: int) -> str:
    """"14 min", "3 godz.", "2 dni" — how long the oldest unsent sale has waited."""
    if minutes < 60:
        return t("age.minutes", n=minutes)
    if minutes < 48 * 60:
        return t("age.hours", n=minutes // 60)
    return t("age.days", n=minutes // (24 * 60))


class TopBar(Guarded, Static):
    """Left: store · terminal · cashier · receipt (or a screen title); right: ☁ and time.

    It shows the app's ``unsent`` and ``staged`` state and never queries the database."""

    DEFAULT_CSS = """
    TopBar {
        dock: top;
        height: 1;
        width: 100%;
        background: $primary;
        color: $text;
    }
    """

    def on_mount(self) -> None:
        self.refresh_bar()
        # ☁ and the staged update change when work ends (the app's reactive state);
        # the tick only moves the clock and the age of the oldest unsent sale
        self.watch(self.app, "unsent", self._changed, init=False)
        self.watch(self.app, "staged", self._changed, init=False)
        self.set_interval(1.0, self._tick)

    def _changed(self, _value: object) -> None:
        self._tick()

    def on_resize(self) -> None:
        self.refresh_bar()

    def _tick(self) -> None:
        """Every second while this bar can be seen: its screen is on top, or only
        menus and dialogs are over it (the clock and ☁ stay live under a menu)."""
        for screen in reversed(self.app.screen_stack):
            if not isinstance(screen, ModalScreen):
                if screen is self.screen:
                    self.refresh_bar()
                return

    def refresh_bar(self) -> None:
        app = self.app
        left = self.screen.top_left()  # type: ignore[attr-defined]
        right = app.status_text()  # type: ignore[attr-defined]
        staged = app.staged  # type: ignore[attr-defined]
        if staged:
            right = t("update.topbar", version=staged) + "  " + right
        width = self.size.width or 80
        # the clock and ☁ always show; the place gives way, cut from its end
        room = width - len(right) - 2
        if len(left) > room:
            left = left[: max(room - 1, 0)] + "\u2026" if room > 1 else ""
        text = Text(" " + left, no_wrap=True, overflow="crop")
        text.append(" " * max(width - len(left) - len(right) - 2, 1))
        text.append(right + " ")
        self.update(text)
