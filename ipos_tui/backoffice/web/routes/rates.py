"""Produkty → Stawki VAT, Rabaty: the company's VAT (PTU) table and its predefined
discounts (owner-only; the rules live in the services)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from ipos_tui.backoffice.services import BackOffice, WebUser
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import (
    format_money,
    format_percent_bp,
    parse_money,
    parse_percent,
)
from ipos_tui.domain.vat import PTU_LETTERS, parse_vat_rate, rate_text
from ipos_tui.i18n import text_in

from ..auth import Form, Office, Owner
from ..forms import check_version, fingerprint
from ..render import request_language
from .catalogue import (
    MAX_FIELD,
    field_error,
    flash,
    form_text,
    products_page,
    saved_redirect,
    too_long,
)

router = APIRouter()

_DISCOUNT_FIELDS = {"err.name_empty": "name", "err.name_too_long": "name",
                    "err.discount_taken": "name", "err.discount_kind_invalid": "kind",
                    "err.discount_value_invalid": "value", "err.percent_invalid": "value",
                    "err.money_invalid": "value", "err.discount_scope_invalid": "scope"}


# -------------------------------------------------------------------- VAT


def _vat_page(request: Request, office: BackOffice, user: WebUser, status_code: int = 200,
              **context: Any) -> Response:
    """Letters A-G with the back office's rate ("zw." exempt; a letter without one is
    unused), and the form changing one."""
    current = {row["letter"]: row["rate_bp"] for row in office.list_vat_rates()}
    rates = [{"letter": letter, "used": letter in current, "rate": rate_text(current.get(letter))}
             for letter in PTU_LETTERS]
    context.setdefault("flash", "")
    return products_page(request, "catalogue_vat.html", office, user, status_code, rates=rates,
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
    values = {"letter": form_text(form, "letter")[:MAX_FIELD], "rate": form_text(form, "rate")[:MAX_FIELD]}
    errors: dict[str, str] = {}
    try:
        check_version(form, office.list_vat_rates())
    except DomainError as exc:
        return _vat_page(request, office, user, 409, values=values,
                         errors=field_error(exc, language, {}))
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
                         errors=field_error(exc, language, {"err.vat_letter": "letter",
                                                             "err.vat_rate_invalid": "rate"}))
    return saved_redirect("/vat", "vat", letter=letter, rate=rate_text(rate_bp))


# --------------------------------------------------------------- discounts


def _discount_value(discount: dict[str, Any]) -> str:
    if discount["kind"] == "percent":
        return format_percent_bp(discount["value"]).replace("\u00a0", " ")
    return format_money(discount["value"])


def _discounts_page(request: Request, office: BackOffice, user: WebUser,
                    status_code: int = 200, **context: Any) -> Response:
    rows = [{**d, "shown": _discount_value(d)} for d in office.list_discounts()]
    context.setdefault("values", {"kind": "percent", "scope": "line"})
    return products_page(request, "catalogue_discounts.html", office, user, status_code,
                 discounts=rows, flash=flash(request, "discounts"), **context)


@router.get("/discounts", response_class=HTMLResponse)
def discounts(request: Request, user: Owner, office: Office) -> Response:
    return _discounts_page(request, office, user)


@router.post("/discounts", response_class=HTMLResponse)
def add_discount(request: Request, user: Owner, office: Office, form: Form) -> Response:
    language = request_language(request)
    values = {k: form_text(form, k) for k in ("name", "kind", "value", "scope")}
    errors: dict[str, str] = {}
    if (problem := too_long(values["name"], language)):
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
            return saved_redirect("/discounts", "added", name=values["name"].strip())
        except DomainError as exc:
            errors = field_error(exc, language, _DISCOUNT_FIELDS)
    return _discounts_page(request, office, user, 422, errors=errors, values=values)


@router.post("/discounts/{discount_id}/delete", response_class=HTMLResponse)
def delete_discount(request: Request, user: Owner, office: Office, form: Form,
                    discount_id: int) -> Response:
    """Without ``confirm``: the page asks first (the tills stop offering it); with it: gone."""
    found = next((d for d in office.list_discounts() if d["id"] == discount_id), None)
    if found is None:
        raise HTTPException(status_code=404)
    if form_text(form, "confirm") != "1":
        return _discounts_page(request, office, user, confirm_delete=found)
    office.delete_discount(discount_id)
    return saved_redirect("/discounts", "deleted")
