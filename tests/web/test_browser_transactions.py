"""Transakcje in a real browser (Debian's chromium via playwright): a document opened
from the list, a quarantined one released after the confirmation, the chart drawn and
a report downloaded — with documents a real till pushed."""

from __future__ import annotations

import csv
import io
from typing import Any

from browser_support import sign_in
from test_transactions import Shop, shop  # noqa: F401 (the fixture)

from ipos_tui.backoffice import models as m


def test_documents_quarantine_and_reports_in_a_browser(page: Any, web_url: str,
                                                       shop: Shop) -> None:  # noqa: F811
    sign_in(page, web_url)
    page.goto(f"{web_url}/transactions")
    page.get_by_role("link", name="000002").click()  # the invoice
    assert page.get_by_role("heading", level=1).inner_text() == "Faktura nr 000002"
    assert page.get_by_role("cell", name="Firma <Test> Sp. z o.o.").is_visible()

    page.goto(f"{web_url}/quarantine")
    assert page.get_by_role("cell", name="dokument innego sklepu").is_visible()
    page.get_by_text("Pokaż dokument").click()
    assert page.locator("pre.payload").first.is_visible()
    page.get_by_role("link", name="Przyjmij…").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Przyjąć dokument z kwarantanny?"
    page.get_by_role("button", name="Tak, przyjmij dokument").click()
    assert "przyjęty z kwarantanny" in page.get_by_role("status").inner_text()
    assert m.Quarantine.get_by_id(shop.ids["quarantined"]).released_as is not None

    page.goto(f"{web_url}/reports")
    chart = page.get_by_role("img", name="Sprzedaż netto dziennie")
    assert chart.is_visible() and chart.bounding_box()["width"] > 300
    with page.expect_download() as download:
        page.locator("a[href^='/reports/payments.csv']").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read()),
                           delimiter=";"))
    assert rows[0] == ["Forma płatności", "Wartość"] and len(rows) == 3
