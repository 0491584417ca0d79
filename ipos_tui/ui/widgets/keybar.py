"""The footer: every key the current screen takes, in the UI language.

Textual's Footer draws a separator glyph the Linux console lacks and spells keys its
own way; this one is a single line of text built from the screen's active bindings.
Binding descriptions are catalogue keys, translated when drawn, so a language switch
shows at once.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.dom import NoScreen
from textual.screen import Screen
from textual.widgets import Static

from ..keys import TillKey, till_keys
from ..errors import Guarded


def fit_keys(keys: list[tuple[str, str]], width: int) -> tuple[Text, list[tuple[int, int]]]:
    """The keys with their labels, and each key's cells (start, end); when they do not
    fit, the last ones lose their labels first (the key itself still shows, and F1
    says what it does)."""
    labelled = len(keys)
    while labelled > 0 and sum(len(k) + 1 + len(l) + 1 for k, l in keys[:labelled]) + sum(
        len(k) + 1 for k, _l in keys[labelled:]
    ) - 1 > width:
        labelled -= 1
    text = Text(no_wrap=True, overflow="crop")
    spans: list[tuple[int, int]] = []
    for index, (display, label) in enumerate(keys):
        if text:
            text.append(" ")
        start = len(text)
        text.append(display, style="bold reverse")
        if index < labelled:
            text.append(" " + label)
        spans.append((start, len(text)))
    return text, spans


class KeyBar(Guarded, Static):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 100%;
        background: $panel;
        color: $foreground;
    }
    """

    keys: list[TillKey] = []
    spans: list[tuple[int, int]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.update_keys()

    def on_resize(self) -> None:
        self.update_keys()

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self.update_keys)

    def update_keys(self) -> None:
        """Redraw from the till's keys the screen accepts right now (ui/keys.py)."""
        if not self.is_attached or not self.is_mounted:
            return
        try:
            screen = self.screen
        except NoScreen:
            return  # the screen was dismissed before this deferred redraw ran
        self.keys = [key for key in till_keys(screen) if key.shown]
        text, self.spans = fit_keys([(key.display, key.label) for key in self.keys], self.size.width or 80)
        self.update(text)

    async def on_click(self, event: events.Click) -> None:
        """A click on a key does what the key does: "F2 Menu" bottom-left is the duet's
        menu button (the help centre's three lines), in a terminal with a mouse."""
        for key, (start, end) in zip(self.keys, self.spans, strict=False):
            if start <= event.x < end:
                event.stop()
                await self.app.run_action(key.binding.action, key.node)
                return
