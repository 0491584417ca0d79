"""The demo shop obeys the back-office rules (PRODUCT.md §7) and seeds idempotently."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from terminal_support import NOW

from ipos_tui.demo import catalogue as demodata
from ipos_tui.demo.catalogue import demo_shop, ean_check_digit
from ipos_tui.domain.quantity import validate_unit_name
from ipos_tui.domain.validation import (
    is_valid_barcode,
    product_name_key,
    validate_nip,
    validate_plu,
    validate_product_name,
)
from ipos_tui.domain.vat import VAT_RATES
from ipos_tui.store.db import Terminal
from ipos_tui.demo.terminal import DEMO_LOGINS, demo_snapshot, seed_demo
from ipos_tui.domain.records import StoredDocument, TerminalInfo


def test_size_names_and_plus() -> None:
    products = demo_shop().products
    assert len(products) >= 300
    for product in products:
        assert validate_product_name(product.name) == product.name
        assert validate_plu(product.plu) == product.plu
    names = Counter(product_name_key(p.name) for p in products)
    assert [name for name, n in names.items() if n > 1] == []
    assert len({p.plu for p in products}) == len(products)
    assert len({p.id for p in products}) == len(products)


def test_barcodes_are_valid_unique_and_realistic() -> None:
    products = demo_shop().products
    codes = [code for p in products for code in p.barcodes]
    assert all(is_valid_barcode(code) for code in codes)
    assert len(set(codes)) == len(codes)
    lengths = Counter(len(code) for code in codes)
    assert lengths[13] > 200 and lengths[8] >= 3 and lengths[6] + lengths[7] >= 20
    assert all(code.startswith("590") for code in codes if len(code) in (8, 13))
    assert all(len(p.barcodes) <= 10 for p in products)
    for product in products:
        if product.unit in ("kg", "g"):
            assert product.barcodes and all(len(code) in (6, 7) for code in product.barcodes), (
                product.name
            )
    assert ean_check_digit("590123412345") == "7"  # 5901234123457, the GS1 textbook example


def test_vat_units_types_and_special_items() -> None:
    shop = demo_shop()
    products = shop.products
    assert {p.vat_letter for p in products} == set(VAT_RATES)
    assert {p.unit for p in products} == {"szt.", "kg", "g"}
    assert all(validate_unit_name(u.name) == u.name for u in shop.units)
    assert {p.precision for p in products if p.unit == "kg"} == {3}
    assert sum(p.unit == "kg" for p in products) >= 30
    assert [p.name for p in products if p.price_in(0) == 0] == ["Towar różny"]
    assert any(p.type == "usluga" for p in products)
    assert {p.type for p in products} == {"towar", "usluga"}
    assert all(p.price_in(1) > p.price_in(0) for p in products if p.price_in(0))
    categories = {c.id: c for c in shop.categories}
    assert all(categories[p.category_id].parent_id in categories for p in products)


def test_tutorial_items() -> None:
    shop = demo_shop()
    mleko = shop.product_by_name("Mleko 3,2% 1l")
    assert (mleko.plu, mleko.price_in(0), mleko.vat_letter, mleko.unit) == ("1", 349, "C", "szt.")
    ligol = shop.product_by_name("Jabłka Ligol")
    assert (ligol.unit, ligol.precision, ligol.price_in(0)) == ("kg", 3, 499)
    piwo = shop.product_by_name("Piwo jasne 0,5l")
    assert (piwo.price_in(0), piwo.vat_letter) == (329, "A")
    assert shop.product_by_name("Chleb żytni 500g").vat_letter == "C"
    assert shop.product_by_name("Żółty ser Gouda").unit == "kg"
    for name in demodata.TUTORIAL_PRODUCTS + tuple(name for _, name in demodata.SEARCH_EXAMPLES):
        shop.product_by_name(name)


def test_people_payments_discounts_and_company() -> None:
    shop = demo_shop()
    assert validate_nip(shop.company.nip) == shop.company.nip
    assert [s.name for s in shop.stores] == ["Sklep Centrum", "Sklep Osiedlowy"]
    people = {(u.identifier, u.pin, u.name, u.role, u.active) for u in shop.users}
    assert people == {
        ("1001", "1111", "Anna Kowalska", "właściciel", True),
        ("1002", "2222", "Jan Nowak", "kasjer", True),
        ("1003", "3333", "Ola Wiśniewska", "stażysta", True),
        ("1004", "4444", "Piotr Zieliński", "kasjer", False),
    }
    perms = {u.identifier: set(u.permissions) for u in shop.users}
    assert perms["1001"] == {"price_change", "free_discount", "returns", "cash_withdrawal", "cash_deposit",
                             "void", "day_close", "reports", "settings"}
    assert perms["1002"] == {"free_discount", "void", "day_close", "reports", "cash_deposit"}
    assert perms["1003"] == set()
    assert [
        (m.name, m.kind, m.allows_change)
        for m in sorted(shop.payment_methods, key=lambda m: m.position)
    ] == [
        ("gotówka", "cash", True),
        ("karta", "card", False),
        ("bon", "voucher", False),
        ("przelew", "transfer", False),
    ]
    assert {"Rabat 5%", "Rabat 10%", "Rabat 2 zł"} <= {d.name for d in shop.discounts}
    assert dict(shop.settings)["login_mode"] == "id_pin"
    assert DEMO_LOGINS == "1001/1111 właściciel · 1002/2222 kasjer · 1003/3333 stażysta"


def test_deterministic() -> None:
    assert demodata._products() == demo_shop().products
    assert demo_snapshot(0) == demo_snapshot(0)


def test_seed_is_idempotent_and_keeps_the_ledger(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    count = demo_terminal.catalog.product_count()
    assert count == len(demo_shop().products)
    stored = sell([("1", 1000)])
    demo_terminal.settings.set_local("language", "en")
    seed_demo(demo_terminal)
    assert demo_terminal.catalog.product_count() == count
    assert demo_terminal.ledger.get_document(stored.uuid).total == 349
    assert demo_terminal.settings.get_local("language") == "en"
    assert (
        demo_terminal.catalog.search("", 1)[0].name == "Mleko 3,2% 1l"
    )  # sales statistics survive
    assert demo_terminal.settings.terminal_info() == TerminalInfo(1, "Kasa 1", 1)


def test_seed_for_the_second_store(fresh: Terminal) -> None:
    seed_demo(fresh, store_index=1)
    assert fresh.settings.store().name == "Sklep Osiedlowy"  # type: ignore[union-attr]
    mleko = fresh.catalog.find_by_code("1")
    assert mleko is not None and mleko.price == demo_shop().product_by_name(
        "Mleko 3,2% 1l"
    ).price_in(1)
    assert fresh.auth.login("1001", "1111", NOW).name == "Anna Kowalska"
