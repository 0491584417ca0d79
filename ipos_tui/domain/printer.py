"""What the fiscal printer's values are, without the printer: its PTU letters, how it
prints a rate, the kinds of printout it journals and one journal entry. The printer
itself (a service over the till's database) is :mod:`ipos_tui.devices.printer`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from ipos_tui.domain.vat import EXEMPT_LABEL

#: The PTU letters a Polish fiscal printer has.
PRINTER_LETTERS: Final = ("A", "B", "C", "D", "E", "F", "G")

PrintoutKind = Literal[
    "receipt", "settlement", "vat_table", "daily_report", "periodic_report", "return", "cash", "update",
    "invoice", "invoice_correction", "deposit_return"
]


@dataclass(frozen=True)
class JournalEntry:
    """One printout as the electronic journal keeps it."""

    number: int
    kind: PrintoutKind
    printed_local: datetime
    document_uuid: str | None
    document_number: int | None
    text: str

    @property
    def title(self) -> str:
        """The first non-empty line of the printout, for a one-line list."""
        return next((line.strip() for line in self.text.splitlines() if line.strip()), "")


def rate_label(rate_bp: int | None) -> str:
    """A rate as the printer prints it: "23%", "5,5%", "zw."."""
    if rate_bp is None:
        return EXEMPT_LABEL
    whole, rest = divmod(rate_bp, 100)
    return f"{whole}%" if rest == 0 else f"{whole},{rest:02d}".rstrip("0") + "%"
