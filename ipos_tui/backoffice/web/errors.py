"""What a browser gets when a page cannot answer: a page in its language, never JSON
and never a bare 500 (an unexpected error is logged with its traceback)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from ipos_tui.protocol import API_PREFIX, RELEASES_PATH

from .auth import CsrfRefused, OwnerOnly, SignInRequired, login_url
from .render import render

log = logging.getLogger(__name__)

#: Paths that belong to the sync API (JSON errors), not to iPOS web.
_API_PATHS = (API_PREFIX, RELEASES_PATH, "/health", "/docs", "/openapi.json", "/redoc")


def is_web_request(request: Request) -> bool:
    path = request.url.path
    return not any(path == p or path.startswith(p + "/") for p in _API_PATHS)


def error_page(request: Request, status: int) -> Response:
    """The page for an HTTP status (404 for pages that do not exist or are not yours)."""
    kind = {400: "bad_request", 404: "not_found", 405: "not_found", 403: "forbidden",
            413: "too_large", 422: "not_found"}.get(status, "unexpected")
    if status == 422:  # a path parameter that is not a number: no such page
        status = 404
    return render(request, "error.html", status_code=status,
                  heading=_t(request, f"web.error.{kind}.title"),
                  message=_t(request, f"web.error.{kind}.text"))


def _t(request: Request, key: str) -> str:
    from ipos_tui.i18n import text_in

    from .render import request_language

    return text_in(request_language(request), key)


def install_web_errors(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def sign_in(_: Request, exc: SignInRequired) -> Response:
        return RedirectResponse(login_url(exc.next_path), status_code=303)

    @app.exception_handler(CsrfRefused)
    async def csrf(request: Request, _: CsrfRefused) -> Response:
        return render(request, "error.html", status_code=403,
                      heading=_t(request, "web.error.csrf.title"),
                      message=_t(request, "web.error.csrf.text"))

    @app.exception_handler(OwnerOnly)
    async def owner_only(request: Request, _: OwnerOnly) -> Response:
        return error_page(request, 403)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        if not is_web_request(request):
            return JSONResponse({"error": "internal", "message": "Internal error; it is logged."},
                                status_code=500)
        return error_page(request, 500)
