"""Helpers for pilot tests: typing, logging in, reading what the screen says."""

from __future__ import annotations

import dataclasses

from textual.pilot import Pilot
from textual.widgets import Static

from ipos_tui.store.db import Terminal
from ipos_tui.terminal.demo import demo_snapshot


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
