"""The assortment: units, categories, products, their barcodes and prices, discounts."""

from __future__ import annotations

from peewee import (
    SQL,
    BigIntegerField,
    BooleanField,
    CharField,
    ForeignKeyField,
    IntegerField,
)

from .base import BaseModel, Company, IdField
from .shop import PriceList


class Unit(BaseModel):
    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    name = CharField(max_length=20)
    precision = IntegerField(default=0)
    builtin = BooleanField(default=False)

    class Meta:
        indexes = ((("company", "name"), True),)


class Category(BaseModel):
    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    name = CharField(max_length=60)
    parent = ForeignKeyField("self", null=True, on_delete="SET NULL")


class Product(BaseModel):
    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    name = CharField(max_length=40)
    name_key = CharField(max_length=40)
    plu = CharField(max_length=9)
    vat = CharField(max_length=1)
    unit = ForeignKeyField(Unit, on_delete="RESTRICT")
    category = ForeignKeyField(Category, null=True, on_delete="SET NULL")
    kind = CharField(max_length=8, default="good")
    open_price = BooleanField(default=False)
    active = BooleanField(default=True)
    #: returnable packaging's deposit per piece ("kaucja"), grosze; 0 for none
    deposit = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])

    class Meta:
        indexes = (
            (("company", "plu"), True),
            (("company", "name_key"), True),
            # iPOS web's assortment list: active (or inactive) products by name, read
            # from the index alone however deep the page (migration 5)
            (("company", "active", "name_key"), False),
        )


class Barcode(BaseModel):
    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    product = ForeignKeyField(Product, on_delete="CASCADE")
    code = CharField(max_length=13)

    class Meta:
        indexes = ((("company", "code"), True),)


class Price(BaseModel):
    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    price_list = ForeignKeyField(PriceList, on_delete="CASCADE")
    product = ForeignKeyField(Product, on_delete="CASCADE")
    price = BigIntegerField()

    class Meta:
        indexes = ((("price_list", "product"), True),)


class Discount(BaseModel):
    id = IdField()
    company = ForeignKeyField(Company, on_delete="CASCADE")
    name = CharField(max_length=40)
    kind = CharField(max_length=8)  # percent (basis points) | amount (grosze)
    value = IntegerField()
    scope = CharField(max_length=8, default="line")  # line | receipt
    active = BooleanField(default=True)
