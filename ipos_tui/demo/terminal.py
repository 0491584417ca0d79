"""Seeding a terminal database with the demo shop (``ipos-tui demo``, tests).

The catalogue is written with :meth:`CatalogService.replace_all`, so seeding twice
gives the same catalogue and leaves the ledger and local statistics alone. PIN
hashes are computed once per process: argon2id costs ~50 ms per PIN by design,
and a demo or a test suite opening many terminals should not pay it each time.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from ipos_tui.demo.catalogue import DEMO_LOGINS as _DEMO_LOGINS
from ipos_tui.demo.catalogue import DemoShop, demo_shop
from ipos_tui.store.auth import hash_pin
from ipos_tui.store.db import Terminal
from ipos_tui.domain.records import (
    Barcode,
    CatalogueSnapshot,
    Category,
    Company,
    DiscountDef,
    PaymentMethod,
    Product,
    Store,
    TerminalInfo,
    Unit,
    UserAccount,
    VatRate,
)

#: Login hints for the login screen in demo mode.
DEMO_LOGINS: Final = _DEMO_LOGINS
DEMO_TERMINAL_ID: Final = 1
DEMO_TERMINAL_NAME: Final = "Kasa 1"


@cache
def _pin_hash(pin: str) -> str:
    """argon2id hash of a demo PIN, computed once per process (salted once, reused)."""
    return hash_pin(pin)


def demo_snapshot(store_index: int = 0, shop: DemoShop | None = None) -> CatalogueSnapshot:
    """The demo shop as a catalogue snapshot with the prices of ``stores[store_index]``."""
    shop = shop or demo_shop()
    if not 0 <= store_index < len(shop.stores):
        raise ValueError(f"store_index must be 0..{len(shop.stores) - 1}, got {store_index}")
    products = tuple(
        Product(
            id=p.id,
            plu=p.plu,
            name=p.name,
            unit=p.unit,
            precision=p.precision,
            vat_letter=p.vat_letter,
            price=p.price_in(store_index),
            category_id=p.category_id,
            type="usluga" if p.type == "usluga" else "towar",
            active=True,
            deposit=p.deposit,
        )
        for p in shop.products
    )
    return CatalogueSnapshot(
        company=Company(shop.company.name, shop.company.nip, shop.company.address),
        stores=tuple(Store(s.id, s.name, s.address) for s in shop.stores),
        settings=dict(shop.settings),
        payment_methods=tuple(
            PaymentMethod(m.code, m.name, m.kind, m.allows_change, m.position, True)  # type: ignore[arg-type]
            for m in shop.payment_methods
        ),
        users=tuple(
            UserAccount(
                u.id, u.identifier, u.name, u.role, _pin_hash(u.pin), u.active, u.permissions
            )
            for u in shop.users
        ),
        vat_rates=tuple(VatRate(letter, rate) for letter, rate in shop.vat_rates),
        units=tuple(Unit(u.name, u.precision) for u in shop.units),
        categories=tuple(Category(c.id, c.name, c.parent_id) for c in shop.categories),
        products=products,
        barcodes=tuple(Barcode(code, p.id) for p in shop.products for code in p.barcodes),
        discounts=tuple(
            DiscountDef(d.id, d.name, d.kind, d.value, d.scope)  # type: ignore[arg-type]
            for d in shop.discounts
        ),
    )


def seed_demo(terminal: Terminal, *, store_index: int = 0) -> None:
    """Write the demo shop into ``terminal``'s catalogue and make it "Kasa 1".

    Idempotent: the catalogue is replaced as a whole; sales and local settings stay.
    """
    shop = demo_shop()
    snapshot = demo_snapshot(store_index, shop)
    terminal.catalog.replace_all(snapshot)
    terminal.settings.set_terminal_info(
        TerminalInfo(DEMO_TERMINAL_ID, DEMO_TERMINAL_NAME, shop.stores[store_index].id)
    )
