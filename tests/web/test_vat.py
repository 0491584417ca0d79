"""Produkty → Stawki VAT in iPOS web, with a real back office on uvicorn: letters A–G
with their rate, "zw." or unused; one letter changed by the fiscal printer's rules (a
real till fetches it with the products stream); bad input gets its message next to the
field in Polish or English and changes nothing; a stale form, a manager and a post
without the CSRF token are refused."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "backoffice"))

from backoffice_support import TerminalClient  # noqa: E402
from web_support import WebClient, main_text  # noqa: E402

from ipos_tui.backoffice.services import BackOffice  # noqa: E402

ERROR_RE = re.compile(r'<small class="error" id="e-(\w+)">([^<]*)</small>')
VERSION_RE = re.compile(r'name="version" value="([^"]*)"')


def field_errors(html: str) -> dict[str, str]:
    return {name: text for name, text in ERROR_RE.findall(html)}


def rates(office: BackOffice) -> dict[str, int | None]:
    return {row["letter"]: row["rate_bp"] for row in office.list_vat_rates()}


def change(browser: WebClient, letter: str, rate: str) -> object:
    page = browser.get("/vat")
    version = VERSION_RE.search(page.text)
    assert version, "the form carries no version"
    return browser.post("/vat", {"letter": letter, "rate": rate, "version": version.group(1)})


STANDARD = {"A": 2300, "B": 800, "C": 500, "D": 0, "E": None}


def test_the_page_lists_a_to_g_and_says_when_tills_apply_a_change(owner: WebClient) -> None:
    page = owner.get("/vat")
    assert page.status_code == 200
    text = main_text(page.text)
    assert "A 23% B 8% C 5% D 0% E zw. F nieużywana G nieużywana" in text
    assert "najbliższym zamknięciu dnia" in text and "zaraz po raporcie dobowym" in text
    assert "schodek podatkowy" in text
    assert '<form method="post" action="/vat"' in page.text


def test_changing_a_rate_reaches_a_real_till(owner: WebClient, office: BackOffice, web_url: str) -> None:
    _, code = office.add_terminal(1, "Kasa testowa")
    till = TerminalClient.activate(web_url, code)
    till.pull_all("products")
    saved = change(owner, "c", "0")
    assert saved.status_code == 303 and saved.headers["location"].startswith("/vat?saved=vat")
    assert rates(office) == {**STANDARD, "C": 0}
    after = owner.get(saved.headers["location"])
    text = main_text(after.text)
    assert "Zapisano: litera C – 0%. Kasy zastosują ją przy najbliższym zamknięciu dnia." in text
    assert "C 0%" in text and "Do pobrania przy następnej synchronizacji" in text
    pulled = till.pull_all("products")[0]
    letters = {str(c["id"]): c for c in pulled if c["type"] == "vat_rate"}
    assert "C" in letters, pulled
    assert letters["C"]["data"]["rate"] == 0, letters
    till.close()
    # a new letter, a fraction and an exempt one
    assert change(owner, "F", "5,5").status_code == 303
    assert change(owner, "G", "zw.").status_code == 303
    assert rates(office) == {**STANDARD, "C": 0, "F": 550, "G": None}
    text = main_text(owner.get("/vat").text)
    assert "F 5,5% G zw." in text and "nieużywana" not in text.split("Zmień stawkę")[0]


def test_the_same_rate_changes_nothing(owner: WebClient, office: BackOffice) -> None:
    page = change(owner, "A", "23")
    assert page.status_code == 200
    assert "Litera A ma już stawkę 23%; nic nie zmieniono." in main_text(page.text)
    assert rates(office) == STANDARD


@pytest.mark.parametrize(("letter", "rate", "field", "message"), [
    ("H", "5", "letter", "Wybierz literę od A do G."),
    ("", "5", "letter", "Wybierz literę od A do G."),
    ("AB", "5", "letter", "Wybierz literę od A do G."),
    ("C", "", "rate", "Pole wymagane."),
    ("C", "abc", "rate", "Wpisz stawkę od 0 do 99,99"),
    ("C", "100", "rate", "Wpisz stawkę od 0 do 99,99"),
    ("C", "-1", "rate", "Wpisz stawkę od 0 do 99,99"),
    ("C", "5,555", "rate", "Wpisz stawkę od 0 do 99,99"),
    ("C", "٥", "rate", "Wpisz stawkę od 0 do 99,99"),
    ("C", "9" * 300, "rate", "Wpisz stawkę od 0 do 99,99"),
])
def test_bad_input_is_refused_next_to_its_field(owner: WebClient, office: BackOffice, letter: str,
                                                rate: str, field: str, message: str) -> None:
    page = change(owner, letter, rate)
    assert page.status_code == 422
    errors = field_errors(page.text)
    assert list(errors) == [field] and errors[field].startswith(message), errors
    assert rates(office) == STANDARD
    if rate and len(rate) < 20:
        assert f'value="{rate}"' in page.text  # what was typed stays in the form


def test_bad_input_in_english(web_url: str, office: BackOffice) -> None:
    browser = WebClient(web_url, language="en")
    assert browser.login().status_code == 303
    text = main_text(browser.get("/vat").text)
    assert "F unused G unused" in text and "next day close" in text
    page = change(browser, "C", "12,5,1")
    assert page.status_code == 422
    assert field_errors(page.text)["rate"].startswith("Type a rate from 0 to 99.99")
    page = change(browser, "Z", "5")
    assert field_errors(page.text)["letter"] == "Choose a letter from A to G."
    assert change(browser, "B", "7").status_code == 303
    assert "Saved: letter B – 7%." in main_text(browser.get("/vat?saved=vat&letter=B&rate=7%25").text)
    browser.close()


def test_a_stale_form_is_refused(owner: WebClient, office: BackOffice) -> None:
    page = owner.get("/vat")
    version = VERSION_RE.search(page.text).group(1)  # type: ignore[union-attr]
    office.set_vat_rate("B", 700)  # somebody else, meanwhile
    stale = owner.post("/vat", {"letter": "C", "rate": "0", "version": version})
    assert stale.status_code == 409 and "Ktoś zmienił te dane" in main_text(stale.text)
    assert rates(office) == {**STANDARD, "B": 700}


def test_a_manager_and_a_post_without_csrf_change_nothing(owner: WebClient, office: BackOffice,
                                                         web_url: str) -> None:
    office.add_user("2001", "Kierownik Sklepu", "1234", role="manager")
    office.set_web_password("2001", "haslo-kierownika")
    office.set_user_stores("2001", [1])
    manager = WebClient(web_url)
    assert manager.login("2001", "haslo-kierownika").status_code == 303
    assert manager.get("/vat").status_code == 403
    assert manager.post("/vat", {"letter": "C", "rate": "0"}).status_code == 403
    owner.get("/vat")
    refused = owner.post("/vat", {"letter": "C", "rate": "0"}, csrf=False)
    assert refused.status_code == 403 and "Formularz wygasł" in main_text(refused.text)
    assert rates(office) == STANDARD


def test_products_take_the_companys_letters_and_show_their_rates(owner: WebClient, office: BackOffice) -> None:
    from ipos_tui.domain.errors import DomainError

    with pytest.raises(DomainError) as caught:
        office.add_product("Napój roślinny 1l", "7701", "F")
    assert caught.value.key == "err.vat_letter"
    assert change(owner, "F", "5,5").status_code == 303
    assert change(owner, "C", "0").status_code == 303
    office.add_product("Napój roślinny 1l", "7701", "F")
    form = owner.get("/products/new").text
    assert ">F – 5,5%</option>" in form and ">C – 0%</option>" in form and "C – 5%" not in form


def test_a_csv_rate_cell_takes_the_letter_of_that_rate_now(office: BackOffice) -> None:
    from ipos_tui.backoffice import csvio
    from ipos_tui.domain.errors import DomainError

    office.set_vat_rate("C", 0)
    office.set_vat_rate("F", 550)
    csvio.import_products_csv(office, "Nazwa;PLU;Stawka VAT\nSok 1l;7702;5,5\nWoda;7703;F\n", 1)
    letters = {p["plu"]: p["vat"] for p in office.list_products() if p["plu"] in ("7702", "7703")}
    assert letters == {"7702": "F", "7703": "F"}
    with pytest.raises(DomainError):  # 5 % is no letter's rate any more
        csvio.import_products_csv(office, "Nazwa;PLU;Stawka VAT\nMleko;7704;5\n", 1)
    assert not [p for p in office.list_products() if p["plu"] == "7704"]
