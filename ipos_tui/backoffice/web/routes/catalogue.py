"""Produkty → Jednostki miar, Kategorie, Stawki VAT, Rabaty, Import i eksport.

Owner-only pages over :class:`~ipos_tui.backoffice.services.catalogue.CatalogueService`
and :mod:`ipos_tui.backoffice.csvio` (the same code as ``ipos-backoffice import-csv`` /
``export-csv``): every rule lives there, a page only maps its refusals to the field
they are about. Each page says what the tills have not fetched yet (products stream).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from ipos_tui.backoffice import csvio
from ipos_tui.backoffice.services import BackOffice, WebUser
from ipos_tui.backoffice.services.categories import UNIT_PRECISIONS
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import format_money, format_percent_bp, parse_money, parse_percent
from ipos_tui.domain.vat import PTU_LETTERS, parse_vat_rate, rate_text
from ipos_tui.i18n import has_key, text_in

from ..auth import Form, Office, Owner
from ..delivery import delivery_note
from ..forms import FORM, check_version, fingerprint
from ..render import render, request_language

router = APIRouter()

#: Service refusals shown next to a field, per page (error key → field name).
_UNIT_FIELDS = {"err.unit_empty": "name", "err.unit_digits": "name", "err.unit_taken": "name",
                "err.name_too_long": "name", "err.unit_builtin": "name",
                "err.unit_precision": "precision"}
_CATEGORY_FIELDS = {"err.name_empty": "name", "err.name_too_long": "name",
                    "err.category_taken": "name", "err.category_unknown": "parent",
                    "err.category_cycle": "parent"}
_DISCOUNT_FIELDS = {"err.name_empty": "name", "err.name_too_long": "name",
                    "err.discount_taken": "name", "err.discount_kind_invalid": "kind",
                    "err.discount_value_invalid": "value", "err.percent_invalid": "value",
                    "err.money_invalid": "value", "err.discount_scope_invalid": "scope"}
#: Longest text a one-line field of these pages takes before the service sees it.
_MAX_FIELD = 200
#: Bad rows of an import listed in the page (the count says how many there were).
MAX_ROWS_SHOWN = 200


def message(language: str, key: str, params: Mapping[str, Any] | None = None) -> str:
    """A refusal in the page's language: the page's own wording (``web.catalogue.KEY``)
    when the shared one speaks of commands, else the shared catalogue's text (``KEY``,
    then the admin CLI's ``cli.KEY``); lists in the parameters are joined with commas."""
    shown = {k: ", ".join(map(str, v)) if isinstance(v, list | tuple) else v
             for k, v in (params or {}).items()}
    for candidate in (f"web.catalogue.{key}", key, f"cli.{key}"):
        if has_key(candidate):
            return text_in(language, candidate, **shown)
    return text_in(language, "web.form.invalid")


def _field_error(exc: DomainError, language: str, fields: Mapping[str, str]) -> dict[str, str]:
    return {fields.get(exc.key, FORM): message(language, exc.key, exc.params)}


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _too_long(value: str, language: str) -> str | None:
    if len(value) > _MAX_FIELD:
        return text_in(language, "web.form.too_long", max_length=_MAX_FIELD)
    return None


def _saved(path: str, what: str, **params: Any) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode({'saved': what, **params})}", status_code=303)


def _flash(request: Request, group: str) -> str:
    saved = request.query_params.get("saved")
    if not saved or not saved.isidentifier():
        return ""
    key = f"web.{group}.saved_{saved}"
    if not has_key(key):
        return ""
    params = {k: v for k, v in request.query_params.items() if k != "saved"}
    return text_in(request_language(request), key, **params)


def _page(request: Request, template: str, office: BackOffice, user: WebUser,
          status_code: int = 200, **context: Any) -> Response:
    context.setdefault("errors", {})
    context.setdefault("values", {})
    return render(request, template, status_code=status_code,
                  note=delivery_note(request, office, user, "products"), **context)


# ------------------------------------------------------------------ units


def _unit(office: BackOffice, unit_id: int) -> dict[str, Any]:
    for unit in office.list_units():
        if unit["id"] == unit_id:
            return unit
    raise HTTPException(status_code=404)


def _units_page(request: Request, office: BackOffice, user: WebUser, status_code: int = 200,
                **context: Any) -> Response:
    return _page(request, "catalogue_units.html", office, user, status_code,
                 units=office.list_units(), precisions=UNIT_PRECISIONS,
                 flash=_flash(request, "units"), **context)


@router.get("/units", response_class=HTMLResponse)
def units(request: Request, user: Owner, office: Office) -> Response:
    return _units_page(request, office, user)


@router.post("/units", response_class=HTMLResponse)
def add_unit(request: Request, user: Owner, office: Office, form: Form) -> Response:
    language = request_language(request)
    name, precision_text = _text(form, "name"), _text(form, "precision").strip()
    errors: dict[str, str] = {}
    if (problem := _too_long(name, language)):
        errors["name"] = problem
    if precision_text not in {str(n) for n in UNIT_PRECISIONS}:
        errors["precision"] = message(language, "err.unit_precision",
                                      {"precision": precision_text[:20]})
    if not errors:
        try:
            office.add_unit(name, int(precision_text))
            return _saved("/units", "added", name=name.strip())
        except DomainError as exc:
            errors = _field_error(exc, language, _UNIT_FIELDS)
    return _units_page(request, office, user, 422, errors=errors,
                       values={"name": name, "precision": precision_text})


@router.get("/units/{unit_id}", response_class=HTMLResponse)
def unit_page(request: Request, user: Owner, office: Office, unit_id: int) -> Response:
    unit = _unit(office, unit_id)
    return _page(request, "catalogue_unit.html", office, user, unit=unit,
                 fingerprint=fingerprint(unit), values={"name": unit["name"]})


@router.post("/units/{unit_id}", response_class=HTMLResponse)
def rename_unit(request: Request, user: Owner, office: Office, form: Form,
                unit_id: int) -> Response:
    language = request_language(request)
    unit = _unit(office, unit_id)
    name = _text(form, "name")
    errors: dict[str, str] = {}
    try:
        check_version(form, unit)
        if (problem := _too_long(name, language)):
            errors["name"] = problem
        else:
            office.rename_unit(unit["name"], name)
            return _saved("/units", "renamed", name=name.strip())
    except DomainError as exc:
        errors = _field_error(exc, language, _UNIT_FIELDS)
        if exc.key == "err.web_stale":
            name = unit["name"]
    return _page(request, "catalogue_unit.html", office, user, 422, unit=unit,
                 fingerprint=fingerprint(unit), errors=errors, values={"name": name})


# ------------------------------------------------------------- categories


def category_tree(categories: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The categories depth first (parents before children, names in order), each with
    its ``depth`` and ``path`` ("Napoje / Soki")."""
    children: dict[int | None, list[dict[str, Any]]] = {}
    ids = {c["id"] for c in categories}
    for category in categories:
        parent = category["parent_id"] if category["parent_id"] in ids else None
        children.setdefault(parent, []).append(category)
    ordered: list[dict[str, Any]] = []

    def walk(parent: int | None, depth: int, prefix: str) -> None:
        for category in sorted(children.get(parent, []), key=lambda c: c["name"].casefold()):
            path = f"{prefix}{category['name']}"
            ordered.append({**category, "depth": depth, "path": path})
            walk(category["id"], depth + 1, path + " / ")

    walk(None, 0, "")
    return ordered


def _descendants(categories: list[dict[str, Any]], category_id: int) -> set[int]:
    found = {category_id}
    changed = True
    while changed:
        changed = False
        for category in categories:
            if category["parent_id"] in found and category["id"] not in found:
                found.add(category["id"])
                changed = True
    return found


def _category(office: BackOffice, category_id: int) -> dict[str, Any]:
    for category in office.list_categories():
        if category["id"] == category_id:
            return category
    raise HTTPException(status_code=404)


def _parent_id(text: str) -> int | None | str:
    """The posted parent: None (top level), a category id, or the text when it is junk."""
    text = text.strip()
    if not text:
        return None
    return int(text) if text.isdigit() and len(text) < 10 else text


def _categories_page(request: Request, office: BackOffice, user: WebUser,
                     status_code: int = 200, **context: Any) -> Response:
    tree = category_tree(office.list_categories())
    return _page(request, "catalogue_categories.html", office, user, status_code,
                 tree=tree, counts=office.category_product_counts(),
                 flash=_flash(request, "categories"), **context)


@router.get("/categories", response_class=HTMLResponse)
def categories(request: Request, user: Owner, office: Office) -> Response:
    return _categories_page(request, office, user)


@router.post("/categories", response_class=HTMLResponse)
def add_category(request: Request, user: Owner, office: Office, form: Form) -> Response:
    language = request_language(request)
    name, parent_text = _text(form, "name"), _text(form, "parent")
    parent = _parent_id(parent_text)
    errors: dict[str, str] = {}
    if (problem := _too_long(name, language)):
        errors["name"] = problem
    elif isinstance(parent, str):
        errors["parent"] = message(language, "err.category_unknown",
                                   {"category": parent[:20]})
    else:
        try:
            office.add_category(name, parent)
            return _saved("/categories", "added", name=name.strip())
        except DomainError as exc:
            errors = _field_error(exc, language, _CATEGORY_FIELDS)
    return _categories_page(request, office, user, 422, errors=errors,
                            values={"name": name, "parent": parent_text})


def _category_page(request: Request, office: BackOffice, user: WebUser,
                   category: dict[str, Any], status_code: int = 200,
                   **context: Any) -> Response:
    categories = office.list_categories()
    excluded = _descendants(categories, category["id"])
    parents = [c for c in category_tree(categories) if c["id"] not in excluded]
    children = [c for c in categories if c["parent_id"] == category["id"]]
    context.setdefault("values", {"name": category["name"],
                                  "parent": category["parent_id"] or ""})
    return _page(request, "catalogue_category.html", office, user, status_code,
                 category=category, parents=parents, fingerprint=fingerprint(category),
                 products=office.category_product_counts().get(category["id"], 0),
                 children=len(children), **context)


@router.get("/categories/{category_id}", response_class=HTMLResponse)
def category_page(request: Request, user: Owner, office: Office, category_id: int) -> Response:
    return _category_page(request, office, user, _category(office, category_id))


@router.post("/categories/{category_id}", response_class=HTMLResponse)
def update_category(request: Request, user: Owner, office: Office, form: Form,
                    category_id: int) -> Response:
    language = request_language(request)
    category = _category(office, category_id)
    name, parent_text = _text(form, "name"), _text(form, "parent")
    parent = _parent_id(parent_text)
    values = {"name": name, "parent": parent_text}
    errors: dict[str, str] = {}
    try:
        check_version(form, category)
        if (problem := _too_long(name, language)):
            errors["name"] = problem
        elif isinstance(parent, str):
            errors["parent"] = message(language, "err.category_unknown",
                                       {"category": parent[:20]})
        else:
            office.update_category(category_id, name=name, parent_id=parent)
            return _saved("/categories", "changed", name=name.strip())
    except DomainError as exc:
        errors = _field_error(exc, language, _CATEGORY_FIELDS)
        if exc.key == "err.web_stale":
            values = {"name": category["name"], "parent": category["parent_id"] or ""}
    return _category_page(request, office, user, category, 422, errors=errors, values=values)


@router.post("/categories/{category_id}/delete", response_class=HTMLResponse)
def delete_category(request: Request, user: Owner, office: Office, form: Form,
                    category_id: int) -> Response:
    """Without ``confirm``: the page asks first (what loses the category); with it: gone."""
    category = _category(office, category_id)
    if _text(form, "confirm") != "1":
        return _category_page(request, office, user, category, confirm_delete=True)
    try:
        check_version(form, category)
    except DomainError as exc:
        return _category_page(request, office, user, category, 422,
                              errors=_field_error(exc, request_language(request), {}))
    office.delete_category(category_id)
    return _saved("/categories", "deleted", name=category["name"])


# -------------------------------------------------------------------- VAT


def _vat_page(request: Request, office: BackOffice, user: WebUser, status_code: int = 200,
              **context: Any) -> Response:
    """Letters A-G with the back office's rate ("zw." exempt; a letter without one is
    unused), and the form changing one."""
    current = {row["letter"]: row["rate_bp"] for row in office.list_vat_rates()}
    rates = [{"letter": letter, "used": letter in current, "rate": rate_text(current.get(letter))}
             for letter in PTU_LETTERS]
    context.setdefault("flash", "")
    return _page(request, "catalogue_vat.html", office, user, status_code, rates=rates,
                 letters=[(letter, letter) for letter in PTU_LETTERS],
                 version=fingerprint(office.list_vat_rates()), **context)


@router.get("/vat", response_class=HTMLResponse)
def vat(request: Request, user: Owner, office: Office) -> Response:
    flash = ""
    letter, rate = request.query_params.get("letter", ""), request.query_params.get("rate", "")
    if request.query_params.get("saved") == "vat" and letter in PTU_LETTERS and len(rate) <= 10:
        flash = text_in(request_language(request), "vatdocs.saved", letter=letter, rate=rate)
    return _vat_page(request, office, user, flash=flash)


@router.post("/vat", response_class=HTMLResponse)
def vat_save(request: Request, user: Owner, office: Office, form: Form) -> Response:
    """Set one letter's rate by the fiscal printer's rules (letters A-G, 0-99,99 % or
    "zw."); the tills write it to their printers at their next day close."""
    language = request_language(request)
    values = {"letter": _text(form, "letter")[:_MAX_FIELD], "rate": _text(form, "rate")[:_MAX_FIELD]}
    errors: dict[str, str] = {}
    try:
        check_version(form, office.list_vat_rates())
    except DomainError as exc:
        return _vat_page(request, office, user, 409, values=values,
                         errors=_field_error(exc, language, {}))
    letter = values["letter"].strip().upper()
    if letter not in PTU_LETTERS:
        errors["letter"] = text_in(language, "vatdocs.err_letter")
    if not values["rate"].strip():
        errors["rate"] = text_in(language, "web.form.required")
    if errors:
        return _vat_page(request, office, user, 422, values=values, errors=errors)
    try:
        rate_bp = parse_vat_rate(letter, values["rate"])
    except DomainError:
        return _vat_page(request, office, user, 422, values=values,
                         errors={"rate": text_in(language, "vatdocs.err_rate")})
    current = {row["letter"]: row["rate_bp"] for row in office.list_vat_rates()}
    if letter in current and current[letter] == rate_bp:
        return _vat_page(request, office, user, 200, values=values,
                         flash=text_in(language, "vatdocs.same", letter=letter, rate=rate_text(rate_bp)))
    try:
        office.set_vat_rate(letter, rate_bp)
    except DomainError as exc:
        return _vat_page(request, office, user, 422, values=values,
                         errors=_field_error(exc, language, {"err.vat_letter": "letter",
                                                             "err.vat_rate_invalid": "rate"}))
    return _saved("/vat", "vat", letter=letter, rate=rate_text(rate_bp))


# --------------------------------------------------------------- discounts


def _discount_value(discount: dict[str, Any]) -> str:
    if discount["kind"] == "percent":
        return format_percent_bp(discount["value"]).replace("\u00a0", " ")
    return format_money(discount["value"])


def _discounts_page(request: Request, office: BackOffice, user: WebUser,
                    status_code: int = 200, **context: Any) -> Response:
    rows = [{**d, "shown": _discount_value(d)} for d in office.list_discounts()]
    context.setdefault("values", {"kind": "percent", "scope": "line"})
    return _page(request, "catalogue_discounts.html", office, user, status_code,
                 discounts=rows, flash=_flash(request, "discounts"), **context)


@router.get("/discounts", response_class=HTMLResponse)
def discounts(request: Request, user: Owner, office: Office) -> Response:
    return _discounts_page(request, office, user)


@router.post("/discounts", response_class=HTMLResponse)
def add_discount(request: Request, user: Owner, office: Office, form: Form) -> Response:
    language = request_language(request)
    values = {k: _text(form, k) for k in ("name", "kind", "value", "scope")}
    errors: dict[str, str] = {}
    if (problem := _too_long(values["name"], language)):
        errors["name"] = problem
    if len(values["value"]) > 40:
        errors["value"] = text_in(language, "web.form.too_long", max_length=40)
    if not errors:
        try:
            kind = values["kind"]
            if kind == "percent":
                value = parse_percent(values["value"])
            elif kind == "amount":
                value = parse_money(values["value"])
            else:
                raise DomainError("err.discount_kind_invalid", kind=kind[:20])
            office.add_discount(values["name"], kind, value, values["scope"][:20])
            return _saved("/discounts", "added", name=values["name"].strip())
        except DomainError as exc:
            errors = _field_error(exc, language, _DISCOUNT_FIELDS)
    return _discounts_page(request, office, user, 422, errors=errors, values=values)


@router.post("/discounts/{discount_id}/delete", response_class=HTMLResponse)
def delete_discount(request: Request, user: Owner, office: Office, form: Form,
                    discount_id: int) -> Response:
    if discount_id not in {d["id"] for d in office.list_discounts()}:
        raise HTTPException(status_code=404)
    office.delete_discount(discount_id)
    return _saved("/discounts", "deleted")


# ------------------------------------------------------------ import, export


@dataclass
class _Pending:
    """An uploaded file waiting for the owner's answer about price jumps."""

    user_id: int
    company_id: int
    price_list_id: int
    text: str
    created: float


class PendingImports:
    """Files whose prices jump more than 5×, kept until the owner answers (a few, for
    half an hour, in this process's memory; after a restart the owner sends it again)."""

    LIMIT = 4
    TTL = 30 * 60

    def __init__(self) -> None:
        self._items: OrderedDict[str, _Pending] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, item: _Pending) -> str:
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._items[token] = item
            while len(self._items) > self.LIMIT:
                self._items.popitem(last=False)
        return token

    def take(self, token: str, user: WebUser) -> _Pending | None:
        with self._lock:
            item = self._items.get(token)
            if (item is None or item.user_id != user.id
                    or item.company_id != user.company_id):
                return None
            del self._items[token]
        return item if time.monotonic() - item.created < self.TTL else None


PENDING = PendingImports()


class _JumpsFound(Exception):
    def __init__(self, jumps: list[csvio.PriceJump]) -> None:
        super().__init__(len(jumps))
        self.jumps = jumps


def _import_page(request: Request, office: BackOffice, user: WebUser, status_code: int = 200,
                 **context: Any) -> Response:
    lists = office.list_price_lists()
    context.setdefault("values", {"list": str(lists[0]["id"]) if lists else ""})
    return _page(request, "catalogue_import.html", office, user, status_code,
                 lists=lists, flash=_flash(request, "import"),
                 max_rows=MAX_ROWS_SHOWN, **context)


def _price_list_id(office: BackOffice, text: str) -> int | None:
    text = text.strip()
    if text.isdigit() and len(text) < 10 and int(text) in {
            pl["id"] for pl in office.list_price_lists()}:
        return int(text)
    return None


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request, user: Owner, office: Office) -> Response:
    return _import_page(request, office, user)


def _row_errors(language: str, exc: DomainError) -> list[dict[str, Any]]:
    return [{"line": e["line"], "reason": message(language, e["key"], e["params"])}
            for e in exc.params.get("errors", [])]


def _run_import(request: Request, office: BackOffice, user: WebUser, text: str, list_id: int,
                *, ask: bool) -> Response:
    language = request_language(request)

    def confirm(jumps: list[csvio.PriceJump]) -> None:
        raise _JumpsFound(jumps)

    values = {"list": str(list_id)}
    try:
        result = csvio.import_products_csv(office, text, list_id,
                                           confirm_jumps=confirm if ask else None)
    except _JumpsFound as found:
        token = PENDING.put(_Pending(user.id, user.company_id, list_id, text,
                                     time.monotonic()))
        jumps = [{"line": j.line, "plu": j.plu, "old": format_money(j.old),
                  "new": format_money(j.new)} for j in found.jumps]
        return _import_page(request, office, user, 200, jumps=jumps, token=token,
                            list_id=list_id, values=values)
    except DomainError as exc:
        if exc.key == "err.import_failed":
            rows = _row_errors(language, exc)
            return _import_page(request, office, user, 422, values=values, rows=rows,
                                row_count=exc.params.get("count", len(rows)))
        return _import_page(request, office, user, 422, values=values,
                            errors={"file": message(language, exc.key, exc.params)})
    return _saved("/import", "imported", created=result["created"], updated=result["updated"])


@router.post("/import", response_class=HTMLResponse)
def import_csv(request: Request, user: Owner, office: Office, form: Form) -> Response:
    language = request_language(request)
    upload = form.get("file")
    list_text = _text(form, "list")
    list_id = _price_list_id(office, list_text)
    errors: dict[str, str] = {}
    if list_id is None:
        errors["list"] = message(language, "err.price_list_unknown",
                                 {"price_list": list_text[:20]})
    data = b""
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors["file"] = text_in(language, "web.import.no_file")
    else:
        data = upload.file.read()
        if not data.strip():
            errors["file"] = message(language, "err.csv_empty")
    if errors or list_id is None:
        return _import_page(request, office, user, 422, errors=errors,
                            values={"list": list_text})
    return _run_import(request, office, user, csvio.decode_csv(data), list_id, ask=True)


@router.post("/import/confirm", response_class=HTMLResponse)
def confirm_import(request: Request, user: Owner, office: Office, form: Form) -> Response:
    """The owner's "yes" to the price jumps: the kept file is imported as it is."""
    pending = PENDING.take(_text(form, "token"), user)
    if pending is None:
        return _import_page(request, office, user, 422, errors={
            FORM: text_in(request_language(request), "web.import.expired")})
    return _run_import(request, office, user, pending.text, pending.price_list_id, ask=False)


@router.get("/export")
def export_csv(request: Request, user: Owner, office: Office, list: str = "") -> Response:
    list_id = _price_list_id(office, list)
    if list_id is None:
        raise HTTPException(status_code=404)
    # a BOM: a spreadsheet opening the file reads its Polish letters as UTF-8
    body = "\ufeff" + csvio.export_products_csv(office, list_id)
    return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="asortyment-cennik-{list_id}.csv"'})
