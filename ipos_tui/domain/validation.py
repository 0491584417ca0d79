"""Validation of identifiers the back office and the cashier type: NIP, codes, names.

Check digits come from python-stdnum rather than hand-written checksums; the rules
around them (in-store barcodes, PLU shape, product-name charset) are the fiscal
printer's and iPOS's, described in PRODUCT.md §7.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final, Literal

from stdnum import ean
from stdnum.exceptions import ValidationError
from stdnum.pl import nip

from ipos_tui.domain.errors import DomainError

#: Longest product name the fiscal printer accepts.
MAX_NAME_LENGTH: Final = 40
#: Most barcodes one product may carry.
MAX_BARCODES: Final = 10
#: Longest PLU (and the most digits the code line treats as a PLU).
MAX_PLU_DIGITS: Final = 9

#: Lengths of barcodes with a check digit: EAN-8, UPC-A, EAN-13.
CHECKED_BARCODE_LENGTHS: Final = frozenset({8, 12, 13})
#: Lengths of in-store codes, which carry no check digit.
IN_STORE_BARCODE_LENGTHS: Final = frozenset({6, 7})

#: Characters the fiscal printer takes in a product name (its code page holds the
#: Latin alphabet and the Polish letters, nothing else beyond these marks).
_NAME_CHARS: Final = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZąćęłńóśźżĄĆĘŁŃÓŚŹŻ0123456789 .,%/"
)

_ASCII_DIGITS_RE: Final = re.compile(r"[0-9]+")
_PLU_RE: Final = re.compile(rf"[1-9][0-9]{{0,{MAX_PLU_DIGITS - 1}}}")
_NIP_SEPARATORS_RE: Final = re.compile(r"[\s-]")


def _is_ascii_digits(text: str) -> bool:
    """True for a non-empty string of 0-9 only (``str.isdigit`` also takes "²")."""
    return _ASCII_DIGITS_RE.fullmatch(text) is not None


def validate_nip(text: str) -> str:
    """Return the 10 digits of a valid NIP typed as "PL 123-456-32-18" or similar.

    All-zero input passes the checksum arithmetic but is never a real taxpayer,
    so it is refused too.
    """
    compact = _NIP_SEPARATORS_RE.sub("", text.strip())
    if compact[:2].upper() == "PL":
        compact = compact[2:]
    if not _is_ascii_digits(compact) or set(compact) == {"0"}:
        raise DomainError("err.nip_invalid", text=text)
    try:
        return str(nip.validate(compact))
    except ValidationError as exc:
        raise DomainError("err.nip_invalid", text=text) from exc


def format_nip(digits: str) -> str:
    """Print a NIP the usual way: "123-456-32-18"."""
    return str(nip.format(digits))


def is_valid_barcode(code: str) -> bool:
    """Whether ``code`` is an acceptable product barcode (see :func:`validate_barcode`)."""
    code = code.strip()
    if not _is_ascii_digits(code):
        return False
    if len(code) in IN_STORE_BARCODE_LENGTHS:
        return True
    return len(code) in CHECKED_BARCODE_LENGTHS and bool(ean.is_valid(code))


def validate_barcode(code: str) -> str:
    """Return ``code`` (stripped) if it is EAN-8/UPC-A/EAN-13 with a valid check digit or a
    6–7-digit in-store code; GTIN-14 and anything else is refused (the terminal's
    scanners never produce it for a consumer unit).
    """
    if not is_valid_barcode(code):
        raise DomainError("err.barcode_invalid", code=code)
    return code.strip()


def validate_barcodes(codes: Iterable[str]) -> list[str]:
    """Validate the barcodes of one product: each valid, no repeats, at most ten."""
    result: list[str] = []
    for code in codes:
        validated = validate_barcode(code)
        if validated in result:
            raise DomainError("err.barcode_duplicate", code=code)
        result.append(validated)
    if len(result) > MAX_BARCODES:
        raise DomainError("err.barcodes_too_many", max=MAX_BARCODES)
    return result


def validate_plu(text: str) -> str:
    """Return a PLU (stripped): 1–9 digits, not starting with 0 (a leading 0 would be lost by
    every system that stores PLUs as numbers)."""
    plu = text.strip()
    if _PLU_RE.fullmatch(plu) is None:
        raise DomainError("err.plu_invalid", plu=text)
    return plu


def validate_product_name(name: str) -> str:
    """Return the stripped name if the fiscal printer can print it.

    The printer rejects other characters with "Błąd nr 27", so they are refused
    at entry instead of at the first sale.
    """
    cleaned = name.strip()
    if not cleaned:
        raise DomainError("err.name_empty")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise DomainError("err.name_too_long", max=MAX_NAME_LENGTH)
    for char in cleaned:
        if char not in _NAME_CHARS:
            raise DomainError("err.name_chars", char=char)
    return cleaned


def product_name_key(name: str) -> str:
    """Key under which product names must be unique (case-insensitive, stripped)."""
    return name.strip().casefold()


def classify_code(text: str) -> Literal["plu", "barcode"]:
    """Tell what the cashier typed or scanned on the code line.

    8, 12 and 13 digits are barcodes. Other codes of 1–9 digits not starting with 0
    are PLUs; a 6–7-digit one may also be an in-store barcode, so the caller looks
    it up as a PLU first and then as a barcode. A 6–7-digit code starting with 0
    can only be an in-store barcode. The check digit is not verified here: a
    mistyped EAN should say "not found", not "invalid".
    """
    code = text.strip()
    if not _is_ascii_digits(code) or len(code) > max(CHECKED_BARCODE_LENGTHS):
        raise DomainError("err.code_invalid", code=text)
    if len(code) in CHECKED_BARCODE_LENGTHS:
        return "barcode"
    if _PLU_RE.fullmatch(code):
        return "plu"
    if len(code) in IN_STORE_BARCODE_LENGTHS:
        return "barcode"
    raise DomainError("err.code_invalid", code=text)
