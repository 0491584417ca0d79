"""Produkty → Jednostki miar, Kategorie, Stawki VAT, Rabaty, Import i eksport, tried
with a real back office on uvicorn: every form's bad input gets its message next to
the field and changes nothing, the CSV import is all or nothing with every bad row
listed, asks before prices jump 5x, reads iPOS web's positional layout, and an
oversized upload gets the "Za duży plik" page."""

from __future__ import annotations

import re
import socket
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "backoffice"))

from backoffice_support import TerminalClient  # noqa: E402
from web_support import WebClient, main_text  # noqa: E402

from ipos_tui.backoffice import models as m  # noqa: E402
from ipos_tui.backoffice.api import DEFAULT_MAX_BODY, IMPORT_MAX_BODY  # noqa: E402
from ipos_tui.backoffice.services import BackOffice  # noqa: E402
from ipos_tui.backoffice.web.forms import fingerprint  # noqa: E402

ERROR_RE = re.compile(r'<small class="error" id="e-(\w+)">([^<]*)</small>')


def field_errors(html: str) -> dict[str, str]:
    """Each field's message as the page shows it next to the field."""
    return {name: text for name, text in ERROR_RE.findall(html)}


def csv_file(text: str, encoding: str = "utf-8") -> dict[str, tuple[str, bytes, str]]:
    return {"file": ("produkty.csv", text.encode(encoding), "text/csv")}


def catalogue(office: BackOffice, price_list: int = 1) -> list[tuple]:
    """The assortment as the tills would see it through one price list."""
    categories = {c["id"]: c["name"] for c in office.list_categories()}
    return sorted((p["plu"], p["name"], p["vat"], p["unit"], p["kind"], p["open_price"],
                   tuple(sorted(p["barcodes"])), categories.get(p["category_id"]),
                   p["prices"].get(price_list)) for p in office.list_products())


def manager(office: BackOffice, web_url: str) -> WebClient:
    office.add_user("2001", "Kierownik Sklepu", "1234", role="manager")
    office.set_web_password("2001", "haslo-kierownika")
    office.set_user_stores("2001", [1])
    browser = WebClient(web_url)
    assert browser.login("2001", "haslo-kierownika").status_code == 303
    return browser


# ------------------------------------------------------------------ access


def test_a_manager_gets_403_on_every_catalogue_page_and_form(office: BackOffice,
                                                            web_url: str) -> None:
    browser = manager(office, web_url)
    for path in ("/units", "/units/1", "/categories", "/categories/1", "/vat", "/discounts",
                 "/import", "/export?list=1"):
        response = browser.get(path)
        assert response.status_code == 403, path
        assert "Brak dostępu" in main_text(response.text)
    before = office.list_units()
    refused = browser.post("/units", {"name": "op.", "precision": "0"})
    assert refused.status_code == 403 and office.list_units() == before
    assert browser.post("/discounts/1/delete").status_code == 403
    assert len(office.list_discounts()) == 5


def test_posts_without_the_csrf_token_are_refused_and_change_nothing(owner: WebClient,
                                                                     office: BackOffice) -> None:
    owner.get("/units")
    units, categories, discounts = (office.list_units(), office.list_categories(),
                                    office.list_discounts())
    for path, data in (("/units", {"name": "op.", "precision": "0"}),
                       ("/units/1", {"name": "sztuka"}),
                       ("/categories", {"name": "Nowa"}),
                       ("/categories/1/delete", {"confirm": "1"}),
                       ("/discounts", {"name": "X", "kind": "percent", "value": "5",
                                       "scope": "line"}),
                       ("/discounts/1/delete", {"confirm": "1"})):
        response = owner.post(path, data, csrf=False)
        assert response.status_code == 403, path
        assert "Formularz wygasł" in main_text(response.text)
    upload = owner.post("/import", {"list": "1"}, csrf=False,
                        files=csv_file("Nazwa;PLU;Stawka VAT\nNowy towar;9999;A\n"))
    assert upload.status_code == 403
    assert (office.list_units(), office.list_categories(), office.list_discounts()) == (
        units, categories, discounts)
    assert not m.Product.select().where(m.Product.plu == "9999").exists()


def test_each_page_says_what_the_tills_have_not_fetched_yet(owner: WebClient, web_url: str,
                                                            office: BackOffice) -> None:
    _, code = office.add_terminal(1, "Kasa testowa")
    till = TerminalClient.activate(web_url, code)
    till.pull_all("products")
    assert "Do pobrania" not in main_text(owner.get("/units").text)
    assert owner.post("/units", {"name": "op.", "precision": "0"}).status_code == 303
    for path in ("/units", "/categories", "/vat", "/discounts", "/import"):
        text = main_text(owner.get(path).text)
        assert "Do pobrania przy następnej synchronizacji" in text, path
        assert "8 → 4 → 3" in text, path
    till.pull_all("products")
    assert "Do pobrania" not in main_text(owner.get("/units").text)
    till.close()


# ------------------------------------------------------------------- units


def test_units_add_with_precision_and_rename(owner: WebClient, office: BackOffice) -> None:
    page = owner.get("/units")
    assert page.status_code == 200 and "wbudowana" in main_text(page.text)
    added = owner.post("/units", {"name": " opak. ", "precision": "2"})
    assert added.status_code == 303
    assert "Dodano jednostkę opak." in main_text(owner.get(added.headers["location"]).text)
    unit = next(u for u in office.list_units() if u["name"] == "opak.")
    assert unit["precision"] == 2 and not unit["builtin"]
    form = owner.get(f"/units/{unit['id']}")
    version = re.search(r'name="version" value="([^"]*)"', form.text).group(1)
    renamed = owner.post(f"/units/{unit['id']}", {"name": "opakowanie", "version": version})
    assert renamed.status_code == 303
    assert [u["name"] for u in office.list_units() if u["id"] == unit["id"]] == ["opakowanie"]


def test_unit_form_errors_are_next_to_their_field(owner: WebClient, office: BackOffice) -> None:
    owner.get("/units")
    before = office.list_units()
    cases = [
        ({"name": "", "precision": "0"}, "name", "Nazwa jednostki nie może być pusta."),
        ({"name": "   ", "precision": "0"}, "name", "Nazwa jednostki nie może być pusta."),
        ({"name": "l2", "precision": "0"}, "name", "Nazwa jednostki nie może zawierać cyfr."),
        ({"name": "x" * 21, "precision": "0"}, "name", "Nazwa może mieć najwyżej 20 znaków."),
        ({"name": "x" * 5000, "precision": "0"}, "name", "Najwyżej 200 znaków."),
        ({"name": "kg", "precision": "3"}, "name", "Jednostka kg już istnieje."),
        ({"name": "op.", "precision": "4"}, "precision", "od 0 do 3"),
        ({"name": "op.", "precision": "-1"}, "precision", "od 0 do 3"),
        ({"name": "op.", "precision": "dwa"}, "precision", "od 0 do 3"),
        ({"name": "op.", "precision": "9" * 5000}, "precision", "od 0 do 3"),
        ({"name": "op.", "precision": "٣"}, "precision", "od 0 do 3"),  # an Arabic-Indic 3
        ({"name": "op."}, "precision", "od 0 do 3"),
    ]
    for data, field, text in cases:
        response = owner.post("/units", data)
        assert response.status_code == 422, data
        assert text in field_errors(response.text).get(field, ""), (data, response.text[-800:])
        assert f'value="{data["name"]}"' in response.text  # what was typed stays
    assert office.list_units() == before


def test_built_in_units_cannot_be_renamed_and_unknown_units_are_404(owner: WebClient,
                                                                    office: BackOffice) -> None:
    kg = next(u for u in office.list_units() if u["name"] == "kg")
    page = owner.get(f"/units/{kg['id']}")
    assert "To jednostka wbudowana: jej nazwy nie można zmienić." in main_text(page.text)
    assert 'name="name"' not in page.text  # no form to rename it
    refused = owner.post(f"/units/{kg['id']}", {"name": "kilo", "version": fingerprint(kg)})
    assert refused.status_code == 422
    assert "Jednostki kg nie można zmienić – jest wbudowana." in field_errors(refused.text)["name"]
    assert any(u["name"] == "kg" for u in office.list_units())
    for path in ("/units/999", "/units/abc", "/units/99999999999999999999"):
        assert owner.get(path).status_code == 404, path
    assert owner.post("/units/999", {"name": "x"}).status_code == 404


def test_renaming_a_unit_from_a_stale_form_is_refused(owner: WebClient,
                                                      office: BackOffice) -> None:
    unit_id = office.add_unit("op.", 0)
    form = owner.get(f"/units/{unit_id}")
    version = re.search(r'name="version" value="([^"]*)"', form.text).group(1)
    office.rename_unit("op.", "opak.")  # someone else, meanwhile
    stale = owner.post(f"/units/{unit_id}", {"name": "paczka", "version": version})
    assert stale.status_code == 422
    assert "Ktoś zmienił te dane w międzyczasie" in main_text(stale.text)
    assert 'value="opak."' in stale.text
    assert [u["name"] for u in office.list_units() if u["id"] == unit_id] == ["opak."]
    taken = owner.post(f"/units/{unit_id}", {"name": "szt.", "version": re.search(
        r'name="version" value="([^"]*)"', stale.text).group(1)})
    assert "Jednostka szt. już istnieje." in field_errors(taken.text)["name"]


# -------------------------------------------------------------- categories


def _version(html: str) -> str:
    return re.search(r'name="version" value="([^"]*)"', html).group(1)


def test_categories_show_as_a_tree_and_add_change_parent_and_delete(
        owner: WebClient, office: BackOffice) -> None:
    page = main_text(owner.get("/categories").text)
    assert re.search(r"Alkohole 0 Zmień ↳ Piwo i cydr \d+ Zmień", page.replace("&#8627;", "↳"))
    drinks = next(c for c in office.list_categories() if c["name"] == "Napoje")
    added = owner.post("/categories", {"name": "Soki tłoczone", "parent": str(drinks["id"])})
    assert added.status_code == 303
    juices = next(c for c in office.list_categories() if c["name"] == "Soki tłoczone")
    assert juices["parent_id"] == drinks["id"]
    edit = owner.get(f"/categories/{juices['id']}")
    moved = owner.post(f"/categories/{juices['id']}", {
        "name": "Soki wyciskane", "parent": "", "version": _version(edit.text)})
    assert moved.status_code == 303, field_errors(moved.text)
    assert _category(office, juices["id"]) == {"id": juices["id"], "name": "Soki wyciskane",
                                               "parent_id": None}
    # deleting asks first, then the products and subcategories lose it
    beer = next(c for c in office.list_categories() if c["name"] == "Piwo i cydr")
    alcohol = beer["parent_id"]
    beer_products = office.category_product_counts()[beer["id"]]
    question = owner.post(f"/categories/{alcohol}/delete")
    assert question.status_code == 200
    assert "Usunąć kategorię „Alkohole”?" in main_text(question.text)
    assert _category(office, alcohol) is not None
    deleted = owner.post(f"/categories/{alcohol}/delete", {
        "confirm": "1", "version": _version(question.text)})
    assert deleted.status_code == 303
    assert _category(office, alcohol) is None
    assert _category(office, beer["id"])["parent_id"] is None
    assert office.category_product_counts()[beer["id"]] == beer_products


def _category(office: BackOffice, category_id: int) -> dict | None:
    return next((c for c in office.list_categories() if c["id"] == category_id), None)


def test_category_form_errors(owner: WebClient, office: BackOffice) -> None:
    owner.get("/categories")
    before = office.list_categories()
    cases = [
        ({"name": "", "parent": ""}, "name", "Nazwa nie może być pusta."),
        ({"name": "  ", "parent": ""}, "name", "Nazwa nie może być pusta."),
        ({"name": "K" * 61, "parent": ""}, "name", "Nazwa może mieć najwyżej 60 znaków."),
        ({"name": "Napoje", "parent": ""}, "name", "Kategoria „Napoje” już istnieje"),
        ({"name": "napoje", "parent": ""}, "name", "Kategoria „Napoje” już istnieje"),
        ({"name": "Nowa", "parent": "9999"}, "parent", "Nie ma takiej kategorii nadrzędnej"),
        ({"name": "Nowa", "parent": "abc"}, "parent", "Nie ma takiej kategorii nadrzędnej"),
        ({"name": "Nowa", "parent": "-1"}, "parent", "Nie ma takiej kategorii nadrzędnej"),
        ({"name": "Nowa", "parent": "1" * 30}, "parent", "Nie ma takiej kategorii nadrzędnej"),
    ]
    for data, field, text in cases:
        response = owner.post("/categories", data)
        assert response.status_code == 422, data
        assert text in field_errors(response.text).get(field, ""), (data, field_errors(
            response.text))
    assert office.list_categories() == before


def test_a_category_cannot_move_under_itself_or_its_subcategory(owner: WebClient,
                                                                office: BackOffice) -> None:
    beer = next(c for c in office.list_categories() if c["name"] == "Piwo i cydr")
    alcohol = beer["parent_id"]
    edit = owner.get(f"/categories/{alcohol}")
    # the page offers neither itself nor its subcategories as the parent
    options = re.findall(r'<option value="(\d*)"', edit.text.split('name="parent"')[1])
    assert str(alcohol) not in options and str(beer["id"]) not in options
    before = office.list_categories()
    for parent in (str(alcohol), str(beer["id"])):
        response = owner.post(f"/categories/{alcohol}", {
            "name": "Alkohole", "parent": parent, "version": _version(edit.text)})
        assert response.status_code == 422, parent
        assert "nie może być nadrzędna sama dla siebie" in field_errors(response.text)["parent"]
    assert office.list_categories() == before
    for path in ("/categories/9999", "/categories/x"):
        assert owner.get(path).status_code == 404
    assert owner.post("/categories/9999/delete", {"confirm": "1"}).status_code == 404


def test_a_stale_category_form_neither_saves_nor_deletes(owner: WebClient,
                                                         office: BackOffice) -> None:
    drinks = next(c for c in office.list_categories() if c["name"] == "Napoje")
    edit = owner.get(f"/categories/{drinks['id']}")
    office.update_category(drinks["id"], name="Napoje i soki")
    stale = owner.post(f"/categories/{drinks['id']}", {
        "name": "Picie", "parent": "", "version": _version(edit.text)})
    assert stale.status_code == 422 and "Ktoś zmienił te dane" in main_text(stale.text)
    gone = owner.post(f"/categories/{drinks['id']}/delete", {
        "confirm": "1", "version": _version(edit.text)})
    assert gone.status_code == 422
    assert _category(office, drinks["id"])["name"] == "Napoje i soki"


# --------------------------------------------------------------------- VAT


# the VAT page (letters A-G, changing a rate): tests/web/test_vat.py


# --------------------------------------------------------------- discounts


def test_discounts_add_and_delete(owner: WebClient, office: BackOffice) -> None:
    owner.get("/discounts")
    added = owner.post("/discounts", {"name": "Seniorzy", "kind": "percent",
                                      "value": "12,5", "scope": "receipt"})
    assert added.status_code == 303
    new = next(d for d in office.list_discounts() if d["name"] == "Seniorzy")
    assert (new["kind"], new["value"], new["scope"]) == ("percent", 1250, "receipt")
    owner.post("/discounts", {"name": "Bon 5 zł", "kind": "amount", "value": "5",
                              "scope": "line"})
    bon = next(d for d in office.list_discounts() if d["name"] == "Bon 5 zł")
    assert (bon["kind"], bon["value"]) == ("amount", 500)
    page = main_text(owner.get("/discounts").text)
    assert "Seniorzy procentowy 12,5 % na paragon" in page and "Bon 5 zł kwotowy 5,00 zł" in page
    # the button asks first: nothing is deleted until the owner says yes
    question = owner.post(f"/discounts/{new['id']}/delete")
    assert question.status_code == 200
    assert "Usunąć rabat „Seniorzy”?" in main_text(question.text)
    assert any(d["id"] == new["id"] for d in office.list_discounts())
    deleted = owner.post(f"/discounts/{new['id']}/delete", {"confirm": "1"})
    assert deleted.status_code == 303
    assert all(d["id"] != new["id"] for d in office.list_discounts())
    assert owner.post(f"/discounts/{new['id']}/delete", {"confirm": "1"}).status_code == 404
    assert owner.post("/discounts/abc/delete").status_code == 404


def test_discount_form_errors(owner: WebClient, office: BackOffice) -> None:
    owner.get("/discounts")
    before = office.list_discounts()
    ok = {"name": "Nowy", "kind": "percent", "value": "10", "scope": "line"}
    cases = [
        ({"name": ""}, "name", "Nazwa nie może być pusta."),
        ({"name": "R" * 41}, "name", "Nazwa może mieć najwyżej 40 znaków."),
        ({"name": "rabat 5%"}, "name", "Rabat „Rabat 5%” już istnieje."),
        ({"value": "abc"}, "value", "Nieprawidłowy procent: „abc”"),
        ({"value": ""}, "value", "Nieprawidłowy procent"),
        ({"value": "-5"}, "value", "Nieprawidłowy procent"),
        ({"value": "0"}, "value", "Nieprawidłowy procent"),
        ({"value": "100,01"}, "value", "Nieprawidłowy procent"),
        ({"value": "150"}, "value", "Nieprawidłowy procent"),
        ({"value": "9" * 41}, "value", "Najwyżej 40 znaków."),
        ({"kind": "amount", "value": "-2"}, "value", "Nieprawidłowa kwota: „-2”"),
        ({"kind": "amount", "value": "0"}, "value", "Nieprawidłowa wartość rabatu"),
        ({"kind": "amount", "value": "2,555"}, "value", "Nieprawidłowa kwota"),
        ({"kind": "amount", "value": "zł"}, "value", "Nieprawidłowa kwota"),
        ({"kind": "gratis"}, "kind", "Wybierz rodzaj rabatu"),
        ({"scope": "wszystko"}, "scope", "Wybierz zakres rabatu"),
    ]
    for change, field, text in cases:
        data = {**ok, **change}
        response = owner.post("/discounts", data)
        assert response.status_code == 422, data
        assert text in field_errors(response.text).get(field, ""), (data, field_errors(
            response.text))
    assert office.list_discounts() == before


def test_pages_speak_english_when_the_browser_does(web_url: str) -> None:
    browser = WebClient(web_url, language="en")
    browser.login()
    response = browser.post("/discounts", {"name": "", "kind": "percent", "value": "x",
                                           "scope": "line"})
    assert response.status_code == 422
    assert "Units of measure" in browser.get("/units").text
    assert "Tills apply a change only at their next day close" in main_text(browser.get("/vat").text)
    browser.get("/import")
    rows = browser.post("/import", {"list": "1"}, files=csv_file(
        "ID;PLU;zewnętrzny ID;kody kreskowe;nazwa;typ;jednostka\n;9601;;;Zupa dnia;R;szt.\n"
        ";9602;;;Zupa krem;T;beczka;A\n"))
    page = main_text(rows.text)
    assert "Import refused – wrong rows: 2; nothing was imported." in page
    assert re.search(r"\b2 Type R \(recipe\) is not supported", page)
    assert re.search(r"\b3 Unknown unit “beczka”", page), page


# ---------------------------------------------------------- import, export


def test_import_with_bad_rows_lists_each_with_its_line_and_imports_nothing(
        owner: WebClient, office: BackOffice) -> None:
    owner.get("/import")
    before = catalogue(office)
    text = ("Nazwa;PLU;Stawka VAT;Cena;Jednostka;Typ\n"
            "Dobry towar;9001;A;2,50;szt.;towar\n"
            ";9002;A;1,00;szt.;towar\n"             # 3: no name
            "Zły PLU;0123;A;1,00;szt.;towar\n"     # 4: PLU starting with 0
            "Zła stawka;9004;Q;1,00;szt.;towar\n"  # 5: VAT letter
            "Zła cena;9005;A;abc;szt.;towar\n"     # 6: price
            "Zła jednostka;9006;A;1,00;beczka;towar\n"  # 7: unit
            "Receptura;9007;A;1,00;szt.;R\n"       # 8: recipe
            "Dobry towar 2;9001;A;1,00;szt.;towar\n")  # 9: PLU repeated
    response = owner.post("/import", {"list": "1"}, files=csv_file(text))
    assert response.status_code == 422
    page = main_text(response.text)
    assert "Import odrzucony – błędnych wierszy: 7; nic nie zaimportowano." in page
    for line, reason in ((3, "Nazwa nie może być pusta."), (4, "PLU"), (5, "stawka VAT: Q"),
                         (6, "Nieprawidłowa kwota: „abc”"), (7, "jednostka „beczka”"),
                         (8, "Typ R (receptura) nie jest obsługiwany"),
                         (9, "PLU 9001 powtarza się (pierwszy raz w wierszu 2)")):
        assert re.search(rf"\b{line} [^0-9]*{re.escape(reason)}", page), (line, reason, page)
    assert catalogue(office) == before


def test_import_form_errors_file_and_list(owner: WebClient, office: BackOffice) -> None:
    owner.get("/import")
    no_file = owner.post("/import", {"list": "1"}, files={"file": ("", b"", "text/csv")})
    assert no_file.status_code == 422 and "Wybierz plik CSV." in field_errors(no_file.text)["file"]
    empty = owner.post("/import", {"list": "1"}, files=csv_file("  \n"))
    assert "Plik jest pusty." in field_errors(empty.text)["file"]
    bad_header = owner.post("/import", {"list": "1"}, files=csv_file("Nazwa;Kolor\nX;czerwony\n"))
    assert bad_header.status_code == 422
    assert "nieznane kolumny: Kolor; brakujące: PLU, Stawka VAT" in field_errors(
        bad_header.text)["file"]
    for junk in ("99", "abc", "", "1" * 40):
        response = owner.post("/import", {"list": junk},
                              files=csv_file("Nazwa;PLU;Stawka VAT\nX;9001;A\n"))
        assert response.status_code == 422
        assert "Wybierz cennik z listy." in field_errors(response.text)["list"]
    assert not m.Product.select().where(m.Product.plu == "9001").exists()


def test_import_new_and_changed_products_into_the_chosen_list(owner: WebClient,
                                                              office: BackOffice) -> None:
    owner.get("/import")
    text = ("Nazwa;PLU;Stawka VAT;Cena;Kody kreskowe;Kategoria\n"
            "Sok z aronii 0,3l;9101;A;6,49;5901234123457;Soki tłoczone\n"
            "Mleko 3,2% 1l;1;C;3,59;5901200000010;Nabiał\n")
    response = owner.post("/import", {"list": "2"}, files=csv_file(text, "cp1250"))
    assert response.status_code == 303, main_text(response.text)
    assert "nowych produktów 1, zmienionych 1" in main_text(
        owner.get(response.headers["location"]).text)
    juice = office.get_product(office.product_by_plu("9101"))
    assert juice["name"] == "Sok z aronii 0,3l" and juice["prices"] == {2: 649}
    milk = office.get_product(office.product_by_plu("1"))
    assert milk["prices"][2] == 359 and milk["prices"][1] == 349


def test_a_file_with_damaged_bytes_is_refused_naming_the_line(owner: WebClient) -> None:
    """A UTF-8 file with one damaged byte (a copy cut short, a bad USB stick) would
    read as Windows-1250 with every Polish letter garbled: refused, the line named,
    nothing imported. A Windows-1250 file full of capitals (ŁÓDŹ, ÓŁ, ŻÓŁW) still
    reads as one."""
    owner.get("/import")
    good = ("Nazwa;PLU;Stawka VAT;Cena\n"
            "Sok jabłkowy tłoczony 1l;9201;A;7,49\n"
            "Śliwki węgierki 1kg;9202;C;8,99\n").encode()
    damaged = good.replace("Śliwki".encode(), b"\xc5liwki")  # half of the Ś lost
    response = owner.post("/import", {"list": "2"},
                          files={"file": ("produkty.csv", damaged, "text/csv")})
    assert response.status_code == 422
    assert "uszkodzone znaki w wierszu 3" in field_errors(response.text)["file"]
    assert not m.Product.select().where(m.Product.plu.in_(["9201", "9202"])).exists()
    capitals = "Nazwa;PLU;Stawka VAT;Cena\nŻÓŁW ŁÓDŹ ÓŁ;9203;A;1,00\n"
    response = owner.post("/import", {"list": "2"}, files=csv_file(capitals, "cp1250"))
    assert response.status_code == 303, main_text(response.text)
    assert m.Product.get(m.Product.plu == "9203").name == "ŻÓŁW ŁÓDŹ ÓŁ"
    # bytes Windows-1250 has no letter for (0x81, 0x98), no UTF-8 in sight: refused too
    response = owner.post("/import", {"list": "2"}, files={
        "file": ("produkty.csv", b"Nazwa;PLU;Stawka VAT\nX\x81\x98;9204;A\n", "text/csv")})
    assert response.status_code == 422
    assert "wierszu 2" in field_errors(response.text)["file"]


def test_a_price_jumping_5x_is_asked_about_before_anything_is_written(
        owner: WebClient, office: BackOffice) -> None:
    owner.get("/import")
    milk_id = office.product_by_plu("1")
    assert office.get_product(milk_id)["prices"][1] == 349
    text = "Nazwa;PLU;Stawka VAT;Cena\nMleko 3,2% 1l;1;C;349,00\nNowy sok;9201;A;4,99\n"
    asked = owner.post("/import", {"list": "1"}, files=csv_file(text))
    assert asked.status_code == 200
    page = main_text(asked.text)
    assert "Czy to na pewno dobre ceny?" in page and "3,49 zł 349,00 zł" in page
    assert office.get_product(milk_id)["prices"][1] == 349
    assert not m.Product.select().where(m.Product.plu == "9201").exists()
    token = re.search(r'name="token" value="([^"]*)"', asked.text).group(1)
    # another signed-in owner's browser cannot use this answer, nor a made-up one
    assert owner.post("/import/confirm", {"token": "zmyślony"}).status_code == 422
    confirmed = owner.post("/import/confirm", {"token": token})
    assert confirmed.status_code == 303
    assert office.get_product(milk_id)["prices"][1] == 34900
    assert m.Product.select().where(m.Product.plu == "9201").exists()
    again = owner.post("/import/confirm", {"token": token})  # used once only
    assert again.status_code == 422 and "wygasł" in main_text(again.text)


def test_import_takes_the_ipos_positional_layout(owner: WebClient, office: BackOffice) -> None:
    owner.get("/import")
    text = ("ID;PLU;zewnętrzny ID;kody kreskowe;nazwa;typ;jednostka;stawka VAT;cena;kategoria\n"
            ";9301;EXT-1;5901234123457,5900000000015;Kawa ziarnista Arabica;T;szt.;23;59,99;Kawa\n"
            "17;9302;;;Mielenie kawy;U;;8%;2,00;\n"
            ";9303;;;Ser żółty na wagę;T;kg;5;39,90\n")
    response = owner.post("/import", {"list": "1"}, files=csv_file(text))
    assert response.status_code == 303, main_text(response.text)
    coffee = office.get_product(office.product_by_plu("9301"))
    assert (coffee["name"], coffee["kind"], coffee["vat"], coffee["unit"]) == (
        "Kawa ziarnista Arabica", "good", "A", "szt.")
    assert sorted(coffee["barcodes"]) == ["5900000000015", "5901234123457"]
    assert coffee["prices"][1] == 5999
    category = next(c for c in office.list_categories() if c["id"] == coffee["category_id"])
    assert category["name"] == "Kawa"
    grinding = office.get_product(office.product_by_plu("9302"))
    assert (grinding["kind"], grinding["vat"], grinding["unit"]) == ("service", "B", "szt.")
    cheese = office.get_product(office.product_by_plu("9303"))
    assert (cheese["unit"], cheese["vat"], cheese["prices"][1]) == ("kg", "C", 3990)


def test_ipos_layout_without_a_header_and_its_row_errors(owner: WebClient,
                                                          office: BackOffice) -> None:
    owner.get("/import")
    before = catalogue(office)
    text = (';9401;;;Herbata czarna;T;szt.;A;7,99\n'
            ';9402;;;Zupa dnia;R;szt.;A;12,00\n'            # recipe
            ';9403;;;Coś;X;szt.;A;1,00\n'                   # unknown type letter
            ';9404;;;Krótki\n'                              # too few columns
            ';9405;;;Za dużo;T;szt.;A;1,00;;nadmiar\n'     # a non-empty 11th column
            ';9406;;;Bez stawki;T;szt.\n')                  # no VAT
    response = owner.post("/import", {"list": "1"}, files=csv_file(text))
    assert response.status_code == 422
    page = main_text(response.text)
    assert "błędnych wierszy: 5" in page
    assert re.search(r"\b2 Typ R \(receptura\) nie jest obsługiwany", page)
    assert re.search(r"\b3 Typ „X”: wpisz T \(towar\) albo U \(usługa\)", page)
    assert re.search(r"\b4 Wiersz ma 5 kolumn; układ iPOS ma od 7 do 10", page)
    assert re.search(r"\b5 Wiersz ma 11 kolumn", page)
    assert re.search(r"\b6 Brak stawki VAT: wpisz literę", page)
    assert catalogue(office) == before


def test_export_then_import_gives_the_same_catalogue(owner: WebClient,
                                                     office: BackOffice) -> None:
    exported = owner.get("/export?list=2")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert 'filename="asortyment-cennik-2.csv"' in exported.headers["content-disposition"]
    assert exported.content.startswith("\ufeffNazwa;PLU;Stawka VAT".encode())
    assert exported.text.count("\n") == 1 + m.Product.select().count()
    before = catalogue(office, 2)
    response = owner.post("/import", {"list": "2"}, files={
        "file": ("asortyment.csv", exported.content, "text/csv")})
    assert response.status_code == 303, main_text(response.text)[:2000]
    assert f"nowych produktów 0, zmienionych {len(before)}" in main_text(
        owner.get(response.headers["location"]).text)
    assert catalogue(office, 2) == before
    for junk in ("", "99", "abc"):
        assert owner.get(f"/export?list={junk}").status_code == 404


def test_the_cli_import_takes_the_ipos_layout_too(office: BackOffice, tmp_path: Path,
                                                  monkeypatch, capsys) -> None:
    """``ipos-backoffice import-csv`` reads the same file (Windows-1250, as a Polish
    Excel saves it) through the same code, and refuses a recipe row with its line."""
    from ipos_tui.backoffice.cli import main

    monkeypatch.setenv("IPOS_BACKOFFICE_SECRET", "web-test-pepper")
    db_url = f"sqlite:///{office.db.database}"
    good = tmp_path / "ipos.csv"
    good.write_bytes(("ID;PLU;zewnętrzny ID;kody kreskowe;nazwa;typ;jednostka;stawka VAT;cena\n"
                      ";9501;;;Woda górska 0,7l;T;szt.;A;1,99\n").encode("cp1250"))
    assert main(["--db", db_url, "--json", "import-csv", str(good), "--list", "1"]) == 0
    assert '"created": 1' in capsys.readouterr().out
    water = office.get_product(office.product_by_plu("9501"))
    assert (water["name"], water["prices"][1]) == ("Woda górska 0,7l", 199)
    recipe = tmp_path / "recipe.csv"
    recipe.write_text("ID;PLU;zewnętrzny ID;kody kreskowe;nazwa;typ;jednostka\n"
                      ";9502;;;Zupa dnia;R;szt.\n", encoding="utf-8")
    monkeypatch.setenv("LC_ALL", "pl_PL.UTF-8")  # the CLI speaks the locale's language
    assert main(["--db", db_url, "import-csv", str(recipe), "--list", "1"]) == 1
    assert "wiersz 2: Typ R (receptura) nie jest obsługiwany" in capsys.readouterr().err
    assert not m.Product.select().where(m.Product.plu == "9502").exists()


# --------------------------------------------------------------- oversized


def _raw_post(url: str, path: str, headers: dict[str, str], chunks: list[bytes] | None,
              body: bytes = b"") -> tuple[int, str]:
    """A hand-made HTTP/1.1 request (chunked when ``chunks``), answered status and body."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        if chunks is None:
            head += f"Content-Length: {len(body)}\r\n\r\n"
            payload = body
        else:
            head += "Transfer-Encoding: chunked\r\n\r\n"
            payload = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
        sock.sendall(head.encode())
        try:
            sock.sendall(payload)
        except OSError:
            pass  # the server answered and closed before reading everything
        answer = b""
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                break
            if not data:
                break
            answer += data
    status = int(answer.split(b" ", 2)[1])
    return status, answer.decode("utf-8", "replace")


def test_an_oversized_upload_gets_the_too_large_page(owner: WebClient, web_url: str,
                                                     office: BackOffice) -> None:
    owner.get("/import")
    cookie = "; ".join(f"{k}={v}" for k, v in owner.http.cookies.items())
    too_big = (b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
               b"Content-Type: text/csv\r\n\r\n" + b"Nazwa;PLU;Stawka VAT\n"
               + b"x;1;A\n" * (IMPORT_MAX_BODY // 6) + b"\r\n--B--\r\n")
    headers = {"Cookie": cookie, "Content-Type": "multipart/form-data; boundary=B",
               "Accept-Language": "pl"}
    # declared Content-Length: refused at once
    status, answer = _raw_post(web_url, "/import", headers, None, too_big)
    assert status == 413 and "Za duży plik" in answer and "<html" in answer
    # chunked, no Content-Length: refused while reading
    status, answer = _raw_post(web_url, "/import", headers,
                               [too_big[i:i + (1 << 20)] for i in range(0, len(too_big), 1 << 20)])
    assert status == 413 and "Za duży plik" in answer
    # another page keeps the 2 MB limit of the sync API
    # (fields under Starlette's 1 MB per field, together over the limit)
    body = b"&".join([b"name=" + b"x" * 900_000] * 3)
    assert len(body) > DEFAULT_MAX_BODY
    status, answer = _raw_post(web_url, "/units", {
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}, None, body)
    assert status == 413 and "Za duży plik" in answer
    status, answer = _raw_post(web_url, "/units", {
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}, [body])
    assert status == 413 and "Za duży plik" in answer
    # and the sync API still answers in JSON
    status, answer = _raw_post(web_url, "/api/v1/transactions", {
        "Content-Type": "application/json"}, None, b"[" + b" " * (DEFAULT_MAX_BODY + 10))
    assert status == 413 and '"body_too_large"' in answer


def test_an_upload_between_the_api_limit_and_the_import_limit_is_read(
        owner: WebClient, office: BackOffice) -> None:
    """A file over the sync API's 2 MB limit (10 000 products, padded) is imported."""
    owner.get("/import")
    rows = [f"Produkt testowy {n};{100000 + n};A;{n % 90 + 1},99;szt.;Testowe"
            for n in range(10_000)]
    text = "Nazwa;PLU;Stawka VAT;Cena;Jednostka;Kategoria\n" + "\n".join(rows) + "\n"
    # blank lines are skipped: they pad the file over the sync API's limit
    data = text.encode() + b"\n" * max(0, DEFAULT_MAX_BODY + 100_000 - len(text.encode()))
    assert len(data) > DEFAULT_MAX_BODY
    response = owner.post("/import", {"list": "1"}, files={
        "file": ("duzy.csv", data, "text/csv")}, timeout=300)
    assert response.status_code == 303, main_text(response.text)[:500]
    assert m.Product.select().count() == 385 + 10_000
