"""CSV import/export of products with the iPOS column rules.

Columns (header row required, any order, names case-insensitive, Polish or English):
``Nazwa`` (name), ``PLU``, ``Stawka VAT`` (vat: A–E), ``Jednostka`` (unit, default
"szt."), ``Cena`` (price, gross "4,99"), ``Kody kreskowe`` (barcodes, separated by
"," "|" or spaces), ``Kategoria`` (category name, created if missing), ``Typ``
("towar"/"usługa"), ``Cena otwarta`` (open price: tak/nie). Semicolon- or
comma-separated, UTF-8 (a BOM is fine). Every bad row is reported with its line number
and reason, and nothing is imported if any row is bad. Export writes the same columns,
so an exported file imports back unchanged.

A price that changes more than 5 times either way against the product's current price
in the list (379,00 instead of 3,79; the price-list service's rule,
:func:`~ipos_tui.backoffice.services.pricelists.is_price_jump`) is shown to the caller
before anything is written (``confirm_jumps``), the same rule as ``price set``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.bulk import import_products
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.backoffice.services.catalogue import ProductInput, _ImportErrors
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import format_money, parse_money

COLUMNS = ("Nazwa", "PLU", "Stawka VAT", "Jednostka", "Cena", "Kody kreskowe", "Kategoria",
           "Typ", "Cena otwarta")

_ALIASES = {
    "nazwa": "name", "name": "name",
    "plu": "plu",
    "stawka vat": "vat", "vat": "vat", "stawka": "vat",
    "jednostka": "unit", "unit": "unit", "jm": "unit",
    "cena": "price", "price": "price",
    "kody kreskowe": "barcodes", "kod kreskowy": "barcodes", "barcodes": "barcodes",
    "ean": "barcodes",
    "kategoria": "category", "category": "category",
    "typ": "kind", "kind": "kind", "type": "kind",
    "cena otwarta": "open_price", "open price": "open_price", "open_price": "open_price",
}
_REQUIRED = ("name", "plu", "vat")
#: A required column as the file names it (for the message about a missing one).
_REQUIRED_NAMES = {"name": "Nazwa", "plu": "PLU", "vat": "Stawka VAT"}
_KINDS = {"towar": "good", "good": "good", "usługa": "service", "usluga": "service",
          "service": "service", "": "good"}
_YES = {"tak", "t", "yes", "y", "1", "true"}
_NO = {"nie", "n", "no", "0", "false", ""}
_CODE_SPLIT = re.compile(r"[,|\s]+")


def _dialect(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") >= header.count(",") else ","


def parse_products_csv(text: str, errors: _ImportErrors) -> list[ProductInput]:
    """Rows of the file; rows that cannot be read are added to ``errors``."""
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=_dialect(text))
    header = next(reader, None)
    if header is None:
        raise DomainError("err.csv_empty")
    fields = [_ALIASES.get(h.strip().lower()) for h in header]
    unknown = [h for h, f in zip(header, fields, strict=True) if f is None and h.strip()]
    missing = [_REQUIRED_NAMES[c] for c in _REQUIRED if c not in fields]
    if unknown or missing:
        raise DomainError("err.csv_header", unknown=unknown, missing=missing)
    items: list[ProductInput] = []
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        try:
            items.append(_row(line, dict(zip(fields, values, strict=False)), len(values),
                              len(fields)))
        except DomainError as exc:
            errors.add(line, exc)
    return items


def _row(line: int, raw: dict[Any, str], n_values: int, n_fields: int) -> ProductInput:
    if n_values != n_fields:
        raise DomainError("err.csv_columns", expected=n_fields, found=n_values)
    get = lambda key: (raw.get(key) or "").strip()  # noqa: E731
    kind = _KINDS.get(get("kind").lower())
    if kind is None:
        raise DomainError("err.product_kind_invalid", kind=get("kind"))
    open_text = get("open_price").lower()
    if open_text not in _YES | _NO:
        raise DomainError("err.csv_yes_no", value=get("open_price"))
    item = ProductInput(
        line=line, name=get("name"), plu=get("plu"), vat=get("vat").upper(),
        unit=get("unit") or "szt.", kind=kind, open_price=open_text in _YES,
    )
    if "price" in raw and get("price"):
        item.price = parse_money(get("price"))
    if "barcodes" in raw:
        item.barcodes = [c for c in _CODE_SPLIT.split(get("barcodes")) if c]
    if "category" in raw:
        item.category = get("category")
    return item


@dataclass(frozen=True)
class PriceJump:
    """A row of an import whose price jumps against the list's current price."""

    line: int
    plu: str
    old: int
    new: int


def price_jumps(office: BackOffice, items: Sequence[ProductInput], price_list_id: int | None
                ) -> list[PriceJump]:
    """The rows whose price changes more than 5× against ``price_list_id``'s current one
    (the price-list service's rule, :meth:`~PriceListService.price_jumps`)."""
    priced = {item.plu: item for item in items if item.price is not None}
    current = office.price_jumps(price_list_id, {plu: item.price for plu, item in priced.items()
                                                 if item.price is not None})
    jumps = [PriceJump(priced[plu].line, plu, old, priced[plu].price or 0)
             for plu, old in current.items()]
    return sorted(jumps, key=lambda jump: jump.line)


def import_products_csv(office: BackOffice, text: str, price_list_id: int | None, *,
                        confirm_jumps: Callable[[list[PriceJump]], None] | None = None
                        ) -> dict[str, int]:
    """Parse and import (all or nothing); every bad row is reported at once.

    ``confirm_jumps`` is shown the rows whose price jumps more than 5× (when every row
    could be read) and raises to stop the import before anything is written.
    """
    errors = _ImportErrors()
    items = parse_products_csv(text, errors)
    if confirm_jumps is not None and not errors.items:
        jumps = price_jumps(office, items, price_list_id)
        if jumps:
            confirm_jumps(jumps)
    return import_products(office, items, price_list_id, errors)


def export_products_csv(office: BackOffice, price_list_id: int | None) -> str:
    """Every product with its price in ``price_list_id``, in the import format."""
    categories = {c["id"]: c["name"] for c in office.list_categories()}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS)
    for p in office.list_products():
        price = p["prices"].get(price_list_id) if price_list_id is not None else None
        writer.writerow([
            p["name"], p["plu"], p["vat"], p["unit"],
            format_money(price, symbol=False).replace("\u00a0", "") if price is not None else "",
            " ".join(p["barcodes"]), categories.get(p["category_id"], ""),
            "usługa" if p["kind"] == "service" else "towar",
            "tak" if p["open_price"] else "nie",
        ])
    return out.getvalue()
