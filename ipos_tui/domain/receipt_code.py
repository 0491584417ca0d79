"""The receipt code a return asks for: as printed, as typed, as scanned.

Every receipt carries its code twice: as text ("K3-000012": terminal 3, receipt 12)
and as a barcode. A till's scanner types what it reads followed by Enter, so the
barcode holds a digits-only form of the code that the code line parses like a typed
one. That form is self-delimiting and checked, because a scanner never types a
separator and a misread must not open somebody else's receipt:

    <L><terminal id, L digits><number, at least 6 digits><check digit>

e.g. terminal 3, receipt 12 → "1" "3" "000012" "c". The check digit is the EAN one
(weights 3, 1, 3, … from the right), so one wrong digit or two swapped neighbours
are refused.

A Faktura sold at the till is numbered in its own series, so its code says so: text
"K3-F000012", digits-only form the receipt's form after a leading "0" (a receipt's
form never starts with 0, since it starts with the terminal id's length).

The barcode itself is drawn with characters the Linux console font has (see
SCREENS.md): a four-state bar code, as postal codes use, one bar per character —
full "┃", ascender "╹", descender "╻", tracker "·". Each bar carries two bits of the
digits-only form read as a base-4 number, between a full start and stop bar, so a
40-column paper roll fits any code a real shop produces; :func:`read_barcode` is
the scanner's side and gives the digits back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from ipos_tui.domain.errors import DomainError

#: Bars by value (2 bits each): tracker, descender, ascender, full.
BARS: Final = ("\u00b7", "\u257b", "\u2579", "\u2503")
#: The frame bar before and after the data bars.
FRAME_BAR: Final = BARS[3]
#: Digits of the number in the scan form (more when the number needs them).
NUMBER_DIGITS: Final = 6
#: Digits-only input this short is a receipt number of this terminal, typed by hand.
MAX_TYPED_NUMBER_DIGITS: Final = 8

_TEXT_RE: Final = re.compile(r"^K?(\d{1,9})[-/](F?)(\d{1,9})$")
#: A Faktura of this till by its bare number: "F12".
_OWN_INVOICE_RE: Final = re.compile(r"^F(\d{1,8})$")
#: The document types a code can name: a receipt, a Faktura sold at the till.
RECEIPT: Final = "receipt"
SALE_INVOICE: Final = "sale_invoice"
#: What marks a Faktura's code: "F" in the text form, a leading "0" in the digits.
_MARK: Final = {RECEIPT: "", SALE_INVOICE: "F"}


@dataclass(frozen=True)
class ReceiptCode:
    """Which sale: the terminal that printed it, its number there, and whether it
    was a receipt or a Faktura (each has its own numbering)."""

    terminal_id: int
    number: int
    doc_type: str = RECEIPT

    @property
    def text(self) -> str:
        """The printed text form: "K3-000012" (a Faktura: "K3-F000012")."""
        return f"K{self.terminal_id}-{_MARK[self.doc_type]}{self.number:0{NUMBER_DIGITS}d}"


def check_digit(digits: str) -> int:
    """The EAN check digit of ``digits`` (weights 3, 1, 3, … from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def scan_digits(terminal_id: int, number: int, doc_type: str = RECEIPT) -> str:
    """The digits-only form of a receipt (or Faktura) code, as the barcode holds it."""
    if terminal_id <= 0 or number <= 0 or doc_type not in _MARK:
        raise ValueError(f"no code for {doc_type} {number} of terminal {terminal_id}")
    terminal = str(terminal_id)
    body = f"{len(terminal)}{terminal}{number:0{NUMBER_DIGITS}d}"
    digits = body + str(check_digit(body))
    return "0" + digits if doc_type == SALE_INVOICE else digits


def _from_scan(digits: str) -> ReceiptCode | None:
    """The code a scan form names, or None when it is not a valid one."""
    doc_type = RECEIPT
    if digits.startswith("0"):
        doc_type, digits = SALE_INVOICE, digits[1:]
        if not digits:
            return None
    length = int(digits[0])
    number_digits = digits[1 + length : -1]
    if length == 0 or len(number_digits) < NUMBER_DIGITS:
        return None
    if check_digit(digits[:-1]) != int(digits[-1]):
        return None
    terminal, number = int(digits[1 : 1 + length]), int(number_digits)
    if terminal == 0 or number == 0:
        return None
    return ReceiptCode(terminal, number, doc_type)


def parse_receipt_code(text: str, own_terminal: int | None = None) -> ReceiptCode:
    """The receipt a cashier typed or scanned.

    Accepted: "K3-000012", "k3-12", "3-12" (also with "/"), a Faktura's "K3-F000012",
    the barcode's digits (see the module doc) and, for a sale of this till, its bare
    number ("12", a Faktura's "F12"; up to :data:`MAX_TYPED_NUMBER_DIGITS` digits;
    needs ``own_terminal``). Anything else raises DomainError "ret.err.code_invalid"
    (param ``code``).
    """
    clean = "".join(text.split()).upper()
    match = _TEXT_RE.match(clean)
    own_invoice = _OWN_INVOICE_RE.match(clean)
    if match is not None:
        terminal, number = int(match.group(1)), int(match.group(3))
        if terminal > 0 and number > 0:
            return ReceiptCode(terminal, number, SALE_INVOICE if match.group(2) else RECEIPT)
    elif own_invoice is not None:
        if own_terminal is not None and int(own_invoice.group(1)) > 0:
            return ReceiptCode(own_terminal, int(own_invoice.group(1)), SALE_INVOICE)
    elif clean.isdigit():
        if len(clean) > MAX_TYPED_NUMBER_DIGITS:
            code = _from_scan(clean)
            if code is not None:
                return code
        elif own_terminal is not None and int(clean) > 0:
            return ReceiptCode(own_terminal, int(clean))
    raise DomainError("ret.err.code_invalid", code=text.strip())


def barcode(terminal_id: int, number: int, doc_type: str = RECEIPT) -> str:
    """The four-state barcode row of a receipt code (console-safe characters)."""
    digits = scan_digits(terminal_id, number, doc_type)
    # a Faktura's leading "0" would vanish in the number: its bars carry a 1 before it
    value = int("1" + digits) if doc_type == SALE_INVOICE else int(digits)
    bars: list[str] = []
    while value:
        value, bits = divmod(value, 4)
        bars.append(BARS[bits])
    return FRAME_BAR + "".join(reversed(bars)) + FRAME_BAR


def read_barcode(row: str) -> str:
    """What a scanner reads from a :func:`barcode` row: the digits-only form.

    Spaces around or between the bars are ignored; a row that is not framed, holds a
    foreign character or whose check digit fails raises DomainError
    "ret.err.code_invalid".
    """
    bars = "".join(row.split())
    if len(bars) < 3 or bars[0] != FRAME_BAR or bars[-1] != FRAME_BAR:
        raise DomainError("ret.err.code_invalid", code=row.strip())
    value = 0
    for bar in bars[1:-1]:
        if bar not in BARS:
            raise DomainError("ret.err.code_invalid", code=row.strip())
        value = value * 4 + BARS.index(bar)
    digits = str(value)
    if digits.startswith("10"):  # a Faktura's code (see barcode())
        digits = digits[1:]
    if len(digits) <= MAX_TYPED_NUMBER_DIGITS or _from_scan(digits) is None:
        raise DomainError("ret.err.code_invalid", code=row.strip())
    return digits
