"""What a cashier types as a cash amount: digits are grosze as on the payment screen
("20000" = 200,00 zł), a comma or point means złoty ("200,00", "200,"); letters, signs, a
third decimal, zero (except for the opening) and amounts above the printer's limit
are refused with a message key the catalogue has."""

from __future__ import annotations

import pytest

from ipos_tui.domain.errors import DomainError
from ipos_tui.i18n import catalogue
from ipos_tui.till.cash import check_reason, parse_cash_amount


@pytest.mark.parametrize("text, grosze", [
    ("20000", 20_000),
    ("200,00", 20_000),
    ("200.5", 20_050),
    ("200", 200),
    (" 1 234,56 zł ", 123_456),
    ("0,01", 1),
    ("99999999", 99_999_999),
    ("999 999,99", 99_999_999),
    ("0001", 1),
    ("1,", 100),  # "20," is 20 zł: the till's one money rule
    ("200,", 20_000),
    ("200.", 20_000),
    ("1 234,", 123_400),
])
def test_good_amounts(text: str, grosze: int) -> None:
    assert parse_cash_amount(text) == grosze


@pytest.mark.parametrize("text, key", [
    ("abc", "cash.err_amount_invalid"),
    ("12a", "cash.err_amount_invalid"),
    ("-500", "cash.err_amount_negative"),
    ("-5,00", "cash.err_amount_negative"),
    ("- 5", "cash.err_amount_negative"),
    ("-5a", "cash.err_amount_invalid"),
    ("+5", "cash.err_amount_invalid"),
    ("1,234", "cash.err_amount_invalid"),
    (",", "cash.err_amount_invalid"),
    ("200,,", "cash.err_amount_invalid"),
    ("200,5,", "cash.err_amount_invalid"),
    ("", "cash.err_amount_invalid"),
    ("0", "cash.err_amount_zero"),
    ("0,00", "cash.err_amount_zero"),
    ("100000000", "cash.err_amount_too_large"),
    ("12345678901234567890", "cash.err_amount_too_large"),
    ("1000000,00", "cash.err_amount_too_large"),
    ("1 000 000", "cash.err_amount_too_large"),
    ("1000000,", "cash.err_amount_too_large"),
])
def test_bad_amounts(text: str, key: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_cash_amount(text)
    assert caught.value.key == key
    assert key in catalogue("pl") and key in catalogue("en")


def test_zero_is_a_valid_opening() -> None:
    assert parse_cash_amount("0", allow_zero=True) == 0
    assert parse_cash_amount("0,00", allow_zero=True) == 0


def test_reason_is_tidied_and_limited() -> None:
    assert check_reason("  wpłata   do banku ") == "wpłata do banku"
    with pytest.raises(DomainError) as caught:
        check_reason("ą" * 201)
    assert caught.value.key == "cash.err_reason_too_long"
