"""The record types of the demo shop (frozen dataclasses, plain data)."""

from __future__ import annotations

from dataclasses import dataclass


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
    #: the returnable packaging's deposit per piece (grosze, "kaucja"), 0 for none
    deposit: int = 0

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
