"""Label-scale EAN-13 codes with the weight or price inside (issue 14, item 7).

Bad input tried: every wrong check digit of random codes, layouts with no product
run, two value runs, broken runs, a prefix outside 20-29, 12 or 14 characters,
repeated prefixes; codes with a zero product code, a zero weight; codes of other
lengths and prefixes without a layout (not label codes at all).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import ean

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.scale_code import (
    DEFAULT_SCALE_CODES,
    check_digit_ok,
    normalise_layouts,
    parse_layout,
    parse_layouts,
    parse_scale_code,
    with_check_digit,
)

DEFAULT = parse_layouts(DEFAULT_SCALE_CODES)
digits = st.text(alphabet="0123456789", min_size=12, max_size=12)


def test_default_is_27_to_29_weight_and_23_24_price() -> None:
    assert {p: layout.kind for p, layout in DEFAULT.items()} == {
        "27": "weight", "28": "weight", "29": "weight", "23": "price", "24": "price",
    }


@given(digits)
def test_check_digit_matches_stdnum_and_every_other_digit_is_refused(first12: str) -> None:
    code = with_check_digit(first12)
    assert ean.is_valid(code) and check_digit_ok(code)
    for wrong in "0123456789":
        if wrong != code[12]:
            assert not check_digit_ok(first12 + wrong)


@given(st.sampled_from(["27", "28", "29"]), st.integers(1, 99_999), st.integers(1, 99_999))
def test_weight_code_round_trips(prefix: str, plu: int, grams: int) -> None:
    code = with_check_digit(f"{prefix}{plu:05d}{grams:05d}")
    parsed = parse_scale_code(code, DEFAULT)
    assert parsed is not None
    assert (parsed.plu, parsed.kind, parsed.amount) == (str(plu), "weight", grams)


@given(st.sampled_from(["23", "24"]), st.integers(1, 99_999), st.integers(1, 99_999))
def test_price_code_round_trips(prefix: str, plu: int, grosze: int) -> None:
    code = with_check_digit(f"{prefix}{plu:05d}{grosze:05d}")
    parsed = parse_scale_code(code, DEFAULT)
    assert parsed is not None
    assert (parsed.plu, parsed.kind, parsed.amount) == (str(plu), "price", grosze)


@given(st.sampled_from(["23", "24", "27", "28", "29"]), st.text("0123456789", min_size=10, max_size=10),
       st.integers(1, 9))
def test_a_wrong_check_digit_is_refused_never_sold(prefix: str, body: str, shift: int) -> None:
    good = with_check_digit(prefix + body)
    bad = good[:12] + str((int(good[12]) + shift) % 10)
    with pytest.raises(DomainError) as caught:
        parse_scale_code(bad, DEFAULT)
    assert caught.value.key == "err.scale_check_digit"
    assert caught.value.params["digit"] == good[12]


def test_other_codes_are_not_label_codes() -> None:
    assert parse_scale_code("5901200000027", DEFAULT) is None  # an ordinary EAN
    assert parse_scale_code(with_check_digit("210001200345"), DEFAULT) is None  # 21: no layout
    assert parse_scale_code("2700012", DEFAULT) is None
    assert parse_scale_code("27000120034500", DEFAULT) is None
    assert parse_scale_code(with_check_digit("270001200345"), {}) is None  # setting empty


def test_zero_product_or_weight_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        parse_scale_code(with_check_digit("270000001234"), DEFAULT)
    assert caught.value.key == "err.scale_no_product"
    with pytest.raises(DomainError) as caught:
        parse_scale_code(with_check_digit("270001200000"), DEFAULT)
    assert caught.value.key == "err.scale_zero"


def test_custom_layout_with_ignored_digit_and_four_digit_plu() -> None:
    layouts = parse_layouts("26XPPPPVVVVVC")
    parsed = parse_scale_code(with_check_digit("269012301999"), layouts)
    assert parsed is not None and (parsed.plu, parsed.kind, parsed.amount) == ("123", "price", 1999)


@pytest.mark.parametrize("layout", [
    "27WWWWWWWWWWC",  # no product code
    "27PPPPPWWWWVC",  # weight and price
    "27PPPPPXXXXXC",  # neither
    "27PPWPPWWWWWC",  # broken weight run
    "27PPPPPWWWWWX",  # no check digit last
    "19PPPPPWWWWWC",  # not a restricted-circulation prefix
    "27PPPPWWWWWC",   # 12 characters
    "27PPPPPWWWWWWC",  # 14 characters
])
def test_bad_layouts_are_refused(layout: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_layout(layout)
    assert caught.value.key == "err.scale_layout_invalid"


def test_layout_list_normalises_and_refuses_a_repeated_prefix() -> None:
    assert normalise_layouts(" 27pppppwwwwwc,23PPPPPVVVVVC ") == "27PPPPPWWWWWC 23PPPPPVVVVVC"
    assert normalise_layouts("") == ""
    with pytest.raises(DomainError):
        parse_layouts("27PPPPPWWWWWC 27PPPPPVVVVVC")
