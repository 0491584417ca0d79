"""Keys are handled in the order they were typed, bindings included.

Textual forwards each key to the focused widget's queue and runs the ordinary
bindings only when the key has bubbled back up to the App, behind the keys typed
after it. A scanner or a quick cashier types faster than that round trip: "Ctrl+U 9"
cleared the field after the 9 was typed into it, and "1001 Enter 1111 Enter" on the
login screen put the PIN into the identifier field, because the focus moved only
after the next keys had been forwarded.

So the App lets a key finish before it takes the next one: it forwards the key, waits
until the focused widget and its ancestors have handled it (a marker callback posted
behind it on each of their queues), runs the bindings at once if the key came back
up, and runs what the key asked the App to do later (``call_later``: Textual moves
the focus that way) before the next key, waiting again for what that set off. Every
wait is bounded: a screen that closes meanwhile, or a handler that waits for the App,
costs at most a fraction of a second, never a lost key.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from textual import events
from textual.message import Message
from textual.message_pump import MessagePump

#: The longest a key may keep the next one waiting (seconds).
SETTLE_TIMEOUT = 0.5
_POLL = 0.02


async def _handled_by(pump: MessagePump, deadline: float) -> None:
    """Wait until ``pump`` has handled every message queued on it before now."""
    done = asyncio.Event()
    if pump._closing or pump._closed or not pump.call_later(done.set):
        return
    while not done.is_set():
        if pump._closing or pump._closed or time.monotonic() > deadline:
            return
        try:
            await asyncio.wait_for(done.wait(), _POLL)
        except asyncio.TimeoutError:
            continue


class KeysInOrder:
    """Mixin for the App (before ``App`` in the bases)."""

    _key_in_flight: events.Key | None = None
    _key_came_back = False
    #: callbacks the App was asked to run while a key was being handled
    _key_callbacks: list[events.Callback] | None = None

    def post_message(self, message: Message) -> bool:
        if message is self._key_in_flight:
            # the key bubbled back up: its bindings run now (on_event), not behind
            # the keys typed after it
            self._key_came_back = True
            return True
        if (
            self._key_callbacks is not None
            and isinstance(message, events.Callback)
            and threading.get_ident() == getattr(self, "_thread_id", None)
        ):
            self._key_callbacks.append(message)  # run before the next key (on_event)
            return True
        return super().post_message(message)  # type: ignore[misc]

    async def _settle(self, target: Any) -> None:
        deadline = time.monotonic() + SETTLE_TIMEOUT
        node = target
        while node is not None and node is not self:
            await _handled_by(node, deadline)
            node = node._parent

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key) or event.is_forwarded or self._key_in_flight is not None:
            await super().on_event(event)  # type: ignore[misc]
            return
        app: Any = self
        target = app.focused or app.screen
        self._key_in_flight, self._key_came_back, self._key_callbacks = event, False, []
        try:
            await super().on_event(event)  # type: ignore[misc]
            if event.is_forwarded:  # not taken by a priority binding
                await self._settle(target)
                if self._key_came_back:
                    self._key_in_flight = None
                    await app._on_key(event)  # the ordinary bindings, in typing order
                    await self._settle(target)
            await self._run_key_callbacks()
        finally:
            self._key_in_flight = None
            pending, self._key_callbacks = self._key_callbacks or [], None
            for callback in pending:  # an error cut the run short: they still run, later
                super().post_message(callback)  # type: ignore[misc]

    async def _run_key_callbacks(self) -> None:
        """Run what the key asked the App to do later (focus moves, menu actions), and
        what those asked in turn, before the next key."""
        for _round in range(8):
            pending, self._key_callbacks = self._key_callbacks or [], []
            if not pending:
                return
            for callback in pending:
                await self._dispatch_message(callback)  # type: ignore[attr-defined]
            app: Any = self
            await self._settle(app.focused or app.screen)
