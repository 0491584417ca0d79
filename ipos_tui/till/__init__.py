"""The till's use cases over the local database (:mod:`ipos_tui.store`) and the devices
(:mod:`ipos_tui.devices`), without Textual: the sale, cash operations and shifts,
deposit returns, returns, invoices, reports, and printing what a crash left unprinted.

:class:`Till` is built once per terminal (the composition root): the UI, a test or
the CLI holds one and calls it.
"""

from __future__ import annotations

from ipos_tui.store.db import Terminal
from ipos_tui.till.sale import Sale


class Till:
    """One terminal's use cases."""

    def __init__(self, terminal: Terminal) -> None:
        self.terminal = terminal
        #: the receipt being rung up, from the first code to the paid document
        self.sale = Sale(terminal)


__all__ = ["Sale", "Till"]
