"""Laying text out on the duet's 40-column paper roll: the one set of helpers every
printout (receipt, invoice, return, cash, deposit, report, card settlement) uses.

A printer line wants plain spaces (the UI's amounts use non-breaking ones) and
never more than :data:`PRINT_WIDTH` characters when it can be helped: a label too
long for its row is cut short so the amount on its right stays whole.
"""

from __future__ import annotations

import textwrap
from typing import Final

from ipos_tui.domain.money import format_money

#: Printout width of the duet's paper roll, in characters.
PRINT_WIDTH: Final = 40
#: Spaces the money formatting uses that a printer line prints as plain ones.
_NBSP: Final = ("\u00a0", "\u202f")


def amount(grosze: int) -> str:
    """An amount without currency, printer style: "1 234,56" with plain spaces."""
    text = format_money(grosze, symbol=False)
    for space in _NBSP:
        text = text.replace(space, " ")
    return text


def signed(grosze: int) -> str:
    """A difference printer style: "+12,00", "-12,00", "0,00"."""
    sign = "+" if grosze > 0 else "-" if grosze < 0 else ""
    return sign + amount(abs(grosze))


def fit(left: str, right: str, width: int = PRINT_WIDTH, *, cut: bool = True) -> str:
    """``left`` and ``right`` on one row of ``width``, right-aligned.

    ``cut``: a ``left`` too long for the row is cut short (at least one space stays
    before ``right``). With ``cut=False`` nothing is cut: a row too long keeps both
    texts whole, one space apart (the printer's own head and the card settlement).
    """
    if not cut:
        return left + " " * max(1, width - len(left) - len(right)) + right
    left = left[: max(0, width - len(right) - 1)]
    return left + " " * (width - len(left) - len(right)) + right


def centred(text: str, width: int = PRINT_WIDTH) -> list[str]:
    """``text`` wrapped to ``width`` and each line centred (no trailing spaces)."""
    return [line.center(width).rstrip() for line in textwrap.wrap(text, width)]


def wrapped(text: str, width: int = PRINT_WIDTH, indent: str = "  ") -> list[str]:
    """``text`` wrapped to ``width``, every line indented by ``indent``."""
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent) or []


__all__ = ["PRINT_WIDTH", "amount", "centred", "fit", "signed", "wrapped"]
