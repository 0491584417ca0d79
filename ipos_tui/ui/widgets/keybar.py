"""The footer: every key the current screen takes, in the UI language.

Textual's Footer draws a separator glyph the Linux console lacks and spells keys its
own way; this one is a single line of text built from the screen's active bindings.
Binding descriptions are catalogue keys, translated when drawn, so a language switch
shows at once.
"""

from __future__ import annotations

from rich.text import Text
from textual.dom import NoScreen
from textual.screen import Screen
from textual.widgets import Static

from ..keys import till_keys
from ..errors import Guarded


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

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
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
        text = Text(no_wrap=True, overflow="crop")
        for key in till_keys(screen):
            if not key.shown:
                continue
            if text:
                text.append(" ")
            text.append(key.display, style="bold reverse")
            text.append(" " + key.label)
        self.update(text)
