"""Counted nouns: CLDR plural categories from babel pick the form of a ``plural.``
text ("1 paragon", "2 paragony", "5 paragonów", "22 paragony"), and every such text
has exactly one form per category of its language."""

from __future__ import annotations

import pytest

from ipos_tui.i18n import LANGUAGES, catalogue, set_language
from ipos_tui.i18n.plural import categories, tn, tn_in


@pytest.mark.parametrize(("n", "text"), [
    (0, "0 paragonów"), (1, "1 paragon"), (2, "2 paragony"), (4, "4 paragony"), (5, "5 paragonów"),
    (12, "12 paragonów"), (14, "14 paragonów"), (21, "21 paragonów"), (22, "22 paragony"),
    (101, "101 paragonów"), (1.5, "1.5 paragonu"),
])
def test_polish_forms(n: float, text: str) -> None:
    set_language("pl")
    assert tn("plural.receipts", n) == text


@pytest.mark.parametrize(("n", "text"), [(0, "0 receipts"), (1, "1 receipt"), (2, "2 receipts"), (22, "22 receipts")])
def test_english_forms(n: int, text: str) -> None:
    set_language("en")
    assert tn("plural.receipts", n) == text


def test_every_plural_text_has_one_form_per_category() -> None:
    """Polish: one|few|many|other; English: one|other (a missing or extra form would
    silently pick the wrong word)."""
    assert categories("pl") == ("one", "few", "many", "other")
    assert categories("en") == ("one", "other")
    for language in LANGUAGES:
        plural = {key: text for key, text in catalogue(language).items() if key.startswith("plural.")}
        assert len(plural) >= 4
        wrong = {key: text for key, text in plural.items()
                 if len(text.split("|")) != len(categories(language)) or any("{n}" not in form for form in text.split("|"))}
        assert not wrong, f"{language}: {wrong}"


def test_an_unknown_key_shows_the_key_rather_than_crash() -> None:
    set_language("en")
    assert tn("plural.no_such_thing", 3) == "plural.no_such_thing"


@pytest.mark.parametrize(("key", "n", "text"), [
    ("plural.web_delivery_store", 1, "Sklep: 1 z 1 kasoterminala, czeka od 10:00"),
    ("plural.web_delivery_store", 3, "Sklep: 1 z 3 kasoterminali, czeka od 10:00"),
    ("plural.web_delivery_store", 22, "Sklep: 1 z 22 kasoterminali, czeka od 10:00"),
    ("plural.web_settings_saved", 1, "Zapisano ustawienia (1 zmienione)."),
    ("plural.web_settings_saved", 5, "Zapisano ustawienia (5 zmienionych)."),
    ("plural.web_import_more", 1, "… i 1 kolejny."),
    ("plural.web_import_more", 3, "… i 3 kolejne."),
    ("plural.web_import_more", 12, "… i 12 kolejnych."),
])
def test_the_web_pages_counts_in_a_pages_language(key: str, n: int, text: str) -> None:
    """iPOS web counts in the page's language (``tn_in``), whatever the process's is:
    "1 z 1 kasoterminala", not "1 z 1 kasoterminali"."""
    set_language("en")
    assert tn_in("pl", key, n, store="Sklep", behind=1, since="10:00") == text
    assert tn_in("pl", "plural.web_import_jump", 1).startswith("Cena 1 produktu zmieniłaby")
    assert tn_in("en", "plural.web_import_more", 1) == "… and 1 more."
