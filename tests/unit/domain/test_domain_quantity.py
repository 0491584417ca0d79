"""Quantities in milli-units: parsing, formatting, units.

Bad input tried: empty text, letters, a dangling comma, two separators, more
decimals than the unit allows, zero and negative quantities, more than 99 999
units, thousands of pasted digits, impossible precisions, unit names with digits
and blank unit names.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.quantity import (
    BUILTIN_UNITS,
    KG,
    MAX_QTY_MILLI,
    QTY_SCALE,
    SZT,
    G,
    Unit,
    format_quantity,
    parse_quantity,
    validate_unit_name,
)

FAST = settings(max_examples=300, deadline=None)


def test_builtin_units() -> None:
    assert QTY_SCALE == 1000
    assert (SZT.name, SZT.precision) == ("szt.", 0)
    assert (KG.name, KG.precision) == ("kg", 3)
    assert (G.name, G.precision) == ("g", 0)
    assert BUILTIN_UNITS == (SZT, KG, G)


def test_unit_is_frozen_and_checks_precision() -> None:
    with pytest.raises(AttributeError):
        SZT.precision = 3  # type: ignore[misc]
    with pytest.raises(ValueError):
        Unit("l", 4)
    with pytest.raises(ValueError):
        Unit("l", -1)


class TestParseQuantity:
    @pytest.mark.parametrize(
        ("text", "precision", "milli"),
        [
            ("2", 0, 2000),
            ("2", 3, 2000),
            ("1,235", 3, 1235),
            ("1.235", 3, 1235),
            ("0,005", 3, 5),
            ("1,5", 3, 1500),
            ("1,5", 1, 1500),
            ("2,0", 0, 2000),  # a zero decimal is no extra precision
            ("1,2350", 3, 1235),
            (" 3 ", 0, 3000),
            ("99999", 0, 99_999_000),
            ("99999,000", 3, 99_999_000),
            ("007", 0, 7000),
        ],
    )
    def test_accepted(self, text: str, precision: int, milli: int) -> None:
        assert parse_quantity(text, precision) == milli

    @pytest.mark.parametrize(
        "text", ["", " ", "abc", "2szt", "1,", ",5", "1,2,3", "1 000", "½", "٣"]
    )
    def test_not_a_number(self, text: str) -> None:
        with pytest.raises(DomainError) as info:
            parse_quantity(text, 3)
        assert info.value.key == "err.qty_invalid"
        assert info.value.params == {"text": text}

    @pytest.mark.parametrize(
        ("text", "precision"), [("1,5", 0), ("1,25", 1), ("1,2345", 3), ("0,0001", 3)]
    )
    def test_too_many_decimals(self, text: str, precision: int) -> None:
        with pytest.raises(DomainError) as info:
            parse_quantity(text, precision)
        assert info.value.key == "err.qty_precision"
        assert info.value.params == {"text": text, "precision": precision}

    @pytest.mark.parametrize("text", ["0", "0,000", "-1", "-0,5", "000", "-100000"])
    def test_zero_or_negative(self, text: str) -> None:
        with pytest.raises(DomainError) as info:
            parse_quantity(text, 3)
        assert info.value.key == "err.qty_zero"
        assert info.value.params == {}

    @pytest.mark.parametrize("text", ["100000", "99999,001", "1" * 5000])
    def test_too_large(self, text: str) -> None:
        with pytest.raises(DomainError) as info:
            parse_quantity(text, 3)
        assert info.value.key == "err.qty_too_large"
        assert info.value.params == {"text": text}

    def test_bad_precision_is_a_programming_error(self) -> None:
        with pytest.raises(ValueError):
            parse_quantity("1", 4)

    @FAST
    @given(st.sampled_from([0, 1, 2, 3]), st.integers(1, MAX_QTY_MILLI))
    def test_round_trip_with_format(self, precision: int, milli: int) -> None:
        step = 10 ** (3 - precision)
        milli = max(step, milli - milli % step)
        assert parse_quantity(format_quantity(milli, precision), precision) == milli

    @FAST
    @given(st.text(max_size=12), st.sampled_from([0, 3]))
    def test_only_domain_errors(self, text: str, precision: int) -> None:
        try:
            milli = parse_quantity(text, precision)
        except DomainError as exc:
            assert exc.key.startswith("err.qty_")
        else:
            assert 0 < milli <= MAX_QTY_MILLI
            assert milli % 10 ** (3 - precision) == 0


class TestFormatQuantity:
    @pytest.mark.parametrize(
        ("milli", "precision", "text"),
        [
            (2000, 0, "2"),
            (1235, 3, "1,235"),
            (1000, 3, "1,000"),
            (5, 3, "0,005"),
            (1500, 1, "1,5"),
            (1500, 2, "1,50"),
            (99_999_000, 0, "99999"),
            (-1235, 3, "-1,235"),
            (1500, 0, "2"),  # half up when asked for fewer decimals than held
            (-1500, 0, "-2"),
        ],
    )
    def test_examples(self, milli: int, precision: int, text: str) -> None:
        assert format_quantity(milli, precision) == text


class TestUnitName:
    @pytest.mark.parametrize(
        ("name", "clean"), [("szt.", "szt."), (" kg ", "kg"), ("opak.", "opak.")]
    )
    def test_accepted(self, name: str, clean: str) -> None:
        assert validate_unit_name(name) == clean

    def test_digits_rejected(self) -> None:
        with pytest.raises(DomainError) as info:
            validate_unit_name("op5")
        assert (info.value.key, info.value.params) == ("err.unit_digits", {"char": "5"})

    @pytest.mark.parametrize("name", ["", "   "])
    def test_empty_rejected(self, name: str) -> None:
        with pytest.raises(DomainError) as info:
            validate_unit_name(name)
        assert info.value.key == "err.unit_empty"
