"""Produkty → Import i eksport: the products' CSV file, through
:mod:`ipos_tui.backoffice.csvio` (the same code as ``ipos-backoffice import-csv`` /
``export-csv``); an import that jumps prices waits for the owner's answer."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from ipos_tui.backoffice import csvio
from ipos_tui.backoffice.services import BackOffice, WebUser
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import (
    format_money,
)
from ipos_tui.i18n import text_in

from ..auth import Form, Office, Owner
from ..forms import FORM
from ..render import request_language
from .catalogue import (
    flash,
    form_text,
    message,
    products_page,
    saved_redirect,
)

router = APIRouter()

#: Bad rows of an import listed in the page (the count says how many there were).
MAX_ROWS_SHOWN = 200


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
    return products_page(request, "catalogue_import.html", office, user, status_code,
                 lists=lists, flash=flash(request, "import"),
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
    return saved_redirect("/import", "imported", created=result["created"], updated=result["updated"])


@router.post("/import", response_class=HTMLResponse)
def import_csv(request: Request, user: Owner, office: Office, form: Form) -> Response:
    language = request_language(request)
    upload = form.get("file")
    list_text = form_text(form, "list")
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
    try:
        text = csvio.decode_csv(data)
    except DomainError as exc:  # damaged bytes: nothing read, nothing imported
        return _import_page(request, office, user, 422, values={"list": list_text},
                            errors={"file": message(language, exc.key, exc.params)})
    return _run_import(request, office, user, text, list_id, ask=True)


@router.post("/import/confirm", response_class=HTMLResponse)
def confirm_import(request: Request, user: Owner, office: Office, form: Form) -> Response:
    """The owner's "yes" to the price jumps: the kept file is imported as it is."""
    pending = PENDING.take(form_text(form, "token"), user)
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
