"""Signing in to iPOS web: passwords, lockout, roles, sessions, CSRF, languages, and
what a browser gets for pages that do not exist (tried with a real server)."""

from __future__ import annotations

from web_support import OWNER, WebClient, main_text

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.backoffice.services.web_access import LOCKOUT_AFTER


def test_pages_send_a_browser_without_a_session_to_the_sign_in_page(client: WebClient) -> None:
    response = client.get("/account?q=mleko")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account%3Fq%3Dmleko"


def test_owner_signs_in_lands_where_they_were_going_and_signs_out(client: WebClient) -> None:
    response = client.login(next_path="/terminals")
    assert response.status_code == 303 and response.headers["location"] == "/terminals"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    home = client.get("/")
    assert home.status_code == 200 and "Anna Kowalska" in home.text
    assert client.post("/logout").status_code == 303
    assert client.get("/").status_code == 303  # the session is gone on the server too


def test_sign_in_never_goes_to_another_host_afterwards(client: WebClient) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = client.login(next_path=target)
        assert response.headers["location"] == "/"


def test_wrong_password_and_unknown_login_get_the_same_answer(client: WebClient) -> None:
    client.get("/login")
    wrong = client.post("/login", {"login": "1001", "password": "nie-to"})
    unknown = client.post("/login", {"login": "9999", "password": "demo"})
    assert wrong.status_code == unknown.status_code == 401
    assert "Nieprawidłowy login lub hasło." in main_text(wrong.text)
    assert main_text(wrong.text).replace("1001", "9999") == main_text(unknown.text)


def test_repeated_wrong_passwords_lock_the_login(client: WebClient, office: BackOffice) -> None:
    client.get("/login")
    for _ in range(LOCKOUT_AFTER - 1):
        assert client.post("/login", {"login": "1001", "password": "zgaduję"}).status_code == 401
    locked = client.post("/login", {"login": "1001", "password": "zgaduję"})
    assert locked.status_code == 429
    assert "Za dużo nieudanych prób logowania" in main_text(locked.text)
    # while locked, even the right password is refused
    again = client.post("/login", {"login": "1001", "password": "demo"})
    assert again.status_code == 429
    user = m.User.get(m.User.identifier == "1001")
    assert user.web_locked_until is not None


def test_a_cashier_never_signs_in_even_with_a_password(client: WebClient,
                                                       office: BackOffice) -> None:
    office.update_user("1002", role="manager")
    office.set_web_password("1002", "kasjer-haslo")
    office.update_user("1002", role="cashier")  # demoted afterwards
    response = client.login("1002", "kasjer-haslo")
    assert response.status_code == 401
    assert "nie ma dostępu do iPOS web" in main_text(response.text)


def test_sign_in_without_the_forms_token_is_refused(client: WebClient) -> None:
    response = client.post("/login", {"login": "1001", "password": "demo"}, csrf=False)
    assert response.status_code == 403
    assert "Formularz wygasł" in main_text(response.text)


def test_a_form_posted_without_the_sessions_token_changes_nothing(owner: WebClient) -> None:
    response = owner.post("/logout", {"csrf_token": "forged"}, csrf=False)
    assert response.status_code == 403 and "Formularz wygasł" in main_text(response.text)
    assert owner.get("/").status_code == 200  # still signed in


def test_changing_ones_password_signs_out_every_browser(web_url: str) -> None:
    first, second = WebClient(web_url), WebClient(web_url)
    first.login()
    second.login()
    refused = first.post("/account", {"current": "demo", "new": "krótkie", "repeat": "krótkie"})
    assert refused.status_code == 422 and "co najmniej 8 znaków" in main_text(refused.text)
    mismatch = first.post("/account", {"current": "demo", "new": "nowe hasło 1",
                                       "repeat": "nowe hasło 2"})
    assert "Hasła się różnią" in main_text(mismatch.text)
    assert first.post("/account", {"current": "demo", "new": "nowe hasło 1",
                                   "repeat": "nowe hasło 1"}).status_code == 303
    assert second.get("/").status_code == 303
    assert first.login("1001", "demo").status_code == 401
    assert first.login("1001", "nowe hasło 1").status_code == 303


def test_language_switch_and_browser_language(web_url: str) -> None:
    english = WebClient(web_url, language="en-GB,en;q=0.8")
    english.login()
    assert "Unsent sales" in english.get("/").text
    english.get("/language/pl?next=/")
    assert "Niewysłane sprzedaże" in english.get("/").text


def test_pages_that_do_not_exist_are_pages_the_api_stays_json(owner: WebClient) -> None:
    page = owner.get("/no-such-page")
    assert page.status_code == 404 and "Nie ma takiej strony" in page.text
    assert owner.get("/api/v1/nothing").json()["error"] == "not_found"


def test_web_password_rules(office: BackOffice) -> None:
    import pytest

    from ipos_tui.domain.errors import DomainError

    with pytest.raises(DomainError) as short:
        office.set_web_password("1001", "1234567")
    assert short.value.key == "err.web_password_short"
    with pytest.raises(DomainError) as cashier:
        office.set_web_password("1002", "długie hasło")
    assert cashier.value.key == "err.web_role_none"
    stored = m.User.get(m.User.identifier == OWNER[0]).web_password_hash
    assert stored.startswith("$argon2id$")
