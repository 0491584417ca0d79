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

from ...i18n import t
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
        """Redraw from the bindings the screen accepts right now, in the order the
        screen declares them."""
        if not self.is_attached or not self.is_mounted:
            return
        try:
            screen = self.screen
        except NoScreen:
            return  # the screen was dismissed before this deferred redraw ran
        order = {key: index for index, key in enumerate(screen._bindings.key_to_bindings)}
        active = sorted(screen.active_bindings.values(), key=lambda item: order.get(item[1].key, -1))
        text = Text(no_wrap=True, overflow="crop")
        seen: set[str] = set()
        # a screen may keep a key working but off the bar while it has no room for it
        shown = getattr(screen, "show_key", None)
        for _node, binding, enabled, _tooltip in active:
            if not binding.show or not enabled or binding.action in seen:
                continue
            if shown is not None and not shown(binding):
                continue
            seen.add(binding.action)
            if text:
                text.append(" ")
            text.append(self.app.get_key_display(binding), style="bold reverse")
            label = getattr(screen, "binding_label", None)
            text.append(" " + ((label(binding) if label else None) or t(binding.description)))
        self.update(text)
