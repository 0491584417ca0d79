"""Produkty → Asortyment: the product list (search by name, PLU or barcode, paging over
any number of products), adding and editing a product with every rule of PRODUCT.md §7
(checked by the catalogue service, each refusal shown next to its field), withdrawing
and restoring it, its barcodes, and its prices per price list (changed in Cenniki).

Owner only: the assortment is the company's, shared by every store.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, field_validator
from starlette.datastructures import FormData

from ipos_tui.backoffice.services import BackOffice
from ipos_tui.backoffice.services.product_search import PRODUCT_STATUSES
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import parse_money
from ipos_tui.domain.validation import validate_barcodes, validate_plu, validate_product_name
from ipos_tui.domain.vat import check_letter, rate_text
from ipos_tui.i18n import text_in

from ..auth import Form, Office, Owner
from ..delivery import delivery_note
from ..forms import FORM, check_version, field_error, fingerprint, form_dict, parse_form
from ..render import money, render, request_language

router = APIRouter()

#: A product id in a path: a positive number the database can hold (else 404).
ProductId = Annotated[int, Path(ge=1, le=2**62)]
#: The highest page number read from a link (anything above is past the end anyway).
MAX_PAGE = 1_000_000
#: The longest search text taken from the box (a name has at most 40 characters).
MAX_SEARCH = 100
#: Price fields of the new-product form: ``price_<price list id>``.
_PRICE_FIELD = re.compile(r"price_([1-9][0-9]{0,8})")
#: A price typed as a number (digits, spaces, one decimal comma or point).
_PLAIN_NUMBER = re.compile(r"[0-9][0-9 ]*(?:[.,][0-9]{1,2})?")
#: Barcodes typed in one field: separated by spaces, commas or semicolons.
_CODE_SEPARATORS = re.compile(r"[\s,;]+")

#: Which field each refusal of the catalogue service is about.
FIELDS = {
    "err.name_empty": "name", "err.name_too_long": "name", "err.name_chars": "name",
    "err.name_taken": "name", "err.plu_invalid": "plu", "err.plu_taken": "plu",
    "err.vat_letter": "vat", "err.vat_raise": "vat", "err.unit_unknown": "unit",
    "err.category_unknown": "category", "err.product_kind_invalid": "kind",
    "err.barcode_invalid": "barcodes", "err.barcode_duplicate": "barcodes",
    "err.barcodes_too_many": "barcodes", "err.barcode_taken": "barcodes",
    "err.deposit_invalid": "deposit",
}
#: The same for the barcode form of a product's page.
CODE_FIELDS = {key: "code" for key, field in FIELDS.items() if field == "barcodes"}
CODE_FIELDS["err.barcode_unknown"] = "code"
#: Flash lines after a save (``?saved=…``); anything else in the URL shows nothing.
SAVED = ("added", "updated", "deactivated", "reactivated", "barcode_added", "barcode_removed")


class ProductFields(BaseModel):
    """The fields of the product form; each is checked by the domain's own rule."""

    name: str
    plu: str
    vat: str
    unit: str
    category: int | None = None
    kind: Literal["good", "service"] = "good"
    open_price: bool = False
    #: the packaging's deposit per piece ("kaucja"), typed in złoty; empty: none
    deposit: int = 0

    @field_validator("deposit", mode="before")
    @classmethod
    def _deposit(cls, value: Any) -> int:
        text = str(value).strip()
        grosze = parse_money(text) if text else 0
        BackOffice._check_deposit(grosze)
        return grosze

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return validate_product_name(value)

    @field_validator("plu")
    @classmethod
    def _plu(cls, value: str) -> str:
        return validate_plu(value)

    @field_validator("vat")
    @classmethod
    def _vat(cls, value: str) -> str:
        return check_letter(value)  # which letters the company has: the service checks

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, value: Any) -> int | None:
        text = str(value).strip()
        if not text:
            return None
        if not (text.isascii() and text.isdigit()) or len(text) > 18:
            raise DomainError("err.category_unknown", category=text)
        return int(text)


class NewProductFields(ProductFields):
    barcodes: list[str] = []

    @field_validator("barcodes", mode="before")
    @classmethod
    def _barcodes(cls, value: Any) -> list[str]:
        text = " ".join(value) if isinstance(value, list) else str(value)
        return validate_barcodes(c for c in _CODE_SEPARATORS.split(text) if c)


def _page_number(text: str | None) -> int:
    """The page of a link: junk is the first page, a huge number is past the end."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    return max(1, min(int(text[:8]), MAX_PAGE))


def _choices(request: Request, office: BackOffice) -> dict[str, Any]:
    """The select lists of the product form."""
    language = request_language(request)
    return {
        "vat_options": [(row["letter"], f"{row['letter']} – {rate_text(row['rate_bp'])}")
                        for row in office.list_vat_rates()],
        "unit_options": [(u["name"], u["name"]) for u in office.list_units()],
        "category_options": [("", text_in(language, "web.products.no_category"))]
        + _category_paths(office.list_categories()),
        "kind_options": [("good", text_in(language, "web.products.kind_good")),
                         ("service", text_in(language, "web.products.kind_service"))],
    }


def _category_paths(categories: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """Each category as "parent / child", sorted by that path."""
    by_id = {c["id"]: c for c in categories}

    def path(category: dict[str, Any]) -> str:
        names, seen = [category["name"]], {category["id"]}
        parent = by_id.get(category["parent_id"])
        while parent is not None and parent["id"] not in seen:
            names.append(parent["name"])
            seen.add(parent["id"])
            parent = by_id.get(parent["parent_id"])
        return " / ".join(reversed(names))

    return sorted(((c["id"], path(c)) for c in categories), key=lambda item: item[1].casefold())


def _flash(request: Request, saved: str | None, **params: Any) -> str:
    if saved not in SAVED:
        return ""
    return text_in(request_language(request), f"web.products.saved_{saved}", **params)


def _product_or_404(office: BackOffice, product_id: int) -> dict[str, Any]:
    try:
        return office.get_product(product_id)
    except DomainError:
        raise HTTPException(status_code=404) from None


@router.get("/products", response_class=HTMLResponse)
def product_list(request: Request, user: Owner, office: Office) -> Response:
    params = request.query_params
    search = (params.get("q") or "")[:MAX_SEARCH]
    status = params.get("status") or "active"
    if status not in PRODUCT_STATUSES:
        status = "active"
    page_number = _page_number(params.get("page"))
    result = office.search_products(search, status, page_number)
    exact = office.products_by_code(search) if search and page_number == 1 else []
    base = {"q": search, "status": status} if search else {"status": status}
    return render(request, "products_list.html", search=search, status=status,
                  result=result, exact=exact, price_lists=office.list_price_lists(),
                  link=lambda page: "/products?" + urlencode({**base, "page": page}),
                  flash=_flash(request, params.get("saved")),
                  note=delivery_note(request, office, user, "products"))


def _new_form(request: Request, office: BackOffice, values: dict[str, Any],
              errors: dict[str, str], status_code: int = 200) -> Response:
    return render(request, "products_new.html", status_code=status_code, values=values,
                  errors=errors, price_lists=office.list_price_lists(),
                  **_choices(request, office))


@router.get("/products/new", response_class=HTMLResponse)
def new_product_page(request: Request, user: Owner, office: Office) -> Response:
    return _new_form(request, office, {"vat": "A", "unit": "szt.", "kind": "good"}, {})


def _prices(form: FormData, open_price: bool, language: str) -> tuple[dict[int, int],
                                                                      dict[str, str]]:
    """The prices typed per price list (złoty → grosze) and each wrong one's message."""
    prices: dict[int, int] = {}
    errors: dict[str, str] = {}
    for key in form.keys():
        found = _PRICE_FIELD.fullmatch(key)
        value = form.get(key)
        if not found or not isinstance(value, str) or not value.strip():
            continue
        try:
            grosze = parse_money(value)
            BackOffice.check_price(grosze, open_price)
        except DomainError as exc:
            if exc.key == "err.money_invalid" and _PLAIN_NUMBER.fullmatch(value.strip()):
                exc = DomainError("err.price_invalid", price=value)  # a number, too large
            errors[key] = field_error(exc, language)[FORM]
            continue
        prices[int(found.group(1))] = grosze
    return prices, errors


@router.post("/products/new", response_class=HTMLResponse)
def add_product(request: Request, user: Owner, office: Office, form: Form) -> Response:
    language = request_language(request)
    values = form_dict(form)
    data, errors = parse_form(NewProductFields, form, language)
    open_price = data.open_price if data is not None else bool(form.get("open_price"))
    prices, price_errors = _prices(form, open_price, language)
    errors.update(price_errors)
    if data is not None and not errors:
        try:
            product_id = office.add_product(
                data.name, data.plu, data.vat, unit=data.unit, category_id=data.category,
                kind=data.kind, open_price=data.open_price, barcodes=data.barcodes,
                prices=prices, deposit=data.deposit)
        except DomainError as exc:
            errors = field_error(exc, language, FIELDS)
        else:
            return RedirectResponse(f"/products/{product_id}?saved=added", status_code=303)
    return _new_form(request, office, values, errors, status_code=422)


def _product_page(request: Request, user: Owner, office: BackOffice, product: dict[str, Any],
                  *, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                  code_errors: dict[str, str] | None = None, code: str = "",
                  status_code: int = 200, flash: str = "") -> Response:
    current = office.product_form_values(product)
    shown = dict(current, category=current["category_id"] or "",
                 deposit=money(current["deposit"], symbol=False) if current["deposit"] else "")
    lists = office.list_price_lists()
    prices = [{"id": pl["id"], "name": pl["name"], "price": product["prices"].get(pl["id"])}
              for pl in lists]
    return render(request, "products_edit.html", status_code=status_code, product=product,
                  values=values if values is not None else shown, errors=errors or {},
                  code_errors=code_errors or {}, code=code, prices=prices,
                  version=fingerprint(current), flash=flash,
                  note=delivery_note(request, office, user, "products"),
                  **_choices(request, office))


@router.get("/products/{product_id}", response_class=HTMLResponse)
def product_page(request: Request, product_id: ProductId, user: Owner,
                 office: Office) -> Response:
    product = _product_or_404(office, product_id)
    return _product_page(request, user, office, product,
                         flash=_flash(request, request.query_params.get("saved"),
                                      name=product["name"]))


@router.post("/products/{product_id}", response_class=HTMLResponse)
def save_product(request: Request, product_id: ProductId, user: Owner, office: Office,
                 form: Form) -> Response:
    language = request_language(request)
    product = _product_or_404(office, product_id)
    try:
        check_version(form, office.product_form_values(product))
    except DomainError as exc:  # changed by someone else: show what it is now
        return _product_page(request, user, office, product, status_code=409,
                             errors=field_error(exc, language))
    values = form_dict(form)
    data, errors = parse_form(ProductFields, form, language)
    if data is not None:
        try:
            office.update_product(product_id, name=data.name, plu=data.plu, vat=data.vat,
                                  unit=data.unit, category_id=data.category, kind=data.kind,
                                  open_price=data.open_price, deposit=data.deposit)
        except DomainError as exc:
            errors = field_error(exc, language, FIELDS)
        else:
            return RedirectResponse(f"/products/{product_id}?saved=updated", status_code=303)
    return _product_page(request, user, office, product, values=values, errors=errors,
                         status_code=422)


@router.post("/products/{product_id}/active")
def set_active(request: Request, product_id: ProductId, user: Owner, office: Office,
               form: Form) -> Response:
    _product_or_404(office, product_id)
    if form.get("active") not in ("0", "1"):  # not from the page: change nothing
        return RedirectResponse(f"/products/{product_id}", status_code=303)
    active = form.get("active") == "1"
    office.update_product(product_id, active=active)
    saved = "reactivated" if active else "deactivated"
    return RedirectResponse(f"/products/{product_id}?saved={saved}", status_code=303)


@router.post("/products/{product_id}/barcodes", response_class=HTMLResponse)
def add_barcode(request: Request, product_id: ProductId, user: Owner, office: Office,
                form: Form) -> Response:
    product = _product_or_404(office, product_id)
    code = str(form.get("code") or "")[:100]
    try:
        office.add_barcode(product_id, code)
    except DomainError as exc:
        return _product_page(request, user, office, product, status_code=422, code=code,
                             code_errors=field_error(exc, request_language(request),
                                                     CODE_FIELDS))
    return RedirectResponse(f"/products/{product_id}?saved=barcode_added", status_code=303)


@router.post("/products/{product_id}/barcodes/remove", response_class=HTMLResponse)
def remove_barcode(request: Request, product_id: ProductId, user: Owner, office: Office,
                   form: Form) -> Response:
    product = _product_or_404(office, product_id)
    code = str(form.get("code") or "")[:100]
    try:
        office.remove_barcode(code, product_id=product_id)
    except DomainError as exc:
        return _product_page(request, user, office, product, status_code=422,
                             code_errors=field_error(exc, request_language(request),
                                                     CODE_FIELDS))
    return RedirectResponse(f"/products/{product_id}?saved=barcode_removed", status_code=303)
