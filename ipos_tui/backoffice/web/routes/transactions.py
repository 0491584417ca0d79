"""Transakcje: the documents the tills uploaded (Dokumenty), the quarantine
(Kwarantanna) and the reports of a period (Raporty), with CSV downloads.

An owner sees every store; a manager their own stores only: a store, till, document
or quarantined item of another store answers 404, also when its id is typed by hand.
Filters come from the address (GET forms, no JavaScript); junk in them ("2026-13-45",
a store "abc") is shown next to its field and the page still answers.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ipos_tui.backoffice.services import BackOffice, WebUser
from ipos_tui.backoffice.documents.checks import LATE_AFTER_DAY_CLOSE
from ipos_tui.backoffice.services.transactions import DOCUMENT_KINDS
from ipos_tui.domain.document_number import document_number_text
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.records import PURPOSE_DEPOSIT_RETURN
from ipos_tui.i18n import has_key, text_in
from ipos_tui.i18n.reasons import reject_reason_text

from ..auth import Form, Office, Owner, User
from ..forms import field_error, parse_form
from ..render import SHOP_ZONE, render, request_language

router = APIRouter()

PER_PAGE = 50

# ------------------------------------------------------------------ labels

_LABEL_KEYS = {
    ("receipt", "paragon"): "doc.paragon", ("receipt", "faktura"): "doc.faktura",
    ("receipt", "paragon_nip"): "doc.paragon_nip", ("sale_invoice", "faktura"): "doc.faktura",
    ("cash_operation", "in"): "cash.list_in", ("cash_operation", "out"): "cash.list_out",
    ("cash_report", "state"): "cash.list_state", ("cash_report", "shift_close"): "cash.list_close",
}


def document_label(language: str, doc_type: str, kind: str, purpose: str = "") -> str:
    """"Paragon", "Faktura", "Paragon z NIP", "Zwrot", "Wpłata", … "Zwrot kaucji" (a
    payout whose ``purpose`` is a deposit return), "Raport dobowy": the till's own names
    of its documents (the same catalogue keys)."""
    if purpose == PURPOSE_DEPOSIT_RETURN:
        return text_in(language, "grocery.deposit_return")
    if doc_type == "return":
        return text_in(language, "ret.doc")
    if doc_type == "daily_report":
        return text_in(language, "day.list_label")
    if doc_type == "invoice":
        return text_in(language, "invoices2.web_label")
    return text_in(language, _LABEL_KEYS.get((doc_type, kind), "doc.paragon"))


def leaves_till(doc: dict[str, Any]) -> bool:
    """Money leaving the till (a return, a withdrawal) is shown negative, as on the till."""
    return doc["type"] == "return" or (doc["type"] == "cash_operation" and doc["kind"] == "out")


# ------------------------------------------------------------------ filters

_DAY_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})\.(\d{1,2})\.(\d{4})")


def _blank_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _parse_day(value: Any) -> date | None:
    """A day typed as the date field sends it ("2026-12-04") or as Poles write it
    ("4.12.2026"); anything else, "2026-13-45" too, is refused with ``err.web_date``."""
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    found = _DAY_RE.fullmatch(text)
    try:
        if found is None:
            raise ValueError(text)
        y, mo, d = ((found[1], found[2], found[3]) if found[1] else
                    (found[6], found[5], found[4]))
        return date(int(y), int(mo), int(d))
    except ValueError:
        raise DomainError("err.web_date", value=text[:40]) from None


Id = Annotated[Annotated[int, Field(ge=1)] | None, BeforeValidator(_blank_none)]
Day = Annotated[date | None, BeforeValidator(_parse_day)]


class DocumentFilter(BaseModel):
    model_config = ConfigDict(extra="ignore")
    store: Id = None
    terminal: Id = None
    day: Day = None
    kind: Literal["", "paragon", "faktura", "paragon_nip", "return", "cash", "daily_report",
                  "invoices"] = ""


class PeriodFilter(BaseModel):
    model_config = ConfigDict(extra="ignore")
    store: Id = None
    start: Day = None
    end: Day = None


def parse_fields(model: type[BaseModel], query: dict[str, str], language: str
                  ) -> tuple[dict[str, Any], dict[str, str]]:
    """Each filter of ``model`` parsed on its own: a wrong one gets its message and
    its default, the others still apply."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, spec in model.model_fields.items():
        single, bad = parse_form(model, {name: query.get(name, "")}, language)
        errors.update(bad)
        values[name] = getattr(single, name) if single is not None else spec.default
    return values, errors


def shop_today() -> date:
    return datetime.now(SHOP_ZONE).date()


def page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 7 and int(value) > 0 else 1


def query_values(request: Request) -> dict[str, str]:
    """The address's filters (the last of a repeated one), each cut to a sane length."""
    return {key: value[:100] for key, value in request.query_params.items()}


def check_scope(office: BackOffice, user: WebUser, store: int | None, terminal: int | None,
                 language: str, errors: dict[str, str]) -> tuple[int | None, int | None]:
    """The store and till of a filter after the access checks: another store's (or
    none's) → 404; a till not of the chosen store → a message next to the till."""
    if store is not None and (not user.sees_store(store)
                              or store not in {s["id"] for s in office.list_stores()}):
        raise HTTPException(status_code=404)
    if terminal is not None:
        found = office.tx_terminal(terminal, user.store_ids)
        if found is None:
            raise HTTPException(status_code=404)
        if store is not None and found["store_id"] != store:
            errors["terminal"] = text_in(language, "web.tx.terminal_other_store")
            terminal = None
    return store, terminal


def filter_context(office: BackOffice, user: WebUser, language: str) -> dict[str, Any]:
    """The choices of the filters: the stores and tills the user sees, the kinds."""
    stores = [s for s in office.list_stores() if user.sees_store(s["id"])]
    names = {s["id"]: s["name"] for s in stores}
    return {
        "store_options": [("", text_in(language, "web.tx.all_stores"))]
        + [(s["id"], s["name"]) for s in stores],
        "terminal_options": [("", text_in(language, "web.tx.all_terminals"))]
        + [(t["id"], f'{t["name"] or t["id"]} ({names.get(t["store_id"], "")})')
           for t in office.tx_terminals(user.store_ids)],
        "kinds_options": [(k, text_in(language, "invoices2.web_kind_invoices" if k == "invoices"
                                      else f"web.tx.kind_{k}")) for k in DOCUMENT_KINDS],
    }


# ------------------------------------------------------------------ documents


@router.get("/transactions", response_class=HTMLResponse)
def documents(request: Request, user: User, office: Office) -> Response:
    language = request_language(request)
    query = query_values(request)
    if "day" not in query:
        query["day"] = shop_today().isoformat()
    chosen, errors = parse_fields(DocumentFilter, query, language)
    if "day" in errors:  # a wrong day: today's documents under the message
        chosen["day"] = shop_today()
    store, terminal = check_scope(office, user, chosen["store"], chosen["terminal"], language, errors)
    page = page_number(query.get("page"))
    rows, count = office.tx_documents(
        user.store_ids, store_id=store, terminal_id=terminal, day=chosen["day"],
        kind=chosen["kind"] or None, page=page, per_page=PER_PAGE)
    for row in rows:
        _decorate(row, language)
    base = "/transactions?" + urlencode({k: v for k, v in query.items() if k != "page"}) + "&"
    return render(request, "transactions_list.html", status_code=422 if errors else 200,
                  docs=rows, count=count, page=page, pages=max(1, math.ceil(count / PER_PAGE)),
                  base=base, values=query, errors=errors,
                  **filter_context(office, user, language))


def _decorate(doc: dict[str, Any], language: str) -> None:
    doc["label"] = document_label(language, doc["type"], doc["kind"], doc.get("purpose", ""))
    doc["number_text"] = document_number_text(doc["type"], doc["number"])
    doc["shown_total"] = -doc["total"] if leaves_till(doc) else doc["total"]
    doc["notes"] = [{"code": code, "text": warning_text(code, language)}
                    for code in doc.get("warnings", ())]
    doc["late"] = any(code.startswith(f"{LATE_AFTER_DAY_CLOSE}:")
                      for code in doc.get("warnings", ()))


def warning_text(code: str, language: str) -> str:
    """A note the back office made on receiving a document ("unknown_product:12",
    "late_after_day_close:7") in words; a code without a text stays as it is."""
    word, _, detail = code.partition(":")
    key = f"web.tx.warning.{word}"
    if not has_key(key):
        return code
    if word == LATE_AFTER_DAY_CLOSE and detail.isdigit():
        detail = document_number_text("daily_report", int(detail))
    return text_in(language, key, detail=detail)


@router.get("/transactions/{doc_id}", response_class=HTMLResponse)
def document(request: Request, user: User, office: Office, doc_id: int) -> Response:
    doc = office.tx_document(doc_id, user.store_ids)
    if doc is None:
        raise HTTPException(status_code=404)
    _decorate(doc, request_language(request))
    if doc["original"] is not None:
        doc["original"]["number_text"] = document_number_text(doc["original"]["type"],
                                                              doc["original"]["number"])
    for ret in doc["returns"]:
        ret["number_text"] = document_number_text("return", ret["number"])
    return render(request, "transactions_detail.html", doc=doc, qty=qty_text)


def qty_text(thousandths: int) -> str:
    """A quantity in thousandths as people write it: 1000 → "1", 1500 → "1,5"."""
    text = format(Decimal(thousandths).scaleb(-3).normalize(), "f")
    return text.replace(".", ",")


# ------------------------------------------------------------------ quarantine


@router.get("/quarantine", response_class=HTMLResponse)
def quarantine(request: Request, user: User, office: Office) -> Response:
    return _quarantine_page(request, user, office)


def _quarantine_page(request: Request, user: WebUser, office: BackOffice, *,
                     errors: dict[str, str] | None = None, status: int = 200) -> Response:
    language = request_language(request)
    include_released = request.query_params.get("all") == "1"
    items = office.tx_quarantine(user.store_ids, include_released=include_released)
    for item in items:
        item["reason_text"] = reject_reason_text(item["reason"], language)
    flash = ""
    released = request.query_params.get("released", "")
    if released.isdigit() and len(released) < 11:
        item = office.tx_quarantined(int(released), user.store_ids)
        if item is not None and item["released_as"] is not None:
            flash = text_in(language, "web.quarantine.done", id=item["id"])
    return render(request, "transactions_quarantine.html", status_code=status, items=items,
                  include_released=include_released, errors=errors or {}, flash=flash)


@router.get("/quarantine/{item_id}/release", response_class=HTMLResponse)
def confirm_release(request: Request, user: Owner, office: Office, item_id: int) -> Response:
    item = office.tx_quarantined(item_id, user.store_ids)
    if item is None:
        raise HTTPException(status_code=404)
    item["reason_text"] = reject_reason_text(item["reason"], request_language(request))
    return render(request, "transactions_release.html", item=item)


@router.post("/quarantine/{item_id}/release", response_class=HTMLResponse)
def release(request: Request, user: Owner, office: Office, form: Form, item_id: int) -> Response:
    if office.tx_quarantined(item_id, user.store_ids) is None:
        raise HTTPException(status_code=404)
    try:
        office.release_quarantined(item_id)
    except DomainError as exc:
        language = request_language(request)
        if isinstance(exc.params.get("reason"), str):  # a rejection code, in words
            exc = DomainError(exc.key, **{**exc.params,
                                          "reason": reject_reason_text(exc.params["reason"],
                                                                       language)})
        return _quarantine_page(request, user, office, status=409,
                                errors=field_error(exc, language))
    return RedirectResponse(f"/quarantine?released={item_id}", status_code=303)
