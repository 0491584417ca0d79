"""Signing in and out, the language switch, and one's own web password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ipos_tui.backoffice.services.web_access import SESSION_LIFETIME, check_password
from ipos_tui.backoffice.throttle import Throttled
from ipos_tui.domain.errors import DomainError
from ipos_tui.i18n import LANGUAGES

from ..auth import SESSION_COOKIE, Form as PostedForm, User, office_of
from ..forms import FORM, field_error
from ..render import LANG_COOKIE, render, request_language

router = APIRouter()

#: The sign-in form's CSRF token lives in this cookie until a session exists
#: (double-submit: the form posts it back, a cross-site page cannot read it).
LOGIN_CSRF_COOKIE = "ipos_login_csrf"


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never "//host" or a scheme) to go to after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Response:
    import secrets

    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "login.html", csrf=token, next=_safe_next(next), login="",
                      errors={})
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=_secure(request), path="/login")
    return response


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, login: Annotated[str, Form(max_length=200)] = "",
          password: Annotated[str, Form(max_length=1000)] = "",
          csrf_token: Annotated[str, Form(max_length=200)] = "",
          next: Annotated[str, Form(max_length=2000)] = "/") -> Response:
    language = request_language(request)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not cookie or csrf_token != cookie:
        return render(request, "login.html", status_code=403, csrf=cookie or "",
                      next=_safe_next(next), login=login,
                      errors={FORM: field_error(DomainError("err.web_csrf"), language)[FORM]})
    throttle = request.app.state.throttle
    address = request.client.host if request.client else "?"
    checks = [("login_address", address), ("login_name", login.strip().casefold()[:200])]
    try:
        throttle.check(checks, address)
        token, _ = office_of(request).web_sign_in(login, password)
    except Throttled as exc:
        minutes = max(1, (exc.retry_after + 59) // 60)
        return _refused(request, DomainError("err.web_locked", minutes=minutes), language,
                        cookie, next, login, retry_after=exc.retry_after)
    except DomainError as exc:
        retry_after = None
        if exc.key in ("err.web_login_failed", "err.web_locked"):
            throttle.failed(checks, address)
        if exc.key == "err.web_locked":
            retry_after = int(exc.params.get("minutes", 1)) * 60
        return _refused(request, exc, language, cookie, next, login, retry_after=retry_after)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax",
                        secure=_secure(request), max_age=int(SESSION_LIFETIME.total_seconds()))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


def _refused(request: Request, exc: DomainError, language: str, csrf: str, next: str,
             login: str, retry_after: int | None) -> Response:
    """The sign-in page again with why: 401, or 429 with Retry-After when locked or
    throttled (too many failures for the login or from the address)."""
    status = 401 if retry_after is None else 429
    response = render(request, "login.html", status_code=status, csrf=csrf,
                      next=_safe_next(next), login=login, errors=field_error(exc, language))
    if retry_after is not None:
        response.headers["Retry-After"] = str(max(1, retry_after))
    return response


@router.post("/logout")
def logout(request: Request, _: PostedForm) -> Response:
    office_of(request).web_sign_out(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/language/{code}")
def language(request: Request, code: str, next: str = "/") -> Response:
    response = RedirectResponse(_safe_next(next), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, samesite="lax", max_age=365 * 24 * 3600)
    return response


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, user: User) -> Response:
    return render(request, "account.html", errors={}, saved=False)


@router.post("/account", response_class=HTMLResponse)
def change_password(request: Request, user: User, form: PostedForm) -> Response:
    language = request_language(request)
    office = office_of(request).for_company(user.company_id)
    current, new, repeat = (str(form.get(k) or "") for k in ("current", "new", "repeat"))
    errors: dict[str, str] = {}
    try:
        office.web_sign_in(user.identifier, current)  # the current password, with lockout
    except DomainError as exc:
        errors = field_error(exc, language, {"err.web_login_failed": "current",
                                             "err.web_locked": "current"})
    if not errors:
        try:
            check_password(new)
            if new != repeat:
                raise DomainError("err.web_password_mismatch")
            office.set_web_password(user.identifier, new)
        except DomainError as exc:
            errors = field_error(exc, language, {"err.web_password_short": "new",
                                                 "err.web_password_long": "new",
                                                 "err.web_password_mismatch": "repeat"})
    if errors:
        return render(request, "account.html", status_code=422, errors=errors, saved=False)
    # the new password signed every browser out, this one too: sign in again
    return RedirectResponse("/login", status_code=303)
