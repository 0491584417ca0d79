"""Kasoterminale and Aktualizacje: the tills of the shop, what each last reported
(contact, app version, staged update, pulls, unsent sales and since when), adding a
till (its one-time activation code), renaming, a new code, revoking; the releases
published and which till runs or has staged which version.

An owner sees every store's tills, a manager only their stores' (another store's till
answers 404, also when its id is typed in the address). Both may add, rename, revoke
and re-code the tills of their stores; Aktualizacje is the owner's.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from ipos_tui.backoffice import security
from ipos_tui.backoffice.releases import ReleaseStore, default_releases_dir
from ipos_tui.backoffice.services import BackOffice, WebUser
from ipos_tui.backoffice.services.terminals import MAX_TERMINAL_NAME
from ipos_tui.domain.errors import DomainError
from ipos_tui.i18n import text_in
from ipos_tui.i18n.plural import tn_in
from ipos_tui.protocol import DEFAULT_RELEASE_CHANNEL, STREAMS

from ..auth import Form, Office, Owner, User, store_allowed
from ..forms import check_version, field_error, fingerprint, parse_form
from ..render import render, request_language

router = APIRouter()

#: A till whose last contact or oldest unsent sale is older than this is highlighted.
STALE = timedelta(hours=1)
TerminalId = Annotated[int, Path(ge=1, le=2_147_483_647)]
_STORE_ID = re.compile(r"[0-9]{1,9}")
_NAME_ERRORS = {"err.terminal_name_required": "name", "err.terminal_name_long": "name"}


def request_text(request: Request, key: str, **params: Any) -> str:
    return text_in(request_language(request), key, **params)


def _utcnow() -> datetime:
    """Now as the database stores times (naive UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


def ago(language: str, when: datetime | None, now: datetime) -> str:
    """How long ago ``when`` was, as people say it ("przed chwilą", "5 min temu",
    "3 godz. temu", "2 dni temu"); "" for never."""
    if when is None:
        return ""
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return text_in(language, "web.terminals.ago_now")
    if seconds < 3600:
        return tn_in(language, "plural.web_ago_minutes", int(seconds // 60))
    if seconds < 48 * 3600:
        return tn_in(language, "plural.web_ago_hours", int(seconds // 3600))
    return tn_in(language, "plural.web_ago_days", int(seconds // 86400))


def _visible_stores(office: BackOffice, user: WebUser) -> list[dict[str, Any]]:
    return [s for s in office.list_stores() if user.sees_store(s["id"])]


def _dressed(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A terminal as the pages show it: which of its reports are old."""
    active = row["status"] == "active"
    row["contact_old"] = active and (row["last_seen"] is None or now - row["last_seen"] > STALE)
    row["unsent_old"] = bool(row["pending_count"]) and (
        row["oldest_pending"] is None or now - row["oldest_pending"] > STALE)
    return row


def _terminal(office: BackOffice, user: WebUser, terminal_id: int) -> dict[str, Any]:
    """One terminal the user may see; 404 for another store's or no such till."""
    rows = office.terminal_overview(user.store_ids, terminal_id=terminal_id)
    if not rows:
        raise HTTPException(status_code=404)
    return _dressed(rows[0], _utcnow())


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    language = request_language(request)
    now = _utcnow()
    context.setdefault("store_options", [(s["id"], s["name"]) for s in context.get("stores", [])])
    context.update(now=now, streams=STREAMS, stale_minutes=int(STALE.total_seconds() // 60),
                   ago=lambda when: ago(language, when, now))
    return render(request, template, status_code, **context)


def _no_store(response: Response) -> Response:
    """A page with an activation code: no browser or proxy keeps a copy."""
    response.headers["Cache-Control"] = "no-store"
    return response


# -------------------------------------------------------------- Kasoterminale


@router.get("/terminals", response_class=HTMLResponse)
def terminal_list(request: Request, user: User, office: Office,
                  store: Annotated[str, Query(max_length=20)] = "",
                  saved: Annotated[str, Query(max_length=20)] = "") -> Response:
    stores = _visible_stores(office, user)
    chosen: int | None = None
    if store.strip():
        if not _STORE_ID.fullmatch(store.strip()):
            raise HTTPException(status_code=404)
        chosen = store_allowed(user, int(store))
        if chosen not in {s["id"] for s in stores}:
            raise HTTPException(status_code=404)
    scope = {chosen} if chosen is not None else user.store_ids
    now = _utcnow()
    rows = [_dressed(r, now) for r in office.terminal_overview(scope)]
    flash = request_text(request, f"web.terminals.saved_{saved}") if saved == "revoked" else ""
    return _page(request, "terminals_list.html", terminals=rows, stores=stores, store=chosen,
                 flash=flash)


class NewTerminalForm(BaseModel):
    store: int = Field(ge=1, le=2_147_483_647)
    name: str = Field(min_length=1, max_length=MAX_TERMINAL_NAME)


def _new_form(request: Request, office: BackOffice, user: WebUser, values: dict[str, Any],
              errors: dict[str, str], status_code: int = 200) -> Response:
    return _page(request, "terminals_new.html", status_code, stores=_visible_stores(office, user),
                 values=values, errors=errors, max_name=MAX_TERMINAL_NAME)


@router.get("/terminals/new", response_class=HTMLResponse)
def new_terminal_page(request: Request, user: User, office: Office,
                      store: Annotated[str, Query(max_length=20)] = "") -> Response:
    return _new_form(request, office, user, {"store": store, "name": ""}, {})


@router.post("/terminals/new", response_class=HTMLResponse)
def add_terminal(request: Request, user: User, office: Office, form: Form) -> Response:
    language = request_language(request)
    values = {"store": str(form.get("store") or ""), "name": str(form.get("name") or "")}
    data, errors = parse_form(NewTerminalForm, {k: v.strip() for k, v in values.items()},
                              language)
    if "store" in errors or (data is not None and not user.sees_store(data.store)):
        errors["store"] = request_text(request, "web.terminals.store_required")
    if data is not None and not errors:
        try:
            terminal_id, code = office.add_terminal(data.store, data.name)
        except DomainError as exc:
            errors = field_error(exc, language, _NAME_ERRORS)
            if "_form" in errors and exc.key == "err.store_unknown":
                errors = {"store": request_text(request, "web.terminals.store_required")}
        else:
            return _code_page(request, office, user, terminal_id, code, new=True)
    return _new_form(request, office, user, values, errors, 422)


def _code_page(request: Request, office: BackOffice, user: WebUser, terminal_id: int,
               code: str, *, new: bool) -> Response:
    terminal = _terminal(office, user, terminal_id)
    server = str(request.base_url).rstrip("/")
    return _no_store(_page(request, "terminals_code.html", terminal=terminal, new=new,
                           code=security.group_code(code),
                           expires=office.code_expiry(terminal_id), server=server))


def _detail(request: Request, office: BackOffice, user: WebUser, terminal_id: int, *,
            values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
            status_code: int = 200, flash: str = "") -> Response:
    terminal = _terminal(office, user, terminal_id)
    return _page(request, "terminals_detail.html", status_code, terminal=terminal,
                 values=values or {"name": terminal["name"]}, errors=errors or {},
                 version=fingerprint(_editable(terminal)), flash=flash,
                 code_expires=office.code_expiry(terminal_id), max_name=MAX_TERMINAL_NAME)


def _editable(terminal: dict[str, Any]) -> dict[str, Any]:
    """What the rename form was built from (a stale form is refused)."""
    return {"name": terminal["name"], "status": terminal["status"]}


@router.get("/terminals/{terminal_id}", response_class=HTMLResponse)
def terminal_page(request: Request, user: User, office: Office, terminal_id: TerminalId,
                  saved: Annotated[str, Query(max_length=20)] = "") -> Response:
    flash = request_text(request, f"web.terminals.saved_{saved}") \
        if saved in ("renamed", "revoked") else ""
    if saved == "regressions":
        flash = request_text(request, "tillsync.web_regressions_cleared")
    return _detail(request, office, user, terminal_id, flash=flash)


class RenameForm(BaseModel):
    name: str = Field(min_length=1, max_length=MAX_TERMINAL_NAME)


@router.post("/terminals/{terminal_id}", response_class=HTMLResponse)
def rename_terminal(request: Request, user: User, office: Office, form: Form,
                    terminal_id: TerminalId) -> Response:
    language = request_language(request)
    terminal = _terminal(office, user, terminal_id)
    values: dict[str, Any] | None = {"name": str(form.get("name") or "")}
    data, errors = parse_form(RenameForm, {"name": str(form.get("name") or "").strip()},
                              language)
    if data is not None:
        try:
            check_version(form, _editable(terminal))
            office.rename_terminal(terminal_id, data.name)
        except DomainError as exc:
            errors = field_error(exc, language, _NAME_ERRORS)
            if exc.key == "err.web_stale":
                values = None  # the form again as it is now (the message says so)
        else:
            return RedirectResponse(f"/terminals/{terminal_id}?saved=renamed", status_code=303)
    return _detail(request, office, user, terminal_id, values=values, errors=errors,
                   status_code=422)


@router.post("/terminals/{terminal_id}/regressions")
def clear_regressions(request: Request, user: User, office: Office, form: Form,
                      terminal_id: TerminalId) -> Response:
    """Forget the till's recorded numbering regressions (seen to); gaps stay until
    the missing documents arrive."""
    _terminal(office, user, terminal_id)
    office.clear_numbering_regressions(terminal_id)
    return RedirectResponse(f"/terminals/{terminal_id}?saved=regressions", status_code=303)


@router.post("/terminals/{terminal_id}/code", response_class=HTMLResponse)
def new_code(request: Request, user: User, office: Office, form: Form,
             terminal_id: TerminalId) -> Response:
    _terminal(office, user, terminal_id)
    code = office.new_activation_code(terminal_id)
    return _code_page(request, office, user, terminal_id, code, new=False)


@router.get("/terminals/{terminal_id}/revoke", response_class=HTMLResponse)
def revoke_page(request: Request, user: User, office: Office,
                terminal_id: TerminalId) -> Response:
    terminal = _terminal(office, user, terminal_id)
    return _page(request, "terminals_revoke.html", terminal=terminal)


@router.post("/terminals/{terminal_id}/revoke")
def revoke(request: Request, user: User, office: Office, form: Form,
           terminal_id: TerminalId) -> Response:
    _terminal(office, user, terminal_id)
    office.revoke_terminal(terminal_id)
    return RedirectResponse(f"/terminals/{terminal_id}?saved=revoked", status_code=303)


# -------------------------------------------------------------- Aktualizacje


def _release_time(value: Any) -> datetime | None:
    """A release's ISO time as stored UTC (naive); None when it is not one."""
    try:
        parsed = datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _size(size: Any, language: str) -> str:
    """A release's size as people read it ("12,3 MB")."""
    if not isinstance(size, int) or size < 0:
        return "—"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} kB"
    text = f"{size / 1024 / 1024:.1f} MB"
    return text.replace(".", ",") if language == "pl" else text


@router.get("/updates", response_class=HTMLResponse)
def updates(request: Request, user: Owner, office: Office) -> Response:
    store = getattr(request.app.state, "releases", None)
    if not isinstance(store, ReleaseStore):
        store = ReleaseStore(default_releases_dir(office.db))
    releases = store.list()
    now = _utcnow()
    for release in releases:
        release["published_at"] = _release_time(release["published"])
        release["expires_at"] = _release_time(release["expires"])
        release["expired"] = release["expires_at"] is not None and release["expires_at"] < now
        release["size_text"] = _size(release["size"], request_language(request))
    latest = next((r["version"] for r in releases
                   if r["latest"] and r["channel"] == DEFAULT_RELEASE_CHANNEL), None)
    terminals = [_dressed(r, now) for r in office.terminal_overview()]
    return _page(request, "terminals_updates.html", releases=releases, terminals=terminals,
                 latest=latest, channel=DEFAULT_RELEASE_CHANNEL)
