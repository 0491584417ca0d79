"""Quantities as integer thousandths of a unit, and the units products are sold in.

Weighed goods need three decimals (1,235 kg); keeping every quantity as an ``int``
of thousandths ("milli") lets pieces and kilograms share one exact representation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import round_half_up

#: Milli-units per unit: quantity 2 is stored as 2000.
QTY_SCALE: Final = 1000

#: Decimals a quantity can carry at most (QTY_SCALE = 10**3).
MAX_PRECISION: Final = 3

#: The largest quantity of one line: 99 999 units (fiscal printer field width).
MAX_QTY_UNITS: Final = 99_999
MAX_QTY_MILLI: Final = MAX_QTY_UNITS * QTY_SCALE

_QTY_RE: Final = re.compile(r"(?P<sign>-?)(?P<int>[0-9]+)(?:[.,](?P<frac>[0-9]+))?")
_DIGIT_RE: Final = re.compile(r"\d")


def check_precision(precision: int) -> None:
    """Reject a precision the milli representation cannot hold (a programming error)."""
    if not 0 <= precision <= MAX_PRECISION:
        raise ValueError(f"precision must be 0..{MAX_PRECISION}, got {precision}")


@dataclass(frozen=True)
class Unit:
    """A unit of measure and how many decimals its quantities may have."""

    name: str
    precision: int

    def __post_init__(self) -> None:
        check_precision(self.precision)


SZT: Final = Unit("szt.", 0)
KG: Final = Unit("kg", 3)
G: Final = Unit("g", 0)

#: Units every terminal knows without the back office.
BUILTIN_UNITS: Final = (SZT, KG, G)


def parse_quantity(text: str, precision: int) -> int:
    """Parse a typed quantity ("2", "1,235", "1.235") into milli-units.

    Decimals beyond the unit's precision are refused rather than rounded: half a
    piece of bread cannot be sold, and a rounded weight would change the price.
    """
    check_precision(precision)
    match = _QTY_RE.fullmatch(text.strip())
    if match is None:
        raise DomainError("err.qty_invalid", text=text)
    frac = (match["frac"] or "").rstrip("0")
    if len(frac) > precision:
        raise DomainError("err.qty_precision", text=text, precision=precision)
    whole = match["int"].lstrip("0")
    if match["sign"] or not (whole or frac):
        raise DomainError("err.qty_zero")
    if len(whole) > len(str(MAX_QTY_UNITS)):
        raise DomainError("err.qty_too_large", text=text)
    milli = int(whole or "0") * QTY_SCALE + int(frac.ljust(MAX_PRECISION, "0"))
    if milli > MAX_QTY_MILLI:
        raise DomainError("err.qty_too_large", text=text)
    return milli


def format_quantity(milli: int, precision: int) -> str:
    """Format milli-units with exactly ``precision`` decimals and a decimal comma.

    Weighed quantities always show three decimals ("1,000") so a column of weights
    lines up and the cashier sees the scale's resolution.
    """
    check_precision(precision)
    step = 10 ** (MAX_PRECISION - precision)
    units = round_half_up(milli, step)
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), 10**precision)
    if precision == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole},{frac:0{precision}d}"


def validate_unit_name(name: str) -> str:
    """Return the stripped unit name; the fiscal printer forbids digits in it."""
    cleaned = name.strip()
    if not cleaned:
        raise DomainError("err.unit_empty")
    found = _DIGIT_RE.search(cleaned)
    if found is not None:
        raise DomainError("err.unit_digits", char=found.group())
    return cleaned
