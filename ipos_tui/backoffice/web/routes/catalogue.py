"""Produkty → Jednostki miar, Kategorie (Stawki VAT, Rabaty: :mod:`.rates`; Import i
eksport: :mod:`.imports`), and the helpers these pages share.

Owner-only pages over :class:`~ipos_tui.backoffice.services.catalogue.CatalogueService`
and :mod:`ipos_tui.backoffice.csvio` (the same code as ``ipos-backoffice import-csv`` /
``export-csv``): every rule lives there, a page only maps its refusals to the field
they are about. Each page says what the tills have not fetched yet (products stream).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from ipos_tui.backoffice.services import BackOffice, WebUser
from ipos_tui.backoffice.services.categories import UNIT_PRECISIONS
from ipos_tui.domain.errors import DomainError
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
#: Longest text a one-line field of these pages takes before the service sees it.
MAX_FIELD = 200


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


def field_error(exc: DomainError, language: str, fields: Mapping[str, str]) -> dict[str, str]:
    return {fields.get(exc.key, FORM): message(language, exc.key, exc.params)}


def form_text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def too_long(value: str, language: str) -> str | None:
    if len(value) > MAX_FIELD:
        return text_in(language, "web.form.too_long", max_length=MAX_FIELD)
    return None


def saved_redirect(path: str, what: str, **params: Any) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode({'saved': what, **params})}", status_code=303)


def flash(request: Request, group: str) -> str:
    saved = request.query_params.get("saved")
    if not saved or not saved.isidentifier():
        return ""
    key = f"web.{group}.saved_{saved}"
    if not has_key(key):
        return ""
    params = {k: v for k, v in request.query_params.items() if k != "saved"}
    return text_in(request_language(request), key, **params)


def products_page(request: Request, template: str, office: BackOffice, user: WebUser,
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
    return products_page(request, "catalogue_units.html", office, user, status_code,
                 units=office.list_units(), precisions=UNIT_PRECISIONS,
                 flash=flash(request, "units"), **context)


@router.get("/units", response_class=HTMLResponse)
def units(request: Request, user: Owner, office: Office) -> Response:
    return _units_page(request, office, user)


@router.post("/units", response_class=HTMLResponse)
def add_unit(request: Request, user: Owner, office: Office, form: Form) -> Response:
    language = request_language(request)
    name, precision_text = form_text(form, "name"), form_text(form, "precision").strip()
    errors: dict[str, str] = {}
    if (problem := too_long(name, language)):
        errors["name"] = problem
    if precision_text not in {str(n) for n in UNIT_PRECISIONS}:
        errors["precision"] = message(language, "err.unit_precision",
                                      {"precision": precision_text[:20]})
    if not errors:
        try:
            office.add_unit(name, int(precision_text))
            return saved_redirect("/units", "added", name=name.strip())
        except DomainError as exc:
            errors = field_error(exc, language, _UNIT_FIELDS)
    return _units_page(request, office, user, 422, errors=errors,
                       values={"name": name, "precision": precision_text})


@router.get("/units/{unit_id}", response_class=HTMLResponse)
def unit_page(request: Request, user: Owner, office: Office, unit_id: int) -> Response:
    unit = _unit(office, unit_id)
    return products_page(request, "catalogue_unit.html", office, user, unit=unit,
                 fingerprint=fingerprint(unit), values={"name": unit["name"]})


@router.post("/units/{unit_id}", response_class=HTMLResponse)
def rename_unit(request: Request, user: Owner, office: Office, form: Form,
                unit_id: int) -> Response:
    language = request_language(request)
    unit = _unit(office, unit_id)
    name = form_text(form, "name")
    errors: dict[str, str] = {}
    try:
        check_version(form, unit)
        if (problem := too_long(name, language)):
            errors["name"] = problem
        else:
            office.rename_unit(unit["name"], name)
            return saved_redirect("/units", "renamed", name=name.strip())
    except DomainError as exc:
        errors = field_error(exc, language, _UNIT_FIELDS)
        if exc.key == "err.web_stale":
            name = unit["name"]
    return products_page(request, "catalogue_unit.html", office, user, 422, unit=unit,
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
    return products_page(request, "catalogue_categories.html", office, user, status_code,
                 tree=tree, counts=office.category_product_counts(),
                 flash=flash(request, "categories"), **context)


@router.get("/categories", response_class=HTMLResponse)
def categories(request: Request, user: Owner, office: Office) -> Response:
    return _categories_page(request, office, user)


@router.post("/categories", response_class=HTMLResponse)
def add_category(request: Request, user: Owner, office: Office, form: Form) -> Response:
    language = request_language(request)
    name, parent_text = form_text(form, "name"), form_text(form, "parent")
    parent = _parent_id(parent_text)
    errors: dict[str, str] = {}
    if (problem := too_long(name, language)):
        errors["name"] = problem
    elif isinstance(parent, str):
        errors["parent"] = message(language, "err.category_unknown",
                                   {"category": parent[:20]})
    else:
        try:
            office.add_category(name, parent)
            return saved_redirect("/categories", "added", name=name.strip())
        except DomainError as exc:
            errors = field_error(exc, language, _CATEGORY_FIELDS)
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
    return products_page(request, "catalogue_category.html", office, user, status_code,
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
    name, parent_text = form_text(form, "name"), form_text(form, "parent")
    parent = _parent_id(parent_text)
    values = {"name": name, "parent": parent_text}
    errors: dict[str, str] = {}
    try:
        check_version(form, category)
        if (problem := too_long(name, language)):
            errors["name"] = problem
        elif isinstance(parent, str):
            errors["parent"] = message(language, "err.category_unknown",
                                       {"category": parent[:20]})
        else:
            office.update_category(category_id, name=name, parent_id=parent)
            return saved_redirect("/categories", "changed", name=name.strip())
    except DomainError as exc:
        errors = field_error(exc, language, _CATEGORY_FIELDS)
        if exc.key == "err.web_stale":
            values = {"name": category["name"], "parent": category["parent_id"] or ""}
    return _category_page(request, office, user, category, 422, errors=errors, values=values)


@router.post("/categories/{category_id}/delete", response_class=HTMLResponse)
def delete_category(request: Request, user: Owner, office: Office, form: Form,
                    category_id: int) -> Response:
    """Without ``confirm``: the page asks first (what loses the category); with it: gone."""
    category = _category(office, category_id)
    if form_text(form, "confirm") != "1":
        return _category_page(request, office, user, category, confirm_delete=True)
    try:
        check_version(form, category)
    except DomainError as exc:
        return _category_page(request, office, user, category, 422,
                              errors=field_error(exc, request_language(request), {}))
    office.delete_category(category_id)
    return saved_redirect("/categories", "deleted", name=category["name"])
