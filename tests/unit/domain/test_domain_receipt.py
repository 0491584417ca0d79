"""Receipt lines, discounts, totals, VAT and payments.

Bad input tried: zero and negative prices and quantities, lines over the printer's
value limit, a quantity with more decimals than its unit, unknown VAT letters, zero
and over-100 % discounts, discounts larger than the line or the receipt, bad line
indexes, merging lines that must not merge, zero and negative tenders, card
tenders over the remaining amount, tenders after the receipt is paid, removing a
tender when there is none, and a negative total.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.receipt import (
    MAX_LINE_GROSS,
    Discount,
    Payment,
    PaymentState,
    Receipt,
    ReceiptLine,
    split_largest_remainder,
)
from ipos_tui.domain.vat import VAT_RATES, VatTotal, vat_from_gross

FAST = settings(max_examples=200, deadline=None)


def line(
    price: int = 349,
    qty: int = 1000,
    *,
    letter: str = "A",
    precision: int = 0,
    product_id: int | None = 1,
    discount: Discount | None = None,
    plu: str = "1",
) -> ReceiptLine:
    return ReceiptLine(
        plu=plu,
        name="Mleko 2% 1l",
        unit="kg" if precision else "szt.",
        precision=precision,
        unit_price=price,
        qty=qty,
        vat_letter=letter,
        product_id=product_id,
        discount=discount,
    )


def assert_domain_error(exc: pytest.ExceptionInfo[DomainError], key: str, **params: Any) -> None:
    assert exc.value.key == key
    assert exc.value.params == params


# -- strategies ------------------------------------------------------------------

discounts = st.one_of(
    st.none(),
    st.builds(Discount, st.just("amount"), st.integers(1, 20_000)),
    st.builds(Discount, st.just("percent"), st.integers(1, 10_000)),
)


@st.composite
def lines(draw: st.DrawFn) -> ReceiptLine:
    precision = draw(st.sampled_from([0, 3]))
    qty = draw(st.integers(1, 100)) * 1000 if precision == 0 else draw(st.integers(1, 100_000))
    return line(
        draw(st.integers(1, 500_000)),
        qty,
        letter=draw(st.sampled_from(sorted(VAT_RATES))),
        precision=precision,
        product_id=draw(st.integers(1, 3)),
        discount=draw(discounts),
    )


# -- Discount ----------------------------------------------------------------------


class TestDiscount:
    @pytest.mark.parametrize(
        ("discount", "gross", "off"),
        [
            (Discount("amount", 100), 1000, 100),
            (Discount("amount", 5000), 1000, 1000),  # capped at the gross
            (Discount("percent", 1000), 1000, 100),
            (Discount("percent", 1000), 5, 1),  # 0,5 gr → 1 gr, half up
            (Discount("percent", 1000), 4, 0),
            (Discount("percent", 10000), 1234, 1234),
            (Discount("amount", 100), 0, 0),
            (Discount("percent", 5000), -100, 0),
        ],
    )
    def test_amount_off(self, discount: Discount, gross: int, off: int) -> None:
        assert discount.amount_off(gross) == off

    @pytest.mark.parametrize(("kind", "value"), [("amount", 0), ("amount", -5), ("percent", 0)])
    def test_zero_or_negative_refused(self, kind: Any, value: int) -> None:
        with pytest.raises(DomainError) as info:
            Discount(kind, value)
        assert_domain_error(info, "err.discount_zero")

    def test_over_100_percent_refused(self) -> None:
        with pytest.raises(DomainError) as info:
            Discount("percent", 10_001)
        assert info.value.key == "err.percent_invalid"

    def test_unknown_kind_is_a_programming_error(self) -> None:
        with pytest.raises(ValueError):
            Discount("free", 1)  # type: ignore[arg-type]

    @FAST
    @given(discounts.filter(bool), st.integers(-1000, 10**8))
    def test_never_negative_never_above_gross(self, discount: Discount, gross: int) -> None:
        off = discount.amount_off(gross)
        assert 0 <= off <= max(gross, 0)


# -- ReceiptLine -------------------------------------------------------------------


class TestReceiptLine:
    def test_gross_rounds_half_up(self) -> None:
        assert line(349, 2000).gross == 698
        assert line(1999, 1235, precision=3).gross == 2469  # 2468,765 → 2469
        assert line(1000, 1005, precision=3).gross == 1005
        assert line(1, 500, precision=3).gross == 1  # 0,5 gr → 1 gr
        assert line(1, 499, precision=3).gross == 0

    def test_value_after_discounts(self) -> None:
        item = line(1000, 3000, discount=Discount("percent", 1000))
        assert (item.gross, item.line_discount, item.value) == (3000, 300, 2700)
        item.receipt_discount_share = 700
        assert item.value == 2000
        item.receipt_discount_share = 5000
        assert item.value == 0

    def test_no_discount(self) -> None:
        assert line(1000).line_discount == 0


# -- Receipt -----------------------------------------------------------------------


class TestReceiptBasics:
    def test_empty(self) -> None:
        receipt = Receipt()
        assert receipt.is_empty
        assert (receipt.total, receipt.subtotal, receipt.discount_total) == (0, 0, 0)
        assert receipt.vat_totals() == {}

    def test_add_and_totals(self) -> None:
        receipt = Receipt()
        assert receipt.add_line(line(349, 2000)) == 0
        assert receipt.add_line(line(1080, 1000, letter="B", product_id=2)) == 1
        assert not receipt.is_empty
        assert receipt.total == 698 + 1080
        assert receipt.subtotal == receipt.total
        assert receipt.vat_totals() == {
            "A": VatTotal("A", 698, vat_from_gross(698, 2300)),
            "B": VatTotal("B", 1080, 80),
        }

    def test_constructor_takes_lines_and_discount(self) -> None:
        receipt = Receipt([line(1000), line(3000, product_id=2)], Discount("amount", 400))
        assert receipt.total == 3600
        assert [item.receipt_discount_share for item in receipt.lines] == [100, 300]

    def test_constructor_validates_lines(self) -> None:
        with pytest.raises(DomainError):
            Receipt([line(0)])

    def test_set_quantity_and_price(self) -> None:
        receipt = Receipt()
        receipt.add_line(line(349))
        receipt.set_quantity(0, 3000)
        assert receipt.total == 1047
        receipt.set_price(0, 100)
        assert receipt.total == 300

    def test_void_line(self) -> None:
        receipt = Receipt()
        receipt.add_line(line(100))
        receipt.add_line(line(200, product_id=2))
        receipt.set_receipt_discount(Discount("amount", 30))
        voided = receipt.void_line(0)
        assert voided.unit_price == 100
        assert voided.receipt_discount_share == 0
        assert [item.unit_price for item in receipt.lines] == [200]
        assert receipt.total == 170
        receipt.void_line(0)
        assert receipt.is_empty and receipt.total == 0

    def test_bad_index(self) -> None:
        receipt = Receipt()
        receipt.add_line(line())
        with pytest.raises(IndexError):
            receipt.set_quantity(5, 1000)
        with pytest.raises(IndexError):
            receipt.void_line(1)
        with pytest.raises(IndexError):
            receipt.set_line_discount(3, None)


class TestReceiptValidation:
    @pytest.mark.parametrize("price", [0, -1])
    def test_price_zero_on_add(self, price: int) -> None:
        with pytest.raises(DomainError) as info:
            Receipt().add_line(line(price))
        assert_domain_error(info, "err.price_zero")

    @pytest.mark.parametrize("price", [0, -100])
    def test_set_price_zero_keeps_old_price(self, price: int) -> None:
        receipt = Receipt()
        receipt.add_line(line(349))
        with pytest.raises(DomainError) as info:
            receipt.set_price(0, price)
        assert_domain_error(info, "err.price_zero")
        assert receipt.lines[0].unit_price == 349

    @pytest.mark.parametrize("qty", [0, -1000])
    def test_set_quantity_zero(self, qty: int) -> None:
        receipt = Receipt()
        receipt.add_line(line())
        with pytest.raises(DomainError) as info:
            receipt.set_quantity(0, qty)
        assert_domain_error(info, "err.qty_zero")
        assert receipt.lines[0].qty == 1000

    def test_quantity_precision_of_pieces(self) -> None:
        receipt = Receipt()
        receipt.add_line(line())
        with pytest.raises(DomainError) as info:
            receipt.set_quantity(0, 1500)
        assert_domain_error(info, "err.qty_precision", text="1,500", precision=0)

    def test_quantity_too_large(self) -> None:
        with pytest.raises(DomainError) as info:
            Receipt().add_line(line(1, 100_000_000, precision=3))
        assert_domain_error(info, "err.qty_too_large", text="100000,000")

    def test_line_too_large(self) -> None:
        receipt = Receipt()
        receipt.add_line(line(MAX_LINE_GROSS))  # exactly at the limit is fine
        with pytest.raises(DomainError) as info:
            receipt.add_line(line(MAX_LINE_GROSS, 2000))
        assert_domain_error(info, "err.line_too_large")
        with pytest.raises(DomainError):
            receipt.set_quantity(0, 2000)
        with pytest.raises(DomainError):
            receipt.set_price(0, MAX_LINE_GROSS + 1)
        assert receipt.lines[0].gross == MAX_LINE_GROSS
        assert len(receipt.lines) == 1

    def test_unknown_vat_letter(self) -> None:
        with pytest.raises(DomainError) as info:
            Receipt().add_line(line(letter="Z"))
        assert_domain_error(info, "err.vat_letter", letter="Z")

    def test_bad_precision_is_a_programming_error(self) -> None:
        with pytest.raises(ValueError):
            Receipt().add_line(line(precision=5))


class TestMerge:
    def test_same_product_merges_into_last(self) -> None:
        receipt = Receipt()
        receipt.add_line(line())
        assert receipt.add_line(line(), merge=True) == 0
        assert len(receipt.lines) == 1
        assert receipt.lines[0].qty == 2000
        assert receipt.total == 698

    def test_without_merge_flag_appends(self) -> None:
        receipt = Receipt()
        receipt.add_line(line())
        assert receipt.add_line(line()) == 1

    @pytest.mark.parametrize(
        "new",
        [
            line(product_id=2),
            line(350),
            line(qty=1000, precision=3),
            line(discount=Discount("amount", 10)),
            line(product_id=None),
        ],
        ids=["other product", "other price", "weighed", "discounted", "no product id"],
    )
    def test_does_not_merge(self, new: ReceiptLine) -> None:
        receipt = Receipt()
        receipt.add_line(line(product_id=new.product_id if new.product_id is None else 1))
        assert receipt.add_line(new, merge=True) == 1

    def test_only_the_last_line_merges(self) -> None:
        receipt = Receipt()
        receipt.add_line(line())
        receipt.add_line(line(product_id=2))
        assert receipt.add_line(line(), merge=True) == 2

    def test_discounted_last_line_does_not_merge(self) -> None:
        receipt = Receipt()
        receipt.add_line(line())
        receipt.set_line_discount(0, Discount("percent", 500))
        assert receipt.add_line(line(), merge=True) == 1

    def test_merge_over_limit_refused_and_unchanged(self) -> None:
        receipt = Receipt()
        receipt.add_line(line(MAX_LINE_GROSS // 2 + 1))
        with pytest.raises(DomainError) as info:
            receipt.add_line(line(MAX_LINE_GROSS // 2 + 1), merge=True)
        assert_domain_error(info, "err.line_too_large")
        assert receipt.lines[0].qty == 1000
        assert len(receipt.lines) == 1


class TestDiscounts:
    def test_line_discount(self) -> None:
        receipt = Receipt()
        receipt.add_line(line(1000, 2000))
        receipt.set_line_discount(0, Discount("amount", 250))
        assert (receipt.subtotal, receipt.total, receipt.discount_total) == (2000, 1750, 250)
        receipt.set_line_discount(0, None)
        assert receipt.total == 2000

    @pytest.mark.parametrize("discount", [Discount("amount", 10_000), Discount("amount", 100), Discount("percent", 10_000)])
    def test_line_discount_of_the_whole_line_is_refused(self, discount: Discount) -> None:
        """A line at 0,00 zł cannot be printed: the discount is refused, nothing changes."""
        receipt = Receipt()
        receipt.add_line(line(100))
        receipt.add_line(line(500, product_id=2))
        with pytest.raises(DomainError) as info:
            receipt.set_line_discount(0, discount)
        assert_domain_error(info, "err.discount_too_large", amount=100)
        assert receipt.lines[0].discount is None and receipt.total == 600

    def test_line_discount_that_empties_a_discounted_receipt_is_refused(self) -> None:
        receipt = Receipt()
        receipt.add_line(line(1000))
        receipt.set_receipt_discount(Discount("amount", 900))
        with pytest.raises(DomainError) as info:
            receipt.set_line_discount(0, Discount("amount", 100))
        assert info.value.key == "err.discount_too_large"
        assert receipt.lines[0].discount is None and receipt.total == 100

    def test_receipt_discount_applies_after_line_discounts(self) -> None:
        receipt = Receipt()
        receipt.add_line(line(1000))
        receipt.add_line(line(1000, product_id=2))
        receipt.set_line_discount(0, Discount("amount", 500))
        receipt.set_receipt_discount(Discount("percent", 1000))
        # base 500 + 1000 = 1500, 10 % = 150 split 50 / 100
        assert [item.receipt_discount_share for item in receipt.lines] == [50, 100]
        assert receipt.receipt_discount_amount == 150
        assert receipt.total == 1350
        assert receipt.discount_total == 650

    def test_largest_remainder_split(self) -> None:
        receipt = Receipt()
        for product_id in (1, 2, 3):
            receipt.add_line(line(100, product_id=product_id))
        receipt.set_receipt_discount(Discount("amount", 100))
        # 33,33… each; the leftover grosz goes to the first on a tie
        assert [item.receipt_discount_share for item in receipt.lines] == [34, 33, 33]
        assert [item.value for item in receipt.lines] == [66, 67, 67]
        assert receipt.total == 200

    @pytest.mark.parametrize("discount", [Discount("amount", 99_999), Discount("amount", 350), Discount("percent", 10_000)])
    def test_receipt_discount_of_the_whole_receipt_is_refused(self, discount: Discount) -> None:
        """F4 3 99999 on a 3,50 zł receipt: refused, the receipt keeps its total."""
        receipt = Receipt()
        receipt.add_line(line(100))
        receipt.add_line(line(250, product_id=2))
        receipt.set_receipt_discount(Discount("amount", 50))
        with pytest.raises(DomainError) as info:
            receipt.set_receipt_discount(discount)
        assert_domain_error(info, "err.discount_too_large", amount=350)
        assert receipt.receipt_discount == Discount("amount", 50) and receipt.total == 300

    def test_receipt_discount_one_grosz_short_of_the_total_is_taken(self) -> None:
        receipt = Receipt()
        receipt.add_line(line(350))
        receipt.set_receipt_discount(Discount("amount", 349))
        assert receipt.total == 1

    def test_receipt_discount_follows_changes(self) -> None:
        receipt = Receipt()
        receipt.add_line(line(1000))
        receipt.set_receipt_discount(Discount("percent", 5000))
        assert receipt.total == 500
        receipt.add_line(line(1000, product_id=2))
        assert receipt.total == 1000
        receipt.set_quantity(1, 3000)
        assert receipt.total == 2000
        receipt.set_receipt_discount(None)
        assert receipt.total == 4000
        assert all(item.receipt_discount_share == 0 for item in receipt.lines)

    def test_vat_is_on_discounted_values(self) -> None:
        receipt = Receipt()
        receipt.add_line(line(12300))
        receipt.add_line(line(10800, letter="B", product_id=2))
        receipt.set_receipt_discount(Discount("percent", 5000))
        assert receipt.vat_totals() == {
            "A": VatTotal("A", 6150, 1150),
            "B": VatTotal("B", 5400, 400),
        }


class TestSplitLargestRemainder:
    def test_examples(self) -> None:
        assert split_largest_remainder(100, [100, 100, 100]) == [34, 33, 33]
        assert split_largest_remainder(10, [1, 2, 7]) == [1, 2, 7]
        assert split_largest_remainder(5, [1, 0, 9]) == [1, 0, 4]  # 0,5 and 4,5: tie, first wins
        assert split_largest_remainder(6, [1, 0, 9]) == [1, 0, 5]
        assert split_largest_remainder(0, [5, 5]) == [0, 0]
        assert split_largest_remainder(7, [0, 0]) == [0, 0]
        assert split_largest_remainder(3, []) == []

    @FAST
    @given(st.lists(st.integers(0, 10**8), min_size=1, max_size=40), st.data())
    def test_properties(self, weights: list[int], data: st.DataObject) -> None:
        base = sum(weights)
        amount = data.draw(st.integers(0, base))
        parts = split_largest_remainder(amount, weights)
        if base == 0:
            assert parts == [0] * len(weights)
            return
        assert sum(parts) == amount
        for part, weight in zip(parts, weights, strict=True):
            assert 0 <= part <= weight
            # never more than one grosz from the exact proportional share
            assert abs(part * base - amount * weight) < base


@FAST
@given(st.lists(lines(), min_size=1, max_size=15), discounts)
def test_line_values_sum_to_total_and_never_negative(
    items: list[ReceiptLine], receipt_discount: Discount | None
) -> None:
    receipt = Receipt()
    for item in items:
        receipt.add_line(item)
    base = sum(item.value_before_receipt_discount for item in receipt.lines)
    if receipt_discount is not None and receipt_discount.amount_off(base) >= base:
        with pytest.raises(DomainError):
            receipt.set_receipt_discount(receipt_discount)
        assert receipt.total == base  # refused: nothing changed
        return
    receipt.set_receipt_discount(receipt_discount)
    if receipt_discount is not None:
        assert receipt.total > 0  # a discount always leaves something to pay
    values = [item.value for item in receipt.lines]
    assert sum(values) == receipt.total
    assert all(value >= 0 for value in values)
    assert receipt.total >= 0
    bases = [item.gross - item.line_discount for item in receipt.lines]
    expected_off = receipt_discount.amount_off(sum(bases)) if receipt_discount else 0
    assert receipt.total == sum(bases) - expected_off
    assert receipt.discount_total == receipt.subtotal - receipt.total
    vat = receipt.vat_totals()
    assert sum(total.gross for total in vat.values()) == receipt.total
    for total in vat.values():
        assert 0 <= total.vat <= total.gross


class ReceiptMachine(RuleBasedStateMachine):
    """Random sequences of cashier actions keep the receipt's invariants."""

    def __init__(self) -> None:
        super().__init__()
        self.receipt = Receipt()

    @rule(item=lines(), merge=st.booleans())
    def add(self, item: ReceiptLine, merge: bool) -> None:
        count, total = len(self.receipt.lines), self.receipt.total
        try:
            self.receipt.add_line(item, merge=merge)
        except DomainError as exc:  # merging can push a line over the value limit
            assert exc.key == "err.line_too_large"
            assert (len(self.receipt.lines), self.receipt.total) == (count, total)

    @precondition(lambda self: self.receipt.lines)
    @rule(data=st.data(), units=st.integers(1, 100))
    def change_quantity(self, data: st.DataObject, units: int) -> None:
        index = data.draw(st.integers(0, len(self.receipt.lines) - 1))
        self.receipt.set_quantity(index, units * 1000)

    @precondition(lambda self: self.receipt.lines)
    @rule(data=st.data(), price=st.integers(1, 500_000))
    def change_price(self, data: st.DataObject, price: int) -> None:
        index = data.draw(st.integers(0, len(self.receipt.lines) - 1))
        self.receipt.set_price(index, price)

    @precondition(lambda self: self.receipt.lines)
    @rule(data=st.data(), discount=discounts)
    def line_discount(self, data: st.DataObject, discount: Discount | None) -> None:
        index = data.draw(st.integers(0, len(self.receipt.lines) - 1))
        total = self.receipt.total
        try:
            self.receipt.set_line_discount(index, discount)
        except DomainError as exc:  # a discount of everything is refused
            assert exc.key == "err.discount_too_large"
            assert self.receipt.total == total

    @precondition(lambda self: self.receipt.lines)
    @rule(data=st.data())
    def void(self, data: st.DataObject) -> None:
        self.receipt.void_line(data.draw(st.integers(0, len(self.receipt.lines) - 1)))

    @rule(discount=discounts)
    def receipt_discount(self, discount: Discount | None) -> None:
        total = self.receipt.total
        try:
            self.receipt.set_receipt_discount(discount)
        except DomainError as exc:  # a discount of everything is refused
            assert exc.key == "err.discount_too_large"
            assert self.receipt.total == total

    @invariant()
    def values_sum_to_total(self) -> None:
        values = [item.value for item in self.receipt.lines]
        assert sum(values) == self.receipt.total
        assert all(value >= 0 for value in values)
        assert 0 <= self.receipt.total <= self.receipt.subtotal


ReceiptMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=20, deadline=None)
TestReceiptMachine = ReceiptMachine.TestCase


# -- payments --------------------------------------------------------------------


class TestPaymentState:
    def test_cash_with_change(self) -> None:
        state = PaymentState(1747)
        assert (state.paid, state.remaining, state.change, state.is_complete) == (0, 1747, 0, False)
        payment = state.add("cash", "gotówka", 2000, allows_change=True)
        assert payment == Payment("cash", "gotówka", 2000, 253)
        assert payment.net_amount == 1747
        assert (state.paid, state.remaining, state.change, state.is_complete) == (
            2000,
            0,
            253,
            True,
        )

    def test_split_tender(self) -> None:
        state = PaymentState(5000)
        state.add("voucher", "bon", 2000, allows_change=False)
        assert (state.remaining, state.is_complete) == (3000, False)
        state.add("card", "karta", 3000, allows_change=False)
        assert (state.remaining, state.change, state.is_complete) == (0, 0, True)
        assert [p.method for p in state.payments] == ["voucher", "card"]

    def test_card_may_not_exceed_remaining(self) -> None:
        state = PaymentState(1000)
        state.add("cash", "gotówka", 400, allows_change=True)
        with pytest.raises(DomainError) as info:
            state.add("card", "karta", 601, allows_change=False)
        assert_domain_error(info, "err.pay_exceeds", remaining=600)
        assert len(state.payments) == 1

    @pytest.mark.parametrize("amount", [0, -100])
    def test_zero_amount(self, amount: int) -> None:
        with pytest.raises(DomainError) as info:
            PaymentState(1000).add("cash", "gotówka", amount, allows_change=True)
        assert_domain_error(info, "err.amount_zero")

    def test_no_tender_after_complete(self) -> None:
        state = PaymentState(1000)
        state.add("card", "karta", 1000, allows_change=False)
        with pytest.raises(DomainError) as info:
            state.add("cash", "gotówka", 100, allows_change=True)
        assert_domain_error(info, "err.pay_complete")

    def test_remove_last(self) -> None:
        state = PaymentState(1000)
        assert state.remove_last() is None
        state.add("voucher", "bon", 300, allows_change=False)
        state.add("cash", "gotówka", 1000, allows_change=True)
        assert state.change == 300
        removed = state.remove_last()
        assert removed is not None and removed.method == "cash"
        assert (state.paid, state.remaining, state.change, state.is_complete) == (
            300,
            700,
            0,
            False,
        )

    def test_zero_total_is_complete(self) -> None:
        state = PaymentState(0)
        assert state.is_complete and state.remaining == 0

    def test_negative_total_is_a_programming_error(self) -> None:
        with pytest.raises(ValueError):
            PaymentState(-1)

    @FAST
    @given(
        st.integers(1, 10**8),
        st.lists(st.tuples(st.booleans(), st.integers(1, 10**8)), max_size=10),
    )
    def test_paid_minus_change_is_total_when_complete(
        self, total: int, tenders: list[tuple[bool, int]]
    ) -> None:
        state = PaymentState(total)
        for is_cash, amount in tenders:
            before = (state.paid, state.change)
            try:
                state.add("cash" if is_cash else "card", "x", amount, allows_change=is_cash)
            except DomainError as exc:
                assert exc.key in {"err.pay_exceeds", "err.pay_complete"}
                assert (state.paid, state.change) == before
            assert state.remaining >= 0 and state.change >= 0
            assert state.change == 0 or state.is_complete
        if not state.is_complete:
            state.add("cash", "gotówka", state.remaining, allows_change=True)
        assert state.is_complete
        assert state.paid - state.change == total
        assert sum(p.net_amount for p in state.payments) == total
