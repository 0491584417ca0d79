"""Search forms: normalise, T9, digit check and name matching.

Bad input tried: empty and whitespace-only text, mixed case with every Polish
diacritic, tabs and newlines, ligatures and other compatibility characters,
punctuation and non-Latin letters in T9, non-ASCII digits in is_digits.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipos_tui.domain.search import is_digits, name_matches, normalise, t9, t9_of_normalised

FAST = settings(max_examples=300, deadline=None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Żółw", "zolw"),
        ("Łódź", "lodz"),
        ("ZAŻÓŁĆ GĘŚLĄ JAŹŃ", "zazolc gesla jazn"),
        ("zażółć gęślą jaźń", "zazolc gesla jazn"),
        ("  Mleko \t 2%\n1l  ", "mleko 2% 1l"),
        ("ﬁlet", "filet"),  # ligature decomposed by NFKD
        ("Crème brûlée", "creme brulee"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@FAST
@given(st.text(max_size=30))
def test_normalise_is_idempotent_and_tidy(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert once == once.strip()
    assert "  " not in once
    assert "ł" not in once


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mleko", "65356"),
        ("MLEKO", "65356"),
        ("żółw", "9659"),
        ("abc def ghi jkl mno pqrs tuv wxyz", "222033304440555066607777088809999"),
        ("mleko 2%", "65356021"),
        ("a.b", "212"),
        ("Łódź  x", "563909"),
        ("Ωmega", "16342"),
        ("", ""),
    ],
)
def test_t9(text: str, expected: str) -> None:
    assert t9(text) == expected


@FAST
@given(st.text(max_size=30))
def test_t9_is_digits_only_and_one_per_normalised_char(text: str) -> None:
    code = t9(text)
    assert code == "" or is_digits(code)
    assert len(code) == len(normalise(text))


@FAST
@given(st.text(max_size=30))
def test_t9_of_the_normalised_form_is_t9_of_the_text(text: str) -> None:
    assert t9_of_normalised(normalise(text)) == t9(text)


def test_t9_of_normalised_does_not_normalise_again() -> None:
    assert t9_of_normalised("zolw duzy") == "965903899"
    # Input that is not normalised is taken literally: upper case and Polish
    # letters are "other" keys, not folded.
    assert t9_of_normalised("Żółw") == "1119"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("123", True),
        ("0", True),
        ("", False),
        ("12a", False),
        (" 12", False),
        ("²", False),
        ("٣", False),
        ("1,5", False),
    ],
)
def test_is_digits(text: str, expected: bool) -> None:
    assert is_digits(text) is expected


@pytest.mark.parametrize(
    ("query", "name", "expected"),
    [
        ("zolw", "Żółw duży", True),
        ("ŻÓŁW", "zolw", True),
        ("olw d", "Żółw  duży", True),
        ("9659", "Żółw", True),
        ("356", "Mleko", True),  # T9 fragment "lek"
        ("6535", "Chleb", False),
        ("kawa", "Mleko", False),
        ("", "Mleko", True),
        ("  ", "Mleko", True),
    ],
)
def test_name_matches(query: str, name: str, expected: bool) -> None:
    assert name_matches(query, name) is expected
