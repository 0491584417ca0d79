"""Who is signed in to iPOS web, and what they may see and post.

Every page but the sign-in page depends on :func:`signed_in` (a browser without a
session is sent to ``/login``); every form post also on :func:`checked_form`, which
refuses a post without the session's CSRF token. A manager's pages pass every store id
they touch through :func:`store_allowed`: another store's page answers 404, the same as
a store that does not exist, so its existence is not given away.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from starlette.datastructures import FormData

from ipos_tui.backoffice.services import BackOffice, WebUser

SESSION_COOKIE = "ipos_session"


class SignInRequired(Exception):
    """No (valid) session: the page answers with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfRefused(Exception):
    """A form post without the session's CSRF token (answered 403 with a page)."""


class OwnerOnly(Exception):
    """A manager tried an owner's page (answered 403 with a page)."""


def office_of(request: Request) -> BackOffice:
    return request.app.state.office


def signed_in(request: Request) -> WebUser:
    user = office_of(request).web_session(request.cookies.get(SESSION_COOKIE))
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target)
    request.state.web_user = user
    return user


def company_office(request: Request, user: Annotated[WebUser, Depends(signed_in)]) -> BackOffice:
    """The services of the signed-in user's company."""
    return office_of(request).for_company(user.company_id)


def owner_only(user: Annotated[WebUser, Depends(signed_in)]) -> WebUser:
    if not user.is_owner:
        raise OwnerOnly
    return user


async def checked_form(request: Request,
                       user: Annotated[WebUser, Depends(signed_in)]) -> FormData:
    """The posted form, after its CSRF token matched the session's."""
    form = await request.form()
    token = form.get("csrf_token")
    if not isinstance(token, str) or token != user.csrf:
        raise CsrfRefused
    return form


def store_allowed(user: WebUser, store_id: int | None) -> int | None:
    """``store_id`` when the user may see it; 404 otherwise (None passes: "all")."""
    if store_id is not None and not user.sees_store(store_id):
        raise HTTPException(status_code=404)
    return store_id


def login_url(next_path: str) -> str:
    return "/login?next=" + quote(next_path, safe="/")


User = Annotated[WebUser, Depends(signed_in)]
Owner = Annotated[WebUser, Depends(owner_only)]
Office = Annotated[BackOffice, Depends(company_office)]
Form = Annotated[FormData, Depends(checked_form)]
