"""The fiscal printer's PTU (VAT) table: letters A–G and their rates, and what writing
the catalogue's rates into it would change.

"Schodek podatkowy": the printer ties every product it sold to the rate of its
letter, and refuses to sell it later at a higher rate. A whole letter is raised by
raising its rate in the table, so once a receipt was printed with a letter, that
letter's rate may only stay or go down; a higher rate needs a letter not yet used
(PRODUCT.md §7). Lowering a rate, adding a letter and raising an unused one are fine.
The table itself is kept and written by :class:`~ipos_tui.devices.printer.FiscalPrinter`.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Final

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.printer import PRINTER_LETTERS, rate_label

#: A rate must stay below 100 % (basis points).
_MAX_RATE_BP: Final = 9999


@dataclass(frozen=True)
class VatLetterChange:
    """One letter whose rate the catalogue wants different from the printer's."""

    letter: str
    old_bp: int | None
    new_bp: int | None
    is_new: bool
    #: raising a letter already used on a receipt: the "schodek podatkowy" error
    blocked: bool


@dataclass(frozen=True)
class VatTableChange:
    """The difference between the catalogue's VAT rates and the printer's PTU table."""

    changes: tuple[VatLetterChange, ...]

    @property
    def blocked(self) -> tuple[VatLetterChange, ...]:
        """The letters the printer would refuse (schodek podatkowy)."""
        return tuple(change for change in self.changes if change.blocked)

    def writable(self) -> dict[str, int | None]:
        """The rates the printer accepts: every change except the blocked ones."""
        return {change.letter: change.new_bp for change in self.changes if not change.blocked}


def _is_raise(old_bp: int | None, new_bp: int | None) -> bool:
    """Whether ``new_bp`` taxes more than ``old_bp`` (exempt counts as the lowest)."""
    return (new_bp if new_bp is not None else -1) > (old_bp if old_bp is not None else -1)


def check_rates(rates: Mapping[str, int | None]) -> None:
    """Refuse letters the printer lacks and rates outside 0–99,99 %."""
    for letter, rate in rates.items():
        if letter not in PRINTER_LETTERS:
            raise DomainError("err.vat_letter", letter=letter)
        if rate is not None and not 0 <= rate <= _MAX_RATE_BP:
            raise DomainError("err.vat_rate_invalid", letter=letter, rate=rate_label(rate))


def vat_table_change(
    current: Mapping[str, int | None], used: AbstractSet[str], wanted: Mapping[str, int | None]
) -> VatTableChange | None:
    """What writing ``wanted`` into the table ``current`` (its ``used`` letters sold
    on a receipt) would change, or None when nothing would.

    Letters ``wanted`` does not name keep their rate (a printer letter is never
    deleted). Each raise of a used letter is marked ``blocked``. ``wanted`` was
    checked with :func:`check_rates` first.
    """
    changes = tuple(
        VatLetterChange(
            letter=letter,
            old_bp=current.get(letter),
            new_bp=rate,
            is_new=letter not in current,
            blocked=letter in used and _is_raise(current.get(letter), rate),
        )
        for letter, rate in sorted(wanted.items())
        if letter not in current or current[letter] != rate
    )
    return VatTableChange(changes) if changes else None


__all__ = ["VatLetterChange", "VatTableChange", "check_rates", "vat_table_change"]
