"""Search forms of product names: diacritics-free text and T9 digit strings.

Cashiers type on a numeric keypad and often without Polish letters, so a name is
matched in two derived forms: :func:`normalise` ("Żółw" → "zolw") for typed text,
and :func:`t9` ("mleko" → "65356") for digits typed in name-search mode. Stores can
precompute both forms per product and match with a plain substring test.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

#: "ł" has no Unicode decomposition (it is a letter of its own), so NFKD alone
#: would leave it; map it explicitly.
_STROKE_LETTERS: Final = str.maketrans({"ł": "l", "Ł": "l"})

_T9_KEYS: Final = {
    "2": "abc",
    "3": "def",
    "4": "ghi",
    "5": "jkl",
    "6": "mno",
    "7": "pqrs",
    "8": "tuv",
    "9": "wxyz",
}
_LETTER_TO_DIGIT: Final = {
    letter: digit for digit, letters in _T9_KEYS.items() for letter in letters
}
_DIGITS_RE: Final = re.compile(r"[0-9]+")

#: What separates words in the T9 form (the "0" key is the space on phones).
T9_SPACE: Final = "0"
#: What any other character (punctuation, foreign letters) becomes in the T9 form.
T9_OTHER: Final = "1"


def normalise(text: str) -> str:
    """Lower-case, diacritics-free, single-spaced form of ``text`` for matching."""
    # decompose first: compatibility forms ("🄐" → "(A)") must be lower-cased too
    decomposed = unicodedata.normalize("NFKD", text).lower().translate(_STROKE_LETTERS)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


def _t9_char(ch: str) -> str:
    """Keypad digit of one normalised character."""
    if ch in _LETTER_TO_DIGIT:
        return _LETTER_TO_DIGIT[ch]
    if "0" <= ch <= "9":
        return ch
    if ch.isspace():
        return T9_SPACE
    return T9_OTHER


def t9(text: str) -> str:
    """Keypad-digit form of ``text``: t9("mleko") == "65356"."""
    return t9_of_normalised(normalise(text))


def t9_of_normalised(norm: str) -> str:
    """Keypad-digit form of text that is already ``normalise``-d.

    For callers that store both forms (a catalogue load of 300k names): they
    normalise once and derive T9 from that, instead of normalising twice.
    """
    return "".join(_t9_char(ch) for ch in norm)


def is_digits(text: str) -> bool:
    """True for a non-empty string of ASCII digits only (what a keypad produces)."""
    return _DIGITS_RE.fullmatch(text) is not None


def name_matches(query: str, name: str) -> bool:
    """Whether a name-search ``query`` matches product ``name`` anywhere.

    Digits-only queries are T9 key sequences; anything else is compared as
    normalised text. An empty query matches everything (the caller then shows
    the most sold items).
    """
    stripped = query.strip()
    if is_digits(stripped):
        return stripped in t9(name)
    return normalise(stripped) in normalise(name)
