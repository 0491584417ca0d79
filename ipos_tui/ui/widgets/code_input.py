"""An Input that hands the till's command keys to its screen, in typing order.

A focused Input claims every printable key, and a priority binding would run before
the characters already queued for the Input (a scanner's digits, then Enter or ``+``,
would be handled out of order). So this Input declines ``* # + /`` for the binding
filter (STACK.md) and, when one arrives, posts a :class:`CodeInput.Command` from its
own queue: the screen runs the bound action after every earlier keystroke.
"""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import Input
from ..errors import Guarded

#: command character → the key name Textual binds it under
COMMAND_KEYS = {"*": "asterisk", "#": "number_sign", "+": "plus", "/": "slash"}


class CodeInput(Guarded, Input):
    DEFAULT_CSS = """
    CodeInput {
        border: solid $accent;
        height: 3;
    }
    CodeInput:focus {
        border: solid $primary;
    }
    """

    class Command(Message):
        """A command key typed into the field; ``key`` is its binding name."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(self, *args: object, commands: str = "*#+/", **kwargs: object) -> None:
        """``commands``: the characters this field hands to its screen (a form passes
        only ``*``, so an address can hold "/" and "#")."""
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.commands = frozenset(commands)

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink", True)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if character is not None and character in self.commands:
            return False
        return super().check_consume_key(key, character)

    async def _on_key(self, event: events.Key) -> None:
        if event.character is not None and event.character in self.commands:
            event.stop()
            event.prevent_default()
            self.post_message(self.Command(COMMAND_KEYS[event.character]))
            return
        await super()._on_key(event)


async def run_command(node, message: CodeInput.Command) -> None:  # type: ignore[no-untyped-def]
    """Run the action ``node`` (a screen) binds to the command key, if any."""
    message.stop()
    bindings = node._bindings.key_to_bindings.get(message.key, [])
    if bindings:
        await node.run_action(bindings[0].action)
