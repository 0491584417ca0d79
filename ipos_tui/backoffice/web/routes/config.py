"""Konfiguracja: Personel (staff, their PINs, web passwords, a manager's stores) and
Ustawienia (the settings the tills fetch, payment methods). Owner only.

Every rule lives in the services (staff, settings, web access); the pages parse the
form, show each refusal next to its field and save all of a form or nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.datastructures import FormData

from ipos_tui.backoffice.services import (
    PAYMENT_KINDS,
    SETTINGS,
    BackOffice,
)
from ipos_tui.backoffice.services.settings import SettingsRefused
from ipos_tui.backoffice.services.web_access import WebUser
from ipos_tui.domain.errors import DomainError
from ipos_tui.i18n import text_in
from ipos_tui.i18n.plural import tn_in

from ..auth import Form, Office, Owner
from ..delivery import delivery_note
from ..forms import FORM, check_version, field_error, fingerprint, parse_form
from ..render import money, render, request_language

router = APIRouter()

#: A service's refusal → the field it is about.
_PAYMENT_FIELDS = {
    "err.name_empty": "name", "err.name_too_long": "name", "err.payment_kind_invalid": "kind",
    "err.payment_method_taken": "code", "err.payment_code_invalid": "code",
}
_LOGIN_MODES = ("identifier_pin", "identifier", "none")
_LOGIN_MODE_LABELS = {"identifier_pin": "login.mode_id_pin", "identifier": "login.mode_id",
                      "none": "login.mode_none"}
#: The settings page's groups, in order.
_SETTING_GROUPS = (
    ("group_login", ("login_mode", "short_pins_privileged")),
    ("group_cash", ("cash_management", "cashier_shifts", "cash_difference_limit")),
    ("group_day", ("day_close_mode", "day_close_time")),
    ("group_sales", ("parked_receipts", "parked_receipts_visible", "receipt_header", "large_amount",
                     "large_quantity", "scale_codes")),
    ("group_updates", ("update_with_unsent",)),
)


def posted_values(form: FormData, lists: tuple[str, ...]) -> dict[str, Any]:
    """The user's values, to show them again (never the PINs or passwords)."""
    values: dict[str, Any] = {}
    for key in form.keys():
        if key in ("csrf_token", "version") or "pin" in key or "password" in key:
            continue
        items = [v for v in form.getlist(key) if isinstance(v, str)]
        values[key] = items if key in lists else (items[-1] if items else "")
    for key in lists:
        values.setdefault(key, [])
    return values


# ---------------------------------------------------------------- Ustawienia

def _settings_context(request: Request, office: BackOffice, user: WebUser) -> dict[str, Any]:
    language = request_language(request)

    def tr(key: str) -> str:
        return text_in(language, key)

    choices = {
        "login_mode": [(m, tr(_LOGIN_MODE_LABELS[m])) for m in _LOGIN_MODES],
        "day_close_mode": [(m, tr(f"web.settings.day_close_{m}"))
                           for m in SETTINGS["day_close_mode"].choices or ()],
        "parked_receipts_visible": [(m, tr(f"invoices2.parked_visible_{m}"))
                                    for m in SETTINGS["parked_receipts_visible"].choices or ()],
    }
    return {"groups": _SETTING_GROUPS, "specs": SETTINGS, "choices": choices,
            "bool_keys": [key for key, spec in SETTINGS.items() if spec.kind is bool],
            "note": delivery_note(request, office, user, "config")}


def _setting_texts(values: dict[str, Any]) -> dict[str, Any]:
    """The settings as the form shows them (money in złoty, the old login mode "pin"
    as "identyfikator + PIN")."""
    shown: dict[str, Any] = {}
    for key, spec in SETTINGS.items():
        value = values[key]
        if spec.money and isinstance(value, int):
            value = money(value, symbol=False)
        elif key == "login_mode" and value == "pin":
            value = "identifier_pin"
        shown[key] = value
    return shown


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, user: Owner, office: Office) -> Response:
    language = request_language(request)
    flash = ""
    saved = request.query_params.get("saved")
    if saved is not None:
        changed = int(saved) if saved.isdigit() and len(saved) < 4 else 0
        flash = (tn_in(language, "plural.web_settings_saved", changed) if changed
                 else text_in(language, "web.settings.unchanged"))
    current = office.get_settings()
    return render(request, "config_settings.html", values=_setting_texts(current), errors={},
                  version=fingerprint(current), flash=flash,
                  **_settings_context(request, office, user))


@router.post("/settings", response_class=HTMLResponse)
def settings_save(request: Request, user: Owner, office: Office, form: Form) -> Response:
    language = request_language(request)
    current = office.get_settings()
    texts: dict[str, str] = {}
    for key, spec in SETTINGS.items():
        if spec.kind is bool:
            texts[key] = "1" if form.get(key) else "0"
        else:
            posted = form.get(key)
            if posted is None and key == "parked_receipts_visible":
                continue  # a form from before the setting existed: it keeps its value
            texts[key] = posted if isinstance(posted, str) else ""
    errors: dict[str, str] = {}
    changed: list[str] = []
    try:
        check_version(form, current)
        changed = office.set_settings(office.parse_settings(texts))
    except SettingsRefused as exc:
        errors = {key: text_in(language, e.key, **e.params) for key, e in exc.errors.items()}
        errors[FORM] = text_in(language, exc.key, **exc.params)
    except DomainError as exc:  # stale: the current values, to change again
        return render(request, "config_settings.html", status_code=409,
                      values=_setting_texts(current), errors=field_error(exc, language),
                      version=fingerprint(current), **_settings_context(request, office, user))
    if errors:
        values = {key: (text == "1" if SETTINGS[key].kind is bool else text)
                  for key, text in texts.items()}
        return render(request, "config_settings.html", status_code=422, values=values,
                      errors=errors, version=form.get("version") or "",
                      **_settings_context(request, office, user))
    return RedirectResponse(f"/settings?saved={len(changed)}", status_code=303)


# ---------------------------------------------------------- payment methods

class PaymentForm(BaseModel):
    name: str = Field(default="", max_length=200)
    kind: str = Field(default="other", max_length=100)
    gives_change: str = Field(default="", max_length=10)
    opens_drawer: str = Field(default="", max_length=10)
    active: str = Field(default="", max_length=10)


class NewPaymentForm(PaymentForm):
    code: str = Field(default="", max_length=100)


def _payments_page(request: Request, office: BackOffice, user: WebUser, *,
                   values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                   status_code: int = 200, flash: str = "") -> Response:
    language = request_language(request)
    methods = office.list_payment_methods()
    return render(request, "config_payments.html", status_code=status_code, methods=methods,
                  version=fingerprint(methods), values=values or {"kind": "other", "active": True},
                  errors=errors or {}, flash=flash, kinds=_kinds(language),
                  note=delivery_note(request, office, user, "config"))


def _kinds(language: str) -> list[tuple[str, str]]:
    return [(k, text_in(language, f"web.payments.kind_{k}")) for k in PAYMENT_KINDS]


def _method(office: BackOffice, code: str) -> dict[str, Any]:
    for method in office.list_payment_methods():
        if method["code"] == code:
            return method
    raise HTTPException(status_code=404)


@router.get("/settings/payments", response_class=HTMLResponse)
def payments_page(request: Request, user: Owner, office: Office) -> Response:
    language = request_language(request)
    flash = ""
    if request.query_params.get("added"):
        flash = text_in(language, "web.payments.added", code=request.query_params["added"])
    elif request.query_params.get("saved"):
        flash = text_in(language, "web.payments.saved", code=request.query_params["saved"])
    elif request.query_params.get("moved"):
        flash = text_in(language, "web.payments.moved")
    return _payments_page(request, office, user, flash=flash)


@router.post("/settings/payments", response_class=HTMLResponse)
def payments_add(request: Request, user: Owner, office: Office, form: Form) -> Response:
    language = request_language(request)
    data, errors = parse_form(NewPaymentForm, form, language)
    if data is not None:
        try:
            office.add_payment_method(data.code, data.name, data.kind,
                                      gives_change=bool(data.gives_change),
                                      opens_drawer=bool(data.opens_drawer),
                                      active=bool(data.active), position=None)
        except DomainError as exc:
            errors = field_error(exc, language, _PAYMENT_FIELDS)
    if errors or data is None:
        values = posted_values(form, ())
        for flag in ("gives_change", "opens_drawer", "active"):
            values[flag] = bool(form.get(flag))
        return _payments_page(request, office, user, values=values, errors=errors,
                              status_code=422)
    return RedirectResponse(f"/settings/payments?added={data.code.strip()}", status_code=303)


@router.post("/settings/payments/{code}/move", response_class=HTMLResponse)
def payments_move(request: Request, code: str, user: Owner, office: Office,
                  form: Form) -> Response:
    language = request_language(request)
    _method(office, code)
    step = {"up": -1, "down": 1}.get(str(form.get("direction") or ""))
    try:
        check_version(form, office.list_payment_methods())
        if step is None:
            raise DomainError("err.payment_move_invalid")
        office.move_payment_method(code, step)
    except DomainError as exc:
        return _payments_page(request, office, user, errors=field_error(exc, language),
                              status_code=409 if exc.key == "err.web_stale" else 422)
    return RedirectResponse("/settings/payments?moved=1", status_code=303)


@router.get("/settings/payments/{code}", response_class=HTMLResponse)
def payment_edit(request: Request, code: str, user: Owner, office: Office) -> Response:
    method = _method(office, code)
    return _payment_page(request, office, user, method, method, {})


def _payment_page(request: Request, office: BackOffice, user: WebUser, method: dict[str, Any],
                  values: dict[str, Any], errors: dict[str, str],
                  status_code: int = 200) -> Response:
    return render(request, "config_payment_edit.html", status_code=status_code, method=method,
                  values=values, errors=errors, version=fingerprint(method),
                  kinds=_kinds(request_language(request)),
                  note=delivery_note(request, office, user, "config"))


@router.post("/settings/payments/{code}", response_class=HTMLResponse)
def payment_save(request: Request, code: str, user: Owner, office: Office,
                 form: Form) -> Response:
    language = request_language(request)
    method = _method(office, code)
    try:
        check_version(form, method)
    except DomainError as exc:
        return _payment_page(request, office, user, method, method, field_error(exc, language),
                             status_code=409)
    data, errors = parse_form(PaymentForm, form, language)
    if data is not None:
        try:
            office.update_payment_method(code, name=data.name, kind=data.kind,
                                         gives_change=bool(data.gives_change),
                                         opens_drawer=bool(data.opens_drawer),
                                         active=bool(data.active))
        except DomainError as exc:
            errors = field_error(exc, language, _PAYMENT_FIELDS)
    if errors or data is None:
        values = posted_values(form, ())
        for flag in ("gives_change", "opens_drawer", "active"):
            values[flag] = bool(form.get(flag))
        return _payment_page(request, office, user, method, values, errors, status_code=422)
    return RedirectResponse(f"/settings/payments?saved={method['code']}", status_code=303)
