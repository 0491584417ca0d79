"""Polish VAT: the letters of the fiscal printer, and VAT computed from gross.

Prices on a Polish receipt are gross. The fiscal printer sums the gross per VAT
letter and computes the VAT once from each letter's total, rounded half up; a
terminal that summed per-line VAT instead would disagree with the printer by a
grosz now and then. :func:`vat_totals` does it the printer's way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import round_half_up

#: Rate of each printer letter in basis points (2300 = 23 %); ``None`` is exempt.
VAT_RATES: Final[dict[str, int | None]] = {
    "A": 2300,
    "B": 800,
    "C": 500,
    "D": 0,
    "E": None,
}

#: How the exempt rate is printed ("zwolniony").
EXEMPT_LABEL: Final = "zw."

_BP_PER_PERCENT: Final = 100
_BP_WHOLE: Final = 10_000


def vat_rate(letter: str, rates: Mapping[str, int | None] = VAT_RATES) -> int | None:
    """Rate of ``letter`` in basis points (``None`` = exempt); unknown letters refused."""
    if letter not in rates:
        raise DomainError("err.vat_letter", letter=letter)
    return rates[letter]


def vat_label(letter: str) -> str:
    """Label of a letter as printed: "23%", "8%", "5%", "0%" or "zw."."""
    rate = vat_rate(letter)
    if rate is None:
        return EXEMPT_LABEL
    whole, rest = divmod(rate, _BP_PER_PERCENT)
    return f"{whole}%" if rest == 0 else f"{whole},{rest:02d}".rstrip("0") + "%"


def vat_from_gross(gross: int, rate_bp: int | None) -> int:
    """VAT contained in a gross amount: gross × rate / (100 % + rate), half up.

    Exempt (``None``) and 0 % both contain no VAT. Works for negative (return)
    amounts symmetrically.
    """
    if not rate_bp:
        return 0
    return round_half_up(gross * rate_bp, _BP_WHOLE + rate_bp)


@dataclass(frozen=True)
class VatTotal:
    """Gross and VAT of one letter on a receipt or report."""

    letter: str
    gross: int
    vat: int

    @property
    def net(self) -> int:
        """Net amount: what remains of the gross after the VAT."""
        return self.gross - self.vat


def vat_totals(
    pairs: Iterable[tuple[str, int]],
    rates: Mapping[str, int | None] = VAT_RATES,
) -> dict[str, VatTotal]:
    """Per-letter totals of (letter, gross) pairs, ordered by letter.

    Gross is summed per letter first and the VAT computed once per letter from that
    sum, as the fiscal printer and the law do. Only letters that occur appear.
    """
    gross_by_letter: dict[str, int] = {}
    for letter, gross in pairs:
        vat_rate(letter, rates)
        gross_by_letter[letter] = gross_by_letter.get(letter, 0) + gross
    return {
        letter: VatTotal(letter, gross, vat_from_gross(gross, rates[letter]))
        for letter, gross in sorted(gross_by_letter.items())
    }
