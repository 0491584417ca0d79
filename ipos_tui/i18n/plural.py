"""Counted nouns in the UI language: "1 paragon", "3 paragony", "5 paragonów".

A plural text lives under ``plural.`` in the catalogues and holds one form per CLDR
plural category of its language, separated by ``|``, in CLDR order (zero, one, two,
few, many, other: only those the language has; "other" is always last). Polish has
four forms ("{n} paragon|{n} paragony|{n} paragonów|{n} paragonu", the last for
fractions), English two ("{n} receipt|{n} receipts"). Babel's CLDR data says which
category a number falls in, so "22 paragony" but "25 paragonów".
"""

from __future__ import annotations

from functools import cache
from typing import Any

from . import DEFAULT_LANGUAGE, catalogue, current_language

#: CLDR plural categories in the order the catalogue lists their forms.
CATEGORY_ORDER = ("zero", "one", "two", "few", "many", "other")


@cache
def categories(language: str) -> tuple[str, ...]:
    """The plural categories of ``language``, in catalogue order."""
    from babel import Locale

    tags = Locale.parse(language).plural_form.tags | {"other"}
    return tuple(category for category in CATEGORY_ORDER if category in tags)


def plural_category(n: int | float, language: str) -> str:
    from babel import Locale

    return Locale.parse(language).plural_form(n)


def tn(key: str, n: int | float, /, **params: Any) -> str:
    """The form of plural text ``key`` for the count ``n``, with ``n`` and ``params``
    filled in; a missing key falls back to Polish, then to the key itself."""
    return tn_in(current_language(), key, n, **params)


def tn_in(language: str, key: str, n: int | float, /, **params: Any) -> str:
    """:func:`tn` in a given language (a web page's, not the process's)."""
    text = catalogue(language).get(key)
    if text is None:
        language, text = DEFAULT_LANGUAGE, catalogue(DEFAULT_LANGUAGE).get(key)
    if text is None:
        return key
    forms = text.split("|")
    names = categories(language)
    category = plural_category(n, language)
    form = forms[names.index(category)] if len(forms) == len(names) else forms[-1]
    try:
        return form.format(n=n, **params)
    except (KeyError, IndexError, ValueError):
        return form
