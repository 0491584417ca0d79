"""``init --demo``: the demo shop of :mod:`ipos_tui.demo.catalogue` in the back office.

The same deterministic shop the terminal's demo mode uses (company, two stores with
their own price lists — the second a few per cent dearer —, 384 products with PLUs,
EANs, every VAT letter, kg items and an open-price item, a category tree, cashiers
1001/1111, 1002/2222, 1003/3333 and an inactive 1004, payment methods, discounts).
Products go in through the bulk import, so every rule of PRODUCT.md §7 is checked.
"""

from __future__ import annotations

from typing import Any

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.bulk import import_products
from ipos_tui.backoffice.services import BackOffice, ProductInput
from ipos_tui.demo.catalogue import DemoShop, demo_shop
from ipos_tui.domain.errors import DomainError

#: The demo owner's iPOS web login and password (well known: it is a demo).
DEMO_WEB_LOGIN = "1001"
DEMO_WEB_PASSWORD = "demo"

#: Demo roles (Polish) → back-office roles.
_ROLES = {"kierownik": "manager", "kasjer": "cashier", "stażysta": "cashier",
          "właściciel": "owner"}
_KINDS = {"towar": "good", "usluga": "service", "usługa": "service"}
#: Demo settings → back-office settings (key, value map).
_SETTINGS = {
    "login_mode": ("login_mode", {"id_pin": "identifier_pin", "pin": "pin"}),
    "cash_management": ("cash_management", None),
    "day_close": ("day_close_mode", {"off": "off", "reminder": "reminder", "block": "block",
                                     "auto": "reminder", "automatic": "reminder",
                                     "manual": "off"}),
}


def ensure_demo_web_login(office: BackOffice) -> None:
    """A demo shop seeded before iPOS web: its owner becomes the owner and gets the
    demo web password (once; a password the trainer set is kept)."""
    user = m.User.get_or_none(company=office.company_id, identifier=DEMO_WEB_LOGIN)
    if user is None or user.web_password_hash is not None:
        return
    if user.role != "owner":
        office.update_user(DEMO_WEB_LOGIN, role="owner")
    office.set_web_password(DEMO_WEB_LOGIN, DEMO_WEB_PASSWORD, check=False)


def seed_demo(office: BackOffice, shop: DemoShop | None = None) -> dict[str, Any]:
    """Seed the demo shop into an empty catalogue; returns what was created."""
    shop = shop or demo_shop()
    if not office.has_company():
        office.create_company(shop.company.name, nip=shop.company.nip,
                              address=shop.company.address, payment_methods=())
    if m.Product.select().where(m.Product.company == office.company_id).exists():
        raise DomainError("err.demo_not_empty")
    _payment_methods(office, shop)
    lists = [office.add_price_list(f"Cennik {store.name}") for store in shop.stores]
    stores = [office.add_store(store.name, store.address, list_id)
              for store, list_id in zip(shop.stores, lists, strict=True)]
    categories = _categories(office, shop)
    for index, list_id in enumerate(lists):
        items = [
            ProductInput(
                line=n, name=p.name, plu=p.plu, vat=p.vat_letter, unit=p.unit,
                price=p.prices[index], barcodes=list(p.barcodes),
                category=categories[p.category_id], kind=_KINDS.get(p.type, "good"),
                open_price=p.prices[index] == 0,
            )
            for n, p in enumerate(shop.products, start=1)
        ]
        import_products(office, items, list_id)
    for product in shop.products:  # returnable packaging: its deposit per piece
        if product.deposit:
            office.update_product(office.product_by_plu(product.plu), deposit=product.deposit)
    # the demo's well-known PINs are 4 digits, its owner's and cashier's privileged too
    office.set_setting("short_pins_privileged", True)
    for user in shop.users:
        office.add_user(user.identifier, user.name, user.pin, _ROLES.get(user.role, "cashier"),
                        list(user.permissions), user.active)
    office.set_web_password(DEMO_WEB_LOGIN, DEMO_WEB_PASSWORD, check=False)
    for discount in shop.discounts:
        office.add_discount(discount.name, discount.kind, discount.value, discount.scope)
    for key, value in shop.settings:
        if key in _SETTINGS:
            target, mapping = _SETTINGS[key]
            office.set_setting(target, mapping.get(value, value) if mapping else value)
    return {"stores": stores, "price_lists": lists, "products": len(shop.products),
            "users": len(shop.users), "web_login": DEMO_WEB_LOGIN,
            "web_password": DEMO_WEB_PASSWORD}


def _payment_methods(office: BackOffice, shop: DemoShop) -> None:
    existing = {pm["code"] for pm in office.list_payment_methods()}
    for pm in shop.payment_methods:
        if pm.code in existing:
            continue
        office.add_payment_method(pm.code, pm.name, pm.kind, gives_change=pm.allows_change,
                                  opens_drawer=pm.kind == "cash", position=pm.position)


def _categories(office: BackOffice, shop: DemoShop) -> dict[int, str]:
    """Create the tree (parents first); map demo category id → name used by the import."""
    ids: dict[int, int] = {}
    names: dict[int, str] = {}
    pending = list(shop.categories)
    while pending:
        later = []
        for category in pending:
            if category.parent_id is not None and category.parent_id not in ids:
                later.append(category)
                continue
            ids[category.id] = office.add_category(
                category.name, ids[category.parent_id] if category.parent_id else None)
            names[category.id] = category.name
        if len(later) == len(pending):
            raise DomainError("err.category_cycle", category=later[0].id)
        pending = later
    return names
