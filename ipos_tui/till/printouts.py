"""A stored document's printout: rendering it, printing it on the fiscal printer and
keeping its text in the data dir (``printouts/<type>-<number>.txt``), as every use
case that prints does after its commit.

The data dir is passed by the caller: the UI's may differ from the database's (a
test, the demo).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ipos_tui.devices.printer import FiscalPrinter
from ipos_tui.devices.printout import render_receipt, save_printout
from ipos_tui.domain.records import SALE_TYPES, DocumentDetail

if TYPE_CHECKING:
    from ipos_tui.store.db import Terminal


class Printouts:
    """Renders, prints and keeps the printouts of stored documents."""

    def __init__(self, terminal: Terminal, printer: FiscalPrinter) -> None:
        self.terminal = terminal
        self.printer = printer

    def render(self, uuid: str) -> tuple[DocumentDetail, str]:
        """A stored document and its printout's text: a sale as a receipt, a
        non-fiscal document (a return …) as the printer journaled it."""
        terminal = self.terminal
        detail = terminal.ledger.get_document(uuid)
        if detail.doc_type not in SALE_TYPES:
            printed = self.printer.printouts_of(uuid)
            if printed:
                # the latest printout of each kind, in print order: a return against an
                # invoice shows the return and its correcting invoice
                latest = {entry.kind: entry for entry in printed}
                return detail, "\n".join(entry.text for entry in sorted(latest.values(), key=lambda e: e.number))
        settings = terminal.settings
        text = render_receipt(
            detail,
            settings.company(),
            settings.store(),
            settings.terminal_info(),
            header_lines=settings.receipt_header(),
        )
        return detail, text

    def print_document(self, uuid: str, now: datetime, data_dir: Path) -> None:
        """Print a just-finished document on the fiscal printer, which journals it in
        its electronic copy (EJ), and write the same text to ``data_dir``."""
        detail, text = self.render(uuid)
        printed = self.printer.print_receipt(
            text,
            document_uuid=detail.uuid,
            document_number=detail.number,
            letters=detail.vat.keys(),
            now=now,
            kind="invoice" if detail.invoice_number else "receipt",
        )
        save_printout(data_dir, detail, printed.text)

    def keep(self, uuid: str, text: str, data_dir: Path) -> Path:
        """Write the printed ``text`` of the stored document ``uuid`` to ``data_dir``
        (a reprint overwrites it); return the file's path."""
        return save_printout(data_dir, self.terminal.ledger.get_document(uuid), text)
