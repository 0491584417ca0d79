"""iPOS web: Cenniki, Firma and Sklepy on the demo back office (real uvicorn).

Bad input tried in each form is named in the test; every refusal keeps what was
typed, changes nothing, and shows its message next to the field."""

from __future__ import annotations

import re

import pytest
from web_support import WebClient, main_text

from ipos_tui.backoffice.services import BackOffice
from ipos_tui.domain.errors import DomainError

MANAGER_PW = "haslo-kierownika"


def version(html: str, action: str) -> str:
    """The hidden version of the form posting to ``action``."""
    form = html.split(f'action="{action}"', 1)[1].split("</form>", 1)[0]
    found = re.search(r'name="version" value="([^"]*)"', form)
    assert found, action
    return found.group(1)


def row_version(html: str, plu: str) -> str:
    found = re.search(rf'name="plu" value="{plu}"><input type="hidden" name="row" value="1">\s*'
                      r'<input type="hidden" name="version" value="([^"]*)"', html)
    assert found, plu
    return found.group(1)


def price_of(office: BackOffice, list_id: int, plu: str) -> int | None:
    return office.get_price(list_id, office.product_by_plu(plu))


@pytest.fixture
def manager(office: BackOffice, web_url: str):
    office.add_user("2001", "Kierownik Rynku", "2468", role="manager")
    office.set_web_password("2001", MANAGER_PW)
    office.set_user_stores("2001", [1])
    browser = WebClient(web_url)
    assert browser.login("2001", MANAGER_PW).status_code == 303
    yield browser
    browser.close()


# ------------------------------------------------------------------ Cenniki


def test_price_lists_show_their_stores_and_a_new_list_is_added(owner: WebClient) -> None:
    page = main_text(owner.get("/price-lists").text)
    assert "Cennik Sklep Centrum" in page and "Cennik Sklep Osiedlowy" in page
    assert "Sklep Osiedlowy" in page
    response = owner.post("/price-lists", {"name": "  Promocje  "})
    assert response.status_code == 303
    target = response.headers["location"]
    assert re.fullmatch(r"/price-lists/\d+\?saved=list_added", target)
    page = main_text(owner.get(target).text)
    assert "Cennik: Promocje" in page and "Dodano cennik" in page
    assert "Żaden sklep nie sprzedaje według tego cennika." in page
    assert "brak ceny" in page  # its products have no price yet


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Nazwa nie może być pusta."),                       # empty
    ("   ", "Nazwa nie może być pusta."),                    # only spaces
    ("x" * 81, "Nazwa może mieć najwyżej 80 znaków."),       # too long for the column
    ("x" * 5000, "Najwyżej 300 znaków."),                    # far too long
    ("Cennik Sklep Centrum", "Cennik „Cennik Sklep Centrum” już istnieje."),  # taken
])
def test_a_bad_list_name_is_refused_next_to_the_field(owner: WebClient, office: BackOffice,
                                                      typed: str, message: str) -> None:
    owner.get("/price-lists")
    response = owner.post("/price-lists", {"name": typed})
    assert response.status_code == 422
    assert f'<small class="error" id="e-name">{message}</small>' in response.text
    assert len(office.list_price_lists()) == 2


def test_a_list_is_renamed_and_a_stale_rename_refused(owner: WebClient,
                                                      office: BackOffice) -> None:
    html = owner.get("/price-lists/2").text
    old_version = version(html, "/price-lists/2/rename")
    response = owner.post("/price-lists/2/rename", {"name": "Osiedle", "version": old_version})
    assert response.status_code == 303
    assert office.get_price_list(2)["name"] == "Osiedle"
    # the same (now stale) form again: refused, the current name shown
    response = owner.post("/price-lists/2/rename", {"name": "Inna", "version": old_version})
    assert response.status_code == 409
    assert "Ktoś zmienił te dane w międzyczasie" in response.text
    assert office.get_price_list(2)["name"] == "Osiedle"
    # taken by the other list; empty
    html = owner.get("/price-lists/2").text
    for typed, message in (("Cennik Sklep Centrum", "już istnieje"), ("", "Nazwa nie może")):
        response = owner.post("/price-lists/2/rename",
                              {"name": typed, "version": version(html, "/price-lists/2/rename")})
        assert response.status_code == 422 and message in response.text


def test_prices_are_searched_by_name_plu_and_barcode_and_paged(owner: WebClient,
                                                              office: BackOffice) -> None:
    page = main_text(owner.get("/price-lists/1").text)
    assert "Produktów: 385" in page and "Strona 1 z 8" in page
    page2 = main_text(owner.get("/price-lists/1?page=2").text)
    assert "Strona 2 z 8" in page2 and "Mleko 3,2% 1l" not in page2
    assert "Produktów: 4" in main_text(owner.get("/price-lists/1?q=mleko").text)
    by_plu = main_text(owner.get("/price-lists/1?q=3").text)
    assert "Mleko 0,5% 1l 3,19 zł" in by_plu
    code = office.get_product(office.product_by_plu("4"))["barcodes"][0]
    by_code = main_text(owner.get(f"/price-lists/1?q={code}").text)
    assert "Produktów: 1" in by_code and "Mleko bez laktozy 1l" in by_code
    # junk paging and search never fail
    for junk in ("page=abc", "page=-1", "page=99999999999999999999", "q=%00%ff" + "z" * 2000):
        assert owner.get(f"/price-lists/1?{junk}").status_code == 200, junk


def test_a_price_typed_in_zloty_is_saved_in_that_list_only(owner: WebClient,
                                                               office: BackOffice) -> None:
    html = owner.get("/price-lists/1?q=mleko").text
    response = owner.post("/price-lists/1/prices", {
        "plu": "1", "price": "3,79", "row": "1", "version": row_version(html, "1"),
        "q": "mleko", "page": "1"})
    assert response.status_code == 303
    assert response.headers["location"] == "/price-lists/1?q=mleko&page=1&saved=price_set&plu=1"
    assert "Zapisano cenę PLU 1." in main_text(owner.get(response.headers["location"]).text)
    assert price_of(office, 1, "1") == 379
    assert price_of(office, 2, "1") == 369  # the other list unchanged
    # by barcode in the form above the table, "1 234,5" style
    code = office.get_product(office.product_by_plu("4"))["barcodes"][0]
    assert owner.post("/price-lists/1/prices", {"plu": code, "price": "4,9"}).status_code == 303
    assert price_of(office, 1, "4") == 490


@pytest.mark.parametrize(("plu", "typed", "field", "message"), [
    ("2", "12,345", "price", "Nieprawidłowa cena „12,345”"),      # three decimals
    ("2", "abc", "price", "Nieprawidłowa cena „abc”"),            # letters
    ("2", "-3,00", "price", "Cena nie może być ujemna."),         # negative
    ("2", "1000000", "price", "najwyżej 999 999,99 zł"),          # over the maximum
    ("2", "99999999999999999999999", "price", "najwyżej 999 999,99 zł"),
    ("2", "0", "price", "Cena musi być większa od zera."),        # zero, fixed price
    ("2", "", "price", "Pole wymagane."),                          # empty
    ("999999", "3,00", "plu", "Nie ma produktu o PLU lub kodzie kreskowym „999999”."),
    ("", "3,00", "plu", "Pole wymagane."),                         # no product at all
    ("2" * 100, "3,00", "plu", "Najwyżej 40 znaków."),
])
def test_a_bad_price_is_refused_next_to_the_field(owner: WebClient, office: BackOffice,
                                                  plu: str, typed: str, field: str,
                                                  message: str) -> None:
    owner.get("/price-lists/1")
    response = owner.post("/price-lists/1/prices", {"plu": plu, "price": typed})
    assert response.status_code == 422
    error = re.search(rf'<small class="error" id="e-{field}">([^<]*)</small>', response.text)
    assert error and message in error.group(1)
    assert f'value="{typed[:40]}"' in response.text  # what was typed is kept
    assert price_of(office, 1, "2") == 329


def test_a_bad_price_in_a_row_is_shown_in_that_row(owner: WebClient, office: BackOffice) -> None:
    html = owner.get("/price-lists/1").text
    response = owner.post("/price-lists/1/prices", {
        "plu": "2", "price": "12,345", "row": "1", "version": row_version(html, "2")})
    assert response.status_code == 422
    row = response.text.split('<tr id="p2">', 1)[1].split("</tr>", 1)[0]
    assert "Nieprawidłowa cena „12,345”" in row and 'value="12,345"' in row
    assert price_of(office, 1, "2") == 329


def test_a_price_jump_is_asked_in_the_page_and_saved_only_when_confirmed(
        owner: WebClient, office: BackOffice) -> None:
    html = owner.get("/price-lists/1").text
    response = owner.post("/price-lists/1/prices", {
        "plu": "3", "price": "319,00", "row": "1", "version": row_version(html, "3")})
    assert response.status_code == 409
    page = main_text(response.text)
    assert ("Cena PLU 3 zmieniłaby się o ponad 5 razy: 3,19 zł → 319,00 zł (100 razy więcej). "
            "Nic nie zapisano.") in page
    assert price_of(office, 1, "3") == 319  # refused without the confirmation
    confirm = response.text.split('name="confirm" value="1"', 1)[0].rsplit("<form", 1)[1]
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', confirm))
    assert fields["price"] == "319,00"
    response = owner.post("/price-lists/1/prices", {**fields, "confirm": "1"})
    assert response.status_code == 303
    assert price_of(office, 1, "3") == 31900
    # down more than 5x asks too; the confirmation of a price changed meanwhile is stale
    response = owner.post("/price-lists/1/prices", {"plu": "3", "price": "45"})
    assert response.status_code == 409 and "7,1 razy mniej" in response.text
    confirm = response.text.split('name="confirm" value="1"', 1)[0].rsplit("<form", 1)[1]
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', confirm))
    office.set_price(1, office.product_by_plu("3"), 30000)
    response = owner.post("/price-lists/1/prices", {**fields, "confirm": "1"})
    assert response.status_code == 422 and "Ktoś zmienił te dane" in response.text
    assert price_of(office, 1, "3") == 30000
    # just over 5x asks, exactly 5x (300,00 → 1 500,00) is no jump
    assert owner.post("/price-lists/1/prices", {"plu": "3", "price": "1500,01"}).status_code == 409
    assert owner.post("/price-lists/1/prices", {"plu": "3", "price": "1 500"}).status_code == 303
    assert price_of(office, 1, "3") == 150000


def test_the_service_refuses_an_unconfirmed_jump(office: BackOffice) -> None:
    product = office.product_by_plu("3")
    with pytest.raises(DomainError) as refused:
        office.set_price(1, product, 31900, confirmed=False)
    assert refused.value.key == "err.price_jump"
    assert refused.value.params == {"plu": "3", "list": 1, "old": 319, "new": 31900}
    assert office.get_price(1, product) == 319
    assert office.price_jump(1, product, 31900) == 319
    assert office.price_jump(1, product, 319 * 5) is None  # exactly 5x is no jump
    assert office.price_jumps(1, {"3": 31900, "2": 400}) == {"3": 319}
    office.set_price(1, product, 31900, confirmed=True)
    assert office.get_price(1, product) == 31900


def test_a_stale_row_price_is_refused(owner: WebClient, office: BackOffice) -> None:
    html = owner.get("/price-lists/1").text
    office.set_price(1, office.product_by_plu("2"), 400)  # someone else, meanwhile
    response = owner.post("/price-lists/1/prices", {
        "plu": "2", "price": "3,50", "row": "1", "version": row_version(html, "2")})
    assert response.status_code == 422 and "Ktoś zmienił te dane" in response.text
    assert price_of(office, 1, "2") == 400


def test_a_price_is_removed(owner: WebClient, office: BackOffice) -> None:
    html = owner.get("/price-lists/1").text
    stale = row_version(html, "5")
    before = price_of(office, 1, "5")
    # the row's button asks first (the product stops selling in the list's stores)
    question = owner.post("/price-lists/1/prices/remove", {"plu": "5", "version": stale})
    assert question.status_code == 200
    text = main_text(question.text)
    assert "Usunąć cenę" in text and "produktu 5" in text and "przestaną go sprzedawać" in text
    assert price_of(office, 1, "5") == before is not None
    response = owner.post("/price-lists/1/prices/remove",
                          {"plu": "5", "version": stale, "confirm": "1"})
    assert response.status_code == 303
    assert price_of(office, 1, "5") is None
    page = main_text(owner.get(response.headers["location"]).text)
    assert "Usunięto cenę PLU 5" in page
    # again with the old form: the price is gone meanwhile (stale), nothing breaks
    response = owner.post("/price-lists/1/prices/remove",
                          {"plu": "5", "version": stale, "confirm": "1"})
    assert response.status_code == 422 and "Ktoś zmienił te dane" in response.text
    response = owner.post("/price-lists/1/prices/remove", {"plu": "nope", "version": stale})
    assert response.status_code == 422 and "Nie ma produktu" in response.text


def test_a_list_is_assigned_to_a_store_with_the_tills_warning(owner: WebClient,
                                                               office: BackOffice) -> None:
    html = owner.get("/price-lists/1").text
    assert "przełączą się na ten cennik przy następnej synchronizacji produktów (8 → 4 → 3" \
        in html
    stale = version(html, "/price-lists/1/assign")
    response = owner.post("/price-lists/1/assign", {"store": "2", "version": stale})
    assert response.status_code == 303
    assert office.get_store(2)["price_list_id"] == 1
    page = main_text(owner.get(response.headers["location"]).text)
    assert "Sklep Osiedlowy sprzedaje teraz według tego cennika." in page
    # the same (now stale) form; a store that isn't one; junk
    assert owner.post("/price-lists/1/assign",
                      {"store": "1", "version": stale}).status_code == 422
    assert office.get_store(1)["price_list_id"] == 1
    fresh = version(owner.get("/price-lists/2").text, "/price-lists/2/assign")
    for junk in ("99", "abc", "", "-1", "9" * 30):
        response = owner.post("/price-lists/2/assign", {"store": junk, "version": fresh})
        assert response.status_code == 422, junk
    assert office.get_store(1)["price_list_id"] == 1


@pytest.mark.parametrize("path", ["/price-lists/abc", "/price-lists/0", "/price-lists/99",
                                  "/price-lists/99999999999999999999999"])
def test_a_list_id_that_is_junk_is_a_404_page(owner: WebClient, path: str) -> None:
    response = owner.get(path)
    assert response.status_code == 404 and "Nie ma takiej strony" in response.text
    assert owner.post(path + "/prices", {"plu": "1", "price": "1"}).status_code == 404


# ------------------------------------------------------------------ Firma


def test_company_is_saved_and_a_bad_nip_refused(owner: WebClient, office: BackOffice) -> None:
    html = owner.get("/company").text
    response = owner.post("/company", {"name": "Nowa Firma", "nip": "PL 123-456-32-18",
                                       "address": "ul. Prosta 1", "version":
                                       version(html, "/company")})
    assert response.status_code == 303
    assert office.get_company() == {"id": 1, "name": "Nowa Firma", "nip": "1234563218",
                                    "address": "ul. Prosta 1"}
    assert "Zapisano dane firmy." in main_text(owner.get("/company?saved=company").text)
    html = owner.get("/company").text
    for fields, field, message in (
        ({"nip": "1234567890"}, "nip", "Nieprawidłowy NIP: „1234567890”."),   # bad checksum
        ({"nip": "12345"}, "nip", "Nieprawidłowy NIP"),                      # too short
        ({"name": ""}, "name", "Nazwa nie może być pusta."),
        ({"name": "x" * 121}, "name", "Nazwa może mieć najwyżej 120 znaków."),
        ({"address": "a" * 201}, "address", "Adres może mieć najwyżej 200 znaków."),
    ):
        data = {"name": "Nowa Firma", "nip": "1234563218", "address": "ul. Prosta 1",
                "version": version(html, "/company"), **fields}
        response = owner.post("/company", data)
        assert response.status_code == 422, fields
        error = re.search(rf'<small class="error" id="e-{field}">([^<]*)</small>', response.text)
        assert error and message in error.group(1), fields
    assert office.get_company()["name"] == "Nowa Firma"


def test_a_stale_company_form_is_refused(owner: WebClient, office: BackOffice) -> None:
    html = owner.get("/company").text
    office.update_company(address="ul. Inna 2")  # changed meanwhile (e.g. the CLI)
    response = owner.post("/company", {"name": "X", "nip": "", "address": "",
                                       "version": version(html, "/company")})
    assert response.status_code == 409 and "Ktoś zmienił te dane" in response.text
    assert 'value="ul. Inna 2"' in response.text  # the current data shown
    assert office.get_company()["address"] == "ul. Inna 2"


# ------------------------------------------------------------------ Sklepy


def test_a_store_is_added_renamed_and_moved(owner: WebClient, office: BackOffice) -> None:
    owner.get("/stores")
    for fields, field, message in (({"name": ""}, "name", "Nazwa nie może być pusta."),
                                   ({"name": "s" * 121}, "name", "najwyżej 120 znaków"),
                                   ({"name": "S", "address": "a" * 201}, "address",
                                    "najwyżej 200 znaków"),
                                   ({"name": "S", "price_list": "abc"}, "price_list",
                                    "Wybierz jedną z pozycji listy."),
                                   ({"name": "S", "price_list": "77"}, "price_list",
                                    "Nie ma takiego cennika.")):
        response = owner.post("/stores", fields)
        assert response.status_code == 422, fields
        error = re.search(rf'<small class="error" id="e-{field}">([^<]*)</small>', response.text)
        assert error and message in error.group(1), fields
    assert len(office.list_stores()) == 2
    response = owner.post("/stores", {"name": "Sklep Nowy", "address": "ul. Nowa 3",
                                      "price_list": "2"})
    assert response.status_code == 303
    store_id = int(response.headers["location"].split("/")[2].split("?")[0])
    assert office.get_store(store_id) == {"id": store_id, "name": "Sklep Nowy",
                                          "address": "ul. Nowa 3", "price_list_id": 2}
    html = owner.get(f"/stores/{store_id}").text
    stale = version(html, f"/stores/{store_id}")
    response = owner.post(f"/stores/{store_id}", {"name": "Sklep Nowy 2", "address": "",
                                                  "version": stale})
    assert response.status_code == 303
    assert office.get_store(store_id)["name"] == "Sklep Nowy 2"
    assert office.get_store(store_id)["address"] is None
    response = owner.post(f"/stores/{store_id}", {"name": "Inny", "address": "",
                                                  "version": stale})
    assert response.status_code == 409 and "Ktoś zmienił te dane" in response.text
    html = owner.get(f"/stores/{store_id}").text
    response = owner.post(f"/stores/{store_id}/price-list", {
        "price_list": "1", "version": version(html, f"/stores/{store_id}/price-list")})
    assert response.status_code == 303
    assert office.get_store(store_id)["price_list_id"] == 1
    assert "przełączą się przy następnej synchronizacji produktów" in main_text(
        owner.get(response.headers["location"]).text)


def test_a_manager_sees_only_their_stores_read_only(manager: WebClient) -> None:
    page = main_text(manager.get("/stores").text)
    assert "Sklep Centrum" in page and "Sklep Osiedlowy" not in page
    assert "Nowy sklep" not in page  # no add form
    html = manager.get("/stores/1").text
    assert 'action="/stores/1"' not in html and "Cennik Sklep Centrum" in html
    # another store's page typed by hand, or one that doesn't exist: 404
    assert manager.get("/stores/2").status_code == 404
    assert manager.get("/stores/99").status_code == 404
    # owner pages and every form post: 403
    for path in ("/price-lists", "/price-lists/1", "/company"):
        assert manager.get(path).status_code == 403, path
    for path in ("/stores", "/stores/1", "/stores/2", "/stores/1/price-list", "/company",
                 "/price-lists", "/price-lists/1/prices", "/price-lists/1/assign"):
        assert manager.post(path, {"name": "X", "price": "1", "plu": "1"}).status_code == 403, path


def test_posts_without_the_csrf_token_are_refused(owner: WebClient, office: BackOffice) -> None:
    for path, fields in (("/price-lists", {"name": "Bez tokenu"}),
                         ("/price-lists/1/prices", {"plu": "1", "price": "9,99"}),
                         ("/price-lists/1/prices/remove", {"plu": "1"}),
                         ("/price-lists/1/assign", {"store": "2"}),
                         ("/price-lists/1/rename", {"name": "Bez tokenu"}),
                         ("/company", {"name": "Bez tokenu"}),
                         ("/stores", {"name": "Bez tokenu"}),
                         ("/stores/1", {"name": "Bez tokenu"}),
                         ("/stores/1/price-list", {"price_list": "2"})):
        response = owner.post(path, fields, csrf=False)
        assert response.status_code == 403, path
        assert "Formularz wygasł" in response.text
    assert price_of(office, 1, "1") == 349
    assert office.get_company()["name"] != "Bez tokenu"
    assert len(office.list_price_lists()) == 2


def test_pages_in_english(web_url: str) -> None:
    browser = WebClient(web_url, language="en")
    browser.login()
    assert "Price list: Cennik Sklep Centrum" in main_text(browser.get("/price-lists/1").text)
    response = browser.post("/price-lists/1/prices", {"plu": "3", "price": "319"})
    assert "would change more than 5 times: 3,19 zł → 319,00 zł (100 times more)" in \
        main_text(response.text)
    browser.close()


# ------------------------------------------------------------------ the CLI


def test_cli_store_update_uses_the_same_rules(capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch,
                                              office: BackOffice) -> None:
    from ipos_tui.backoffice.cli import main
    from ipos_tui.backoffice.security import SECRET_ENV

    monkeypatch.setenv(SECRET_ENV, "cli-test-secret")
    monkeypatch.setenv("LC_ALL", "pl_PL.UTF-8")
    url = f"sqlite:///{office.db.database}"
    assert main(["--db", url, "store", "update", "2", "--name", "Sklep Bródno",
                 "--address", ""]) == 0
    assert "Zmieniono sklep 2." in capsys.readouterr().out
    assert office.get_store(2)["name"] == "Sklep Bródno"
    assert office.get_store(2)["address"] is None
    assert main(["--db", url, "store", "update", "2", "--name", " "]) == 1
    assert "Nazwa nie może być pusta." in capsys.readouterr().err
    assert main(["--db", url, "store", "update", "2", "--address", "a" * 201]) == 1
    assert "Adres może mieć najwyżej 200 znaków." in capsys.readouterr().err
    assert main(["--db", url, "store", "update", "7", "--name", "X"]) == 1
    assert "Nie ma sklepu 7" in capsys.readouterr().err
    assert office.get_store(2)["name"] == "Sklep Bródno"
