"""iPOS web sign-in throttled per address and per login name (429 + Retry-After, the
page says how long to wait), on a real server with an injected clock."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from web_support import OWNER, WebClient, main_text

from ipos_tui.backoffice.embedded import EmbeddedServer
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.backoffice.services.web_access import LOCKOUT_AFTER
from ipos_tui.backoffice.throttle import Limit, Limits, Throttle


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def site(office: BackOffice, clock: Clock) -> Iterator[str]:
    limits = Limits(login_address=Limit(6, 900), login_name=Limit(3, 300))
    with EmbeddedServer(office, throttle=Throttle(limits, clock=clock)) as url:
        yield url


def _browser(url: str, address: str) -> WebClient:
    browser = WebClient(url)
    browser.http.headers["X-Forwarded-For"] = address  # uvicorn trusts it from 127.0.0.1
    browser.get("/login")
    return browser


def _try(browser: WebClient, login: str, password: str):  # type: ignore[no-untyped-def]
    return browser.post("/login", {"login": login, "password": password})


def test_unknown_login_names_are_throttled_per_name(site: str, clock: Clock, caplog) -> None:
    caplog.set_level(logging.INFO, logger="ipos_tui.backoffice.throttle")
    browser = _browser(site, "10.7.0.1")
    for _ in range(3):
        assert _try(browser, "szef", "haslo").status_code == 401
    refused = _try(browser, "szef", "haslo")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "300"
    assert "Za dużo nieudanych prób logowania" in main_text(refused.text)
    assert "5 min" in main_text(refused.text)
    assert "login_name szef 3/3/300" in caplog.text and "10.7.0.1" in caplog.text
    # the same name from another address is refused too; another name is not
    assert _try(_browser(site, "10.7.0.2"), "szef", "haslo").status_code == 429
    assert _try(browser, OWNER[0], OWNER[1]).status_code == 303
    clock.now += 300
    assert _try(_browser(site, "10.7.0.1"), "szef", "haslo").status_code == 401


def test_many_names_from_one_address_are_throttled_per_address(site: str, clock: Clock) -> None:
    browser = _browser(site, "10.8.0.1")
    for i in range(6):
        assert _try(browser, f"gosc{i}", "haslo").status_code == 401
    refused = _try(browser, OWNER[0], OWNER[1])  # even the right password, while blocked
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) == 900
    other = _browser(site, "10.8.0.2")
    assert _try(other, OWNER[0], OWNER[1]).status_code == 303
    clock.now += 900
    browser.get("/login")
    assert _try(browser, OWNER[0], OWNER[1]).status_code == 303


def test_the_lockout_of_a_real_login_says_retry_after_too(office: BackOffice) -> None:
    """With the default limits the login's own lockout (5 wrong passwords) comes first;
    its 429 carries Retry-After as well."""
    with EmbeddedServer(office) as url:
        browser = _browser(url, "10.6.0.1")
        for _ in range(LOCKOUT_AFTER):
            last = _try(browser, OWNER[0], "zle")
        assert last.status_code == 429 and last.headers["Retry-After"] == "900"
