"""Produkty → Asortyment in iPOS web: the list (search, filter, paging), adding and editing
a product with every rule of PRODUCT.md §7 shown next to its field, withdrawing and
restoring, barcodes, prices per list, stale forms, CSRF, roles, and that what a page
saves reaches the change feed in the same transaction (real server, demo shop)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "backoffice"))

from backoffice_support import TerminalClient  # noqa: E402
from web_support import WebClient, main_text  # noqa: E402

from ipos_tui.backoffice import models as m  # noqa: E402
from ipos_tui.backoffice.feed import ChangeRecorder  # noqa: E402
from ipos_tui.backoffice.services import BackOffice  # noqa: E402

#: A valid new product as the form posts it (demo shop: price lists 1 and 2).
NEW = {"name": "Kefir żółty 400g", "plu": "98765", "vat": "C", "unit": "szt.",
       "category": "", "kind": "good", "barcodes": "5900000000015 1234567",
       "price_1": "4,49", "price_2": "4,79"}


def _rows(html: str) -> list[str]:
    """The product names of a list page, in order."""
    return re.findall(r'<td><a href="/products/\d+">([^<]*)</a></td>', html)


def _field_error(html: str, field: str) -> str:
    found = re.search(rf'<small class="error" id="e-{field}">([^<]*)</small>', html)
    return found.group(1) if found else ""


def _changes(office: BackOffice) -> int:
    return m.ChangeEntry.select().count()


def _feed_rev(product_id: int) -> int:
    return m.ChangeEntry.get((m.ChangeEntry.type == "product")
                             & (m.ChangeEntry.entity_id == str(product_id))).rev


def _version(html: str) -> str:
    found = re.search(r'name="version" value="([^"]*)"', html)
    assert found
    return found.group(1)


# --- the list --------------------------------------------------------------------------

def test_list_is_by_name_fifty_a_page_with_next_and_previous(owner: WebClient,
                                                             office: BackOffice) -> None:
    first = owner.get("/products")
    assert first.status_code == 200
    names = _rows(first.text)
    assert len(names) == 50 and names == sorted(names, key=str.casefold)
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    active = m.Product.select().where(m.Product.active == True).count()  # noqa: E712
    last_page = (active + 49) // 50
    last = owner.get(f"/products?page={last_page}")
    assert len(_rows(last.text)) == active - 50 * (last_page - 1)
    assert 'rel="prev"' in last.text and 'rel="next"' not in last.text
    assert "Strona 2" in main_text(owner.get("/products?page=2").text)


def test_search_by_plu_barcode_and_name_fragment(owner: WebClient, office: BackOffice) -> None:
    # a barcode typed whole finds its product only
    by_ean = owner.get("/products?q=5901200000027")
    assert _rows(by_ean.text) == ["Mleko 2% 1l"]
    # 8 digits or more are a code typed whole, never a fragment of codes
    assert _rows(owner.get("/products?q=5901200000").text) == []
    # a PLU: shown above the list as the exact hit, the list holds names with "1" too
    by_plu = main_text(owner.get("/products?q=1").text)
    assert "PLU lub kod kreskowy 1: 1 Mleko 3,2% 1l" in by_plu
    assert _rows(owner.get("/products?q=1003").text) == [
        office.get_product(office.product_by_plu("1003"))["name"]]
    # a name fragment in other case, with Polish letters; "%" is a letter, not a wildcard
    smietana = _rows(owner.get("/products?q=ŚMIETAN").text)
    assert smietana and all("śmietan" in n.casefold() for n in smietana)
    assert _rows(owner.get("/products?q=3,2%25").text) == ["Mleko 3,2% 1l"]
    assert _rows(owner.get("/products?q=%25").text) == [
        p["name"] for p in sorted(office.list_products(), key=lambda p: p["name"].casefold())
        if "%" in p["name"]]


def test_nothing_found_page_past_the_end_and_junk_page_numbers(owner: WebClient) -> None:
    none = owner.get("/products?q=zzzqqq")
    assert none.status_code == 200 and _rows(none.text) == []
    assert "Nie znaleziono produktów pasujących do „zzzqqq”." in main_text(none.text)
    past = owner.get("/products?page=500")
    assert past.status_code == 200 and _rows(past.text) == []
    assert "Nie ma strony 500: lista jest krótsza." in main_text(past.text)
    assert 'href="/products?status=active&amp;page=1"' in past.text
    first = _rows(owner.get("/products").text)
    for junk in ("abc", "-3", "0", "1.5", "%F0%9F%92%A5"):
        response = owner.get(f"/products?page={junk}")
        assert response.status_code == 200 and _rows(response.text) == first, junk
    huge = owner.get("/products?page=99999999999999999999999999")
    assert huge.status_code == 200 and _rows(huge.text) == []
    for q in ("%00", "' OR 1=1 --", "%F0%9F%92%A5" * 200, "\\", "_"):
        assert owner.get(f"/products?q={q}&status=nonsense").status_code == 200, q


def test_filter_active_inactive_all(owner: WebClient, office: BackOffice) -> None:
    milk = office.product_by_plu("2")
    office.update_product(milk, active=False)
    assert "Mleko 2% 1l" not in _rows(owner.get("/products?q=mleko").text)
    inactive = owner.get("/products?q=mleko&status=inactive")
    assert _rows(inactive.text) == ["Mleko 2% 1l"] and "nieaktywny" in main_text(inactive.text)
    assert "Mleko 2% 1l" in _rows(owner.get("/products?q=mleko&status=all").text)


# --- adding ------------------------------------------------------------------------------

def test_add_a_product_with_barcodes_and_prices(owner: WebClient, office: BackOffice) -> None:
    owner.get("/products/new")
    response = owner.post("/products/new", NEW)
    assert response.status_code == 303
    product_id = int(response.headers["location"].split("/")[2].split("?")[0])
    product = office.get_product(product_id)
    assert (product["name"], product["plu"], product["vat"]) == ("Kefir żółty 400g", "98765", "C")
    assert product["barcodes"] == ["5900000000015", "1234567"]
    assert product["prices"] == {1: 449, 2: 479}
    page = owner.get(response.headers["location"])
    text = main_text(page.text)
    assert "Dodano produkt Kefir żółty 400g." in text
    assert "4,49 zł" in text and "4,79 zł" in text and 'href="/price-lists/2"' in page.text
    # the same transaction wrote the change feed: the tills will fetch all of it
    feed = {(c.type, c.price_list_id) for c in m.ChangeEntry.select().where(
        m.ChangeEntry.entity_id.in_([str(product_id)] + [
            str(b.id) for b in m.Barcode.select().where(m.Barcode.product == product_id)]))}
    assert {("product", 0), ("barcode", 0), ("price", 1), ("price", 2)} <= feed
    assert "Kefir żółty 400g" in _rows(owner.get("/products?q=kefir").text)


BAD_INPUT = [
    ("empty name", {"name": "   "}, "name", "Nazwa nie może być pusta."),
    ("name of 41 characters", {"name": "A" * 41}, "name", "najwyżej 40 znaków"),
    ("name with a character the printer refuses", {"name": "Kefir™"}, "name",
     "Niedozwolony znak w nazwie: „™”."),
    ("name of another product in other case", {"name": "mleko 2% 1L"}, "name",
     "Nazwa „mleko 2% 1L” jest już zajęta (PLU 2)."),
    ("PLU starting with 0", {"plu": "0123"}, "plu", "Nieprawidłowy PLU"),
    ("PLU with a letter", {"plu": "12a"}, "plu", "Nieprawidłowy PLU"),
    ("PLU of 10 digits", {"plu": "1234567890"}, "plu", "Nieprawidłowy PLU"),
    ("PLU of another product", {"plu": "1"}, "plu", "PLU 1 ma już produkt „Mleko 3,2% 1l”."),
    ("EAN-13 with a wrong check digit", {"barcodes": "5900000000018"}, "barcodes",
     "Nieprawidłowy kod kreskowy: 5900000000018."),
    ("11 barcodes", {"barcodes": " ".join(f"12345{i:02d}" for i in range(11))}, "barcodes",
     "najwyżej 10 kodów"),
    ("the same barcode twice", {"barcodes": "1234567 1234567"}, "barcodes", "1234567"),
    ("another product's barcode", {"barcodes": "5901200000027"}, "barcodes",
     "Kod kreskowy 5901200000027 ma już produkt PLU 2."),
    ("VAT letter F", {"vat": "F"}, "vat", "Nieznana stawka VAT: F."),
    ("unit nobody has", {"unit": "beczka"}, "unit", "Nieznana jednostka „beczka”."),
    ("category that is not a number", {"category": "abc"}, "category", "Nie ma kategorii abc."),
    ("category that does not exist", {"category": "9999"}, "category", "Nie ma kategorii 9999."),
    ("type that is neither good nor service", {"kind": "gift"}, "kind", "Wybierz jedną"),
    ("price that is not money", {"price_1": "abc"}, "price_1", "Nieprawidłowa kwota: „abc”"),
    ("negative price", {"price_2": "-1,00"}, "price_2", "Nieprawidłowa kwota: „-1,00”"),
    ("price above the printer's limit", {"price_1": "1000000"}, "price_1",
     "Cena poza zakresem: od 0,01 do 999 999,99 zł."),
    ("price of 40 digits", {"price_1": "9" * 40}, "price_1", "Cena poza zakresem"),
    ("price with three decimals", {"price_1": "1,999"}, "price_1", "Nieprawidłowa kwota"),
    ("price of 0 without an open price", {"price_1": "0"}, "price_1",
     "Cena musi być większa od zera."),
    ("price of 0 with an open price, but a bad PLU", {"price_1": "0", "open_price": "1",
                                                       "plu": "x"}, "plu", "Nieprawidłowy PLU"),
]


@pytest.mark.parametrize(("case", "change", "field", "message"), BAD_INPUT,
                         ids=[case for case, *_ in BAD_INPUT])
def test_add_refuses_bad_input_next_to_its_field(owner: WebClient, office: BackOffice,
                                                case: str, change: dict[str, str], field: str,
                                                message: str) -> None:
    products, changes = m.Product.select().count(), _changes(office)
    owner.get("/products/new")
    response = owner.post("/products/new", {**NEW, **change})
    assert response.status_code == 422, case
    assert message in _field_error(response.text, field), (case, response.text)
    # what was typed is still in the form; nothing was saved
    for name, value in change.items():
        if name not in ("vat", "unit", "category", "kind", "open_price"):
            assert f'value="{value.strip()}"' in response.text or \
                f'value="{value}"' in response.text, name
    assert 'value="Kefir żółty 400g"' in response.text or field == "name"
    assert m.Product.select().count() == products and _changes(office) == changes
    if change.get("open_price"):  # an open-price item may cost 0: no message for it
        assert _field_error(response.text, "price_1") == ""


def test_missing_and_repeated_fields_are_messages_not_errors(owner: WebClient) -> None:
    owner.get("/products/new")
    response = owner.post("/products/new", {"name": "Kefir"})
    assert response.status_code == 422
    assert _field_error(response.text, "plu") == "Pole wymagane."
    assert _field_error(response.text, "vat") == "Pole wymagane."
    twice = owner.http.post("/products/new", content=(
        "csrf_token=" + owner.csrf + "&name=A&name=B&plu=1&plu=2&vat=Z").encode(),
        headers={"content-type": "application/x-www-form-urlencoded"})
    assert twice.status_code == 422 and "Nieznana stawka VAT: Z." in twice.text


def test_a_price_for_a_list_deleted_meanwhile_saves_nothing(owner: WebClient,
                                                           office: BackOffice) -> None:
    """The service writes the product, then meets the unknown list: all rolled back."""
    products, changes = m.Product.select().count(), _changes(office)
    owner.get("/products/new")
    response = owner.post("/products/new", {**NEW, "price_999": "3,00"})
    assert response.status_code == 422
    assert "Nie ma cennika 999" in main_text(response.text)
    assert m.Product.select().count() == products and _changes(office) == changes
    assert m.Product.get_or_none(m.Product.plu == "98765") is None


def test_a_write_failing_after_the_feed_was_written_leaves_neither(
        owner: WebClient, office: BackOffice, monkeypatch: pytest.MonkeyPatch) -> None:
    """Product, barcodes, prices and their change-feed rows commit together or not at
    all: a failure after the feed rows were written rolls every one of them back."""
    original = ChangeRecorder.flush

    def flush_then_fail(self: ChangeRecorder) -> None:
        original(self)
        assert m.ChangeEntry.select().where(m.ChangeEntry.type == "price").count() > 0
        raise RuntimeError("disk full")

    products, prices, changes = m.Product.select().count(), m.Price.select().count(), \
        _changes(office)
    owner.get("/products/new")
    monkeypatch.setattr(ChangeRecorder, "flush", flush_then_fail)
    response = owner.post("/products/new", NEW)
    monkeypatch.undo()
    assert response.status_code == 500
    assert "Nic nie zostało zmienione połowicznie" in main_text(response.text)
    assert (m.Product.select().count(), m.Price.select().count(), _changes(office)) == \
        (products, prices, changes)


# --- editing ------------------------------------------------------------------------------

def _edit_form(html: str, **change: str) -> dict[str, str]:
    values = {"version": _version(html)}
    for name in ("name", "plu"):
        values[name] = re.search(rf'id="f-{name}" name="{name}" type="text" value="([^"]*)"',
                                 html).group(1)
    for name in ("vat", "unit", "category", "kind"):
        select = html.split(f'id="f-{name}"', 1)[1].split("</select>", 1)[0]
        picked = re.search(r'<option value="([^"]*)" selected>', select)
        values[name] = picked.group(1) if picked else ""
    return {**values, **change}


def test_edit_a_product(owner: WebClient, office: BackOffice) -> None:
    milk = office.product_by_plu("2")
    page = owner.get(f"/products/{milk}")
    before = _feed_rev(milk)
    response = owner.post(f"/products/{milk}", _edit_form(
        page.text, name="Mleko 2% 1l karton", vat="D", category="", kind="good"))
    assert response.status_code == 303
    product = office.get_product(milk)
    assert (product["name"], product["vat"], product["category_id"]) == \
        ("Mleko 2% 1l karton", "D", None)
    assert _feed_rev(milk) > before  # the tills fetch the change at their next sync
    assert "Zapisano zmiany." in main_text(owner.get(response.headers["location"]).text)


@pytest.mark.parametrize(("case", "change", "field", "message"), [
    ("VAT raised from C to A", {"vat": "A"}, "vat", "Nie można podnieść stawki VAT"),
    ("PLU of another product", {"plu": "1"}, "plu", "PLU 1 ma już produkt"),
    ("empty name", {"name": ""}, "name", "Nazwa nie może być pusta."),
    ("name too long", {"name": "M" * 60}, "name", "najwyżej 40 znaków"),
])
def test_edit_refuses_bad_input_and_keeps_it(owner: WebClient, office: BackOffice, case: str,
                                            change: dict[str, str], field: str,
                                            message: str) -> None:
    milk = office.product_by_plu("2")
    page = owner.get(f"/products/{milk}")
    response = owner.post(f"/products/{milk}", _edit_form(page.text, **change))
    assert response.status_code == 422, case
    assert message in _field_error(response.text, field), case
    assert office.get_product(milk)["vat"] == "C" and office.get_product(milk)["plu"] == "2"


def test_a_stale_edit_is_refused_and_shows_the_current_product(owner: WebClient,
                                                               office: BackOffice) -> None:
    milk = office.product_by_plu("2")
    page = owner.get(f"/products/{milk}")
    office.update_product(milk, name="Mleko 2% 1l promocja")  # somebody else, meanwhile
    response = owner.post(f"/products/{milk}", _edit_form(page.text, name="Mleko 2% litr"))
    assert response.status_code == 409
    assert "Ktoś zmienił te dane w międzyczasie." in main_text(response.text)
    assert 'value="Mleko 2% 1l promocja"' in response.text
    assert office.get_product(milk)["name"] == "Mleko 2% 1l promocja"
    # the refreshed form saves
    again = owner.post(f"/products/{milk}", _edit_form(response.text, name="Mleko 2% litr"))
    assert again.status_code == 303 and office.get_product(milk)["name"] == "Mleko 2% litr"


def test_an_edit_waits_for_the_tills_and_reaches_them(owner: WebClient, office: BackOffice,
                                                     web_url: str) -> None:
    _, code = office.add_terminal(1, "Kasa 1")
    till = TerminalClient.activate(web_url, code)
    _, cursor, _ = till.pull_all("products")
    milk = office.product_by_plu("2")
    page = owner.get(f"/products/{milk}")
    assert "Do pobrania" not in main_text(page.text)  # the till has everything
    owner.post(f"/products/{milk}", _edit_form(page.text, name="Mleko 2% 1l karton"))
    waiting = main_text(owner.get(f"/products/{milk}").text)
    assert "Do pobrania przy następnej synchronizacji (8 → 4 → 3 na kasie" in waiting
    assert "Sklep Centrum: 1 z 1 kasoterminala, czeka od" in waiting
    assert "Do pobrania przy następnej synchronizacji" in main_text(owner.get("/products").text)
    changes, _, _ = till.pull_all("products", since=cursor)
    assert any((c.get("data") or {}).get("name") == "Mleko 2% 1l karton" for c in changes)
    assert "Do pobrania" not in main_text(owner.get(f"/products/{milk}").text)
    till.close()


def test_withdraw_and_restore_a_product(owner: WebClient, office: BackOffice) -> None:
    milk = office.product_by_plu("2")
    owner.get(f"/products/{milk}")
    response = owner.post(f"/products/{milk}/active", {"active": "0"})
    assert response.status_code == 303 and office.get_product(milk)["active"] is False
    page = main_text(owner.get(response.headers["location"]).text)
    assert "Produkt wycofano ze sprzedaży." in page and "Produkt jest nieaktywny" in page
    assert owner.post(f"/products/{milk}/active", {"active": "1"}).status_code == 303
    assert office.get_product(milk)["active"] is True
    # a value the page never sends changes nothing
    junk = owner.post(f"/products/{milk}/active", {"active": "tak"})
    assert junk.status_code == 303 and "saved" not in junk.headers["location"]
    assert office.get_product(milk)["active"] is True


def test_barcodes_on_the_product_page(owner: WebClient, office: BackOffice) -> None:
    milk = office.product_by_plu("2")
    owner.get(f"/products/{milk}")
    assert owner.post(f"/products/{milk}/barcodes", {"code": " 96385074 "}).status_code == 303
    assert office.get_product(milk)["barcodes"] == ["5901200000027", "96385074"]
    bad = owner.post(f"/products/{milk}/barcodes", {"code": "96385075"})  # check digit
    assert bad.status_code == 422
    assert "Nieprawidłowy kod kreskowy: 96385075." in _field_error(bad.text, "code")
    assert 'value="96385075"' in bad.text
    taken = owner.post(f"/products/{milk}/barcodes", {"code": "5901200000010"})
    assert "ma już produkt PLU 1" in _field_error(taken.text, "code")
    for i in range(8):
        office.add_barcode(milk, f"11111{i:02d}")
    eleventh = owner.post(f"/products/{milk}/barcodes", {"code": "2222222"})
    assert "najwyżej 10 kodów" in _field_error(eleventh.text, "code")
    # another product's code is never removed from this page
    other = owner.post(f"/products/{milk}/barcodes/remove", {"code": "5901200000010"})
    assert other.status_code == 422 and "5901200000010" in office.get_product(1)["barcodes"]
    assert owner.post(f"/products/{milk}/barcodes/remove",
                      {"code": "96385074"}).status_code == 303
    assert "96385074" not in office.get_product(milk)["barcodes"]


# --- who may, and what does not exist ------------------------------------------------------

def test_posts_without_the_csrf_token_change_nothing(owner: WebClient,
                                                     office: BackOffice) -> None:
    milk = office.product_by_plu("2")
    page = owner.get(f"/products/{milk}")
    posts = [("/products/new", NEW), (f"/products/{milk}", _edit_form(page.text, name="X")),
             (f"/products/{milk}/active", {"active": "0"}),
             (f"/products/{milk}/barcodes", {"code": "96385074"}),
             (f"/products/{milk}/barcodes/remove", {"code": "5901200000027"})]
    changes = _changes(office)
    for path, data in posts:
        response = owner.post(path, data, csrf=False)
        assert response.status_code == 403 and "Formularz wygasł" in main_text(response.text)
    assert _changes(office) == changes and office.get_product(milk)["active"] is True


def test_a_manager_gets_403_on_the_assortment(office: BackOffice, web_url: str) -> None:
    office.add_user("2001", "Ewa Kierownik", "2468", role="manager")
    office.set_web_password("2001", "haslo-kierownika")
    office.set_user_stores("2001", [1])
    manager = WebClient(web_url)
    assert manager.login("2001", "haslo-kierownika").status_code == 303
    for path in ("/products", "/products/new", "/products/1"):
        response = manager.get(path)
        assert response.status_code == 403, path
        assert "Tę stronę otwiera tylko właściciel." in main_text(response.text)
    assert manager.post("/products/new", NEW).status_code == 403
    assert manager.post("/products/1/active", {"active": "0"}).status_code == 403
    assert office.get_product(1)["active"] is True
    assert 'href="/products"' not in manager.get("/").text  # not in the menu
    manager.close()


def test_unknown_and_junk_product_ids_are_404_pages(owner: WebClient) -> None:
    for path in ("/products/99999", "/products/0", "/products/-1", "/products/abc",
                 "/products/1.5", "/products/99999999999999999999999"):
        response = owner.get(path)
        assert response.status_code == 404, path
        assert "Nie ma takiej strony" in main_text(response.text)
    for path in ("/products/99999", "/products/99999/active", "/products/abc/barcodes"):
        assert owner.post(path, {"active": "0", "code": "1234567"}).status_code == 404, path


def test_the_pages_in_english(web_url: str) -> None:
    browser = WebClient(web_url, language="en")
    browser.login()
    page = main_text(browser.get("/products?q=zzz").text)
    assert "Assortment" in page and "No product matches “zzz”." in page
    browser.get("/products/new")
    response = browser.post("/products/new", {**NEW, "plu": "1"})
    assert "PLU 1 already belongs to “Mleko 3,2% 1l”." in _field_error(response.text, "plu")
    browser.close()


def test_migration_6_gives_an_older_database_the_product_list_index(office: BackOffice) -> None:
    from ipos_tui.backoffice.migrations import LATEST_VERSION, current_version, migrate

    index = "product_company_id_active_name_key"
    office.db.execute_sql(f'DROP INDEX "{index}"')  # as a back office of schema 5 left it
    m.SchemaVersion.delete().where(m.SchemaVersion.version >= 6).execute()
    assert current_version(office.db) == 5
    assert migrate(office.db) == list(range(6, LATEST_VERSION + 1))  # later steps find their work done
    assert current_version(office.db) == LATEST_VERSION
    assert index in {i.name for i in office.db.get_indexes("product")}
    sql, params = office.product_search_query("", "inactive").sql()
    plan = office.db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    assert index in str(plan)  # the list reads the index, not the table


def test_a_deposit_is_set_shown_refused_and_removed_in_the_form(owner: WebClient, office: BackOffice) -> None:
    """Issue 14, item 7: the packaging's deposit per piece ("kaucja"), typed in złoty."""
    water = office.product_by_plu("2")
    page = owner.get(f"/products/{water}")
    assert 'name="deposit"' in page.text
    response = owner.post(f"/products/{water}", _edit_form(page.text, deposit="0,50"))
    assert response.status_code == 303 and office.get_product(water)["deposit"] == 50
    page = owner.get(f"/products/{water}")
    assert 'value="0,50"' in page.text
    response = owner.post(f"/products/{water}", _edit_form(page.text, deposit="150,00"))
    assert response.status_code == 422
    assert "Kaucja za sztukę: od 0,00 do 100,00 zł." in _field_error(response.text, "deposit")
    assert office.get_product(water)["deposit"] == 50
    response = owner.post(f"/products/{water}", _edit_form(page.text, deposit=""))
    assert response.status_code == 303 and office.get_product(water)["deposit"] == 0
