"""Konfiguracja → Personel: the staff, their PINs, roles, permissions, stores and
web access (owner-only; the rules live in the staff service)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, field_validator

from ipos_tui.backoffice.services import (
    PERMISSIONS,
    ROLES,
    BackOffice,
)
from ipos_tui.backoffice.services.staff import (
    check_identifier,
    check_name,
    check_permissions,
    check_pin,
    check_role,
)
from ipos_tui.backoffice.services.web_access import WEB_ROLES, WebUser, check_password
from ipos_tui.domain.errors import DomainError
from ipos_tui.i18n import text_in

from ..auth import Form, Office, Owner
from ..delivery import delivery_note
from ..forms import check_version, field_error, fingerprint, parse_form
from ..render import render, request_language
from .config import posted_values

router = APIRouter()

#: A service's refusal → the field it is about.
_STAFF_FIELDS = {
    "err.identifier_invalid": "identifier", "err.identifier_taken": "identifier",
    "err.name_empty": "name", "err.name_too_long": "name", "err.role_invalid": "role",
    "err.permission_unknown": "permissions", "err.pin_invalid": "pin",
    "err.pin_short_privileged": "pin",
    "err.pin_mismatch": "pin_repeat", "err.deactivate_self": "active",
    "err.last_owner": "active", "err.web_password_short": "web_password",
    "err.web_password_long": "web_password", "err.web_password_mismatch": "web_password_repeat",
    "err.web_role_none": "web_password", "err.store_unknown": "stores",
}


# ------------------------------------------------------------------ Personel

class _PinPair(BaseModel):
    pin: str = Field(default="", max_length=100)
    pin_repeat: str = Field(default="", max_length=100)


class NewStaffForm(_PinPair):
    identifier: str = Field(default="", max_length=100)
    name: str = Field(default="", max_length=200)
    role: str = Field(default="cashier", max_length=100)
    permissions: list[str] = []

    _identifier = field_validator("identifier")(check_identifier)
    _name = field_validator("name")(check_name)
    _role = field_validator("role")(check_role)
    _permissions = field_validator("permissions")(check_permissions)
    _pin = field_validator("pin")(check_pin)


class EditStaffForm(_PinPair):
    name: str = Field(default="", max_length=200)
    role: str = Field(default="cashier", max_length=100)
    permissions: list[str] = []
    active: str = Field(default="", max_length=10)
    web_password: str = Field(default="", max_length=1000)
    web_password_repeat: str = Field(default="", max_length=1000)
    stores: list[str] = []

    _name = field_validator("name")(check_name)
    _role = field_validator("role")(check_role)
    _permissions = field_validator("permissions")(check_permissions)

    @field_validator("pin")
    @classmethod
    def _pin(cls, value: str) -> str:
        return check_pin(value) if value else value

    @field_validator("web_password")
    @classmethod
    def _password(cls, value: str) -> str:
        if value:
            check_password(value)
        return value

    @field_validator("stores")
    @classmethod
    def _stores(cls, values: list[str]) -> list[str]:
        for value in values:
            if not value.isdigit() or len(value) > 9:
                raise DomainError("err.store_unknown", store=value)
        return values


def _pins_match(data: _PinPair, errors: dict[str, str], language: str) -> None:
    if "pin" not in errors and data.pin != data.pin_repeat:
        errors.update(field_error(DomainError("err.pin_mismatch"), language, _STAFF_FIELDS))


def _staff_context(request: Request, office: BackOffice, user: WebUser) -> dict[str, Any]:
    language = request_language(request)
    return {
        "roles": [(r, text_in(language, f"web.role.{r}")) for r in reversed(ROLES)],
        "permissions": [(p, text_in(language, f"perm.name.{p}")) for p in PERMISSIONS],
        "stores": office.list_stores(),
        "note": delivery_note(request, office, user, "users"),
    }


def _member(office: BackOffice, identifier: str) -> dict[str, Any]:
    """The member of staff of a URL (404 page when there is none)."""
    if len(identifier) > 40:
        raise HTTPException(status_code=404)
    try:
        return office.get_staff(identifier)
    except DomainError:
        raise HTTPException(status_code=404) from None


def _member_version(member: dict[str, Any]) -> str:
    shown = {k: member[k] for k in ("name", "role", "permissions", "active", "web_password",
                                    "store_ids")}
    return fingerprint(shown)


@router.get("/staff", response_class=HTMLResponse)
def staff_list(request: Request, user: Owner, office: Office) -> Response:
    language = request_language(request)
    flash = ""
    if request.query_params.get("saved"):
        flash = text_in(language, "web.staff.saved", identifier=request.query_params["saved"])
    stores = {s["id"]: s["name"] for s in office.list_stores()}
    return render(request, "config_staff.html", members=office.list_staff(), store_names=stores,
                  flash=flash, **_staff_context(request, office, user))


@router.get("/staff/new", response_class=HTMLResponse)
def staff_new(request: Request, user: Owner, office: Office) -> Response:
    return render(request, "config_staff_new.html", values={"role": "cashier", "permissions": []},
                  errors={}, **_staff_context(request, office, user))


@router.post("/staff/new", response_class=HTMLResponse)
def staff_add(request: Request, user: Owner, office: Office, form: Form) -> Response:
    language = request_language(request)
    data, errors = parse_form(NewStaffForm, form, language, lists=("permissions",))
    if data is not None:
        _pins_match(data, errors, language)
    if data is not None and not errors:
        try:
            office.add_user(data.identifier, data.name, data.pin, data.role, data.permissions)
        except DomainError as exc:
            errors = field_error(exc, language, _STAFF_FIELDS)
    if errors or data is None:
        return render(request, "config_staff_new.html", status_code=422,
                      values=posted_values(form, ("permissions",)), errors=errors,
                      **_staff_context(request, office, user))
    return RedirectResponse(f"/staff/{data.identifier}?added=1", status_code=303)


@router.get("/staff/{identifier}", response_class=HTMLResponse)
def staff_edit(request: Request, identifier: str, user: Owner, office: Office) -> Response:
    member = _member(office, identifier)
    language = request_language(request)
    flash = ""
    if request.query_params.get("added"):
        flash = text_in(language, "web.staff.added", identifier=member["identifier"])
    elif request.query_params.get("saved"):
        flash = text_in(language, "web.staff.saved", identifier=member["identifier"])
    return _edit_page(request, office, user, member, _member_values(member), {}, flash=flash)


def _member_values(member: dict[str, Any]) -> dict[str, Any]:
    return {"name": member["name"], "role": member["role"], "permissions": member["permissions"],
            "active": member["active"], "stores": [str(s) for s in member["store_ids"]]}


def _edit_page(request: Request, office: BackOffice, user: WebUser, member: dict[str, Any],
               values: dict[str, Any], errors: dict[str, str], status_code: int = 200,
               flash: str = "") -> Response:
    return render(request, "config_staff_edit.html", status_code=status_code, member=member,
                  values=values, errors=errors, version=_member_version(member),
                  web_roles=WEB_ROLES, flash=flash, **_staff_context(request, office, user))


@router.post("/staff/{identifier}", response_class=HTMLResponse)
def staff_save(request: Request, identifier: str, user: Owner, office: Office,
               form: Form) -> Response:
    language = request_language(request)
    member = _member(office, identifier)
    try:
        check_version(form, {k: member[k] for k in ("name", "role", "permissions", "active",
                                                    "web_password", "store_ids")})
    except DomainError as exc:
        # somebody changed this person meanwhile: the current data, the edit again
        return _edit_page(request, office, user, member, _member_values(member),
                          field_error(exc, language), status_code=409)
    data, errors = parse_form(EditStaffForm, form, language,
                              lists=("permissions", "stores"))
    if data is not None:
        _pins_match(data, errors, language)
        if "web_password" not in errors and data.web_password != data.web_password_repeat:
            errors.update(field_error(DomainError("err.web_password_mismatch"), language,
                                      _STAFF_FIELDS))
    if data is not None and not errors:
        try:
            office.save_staff(
                member["identifier"], name=data.name, role=data.role,
                permissions=data.permissions, active=bool(data.active),
                pin=data.pin or None, web_password=data.web_password or None,
                store_ids=[int(s) for s in data.stores] if data.role == "manager" else None,
                by=user.identifier)
        except DomainError as exc:
            errors = field_error(exc, language, _STAFF_FIELDS)
    if errors or data is None:
        values = posted_values(form, ("permissions", "stores"))
        values["active"] = bool(form.get("active"))
        return _edit_page(request, office, user, member, values, errors, status_code=422)
    if data.web_password and member["identifier"] == user.identifier:
        # a new password of one's own ended this session too: sign in with it
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(f"/staff/{member['identifier']}?saved=1", status_code=303)
