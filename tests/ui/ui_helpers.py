"""Helpers for pilot tests: typing, logging in, reading what the screen says."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Static

from ipos_tui.store.db import Terminal
from ipos_tui.demo.terminal import demo_snapshot


async def type_text(pilot: Pilot, text: str) -> None:
    await pilot.press(*list(text))


async def login(pilot: Pilot, identifier: str = "1001", pin: str = "1111") -> None:
    """Log in on the "identyfikator + PIN" screen and land on registration."""
    await type_text(pilot, identifier)
    await pilot.press("enter")
    await type_text(pilot, pin)
    await pilot.press("enter")
    await pilot.pause()


async def enter_code(pilot: Pilot, code: str) -> None:
    await type_text(pilot, code)
    await pilot.press("enter")


async def wait_until(
    pilot: Pilot, predicate: Callable[[], object], what: str, *, timeout: float = 10.0
) -> None:
    """Let the app (its workers included) run until ``predicate()`` holds; fail with
    ``what`` and the screen's text after ``timeout`` seconds, never give up silently."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not reached in {timeout} s; the screen shows:\n"
                                 f"{screen_text(pilot)}")
        await pilot.pause(0.02)


def status(pilot: Pilot) -> str:
    """The status line of the current full screen."""
    return str(pilot.app.screen.query_one("#status", Static).content)


def screen_text(pilot: Pilot) -> str:
    """Everything the current screen draws, as plain text rows (as tmux would show)."""
    update = pilot.app.screen._compositor.render_full_update(simplify=True)
    return "\n".join("".join(strip.text for strip in row) for row in update.strips)


def set_catalogue_settings(terminal: Terminal, **settings: object) -> None:
    """Change back-office settings the way a sync would: replace the catalogue."""
    snapshot = demo_snapshot()
    terminal.catalog.replace_all(dataclasses.replace(snapshot, settings={**snapshot.settings, **settings}))
