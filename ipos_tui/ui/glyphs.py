"""Symbols drawn on screen, with console-font substitutes.

The Linux console font (Lat2-Terminus16) lacks ☁ and ✓, so console mode swaps them
for glyphs it has. Everything else we draw is in both sets.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Glyphs:
    cloud: str
    ok: str
    failed: str
    dot: str
    arrow: str
    times: str


UNICODE = Glyphs(cloud="\u2601", ok="\u2713", failed="\u2717", dot="\u00b7", arrow="\u2192", times="\u00d7")
CONSOLE = Glyphs(cloud="\u2191", ok="\u2611", failed="\u2717", dot="\u00b7", arrow="\u2192", times="\u00d7")
