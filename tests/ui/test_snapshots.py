"""Snapshots of every screen and state (tests/ui/screen_states.py): 80x24, and the
main screens at 60x20 and 132x43 too.

Plain ``def`` tests (the snapshot plugin runs the app itself). Regenerate on purpose
only: ``pytest tests/ui/test_snapshots.py --snapshot-update`` (without xdist), then
review the SVGs.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from ipos_tui.store.db import open_terminal

from screen_states import STATES


@pytest.mark.parametrize("name", sorted(STATES))
def test_screen(name: str, snap_compare, make_app, demo_dir, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HOME", str(demo_dir.parent))  # the data dir shows as ~/terminal
    state = STATES[name]
    if state.setup is not None:
        with open_terminal(demo_dir) as terminal:
            state.setup(terminal)
    app = make_app(data_dir=demo_dir.parent / "fresh" if state.fresh else None, **state.options)

    async def run_before(pilot: Pilot) -> None:
        await pilot.press(*state.keys)
        await pilot.pause()
        if state.after is not None:
            await state.after(pilot)

    assert snap_compare(app, terminal_size=state.size, run_before=run_before)


def test_no_stale_snapshot_files() -> None:
    """Every SVG belongs to a state: under xdist syrupy does not report unused
    snapshots, so a screen state removed without its SVG is caught here."""
    from pathlib import Path

    folder = Path(__file__).parent / "__snapshots__" / "test_snapshots"
    expected = {f"test_screen[{name}].svg" for name in STATES}
    found = {path.name for path in folder.glob("*.svg")}
    assert found == expected, f"stale: {sorted(found - expected)}, missing: {sorted(expected - found)}"
