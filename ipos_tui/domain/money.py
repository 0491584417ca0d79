"""Money as integer grosze: rounding, parsing what the cashier types, formatting.

Floats never touch money: a 0.1 + 0.2 error on a fiscal receipt is a legal problem,
so every amount is an ``int`` of grosze (1/100 zł) and every division goes through
:func:`round_half_up`, the rounding Polish VAT law prescribes.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

from babel.numbers import format_currency, format_decimal

from ipos_tui.domain.errors import DomainError

LOCALE: Final = "pl_PL"
CURRENCY: Final = "PLN"

#: The largest amount a single price, line or tender may have (999 999,99 zł), the
#: limit of the fiscal printer's amount fields.
MAX_GROSZE: Final = 99_999_999

#: Babel patterns: grouping always on (CLDR's minimum-grouping rule would otherwise
#: print "1234,56" for four-digit amounts), exactly two decimals, NBSP before "zł".
_MONEY_PATTERN: Final = "#,##0.00\u00a0¤"
_AMOUNT_PATTERN: Final = "#,##0.00"
_PERCENT_PATTERN: Final = "#,##0.##"

#: Spaces a user or babel may put between thousands: space, NBSP, narrow NBSP.
_SPACES: Final = " \u00a0\u202f"
_GROUPED_INT: Final = rf"[0-9]{{1,3}}(?:[{_SPACES}][0-9]{{3}})+"
_MONEY_RE: Final = re.compile(
    rf"(?P<int>{_GROUPED_INT}|[0-9]+)(?:[.,](?P<frac>[0-9]{{0,2}}))?"
    rf"(?:[{_SPACES}]?(?i:zł))?"
)
_PERCENT_RE: Final = re.compile(rf"(?P<int>[0-9]+)(?:[.,](?P<frac>[0-9]{{1,2}}))?[{_SPACES}]?%?")

#: Whole-złoty digits that can still be within MAX_GROSZE; checked before ``int()``
#: so a pasted wall of digits is a DomainError, not Python's int-size ValueError.
_MAX_WHOLE_DIGITS: Final = 6

#: 100 % in basis points.
FULL_PERCENT_BP: Final = 10_000


def round_half_up(numerator: int, denominator: int) -> int:
    """Divide and round half away from zero, exactly, for any signs.

    Python's ``round`` rounds half to even and ``//`` floors towards minus
    infinity; VAT and discounts need "0,5 gr goes up" (and symmetric for returns).
    """
    if denominator == 0:
        raise ZeroDivisionError("round_half_up: denominator is zero")
    negative = (numerator < 0) != (denominator < 0)
    quotient, remainder = divmod(abs(numerator), abs(denominator))
    if 2 * remainder >= abs(denominator):
        quotient += 1
    return -quotient if negative else quotient


def _decimal_part_to_int(frac: str | None, digits: int) -> int:
    """Turn the typed decimals ("5" of "3,5") into units of 10**-digits (50)."""
    return int((frac or "").ljust(digits, "0")) if digits else 0


def parse_money(text: str) -> int:
    """Parse an amount typed with a decimal comma or point into grosze.

    Accepts what people write and what :func:`format_money` prints ("3,49",
    "3.49", "3", "3,5", "1 234,56", "1 234,56 zł"); refuses anything that could be
    misread, such as a third decimal or a minus sign, instead of guessing.
    """
    match = _MONEY_RE.fullmatch(text.strip())
    if match is None:
        raise DomainError("err.money_invalid", text=text)
    whole = re.sub(rf"[{_SPACES}]", "", match["int"])
    if len(whole.lstrip("0")) > _MAX_WHOLE_DIGITS:
        raise DomainError("err.money_invalid", text=text)
    grosze = int(whole) * 100 + _decimal_part_to_int(match["frac"], 2)
    if grosze > MAX_GROSZE:
        raise DomainError("err.money_invalid", text=text)
    return grosze


def parse_amount(text: str) -> int:
    """Money as the cashier types it on the till, one rule in every field.

    Digits only are grosze, because the duet's keypad has no decimal key on the payment
    screen ("2000" is 20,00 zł); a decimal comma or point makes złoty ("20," and
    "20,00" are 20 zł, "3,5" is 3,50 zł). Raises "err.amount_invalid" (``text``) for
    anything else and "err.amount_too_large" above the printer's 999 999,99 zł.
    """
    cleaned = text.strip()
    if cleaned.isdigit() and cleaned.isascii():
        if len(cleaned.lstrip("0")) > len(str(MAX_GROSZE)) or int(cleaned) > MAX_GROSZE:
            raise DomainError("err.amount_too_large", text=text)
        return int(cleaned)
    match = _MONEY_RE.fullmatch(cleaned)
    if match is None:
        raise DomainError("err.amount_invalid", text=text)
    try:
        return parse_money(cleaned)
    except DomainError:
        raise DomainError("err.amount_too_large", text=text) from None


def _grosze_to_decimal(grosze: int) -> Decimal:
    """Exact decimal złoty value of an amount in grosze, for babel."""
    return Decimal(grosze).scaleb(-2)


def format_money(grosze: int, *, symbol: bool = True) -> str:
    """Format grosze the Polish way: "1 234,56 zł" (spaces are U+00A0).

    Non-breaking spaces keep an amount and its "zł" on one line in narrow columns.
    ``symbol=False`` gives the bare amount for columns headed with the currency.
    """
    value = _grosze_to_decimal(grosze)
    if symbol:
        return format_currency(
            value, CURRENCY, format=_MONEY_PATTERN, locale=LOCALE, currency_digits=False
        )
    return format_decimal(value, format=_AMOUNT_PATTERN, locale=LOCALE)


def format_percent_bp(bp: int) -> str:
    """Format basis points as a Polish percentage: 1000 → "10 %", 1250 → "12,5 %".

    Polish typography puts a (non-breaking) space before "%"; trailing zero decimals
    are dropped because rates and discounts are mostly whole percent.
    """
    number = format_decimal(Decimal(bp).scaleb(-2), format=_PERCENT_PATTERN, locale=LOCALE)
    return f"{number}\u00a0%"


def parse_percent(text: str) -> int:
    """Parse a percentage ("10", "12,5", "12,5 %") into basis points.

    Only 0 < p ≤ 100 % with at most two decimals is meaningful for a discount; a
    zero or over-100 % discount is a typing error, not an intention.
    """
    match = _PERCENT_RE.fullmatch(text.strip())
    if match is None:
        raise DomainError("err.percent_invalid", text=text)
    if len(match["int"].lstrip("0")) > 3:
        raise DomainError("err.percent_invalid", text=text)
    bp = int(match["int"]) * 100 + _decimal_part_to_int(match["frac"], 2)
    if not 0 < bp <= FULL_PERCENT_BP:
        raise DomainError("err.percent_invalid", text=text)
    return bp
