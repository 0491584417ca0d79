"""Console mode draws only characters of the Linux console font.

Every state of screen_states.py is rendered in console mode (as `TERM=linux` or
`--ascii` gives) and each character on screen is checked against the glyphs of
Lat2-Terminus16 (tests/data/linux-console-glyphs.txt). The same states in normal
mode must use ☁, so the check is not vacuous.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ipos_tui.store.db import open_terminal

from screen_states import STATES
from ui_helpers import screen_text

GLYPH_FILE = Path(__file__).resolve().parents[1] / "data" / "linux-console-glyphs.txt"
CONSOLE_GLYPHS = set(GLYPH_FILE.read_text("utf-8").splitlines()[-1]) | {" ", "\n"}


@pytest.mark.parametrize("name", sorted(STATES))
async def test_console_mode_uses_only_console_glyphs(name: str, make_app, demo_dir) -> None:  # type: ignore[no-untyped-def]
    state = STATES[name]
    if state.setup is not None:
        with open_terminal(demo_dir) as terminal:
            state.setup(terminal)
    app = make_app(data_dir=demo_dir.parent / "fresh" if state.fresh else None,
                   **{**state.options, "console_mode": True})
    async with app.run_test(size=state.size) as pilot:
        await pilot.press(*state.keys)
        await pilot.pause()
        if state.after is not None:
            await state.after(pilot)
        text = screen_text(pilot)
    bad = sorted({char for char in text if char not in CONSOLE_GLYPHS})
    assert not bad, f"{name}: characters the console font lacks: {[f'U+{ord(c):04X} {c}' for c in bad]}"


async def test_normal_mode_draws_the_cloud_the_console_lacks(make_app) -> None:
    app = make_app(console_mode=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "\u2601" in screen_text(pilot)
        assert "\u2601" not in CONSOLE_GLYPHS
