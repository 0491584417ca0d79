"""CSV import/export of products with the iPOS column rules.

Two layouts are read, told apart by the first row:

**Named columns** (our own, what export writes): a header row, columns in any order,
names case-insensitive, Polish or English: ``Nazwa`` (name), ``PLU``, ``Stawka VAT``
(vat), ``Jednostka`` (unit, default "szt."), ``Cena`` (price, gross "4,99"), ``Kody
kreskowe`` (barcodes, separated by "," "|" or spaces), ``Kategoria`` (category name,
created if missing), ``Typ`` ("towar"/"usługa", or T/U), ``Cena otwarta`` (open price:
tak/nie). Nazwa, PLU and Stawka VAT are required.

**iPOS web's positional layout**, as the iPOS help centre documents its own CSV
("Import asortymentu z pliku CSV", pomoc.ipos.pl): columns by position, not by name,
recognised by a header row whose first cell is ``ID``, or, without a header, by a first
row whose sixth cell is a type letter T/U/R. The help centre gives, in this order:

1. ``ID`` – iPOS web's own number of the product: read but ignored (products are matched
   by PLU here, as everywhere in this back office);
2. ``PLU``;
3. ``zewnętrzny ID`` / identyfikator (an external system's id, up to 16 characters):
   ignored, this back office keeps no such field;
4. ``kody kreskowe`` – up to 10 barcodes in one cell, separated by commas (so the cell
   is quoted when the file is comma-separated; ";" files need no quotes);
5. ``nazwa``;
6. ``typ`` – ``T`` towar (good), ``U`` usługa (service), ``R`` receptura (a recipe:
   a product made of others, sold with its ingredients taken off stock). This back
   office and its tills have no recipes, so an R row is refused with its line number
   and that reason;
7. ``jednostka`` (unit; empty: "szt.").

The page stored for this project ends after "jednostka", so the columns after it are
assumed from the order of the help centre's product form (jednostka, stawka VAT, cena,
kategoria): 8. ``stawka VAT``, 9. ``cena`` (gross, in the chosen price list), 10.
``kategoria``. Rows may stop after any column from the 7th on (the rest are empty);
columns after the 10th must be empty, else the row is refused.

In both layouts the VAT may be written as the printer's letter (A–E) or as its rate
("23", "23%", "8 %", "0", "zw."). Semicolon- or comma-separated; UTF-8 (a BOM is fine)
or, failing that, Windows-1250 (what a Polish Excel saves). Every bad row is reported
with its line number and reason, and nothing is imported if any row is bad. Export
writes the named layout, so an exported file imports back unchanged.

A price that changes more than 5 times either way against the product's current price
in the list (379,00 instead of 3,79; the price-list service's rule,
:func:`~ipos_tui.backoffice.services.pricelists.is_price_jump`) is shown to the caller
before anything is written (``confirm_jumps``), the same rule as ``price set``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ipos_tui.backoffice.bulk import import_products
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.backoffice.services.catalogue import ProductInput, _ImportErrors
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import format_money, parse_money
from ipos_tui.domain.vat import EXEMPT_LABEL, VAT_RATES

COLUMNS = ("Nazwa", "PLU", "Stawka VAT", "Jednostka", "Cena", "Kody kreskowe", "Kategoria",
           "Typ", "Cena otwarta")

#: iPOS web's positional layout: the field of each column (None: read, ignored).
IPOS_FIELDS: tuple[str | None, ...] = (None, "plu", None, "barcodes", "name", "ipos_kind",
                                       "unit", "vat", "price", "category")
#: The column (1-based) holding the type letter, which tells a headerless iPOS file.
_IPOS_KIND_COLUMN = 6
_IPOS_KINDS = {"T": "good", "U": "service"}
_IPOS_RECIPE = "R"

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
          "service": "service", "": "good", "t": "good", "u": "service"}
_YES = {"tak", "t", "yes", "y", "1", "true"}
_NO = {"nie", "n", "no", "0", "false", ""}
_CODE_SPLIT = re.compile(r"[,|\s]+")
_RATE_RE = re.compile(r"(\d{1,2})(?:[,.](\d{1,2}))?\s*%?")


def decode_csv(data: bytes) -> str:
    """The file's text: UTF-8 (with or without a BOM), else Windows-1250 (a CSV saved by
    a Polish Excel). A UTF-8 file with damaged bytes (more letters read as UTF-8 than
    bytes it cannot read) or bytes Windows-1250 has no letter for is refused,
    ``err.csv_encoding`` with the line of the first bad byte: read as Windows-1250 it
    would store every Polish letter garbled."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    as_utf8 = data.decode("utf-8", errors="replace")
    damaged = as_utf8.count("\ufffd")
    letters = sum(1 for char in as_utf8 if ord(char) > 127 and char != "\ufffd")
    if letters <= damaged:
        try:
            return data.decode("cp1250")
        except UnicodeDecodeError as exc:
            first_bad = exc.start
    raise DomainError("err.csv_encoding", line=data[:first_bad].count(b"\n") + 1)


def _dialect(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") >= header.count(",") else ","


def vat_letter(text: str, rates: Mapping[str, int | None] = VAT_RATES) -> str:
    """The printer letter of a VAT cell: a letter of ``rates`` as it is, or a rate ("23", "8 %",
    "zw.") turned into the letter of that rate; anything else upper-cased as it is (and
    refused by the import's VAT rule); an empty cell is refused here."""
    cleaned = text.strip().upper()
    if not cleaned:
        raise DomainError("err.csv_vat_missing")
    if cleaned in rates:
        return cleaned
    if cleaned.rstrip(".") in ("ZW", EXEMPT_LABEL.upper().rstrip(".")):
        rate: int | None = None
    else:
        match = _RATE_RE.fullmatch(cleaned)
        if match is None:
            return cleaned
        rate = int(match[1]) * 100 + int((match[2] or "0").ljust(2, "0"))
    letters = [letter for letter, value in sorted(rates.items()) if value == rate]
    return letters[0] if letters else cleaned


def is_ipos_layout(first_row: Sequence[str]) -> bool:
    """True for iPOS web's positional layout: a header starting with ``ID``, or a
    headerless first row with a type letter in the sixth column."""
    if first_row and first_row[0].strip().lstrip("\ufeff").upper() == "ID":
        return True
    return (len(first_row) >= _IPOS_KIND_COLUMN
            and first_row[_IPOS_KIND_COLUMN - 1].strip().upper() in ("T", "U", "R")
            and _ALIASES.get(first_row[0].strip().lower()) is None)


def parse_products_csv(text: str, errors: _ImportErrors,
                       rates: Mapping[str, int | None] = VAT_RATES) -> list[ProductInput]:
    """Rows of the file; rows that cannot be read are added to ``errors``. A VAT cell
    holding a rate is read as the letter of that rate in ``rates`` (the company's)."""
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=_dialect(text))
    header = next(reader, None)
    if header is None:
        raise DomainError("err.csv_empty")
    if is_ipos_layout(header):
        return _parse_ipos(reader, header, errors, rates)
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
                              len(fields), rates))
        except DomainError as exc:
            errors.add(line, exc)
    return items


def _parse_ipos(reader: Any, first: list[str], errors: _ImportErrors,
                rates: Mapping[str, int | None] = VAT_RATES) -> list[ProductInput]:
    """The rows of iPOS web's positional layout (``first``: its header or first row)."""
    items: list[ProductInput] = []
    rows = reader if first[0].strip().lstrip("\ufeff").upper() == "ID" else \
        _with_first(first, reader)
    for values in rows:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        try:
            items.append(_ipos_row(line, values, rates))
        except DomainError as exc:
            errors.add(line, exc)
    return items


def _with_first(first: list[str], reader: Any) -> Any:
    yield first
    yield from reader


def _ipos_row(line: int, values: list[str],
              rates: Mapping[str, int | None] = VAT_RATES) -> ProductInput:
    width = len(IPOS_FIELDS)
    if len(values) < _IPOS_KIND_COLUMN + 1:
        raise DomainError("err.csv_ipos_columns", found=len(values),
                          minimum=_IPOS_KIND_COLUMN + 1, maximum=width)
    extra = [v for v in values[width:] if v.strip()]
    if extra:
        raise DomainError("err.csv_ipos_columns", found=len(values),
                          minimum=_IPOS_KIND_COLUMN + 1, maximum=width)
    cells = {field: values[i].strip() for i, field in enumerate(IPOS_FIELDS)
             if field is not None and i < len(values)}
    letter = cells.get("ipos_kind", "").upper()
    if letter == _IPOS_RECIPE:
        raise DomainError("err.csv_recipe")
    if letter not in _IPOS_KINDS:
        raise DomainError("err.csv_ipos_kind", kind=cells.get("ipos_kind", ""))
    item = ProductInput(line=line, name=cells.get("name", ""), plu=cells.get("plu", ""),
                        vat=vat_letter(cells.get("vat", ""), rates),
                        unit=cells.get("unit") or "szt.", kind=_IPOS_KINDS[letter])
    item.barcodes = [c for c in _CODE_SPLIT.split(cells.get("barcodes", "")) if c]
    if cells.get("price"):
        item.price = parse_money(cells["price"])
    if "category" in cells:
        item.category = cells["category"]
    return item


def _row(line: int, raw: dict[Any, str], n_values: int, n_fields: int,
         rates: Mapping[str, int | None] = VAT_RATES) -> ProductInput:
    if n_values != n_fields:
        raise DomainError("err.csv_columns", expected=n_fields, found=n_values)
    get = lambda key: (raw.get(key) or "").strip()  # noqa: E731
    if get("kind").upper() == _IPOS_RECIPE:
        raise DomainError("err.csv_recipe")
    kind = _KINDS.get(get("kind").lower())
    if kind is None:
        raise DomainError("err.product_kind_invalid", kind=get("kind"))
    open_text = get("open_price").lower()
    if open_text not in _YES | _NO:
        raise DomainError("err.csv_yes_no", value=get("open_price"))
    item = ProductInput(
        line=line, name=get("name"), plu=get("plu"), vat=vat_letter(get("vat"), rates),
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
    rates = {row["letter"]: row["rate_bp"] for row in office.list_vat_rates()}
    items = parse_products_csv(text, errors, rates)
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
