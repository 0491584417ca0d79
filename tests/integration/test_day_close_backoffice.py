"""A day on a till against the real back office (uvicorn on 127.0.0.1, nothing mocked):
cash and card sales, a return and cash operations, a price changed meanwhile in the
back office; then 3. Raport dobowy from the user menu. Every step succeeds, the
pending ☁ clears, the new price arrives, the report is uploaded, and the back
office's `report sales` for the day equals the terminal's report, letter by letter
and method by method.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from office_db import OfficeBackend

from ipos_tui.backoffice import documents
from ipos_tui.backoffice.db import open_database
from ipos_tui.demo.backoffice import seed_demo
from ipos_tui.backoffice.embedded import EmbeddedServer
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.domain.vat import vat_totals
from ipos_tui.store.db import open_terminal
from ipos_tui.store.ledger import DocumentDraft
from ipos_tui.domain.records import DocumentPayment
from ipos_tui.sync.activation import activate
from ipos_tui.ui.screens.day_close import STEPS, DayCloseScreen
from ipos_tui.ui.screens.sync import SyncScreen
from ipos_tui.till import Till


def screen_text(pilot) -> str:  # type: ignore[no-untyped-def]
    update = pilot.app.screen._compositor.render_full_update(simplify=True)
    return "\n".join("".join(strip.text for strip in row) for row in update.strips)


def status(pilot) -> str:  # type: ignore[no-untyped-def]
    return str(pilot.app.screen.query_one("#status").content)


async def enter_code(pilot, code: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*code, "enter")


async def login(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*"1001", "enter", *"1111", "enter")
    await pilot.pause()

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def office(tmp_path: Path, office_backend: OfficeBackend) -> Iterator[tuple[BackOffice, str]]:
    office = BackOffice(open_database(office_backend.url(tmp_path / 'office.sqlite3')), b"day-close-pepper")
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


async def _sell(pilot, codes: list[str], *, card: bool = False) -> None:  # type: ignore[no-untyped-def]
    for code in codes:
        await enter_code(pilot, code)
    await pilot.press("plus")
    await pilot.pause()
    if card:
        await pilot.press("asterisk")  # next method: card
        await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    if card:
        await pilot.press("enter")  # the card app approves
        await pilot.pause()
    await pilot.press("escape")  # the printout
    await pilot.pause()


def _return_first_line(terminal, cashier, number: int, now) -> None:  # type: ignore[no-untyped-def]
    """A cash return of the first line of receipt ``number`` (as the returns screen stores it)."""
    sold = terminal.ledger.find_by_number(number)
    line = sold.lines[0]
    back = replace(line, position=1, original_line=0)
    terminal.ledger.commit_document(
        DocumentDraft("return", "zwrot", line.value, vat_totals([(line.vat_letter, line.value)]), (back,),
                      (DocumentPayment(sold.payments[0].method, sold.payments[0].name, line.value, 0),),
                      extra={"original": {"terminal_id": sold.terminal_id, "number": sold.number}}),
        cashier=cashier, now=now)


async def test_a_day_then_the_daily_report_matches_the_back_office(
    make_app, clock, office: tuple[BackOffice, str], till_dir: Path
) -> None:
    back_office, _url = office
    app = make_app(data_dir=till_dir, startup_jobs=("config", "users", "products"))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause(2.0)
        # the first sync stays with its results (it used to close by itself)
        assert isinstance(app.screen, SyncScreen)
        assert "\u2713 gotowe" in screen_text(pilot) and "\u2717" not in screen_text(pilot)
        assert status(pilot) == "Synchronizacja zakończona. Enter – przejdź do logowania."
        await pilot.press("enter")
        await pilot.pause()
        await login(pilot)
        await _sell(pilot, ["1", "101"])
        await _sell(pilot, ["101", "101"], card=True)
        await _sell(pilot, ["1", "1", "1"])
        terminal = app.terminal
        _return_first_line(terminal, app.cashier, 1, clock())
        for kind, amount in (("in", 20_000), ("out", 5_000)):
            terminal.ledger.commit_document(
                DocumentDraft("cash_operation", kind, amount, extra={"purpose": "deposit" if kind == "in" else "withdrawal"}),
                cashier=app.cashier, now=clock())
        assert terminal.ledger.pending_summary()[0] == 6
        store = back_office.list_stores()[0]
        back_office.set_price(int(store["price_list_id"]), back_office.product_by_plu("1"), 379)

        await pilot.press("f2", "3")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DayCloseScreen)
        states = {step: screen.rows[step].state for step in STEPS}
        assert states == {**{step: "done" for step in STEPS}, "update": "skipped"}, states
        assert status(pilot) == "Dzień zamknięty, raport dobowy zapisany i wysłany."
        text = screen_text(pilot)
        assert "\u2713 wysłano 6 dokumentów" in text  # 3 sales, a return, cash in and out
        assert "\u2713 nr 1: 3 paragony, " in text and "10. Wysłanie raportu" in text
        assert "\u2713 wysłano 1 dokument" in text  # the report
        assert terminal.ledger.pending_summary()[0] == 0
        assert terminal.catalog.find_by_code("1").price == 379

        report = Till(terminal).reports.last_daily_report()
        assert report is not None and report.day == date(2026, 11, 26)
        office_report = documents.sales_report(back_office, report.day, int(store["id"]))
        sums = report.sums
        assert (office_report["receipts"], office_report["receipts_total"]) == (sums.receipts, sums.receipts_total)
        assert (office_report["returns"], office_report["returns_total"]) == (sums.returns, sums.returns_total)
        assert office_report["net_sales"] == sums.total
        assert office_report["vat"] == {letter: {"gross": v.gross, "vat": v.vat, "net": v.net}
                                        for letter, v in sums.vat.items()}
        # sales and returns per letter apart on both sides (the return is of letter C)
        assert office_report["vat_sales"] == {i.letter: {"gross": i.gross, "vat": i.vat, "net": i.net}
                                              for i in sums.vat_sales}
        assert office_report["vat_returns"] == {i.letter: {"gross": i.gross, "vat": i.vat, "net": i.net}
                                                for i in sums.vat_returns}
        assert sums.vat_returns and all(i.gross > 0 for i in sums.vat_returns)
        assert office_report["payments"] == sums.payments
        assert (office_report["cash_in"], office_report["cash_out"]) == (sums.cash_in, sums.cash_out)
        assert office_report["daily_reports"] == [
            {"terminal_id": terminal.settings.terminal_info().terminal_id, "number": 1, "total": sums.total,
             "receipts": 3}]
        stored = documents.list_transactions(back_office, doc_type="daily_report")
        assert [(row["number"], row["total"]) for row in stored] == [(1, sums.total)]
        assert sums.receipts == 3 and sums.returns == 1 and len(sums.payments) == 2

        await pilot.press("escape", "f2", "7")  # 7. Informacje: when each domain last synced
        await pilot.pause()
        text = screen_text(pilot)
        for label in ("Synchr. konfiguracji:", "Synchr. produktów:", "Wysłanie transakcji:"):
            (line,) = [row for row in text.splitlines() if label in row]
            assert "nigdy" not in line and "20" in line, line


async def test_offline_day_close_makes_the_report_and_the_retries_deliver_later(
    make_app, tmp_path: Path, office_backend: OfficeBackend
) -> None:
    """The back office goes away before the day close: the report is still made and
    printed, the sync steps fail with their reason (quickly, not after minutes of
    retries), and once the back office is back on its address the background retry of
    the pulls and the upload deliver everything."""
    import time

    office = BackOffice(open_database(office_backend.url(tmp_path / 'office.sqlite3')), b"offline-pepper")
    office.init_schema()
    seed_demo(office)
    store_id = int(office.list_stores()[0]["id"])
    server = EmbeddedServer(office)
    url = server.start()
    _, code = office.add_terminal(store_id, "Kasa 1")
    directory = tmp_path / "till"
    with open_terminal(directory) as terminal:
        activate(terminal, url, code, "Kasa 1", sleep=lambda _s: None)
    app = make_app(data_dir=directory, startup_jobs=("config", "users", "products"), upload_interval=3600)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("escape")  # the first sync, done: Esc goes on like Enter
            await pilot.pause()
            await login(pilot)
            await _sell(pilot, ["1"])
            server.stop()
            started = time.monotonic()
            await pilot.press("f2", "3")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            elapsed = time.monotonic() - started
            screen = app.screen
            assert isinstance(screen, DayCloseScreen)
            states = {step: screen.rows[step].state for step in STEPS}
            assert states["report"] == "done" and states["upload"] == "failed"
            assert states["products"] == "failed" and screen.failed_pulls == ["config", "users", "products"]
            # each network step says it once ("… ponowienie w tle Ponowienie w tle." before)
            text = screen_text(pilot)
            # (the sale itself went at once: "1. Wysłanie transakcji ✓ nic do wysłania")
            assert text.count("\u2717 brak połączenia – ponowienie w tle") == 4, text
            assert "Ponowienie w tle." not in text
            assert status(pilot) == "Raport zapisany. Kroki z błędem: 4; sieć ponowi je w tle."
            print(f"offline day close took {elapsed:.1f} s")
            assert elapsed < 60, elapsed
            terminal = app.terminal
            assert terminal.ledger.pending_summary()[0] == 1  # the report, ☁ (the sale went at once)

            port = int(url.rsplit(":", 1)[1])
            server = EmbeddedServer(office, port=port)
            server.start()
            office.set_price(int(office.list_stores()[0]["price_list_id"]), office.product_by_plu("1"), 411)
            app._retry_pulls(("config", "users", "products"), 60.0)
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert terminal.catalog.find_by_code("1").price == 411
            await app.workers.wait_for_complete()  # sync_finished kicked the upload
            await pilot.pause()
            assert terminal.ledger.pending_summary()[0] == 0
            assert [row["type"] for row in documents.list_transactions(office)] == ["daily_report", "receipt"]
    finally:
        server.stop()
