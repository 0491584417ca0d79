"""The demo shop's beer in a returnable bottle (system kaucyjny): 0,50 zł deposit per
bottle in the back office's demo and on the demo till, which sells it with its deposit
line apart from the fiscal total and VAT."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipos_tui.backoffice.db import open_database
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.demo.backoffice import seed_demo
from ipos_tui.demo.catalogue import demo_shop
from ipos_tui.demo.terminal import demo_snapshot
from ipos_tui.ui.screens.registration import RegistrationScreen
from office_db import OfficeBackend

pytestmark = pytest.mark.timeout(120)

BEER = "Piwo jasne butelka zwrotna 0,5l"


def test_the_demo_catalogue_has_a_beer_with_a_deposit() -> None:
    beer = demo_shop().product_by_name(BEER)
    assert (beer.deposit, beer.vat_letter, beer.category_id) == (50, "A", 25)
    assert [p.name for p in demo_shop().products if p.deposit] == [BEER]
    till = next(p for p in demo_snapshot().products if p.name == BEER)
    assert (till.deposit, till.plu, till.price) == (50, beer.plu, beer.prices[0])


def test_the_back_office_demo_carries_the_deposit(tmp_path: Path, office_backend: OfficeBackend) -> None:
    office = BackOffice(open_database(office_backend.url(tmp_path / 'office.sqlite3')), b"demo-deposit")
    office.init_schema()
    seed_demo(office)
    beer = demo_shop().product_by_name(BEER)
    product = office.get_product(office.product_by_plu(beer.plu))
    assert (product["name"], product["deposit"]) == (BEER, 50)
    assert not [p["plu"] for p in office.list_products() if p["deposit"] and p["plu"] != beer.plu]


async def test_the_demo_till_sells_the_beer_with_its_deposit_line(make_app) -> None:  # type: ignore[no-untyped-def]
    beer = demo_shop().product_by_name(BEER)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for keys in ("1001", "1111"):  # log in: identifier, PIN
            for key in keys:
                await pilot.press(key)
            await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        for _ in range(2):  # two bottles scanned: one line, 2 x 0,50 deposit
            for key in beer.barcodes[0]:
                await pilot.press(key)
            await pilot.press("enter")
        await pilot.pause()
        receipt = app.receipt
        assert receipt.total == 2 * beer.prices[0]
        assert receipt.deposit_total == 100 and receipt.payable == receipt.total + 100
        await pilot.press("plus")
        await pilot.pause()
        await pilot.press("enter")  # exactly, in cash: total + deposit
        await pilot.pause()
        (summary, *_rest) = app.terminal.ledger.list_documents(limit=1)
        doc = app.terminal.ledger.get_document(summary.uuid)
        assert doc.total == 2 * beer.prices[0]
        assert sum(p.amount - p.change for p in doc.payments) == doc.total + 100
        assert doc.extra["deposit"] == {"total": 100, "lines": [
            {"name": BEER, "product_id": beer.id, "qty": 2, "unit": 50, "value": 100}]}
