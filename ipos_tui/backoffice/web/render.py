"""Rendering a page: the request's language, the template environment, helpers.

A page speaks the language chosen with the switch in its header (a ``lang`` cookie),
else the browser's first of Polish and English (``Accept-Language``), else Polish. Its
texts come from the same catalogues as the till's, under ``web.``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ipos_tui.backoffice.numbering import number_range
from ipos_tui.domain.money import format_money
from ipos_tui.i18n import DEFAULT_LANGUAGE, LANGUAGES, text_in
from ipos_tui.i18n.plural import tn_in

LANG_COOKIE = "lang"
#: Dates and times are shown in the shop's zone (the tills' business days are Polish).
SHOP_ZONE = ZoneInfo("Europe/Warsaw")

templates = Jinja2Templates(directory=str(resources.files(__package__).joinpath("templates")))
templates.env.autoescape = True
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True
#: Pages of company-wide data only the owner opens (a manager runs their stores only).
OWNER_PAGES = ("/products", "/price-lists", "/units", "/categories", "/vat", "/discounts",
               "/import", "/company", "/staff", "/settings", "/updates")
templates.env.globals["owner_pages"] = OWNER_PAGES
templates.env.globals["number_range"] = number_range


def request_language(request: Request) -> str:
    """The page's language: the switch's cookie, else the browser's, else Polish."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


def local_time(value: datetime | None, *, seconds: bool = False) -> str:
    """A stored UTC time as the shop reads it ("04.12.2026 18:05"); "" for none."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(SHOP_ZONE).strftime("%d.%m.%Y %H:%M" + (":%S" if seconds else ""))


def money(grosze: int | None, symbol: bool = True) -> str:
    return "" if grosze is None else format_money(grosze, symbol=symbol)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The page ``template`` in the request's language, with the signed-in user (if
    any) and the helpers every template uses."""
    language = request_language(request)

    def tr(key: str, /, **params: Any) -> str:
        return text_in(language, key, **params)

    def trn(key: str, n: int, /, **params: Any) -> str:  # a counted noun: plural.*
        return tn_in(language, key, n, **params)

    context.setdefault("user", getattr(request.state, "web_user", None))
    context.update(request=request, lang=language, t=tr, tn=trn, money=money,
                   local_time=local_time,
                   path=request.url.path)
    return templates.TemplateResponse(request, template, context, status_code=status_code)
