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

#: The standard Polish rates in basis points (2300 = 23 %; ``None`` is exempt): the
#: first PTU table of a till that has none from its back office, and the rates of the
#: documents stored before each document kept the rates it used. Receipts, returns
#: and reports take their rates from the till's PTU table
#: (``ipos_tui.store.vat_table``), never from here.
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


#: The letters a Polish fiscal printer's PTU table has.
PTU_LETTERS: Final = ("A", "B", "C", "D", "E", "F", "G")

#: The highest rate a PTU letter can hold: 99,99 %.
MAX_RATE_BP: Final = 9999


def check_vat_rate(letter: str, rate_bp: int | None) -> str:
    """``letter`` upper-cased, if the printer accepts ``rate_bp`` for it.

    Raises DomainError "err.vat_letter" for a letter outside A–G and
    "err.vat_rate_invalid" for a rate outside 0–99,99 % (``None`` = exempt is fine).
    """
    cleaned = letter.strip().upper()
    if cleaned not in PTU_LETTERS:
        raise DomainError("err.vat_letter", letter=letter)
    if rate_bp is not None and not 0 <= rate_bp <= MAX_RATE_BP:
        raise DomainError("err.vat_rate_invalid", letter=cleaned, rate=rate_text(rate_bp))
    return cleaned


def rate_text(rate_bp: int | None) -> str:
    """A rate in basis points as printed ("23%", "5,5%", "zw."), any letter."""
    if rate_bp is None:
        return EXEMPT_LABEL
    sign = "-" if rate_bp < 0 else ""
    whole, rest = divmod(abs(rate_bp), _BP_PER_PERCENT)
    return sign + (f"{whole}%" if rest == 0 else f"{whole},{rest:02d}".rstrip("0") + "%")


def parse_vat_rate(letter: str, text: str) -> int | None:
    """A typed rate ("23", "5,5", "0.5 %", "zw.") in basis points, ``None`` = exempt.

    Refused with "err.vat_rate_invalid" when not a number with at most two decimals or
    outside 0–99,99 %.
    """
    cleaned = text.strip().rstrip("%").strip().replace(",", ".")
    if cleaned.lower() in ("zw", "zw.", "exempt"):
        return None
    whole, dot, frac = cleaned.partition(".")
    digits = whole.lstrip("-")
    if not digits.isdigit() or (dot and not (frac.isdigit() and len(frac) <= 2)) \
            or not digits.isascii() or not frac.isascii():
        raise DomainError("err.vat_rate_invalid", letter=letter, rate=text.strip())
    rate_bp = int(digits) * _BP_PER_PERCENT + int((frac or "0").ljust(2, "0"))
    if whole.startswith("-"):
        rate_bp = -rate_bp
    if not 0 <= rate_bp <= MAX_RATE_BP:
        raise DomainError("err.vat_rate_invalid", letter=letter, rate=text.strip())
    return rate_bp


def check_letter(letter: str) -> str:
    """``letter`` if it is one of the printer's PTU letters A–G ("err.vat_letter" otherwise).

    Which rate a letter has is the till's PTU table's business, not the receipt's: a
    line only needs a letter the printer can have."""
    if letter not in PTU_LETTERS:
        raise DomainError("err.vat_letter", letter=letter)
    return letter


def letter_label(letter: str, rates: Mapping[str, int | None]) -> str:
    """The printed label of ``letter`` under ``rates`` ("23%", "zw."), "" if it has none."""
    return rate_text(rates[letter]) if letter in rates else ""


@dataclass(frozen=True)
class RateTotal:
    """Gross and VAT of one letter at one rate (a report keeps them per rate: a return
    corrects the VAT of its original, whose rate may have been different)."""

    letter: str
    rate_bp: int | None
    gross: int
    vat: int

    @property
    def net(self) -> int:
        return self.gross - self.vat

    @property
    def label(self) -> str:
        return rate_text(self.rate_bp)


def rate_totals(items: Iterable[tuple[str, int | None, int]]) -> tuple[RateTotal, ...]:
    """(letter, rate, gross) items summed per letter and rate, VAT computed once from
    each sum (the printer's way); ordered by letter, then rate. Zero sums are left out."""
    gross: dict[tuple[str, int | None], int] = {}
    for letter, rate, value in items:
        gross[(letter, rate)] = gross.get((letter, rate), 0) + value
    ordered = sorted(gross.items(), key=lambda kv: (kv[0][0], -1 if kv[0][1] is None else kv[0][1]))
    return tuple(
        RateTotal(letter, rate, value, vat_from_gross(value, rate))
        for (letter, rate), value in ordered if value
    )


def add_rate_totals(*groups: Iterable[RateTotal]) -> tuple[RateTotal, ...]:
    """Totals of several reports added per letter and rate, VAT as each said."""
    gross: dict[tuple[str, int | None], list[int]] = {}
    for group in groups:
        for item in group:
            pair = gross.setdefault((item.letter, item.rate_bp), [0, 0])
            pair[0] += item.gross
            pair[1] += item.vat
    ordered = sorted(gross.items(), key=lambda kv: (kv[0][0], -1 if kv[0][1] is None else kv[0][1]))
    return tuple(RateTotal(letter, rate, g, v) for (letter, rate), (g, v) in ordered if g or v)
