"""An Input that leaves the till's command keys to the screen.

A focused Input claims every printable key, so priority bindings for ``*`` and ``#``
would be filtered out (STACK.md). This subclass declines them; the screen binds them.
"""

from __future__ import annotations

from textual.widgets import Input

COMMAND_CHARACTERS = frozenset("*#+/")


class CodeInput(Input):
    DEFAULT_CSS = """
    CodeInput {
        border: solid $accent;
        height: 3;
    }
    CodeInput:focus {
        border: solid $primary;
    }
    """

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink", True)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if character is not None and character in COMMAND_CHARACTERS:
            return False
        return super().check_consume_key(key, character)

    async def _on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.character is not None and event.character in COMMAND_CHARACTERS:
            return  # left for the screen's bindings; never typed into the field
        await super()._on_key(event)
