"""Signing in to iPOS web in a real browser (Debian's chromium via playwright)."""

from __future__ import annotations

from typing import Any

from browser_support import sign_in

from ipos_tui.backoffice.services.web_access import LOCKOUT_AFTER


def test_owner_signs_in_sees_the_shop_and_signs_out(page: Any, web_url: str) -> None:
    page.goto(f"{web_url}/")
    assert page.url.endswith("/login?next=/")
    sign_in(page, web_url)
    assert page.get_by_role("heading", level=1).inner_text() == "Handel Centrum sp. z o.o."
    assert page.get_by_role("cell", name="Sklep Osiedlowy").is_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "ipos_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page.get_by_role("button", name="Wyloguj").click()
    assert "/login" in page.url
    page.goto(f"{web_url}/")
    assert "/login" in page.url  # the session ended on the server


def test_wrong_passwords_show_the_reason_and_lock_the_login(page: Any, web_url: str) -> None:
    for _ in range(LOCKOUT_AFTER - 1):
        sign_in(page, web_url, password="zgaduję")
        assert page.get_by_role("alert").inner_text() == "Nieprawidłowy login lub hasło."
    sign_in(page, web_url, password="zgaduję")
    assert "Za dużo nieudanych prób logowania" in page.get_by_role("alert").inner_text()
    sign_in(page, web_url)  # the right password, still locked
    assert "Za dużo nieudanych prób logowania" in page.get_by_role("alert").inner_text()


def test_english_by_the_browsers_language_and_the_switch(browser: Any, web_url: str) -> None:
    context = browser.new_context(locale="en-GB", base_url=web_url)
    page = context.new_page()
    page.goto(f"{web_url}/login")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in to iPOS web"
    page.get_by_role("link", name="PL").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Logowanie do iPOS web"
    context.close()
