"""The payload (``Change.data``) of each change type the feeds deliver: company, store,
settings, payment methods and the PIN key (config), users, and the catalogue (VAT
letters, units, categories, products, barcodes, prices, discounts)."""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import Field

from ipos_tui.protocol.base import (
    NonNegativeGrosze,
    StrictWireInt,
    VatLetter,
    WireModel,
)


class CompanyData(WireModel):
    name: str
    nip: str | None = None
    address: str | None = None


class StoreData(WireModel):
    name: str
    address: str | None = None
    price_list_id: int | None = None


class SettingData(WireModel):
    """A setting; the key is the change ``id`` (e.g. "login_mode")."""

    value: Any = None


class PaymentMethodData(WireModel):
    code: str
    name: str
    kind: Literal["cash", "card", "voucher", "transfer", "other"] = "other"
    gives_change: bool = False
    opens_drawer: bool = False
    position: int = 0
    active: bool = True


class PinKeyData(WireModel):
    """The company's PIN key (base64): terminals verify PINs offline as
    ``argon2.verify(pin_hash, hmac_sha256(key, pin).hexdigest())``.

    After a rotation (``version`` > 0) a user's ``pin_hash`` made with an older key
    starts ``k<version>:`` and that key is in ``previous`` (version → base64 key); a
    hash without the prefix is of the current key."""

    key: str
    version: int = 0
    previous: dict[str, str] = Field(default_factory=dict)


class UserData(WireModel):
    identifier: str
    name: str
    role: Literal["cashier", "manager", "owner"] = "cashier"
    permissions: list[str] = Field(default_factory=list)
    pin_hash: str | None = None
    active: bool = True


class VatRateData(WireModel):
    """A VAT letter (the change ``id``); ``rate`` in basis points, ``None`` = exempt."""

    rate: int | None = None


class UnitData(WireModel):
    name: str
    precision: int = 0


class CategoryData(WireModel):
    name: str
    parent_id: int | None = None


class ProductData(WireModel):
    name: str
    plu: str
    vat: VatLetter
    unit_id: int
    category_id: int | None = None
    kind: Literal["good", "service"] = "good"
    open_price: bool = False
    active: bool = True
    #: the returnable packaging's deposit per piece ("kaucja"), grosze; 0 for none
    #: (left out then; an older till ignores it)
    deposit: NonNegativeGrosze = 0


class BarcodeData(WireModel):
    product_id: int
    code: str


class PriceData(WireModel):
    """The price of a product in the terminal's store (gross grosze)."""

    product_id: int
    price: StrictWireInt


class DiscountData(WireModel):
    """``value``: basis points ("percent") or grosze ("amount"); ``scope``: a line or the
    whole receipt."""

    name: str
    kind: Literal["percent", "amount"]
    value: StrictWireInt
    scope: Literal["line", "receipt"] = "line"
    active: bool = True


#: Payload model of each change type.
DATA_MODELS: Final[dict[str, type[WireModel]]] = {
    "company": CompanyData,
    "store": StoreData,
    "setting": SettingData,
    "payment_method": PaymentMethodData,
    "pin_key": PinKeyData,
    "user": UserData,
    "vat_rate": VatRateData,
    "unit": UnitData,
    "category": CategoryData,
    "product": ProductData,
    "barcode": BarcodeData,
    "price": PriceData,
    "discount": DiscountData,
}
