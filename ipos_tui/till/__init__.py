"""The till's use cases as plain Python over the local database and the devices.

:class:`Till` is built once per terminal (the composition root): the UI, a test or
the CLI holds one and calls it; nothing here imports Textual.
"""

from __future__ import annotations

from ipos_tui.terminal.db import Terminal
from ipos_tui.till.sale import Sale


class Till:
    """One terminal's use cases."""

    def __init__(self, terminal: Terminal) -> None:
        self.terminal = terminal
        #: the receipt being rung up, from the first code to the paid document
        self.sale = Sale(terminal)


__all__ = ["Sale", "Till"]
