"""Produkty → Cenniki, and Konfiguracja → Firma and Sklepy.

Cenniki and Firma are the owner's; Sklepy shows a manager their own stores, read-only.
Prices are typed in złoty (``parse_money``); a price changing more than 5× either way
is saved only after the page asked (the price-list service's rule, as in the CLI). A
store that gets another price list keeps selling from the old one until its tills'
next products sync, and the pages say so.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from ipos_tui.backoffice.services import BackOffice, WebUser
from ipos_tui.backoffice.services.pricelists import PRICE_LIST_NAME_MAX
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import MAX_GROSZE, parse_money
from ipos_tui.i18n import text_in

from ..auth import Form, Office, Owner
from ..delivery import delivery_note
from ..forms import FORM, check_version, fingerprint
from ..render import money, render, request_language

router = APIRouter()

#: Products per page of a price list.
PAGE_SIZE = 50
#: The largest id a page's address may carry (larger: no such page, 404).
MAX_ID = 2_147_483_647
#: The longest text a field of these forms takes before it is refused (not cut).
FIELD_MAX = 300

Id = Annotated[int, Path(ge=1, le=MAX_ID)]

#: The service's refusals in the page's words (the CLI's texts name CLI commands).
_WEB_KEYS = {
    "err.price_list_taken": "web.pricing.list_taken",
    "err.price_list_unknown": "web.pricing.list_unknown",
    "err.product_unknown": "web.pricing.product_unknown",
    "err.price_unknown": "web.pricing.price_unknown",
    "err.price_invalid": "web.pricing.price_too_large",
    "err.store_unknown": "web.pricing.store_unknown",
}


def error_text(exc: DomainError, language: str, fields: dict[str, str] | None = None
           ) -> dict[str, str]:
    """A service's refusal next to its field, in the page's wording."""
    key = _WEB_KEYS.get(exc.key, exc.key)
    field = (fields or {}).get(exc.key, FORM)
    return {field: text_in(language, key, **exc.params)}


def form_text(form: FormData, name: str) -> str:
    """A posted text field ("" when missing; the last one when repeated)."""
    values = [v for v in form.getlist(name) if isinstance(v, str)]
    return values[-1] if values else ""


def id_field(form: FormData, name: str) -> int | None:
    """A posted id (a select's value), None when it is not a whole number in range."""
    text = form_text(form, name).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10 or int(text) > MAX_ID:
        return None
    return int(text) if int(text) > 0 else None


def too_long(errors: dict[str, str], language: str, form: FormData, *names: str,
              limit: int = FIELD_MAX) -> None:
    for name in names:
        if len(form_text(form, name)) > limit and name not in errors:
            errors[name] = text_in(language, "web.form.too_long", max_length=limit)


def parse_price(text: str, language: str) -> tuple[int | None, str]:
    """A price typed in złoty ("12", "12,5", "1 234,56"): grosze, or None and why not."""
    typed = text.strip()
    if not typed:
        return None, text_in(language, "web.form.required")
    if typed.startswith("-"):
        return None, text_in(language, "web.pricing.price_negative")
    try:
        return parse_money(typed), ""
    except DomainError:
        if re.fullmatch(r"[\d\s\u00a0]+([.,]\d{0,2})?(\s*zł)?", typed):
            return None, text_in(language, "web.pricing.price_too_large",
                                 max=money(MAX_GROSZE))
        return None, text_in(language, "web.pricing.price_invalid", text=typed[:40])


def _page_number(text: str | None) -> int:
    return int(text) if text and text.isascii() and text.isdigit() and len(text) < 7 else 1


def _times(old: int, new: int, language: str) -> str:
    ratio = new / old if new > old else old / new
    n = f"{ratio:.1f}".rstrip("0").rstrip(".").replace(".", "," if language == "pl" else ".")
    return text_in(language, "web.pricing.times_more" if new > old else "web.pricing.times_less",
                   n=n)


def saved_text(language: str, saved: str | None, **params: Any) -> str:
    if not saved or not re.fullmatch(r"[a-z_]{1,20}", saved):
        return ""
    key = f"web.pricing.saved_{saved}"
    text = text_in(language, key, **params)
    return "" if text == key else text


# ------------------------------------------------------------------ Cenniki


def _stores_by_id(office: BackOffice) -> dict[int, dict[str, Any]]:
    return {s["id"]: s for s in office.list_stores()}


def assignments(office: BackOffice) -> dict[str, Any]:
    """What an assignment form was built from: each store's list."""
    return {str(s["id"]): s["price_list_id"] for s in office.list_stores()}


@router.get("/price-lists", response_class=HTMLResponse)
def price_lists(request: Request, user: Owner, office: Office,
                saved: str | None = None) -> Response:
    return _lists_page(request, user, office, saved=saved)


def _lists_page(request: Request, user: WebUser, office: BackOffice, *, saved: str | None = None,
                errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
                status: int = 200) -> Response:
    language = request_language(request)
    stores = _stores_by_id(office)
    lists = office.price_list_overview()
    for row in lists:
        row["stores"] = [stores[i]["name"] for i in row["store_ids"] if i in stores]
    return render(request, "pricing_lists.html", status_code=status,
                  title=text_in(language, "web.menu.price_lists"), lists=lists,
                  errors=errors or {}, values=values or {}, name_max=PRICE_LIST_NAME_MAX,
                  flash=saved_text(language, saved),
                  note=delivery_note(request, office, user, "products"))


@router.post("/price-lists", response_class=HTMLResponse)
def add_price_list(request: Request, user: Owner, office: Office, form: Form) -> Response:
    language = request_language(request)
    name = form_text(form, "name")
    errors: dict[str, str] = {}
    too_long(errors, language, form, "name")
    if not errors:
        try:
            list_id = office.add_price_list(name)
        except DomainError as exc:
            errors = error_text(exc, language, {"err.name_empty": "name", "err.name_too_long": "name",
                                            "err.price_list_taken": "name"})
    if errors:
        return _lists_page(request, user, office, errors=errors, values={"name": name[:FIELD_MAX]},
                           status=422)
    return RedirectResponse(f"/price-lists/{list_id}?saved=list_added", status_code=303)


def _price_list_or_404(office: BackOffice, list_id: int) -> dict[str, Any]:
    try:
        return office.get_price_list(list_id)
    except DomainError:
        raise HTTPException(status_code=404) from None


def _list_page(request: Request, user: WebUser, office: BackOffice, list_id: int, *,
               q: str = "", page: int = 1, saved: str | None = None,
               saved_params: dict[str, Any] | None = None,
               errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
               row_errors: dict[str, str] | None = None, jump: dict[str, Any] | None = None,
               removal: dict[str, Any] | None = None, status: int = 200) -> Response:
    """The price list's page; ``errors`` belong to the forms above the table
    (``values`` keep what was typed), ``row_errors`` to one product's row (by PLU),
    ``jump`` asks to confirm a price changing more than 5×, ``removal`` a price removed
    (the product stops selling in this list's stores)."""  # row_errors["row"]: its PLU
    language = request_language(request)
    price_list = _price_list_or_404(office, list_id)
    q = q.strip()[:FIELD_MAX]
    total = office.list_prices(list_id, q, offset=0, limit=1)[1]
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows, _ = office.list_prices(list_id, q, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    for row in rows:
        row["version"] = fingerprint({"price": row["price"]})
    stores = list(_stores_by_id(office).values())
    selling = [s["name"] for s in stores if s["price_list_id"] == list_id]
    base = f"/price-lists/{list_id}?" + (urlencode({"q": q}) + "&" if q else "")
    return render(request, "pricing_list.html", status_code=status,
                  title=price_list["name"], price_list=price_list, rows=rows, total=total,
                  page=page, pages=pages, base=base, q=q, selling=selling,
                  store_options=[(s["id"], s["name"]) for s in stores],
                  errors=errors or {}, values=values or {}, row_errors=row_errors or {},
                  jump=jump, removal=removal, name_max=PRICE_LIST_NAME_MAX,
                  version=fingerprint(price_list), assign_version=fingerprint(assignments(office)),
                  flash=saved_text(language, saved, **(saved_params or {})),
                  note=delivery_note(request, office, user, "products"))


@router.get("/price-lists/{list_id}", response_class=HTMLResponse)
def price_list_page(request: Request, user: Owner, office: Office, list_id: Id,
                    q: str = "", page: str | None = None, saved: str | None = None,
                    store: str | None = None, plu: str | None = None) -> Response:
    params: dict[str, Any] = {"store": "", "plu": ""}
    if store is not None:
        stores = _stores_by_id(office)
        chosen = _page_number(store)
        params["store"] = stores[chosen]["name"] if chosen in stores else "?"
    if plu is not None:
        params["plu"] = plu[:20]
    return _list_page(request, user, office, list_id, q=q, page=_page_number(page), saved=saved,
                      saved_params=params)


def _back(list_id: int, form: FormData, saved: str, **extra: Any) -> RedirectResponse:
    """To the list's page as it was (search and page kept), with a saved line."""
    params = {k: form_text(form, k)[:FIELD_MAX] for k in ("q", "page") if form_text(form, k)}
    params.update(saved=saved, **{k: str(v) for k, v in extra.items()})
    return RedirectResponse(f"/price-lists/{list_id}?{urlencode(params)}", status_code=303)


@router.post("/price-lists/{list_id}/rename", response_class=HTMLResponse)
def rename_price_list(request: Request, user: Owner, office: Office, form: Form,
                      list_id: Id) -> Response:
    language = request_language(request)
    name = form_text(form, "name")
    errors: dict[str, str] = {}
    too_long(errors, language, form, "name")
    if not errors:
        try:
            check_version(form, _price_list_or_404(office, list_id))
            office.rename_price_list(list_id, name)
        except DomainError as exc:
            errors = error_text(exc, language, {"err.name_empty": "name", "err.name_too_long": "name",
                                            "err.price_list_taken": "name"})
            if exc.key == "err.web_stale":  # show the current name
                return _list_page(request, user, office, list_id, errors=errors, status=409)
    if errors:
        return _list_page(request, user, office, list_id, errors=errors,
                          values={"name": name[:FIELD_MAX]}, status=422)
    return _back(list_id, form, "renamed")


@router.post("/price-lists/{list_id}/prices", response_class=HTMLResponse)
def set_price(request: Request, user: Owner, office: Office, form: Form,
              list_id: Id) -> Response:
    """Set a product's price (a row's form, or the form by PLU/EAN above the table)."""
    language = request_language(request)
    _price_list_or_404(office, list_id)
    plu, typed = form_text(form, "plu").strip(), form_text(form, "price")
    in_row = form_text(form, "row") == "1"
    errors: dict[str, str] = {}
    too_long(errors, language, form, "plu", "price", limit=40)
    product_id = None
    if not plu:
        errors.setdefault("plu", text_in(language, "web.form.required"))
    elif "plu" not in errors:
        product_id = office.product_by_code(plu)
        if product_id is None:
            errors["plu"] = text_in(language, "web.pricing.product_unknown", product=plu[:40])
    price, why = parse_price(typed, language) if "price" not in errors else (None, "")
    if why:
        errors["price"] = why
    jump = None
    if not errors and product_id is not None and price is not None:
        try:
            if in_row:
                check_version(form, {"price": office.get_price(list_id, product_id)})
            office.set_price(list_id, product_id, price, confirmed=form_text(form, "confirm") == "1")
        except DomainError as exc:
            if exc.key == "err.price_jump":
                old, new = exc.params["old"], exc.params["new"]
                jump = {"plu": exc.params["plu"], "price": typed.strip(), "old": money(old),
                        "new": money(new), "times": _times(old, new, language), "row": in_row,
                        "version": fingerprint({"price": old})}
            else:
                errors = error_text(exc, language, {"err.price_zero": "price",
                                                "err.price_invalid": "price",
                                                "err.product_unknown": "plu"})
    if errors or jump:
        values = {"plu": plu[:40], "price": typed[:40]}
        page, q = _page_number(form_text(form, "page")), form_text(form, "q")
        if in_row and not jump:
            return _list_page(request, user, office, list_id, q=q, page=page,
                              row_errors={"row": plu, **errors}, values=values, status=422,
                              errors={FORM: errors[FORM]} if FORM in errors else None)
        return _list_page(request, user, office, list_id, q=q, page=page, errors=errors,
                          values=values, jump=jump, status=409 if jump else 422)
    return _back(list_id, form, "price_set", plu=plu)


@router.post("/price-lists/{list_id}/prices/remove", response_class=HTMLResponse)
def remove_price(request: Request, user: Owner, office: Office, form: Form,
                 list_id: Id) -> Response:
    language = request_language(request)
    _price_list_or_404(office, list_id)
    plu = form_text(form, "plu").strip()[:40]
    product_id = office.product_by_code(plu) if plu else None
    errors: dict[str, str] = {}
    if product_id is None:
        errors[FORM] = text_in(language, "web.pricing.product_unknown", product=plu)
    else:
        try:
            price = office.get_price(list_id, product_id)
            check_version(form, {"price": price})
            if form_text(form, "confirm") != "1":  # the page asks first
                return _list_page(request, user, office, list_id, q=form_text(form, "q"),
                                  page=_page_number(form_text(form, "page")), removal={
                                      "plu": plu, "price": money(price) if price else "",
                                      "name": office.get_product(product_id)["name"],
                                      "version": form_text(form, "version")})
            office.remove_price(list_id, product_id)
        except DomainError as exc:
            errors = error_text(exc, language)
    if errors:
        return _list_page(request, user, office, list_id, q=form_text(form, "q"),
                          page=_page_number(form_text(form, "page")), errors=errors,
                          status=422)
    return _back(list_id, form, "price_removed", plu=plu)


@router.post("/price-lists/{list_id}/assign", response_class=HTMLResponse)
def assign_from_list(request: Request, user: Owner, office: Office, form: Form,
                     list_id: Id) -> Response:
    language = request_language(request)
    _price_list_or_404(office, list_id)
    errors = assign(office, form, language, id_field(form, "store"), list_id)
    if errors:
        return _list_page(request, user, office, list_id, errors=errors, status=422)
    return _back(list_id, form, "assigned", store=id_field(form, "store"))


def assign(office: BackOffice, form: FormData, language: str, store_id: int | None,
            list_id: int | None) -> dict[str, str]:
    """Make a store sell from a list (the form's choice); the errors, if any."""
    if store_id is None:
        return {"store": text_in(language, "web.form.choice")}
    if list_id is None:
        return {"price_list": text_in(language, "web.form.choice")}
    try:
        check_version(form, assignments(office))
        office.assign_price_list(store_id, list_id)
    except DomainError as exc:
        return error_text(exc, language, {"err.store_unknown": "store",
                                      "err.price_list_unknown": "price_list"})
    return {}
