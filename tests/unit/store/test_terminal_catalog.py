"""Catalogue lookups: codes, name search (fragments, diacritics, T9, short prefixes,
hostile quoting, most sold), incremental writes keeping the index current."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from ipos_tui.demo.catalogue import SEARCH_EXAMPLES, demo_shop
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.search import normalise, t9
from ipos_tui.store.catalog import SEARCH_CANDIDATES
from ipos_tui.store.db import Terminal
from ipos_tui.domain.records import Barcode, CatalogueSnapshot, Product, StoredDocument


def _names(terminal: Terminal, text: str, limit: int = 50) -> list[str]:
    return [product.name for product in terminal.catalog.search(text, limit)]


@pytest.mark.parametrize(("typed", "name"), SEARCH_EXAMPLES)
def test_diacritics_are_folded(demo_terminal: Terminal, typed: str, name: str) -> None:
    assert name in _names(demo_terminal, typed)
    assert name in _names(demo_terminal, typed.upper())
    assert name in _names(demo_terminal, name)  # typing the Polish letters works too


def test_fragment_anywhere_in_the_name(demo_terminal: Terminal) -> None:
    assert _names(demo_terminal, "ligol") == ["Jabłka Ligol"]
    found = _names(demo_terminal, "wedzon")
    assert {"Łosoś wędzony 100g", "Boczek wędzony", "Makrela wędzona", "Pstrąg wędzony"} <= set(
        found
    )
    assert all("wedzon" in normalise(name) for name in found)
    assert _names(demo_terminal, "ser go") == ["Ser Gouda plastry 150g", "Żółty ser Gouda"]


def test_results_are_active_only_sorted_and_limited(demo_terminal: Terminal) -> None:
    found = demo_terminal.catalog.search("ser", limit=5)
    assert len(found) == 5
    keys = [normalise(p.name) for p in found]
    assert keys == sorted(keys)
    product = found[0]
    demo_terminal.catalog.upsert_products([replace(product, active=False)])
    assert product.name not in _names(demo_terminal, "ser")
    assert demo_terminal.catalog.find_by_code(product.plu) is None
    assert (
        demo_terminal.catalog.product_count()
        == demo_terminal.catalog.product_count(active_only=False) - 1
    )


def test_t9_digits(demo_terminal: Terminal) -> None:
    assert t9("mleko") == "65356"
    found = _names(demo_terminal, "65356")
    assert "Mleko 3,2% 1l" in found
    assert all("65356" in t9(name) for name in found)
    assert "Chleb żytni 500g" in _names(demo_terminal, "500")  # digits also match digits in names
    assert "Łosoś wędzony 100g" in _names(demo_terminal, t9("losos"))


def test_one_and_two_characters_use_a_prefix(demo_terminal: Terminal) -> None:
    found = _names(demo_terminal, "ch")
    assert "Chleb żytni 500g" in found
    assert all(normalise(name).startswith("ch") for name in found)
    assert "Łosoś wędzony 100g" in _names(demo_terminal, "ł")
    assert "Łosoś wędzony 100g" in _names(demo_terminal, "lo")
    digits = _names(demo_terminal, "65")
    assert "Mleko 3,2% 1l" in digits
    assert all(t9(name).startswith("65") or normalise(name).startswith("65") for name in digits)
    keys = [normalise(name) for name in digits]
    assert keys == sorted(keys)


@pytest.mark.parametrize(
    "hostile",
    [
        '"',
        '""',
        '"""',
        'a"b',
        'ser"',
        '"ser" OR "mleko"',
        "NEAR(a b)",
        "mleko*",
        "a:b",
        "^ser",
        "-",
        "'",
    ],
)
def test_quotes_and_fts_syntax_are_taken_literally(demo_terminal: Terminal, hostile: str) -> None:
    # Product names cannot contain these characters, so a literal search finds nothing;
    # an FTS syntax error or an operator taking effect would raise or find something.
    assert _names(demo_terminal, hostile) == []


def test_punctuation_allowed_in_names_is_searchable(demo_terminal: Terminal) -> None:
    assert _names(demo_terminal, "3,2%") == ["Mleko 3,2% 1l"]
    assert "Jaja z wolnego wybiegu 10 szt." in _names(demo_terminal, "szt.")


def test_empty_search_lists_most_sold_first(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    everything = sorted(
        demo_terminal.catalog.search("", limit=1000), key=lambda p: normalise(p.name)
    )
    assert _names(demo_terminal, "", 3) == [p.name for p in everything[:3]]
    sell([("1401", 1000)])
    sell([("1401", 2000), ("101", 1000)])
    sell([("101", 1000), ("1", 1000)])
    sell([("1401", 1000)])
    top = _names(demo_terminal, "   ", 5)
    assert top[:3] == ["Piwo jasne 0,5l", "Chleb żytni 500g", "Mleko 3,2% 1l"]
    assert top[3:] == [p.name for p in everything[:2]]  # then alphabetical
    assert (
        len(demo_terminal.catalog.search("", limit=1000)) == demo_terminal.catalog.product_count()
    )
    piwo = demo_terminal.catalog.find_by_code("1401")
    assert piwo is not None
    demo_terminal.catalog.upsert_products([replace(piwo, active=False)])
    assert _names(demo_terminal, "", 2) == ["Chleb żytni 500g", "Mleko 3,2% 1l"]


def test_find_by_code(demo_terminal: Terminal) -> None:
    shop = demo_shop()
    mleko = demo_terminal.catalog.find_by_code("1")
    assert mleko is not None and (mleko.name, mleko.price, mleko.vat_letter) == (
        "Mleko 3,2% 1l",
        349,
        "C",
    )
    for demo in shop.products[:60]:
        for code in demo.barcodes:
            found = demo_terminal.catalog.find_by_code(code)
            assert found is not None and found.id == demo.id, code
    assert any(len(code) == 8 for p in shop.products for code in p.barcodes)
    ligol = shop.product_by_name("Jabłka Ligol")
    assert demo_terminal.catalog.find_by_code(ligol.barcodes[0]).name == "Jabłka Ligol"  # type: ignore[union-attr]
    assert demo_terminal.catalog.find_by_code(" 1 ").name == "Mleko 3,2% 1l"  # type: ignore[union-attr]
    assert demo_terminal.catalog.find_by_code("99999") is None
    assert demo_terminal.catalog.find_by_code("5900000000000") is None
    with pytest.raises(DomainError) as caught:
        demo_terminal.catalog.find_by_code("abc")
    assert caught.value.key == "err.code_invalid"


def test_in_store_code_wins_over_a_plu_with_the_same_digits(demo_terminal: Terminal) -> None:
    ligol = demo_shop().product_by_name("Jabłka Ligol")
    code = ligol.barcodes[0]
    assert len(code) == 6
    other = Product(9001, code, "Towar testowy", "szt.", 0, "A", 100)
    demo_terminal.catalog.upsert_products([other])
    assert demo_terminal.catalog.find_by_code(code).id == ligol.id  # type: ignore[union-attr]
    demo_terminal.catalog.upsert_barcodes([Barcode(code, 9001)])  # the code moves
    assert demo_terminal.catalog.find_by_code(code).id == 9001  # type: ignore[union-attr]
    assert demo_terminal.catalog.barcodes(9001) == (code,)


def test_upsert_and_delete_keep_the_name_index_current(demo_terminal: Terminal) -> None:
    catalog = demo_terminal.catalog
    mleko = catalog.find_by_code("1")
    assert mleko is not None
    turtle = Product(9002, "9002", "Żółw ogrodowy", "szt.", 0, "A", 5000)
    catalog.upsert_products([replace(mleko, name="Kefir truskawkowy 1l"), turtle])
    assert "Kefir truskawkowy 1l" in _names(demo_terminal, "truskawkowy")
    assert _names(demo_terminal, "3,2%") == []
    assert _names(demo_terminal, "zolw") == ["Żółw ogrodowy"]
    assert catalog.delete_products([9002, 424242]) == 1
    assert _names(demo_terminal, "zolw") == []
    assert catalog.product(9002) is None
    # 'integrity-check' raises if the external-content index disagrees with the table.
    demo_terminal.db.execute_sql("INSERT INTO product_fts (product_fts) VALUES ('integrity-check')")


def test_replace_all_swaps_the_whole_catalogue(demo_terminal: Terminal) -> None:
    product = Product(1, "7", "Chleb wiejski", "szt.", 0, "C", 650)
    snapshot = CatalogueSnapshot(products=(product,), barcodes=(Barcode("5901234123457", 1),))
    demo_terminal.catalog.replace_all(snapshot)
    assert demo_terminal.catalog.product_count() == 1
    assert _names(demo_terminal, "mleko") == []
    assert _names(demo_terminal, "wiejsk") == ["Chleb wiejski"]
    assert demo_terminal.catalog.find_by_code("5901234123457") == product
    assert demo_terminal.catalog.payment_methods() == []
    assert demo_terminal.settings.terminal_info() is not None  # identity is not catalogue data
    demo_terminal.db.execute_sql("INSERT INTO product_fts (product_fts) VALUES ('integrity-check')")
    triggers = demo_terminal.db.execute_sql(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'product_fts_%'"
    ).fetchone()[0]
    assert triggers == 3


def test_candidate_cap_still_returns_a_full_sorted_page(demo_terminal: Terminal) -> None:
    many = [
        Product(20000 + i, str(20000 + i), f"Artykuł seryjny {i:04d}", "szt.", 0, "A", 100)
        for i in range(SEARCH_CANDIDATES + 200)
    ]
    demo_terminal.catalog.upsert_products(many)
    found = demo_terminal.catalog.search("seryjny", limit=50)
    assert len(found) == 50
    keys = [normalise(p.name) for p in found]
    assert keys == sorted(keys)


def test_a_page_larger_than_the_candidate_cap_is_still_filled(demo_terminal: Terminal) -> None:
    many = [
        Product(20000 + i, str(20000 + i), f"Artykuł seryjny {i:04d}", "szt.", 0, "A", 100)
        for i in range(SEARCH_CANDIDATES + 200)
    ]
    demo_terminal.catalog.upsert_products(many)
    wanted = SEARCH_CANDIDATES + 100
    found = demo_terminal.catalog.search("seryjny", limit=wanted)
    assert len(found) == wanted
    keys = [normalise(p.name) for p in found]
    assert keys == sorted(keys)


def test_short_prefix_over_the_cap_gives_the_alphabetically_first(
    demo_terminal: Terminal,
) -> None:
    count = SEARCH_CANDIDATES + 50
    # Ids run against the name order, so id order cannot pass for name order.
    reversed_names = [
        Product(30000 + i, str(30000 + i), f"Qz towar {count - 1 - i:04d}", "szt.", 0, "A", 100)
        for i in range(count)
    ]
    demo_terminal.catalog.upsert_products(reversed_names)
    assert _names(demo_terminal, "qz", 3) == ["Qz towar 0000", "Qz towar 0001", "Qz towar 0002"]


def test_load_stores_the_t9_form_of_the_normalised_name(demo_terminal: Terminal) -> None:
    product = Product(1, "7", "  Żółty SER  łagodny", "szt.", 0, "C", 650)
    demo_terminal.catalog.replace_all(CatalogueSnapshot(products=(product,)))
    demo_terminal.catalog.upsert_products([replace(product, id=2, plu="8", name="Kawa Łódź")])
    rows = demo_terminal.db.execute_sql(
        "SELECT name, name_norm, name_t9 FROM product ORDER BY id"
    ).fetchall()
    assert [tuple(row) for row in rows] == [
        (product.name, "zolty ser lagodny", t9(product.name)),
        ("Kawa Łódź", "kawa lodz", t9("Kawa Łódź")),
    ]
    assert rows[0][2] == "96589073705246369"


def test_other_catalogue_reads(demo_terminal: Terminal) -> None:
    methods = demo_terminal.catalog.payment_methods()
    assert [(m.code, m.name, m.kind, m.allows_change) for m in methods] == [
        ("gotowka", "gotówka", "cash", True),
        ("karta", "karta", "card", False),
        ("bon", "bon", "voucher", False),
        ("przelew", "przelew", "transfer", False),
    ]
    line = demo_terminal.catalog.discounts("line")
    assert {d.name for d in line} == {"Rabat 5%", "Rabat 10%", "Rabat 2 zł"}
    assert all(d.scope == "receipt" for d in demo_terminal.catalog.discounts("receipt"))
    assert len(demo_terminal.catalog.discounts()) == 5
    assert [(v.letter, v.rate_bp) for v in demo_terminal.catalog.vat_rates()] == [
        ("A", 2300), ("B", 800), ("C", 500), ("D", 0), ("E", None)
    ]  # fmt: skip
    assert {u.name: u.precision for u in demo_terminal.catalog.units()} == {
        "szt.": 0,
        "kg": 3,
        "g": 0,
    }
    categories = demo_terminal.catalog.categories()
    assert any(c.parent_id is None for c in categories) and any(c.parent_id for c in categories)
