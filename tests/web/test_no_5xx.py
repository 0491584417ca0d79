"""No page of iPOS web answers 5xx to anything a browser can send: every route, as the
owner and as a manager, with junk in its path, its query and its form (tried: letters,
huge and negative numbers, a NUL, a lone surrogate's bytes, 10 kB strings, repeated
fields, missing fields, a wrong CSRF token)."""

from __future__ import annotations

import re

import httpx
import pytest
from web_support import WebClient

from ipos_tui.backoffice.services import BackOffice

JUNK = ["abc", "0", "-1", "99999999999999999999999", "%00", "%ED%A0%80", "x" * 10_000,
        "1.5", "", "ą;ś\"'<script>"]
FIELDS = ["name", "plu", "price", "vat", "unit", "identifier", "pin", "pin_repeat", "role",
          "permissions", "store", "price_list", "q", "page", "version", "code", "kind",
          "value", "scope", "parent", "precision", "login_mode", "address", "nip", "confirm",
          "barcode", "active", "password", "repeat", "new", "current", "direction"]


def _web_routes(router_index: int) -> list[tuple[str, str]]:
    from ipos_tui.backoffice.web.routes import ROUTERS

    found = []
    for router in ROUTERS[router_index:router_index + 1]:
        for route in router.routes:
            for method in sorted(route.methods or ()):
                if method in ("GET", "POST") and route.path not in ("/logout",):
                    found.append((method, route.path))
    return found


def _paths(template: str) -> list[str]:
    if "{" not in template:
        return [template]
    return [re.sub(r"\{[^}]+\}", junk, template) for junk in ("abc", "0", "999999999999999999999",
                                                               "1", "1001", "%ED%A0%80")]


def _router_count() -> int:
    from ipos_tui.backoffice.web.routes import ROUTERS

    return len(ROUTERS)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("router_index", range(_router_count()))
def test_no_route_answers_5xx_to_junk(owner: WebClient, web_url: str, office: BackOffice,
                                      router_index: int) -> None:
    office.add_user("3001", "Marek", "3579", "manager")
    office.set_web_password("3001", "kierownik-osiedle")
    office.set_user_stores("3001", [2])
    manager = WebClient(web_url)
    manager.login("3001", "kierownik-osiedle")
    routes = _web_routes(router_index)
    assert routes  # each menu group has pages
    failures = []
    for browser in (owner, manager):
        for method, template in routes:
            for path in _paths(template):
                if method == "GET":
                    for junk in JUNK[:6]:
                        response = browser.http.get(path, params={f: junk for f in FIELDS[:16]})
                        if response.status_code >= 500:
                            failures.append((method, path, junk, response.status_code))
                    continue
                for junk in JUNK:
                    form = {f: junk for f in FIELDS} | {"csrf_token": browser.csrf}
                    response = browser.http.post(path, data=form)
                    if response.status_code >= 500:
                        failures.append((method, path, junk[:20], response.status_code))
                repeated = [(f, v) for f in FIELDS for v in ("1", "2")] + [
                    ("csrf_token", browser.csrf)]
                response = browser.http.post(path, content=httpx.QueryParams(repeated).__str__(),
                                             headers={"content-type":
                                                      "application/x-www-form-urlencoded"})
                if response.status_code >= 500:
                    failures.append((method, path, "repeated", response.status_code))
                response = browser.http.post(path, data={"csrf_token": "wrong"})
                if response.status_code >= 500:
                    failures.append((method, path, "no csrf", response.status_code))
    manager.close()
    assert failures == []
