"""VAT letters, VAT from gross and per-letter totals.

Bad input tried: unknown and lower-case letters (alone and inside a list of pairs),
negative (return) amounts, zero gross, and amounts large enough that summing VAT
per line would drift from VAT of the summed gross.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.vat import (
    VAT_RATES,
    VatTotal,
    vat_from_gross,
    vat_label,
    vat_rate,
    vat_totals,
)

FAST = settings(max_examples=300, deadline=None)
LETTERS = st.sampled_from(sorted(VAT_RATES))


def test_rates_table() -> None:
    assert VAT_RATES == {"A": 2300, "B": 800, "C": 500, "D": 0, "E": None}


@pytest.mark.parametrize(
    ("letter", "label"), [("A", "23%"), ("B", "8%"), ("C", "5%"), ("D", "0%"), ("E", "zw.")]
)
def test_labels(letter: str, label: str) -> None:
    assert vat_label(letter) == label


@pytest.mark.parametrize("letter", ["F", "a", "", "AA", "23"])
def test_unknown_letter(letter: str) -> None:
    with pytest.raises(DomainError) as info:
        vat_label(letter)
    assert (info.value.key, info.value.params) == ("err.vat_letter", {"letter": letter})
    with pytest.raises(DomainError):
        vat_rate(letter)


@pytest.mark.parametrize(
    ("gross", "rate", "vat"),
    [
        (12300, 2300, 2300),
        (100, 2300, 19),  # 18,699… → 19
        (1000, 800, 74),  # 74,07… → 74
        (1050, 500, 50),
        (5000, 0, 0),
        (5000, None, 0),
        (0, 2300, 0),
        (-12300, 2300, -2300),
        (-100, 2300, -19),
        (1, 2300, 0),
        (3, 2300, 1),  # 0,56… → 1
    ],
)
def test_vat_from_gross(gross: int, rate: int | None, vat: int) -> None:
    assert vat_from_gross(gross, rate) == vat


@FAST
@given(st.integers(-(10**10), 10**10), st.sampled_from([2300, 800, 500]))
def test_vat_from_gross_matches_decimal(gross: int, rate: int) -> None:
    exact = Decimal(gross) * rate / (10000 + rate)
    assert vat_from_gross(gross, rate) == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_vat_total_net() -> None:
    total = VatTotal("A", 12300, 2300)
    assert total.net == 10000
    with pytest.raises(AttributeError):
        total.gross = 1  # type: ignore[misc]


def test_totals_sum_gross_first() -> None:
    # Per line each 1,00 zł at 23 % holds 0,187 → 0,19; three lines would say 0,57,
    # but the printer takes VAT of 3,00 zł: 0,561 → 0,56.
    totals = vat_totals([("A", 100), ("A", 100), ("A", 100)])
    assert totals == {"A": VatTotal("A", 300, 56)}


def test_totals_order_and_only_present_letters() -> None:
    totals = vat_totals([("E", 500), ("B", 1080), ("A", 123), ("B", 1080)])
    assert list(totals) == ["A", "B", "E"]
    assert totals["B"] == VatTotal("B", 2160, 160)
    assert totals["E"] == VatTotal("E", 500, 0)
    assert totals["A"].net == 100


def test_totals_empty() -> None:
    assert vat_totals([]) == {}


def test_totals_custom_rates() -> None:
    assert vat_totals([("X", 1100)], rates={"X": 1000}) == {"X": VatTotal("X", 1100, 100)}


def test_totals_unknown_letter() -> None:
    with pytest.raises(DomainError) as info:
        vat_totals([("A", 100), ("Q", 100)])
    assert (info.value.key, info.value.params) == ("err.vat_letter", {"letter": "Q"})


@FAST
@given(st.lists(st.tuples(LETTERS, st.integers(0, 99_999_999)), max_size=30))
def test_totals_property(pairs: list[tuple[str, int]]) -> None:
    totals = vat_totals(pairs)
    assert list(totals) == sorted({letter for letter, _ in pairs})
    for letter, total in totals.items():
        gross = sum(amount for pair_letter, amount in pairs if pair_letter == letter)
        assert total.gross == gross
        assert total.vat == vat_from_gross(gross, VAT_RATES[letter])
        assert 0 <= total.vat <= total.gross
        assert total.net + total.vat == total.gross
    assert sum(t.gross for t in totals.values()) == sum(amount for _, amount in pairs)
