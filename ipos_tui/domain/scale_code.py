"""EAN-13 codes printed by label scales, with the weight or the price inside.

A label scale prints an EAN-13 whose first two digits (20–29, GS1's "restricted
circulation" range) say it is a shop's own code; the digits after them carry the
product code and the weight or the price. Which digits mean what is the shop's
choice, so the layout is a setting (``scale_codes``, synced from the back office):
a space-separated list of 13-character layouts, one per prefix, e.g.
``27PPPPPWWWWWC``:

* the two leading digits: the prefix this layout is for (20–29);
* ``P``: the product code — the product's PLU (leading zeros dropped);
* ``W``: the weight in grams (the line's quantity in thousandths of a kg);
* ``V``: the value (price on the label) in grosze;
* ``X``: a digit ignored (e.g. a price check digit some scales print);
* ``C``: the EAN-13 check digit, always last.

Exactly one of ``W`` / ``V`` runs per layout, both runs contiguous. The Polish
default (:data:`DEFAULT_SCALE_CODES`): 27, 28, 29 carry a weight, 23 and 24 a
price; 20–22 and 25–26 stay free for the shop's in-store codes (looked up as
ordinary barcodes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from stdnum import ean

from ipos_tui.domain.errors import DomainError

#: The default layouts: 5-digit product code, 5-digit weight (g) or price (grosze).
DEFAULT_SCALE_CODES: Final = (
    "27PPPPPWWWWWC 28PPPPPWWWWWC 29PPPPPWWWWWC 23PPPPPVVVVVC 24PPPPPVVVVVC"
)

_LAYOUT_RE: Final = re.compile(r"2[0-9][PWVX]{10}C")
_CODE_RE: Final = re.compile(r"[0-9]{13}")

ScaleKind = Literal["weight", "price"]


@dataclass(frozen=True)
class ScaleLayout:
    """Where the product code and the weight or price sit in one prefix's codes."""

    prefix: str
    product: slice
    value: slice
    kind: ScaleKind
    text: str


@dataclass(frozen=True)
class ScaleCode:
    """A parsed label code: the product's PLU and its weight (g = thousandths of a
    kg) or price (grosze)."""

    code: str
    plu: str
    kind: ScaleKind
    #: grams (weight) or grosze (price)
    amount: int


def _run(layout: str, letter: str) -> slice | None:
    """The one contiguous run of ``letter`` in ``layout``; None if absent.
    Raises ValueError for a broken run."""
    first = layout.find(letter)
    if first < 0:
        return None
    last = layout.rfind(letter)
    if layout[first:last + 1] != letter * (last - first + 1):
        raise ValueError(letter)
    return slice(first, last + 1)


def parse_layout(text: str) -> ScaleLayout:
    """One layout (``27PPPPPWWWWWC``) checked; DomainError "err.scale_layout_invalid"."""
    layout = text.strip().upper()
    error = DomainError("err.scale_layout_invalid", layout=text.strip())
    if _LAYOUT_RE.fullmatch(layout) is None:
        raise error
    try:
        product = _run(layout, "P")
        weight = _run(layout, "W")
        value = _run(layout, "V")
    except ValueError:
        raise error from None
    if product is None or (weight is None) == (value is None):
        raise error
    if weight is not None:
        return ScaleLayout(layout[:2], product, weight, "weight", layout)
    assert value is not None
    return ScaleLayout(layout[:2], product, value, "price", layout)


def parse_layouts(text: str) -> dict[str, ScaleLayout]:
    """The layouts of a ``scale_codes`` setting by prefix; one prefix at most once.
    An empty setting means no label codes at all."""
    layouts: dict[str, ScaleLayout] = {}
    for part in text.replace(",", " ").replace(";", " ").split():
        layout = parse_layout(part)
        if layout.prefix in layouts:
            raise DomainError("err.scale_layout_invalid", layout=part)
        layouts[layout.prefix] = layout
    return layouts


def normalise_layouts(text: str) -> str:
    """The setting as stored: checked layouts, upper case, one space apart."""
    return " ".join(layout.text for layout in parse_layouts(text).values())


def check_digit_ok(code: str) -> bool:
    """Whether a 13-digit code's last digit is its EAN-13 check digit."""
    return _CODE_RE.fullmatch(code) is not None and ean.calc_check_digit(code[:12]) == code[12]


def with_check_digit(first12: str) -> str:
    """``first12`` completed with its EAN-13 check digit (tests, label printing)."""
    return first12 + ean.calc_check_digit(first12)


def parse_scale_code(code: str, layouts: dict[str, ScaleLayout]) -> ScaleCode | None:
    """The label code ``code`` read with ``layouts``, or None when it is none (not 13
    digits, or a prefix without a layout: an ordinary barcode).

    Raises DomainError "err.scale_check_digit" for a wrong check digit (a misread or
    mistyped label must not sell a wrong weight), "err.scale_no_product" for a
    product code of zeros and "err.scale_zero" for a zero weight or price.
    """
    code = code.strip()
    if _CODE_RE.fullmatch(code) is None:
        return None
    layout = layouts.get(code[:2])
    if layout is None:
        return None
    if not check_digit_ok(code):
        raise DomainError(
            "err.scale_check_digit", code=code, digit=ean.calc_check_digit(code[:12])
        )
    plu = code[layout.product].lstrip("0")
    if not plu:
        raise DomainError("err.scale_no_product", code=code)
    amount = int(code[layout.value])
    if amount <= 0:
        raise DomainError("err.scale_zero", code=code)
    return ScaleCode(code, plu, layout.kind, amount)
