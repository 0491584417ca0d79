"""3. Raport dobowy and 4. Raporty on the screen: the day close's steps (offline here:
the network steps fail with a reason and the report is still made), refused while the
receipt has lines, parked receipts asked about, the VAT table confirm, voids counted,
the midnight block at payment with the report offered (an injected clock), the
reminder, and monthly/periodic reports with bad dates refused.

The day close against a real back office (everything succeeds, totals equal) is in
tests/integration/test_day_close_backoffice.py.
"""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Static

from ipos_tui.terminal.printer import printer_of
from ipos_tui.terminal.reports import reports_of
from ipos_tui.ui.dialogs import ConfirmDialog, FormDialog, TextViewDialog
from ipos_tui.ui.screens.day_close import DayCloseScreen
from ipos_tui.ui.screens.payment import PaymentScreen
from ipos_tui.ui.screens.registration import RegistrationScreen

from ui_helpers import enter_code, login, screen_text, set_catalogue_settings, status, type_text


def row(pilot, step: str) -> str:  # type: ignore[no-untyped-def]
    screen = pilot.app.screen
    assert isinstance(screen, DayCloseScreen)
    return str(screen.rows[step].query(".state").first(Static).content)


async def sell(pilot, code: str = "1") -> None:  # type: ignore[no-untyped-def]
    """Ring up ``code`` and pay exactly in cash (Enter on the payment screen)."""
    await enter_code(pilot, code)
    await pilot.press("plus")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("escape")  # the printout
    await pilot.pause()


async def park_with_a_line(pilot) -> None:  # type: ignore[no-untyped-def]
    """Chleb on the open receipt, parked; a new empty receipt becomes the current one."""
    app = pilot.app
    await enter_code(pilot, "101")
    app.save_receipt()
    app.open_receipt(app.parked.add())


async def until_dialog(pilot) -> None:  # type: ignore[no-untyped-def]
    """Let the day close's worker run until it asks a question."""
    for _ in range(20):
        await pilot.pause(0.05)
        if isinstance(pilot.app.screen, ConfirmDialog):
            return


async def run_day_close(pilot) -> DayCloseScreen:  # type: ignore[no-untyped-def]
    await pilot.press("f2", "3")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, DayCloseScreen)
    return screen


async def test_offline_the_report_is_still_made_and_the_sync_steps_say_why(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot)
        screen = await run_day_close(pilot)
        assert "błąd" in row(pilot, "push") and "nieaktywowany" in row(pilot, "push").lower()
        assert "błąd" in row(pilot, "products")
        assert "gotowe" in row(pilot, "report") and "nr 1: paragonów 1" in row(pilot, "report")
        assert "pominięto" in row(pilot, "update")
        assert "Raport zapisany. Kroki z błędem: 5" in status(pilot)
        assert screen.failed_pulls == ["config", "users", "products"]
        report = reports_of(app.terminal).last_daily_report()
        assert report is not None and report.sums.receipts == 1
        assert (app.data_dir / "printouts" / "daily_report-000001.txt").exists()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        assert "RAPORT DOBOWY nr 0001" in screen_text(pilot)
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)


async def test_refused_while_the_receipt_has_lines(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "1")
        await pilot.press("f2", "3")
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        assert "paragon ma pozycje" in status(pilot)
        assert reports_of(app.terminal).last_daily_report() is None


async def test_voided_receipts_and_parked_ones_with_lines(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "1")
        await pilot.press("escape")  # void the receipt: asks first
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        await park_with_a_line(pilot)
        await pilot.press("f2", "3")
        await pilot.pause()
        await until_dialog(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "Otwarte paragony z pozycjami: 1" in app.screen.question
        await pilot.press("escape")  # keep them
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "pominięto" in row(pilot, "parked")
        assert any(p.line_count for p in app.parked.list_parked())
        report = reports_of(app.terminal).last_daily_report()
        assert report is not None and (report.sums.voids, report.sums.receipts) == (1, 0)


async def test_a_changed_vat_table_is_written_after_the_cashier_confirms(make_app) -> None:
    app = make_app()
    printer = printer_of(app.terminal)
    printer.vat_table()  # fiscalised with the catalogue's rates
    app.terminal.db.execute_sql("UPDATE vat_rate SET rate_bp = 700 WHERE letter = 'B'")
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f2", "3")
        await until_dialog(pilot)
        assert "B 8% → 7%" in app.screen.question
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "zapisano" in row(pilot, "vat")
        assert printer.vat_table()["B"] == 700


async def test_block_after_midnight_refuses_payment_and_offers_the_report(make_app, clock) -> None:
    app = make_app()
    set_catalogue_settings(app.terminal, day_close="block")
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot)
        clock.now = clock.now.replace(hour=0, minute=10) + timedelta(days=1)
        await enter_code(pilot, "101")
        await pilot.press("plus")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "brak raportu dobowego za 26.11.2026" in app.screen.question
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "zdjęta (dzień 26.11.2026)" in row(pilot, "block")
        assert "usunięto: 0" in row(pilot, "parked")  # the receipt being rung up stays
        await pilot.press("escape")
        await pilot.pause()
        assert [line.plu for line in app.receipt.lines] == ["101"]
        await pilot.press("plus")
        await pilot.pause()
        assert isinstance(app.screen, PaymentScreen)


async def test_reminder_at_the_set_time_asks_once(make_app, clock) -> None:
    app = make_app()
    set_catalogue_settings(app.terminal, day_close="reminder", day_close_time="20:00")
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot)
        app.check_day_close_reminder()
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)  # not yet 20:00
        clock.now = clock.now.replace(hour=20, minute=5)
        app.check_day_close_reminder()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and "Jest po 20:00" in app.screen.question
        await pilot.press("escape")  # later: selling goes on
        await pilot.pause()
        app.check_day_close_reminder()
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)


async def test_monthly_and_periodic_reports_sum_the_daily_ones(make_app, clock) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot)
        await run_day_close(pilot)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f2", "4", "2")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        await pilot.press("enter")  # this month, as proposed
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        text = screen_text(pilot)
        assert "Raport miesięczny 11.2026" in text and "Raporty dobowe: 1" in text
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("3")  # 4 → 3 Raport okresowy, the reports menu is still open
        await pilot.pause()
        await pilot.press("ctrl+u")
        await type_text(pilot, "31.13.2026")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)  # refused in the dialog, nothing lost
        assert "nie jest datą" in screen_text(pilot)


async def test_the_report_is_listed_in_transactions_and_opens_as_printed(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot)
        await run_day_close(pilot)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f2", "5")
        await pilot.pause()
        text = screen_text(pilot)
        (row,) = [line for line in text.splitlines() if "RD0001" in line]
        assert "Raport dobowy" in row and "3,49" in row
        await pilot.press("enter")  # the newest (the report) is selected first
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        assert "RAPORT DOBOWY nr 0001" in screen_text(pilot)


async def test_a_failing_step_does_not_stop_the_report(make_app, monkeypatch) -> None:
    """A device step that breaks (here the card app, as if its storage failed) is
    shown failed; the daily report is still stored and printed."""
    from ipos_tui.terminal.card_app import CardApp

    def broken(self, now):  # type: ignore[no-untyped-def]
        raise OSError("disk I/O error")

    monkeypatch.setattr(CardApp, "settle", broken)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot)
        await run_day_close(pilot)
        assert "nieoczekiwany błąd" in row(pilot, "card")
        assert "gotowe" in row(pilot, "report")
        assert reports_of(app.terminal).last_daily_report() is not None


async def test_parked_receipts_cleared_with_lines_count_as_voided(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await park_with_a_line(pilot)
        await pilot.press("f2", "3")
        await until_dialog(pilot)
        await pilot.press("enter")  # delete them
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "usunięto: 2" in row(pilot, "parked")
        report = reports_of(app.terminal).last_daily_report()
        assert report is not None and (report.sums.voids, report.sums.voids_total) == (1, 549)
        assert [p.line_count for p in app.parked.list_parked()] == [0]


async def test_no_update_is_installed_when_the_report_failed(make_app, monkeypatch) -> None:
    """The update hook is the day close's last step only after a stored report."""
    from ipos_tui.terminal.reports import ReportService
    from ipos_tui.updates import hook

    def broken(self, cashier, now):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    asked: list[int] = []
    monkeypatch.setattr(ReportService, "make_daily_report", broken)
    monkeypatch.setattr(hook, "day_close_update", lambda terminal, pending: asked.append(pending))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        screen = await run_day_close(pilot)
        assert screen.rows["report"].state == "failed"
        assert "czeka na zapisany raport" in row(pilot, "update") and asked == []
        assert "zdjęta" not in row(pilot, "block")
