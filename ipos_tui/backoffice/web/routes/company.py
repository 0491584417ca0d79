"""Konfiguracja → Firma and Sklepy: the company's data (the owner's) and its stores
(a manager sees their own, read-only), each with its price list."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ipos_tui.backoffice.services import BackOffice, WebUser
from ipos_tui.domain.errors import DomainError
from ipos_tui.i18n import text_in

from ..auth import Form, Office, Owner, User, store_allowed
from ..delivery import delivery_note
from ..forms import check_version, fingerprint
from ..render import render, request_language
from .pricing import (
    FIELD_MAX,
    Id,
    assign,
    assignments,
    error_text,
    form_text,
    id_field,
    saved_text,
    too_long,
)

router = APIRouter()


# ------------------------------------------------------------------ Firma


@router.get("/company", response_class=HTMLResponse)
def company_page(request: Request, user: Owner, office: Office,
                 saved: str | None = None) -> Response:
    return _company_page(request, user, office, saved=saved)


def _company_page(request: Request, user: WebUser, office: BackOffice, *,
                  saved: str | None = None, errors: dict[str, str] | None = None,
                  values: dict[str, str] | None = None, status: int = 200) -> Response:
    language = request_language(request)
    company = office.get_company()
    shown = values if values is not None else {
        "name": company["name"], "nip": company["nip"] or "", "address": company["address"] or ""}
    return render(request, "pricing_company.html", status_code=status,
                  title=text_in(language, "web.menu.company"), values=shown,
                  errors=errors or {}, version=fingerprint(company),
                  flash=saved_text(language, saved),
                  note=delivery_note(request, office, user, "config"))


@router.post("/company", response_class=HTMLResponse)
def save_company(request: Request, user: Owner, office: Office, form: Form) -> Response:
    language = request_language(request)
    values = {k: form_text(form, k) for k in ("name", "nip", "address")}
    errors: dict[str, str] = {}
    too_long(errors, language, form, "name", "nip", "address")
    if not errors:
        try:
            check_version(form, office.get_company())
            office.update_company(values["name"], values["nip"], values["address"])
        except DomainError as exc:
            errors = error_text(exc, language, {"err.name_empty": "name", "err.name_too_long": "name",
                                            "err.nip_invalid": "nip",
                                            "err.address_too_long": "address"})
            if exc.key == "err.web_stale":
                return _company_page(request, user, office, errors=errors, status=409)
    if errors:
        return _company_page(request, user, office, errors=errors,
                             values={k: v[:FIELD_MAX] for k, v in values.items()}, status=422)
    return RedirectResponse("/company?saved=company", status_code=303)


# ------------------------------------------------------------------ Sklepy


def _list_names(office: BackOffice) -> dict[int, str]:
    return {row["id"]: row["name"] for row in office.list_price_lists()}


@router.get("/stores", response_class=HTMLResponse)
def stores_page(request: Request, user: User, office: Office,
                saved: str | None = None) -> Response:
    return _stores_page(request, user, office, saved=saved)


def _stores_page(request: Request, user: WebUser, office: BackOffice, *,
                 saved: str | None = None, errors: dict[str, str] | None = None,
                 values: dict[str, str] | None = None, status: int = 200) -> Response:
    language = request_language(request)
    stores = [s for s in office.list_stores() if user.sees_store(s["id"])]
    return render(request, "pricing_stores.html", status_code=status,
                  title=text_in(language, "web.menu.stores"), stores=stores,
                  list_names=_list_names(office), errors=errors or {}, values=values or {},
                  flash=saved_text(language, saved),
                  note=delivery_note(request, office, user, "config"))


@router.post("/stores", response_class=HTMLResponse)
def add_store(request: Request, user: Owner, office: Office, form: Form) -> Response:
    language = request_language(request)
    values = {k: form_text(form, k) for k in ("name", "address", "price_list")}
    errors: dict[str, str] = {}
    too_long(errors, language, form, "name", "address")
    list_id = id_field(form, "price_list")
    if values["price_list"].strip() and list_id is None:
        errors["price_list"] = text_in(language, "web.form.choice")
    if not errors:
        try:
            store_id = office.add_store(values["name"], values["address"], list_id)
        except DomainError as exc:
            errors = error_text(exc, language, {"err.name_empty": "name", "err.name_too_long": "name",
                                            "err.address_too_long": "address",
                                            "err.price_list_unknown": "price_list"})
    if errors:
        return _stores_page(request, user, office, errors=errors,
                            values={k: v[:FIELD_MAX] for k, v in values.items()}, status=422)
    return RedirectResponse(f"/stores/{store_id}?saved=store_added", status_code=303)


def _store_or_404(office: BackOffice, user: WebUser, store_id: int) -> dict[str, Any]:
    store_allowed(user, store_id)
    try:
        return office.get_store(store_id)
    except DomainError:
        raise HTTPException(status_code=404) from None


def _store_page(request: Request, user: WebUser, office: BackOffice, store_id: int, *,
                saved: str | None = None, errors: dict[str, str] | None = None,
                values: dict[str, str] | None = None, status: int = 200) -> Response:
    language = request_language(request)
    store = _store_or_404(office, user, store_id)
    shown = values if values is not None else {"name": store["name"],
                                               "address": store["address"] or ""}
    return render(request, "pricing_store.html", status_code=status,
                  title=store["name"], store=store, values=shown, errors=errors or {},
                  list_names=_list_names(office), version=fingerprint(store),
                  assign_version=fingerprint(assignments(office)),
                  flash=saved_text(language, saved),
                  note=delivery_note(request, office, user, "config"),
                  products_note=delivery_note(request, office, user, "products"))


@router.get("/stores/{store_id}", response_class=HTMLResponse)
def store_page(request: Request, user: User, office: Office, store_id: Id,
               saved: str | None = None) -> Response:
    return _store_page(request, user, office, store_id, saved=saved)


@router.post("/stores/{store_id}", response_class=HTMLResponse)
def save_store(request: Request, user: Owner, office: Office, form: Form,
               store_id: Id) -> Response:
    language = request_language(request)
    store = _store_or_404(office, user, store_id)
    values = {k: form_text(form, k) for k in ("name", "address")}
    errors: dict[str, str] = {}
    too_long(errors, language, form, "name", "address")
    if not errors:
        try:
            check_version(form, store)
            office.update_store(store_id, name=values["name"], address=values["address"])
        except DomainError as exc:
            errors = error_text(exc, language, {"err.name_empty": "name", "err.name_too_long": "name",
                                            "err.address_too_long": "address"})
            if exc.key == "err.web_stale":
                return _store_page(request, user, office, store_id, errors=errors, status=409)
    if errors:
        return _store_page(request, user, office, store_id, errors=errors,
                           values={k: v[:FIELD_MAX] for k, v in values.items()}, status=422)
    return RedirectResponse(f"/stores/{store_id}?saved=store", status_code=303)


@router.post("/stores/{store_id}/price-list", response_class=HTMLResponse)
def store_price_list(request: Request, user: Owner, office: Office, form: Form,
                     store_id: Id) -> Response:
    language = request_language(request)
    _store_or_404(office, user, store_id)
    errors = assign(office, form, language, store_id, id_field(form, "price_list"))
    if errors:
        return _store_page(request, user, office, store_id, errors=errors, status=422)
    return RedirectResponse(f"/stores/{store_id}?saved=store_list", status_code=303)
