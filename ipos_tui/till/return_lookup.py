"""Finding a return's original receipt: on this till, or — for a till activated
against a back office — a receipt another till of the store sold, asked from the back
office over the stored connection.

Blocking (it may wait for the network): the UI calls it from a worker thread, which
gets its own database connection here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ipos_tui.till.returns import ReturnService, ReturnSource

if TYPE_CHECKING:
    from ipos_tui.domain.authorisation import Authorisation
    from ipos_tui.domain.records import User
    from ipos_tui.store.db import Terminal


class ReturnLookup:
    """Finds the original of a return, here or at the back office."""

    def __init__(self, terminal: Terminal, returns: ReturnService) -> None:
        self.terminal = terminal
        self._returns = returns

    def find(self, code: str, cashier: User, authorisation: Authorisation | None = None) -> ReturnSource:
        """The original receipt named by ``code``, with this thread's own database
        connection (see :meth:`ReturnService.find` for the DomainErrors it raises)."""
        # here, not at the top: the sync client's httpx loads rich, which ipos_tui.till must not
        from ipos_tui.sync.context import SyncContext
        from ipos_tui.sync.receipts import receipt_lookup

        terminal = self.terminal
        with terminal.db.connection_context():
            context = SyncContext.for_terminal(terminal, max_attempts=2)
            try:
                lookup = None
                if context is not None:
                    units = {unit.name: unit.precision for unit in terminal.catalog.units()}
                    lookup = receipt_lookup(context.client, units.get)
                return self._returns.with_lookup(lookup).find(code, cashier, authorisation)
            finally:
                if context is not None:
                    context.close()
