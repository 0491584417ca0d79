"""A deterministic, realistic Polish shop for demos, training and tests.

Both halves use it: the terminal's ``demo`` mode seeds its local catalogue from
it, and the back office's ``init --demo`` can seed its database the same way, so
a trainer sees the same shop everywhere. It is plain data (frozen dataclasses),
built by :func:`demo_shop` and importing only the domain layer and the stdlib.

The catalogue follows the back-office rules of PRODUCT.md §7 (names ≤ 40
printable characters, unique case-insensitively; numeric PLUs; EAN-13/EAN-8 with
valid check digits, Polish prefix 590; 6–7-digit in-store codes for weighed
goods) and uses every VAT letter the way a Polish shop would: basic food and
books 5 % (C), press and gastronomy 8 % (B), alcohol, chemistry and cosmetics
23 % (A), returnable-packaging deposits 0 % (D), postal services and phone
top-ups exempt (E).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from ipos_tui.domain.quantity import KG, SZT, G
from ipos_tui.domain.vat import VAT_RATES

from .drinks_and_more import MORE_LEAVES
from .food import FOOD_LEAVES
from .records import (
    DemoCategory,
    DemoCompany,
    DemoDiscount,
    DemoPaymentMethod,
    DemoProduct,
    DemoShop,
    DemoStore,
    DemoUnit,
    DemoUser,
)

# -- fixed data -----------------------------------------------------------------

COMPANY: Final = DemoCompany(
    name="Handel Centrum sp. z o.o.",
    nip="5261045731",
    address="ul. Marszałkowska 104, 00-017 Warszawa",
)

STORES: Final = (
    DemoStore(1, "Sklep Centrum", "ul. Marszałkowska 104, 00-017 Warszawa"),
    DemoStore(2, "Sklep Osiedlowy", "ul. Kondratowicza 12, 03-242 Warszawa"),
)

#: Every permission the till checks (what each one allows: README, "Uprawnienia").
ALL_PERMISSIONS: Final = (
    "price_change", "free_discount", "returns", "cash_withdrawal", "cash_deposit", "void",
    "day_close", "reports", "settings",
)

#: The właściciel may do everything; the kasjer discounts, voids, deposits cash and
#: closes the day, but needs the właściciel for prices, returns and withdrawals; the
#: stażysta needs the właściciel for all of it.
USERS: Final = (
    DemoUser(1, "1001", "1111", "Anna Kowalska", "właściciel", True, ALL_PERMISSIONS),
    DemoUser(2, "1002", "2222", "Jan Nowak", "kasjer", True,
             ("free_discount", "void", "day_close", "reports", "cash_deposit")),
    DemoUser(3, "1003", "3333", "Ola Wiśniewska", "stażysta", True, ()),
    DemoUser(4, "1004", "4444", "Piotr Zieliński", "kasjer", False, ()),
)

#: What the login screen shows in demo mode.
DEMO_LOGINS: Final = "1001/1111 właściciel · 1002/2222 kasjer · 1003/3333 stażysta"

PAYMENT_METHODS: Final = (
    DemoPaymentMethod("gotowka", "gotówka", "cash", True, 1),
    DemoPaymentMethod("karta", "karta", "card", False, 2),
    DemoPaymentMethod("bon", "bon", "voucher", False, 3),
    DemoPaymentMethod("przelew", "przelew", "transfer", False, 4),
)

UNITS: Final = tuple(DemoUnit(unit.name, unit.precision) for unit in (SZT, KG, G))

DISCOUNTS: Final = (
    DemoDiscount(1, "Rabat 5%", "percent", 500, "line"),
    DemoDiscount(2, "Rabat 10%", "percent", 1000, "line"),
    DemoDiscount(3, "Rabat 2 zł", "amount", 200, "line"),
    DemoDiscount(4, "Rabat 5% na paragon", "percent", 500, "receipt"),
    DemoDiscount(5, "Rabat 10% na paragon", "percent", 1000, "receipt"),
)

SETTINGS: Final[tuple[tuple[str, object], ...]] = (
    ("login_mode", "id_pin"),
    ("cash_management", False),
    ("day_close", "off"),
)

#: Names a tutorial walks through (all present in the catalogue).
TUTORIAL_PRODUCTS: Final = (
    "Mleko 3,2% 1l",
    "Chleb żytni 500g",
    "Jabłka Ligol",
    "Piwo jasne 0,5l",
    "Towar różny",
)

#: Search examples: what a cashier types without Polish letters → a name it finds.
SEARCH_EXAMPLES: Final = (
    ("losos", "Łosoś wędzony 100g"),
    ("zolty", "Żółty ser Gouda"),
    ("maslo", "Masło extra 200g"),
)

#: Root categories (id, name), then leaves (id, parent id, name).
_ROOTS: Final = (
    (1, "Żywność"),
    (2, "Napoje"),
    (3, "Alkohole"),
    (4, "Chemia i kosmetyki"),
    (5, "Prasa, książki i papiernicze"),
    (6, "Usługi i inne"),
)

_SVC = "usluga"

#: Leaf categories with their products: (name, unit, VAT letter, price[, type]).
#: PLUs are numbered per leaf from 1, 101, 201, … in this order (Mleko is PLU 1).
_LEAVES: Final[tuple[tuple[int, int, str, tuple[tuple, ...]], ...]] = FOOD_LEAVES + MORE_LEAVES

#: Products in returnable packaging (system kaucyjny), each with its deposit per piece:
#: (leaf category id, PLU, name, unit, VAT letter, price, deposit). They come after every
#: leaf's products, so the products before them keep their ids and barcodes.
RETURNABLE: Final = (
    (25, 1411, "Piwo jasne butelka zwrotna 0,5l", SZT.name, "A", 349, 50),
)
#: Manufacturer part of EAN-13 codes is 4 digits after the "590" prefix.
_EAN_PREFIX: Final = "590"
_MANUFACTURER_BASE: Final = 1200
#: Every n-th packaged product carries a short EAN-8 instead of an EAN-13 …
_EAN8_EVERY: Final = 23
#: … and every n-th a second EAN-13 (e.g. a multipack or an old label).
_SECOND_CODE_EVERY: Final = 11
#: Surcharge of the second store's price list (in percent).
_STORE_SURCHARGE_PCT: Final = 4


def ean_check_digit(body: str) -> str:
    """GS1 check digit of an EAN-8/EAN-13 body (7 or 12 digits)."""
    total = sum(
        int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(reversed(body))
    )
    return str((10 - total % 10) % 10)


def _barcodes(
    product_id: int, plu: int, unit: str, price: int, manufacturer: int, ptype: str
) -> tuple[str, ...]:
    """Deterministic barcodes of one product (none for services and open prices).

    Weighed goods get in-store codes (6 digits for kg, 7 for g); packaged goods
    an EAN-13 (sometimes an EAN-8, sometimes two codes).
    """
    if ptype == _SVC or price == 0:
        return ()
    if unit == KG.name:
        return (f"2{plu:05d}",)
    if unit == G.name:
        return (f"29{plu:05d}",)
    if product_id % _EAN8_EVERY == 0:
        body = f"{_EAN_PREFIX}{product_id:04d}"
        return (body + ean_check_digit(body),)
    body = f"{_EAN_PREFIX}{manufacturer:04d}{product_id:05d}"
    codes = [body + ean_check_digit(body)]
    if product_id % _SECOND_CODE_EVERY == 0:
        second = f"{_EAN_PREFIX}{manufacturer:04d}{product_id + 50000:05d}"
        codes.append(second + ean_check_digit(second))
    return tuple(codes)


def _store_prices(price: int) -> tuple[int, ...]:
    """Prices in both stores: the second store's list is a little dearer, ending in 9."""
    if price == 0:
        return (0, 0)
    raised = price * (100 + _STORE_SURCHARGE_PCT) // 100
    return (price, (raised // 10) * 10 + 9)


def _categories() -> tuple[DemoCategory, ...]:
    """The category tree: roots, then leaves."""
    roots = tuple(DemoCategory(cid, name, None) for cid, name in _ROOTS)
    leaves = tuple(DemoCategory(cid, name, parent) for cid, parent, name, _ in _LEAVES)
    return roots + leaves


def _products() -> tuple[DemoProduct, ...]:
    """All products, with PLUs numbered per leaf category and generated barcodes."""
    units = {unit.name: unit.precision for unit in UNITS}
    products: list[DemoProduct] = []
    for leaf_index, (category_id, _, _, items) in enumerate(_LEAVES):
        manufacturer = _MANUFACTURER_BASE + 37 * leaf_index
        for item_index, item in enumerate(items):
            name, unit, letter, price = item[:4]
            ptype = item[4] if len(item) > 4 else "towar"
            product_id = len(products) + 1
            plu = leaf_index * 100 + item_index + 1
            products.append(
                DemoProduct(
                    id=product_id,
                    plu=str(plu),
                    name=name,
                    unit=unit,
                    precision=units[unit],
                    vat_letter=letter,
                    category_id=category_id,
                    type=ptype,
                    prices=_store_prices(price),
                    barcodes=_barcodes(product_id, plu, unit, price, manufacturer, ptype),
                )
            )
    leaf_indexes = {leaf[0]: index for index, leaf in enumerate(_LEAVES)}
    for category_id, plu, name, unit, letter, price, deposit in RETURNABLE:
        product_id = len(products) + 1
        manufacturer = _MANUFACTURER_BASE + 37 * leaf_indexes[category_id]
        products.append(
            DemoProduct(
                id=product_id,
                plu=str(plu),
                name=name,
                unit=unit,
                precision=units[unit],
                vat_letter=letter,
                category_id=category_id,
                type="towar",
                prices=_store_prices(price),
                barcodes=_barcodes(product_id, plu, unit, price, manufacturer, "towar"),
                deposit=deposit,
            )
        )
    return tuple(products)


@lru_cache(maxsize=1)
def demo_shop() -> DemoShop:
    """The demo shop (built once; every call returns the same immutable object)."""
    return DemoShop(
        company=COMPANY,
        stores=STORES,
        users=USERS,
        payment_methods=PAYMENT_METHODS,
        vat_rates=tuple(VAT_RATES.items()),
        units=UNITS,
        categories=_categories(),
        products=_products(),
        discounts=DISCOUNTS,
        settings=SETTINGS,
    )
