"""Konfiguracja → Personel and Ustawienia in iPOS web, tried with a real server: every
form's refusals next to their fields, all-or-nothing saves, stale forms, the last owner,
payment method order, CSRF-less posts and a manager kept out."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "backoffice"))

from backoffice_support import TerminalClient  # noqa: E402
from web_support import WebClient, main_text  # noqa: E402

from ipos_tui.backoffice.services import BackOffice  # noqa: E402

VERSION_RE = re.compile(r'name="version" value="([^"]*)"')


def _version(html: str) -> str:
    found = VERSION_RE.search(html)
    assert found, "the form carries no version"
    return found.group(1)


def _field_error(html: str, name: str) -> str:
    """The message shown next to field ``name`` ("" when none)."""
    found = re.search(rf'<small class="error" id="e-{name}">([^<]*)</small>', html)
    return found.group(1) if found else ""


def _till_up_to_date(office: BackOffice, url: str, stream: str) -> TerminalClient:
    """A real till of store 1 that has fetched everything of ``stream``."""
    _, code = office.add_terminal(1, "Kasa")
    till = TerminalClient.activate(url, code)
    till.pull_all(stream)
    return till


def _new_user(**fields: str | list[str]) -> dict[str, str | list[str]]:
    form: dict[str, str | list[str]] = {"identifier": "2001", "name": "Ewa Lis", "pin": "4321",
                                        "pin_repeat": "4321", "role": "cashier"}
    form.update(fields)
    return form


def _edit_form(owner: WebClient, identifier: str, **fields: object) -> dict[str, object]:
    """The edit form of ``identifier`` as the page fills it, with ``fields`` changed."""
    page = owner.get(f"/staff/{identifier}")
    assert page.status_code == 200
    member = {"name": re.search(r'name="name" type="text" value="([^"]*)"', page.text).group(1),
              "role": re.search(r'<option value="(\w+)" selected', page.text).group(1),
              "permissions": re.findall(r'name="permissions" value="(\w+)" checked', page.text),
              "stores": re.findall(r'name="stores" value="(\d+)" checked', page.text),
              "version": _version(page.text)}
    if 'name="active" value="1" checked' in page.text:
        member["active"] = "1"
    member.update(fields)
    return {k: v for k, v in member.items() if v is not None}


# ------------------------------------------------------------------ Personel

def test_staff_list_shows_roles_permissions_web_access_and_a_managers_stores(
        owner: WebClient, office: BackOffice) -> None:
    office.add_user("3001", "Kamil Kierownik", "1234", role="manager")
    office.set_user_stores("3001", [2])
    text = main_text(owner.get("/staff").text)
    assert "1001 Anna Kowalska właściciel" in text
    assert "zmiana ceny" in text and "anulowanie paragonu" in text  # perm.name.* texts
    assert "3001 Kamil Kierownik kierownik – tak nie" in text
    store_2 = office.list_stores()[1]["name"]
    assert text.endswith(f"nie {store_2}") or f"nie {store_2}" in text


def test_adding_a_cashier_reaches_the_tills_users_stream(owner: WebClient, web_url: str,
                                                        office: BackOffice) -> None:
    till = _till_up_to_date(office, web_url, "users")
    assert "Do pobrania" not in main_text(owner.get("/staff").text)
    response = owner.post("/staff/new", _new_user(permissions=["returns", "void"]))
    assert response.status_code == 303 and response.headers["location"] == "/staff/2001?added=1"
    page = owner.get(response.headers["location"])
    assert "Dodano pracownika 2001" in main_text(page.text)
    assert "Do pobrania przy następnej synchronizacji (8 → 4 → 2" in main_text(page.text)
    added = office.get_staff("2001")
    assert (added["name"], added["role"], added["permissions"]) == (
        "Ewa Lis", "cashier", ["returns", "void"])
    assert office.verify_user_pin("2001", "4321")
    till.pull_all("users")
    assert "Do pobrania" not in main_text(owner.get("/staff").text)
    till.close()


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"identifier": "1002"}, "identifier", "Identyfikator 1002 ma już inny pracownik."),
    ({"identifier": "ab c!"}, "identifier", "Nieprawidłowy identyfikator"),
    ({"identifier": ""}, "identifier", "Nieprawidłowy identyfikator"),
    ({"name": "   "}, "name", "Nazwa nie może być pusta."),
    ({"name": "x" * 81}, "name", "najwyżej 80 znaków"),
    ({"pin": "123", "pin_repeat": "123"}, "pin", "PIN musi mieć od 4 do 8 cyfr."),
    ({"pin": "123456789", "pin_repeat": "123456789"}, "pin", "PIN musi mieć od 4 do 8 cyfr."),
    ({"pin": "12a4", "pin_repeat": "12a4"}, "pin", "PIN musi mieć od 4 do 8 cyfr."),
    ({"pin": "1234", "pin_repeat": "1235"}, "pin_repeat", "PIN-y się różnią"),
    ({"role": "szef"}, "role", "Nieznana rola „szef”."),
])
def test_new_staff_form_refuses_bad_input_next_to_the_field(
        owner: WebClient, office: BackOffice, fields: dict[str, str], field: str,
        message: str) -> None:
    before = office.list_users()
    response = owner.post("/staff/new", _new_user(**fields))
    assert response.status_code == 422
    assert message in _field_error(response.text, field)
    assert office.list_users() == before  # nothing added
    if field != "identifier":  # the typed values stay, the PINs never come back
        assert 'value="2001"' in response.text
    assert 'value="4321"' not in response.text


def test_a_short_pin_for_free_discounts_is_refused_unless_the_owner_allows_it(
        owner: WebClient, office: BackOffice) -> None:
    # the demo shop allows short PINs; Ustawienia without the box ticked forbids them
    assert owner.post("/settings", _settings_form(owner)).status_code == 303
    assert office.get_settings()["short_pins_privileged"] is False
    form = _new_user(permissions=["free_discount"])
    response = owner.post("/staff/new", form)
    assert response.status_code == 422
    assert "co najmniej 6 cyfr" in _field_error(response.text, "pin")
    assert "2001" not in {u["identifier"] for u in office.list_users()}
    response = owner.post("/staff/new", {**form, "pin": "43210987", "pin_repeat": "43210987"})
    assert response.status_code == 303
    assert office.verify_user_pin("2001", "43210987")
    # the owner allows short PINs in Ustawienia: then the 4 digits are taken
    assert owner.post("/settings", _settings_form(
        owner, short_pins_privileged="1")).status_code == 303
    assert office.get_settings()["short_pins_privileged"] is True
    response = owner.post("/staff/new", {**form, "identifier": "2002"})
    assert response.status_code == 303
    assert office.verify_user_pin("2002", "4321")


def test_a_permission_posted_by_hand_is_refused(owner: WebClient, office: BackOffice) -> None:
    response = owner.post("/staff/new", _new_user(permissions=["void", "open_safe"]))
    assert response.status_code == 422
    assert "Nieznane uprawnienie „open_safe”." in main_text(response.text)
    assert "2001" not in {u["identifier"] for u in office.list_users()}


def test_several_wrong_fields_are_all_marked_at_once(owner: WebClient) -> None:
    response = owner.post("/staff/new", _new_user(identifier="?", name="", pin="1"))
    assert response.status_code == 422
    for field in ("identifier", "name", "pin"):
        assert _field_error(response.text, field), field


def test_editing_changes_name_role_permissions_and_resets_the_pin(
        owner: WebClient, office: BackOffice) -> None:
    form = _edit_form(owner, "1003", name="Ola Nowa", permissions=["returns"], pin="5555",
                      pin_repeat="5555")
    response = owner.post("/staff/1003", form)
    assert response.status_code == 303 and response.headers["location"] == "/staff/1003?saved=1"
    member = office.get_staff("1003")
    assert (member["name"], member["permissions"], member["active"]) == (
        "Ola Nowa", ["returns"], True)
    assert office.verify_user_pin("1003", "5555")
    assert "Zapisano zmiany pracownika 1003" in main_text(owner.get("/staff/1003?saved=1").text)


def test_edit_refuses_a_pin_reset_typed_differently(owner: WebClient, office: BackOffice) -> None:
    form = _edit_form(owner, "1003", name="Zmienione", pin="5555", pin_repeat="5556")
    response = owner.post("/staff/1003", form)
    assert response.status_code == 422
    assert "PIN-y się różnią" in _field_error(response.text, "pin_repeat")
    assert office.get_staff("1003")["name"] == "Ola Wiśniewska"  # nothing saved
    assert 'value="Zmienione"' in response.text  # what was typed stays


def test_owner_gives_a_manager_a_web_password_and_stores(owner: WebClient, web_url: str,
                                                         office: BackOffice) -> None:
    form = _edit_form(owner, "1002", role="manager", web_password="kierownik-1002",
                      web_password_repeat="kierownik-1002", stores=["1"])
    assert owner.post("/staff/1002", form).status_code == 303
    assert office.get_staff("1002")["store_ids"] == [1]
    assert office.get_staff("1002")["web_password"]
    manager = WebClient(web_url)
    assert manager.login("1002", "kierownik-1002").status_code == 303
    manager.close()


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"role": "manager", "web_password": "krótkie", "web_password_repeat": "krótkie"},
     "web_password", "co najmniej 8 znaków"),
    ({"role": "manager", "web_password": "dlugie-haslo-1", "web_password_repeat": "dlugie-haslo-2"},
     "web_password_repeat", "Hasła się różnią"),
    ({"web_password": "haslo-kasjera", "web_password_repeat": "haslo-kasjera"},
     "web_password", "nie ma dostępu do iPOS web"),
    ({"role": "manager", "stores": ["999"]}, "stores", "Nie ma sklepu 999."),
    ({"role": "manager", "stores": ["pierwszy"]}, "stores", "Nie ma sklepu pierwszy."),
])
def test_web_password_and_stores_refused_and_nothing_saved(
        owner: WebClient, office: BackOffice, fields: dict[str, object], field: str,
        message: str) -> None:
    form = _edit_form(owner, "1002", name="Jan Zmieniony", **fields)
    response = owner.post("/staff/1002", form)
    assert response.status_code == 422
    assert message in _field_error(response.text, field) or message in main_text(response.text)
    member = office.get_staff("1002")
    # all or nothing: neither the name nor the role changed with the refused part
    assert (member["name"], member["role"], member["web_password"]) == (
        "Jan Nowak", "cashier", False)


def test_the_owner_cannot_deactivate_themselves(owner: WebClient, office: BackOffice) -> None:
    form = _edit_form(owner, "1001", active=None)
    form.pop("active", None)
    response = owner.post("/staff/1001", form)
    assert response.status_code == 422
    assert "Nie możesz dezaktywować własnego konta" in main_text(response.text)
    assert office.get_staff("1001")["active"] is True


def test_the_last_active_owner_is_never_removed(owner: WebClient, office: BackOffice) -> None:
    office.add_user("4001", "Drugi Właściciel", "1234", role="owner")
    # two owners: the other one may be demoted
    assert owner.post("/staff/4001", _edit_form(owner, "4001", role="manager")).status_code == 303
    # the signed-in owner is now the only one: demoting them is refused
    response = owner.post("/staff/1001", _edit_form(owner, "1001", role="manager"))
    assert response.status_code == 422
    assert "1001 jest ostatnim aktywnym właścicielem" in main_text(response.text)
    assert office.get_staff("1001")["role"] == "owner"
    # the same rule holds outside the page (CLI and API use the same service)
    office.update_user("4001", role="owner")
    office.update_user("4001", active=False)  # another owner may be deactivated …
    from ipos_tui.domain.errors import DomainError
    with pytest.raises(DomainError, match="err.last_owner"):
        office.deactivate_user("1001")  # … but not the last active one


def test_a_stale_staff_form_is_refused(owner: WebClient, office: BackOffice) -> None:
    form = _edit_form(owner, "1003", name="Moja zmiana")
    office.update_user("1003", name="Cudza zmiana")  # someone else saved meanwhile
    response = owner.post("/staff/1003", form)
    assert response.status_code == 409
    assert "Ktoś zmienił te dane w międzyczasie" in main_text(response.text)
    assert office.get_staff("1003")["name"] == "Cudza zmiana"
    assert 'value="Cudza zmiana"' in response.text  # the current data to edit again


def test_a_new_own_password_signs_in_again(owner: WebClient, web_url: str) -> None:
    form = _edit_form(owner, "1001", web_password="nowe-haslo-wlasciciela",
                      web_password_repeat="nowe-haslo-wlasciciela")
    response = owner.post("/staff/1001", form)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    again = WebClient(web_url)
    assert again.login("1001", "nowe-haslo-wlasciciela").status_code == 303
    again.close()


def test_unknown_or_odd_staff_urls_are_404(owner: WebClient) -> None:
    for path in ("/staff/9999", "/staff/" + "9" * 300, "/staff/%C5%BC%C3%B3%C5%82w"):
        assert owner.get(path).status_code == 404, path


# ---------------------------------------------------------------- Ustawienia

def _settings_form(owner: WebClient, **fields: str | None) -> dict[str, str]:
    page = owner.get("/settings")
    assert page.status_code == 200
    form = {"version": _version(page.text), "login_mode": "identifier_pin",
            "day_close_mode": "off", "day_close_time": "23:59", "receipt_header": "",
            "large_amount": "1000,00", "large_quantity": "100",
            "cash_difference_limit": "100,00", "cash_management": "1", "parked_receipts": "1"}
    form.update(fields)
    return {k: v for k, v in form.items() if v is not None}


def test_settings_saves_several_settings_at_once(owner: WebClient, office: BackOffice,
                                                 web_url: str) -> None:
    till = _till_up_to_date(office, web_url, "config")
    form = _settings_form(owner, login_mode="none", day_close_mode="reminder",
                          day_close_time="22:30", large_amount="12,5", large_quantity="50",
                          receipt_header="Sklep u Ani", cashier_shifts="1",
                          cash_management=None, cash_difference_limit="20,00")
    response = owner.post("/settings", form)
    assert response.status_code == 303
    values = office.get_settings()
    assert values["login_mode"] == "none" and values["day_close_mode"] == "reminder"
    assert values["day_close_time"] == "22:30" and values["large_amount"] == 1250
    assert values["large_quantity"] == 50 and values["receipt_header"] == "Sklep u Ani"
    assert values["cashier_shifts"] is True and values["cash_management"] is False
    assert values["cash_difference_limit"] == "20,00"
    page = owner.get(response.headers["location"])
    assert "Zapisano ustawienia" in main_text(page.text)
    assert "Do pobrania przy następnej synchronizacji (8 → 4 → 1" in main_text(page.text)
    assert 'value="12,50"' in page.text  # the amount shown in złoty
    till.close()


def test_settings_junk_is_refused_field_by_field_and_nothing_saved(
        owner: WebClient, office: BackOffice) -> None:
    before = office.get_settings()
    form = _settings_form(owner, day_close_time="25:00", large_amount="12,345",
                          day_close_mode="sometimes", large_quantity="abc",
                          cash_difference_limit="1e9", receipt_header="Nowy nagłówek",
                          login_mode="identifier")
    response = owner.post("/settings", form)
    assert response.status_code == 422
    assert "„25:00”" in _field_error(response.text, "day_close_time")
    assert "„12,345”" in _field_error(response.text, "large_amount")
    assert "„sometimes”" in _field_error(response.text, "day_close_mode")
    assert "„abc”" in _field_error(response.text, "large_quantity")
    assert "„1e9”" in _field_error(response.text, "cash_difference_limit")
    assert not _field_error(response.text, "receipt_header")
    assert "Nie zapisano ustawień – popraw zaznaczone pola (5)" in main_text(response.text)
    assert office.get_settings() == before  # the valid fields were not saved either
    assert "Nowy nagłówek" in response.text and 'value="25:00"' in response.text


def test_settings_refuses_a_quantity_of_zero_and_a_header_too_long(
        owner: WebClient, office: BackOffice) -> None:
    response = owner.post("/settings", _settings_form(owner, large_quantity="0",
                                                      receipt_header="x" * 201))
    assert response.status_code == 422
    assert _field_error(response.text, "large_quantity")
    assert _field_error(response.text, "receipt_header")


def test_a_stale_settings_form_is_refused(owner: WebClient, office: BackOffice) -> None:
    form = _settings_form(owner, receipt_header="Moje")
    office.set_setting("receipt_header", "Cudze")
    response = owner.post("/settings", form)
    assert response.status_code == 409
    assert "Ktoś zmienił te dane w międzyczasie" in main_text(response.text)
    assert office.get_settings()["receipt_header"] == "Cudze"


# ------------------------------------------------------------ payment methods

def _codes(office: BackOffice) -> list[str]:
    return [m["code"] for m in office.list_payment_methods()]


def _move(owner: WebClient, code: str, direction: str) -> object:
    version = _version(owner.get("/settings/payments").text)
    return owner.post(f"/settings/payments/{code}/move", {"version": version,
                                                          "direction": direction})


def test_payment_methods_move_up_and_down_in_till_order(owner: WebClient,
                                                       office: BackOffice) -> None:
    assert _codes(office) == ["gotowka", "karta", "bon", "przelew"]
    assert _move(owner, "bon", "up").status_code == 303
    assert _codes(office) == ["gotowka", "bon", "karta", "przelew"]
    assert _move(owner, "gotowka", "down").status_code == 303
    assert _codes(office) == ["bon", "gotowka", "karta", "przelew"]
    assert _move(owner, "bon", "up").status_code == 303  # already first: stays
    assert _codes(office) == ["bon", "gotowka", "karta", "przelew"]
    text = main_text(owner.get("/settings/payments").text)
    assert text.index("bon bon") < text.index("gotówka gotowka") < text.index("karta karta")
    assert _move(owner, "karta", "sideways").status_code == 422


def test_a_stale_move_is_refused(owner: WebClient, office: BackOffice) -> None:
    version = _version(owner.get("/settings/payments").text)
    office.move_payment_method("przelew", -1)  # somebody else reordered meanwhile
    response = owner.post("/settings/payments/bon/move", {"version": version,
                                                         "direction": "up"})
    assert response.status_code == 409
    assert "Ktoś zmienił te dane w międzyczasie" in main_text(response.text)
    assert _codes(office) == ["gotowka", "karta", "przelew", "bon"]


def test_adding_a_payment_method_puts_it_last(owner: WebClient, office: BackOffice) -> None:
    owner.get("/settings/payments")
    response = owner.post("/settings/payments", {"code": "blik", "name": "BLIK",
                                                 "kind": "transfer", "active": "1"})
    assert response.status_code == 303
    assert _codes(office)[-1] == "blik"
    added = office.list_payment_methods()[-1]
    assert (added["name"], added["kind"], added["active"], added["gives_change"]) == (
        "BLIK", "transfer", True, False)


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"code": "karta"}, "code", "Metoda płatności o kodzie karta już istnieje."),
    ({"code": "płatność"}, "code", "Nieprawidłowy kod „płatność”"),
    ({"name": " "}, "name", "Nazwa nie może być pusta."),
    ({"name": "x" * 41}, "name", "najwyżej 40 znaków"),
    ({"kind": "bitcoin"}, "kind", "Nieznany rodzaj metody płatności „bitcoin”."),
])
def test_payment_method_form_refuses_bad_input(owner: WebClient, office: BackOffice,
                                               fields: dict[str, str], field: str,
                                               message: str) -> None:
    owner.get("/settings/payments")
    before = office.list_payment_methods()
    form = {"code": "blik", "name": "BLIK", "kind": "other", **fields}
    response = owner.post("/settings/payments", form)
    assert response.status_code == 422
    assert message in _field_error(response.text, field)
    assert office.list_payment_methods() == before


def test_renaming_and_flags_of_a_payment_method(owner: WebClient, office: BackOffice) -> None:
    page = owner.get("/settings/payments/bon")
    response = owner.post("/settings/payments/bon", {
        "version": _version(page.text), "name": "Bon podarunkowy", "kind": "voucher",
        "opens_drawer": "1"})
    assert response.status_code == 303
    bon = next(m for m in office.list_payment_methods() if m["code"] == "bon")
    assert (bon["name"], bon["opens_drawer"], bon["active"]) == ("Bon podarunkowy", True, False)
    # a stale edit: the page shown before this save
    stale = owner.post("/settings/payments/bon", {"version": _version(page.text),
                                                  "name": "Inny", "kind": "voucher"})
    assert stale.status_code == 409
    assert next(m for m in office.list_payment_methods() if m["code"] == "bon")["name"] == \
        "Bon podarunkowy"
    # an empty name is refused next to the field
    page = owner.get("/settings/payments/bon")
    empty = owner.post("/settings/payments/bon", {"version": _version(page.text), "name": "",
                                                  "kind": "voucher"})
    assert empty.status_code == 422
    assert "Nazwa nie może być pusta." in _field_error(empty.text, "name")


# ------------------------------------------------------------------ access

@pytest.mark.parametrize(("path", "data"), [
    ("/staff/new", {"identifier": "2001", "name": "X", "pin": "1234", "pin_repeat": "1234",
                    "role": "owner"}),
    ("/staff/1002", {"name": "X", "role": "owner", "active": "1"}),
    ("/settings", {"login_mode": "none"}),
    ("/settings/payments", {"code": "x", "name": "X", "kind": "other"}),
    ("/settings/payments/bon/move", {"direction": "up"}),
])
def test_posts_without_the_csrf_token_change_nothing(owner: WebClient, office: BackOffice,
                                                     path: str, data: dict[str, str]) -> None:
    users, settings, methods = (office.list_users(), office.get_settings(),
                                office.list_payment_methods())
    response = owner.post(path, data, csrf=False)
    assert response.status_code == 403
    assert "Formularz wygasł" in main_text(response.text)
    assert (office.list_users(), office.get_settings(), office.list_payment_methods()) == (
        users, settings, methods)


def test_a_manager_gets_403_on_staff_and_settings(web_url: str, office: BackOffice) -> None:
    office.add_user("3001", "Kamil Kierownik", "1234", role="manager")
    office.set_web_password("3001", "haslo-kierownika")
    office.set_user_stores("3001", [1])
    manager = WebClient(web_url)
    assert manager.login("3001", "haslo-kierownika").status_code == 303
    for path in ("/staff", "/staff/new", "/staff/1002", "/settings", "/settings/payments",
                 "/settings/payments/bon"):
        response = manager.get(path)
        assert response.status_code == 403, path
        assert "Tę stronę otwiera tylko właściciel." in main_text(response.text)
    before = office.get_settings()
    assert manager.post("/settings", {"login_mode": "none"}).status_code == 403
    assert manager.post("/staff/3001", {"role": "owner"}).status_code == 403
    assert office.get_settings() == before and office.get_staff("3001")["role"] == "manager"
    manager.close()


def test_pages_in_english(web_url: str) -> None:
    browser = WebClient(web_url, language="en")
    browser.login()
    assert "Staff" in main_text(browser.get("/staff").text)
    settings = main_text(browser.get("/settings").text)
    assert "Login mode on the till" in settings and "Large quantity" in settings
    browser.close()


def test_settings_scale_codes_are_normalised_and_a_bad_layout_refused(
        owner: WebClient, office: BackOffice) -> None:
    """Issue 14, item 7: the label scales' EAN-13 layouts per prefix."""
    page = owner.get("/settings")
    assert 'value="27PPPPPWWWWWC 28PPPPPWWWWWC 29PPPPPWWWWWC 23PPPPPVVVVVC 24PPPPPVVVVVC"' in page.text
    response = owner.post("/settings", _settings_form(owner, scale_codes="27pppppwwwwwc, 23PPPPPVVVVVC"))
    assert response.status_code == 303
    assert office.get_settings()["scale_codes"] == "27PPPPPWWWWWC 23PPPPPVVVVVC"
    response = owner.post("/settings", _settings_form(owner, scale_codes="27PPPPPWWWWWC 27PPPPPVVVVVC"))
    assert response.status_code == 422
    assert "Nieprawidłowy układ kodu z wagi „27PPPPPVVVVVC”" in _field_error(response.text, "scale_codes")
    assert office.get_settings()["scale_codes"] == "27PPPPPWWWWWC 23PPPPPVVVVVC"
