"""Building a receipt: lines, discounts, totals, VAT, and paying for it.

Everything is integer grosze. The one subtle rule is the receipt discount: the
fiscal printer needs every line's final value, so a discount on the whole receipt
is split over the lines (largest-remainder method) such that the line values add
up to the total to the grosz and no line goes below zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Final, Literal

from ipos_tui.domain.authorisation import Authorisation
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import MAX_GROSZE, format_percent_bp, round_half_up
from ipos_tui.domain.quantity import (
    MAX_PRECISION,
    MAX_QTY_MILLI,
    QTY_SCALE,
    check_precision,
    format_quantity,
)
from ipos_tui.domain.vat import VAT_RATES, VatTotal, check_letter, vat_totals

DiscountKind = Literal["amount", "percent"]

#: 100 % in basis points.
_FULL_BP: Final = 10_000

#: Gross value limit of one line (999 999,99 zł), the printer's field width.
MAX_LINE_GROSS: Final = MAX_GROSZE


@dataclass(frozen=True)
class Discount:
    """A discount: ``value`` is grosze for "amount", basis points for "percent"."""

    kind: DiscountKind
    value: int

    def __post_init__(self) -> None:
        if self.kind not in ("amount", "percent"):
            raise ValueError(f"unknown discount kind {self.kind!r}")
        if self.value <= 0:
            raise DomainError("err.discount_zero")
        if self.kind == "percent" and self.value > _FULL_BP:
            raise DomainError("err.percent_invalid", text=format_percent_bp(self.value))

    def amount_off(self, gross: int) -> int:
        """Grosze this discount takes off ``gross``: never negative, never above it."""
        if gross <= 0:
            return 0
        if self.kind == "percent":
            off = round_half_up(gross * self.value, _FULL_BP)
        else:
            off = self.value
        return min(off, gross)


@dataclass
class ReceiptLine:
    """One sold item: unit price (gross grosze) × quantity (milli-units).

    Change a line that is on a receipt through the :class:`Receipt` methods only:
    they validate the change and re-split the receipt discount, which
    ``receipt_discount_share`` holds and only the receipt may set.
    """

    plu: str
    name: str
    unit: str
    precision: int
    unit_price: int
    qty: int
    vat_letter: str
    product_id: int | None = None
    discount: Discount | None = None
    receipt_discount_share: int = 0
    #: the returnable packaging's deposit per piece (grosze; "kaucja", Polish deposit
    #: system): charged apart from the line, outside VAT and the fiscal total
    deposit: int = 0

    @property
    def deposit_value(self) -> int:
        """The deposit this line charges: per piece × pieces (a line sold by weight
        carries none; discounts never touch it)."""
        if self.deposit <= 0 or self.precision != 0:
            return 0
        return self.deposit * (self.qty // QTY_SCALE)

    @property
    def gross(self) -> int:
        """Price × quantity before any discount, rounded half up to the grosz."""
        return round_half_up(self.unit_price * self.qty, QTY_SCALE)

    @property
    def line_discount(self) -> int:
        """Grosze taken off by this line's own discount."""
        return self.discount.amount_off(self.gross) if self.discount else 0

    @property
    def value_before_receipt_discount(self) -> int:
        """Gross after the line discount: the base the receipt discount is split by."""
        return self.gross - self.line_discount

    @property
    def value(self) -> int:
        """What the customer pays for this line, after both kinds of discount."""
        return max(0, self.value_before_receipt_discount - self.receipt_discount_share)


def _check_line(line: ReceiptLine) -> None:
    """Refuse line values the printer cannot take (a cashier can type them)."""
    check_precision(line.precision)
    if line.unit_price <= 0:
        raise DomainError("err.price_zero")
    if line.qty <= 0:
        raise DomainError("err.qty_zero")
    if line.qty % 10 ** (MAX_PRECISION - line.precision):
        raise DomainError(
            "err.qty_precision",
            text=format_quantity(line.qty, MAX_PRECISION),
            precision=line.precision,
        )
    if line.qty > MAX_QTY_MILLI:
        raise DomainError("err.qty_too_large", text=format_quantity(line.qty, line.precision))
    if line.gross > MAX_LINE_GROSS:
        raise DomainError("err.line_too_large")
    check_letter(line.vat_letter)


def split_largest_remainder(amount: int, weights: list[int]) -> list[int]:
    """Split ``amount`` over ``weights`` proportionally, in whole grosze.

    Floors every exact share, then hands the leftover grosze one each to the
    largest fractional remainders (earlier index first on ties), so the parts sum
    exactly to ``amount``; with 0 ≤ amount ≤ sum(weights) no part exceeds its weight.
    """
    base = sum(weights)
    if base <= 0:
        return [0] * len(weights)
    parts: list[int] = []
    remainders: list[tuple[int, int]] = []
    for index, weight in enumerate(weights):
        part, remainder = divmod(amount * weight, base)
        parts.append(part)
        remainders.append((-remainder, index))
    leftover = amount - sum(parts)
    for _, index in sorted(remainders)[:leftover]:
        parts[index] += 1
    return parts


class Receipt:
    """An open receipt being rung up: lines plus an optional whole-receipt discount."""

    def __init__(
        self,
        lines: Iterable[ReceiptLine] = (),
        receipt_discount: Discount | None = None,
        authorisations: Iterable[Authorisation] = (),
    ) -> None:
        self.lines: list[ReceiptLine] = []
        self.receipt_discount: Discount | None = receipt_discount
        #: what a manager authorised on this receipt (a free discount, a price
        #: change), stored with the receipt when it is paid
        self.authorisations: list[Authorisation] = list(authorisations)
        for line in lines:
            _check_line(line)
            self.lines.append(line)
        self._recompute()

    def __repr__(self) -> str:
        return (f"Receipt(lines={self.lines!r}, receipt_discount={self.receipt_discount!r}, "
                f"authorisations={self.authorisations!r})")

    # -- changes ---------------------------------------------------------------

    def add_line(self, line: ReceiptLine, *, merge: bool = False) -> int:
        """Append ``line`` (or merge it into the last line) and return its index.

        Merging mirrors scanning the same piece item twice in a row: the quantity of
        the last line grows instead of a new line appearing. Only identical,
        undiscounted, piece-counted lines of a known product merge.
        """
        _check_line(line)
        if merge and self.lines and self._mergeable(self.lines[-1], line):
            index = len(self.lines) - 1
            self.set_quantity(index, self.lines[index].qty + line.qty)
            return index
        self.lines.append(line)
        self._recompute()
        return len(self.lines) - 1

    @staticmethod
    def _mergeable(last: ReceiptLine, new: ReceiptLine) -> bool:
        """Whether ``new`` is the same piece item as ``last`` at the same price."""
        return (
            last.product_id is not None
            and last.product_id == new.product_id
            and last.unit_price == new.unit_price
            and last.precision == 0
            and new.precision == 0
            and last.discount is None
            and new.discount is None
            and last.deposit == new.deposit
        )

    def set_quantity(self, index: int, qty: int) -> None:
        """Change the quantity (milli-units) of line ``index``."""
        line = self.lines[index]
        candidate = replace(line, qty=qty)
        _check_line(candidate)
        line.qty = qty
        self._recompute()

    def set_price(self, index: int, unit_price: int) -> None:
        """Change the unit price (grosze) of line ``index``; must stay above zero."""
        line = self.lines[index]
        candidate = replace(line, unit_price=unit_price)
        _check_line(candidate)
        line.unit_price = unit_price
        self._recompute()

    def void_line(self, index: int) -> ReceiptLine:
        """Remove line ``index`` from the receipt and return it (for the audit log)."""
        line = self.lines.pop(index)
        line.receipt_discount_share = 0
        self._recompute()
        return line

    def set_line_discount(self, index: int, d: Discount | None) -> None:
        """Give line ``index`` its own discount, or remove it with ``None``.

        A discount must leave something to pay: one that takes the whole line (or
        more) is refused ("err.discount_too_large"), the receipt unchanged.
        """
        line = self.lines[index]
        if d is not None and d.amount_off(line.gross) >= line.gross:
            raise DomainError("err.discount_too_large", amount=line.gross)
        previous = line.discount
        line.discount = d
        self._recompute()
        if d is not None and self._discount_takes_everything():
            line.discount = previous
            self._recompute()
            raise DomainError("err.discount_too_large", amount=line.value_before_receipt_discount)

    def set_receipt_discount(self, d: Discount | None) -> None:
        """Set (or with ``None`` remove) the discount on the whole receipt.

        It must leave something to pay: a discount of the whole total (or more, e.g.
        99 999 zł on a 12 zł receipt) is refused ("err.discount_too_large").
        """
        base = sum(line.value_before_receipt_discount for line in self.lines)
        if d is not None and d.amount_off(base) >= base:
            raise DomainError("err.discount_too_large", amount=base)
        self.receipt_discount = d
        self._recompute()

    def _discount_takes_everything(self) -> bool:
        """Whether the receipt discount now covers the whole total (nothing to pay)."""
        return self.receipt_discount is not None and bool(self.lines) and self.total <= 0

    # -- totals ----------------------------------------------------------------

    @property
    def subtotal(self) -> int:
        """Sum of line gross values before any discount."""
        return sum(line.gross for line in self.lines)

    @property
    def total(self) -> int:
        """What the customer pays ("SUMA"): the sum of the final line values."""
        return sum(line.value for line in self.lines)

    @property
    def discount_total(self) -> int:
        """All grosze taken off, line and receipt discounts together."""
        return self.subtotal - self.total

    @property
    def receipt_discount_amount(self) -> int:
        """Grosze taken off by the whole-receipt discount alone."""
        return sum(line.receipt_discount_share for line in self.lines)

    @property
    def deposit_total(self) -> int:
        """The deposits ("kaucja") of the receipt's lines: outside VAT and the fiscal
        total, paid with it."""
        return sum(line.deposit_value for line in self.lines)

    @property
    def payable(self) -> int:
        """What the customer pays: the fiscal total plus the deposits."""
        return self.total + self.deposit_total

    @property
    def is_empty(self) -> bool:
        """True while no line has been rung up."""
        return not self.lines

    def vat_totals(self, rates: Mapping[str, int | None] = VAT_RATES) -> dict[str, VatTotal]:
        """Per-letter gross and VAT of the final line values under ``rates`` (the till's
        PTU table when committed), the printer's way."""
        return vat_totals(((line.vat_letter, line.value) for line in self.lines), rates)

    # -- internals -------------------------------------------------------------

    def _recompute(self) -> None:
        """Re-split the receipt discount after any change to lines or discounts."""
        bases = [line.value_before_receipt_discount for line in self.lines]
        amount = self.receipt_discount.amount_off(sum(bases)) if self.receipt_discount else 0
        for line, share in zip(self.lines, split_largest_remainder(amount, bases), strict=True):
            line.receipt_discount_share = share


@dataclass(frozen=True)
class Payment:
    """One tender: ``amount`` is what was handed over, ``change`` what went back."""

    method: str
    name: str
    amount: int
    change: int = 0

    @property
    def net_amount(self) -> int:
        """What this tender really contributed to the total (amount − change)."""
        return self.amount - self.change


class PaymentState:
    """Tenders collected for one total: split tender, change only from cash."""

    def __init__(self, total: int) -> None:
        if total < 0:
            raise ValueError(f"total must not be negative, got {total}")
        self.total = total
        self.payments: list[Payment] = []

    def __repr__(self) -> str:
        return f"PaymentState(total={self.total}, payments={self.payments!r})"

    @property
    def paid(self) -> int:
        """Sum of the amounts handed over (cash tendered counts in full)."""
        return sum(payment.amount for payment in self.payments)

    @property
    def remaining(self) -> int:
        """Grosze still due; zero once the total is covered."""
        return max(0, self.total - self.paid)

    @property
    def change(self) -> int:
        """Change to give back ("reszta")."""
        return sum(payment.change for payment in self.payments)

    @property
    def is_complete(self) -> bool:
        """True when the tenders cover the total and the receipt can be finished."""
        return self.paid >= self.total

    def add(self, method: str, name: str, amount: int, *, allows_change: bool) -> Payment:
        """Record a tender of ``amount`` grosze by payment method ``method``.

        Card, voucher and transfer cannot give change, so they may cover at most
        what remains; cash may exceed it and the excess becomes the change.
        """
        if amount <= 0:
            raise DomainError("err.amount_zero")
        if self.is_complete:
            raise DomainError("err.pay_complete")
        remaining = self.remaining
        if amount > remaining and not allows_change:
            raise DomainError("err.pay_exceeds", remaining=remaining)
        payment = Payment(method, name, amount, max(0, amount - remaining))
        self.payments.append(payment)
        return payment

    def remove_last(self) -> Payment | None:
        """Take back the most recent tender (e.g. a card was declined); None if none."""
        return self.payments.pop() if self.payments else None
