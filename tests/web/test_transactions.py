"""Transakcje in iPOS web: documents pushed by real tills over HTTP (receipt, invoice,
NIP receipt, return, cash operation, daily report, a quarantined one) in the pages,
junk in the filters, the period reports against the documents to the grosz, CSV that
Excel opens, the chart, releasing from the quarantine once, and a manager's reach."""

from __future__ import annotations

import csv
import io
import re
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "backoffice"))

from backoffice_support import TerminalClient  # noqa: E402
from web_support import WebClient, main_text  # noqa: E402

from ipos_tui.backoffice import models as m  # noqa: E402
from ipos_tui.backoffice.services import BackOffice  # noqa: E402

WARSAW = ZoneInfo("Europe/Warsaw")
NIP = "5260250995"


def _today() -> date:
    return datetime.now(WARSAW).date()


def _line(product: dict[str, Any], price: int, qty: int = 1000, discount: int = 0
          ) -> dict[str, Any]:
    gross = (price * qty + 500) // 1000
    return {"name": product["name"], "plu": product["plu"], "product_id": product["id"],
            "vat": product["vat"], "unit_price": price, "qty": qty, "discount": discount,
            "value": gross - discount}


def _doc(doc_type: str, store_id: int, number: int, lines: list[dict[str, Any]],
         payments: list[tuple[str, int, int]], **extra: Any) -> dict[str, Any]:
    total = sum(line["value"] for line in lines)
    vat: dict[str, int] = {}
    for line in lines:
        vat[line["vat"]] = vat.get(line["vat"], 0) + line["value"]
    return {"type": doc_type, "uuid": str(uuid.uuid4()), "number": number,
            "store_id": store_id, "created_at": datetime.now(UTC).isoformat(),
            "cashier_id": None, "cashier_identifier": "1002", "cashier_name": "Jan Nowak",
            "lines": lines, "total": total, "vat_totals": vat,
            "payments": [{"method": method, "amount": amount, "change": change}
                         for method, amount, change in payments], **extra}


@dataclass
class Shop:
    office: BackOffice
    till: TerminalClient
    other_till: TerminalClient
    ids: dict[str, int]
    receipts_total: int
    returns_total: int


def _document_id(office: BackOffice, terminal_id: int, doc_type: str, number: int) -> int:
    t = m.Transaction
    return t.get((t.terminal == terminal_id) & (t.doc_type == doc_type) & (t.number == number)).id


@pytest.fixture
def shop(office: BackOffice, web_url: str) -> Any:
    opened = _open_shop(office, web_url)
    yield opened
    opened.till.close()
    opened.other_till.close()


def _open_shop(office: BackOffice, web_url: str) -> Shop:
    """Store 1's till pushes a paragon (cash and card), a faktura, a paragon z NIP, a
    return of the paragon, a deposit, its daily report and a document of another store
    (quarantined); store 2's till pushes one paragon."""
    _, code = office.add_terminal(1, "Kasa 1")
    till = TerminalClient.activate(web_url, code, "Kasa 1")
    _, code = office.add_terminal(2, "Kasa Osiedle")
    other = TerminalClient.activate(web_url, code, "Kasa Osiedle")
    products = office.list_products()
    milk, bread, cheese = products[0], products[10], products[40]
    paragon = _doc("receipt", 1, 1, [_line(milk, 349, 2000), _line(bread, 599, 1000, 50)],
                   [("gotowka", 500, 2), ("karta", 749, 0)])
    faktura = _doc("receipt", 1, 2, [_line(cheese, 1299, 1500)], [("karta", 1949, 0)],
                   kind="faktura", buyer={"nip": "526-025-09-95", "name": "Firma <Test> Sp. z o.o.",
                                          "address": "ul. Prosta 1, 00-001 Warszawa"})
    paragon_nip = _doc("receipt", 1, 3, [_line(bread, 599)], [("gotowka", 1000, 401)],
                       kind="paragon_nip", buyer={"nip": NIP})
    ret_line = {**_line(milk, 349, 1000), "original_line": 0}
    ret = _doc("return", 1, 1, [ret_line], [("gotowka", 349, 0)],
               original={"terminal_id": till.terminal_id, "number": 1})
    deposit = {"type": "cash_operation", "uuid": str(uuid.uuid4()), "number": 1, "store_id": 1,
               "created_at": datetime.now(UTC).isoformat(), "cashier_identifier": "1002",
               "kind": "in", "amount": 20000, "purpose": "opening", "reason": "Na otwarcie"}
    receipts_total = paragon["total"] + faktura["total"] + paragon_nip["total"]
    daily = {"type": "daily_report", "uuid": str(uuid.uuid4()), "number": 1, "store_id": 1,
             "created_at": datetime.now(UTC).isoformat(), "cashier_identifier": "1002",
             "day": _today().isoformat(), "receipts": 3, "receipts_total": receipts_total,
             "returns": 1, "returns_total": ret["total"], "total": receipts_total - ret["total"],
             "payments": {"gotowka": 1097 - 349, "karta": 749 + 1949}}
    other_store = _doc("receipt", 2, 4, [_line(milk, 349)], [("gotowka", 349, 0)])
    results = till.push([paragon, faktura, paragon_nip, ret, deposit, daily, other_store])
    assert [r["status"] for r in results] == ["accepted"] * 6 + ["rejected"]
    assert results[-1]["reason"] == "other_store"
    assert [r["status"] for r in other.push(
        [_doc("receipt", 2, 1, [_line(cheese, 1399)], [("karta", 1399, 0)])])] == ["accepted"]
    tid = till.terminal_id
    ids = {"paragon": _document_id(office, tid, "receipt", 1),
           "faktura": _document_id(office, tid, "receipt", 2),
           "paragon_nip": _document_id(office, tid, "receipt", 3),
           "return": _document_id(office, tid, "return", 1),
           "deposit": _document_id(office, tid, "cash_operation", 1),
           "daily": _document_id(office, tid, "daily_report", 1),
           "other": _document_id(office, other.terminal_id, "receipt", 1),
           "quarantined": m.Quarantine.get().id}
    return Shop(office, till, other, ids, receipts_total, ret["total"])


@pytest.fixture
def pg_office(tmp_path: Path) -> Iterator[BackOffice]:
    """The demo shop on a throwaway PostgreSQL (skipped where there is none)."""
    from backoffice_support import throwaway_postgres

    from ipos_tui.backoffice.db import open_database
    from ipos_tui.demo.backoffice import seed_demo

    with throwaway_postgres() as url:
        office = BackOffice(open_database(url), b"web-test-pepper")
        office.init_schema()
        seed_demo(office)
        yield office
        office.db.close()


def _manager(office: BackOffice, web_url: str) -> WebClient:
    office.add_user("2001", "Kierownik Centrum", "2468", role="manager")
    office.set_web_password("2001", "haslo-kierownika")
    office.set_user_stores("2001", [1])
    browser = WebClient(web_url)
    assert browser.login("2001", "haslo-kierownika").status_code == 303
    return browser


# ------------------------------------------------------------------ documents


def test_a_deposit_return_is_named_as_on_the_till(shop: Shop, owner: WebClient,
                                                 web_url: str) -> None:
    """A payout whose purpose is a deposit return reads "Zwrot kaucji" (as in the till's
    5. Transakcje), negative; a plain withdrawal stays "Wypłata"."""
    def payout(number: int, purpose: str) -> dict[str, Any]:
        return {"type": "cash_operation", "uuid": str(uuid.uuid4()), "number": number,
                "store_id": 1, "created_at": datetime.now(UTC).isoformat(),
                "cashier_identifier": "1002", "kind": "out", "amount": 150,
                "purpose": purpose, "reason": "Zwrot kaucji: 3 szt. x 0,50"}

    assert [r["status"] for r in shop.till.push(
        [payout(2, "deposit_return"), payout(3, "withdrawal")])] == ["accepted"] * 2
    text = main_text(owner.get("/transactions").text)
    assert re.search(r"KO000002 Zwrot kaucji .*-1,50", text), text
    assert "KO000003 Wypłata" in text and "KO000001 Wpłata" in text
    # sent with the cashier's identifier only: the page names them from the staff table
    detail = main_text(owner.get(f"/transactions/{shop.ids['deposit']}").text)
    assert "Kasjer Jan Nowak Kwota" in detail, detail
    english = WebClient(web_url, "en")
    english.login()
    assert "KO000002 Deposit return" in main_text(english.get("/transactions").text)
    english.close()


def test_todays_documents_of_every_kind_with_numbers_cashier_and_payments(
        shop: Shop, owner: WebClient) -> None:
    page = owner.get("/transactions")
    assert page.status_code == 200
    text = main_text(page.text)
    # numbers as the till prints them, the kind of each, who and how it was paid
    for expected in ("000001 Paragon", "000002 Faktura", "000003 Paragon z NIP",
                     "Z000001 Zwrot", "KO000001 Wpłata", "RD0001 Raport dobowy",
                     "Jan Nowak", "gotówka 4,98 zł", "karta 7,49 zł", "Sklep Osiedlowy",
                     "-3,49 zł", "Dokumentów: 7"):
        assert expected in text, expected
    # the invoice only, by the kind filter
    text = main_text(owner.get("/transactions?kind=faktura").text)
    assert "Dokumentów: 1" in text and "000002 Faktura" in text and "000001 Paragon" not in text
    # one store's till
    text = main_text(owner.get(f"/transactions?store=2&terminal={shop.other_till.terminal_id}").text)
    assert "Dokumentów: 1" in text and "Kasa Osiedle" in text
    # another day has none; an empty day means every day
    yesterday = (_today() - timedelta(days=1)).isoformat()
    assert "Dokumentów: 0" in main_text(owner.get(f"/transactions?day={yesterday}").text)
    assert "Dokumentów: 7" in main_text(owner.get("/transactions?day=").text)
    # the Polish way of writing the day is understood as well
    polish = _today().strftime("%d.%m.%Y")
    assert "Dokumentów: 7" in main_text(owner.get(f"/transactions?day={polish}").text)


def test_paging_keeps_the_filters(shop: Shop, owner: WebClient) -> None:
    docs = [_doc("receipt", 1, n, [_line(shop.office.list_products()[1], 100)],
                 [("gotowka", 100, 0)]) for n in range(10, 70)]
    assert {r["status"] for r in shop.till.push(docs)} == {"accepted"}
    first = owner.get("/transactions?store=1&kind=paragon")
    assert "Strona 1 z 2" in main_text(first.text)
    link = re.search(r'href="([^"]*page=2)"', first.text)
    assert link is not None and "store=1" in link.group(1) and "kind=paragon" in link.group(1)
    second = main_text(owner.get(link.group(1).replace("&amp;", "&")).text)
    assert "Strona 2 z 2" in second and "000001 Paragon" in second  # the oldest, last
    # a page past the end or junk as the page: the list answers, never a 5xx
    for junk in ("999", "0", "-1", "abc", "9" * 40):
        assert owner.get(f"/transactions?page={junk}").status_code == 200, junk


def test_junk_filters_get_a_message_next_to_their_field(shop: Shop, owner: WebClient) -> None:
    page = owner.get("/transactions?day=2026-13-45")
    assert page.status_code == 422
    assert "„2026-13-45” nie jest datą" in page.text
    assert 'aria-invalid="true" aria-describedby="e-day"' in page.text
    assert "Dokumentów: 7" in main_text(page.text)  # today's, under the message
    page = owner.get("/transactions?store=abc")
    assert page.status_code == 422 and 'id="e-store">Wpisz liczbę całkowitą.' in page.text
    assert "Dokumentów: 7" in main_text(page.text)  # the other filters still apply
    page = owner.get("/transactions?kind=everything")
    assert page.status_code == 422 and 'id="e-kind">Wybierz jedną z pozycji listy.' in page.text
    # the till of store 2 with store 1 chosen
    page = owner.get(f"/transactions?store=1&terminal={shop.other_till.terminal_id}")
    assert page.status_code == 422
    assert 'id="e-terminal">Ten kasoterminal nie należy do wybranego sklepu.' in page.text
    # no such store or till, huge or negative ids, junk text: a page, never a 5xx
    for query in ("store=999", "terminal=999", f"store={'9' * 30}", "terminal=-3",
                  "store=1&store=zz", "day=%00%ff", "day=" + "2" * 200, "kind=%C5%BC"):
        response = owner.get(f"/transactions?{query}")
        assert response.status_code in (404, 422), query


def test_english_page(shop: Shop, web_url: str) -> None:
    browser = WebClient(web_url, language="en")
    browser.login()
    page = browser.get("/transactions?day=4.13.2026")
    assert page.status_code == 422 and "“4.13.2026” is not a date" in page.text
    text = main_text(browser.get("/transactions").text)
    assert "Invoice" in text and "Return" in text and "Daily report" in text
    browser.close()


def test_a_receipt_with_its_lines_and_payments(shop: Shop, owner: WebClient) -> None:
    page = owner.get(f"/transactions/{shop.ids['paragon']}")
    assert page.status_code == 200
    text = main_text(page.text)
    assert "Paragon nr 000001" in text and "Kasa 1 (K" in text and "Jan Nowak" in text
    # each line: name, PLU, qty, unit price, discount, value, VAT letter
    products = shop.office.list_products()
    milk, bread = products[0], products[10]
    assert f"{milk['name']} {milk['plu']} 2 szt. 3,49 zł 6,98 zł {milk['vat']}" in text
    assert f"{bread['name']} {bread['plu']} 1 szt. 5,99 zł −0,50 zł 5,49 zł {bread['vat']}" in text
    assert "Razem 12,47 zł" in text
    assert "gotówka 5,00 zł 0,02 zł" in text and "karta 7,49 zł 0,00 zł" in text
    # the return of it is named, and leads to the return
    assert "Zwroty tego paragonu" in text and f'href="/transactions/{shop.ids["return"]}"' in page.text


def test_an_invoice_names_its_buyer_escaped(shop: Shop, owner: WebClient) -> None:
    page = owner.get(f"/transactions/{shop.ids['faktura']}")
    text = main_text(page.text)
    assert "Faktura nr 000002" in text and f"NIP {NIP}" in text
    assert "Firma &lt;Test&gt; Sp. z o.o." in page.text and "<Test>" not in page.text
    assert "ul. Prosta 1, 00-001 Warszawa" in text
    assert "1,5 szt. 12,99 zł" in text  # a quantity with a decimal comma
    nip_receipt = main_text(owner.get(f"/transactions/{shop.ids['paragon_nip']}").text)
    assert "Paragon z NIP nr 000003" in nip_receipt and f"NIP {NIP}" in nip_receipt


def test_a_return_names_the_receipt_it_returns(shop: Shop, owner: WebClient) -> None:
    page = owner.get(f"/transactions/{shop.ids['return']}")
    text = main_text(page.text)
    assert "Zwrot nr Z000001" in text and "-3,49 zł" in text
    assert "Zwrot do paragonu Paragon nr 000001" in text
    assert f'href="/transactions/{shop.ids["paragon"]}"' in page.text


def test_cash_and_daily_report_documents(shop: Shop, owner: WebClient) -> None:
    text = main_text(owner.get(f"/transactions/{shop.ids['deposit']}").text)
    assert "Wpłata nr KO000001" in text and "200,00 zł" in text and "Na otwarcie" in text
    text = main_text(owner.get(f"/transactions/{shop.ids['daily']}").text)
    net = shop.receipts_total - shop.returns_total
    assert "Raport dobowy nr RD0001" in text
    assert f"Sprzedaż netto {net // 100},{net % 100:02d} zł" in text
    # its sums by payment method by their names, not the tills' codes
    assert "gotówka 7,48 zł" in text and "karta 26,98 zł" in text and "gotowka" not in text.split(
        "Dokument tak, jak")[0]


def test_a_document_that_is_not_there_is_404(shop: Shop, owner: WebClient) -> None:
    for path in ("/transactions/99999", "/transactions/0", "/transactions/-1",
                 "/transactions/abc", f"/transactions/{'9' * 40}"):
        response = owner.get(path)
        assert response.status_code == 404, path
        assert "Nie ma takiej strony" in response.text


# ------------------------------------------------------------------ quarantine


def test_quarantine_shows_the_reason_in_words_and_the_payload_escaped(
        shop: Shop, owner: WebClient, web_url: str) -> None:
    # a document whose name would be markup if it were not escaped, and wrong totals
    bad = _doc("receipt", 1, 99, [_line(shop.office.list_products()[0], 100)],
               [("gotowka", 100, 0)])
    bad["lines"][0]["name"] = "<script>alert(1)</script>"
    bad["total"] = 1
    assert shop.till.push([bad])[0]["reason"] == "total_mismatch"
    page = owner.get("/quarantine")
    assert page.status_code == 200
    text = main_text(page.text)
    assert "dokument innego sklepu" in text and "suma nie zgadza się z pozycjami" in text
    assert "<details><summary>Pokaż dokument</summary>" in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "Kasa 1 (K" in text and "Sklep Centrum" in text
    english = WebClient(web_url, language="en")
    english.login()
    assert "a document of another store" in main_text(english.get("/quarantine").text)
    english.close()


def test_release_asks_first_then_stores_the_document_exactly_once(
        shop: Shop, owner: WebClient) -> None:
    item = shop.ids["quarantined"]
    confirm = owner.get(f"/quarantine/{item}/release")
    assert confirm.status_code == 200
    assert "Przyjąć dokument z kwarantanny?" in confirm.text
    assert f'action="/quarantine/{item}/release"' in confirm.text
    before = m.Transaction.select().count()
    done = owner.post(f"/quarantine/{item}/release")
    assert done.status_code == 303 and done.headers["location"] == f"/quarantine?released={item}"
    page = owner.get(done.headers["location"])
    assert f"Dokument {item} przyjęty z kwarantanny." in page.text
    assert m.Transaction.select().count() == before + 1
    row = m.Quarantine.get_by_id(item)
    released_at, released_as = row.released_at, row.released_as
    assert released_as is not None
    assert "Kwarantanna jest pusta." in main_text(page.text)
    # a second release (the form posted again) changes nothing and says why
    again = owner.post(f"/quarantine/{item}/release")
    assert again.status_code == 409
    assert f"Dokument {item} został już przyjęty z kwarantanny; nic nie zmieniono." in again.text
    assert m.Transaction.select().count() == before + 1
    row = m.Quarantine.get_by_id(item)
    assert (row.released_at, row.released_as) == (released_at, released_as)
    # the released one is listed with the document it became
    listed = owner.get("/quarantine?all=1")
    assert f'href="/transactions/{released_as}"' in listed.text
    assert "Przyjęty" in main_text(listed.text)
    assert owner.get(f"/transactions/{released_as}").status_code == 200


def test_a_document_that_cannot_be_released_says_why(shop: Shop, owner: WebClient) -> None:
    bad = _doc("receipt", 1, 98, [_line(shop.office.list_products()[0], 100)],
               [("gotowka", 100, 0)])
    bad["total"] = 5
    shop.till.push([bad])
    item = m.Quarantine.select().order_by(m.Quarantine.id.desc()).get().id
    owner.get("/quarantine")
    response = owner.post(f"/quarantine/{item}/release")
    assert response.status_code == 409
    assert (f"Dokumentu {item} nie można przyjąć z kwarantanny: suma nie zgadza się z "
            "pozycjami.") in response.text
    assert m.Quarantine.get_by_id(item).released_at is None


def test_release_without_csrf_is_refused(shop: Shop, owner: WebClient) -> None:
    item = shop.ids["quarantined"]
    owner.get("/quarantine")
    for token in (None, "forged"):
        data = {} if token is None else {"csrf_token": token}
        response = owner.post(f"/quarantine/{item}/release", data, csrf=False)
        assert response.status_code == 403, token
        assert "Formularz wygasł" in response.text
    assert m.Quarantine.get_by_id(item).released_at is None
    for path in ("/quarantine/99999/release", "/quarantine/abc/release"):
        assert owner.post(path).status_code == 404, path


# ------------------------------------------------------------------ reports


def _grosze(text: str) -> int:
    """ "-1234,50" → -123450 (a CSV amount in złoty)."""
    sign = -1 if text.startswith("-") else 1
    whole, _, frac = text.lstrip("-").partition(",")
    return sign * (int(whole) * 100 + int(frac.ljust(2, "0")))


def _csv(owner: WebClient, path: str) -> list[list[str]]:
    response = owner.get(path)
    assert response.status_code == 200, path
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_period_reports_add_up_to_the_documents_to_the_grosz(shop: Shop, owner: WebClient
                                                             ) -> None:
    net = shop.receipts_total - shop.returns_total + 1399  # store 2's paragon too
    today = _today().isoformat()
    period = f"start={today}&end={today}"
    page = owner.get(f"/reports?{period}")
    assert page.status_code == 200
    # one bar chart, inline SVG, no script and no other host
    svg = re.search(r"<svg .*?</svg>", page.text, re.S)
    assert svg is not None and 'role="img"' in svg.group(0)
    assert "<script" not in page.text
    assert not re.search(r'(src|href)="(https?:)?//', page.text)  # nothing from another host
    assert "kozea" not in page.text.lower()
    # per day (the table under the chart), by product, category, cashier, payment method
    days = _csv(owner, f"/reports/days.csv?{period}")
    assert days[0][0] == "Dzień" and days[1][0] == today
    assert _grosze(days[1][-1]) == net
    for name, value_column in (("products", -1), ("categories", -1), ("cashiers", -1),
                               ("payments", -1)):
        rows = _csv(owner, f"/reports/{name}.csv?{period}")
        assert sum(_grosze(r[value_column]) for r in rows[1:]) == net, name
    products = _csv(owner, f"/reports/products.csv?{period}")
    milk = shop.office.list_products()[0]
    assert [milk["plu"], milk["name"], "1", "3,49"] in products  # 2 sold, 1 returned
    payments = {r[0]: _grosze(r[1]) for r in _csv(owner, f"/reports/payments.csv?{period}")[1:]}
    assert payments == {"gotówka": 498 + 599 - 349, "karta": 749 + 1949 + 1399}
    cashiers = _csv(owner, f"/reports/cashiers.csv?{period}")
    assert cashiers[1][:2] == ["1002", "Jan Nowak"] and cashiers[1][2] == "4"
    # one store only
    store2 = _csv(owner, f"/reports/days.csv?store=2&{period}")
    assert _grosze(store2[1][-1]) == 1399
    # the daily reports the till sent, beside the back office's own sum
    daily = _csv(owner, f"/reports/daily.csv?{period}")
    assert len(daily) == 2 and daily[1][3] == "RD0001"
    assert _grosze(daily[1][8]) == _grosze(daily[1][9]) == shop.receipts_total - shop.returns_total
    text = main_text(page.text)
    assert "Raporty dobowe z kas" in text and "RD0001" in text and "różni się" not in text


def test_report_filters_with_junk(shop: Shop, owner: WebClient) -> None:
    page = owner.get("/reports?start=2026-13-45")
    assert page.status_code == 422 and "„2026-13-45” nie jest datą" in page.text
    page = owner.get("/reports?start=2026-12-10&end=2026-12-01")
    assert page.status_code == 422 and "Koniec okresu jest przed jego początkiem." in page.text
    page = owner.get("/reports?start=2020-01-01&end=2026-12-01")
    assert page.status_code == 422 and "Okres może mieć najwyżej 366 dni." in page.text
    page = owner.get("/reports?store=abc")
    assert page.status_code == 422 and 'id="e-store">Wpisz liczbę całkowitą.' in page.text
    page = owner.get("/reports?start=9999-12-01&end=9999-12-31")  # the calendar's last days
    assert page.status_code == 200 and "Brak sprzedaży w tym okresie." in page.text
    for query in ("start=0000-01-01", "end=10000-01-01", "start=" + "9" * 60, "start=1.1.1"):
        assert owner.get(f"/reports?{query}").status_code == 422, query
    assert owner.get("/reports?store=999").status_code == 404
    assert owner.get("/reports/whatever.csv").status_code == 404
    response = owner.get("/reports/days.csv?start=junk")
    assert response.status_code == 422 and "nie jest datą" in response.text


# ------------------------------------------------------------------ a manager


def test_a_manager_sees_only_their_stores(shop: Shop, office: BackOffice, web_url: str) -> None:
    manager = _manager(office, web_url)
    text = main_text(manager.get("/transactions").text)
    assert "Dokumentów: 6" in text and "Sklep Osiedlowy" not in text
    # another store's document, store, till, typed by hand: 404
    for path in (f"/transactions/{shop.ids['other']}", "/transactions?store=2",
                 f"/transactions?terminal={shop.other_till.terminal_id}", "/reports?store=2",
                 "/reports/days.csv?store=2"):
        assert manager.get(path).status_code == 404, path
    # their reports leave store 2's sales out
    today = _today().isoformat()
    days = _csv(manager, f"/reports/days.csv?start={today}&end={today}")
    assert _grosze(days[1][-1]) == shop.receipts_total - shop.returns_total
    # they see their store's quarantine, but releasing is the owner's
    page = manager.get("/quarantine")
    assert "dokument innego sklepu" in main_text(page.text)
    assert f"/quarantine/{shop.ids['quarantined']}/release" not in page.text
    assert manager.get(f"/quarantine/{shop.ids['quarantined']}/release").status_code == 403
    assert manager.post(f"/quarantine/{shop.ids['quarantined']}/release").status_code == 403
    assert m.Quarantine.get_by_id(shop.ids["quarantined"]).released_at is None
    manager.close()


def test_a_manager_does_not_see_another_stores_quarantine(shop: Shop, office: BackOffice,
                                                          web_url: str) -> None:
    bad = _doc("receipt", 1, 5, [_line(office.list_products()[0], 100)], [("gotowka", 100, 0)])
    assert shop.other_till.push([bad])[0]["reason"] == "other_store"  # store 2's till
    manager = _manager(office, web_url)
    page = manager.get("/quarantine")
    assert "Kasa Osiedle" not in page.text and "Kasa 1" in page.text
    manager.close()


def test_signed_out_browsers_go_to_the_sign_in_page(client: WebClient) -> None:
    for path in ("/transactions", "/transactions/1", "/quarantine", "/reports",
                 "/reports/days.csv"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith(
            "/login?next="), path


def test_the_pages_and_reports_on_postgresql(pg_office: BackOffice) -> None:
    from ipos_tui.backoffice.embedded import EmbeddedServer

    with EmbeddedServer(pg_office) as url:
        opened = _open_shop(pg_office, url)
        owner = WebClient(url)
        assert owner.login().status_code == 303
        assert "Dokumentów: 7" in main_text(owner.get("/transactions").text)
        assert owner.get(f"/transactions/{opened.ids['return']}").status_code == 200
        assert "dokument innego sklepu" in main_text(owner.get("/quarantine").text)
        today = _today().isoformat()
        net = opened.receipts_total - opened.returns_total + 1399
        assert owner.get(f"/reports?start={today}&end={today}").status_code == 200
        for name in ("days", "products", "categories", "cashiers", "payments"):
            rows = _csv(owner, f"/reports/{name}.csv?start={today}&end={today}")
            assert sum(_grosze(r[-1]) for r in rows[1:]) == net, name
        daily = _csv(owner, f"/reports/daily.csv?start={today}&end={today}")
        assert _grosze(daily[1][8]) == _grosze(daily[1][9])
        owner.get("/quarantine")
        assert owner.post(f"/quarantine/{opened.ids['quarantined']}/release").status_code == 303
        assert owner.post(f"/quarantine/{opened.ids['quarantined']}/release").status_code == 409
        owner.close()
        opened.till.close()
        opened.other_till.close()
