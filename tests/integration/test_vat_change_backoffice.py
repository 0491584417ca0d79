"""A VAT rate changed in the back office in the middle of a day, against the real back
office (uvicorn on 127.0.0.1, nothing mocked): the till syncs the new rate (C 5 % ->
0 %) but keeps selling at the rate its fiscal printer holds until the next day close;
the day close makes the daily report first, writes the PTU table right after it (the
day's totals are zero then), and only the next sale is at 0 %. Each receipt keeps the
rates it was sold at, and its printout and the daily report say them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ipos_tui.backoffice.db import open_database
from ipos_tui.demo.backoffice import seed_demo
from ipos_tui.backoffice.embedded import EmbeddedServer
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.domain.vat import vat_from_gross
from ipos_tui.store.db import open_terminal
from ipos_tui.store.vat_table import effective_rates
from ipos_tui.sync.activation import activate
from ipos_tui.sync.context import SyncContext
from ipos_tui.sync.headless import RowCollector, run_jobs
from ipos_tui.ui.dialogs import ConfirmDialog
from ipos_tui.ui.screens.day_close import DayCloseScreen
from ipos_tui.ui.screens.sync import SyncScreen
from ipos_tui.till import Till
from office_db import OfficeBackend

pytestmark = pytest.mark.timeout(120)

MILK = "1"  # Mleko 3,2% 1l, letter C


@pytest.fixture
def office(tmp_path: Path, office_backend: OfficeBackend) -> Iterator[tuple[BackOffice, str]]:
    office = BackOffice(open_database(office_backend.url(tmp_path / 'office.sqlite3')), b"vat-change-pepper")
    office.init_schema()
    seed_demo(office)
    with EmbeddedServer(office) as url:
        yield office, url


@pytest.fixture
def till_dir(tmp_path: Path, office: tuple[BackOffice, str]) -> Path:
    back_office, url = office
    store_id = int(back_office.list_stores()[0]["id"])
    _, code = back_office.add_terminal(store_id, "Kasa 1")
    directory = tmp_path / "till"
    with open_terminal(directory) as terminal:
        activate(terminal, url, code, "Kasa 1", sleep=lambda _s: None)
    return directory


async def _sell(pilot, code: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*code, "enter", "plus")
    await pilot.pause()
    await pilot.press("enter")  # exact cash
    await pilot.pause()
    await pilot.press("escape")  # the printout
    await pilot.pause()


def _last_receipt(terminal):  # type: ignore[no-untyped-def]
    return terminal.ledger.find_by_number(terminal.ledger.last_number("receipt"))


async def test_a_rate_changed_mid_day_applies_after_the_next_day_close(
    make_app, office: tuple[BackOffice, str], till_dir: Path
) -> None:
    back_office, _url = office
    app = make_app(data_dir=till_dir, startup_jobs=("config", "users", "products"))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause(1.0)
        assert isinstance(app.screen, SyncScreen)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"1001", "enter", *"1111", "enter")
        await pilot.pause()
        terminal = app.terminal
        printer = Till(terminal).printer

        await _sell(pilot, MILK)
        first = _last_receipt(terminal)
        assert [line.vat_letter for line in first.lines] == ["C"]
        price = first.total
        assert first.extra["vat_rates"] == {"C": 500}
        assert first.vat["C"].vat == vat_from_gross(price, 500) > 0

        # the back office lowers C to 0 %; the till syncs it mid-day
        assert back_office.set_vat_rate("C", 0)["rate_bp"] == 0
        ctx = SyncContext.for_terminal(terminal)
        assert ctx is not None
        assert run_jobs(ctx, ["config", "products"], RowCollector())
        assert {r.letter: r.rate_bp for r in terminal.catalog.vat_rates()}["C"] == 0
        # ... but the printer still holds 5 %, and so does the next sale
        assert printer.vat_table()["C"] == 500 and effective_rates(terminal.db)["C"] == 500
        await _sell(pilot, MILK)
        second = _last_receipt(terminal)
        assert second.number == first.number + 1
        assert second.extra["vat_rates"] == {"C": 500}
        assert second.vat["C"].vat == vat_from_gross(price, 500)
        printed = printer.printouts_of(second.uuid)[-1].text
        assert "PTU C 5%" in printed

        # day close: the report first, then the PTU table, while the day's totals are 0
        await pilot.press("f2", "3")
        for _ in range(300):
            await pilot.pause(0.05)
            if isinstance(app.screen, ConfirmDialog):
                break
        assert isinstance(app.screen, ConfirmDialog), app.screen
        assert "C 5% \u2192 0%" in app.screen.question
        report = Till(terminal).reports.last_daily_report()
        assert report is not None and report.sums.receipts == 2
        assert [(i.letter, i.rate_bp, i.gross) for i in report.sums.vat_sales] == [("C", 500, 2 * price)]
        assert report.sums.vat_sales[0].vat == vat_from_gross(2 * price, 500)
        assert Till(terminal).reports.open_day().is_empty  # zero totals when the table is written
        assert printer.vat_table()["C"] == 500  # not yet: the cashier confirms
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DayCloseScreen)
        assert screen.rows["report"].state == "done" and screen.rows["vat"].state == "done"
        assert printer.vat_table()["C"] == 0
        kinds = [entry.kind for entry in reversed(printer.journal())]
        assert kinds.index("vat_table") == kinds.index("daily_report") + 1  # right after the report
        table_printout = printer.journal()[0]
        assert table_printout.kind == "vat_table" and "PTU C" in table_printout.text
        assert f"Po raporcie dobowym nr {report.number:04d}" in table_printout.text
        assert "Sumy dobowe: 0,00" in table_printout.text

        await pilot.press("escape")
        await pilot.pause()
        await _sell(pilot, MILK)
        third = _last_receipt(terminal)
        assert third.number == second.number + 1
        assert third.extra["vat_rates"] == {"C": 0}
        assert third.vat["C"].vat == 0 and third.vat["C"].gross == price
        assert "PTU C 0%" in printer.printouts_of(third.uuid)[-1].text
        # the earlier receipts still say what they were sold at
        assert "PTU C 5%" in printer.printouts_of(first.uuid)[-1].text
        assert terminal.ledger.get_document(first.uuid).extra["vat_rates"] == {"C": 500}
