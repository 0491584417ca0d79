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

from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from ipos_tui.domain.quantity import KG, SZT, G
from ipos_tui.domain.vat import VAT_RATES

# -- record types ---------------------------------------------------------------


@dataclass(frozen=True)
class DemoCompany:
    """The taxpayer: name, NIP (10 digits, valid check digit) and seat."""

    name: str
    nip: str
    address: str


@dataclass(frozen=True)
class DemoStore:
    """A shop with its own price list (``index`` selects it in product prices)."""

    id: int
    name: str
    address: str


@dataclass(frozen=True)
class DemoUser:
    """A staff member. The PIN is plain text because this is a demo; it is hashed
    (argon2id) before it is stored anywhere."""

    id: int
    identifier: str
    pin: str
    name: str
    role: str
    active: bool
    permissions: tuple[str, ...]


@dataclass(frozen=True)
class DemoPaymentMethod:
    """A tender, in the order the payment screen offers it."""

    code: str
    name: str
    kind: str
    allows_change: bool
    position: int


@dataclass(frozen=True)
class DemoCategory:
    """A node of the category tree."""

    id: int
    name: str
    parent_id: int | None


@dataclass(frozen=True)
class DemoUnit:
    """A unit of measure and its decimals."""

    name: str
    precision: int


@dataclass(frozen=True)
class DemoProduct:
    """A product with one price per store (``prices[i]`` for ``stores[i]``; 0 = open)."""

    id: int
    plu: str
    name: str
    unit: str
    precision: int
    vat_letter: str
    category_id: int
    type: str
    prices: tuple[int, ...]
    barcodes: tuple[str, ...]

    def price_in(self, store_index: int) -> int:
        """Price in the price list of ``stores[store_index]``."""
        return self.prices[store_index]


@dataclass(frozen=True)
class DemoDiscount:
    """A predefined discount: grosze ("amount") or basis points ("percent")."""

    id: int
    name: str
    kind: str
    value: int
    scope: str


@dataclass(frozen=True)
class DemoShop:
    """Everything the demo shop consists of."""

    company: DemoCompany
    stores: tuple[DemoStore, ...]
    users: tuple[DemoUser, ...]
    payment_methods: tuple[DemoPaymentMethod, ...]
    vat_rates: tuple[tuple[str, int | None], ...]
    units: tuple[DemoUnit, ...]
    categories: tuple[DemoCategory, ...]
    products: tuple[DemoProduct, ...]
    discounts: tuple[DemoDiscount, ...]
    settings: tuple[tuple[str, object], ...]

    def product_by_name(self, name: str) -> DemoProduct:
        """The product called ``name`` (exact); KeyError if there is none."""
        for product in self.products:
            if product.name == name:
                return product
        raise KeyError(name)


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

_N, _K, _GR = SZT.name, KG.name, G.name
_SVC = "usluga"

#: Leaf categories with their products: (name, unit, VAT letter, price[, type]).
#: PLUs are numbered per leaf from 1, 101, 201, … in this order (Mleko is PLU 1).
_LEAVES: Final[tuple[tuple[int, int, str, tuple[tuple, ...]], ...]] = (
    (
        11,
        1,
        "Nabiał",
        (
            ("Mleko 3,2% 1l", _N, "C", 349),
            ("Mleko 2% 1l", _N, "C", 329),
            ("Mleko 0,5% 1l", _N, "C", 319),
            ("Mleko bez laktozy 1l", _N, "C", 459),
            ("Śmietana 18% 400g", _N, "C", 579),
            ("Śmietana 12% 200g", _N, "C", 299),
            ("Śmietanka 30% 200ml", _N, "C", 449),
            ("Jogurt naturalny 400g", _N, "C", 399),
            ("Jogurt grecki 400g", _N, "C", 599),
            ("Jogurt truskawkowy 150g", _N, "C", 189),
            ("Jogurt brzoskwiniowy 150g", _N, "C", 189),
            ("Jogurt pitny wiśniowy 250g", _N, "C", 259),
            ("Kefir 400g", _N, "C", 329),
            ("Maślanka naturalna 1l", _N, "C", 399),
            ("Serek wiejski 200g", _N, "C", 349),
            ("Serek homogenizowany waniliowy 150g", _N, "C", 229),
            ("Twaróg półtłusty 250g", _N, "C", 449),
            ("Twaróg chudy 250g", _N, "C", 429),
            ("Twaróg wiejski na wagę", _K, "C", 1999),
            ("Żółty ser Gouda", _K, "C", 3490),
            ("Ser Edamski plastry 150g", _N, "C", 599),
            ("Ser Gouda plastry 150g", _N, "C", 599),
            ("Ser Mozzarella 125g", _N, "C", 399),
            ("Ser feta 200g", _N, "C", 749),
            ("Ser pleśniowy Camembert 120g", _N, "C", 679),
            ("Masło extra 200g", _N, "C", 799),
            ("Masło osełkowe 300g", _N, "C", 1199),
            ("Margaryna do pieczenia 250g", _N, "C", 449),
            ("Jaja z wolnego wybiegu 10 szt.", _N, "C", 1299),
            ("Jaja ściółkowe L 10 szt.", _N, "C", 999),
            ("Deser ryżowy 150g", _N, "C", 249),
        ),
    ),
    (
        12,
        1,
        "Pieczywo",
        (
            ("Chleb żytni 500g", _N, "C", 549),
            ("Chleb pszenny 500g", _N, "C", 449),
            ("Chleb graham 400g", _N, "C", 499),
            ("Chleb razowy krojony 500g", _N, "C", 599),
            ("Chleb tostowy 500g", _N, "C", 599),
            ("Bułka kajzerka 60g", _N, "C", 79),
            ("Bułka grahamka 80g", _N, "C", 119),
            ("Bagietka francuska 250g", _N, "C", 399),
            ("Rogal maślany 80g", _N, "C", 219),
            ("Drożdżówka z serem 100g", _N, "C", 299),
            ("Pączek z różą 90g", _N, "C", 279),
            ("Chałka z kruszonką 400g", _N, "C", 699),
            ("Bułka tarta 450g", _N, "C", 399),
            ("Pieczywo chrupkie 150g", _N, "C", 449),
            ("Sucharki 225g", _N, "C", 549),
            ("Croissant z czekoladą 80g", _N, "C", 349),
            ("Ciasto drożdżowe na wagę", _K, "C", 2990),
        ),
    ),
    (
        13,
        1,
        "Owoce i warzywa",
        (
            ("Jabłka Ligol", _K, "C", 499),
            ("Jabłka Szampion", _K, "C", 549),
            ("Jabłka Gala", _K, "C", 599),
            ("Gruszki Konferencja", _K, "C", 799),
            ("Banany", _K, "C", 699),
            ("Pomarańcze", _K, "C", 749),
            ("Mandarynki", _K, "C", 899),
            ("Cytryny", _K, "C", 899),
            ("Grejpfruty", _K, "C", 799),
            ("Winogrona białe", _K, "C", 1499),
            ("Arbuz", _K, "C", 399),
            ("Kiwi", _N, "C", 149),
            ("Ananas", _N, "C", 899),
            ("Truskawki łubianka 500g", _N, "C", 1299),
            ("Borówka amerykańska 125g", _N, "C", 899),
            ("Awokado", _N, "C", 599),
            ("Ziemniaki", _K, "C", 299),
            ("Ziemniaki młode", _K, "C", 599),
            ("Marchew", _K, "C", 349),
            ("Pietruszka korzeń", _K, "C", 1299),
            ("Seler korzeń", _K, "C", 599),
            ("Cebula", _K, "C", 349),
            ("Cebula czerwona", _K, "C", 499),
            ("Buraki", _K, "C", 349),
            ("Pomidory", _K, "C", 999),
            ("Ogórki zielone", _K, "C", 799),
            ("Papryka czerwona", _K, "C", 1499),
            ("Papryka żółta", _K, "C", 1499),
            ("Kapusta biała", _K, "C", 299),
            ("Kapusta pekińska", _K, "C", 499),
            ("Cukinia", _K, "C", 899),
            ("Czosnek", _N, "C", 199),
            ("Pomidory koktajlowe 250g", _N, "C", 599),
            ("Brokuł", _N, "C", 599),
            ("Kalafior", _N, "C", 799),
            ("Sałata masłowa", _N, "C", 399),
            ("Rzodkiewka pęczek", _N, "C", 299),
            ("Koperek pęczek", _N, "C", 249),
            ("Natka pietruszki pęczek", _N, "C", 249),
            ("Pieczarki 500g", _N, "C", 699),
            ("Por", _N, "C", 349),
        ),
    ),
    (
        14,
        1,
        "Mięso i wędliny",
        (
            ("Filet z kurczaka", _K, "C", 2599),
            ("Udka z kurczaka", _K, "C", 1299),
            ("Skrzydełka z kurczaka", _K, "C", 1199),
            ("Filet z indyka", _K, "C", 3299),
            ("Wątróbka drobiowa", _K, "C", 999),
            ("Schab wieprzowy bez kości", _K, "C", 2399),
            ("Karkówka wieprzowa", _K, "C", 2499),
            ("Łopatka wieprzowa", _K, "C", 1899),
            ("Żeberka wieprzowe", _K, "C", 2199),
            ("Golonka wieprzowa", _K, "C", 1499),
            ("Mięso mielone wieprzowe", _K, "C", 1999),
            ("Mięso mielone wołowe", _K, "C", 3999),
            ("Polędwica wołowa", _K, "C", 12999),
            ("Boczek wędzony", _K, "C", 2999),
            ("Szynka konserwowa", _K, "C", 3499),
            ("Szynka wiejska", _K, "C", 4299),
            ("Polędwica sopocka", _K, "C", 4999),
            ("Kiełbasa śląska", _K, "C", 2799),
            ("Kiełbasa krakowska sucha", _K, "C", 4999),
            ("Pasztet pieczony", _K, "C", 2499),
            ("Salceson włoski", _K, "C", 1999),
            ("Kaszanka", _K, "C", 1299),
            ("Mortadela", _K, "C", 1999),
            ("Kabanosy wieprzowe 100g", _N, "C", 799),
            ("Parówki cielęce 250g", _N, "C", 899),
            ("Salami plastry 100g", _N, "C", 699),
            ("Smalec ze skwarkami 200g", _N, "C", 499),
        ),
    ),
    (
        15,
        1,
        "Ryby",
        (
            ("Łosoś wędzony 100g", _N, "C", 1299),
            ("Śledź w oleju 300g", _N, "C", 899),
            ("Filety śledziowe w śmietanie 300g", _N, "C", 999),
            ("Sałatka śledziowa 250g", _N, "C", 799),
            ("Szprotki w oleju 170g", _N, "C", 499),
            ("Tuńczyk w sosie własnym 170g", _N, "C", 799),
            ("Dorsz filet świeży", _K, "C", 5999),
            ("Makrela wędzona", _K, "C", 2999),
            ("Pstrąg wędzony", _K, "C", 4999),
            ("Karp świeży", _K, "C", 2499),
        ),
    ),
    (
        16,
        1,
        "Artykuły sypkie",
        (
            ("Cukier biały 1kg", _N, "C", 449),
            ("Cukier trzcinowy 500g", _N, "C", 699),
            ("Cukier puder 400g", _N, "C", 499),
            ("Mąka pszenna typ 450 1kg", _N, "C", 329),
            ("Mąka żytnia typ 720 1kg", _N, "C", 449),
            ("Mąka ziemniaczana 500g", _N, "C", 499),
            ("Kasza gryczana 400g", _N, "C", 449),
            ("Kasza jaglana 400g", _N, "C", 549),
            ("Kasza manna 500g", _N, "C", 349),
            ("Kasza jęczmienna pęczak 400g", _N, "C", 329),
            ("Ryż biały długoziarnisty 1kg", _N, "C", 599),
            ("Ryż basmati 400g", _N, "C", 599),
            ("Płatki owsiane górskie 500g", _N, "C", 399),
            ("Płatki kukurydziane 250g", _N, "C", 699),
            ("Musli owocowe 350g", _N, "C", 899),
            ("Makaron spaghetti 500g", _N, "C", 449),
            ("Makaron świderki 400g", _N, "C", 399),
            ("Makaron nitki rosołowe 250g", _N, "C", 349),
            ("Makaron penne 500g", _N, "C", 449),
            ("Groch łuskany 500g", _N, "C", 399),
            ("Fasola biała Jaś 400g", _N, "C", 799),
            ("Soczewica czerwona 400g", _N, "C", 699),
            ("Sól kuchenna 1kg", _N, "C", 199),
            ("Drożdże piekarskie 100g", _N, "C", 149),
            ("Proszek do pieczenia 30g", _N, "C", 99),
            ("Kakao naturalne 150g", _N, "A", 799),
        ),
    ),
    (
        17,
        1,
        "Słodycze i przekąski",
        (
            ("Czekolada mleczna 100g", _N, "A", 499),
            ("Czekolada gorzka 70% 100g", _N, "A", 599),
            ("Czekolada z orzechami 100g", _N, "A", 599),
            ("Baton czekoladowy 50g", _N, "A", 249),
            ("Wafelek kakaowy 40g", _N, "A", 149),
            ("Pierniki w czekoladzie 200g", _N, "A", 699),
            ("Pianki w czekoladzie 340g", _N, "A", 1299),
            ("Chałwa waniliowa 100g", _N, "A", 449),
            ("Żelki owocowe 200g", _N, "A", 499),
            ("Lizak owocowy 10g", _N, "A", 79),
            ("Guma do żucia miętowa", _N, "A", 349),
            ("Popcorn do mikrofalówki 100g", _N, "A", 399),
            ("Cukierki krówki na wagę", _GR, "C", 4),
            ("Cukierki czekoladowe na wagę", _GR, "A", 5),
            ("Orzechy włoskie na wagę", _GR, "C", 6),
            ("Chipsy ziemniaczane solone 150g", _N, "C", 699),
            ("Paluszki słone 200g", _N, "C", 299),
            ("Orzeszki ziemne solone 200g", _N, "C", 599),
            ("Pistacje solone 150g", _N, "C", 1299),
            ("Herbatniki maślane 200g", _N, "C", 449),
            ("Ciastka owsiane 150g", _N, "C", 499),
            ("Wafle ryżowe 130g", _N, "C", 349),
            ("Krakersy 100g", _N, "C", 349),
            ("Sezamki 27g", _N, "C", 149),
            ("Rodzynki 200g", _N, "C", 599),
            ("Śliwki suszone 200g", _N, "C", 799),
            ("Żurawina suszona 100g", _N, "C", 549),
            ("Mieszanka studencka 200g", _N, "C", 799),
        ),
    ),
    (
        18,
        1,
        "Kawa i herbata",
        (
            ("Kawa mielona 250g", _N, "A", 1599),
            ("Kawa mielona bezkofeinowa 250g", _N, "A", 1799),
            ("Kawa ziarnista 1kg", _N, "A", 5999),
            ("Kawa rozpuszczalna 200g", _N, "A", 2799),
            ("Cappuccino waniliowe 100g", _N, "A", 799),
            ("Kakao rozpuszczalne 300g", _N, "A", 999),
            ("Herbata czarna 100 torebek", _N, "A", 1199),
            ("Herbata zielona 20 torebek", _N, "A", 699),
            ("Herbata owocowa malinowa 20 torebek", _N, "A", 549),
            ("Herbata miętowa 20 torebek", _N, "A", 449),
            ("Herbata rumiankowa 20 torebek", _N, "A", 449),
            ("Herbata earl grey liściasta 100g", _N, "A", 1099),
        ),
    ),
    (
        19,
        1,
        "Konserwy i przetwory",
        (
            ("Groszek konserwowy 400g", _N, "C", 399),
            ("Kukurydza konserwowa 400g", _N, "C", 449),
            ("Fasola czerwona konserwowa 400g", _N, "C", 399),
            ("Koncentrat pomidorowy 200g", _N, "C", 349),
            ("Pomidory krojone 400g", _N, "C", 449),
            ("Ogórki konserwowe 900ml", _N, "C", 799),
            ("Ogórki kiszone 900ml", _N, "C", 749),
            ("Ćwikła z chrzanem 300g", _N, "C", 499),
            ("Dżem truskawkowy 280g", _N, "C", 599),
            ("Powidła śliwkowe 290g", _N, "C", 749),
            ("Miód wielokwiatowy 400g", _N, "C", 2499),
            ("Mielonka wieprzowa 300g", _N, "C", 699),
            ("Pasztet drobiowy 195g", _N, "C", 349),
            ("Gulasz angielski 300g", _N, "C", 799),
            ("Fasolka po bretońsku 400g", _N, "C", 899),
            ("Zupa pomidorowa w proszku 60g", _N, "C", 299),
            ("Bulion drobiowy kostki 60g", _N, "C", 349),
            ("Barszcz czerwony koncentrat 300ml", _N, "C", 599),
            ("Oliwki zielone 300g", _N, "C", 699),
            ("Masło orzechowe 350g", _N, "C", 1099),
            ("Krem czekoladowy z orzechami 400g", _N, "A", 1199),
        ),
    ),
    (
        20,
        1,
        "Mrożonki",
        (
            ("Pierogi ruskie 450g", _N, "C", 899),
            ("Pierogi z mięsem 450g", _N, "C", 1099),
            ("Uszka z grzybami 400g", _N, "C", 1199),
            ("Kopytka 500g", _N, "C", 799),
            ("Frytki mrożone 750g", _N, "C", 799),
            ("Mieszanka warzywna 450g", _N, "C", 599),
            ("Warzywa na patelnię 450g", _N, "C", 799),
            ("Szpinak mrożony 450g", _N, "C", 549),
            ("Fasolka szparagowa mrożona 450g", _N, "C", 649),
            ("Truskawki mrożone 450g", _N, "C", 899),
            ("Pizza mrożona z szynką 350g", _N, "C", 1299),
            ("Filet z dorsza mrożony 400g", _N, "C", 1999),
            ("Paluszki rybne 250g", _N, "C", 999),
            ("Lody śmietankowe 1l", _N, "C", 1299),
            ("Lody czekoladowe 1l", _N, "C", 1299),
        ),
    ),
    (
        21,
        1,
        "Przyprawy, sosy i oleje",
        (
            ("Pieprz czarny mielony 20g", _N, "C", 299),
            ("Papryka słodka mielona 20g", _N, "C", 249),
            ("Majeranek 8g", _N, "C", 249),
            ("Liść laurowy 6g", _N, "C", 199),
            ("Ziele angielskie 15g", _N, "C", 249),
            ("Przyprawa do kurczaka 30g", _N, "C", 249),
            ("Cynamon mielony 15g", _N, "C", 299),
            ("Ketchup łagodny 480g", _N, "C", 599),
            ("Musztarda sarepska 190g", _N, "C", 349),
            ("Majonez 400ml", _N, "C", 899),
            ("Chrzan tarty 180g", _N, "C", 449),
            ("Sos sojowy 150ml", _N, "C", 599),
            ("Sos czosnkowy 300ml", _N, "C", 599),
            ("Ocet spirytusowy 10% 500ml", _N, "C", 299),
            ("Olej rzepakowy 1l", _N, "C", 899),
            ("Oliwa z oliwek 500ml", _N, "C", 2999),
        ),
    ),
    (
        22,
        2,
        "Woda",
        (
            ("Woda mineralna niegazowana 1,5l", _N, "B", 229),
            ("Woda mineralna gazowana 1,5l", _N, "B", 229),
            ("Woda mineralna lekko gazowana 0,5l", _N, "B", 199),
            ("Woda źródlana 0,5l", _N, "B", 149),
            ("Woda źródlana 5l", _N, "B", 799),
        ),
    ),
    (
        23,
        2,
        "Soki",
        (
            ("Sok pomarańczowy 1l", _N, "C", 599),
            ("Sok jabłkowy 1l", _N, "C", 499),
            ("Sok multiwitamina 1l", _N, "C", 549),
            ("Sok pomidorowy 1l", _N, "C", 599),
            ("Sok marchwiowy 300ml", _N, "C", 349),
            ("Nektar z czarnej porzeczki 1l", _N, "C", 549),
        ),
    ),
    (
        24,
        2,
        "Napoje gazowane i energetyczne",
        (
            ("Napój cola 2l", _N, "A", 799),
            ("Napój cola zero 0,5l", _N, "A", 449),
            ("Napój pomarańczowy gazowany 2l", _N, "A", 699),
            ("Napój cytrynowy gazowany 1,5l", _N, "A", 599),
            ("Napój energetyczny 250ml", _N, "A", 399),
            ("Napój izotoniczny 0,5l", _N, "A", 499),
            ("Herbata mrożona brzoskwiniowa 0,5l", _N, "A", 399),
            ("Lemoniada cytrynowa 0,33l", _N, "A", 449),
            ("Oranżada czerwona 0,33l", _N, "A", 299),
            ("Tonik 1l", _N, "A", 499),
        ),
    ),
    (
        25,
        3,
        "Piwo i cydr",
        (
            ("Piwo jasne 0,5l", _N, "A", 329),
            ("Piwo jasne puszka 0,5l", _N, "A", 349),
            ("Piwo jasne 6 x 0,5l", _N, "A", 1799),
            ("Piwo lager butelka 0,33l", _N, "A", 299),
            ("Piwo ciemne 0,5l", _N, "A", 449),
            ("Piwo pszeniczne 0,5l", _N, "A", 549),
            ("Piwo porter 0,5l", _N, "A", 799),
            ("Piwo IPA 0,5l", _N, "A", 799),
            ("Piwo bezalkoholowe 0,5l", _N, "A", 399),
            ("Cydr jabłkowy 0,4l", _N, "A", 699),
        ),
    ),
    (
        26,
        3,
        "Wino",
        (
            ("Wino czerwone wytrawne 0,75l", _N, "A", 2999),
            ("Wino białe półwytrawne 0,75l", _N, "A", 2799),
            ("Wino różowe półsłodkie 0,75l", _N, "A", 2499),
            ("Wino musujące białe 0,75l", _N, "A", 2999),
            ("Wino owocowe jabłkowe 0,75l", _N, "A", 1299),
            ("Wino grzane 1l", _N, "A", 1999),
        ),
    ),
    (
        27,
        3,
        "Wódka i alkohole mocne",
        (
            ("Wódka czysta 0,2l", _N, "A", 1699),
            ("Wódka czysta 0,5l", _N, "A", 3499),
            ("Wódka czysta 0,7l", _N, "A", 4599),
            ("Wódka żołądkowa 0,5l", _N, "A", 3699),
            ("Nalewka wiśniowa 0,5l", _N, "A", 3299),
            ("Likier jajeczny 0,5l", _N, "A", 3999),
            ("Whisky 0,7l", _N, "A", 8999),
            ("Brandy 0,5l", _N, "A", 5999),
            ("Rum ciemny 0,7l", _N, "A", 6999),
            ("Gin 0,7l", _N, "A", 7499),
        ),
    ),
    (
        28,
        4,
        "Chemia gospodarcza",
        (
            ("Płyn do naczyń cytrynowy 1l", _N, "A", 799),
            ("Proszek do prania kolor 1,5kg", _N, "A", 2499),
            ("Żel do prania 1l", _N, "A", 2299),
            ("Płyn do płukania tkanin 1l", _N, "A", 1499),
            ("Płyn do mycia podłóg 1l", _N, "A", 999),
            ("Płyn do szyb 500ml", _N, "A", 899),
            ("Mleczko do czyszczenia 700ml", _N, "A", 799),
            ("Żel do WC 750ml", _N, "A", 899),
            ("Tabletki do zmywarki 40 szt.", _N, "A", 3999),
            ("Wybielacz chlorowy 1l", _N, "A", 599),
            ("Odplamiacz 1l", _N, "A", 1999),
            ("Odświeżacz powietrza 300ml", _N, "A", 1299),
            ("Gąbki kuchenne 5 szt.", _N, "A", 399),
            ("Ściereczki z mikrofibry 3 szt.", _N, "A", 1199),
            ("Worki na śmieci 35l 50 szt.", _N, "A", 899),
            ("Worki na śmieci 60l 20 szt.", _N, "A", 799),
            ("Papier toaletowy 8 rolek", _N, "A", 1599),
            ("Ręcznik papierowy 2 rolki", _N, "A", 899),
            ("Chusteczki higieniczne 10 paczek", _N, "A", 599),
            ("Folia aluminiowa 20m", _N, "A", 899),
            ("Folia spożywcza 30m", _N, "A", 699),
            ("Woreczki śniadaniowe 100 szt.", _N, "A", 399),
            ("Zapałki 10 pudełek", _N, "A", 399),
            ("Baterie AA 4 szt.", _N, "A", 1999),
            ("Baterie AAA 4 szt.", _N, "A", 1999),
            ("Żarówka LED 10W", _N, "A", 1499),
            ("Torba foliowa", _N, "A", 129),
            ("Torba papierowa", _N, "A", 99),
            ("Torba wielorazowa", _N, "A", 399),
        ),
    ),
    (
        29,
        4,
        "Kosmetyki i higiena",
        (
            ("Mydło w kostce 100g", _N, "A", 299),
            ("Mydło w płynie 500ml", _N, "A", 899),
            ("Szampon do włosów 400ml", _N, "A", 1499),
            ("Odżywka do włosów 200ml", _N, "A", 1299),
            ("Żel pod prysznic 500ml", _N, "A", 1199),
            ("Pasta do zębów 75ml", _N, "A", 799),
            ("Szczoteczka do zębów średnia", _N, "A", 699),
            ("Płyn do płukania jamy ustnej 500ml", _N, "A", 1399),
            ("Dezodorant w sprayu 150ml", _N, "A", 1299),
            ("Antyperspirant w kulce 50ml", _N, "A", 999),
            ("Krem do rąk 100ml", _N, "A", 899),
            ("Krem nawilżający do twarzy 50ml", _N, "A", 1999),
            ("Balsam do ciała 400ml", _N, "A", 1499),
            ("Balsam do opalania SPF30 200ml", _N, "A", 3999),
            ("Pomadka ochronna", _N, "A", 499),
            ("Pianka do golenia 200ml", _N, "A", 999),
            ("Maszynki do golenia 5 szt.", _N, "A", 1499),
            ("Chusteczki nawilżane 72 szt.", _N, "A", 699),
            ("Patyczki higieniczne 200 szt.", _N, "A", 399),
            ("Waciki kosmetyczne 100 szt.", _N, "A", 499),
            ("Podpaski 10 szt.", _N, "C", 799),
            ("Pieluchy rozmiar 4 44 szt.", _N, "B", 5499),
        ),
    ),
    (
        30,
        4,
        "Artykuły domowe",
        (
            ("Kubek ceramiczny 300ml", _N, "A", 1299),
            ("Kubki papierowe 10 szt.", _N, "A", 499),
            ("Talerzyki papierowe 10 szt.", _N, "A", 499),
            ("Serwetki papierowe 20 szt.", _N, "A", 399),
            ("Świeca zapachowa", _N, "A", 1599),
            ("Podgrzewacze tealight 10 szt.", _N, "A", 699),
            ("Znicz szklany", _N, "A", 899),
            ("Wkład do znicza", _N, "A", 399),
        ),
    ),
    (
        31,
        5,
        "Prasa",
        (
            ("Gazeta codzienna", _N, "B", 400),
            ("Gazeta lokalna", _N, "B", 250),
            ("Tygodnik opinii", _N, "B", 899),
            ("Program telewizyjny tygodnik", _N, "B", 349),
            ("Miesięcznik kulinarny", _N, "B", 1299),
            ("Krzyżówki panoramiczne", _N, "B", 499),
        ),
    ),
    (
        32,
        5,
        "Książki",
        (
            ("Książka kucharska domowa", _N, "C", 3999),
            ("Powieść kryminalna", _N, "C", 3499),
            ("Książeczka dla dzieci", _N, "C", 1999),
            ("Kolorowanka dla dzieci", _N, "C", 999),
            ("Atlas samochodowy Polski", _N, "C", 3999),
        ),
    ),
    (
        33,
        5,
        "Artykuły papiernicze",
        (
            ("Długopis niebieski", _N, "A", 199),
            ("Zeszyt A5 32 kartki", _N, "A", 299),
            ("Zeszyt A5 60 kartek", _N, "A", 449),
            ("Koperta biała C6", _N, "A", 59),
            ("Kartka okolicznościowa", _N, "A", 699),
        ),
    ),
    (
        34,
        6,
        "Zwierzęta",
        (
            ("Karma dla psa sucha 3kg", _N, "A", 2999),
            ("Karma dla kota saszetka 85g", _N, "A", 249),
            ("Karma dla kota sucha 1kg", _N, "A", 1899),
            ("Żwirek dla kota 10l", _N, "A", 1999),
        ),
    ),
    (
        35,
        6,
        "Gastronomia",
        (
            ("Kawa z ekspresu 200ml", _N, "B", 799),
            ("Herbata z ekspresu 250ml", _N, "B", 499),
            ("Hot dog z parówką", _N, "B", 599),
            ("Zapiekanka z pieczarkami", _N, "B", 899),
        ),
    ),
    (
        36,
        6,
        "Usługi",
        (
            ("Usługa pocztowa", _N, "E", 850, _SVC),
            ("Znaczek pocztowy krajowy", _N, "E", 520),
            ("Doładowanie telefonu 25 zł", _N, "E", 2500, _SVC),
            ("Doładowanie telefonu 50 zł", _N, "E", 5000, _SVC),
            ("Ksero A4", _N, "A", 50, _SVC),
            ("Wydruk zdjęcia 10x15", _N, "A", 99, _SVC),
            ("Pakowanie prezentu", _N, "A", 500, _SVC),
        ),
    ),
    (
        37,
        6,
        "Różne",
        (
            ("Towar różny", _N, "A", 0),
            ("Kaucja za butelkę", _N, "D", 50),
            ("Kaucja za skrzynkę", _N, "D", 1000),
        ),
    ),
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
