"""The till's use cases over the local database (:mod:`ipos_tui.store`) and the devices
(:mod:`ipos_tui.devices`), without Textual: the sale, cash operations and shifts,
deposit returns, returns, invoices, reports, and printing what a crash left unprinted.

:class:`Till` is built once per terminal (the composition root): the UI, a test or
the CLI holds one and calls it. Each device and service exists once per till.
:meth:`Till.open` opens the till's database in its data dir and builds the till on
it, for a caller that has not opened the database itself (a test, a script).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

from ipos_tui.devices.card_app import CardApp
from ipos_tui.devices.printer import FiscalPrinter
from ipos_tui.store.db import Terminal, open_terminal
from ipos_tui.till.cash import CashService
from ipos_tui.till.deposits import DepositService
from ipos_tui.till.invoices import InvoiceService
from ipos_tui.till.printouts import Printouts
from ipos_tui.till.reports import ReportService
from ipos_tui.till.return_lookup import ReturnLookup
from ipos_tui.till.returns import ReturnService
from ipos_tui.till.sale import Sale

if TYPE_CHECKING:
    from ipos_tui.till.day_close import DayCloseService
    from ipos_tui.till.syncing import TillSync


class Till:
    """One terminal's devices and use cases."""

    def __init__(self, terminal: Terminal) -> None:
        self.terminal = terminal
        #: the fiscal printer; its first PTU table comes from the catalogue's VAT rates
        self.printer = FiscalPrinter(
            terminal.db, lambda: [(rate.letter, rate.rate_bp) for rate in terminal.catalog.vat_rates()]
        )
        #: the card terminal's application (payments, refunds, settlements)
        self.card_app = CardApp(terminal.db, self.printer)
        #: shifts, cash in and out, drawer counts
        self.cash = CashService(terminal.db, terminal.settings, terminal.ledger, self.printer)
        #: paying back bottle deposits
        self.deposits = DepositService(terminal, self.cash, self.printer)
        #: daily and periodic reports
        self.reports = ReportService(terminal, self.printer)
        #: invoices for earlier receipts and correcting invoices
        self.invoices = InvoiceService(terminal, self.printer)
        #: returns against receipts of this till (a lookup of other tills' receipts is
        #: passed by the caller that can reach the back office: ``returns.with_lookup``)
        self.returns = ReturnService(terminal, self.printer, self.card_app, self.invoices)
        #: the receipt being rung up, from the first code to the paid document
        self.sale = Sale(terminal, self.card_app)
        #: rendering, printing and keeping (in the data dir) stored documents' printouts
        self.printouts = Printouts(terminal, self.printer)
        #: a return's original, on this till or (blocking, from a worker) at the back office
        self.return_lookup = ReturnLookup(terminal, self.returns)

    @classmethod
    def open(cls, data_dir: Path) -> Till:
        """The till on the database in ``data_dir`` (created and migrated as needed;
        the errors of :func:`ipos_tui.store.db.open_terminal`). The till owns that
        database: :meth:`close` it, or use the till in a ``with`` block."""
        return cls(open_terminal(data_dir))

    @property
    def data_dir(self) -> Path:
        """The till's data dir (its database, printouts, staged updates)."""
        return self.terminal.data_dir

    def close(self) -> None:
        """Close the till's database (and release its data dir)."""
        self.terminal.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # Built on first use: the sync client's httpx loads rich (its command line), which
    # the till's other use cases must not load (a contract and a test say so).

    @cached_property
    def sync(self) -> TillSync:
        """The back office: connection, activation, sync jobs, the background upload."""
        from ipos_tui.till.syncing import TillSync

        return TillSync(self.terminal)

    @cached_property
    def day_close(self) -> DayCloseService:
        """The day close: its ordered steps, retries and offline rules."""
        from ipos_tui.till.day_close import DayCloseService

        return DayCloseService(self)


__all__ = ["Sale", "Till"]
