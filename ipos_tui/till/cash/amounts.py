"""Amounts and reasons of cash operations as the cashier types them."""

from __future__ import annotations

import re
from typing import Final

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import MAX_GROSZE, parse_amount

#: The protocol's limit of a cash operation's reason.
MAX_REASON: Final = 200

_SPACES: Final = " \u00a0\u202f"
#: A number as an amount is written (to tell "-5,00" from "-abc").
_NUMBER_RE: Final = re.compile(rf"[0-9][0-9{_SPACES}]*(?:[.,][0-9]{{0,2}})?(?:[{_SPACES}]?(?i:zł))?")


def parse_cash_amount(text: str, *, allow_zero: bool = False) -> int:
    """An amount the cashier typed, in grosze: digits only are grosze as on the payment
    screen ("20000" = 200,00 zł), with a decimal comma or point złoty ("200,00", and
    "200," too).

    Raises DomainError "cash.err_amount_negative" (``text``) for a negative amount,
    "cash.err_amount_invalid" (``text``) for letters, a plus sign or more than two
    decimals, "cash.err_amount_too_large" above 999 999,99 zł and
    "cash.err_amount_zero" for 0 unless ``allow_zero`` (an opening may be 0).
    """
    cleaned = text.strip()
    if cleaned[:1] in ("-", "\u2212") and _NUMBER_RE.fullmatch(cleaned[1:].strip()):
        raise DomainError("cash.err_amount_negative", text=text)
    try:
        grosze = parse_amount(cleaned)  # the till's one money rule
    except DomainError as error:
        key = "cash.err_amount_too_large" if error.key == "err.amount_too_large" else "cash.err_amount_invalid"
        raise DomainError(key, text=text) from None
    return check_amount(grosze, allow_zero=allow_zero)


def check_amount(grosze: int, *, allow_zero: bool = False) -> int:
    """``grosze`` if it is a possible cash amount (0 only with ``allow_zero``)."""
    if grosze < 0:
        raise DomainError("cash.err_amount_invalid", text=str(grosze))
    if grosze == 0 and not allow_zero:
        raise DomainError("cash.err_amount_zero")
    if grosze > MAX_GROSZE:
        raise DomainError("cash.err_amount_too_large")
    return grosze


def check_reason(reason: str) -> str:
    """The reason as stored (stripped); DomainError "cash.err_reason_too_long" (``max``)."""
    cleaned = " ".join(reason.split())
    if len(cleaned) > MAX_REASON:
        raise DomainError("cash.err_reason_too_long", max=MAX_REASON)
    return cleaned


__all__ = ["MAX_REASON", "check_amount", "check_reason", "parse_cash_amount"]
