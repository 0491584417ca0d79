"""Money: half-up rounding, parsing typed amounts, formatting with babel.

Bad input tried: empty and blank text, letters, a minus sign, a third decimal, a
dangling comma, a missing whole part, wrong thousands grouping, amounts above the
printer limit, thousands of pasted digits, non-ASCII digits, zero denominators,
percentages of 0, over 100 and with three decimals.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import (
    MAX_GROSZE,
    format_money,
    format_percent_bp,
    parse_amount,
    parse_money,
    parse_percent,
    round_half_up,
)

NBSP = "\u00a0"
FAST = settings(max_examples=300, deadline=None)


class TestRoundHalfUp:
    @pytest.mark.parametrize(
        ("num", "den", "expected"),
        [
            (5, 10, 1),
            (4, 10, 0),
            (15, 10, 2),
            (25, 10, 3),  # half to even would give 2
            (-5, 10, -1),
            (-25, 10, -3),
            (5, -10, -1),
            (-5, -10, 1),
            (0, 7, 0),
            (14, 7, 2),
            (1, 3, 0),
            (2, 3, 1),
        ],
    )
    def test_examples(self, num: int, den: int, expected: int) -> None:
        assert round_half_up(num, den) == expected

    def test_zero_denominator_is_a_programming_error(self) -> None:
        with pytest.raises(ZeroDivisionError):
            round_half_up(1, 0)

    @FAST
    @given(st.integers(-(10**15), 10**15), st.integers(-(10**6), 10**6).filter(bool))
    def test_matches_decimal_round_half_up(self, num: int, den: int) -> None:
        expected = (Decimal(num) / Decimal(den)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        assert round_half_up(num, den) == int(expected)


class TestParseMoney:
    @pytest.mark.parametrize(
        ("text", "grosze"),
        [
            ("3,49", 349),
            ("3.49", 349),
            ("3", 300),
            ("3,5", 350),
            ("0", 0),
            ("0,01", 1),
            ("1 234,56", 123456),
            (f"1{NBSP}234,56", 123456),
            ("1\u202f234,56", 123456),
            ("1 234,56 zł", 123456),
            (f"1{NBSP}234,56{NBSP}zł", 123456),
            ("3zł", 300),
            ("3 ZŁ", 300),
            ("  12,30  ", 1230),
            ("999 999,99", MAX_GROSZE),
            ("007,50", 750),
            ("3,", 300),
            ("20.", 2000),
        ],
    )
    def test_accepted(self, text: str, grosze: int) -> None:
        assert parse_money(text) == grosze

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "   ",
            "abc",
            "3,4a",
            "zł",
            "-3",
            "-3,49",
            "+3",
            "3,499",
            ",5",
            "3,,5",
            "3.4.5",
            "1 23,45",
            "12 34",
            "1000000",
            "1 000 000,00",
            "9" * 5000,
            "٣,٤٩",  # Arabic-Indic digits
            "3 49",
            "3,49 PLN",
        ],
    )
    def test_rejected(self, text: str) -> None:
        with pytest.raises(DomainError) as info:
            parse_money(text)
        assert info.value.key == "err.money_invalid"
        assert info.value.params == {"text": text}

    @FAST
    @given(st.integers(0, MAX_GROSZE))
    def test_round_trip_with_format(self, grosze: int) -> None:
        assert parse_money(format_money(grosze)) == grosze
        assert parse_money(format_money(grosze, symbol=False)) == grosze

    @FAST
    @given(st.integers(0, MAX_GROSZE))
    def test_plain_typed_forms(self, grosze: int) -> None:
        whole, frac = divmod(grosze, 100)
        assert parse_money(f"{whole},{frac:02d}") == grosze
        assert parse_money(f"{whole}.{frac:02d}") == grosze

    @FAST
    @given(st.text(max_size=20))
    def test_never_crashes_otherwise(self, text: str) -> None:
        try:
            grosze = parse_money(text)
        except DomainError as exc:
            assert exc.key == "err.money_invalid"
        else:
            assert 0 <= grosze <= MAX_GROSZE


class TestParseAmount:
    """The till's one money rule: digits only are grosze, a separator makes złoty."""

    @pytest.mark.parametrize(
        ("text", "grosze"),
        [
            ("2000", 2000),  # the keypad: grosze
            ("200", 200),
            ("1", 1),
            ("0", 0),
            (" 50 ", 50),
            ("20,", 2000),  # a comma or point: złoty
            ("20.", 2000),
            ("20,00", 2000),
            ("20,5", 2050),
            ("3.79", 379),
            ("1 234,56", 123456),
            ("12 zł", 1200),
            ("99999999", MAX_GROSZE),
            ("999 999,99", MAX_GROSZE),
        ],
    )
    def test_accepted(self, text: str, grosze: int) -> None:
        assert parse_amount(text) == grosze

    @pytest.mark.parametrize("text", ["", " ", "abc", "-5", "-5,00", "20,001", ",5", "1,2,3", "12a", "²", "٣", "3 49"])
    def test_invalid(self, text: str) -> None:
        with pytest.raises(DomainError) as info:
            parse_amount(text)
        assert info.value.key == "err.amount_invalid"
        assert info.value.params == {"text": text}

    @pytest.mark.parametrize("text", ["100000000", "9" * 5000, "1000000,00", "1 000 000,00"])
    def test_too_large(self, text: str) -> None:
        with pytest.raises(DomainError) as info:
            parse_amount(text)
        assert info.value.key == "err.amount_too_large"

    @FAST
    @given(st.integers(0, MAX_GROSZE))
    def test_digits_are_grosze_and_formatted_money_is_zloty(self, grosze: int) -> None:
        assert parse_amount(str(grosze)) == grosze
        assert parse_amount(format_money(grosze)) == grosze
        whole, frac = divmod(grosze, 100)
        assert parse_amount(f"{whole},{frac:02d}") == grosze

    @FAST
    @given(st.text(max_size=20))
    def test_never_crashes_otherwise(self, text: str) -> None:
        try:
            grosze = parse_amount(text)
        except DomainError as exc:
            assert exc.key in ("err.amount_invalid", "err.amount_too_large")
        else:
            assert 0 <= grosze <= MAX_GROSZE


class TestFormatMoney:
    @pytest.mark.parametrize(
        ("grosze", "text"),
        [
            (349, f"3,49{NBSP}zł"),
            (123456, f"1{NBSP}234,56{NBSP}zł"),
            (-349, f"-3,49{NBSP}zł"),
            (0, f"0,00{NBSP}zł"),
            (5, f"0,05{NBSP}zł"),
            (100, f"1,00{NBSP}zł"),
            (MAX_GROSZE, f"999{NBSP}999,99{NBSP}zł"),
            (123456789012, f"1{NBSP}234{NBSP}567{NBSP}890,12{NBSP}zł"),
        ],
    )
    def test_with_symbol(self, grosze: int, text: str) -> None:
        assert format_money(grosze) == text

    @pytest.mark.parametrize(
        ("grosze", "text"),
        [(349, "3,49"), (123456, f"1{NBSP}234,56"), (-5, "-0,05"), (0, "0,00")],
    )
    def test_without_symbol(self, grosze: int, text: str) -> None:
        assert format_money(grosze, symbol=False) == text


class TestPercent:
    @pytest.mark.parametrize(
        ("bp", "text"),
        [
            (1000, f"10{NBSP}%"),
            (1250, f"12,5{NBSP}%"),
            (1255, f"12,55{NBSP}%"),
            (10000, f"100{NBSP}%"),
            (5, f"0,05{NBSP}%"),
        ],
    )
    def test_format(self, bp: int, text: str) -> None:
        assert format_percent_bp(bp) == text

    @pytest.mark.parametrize(
        ("text", "bp"),
        [
            ("10", 1000),
            ("12,5", 1250),
            ("12.5", 1250),
            ("12,55", 1255),
            ("100", 10000),
            ("0,01", 1),
            ("10%", 1000),
            ("10 %", 1000),
            (f"12,5{NBSP}%", 1250),
        ],
    )
    def test_parse(self, text: str, bp: int) -> None:
        assert parse_percent(text) == bp

    @pytest.mark.parametrize(
        "text", ["", "0", "0,00", "100,01", "101", "-5", "12,555", "abc", "%", "12,", "1" * 5000]
    )
    def test_parse_rejected(self, text: str) -> None:
        with pytest.raises(DomainError) as info:
            parse_percent(text)
        assert info.value.key == "err.percent_invalid"
        assert info.value.params == {"text": text}

    @FAST
    @given(st.integers(1, 10000))
    def test_round_trip(self, bp: int) -> None:
        assert parse_percent(format_percent_bp(bp)) == bp
