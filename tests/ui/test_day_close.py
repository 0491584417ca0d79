"""3. Raport dobowy and 4. Raporty on the screen: the day close's steps (offline here:
the network steps fail with a reason and the report is still made), refused while the
receipt has lines, parked receipts asked about, the VAT table confirm, voids counted,
the midnight block at payment with the report offered (an injected clock), the
reminder, and monthly/periodic reports with bad dates refused.

The day close against a real back office (everything succeeds, totals equal) is in
tests/integration/test_day_close_backoffice.py.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from textual.widgets import Static

from ipos_tui.ui.dialogs import ConfirmDialog, FormDialog, TextViewDialog
from ipos_tui.ui.screens.day_close import STEPS, DayCloseScreen, step_label
from ipos_tui.ui.screens.payment import PaymentScreen
from ipos_tui.ui.screens.registration import RegistrationScreen

from screen_states import unreachable_back_office
from ui_helpers import enter_code, login, screen_text, set_catalogue_settings, status, type_text, wait_until


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
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), "the day close's question")


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
        assert row(pilot, "push") == "\u2717 kasoterminal nieaktywowany – Konfiguracja → Połączenie"
        assert row(pilot, "products") == "\u2717 kasoterminal nieaktywowany"
        assert row(pilot, "report") == "\u2713 nr 1: 1 paragon, 3,49\u00a0zł"
        assert row(pilot, "update") == "\u2013 brak aktualizacji do zainstalowania"
        assert status(pilot) == "Raport zapisany, niewysłany: kasa nieaktywowana (Konfiguracja → Połączenie)."
        assert {step: screen.rows[step].state for step in ("push", "products", "upload", "update")} == {
            "push": "failed", "products": "failed", "upload": "failed", "update": "skipped"}
        assert screen.failed_pulls == ["config", "users", "products"]
        report = app.till.reports.last_daily_report()
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
        assert app.till.reports.last_daily_report() is None


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
        assert row(pilot, "parked") == "\u2013 zostawiono 1 paragon z pozycjami"
        assert app.screen.rows["parked"].state == "skipped"
        assert any(p.line_count for p in app.parked.list_parked())
        report = app.till.reports.last_daily_report()
        assert report is not None and (report.sums.voids, report.sums.receipts) == (1, 0)


async def test_a_changed_vat_table_is_written_after_the_cashier_confirms(make_app) -> None:
    app = make_app()
    printer = app.till.printer
    printer.vat_table()  # fiscalised with the catalogue's rates
    app.terminal.db.execute_sql("UPDATE vat_rate SET rate_bp = 700 WHERE letter = 'B'")
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f2", "3")
        await until_dialog(pilot)
        assert "B 8% → 7%" in app.screen.question
        # the question comes after the daily report: the day's totals are already zero
        assert app.till.reports.last_daily_report() is not None
        assert app.screen_stack[-2].rows["report"].state == "done"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "zapisano" in row(pilot, "vat")
        assert printer.vat_table()["B"] == 700


@pytest.mark.parametrize("option", ["off", "block"])
async def test_after_midnight_payment_is_refused_and_the_report_offered(make_app, clock, option: str) -> None:
    app = make_app()
    set_catalogue_settings(app.terminal, day_close=option)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot)
        clock.now = clock.now.replace(hour=0, minute=10) + timedelta(days=1)
        await enter_code(pilot, "101")
        await pilot.press("plus")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.question.startswith(
            "Dzień 26.11.2026 nie jest zamknięty: brak raportu dobowego.\nEnter – wykonaj raport")
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "zdjęta (dzień 26.11.2026)" in row(pilot, "block")
        assert row(pilot, "parked") == "\u2713 brak paragonów z pozycjami"  # the receipt being rung up stays
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
    from ipos_tui.devices.card_app import CardApp

    def broken(self, now):  # type: ignore[no-untyped-def]
        raise OSError("disk I/O error")

    monkeypatch.setattr(CardApp, "settle", broken)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot)
        await run_day_close(pilot)
        assert "nieoczekiwany błąd" in row(pilot, "card")
        assert row(pilot, "report").startswith("\u2713 nr 1: 1 paragon")
        assert app.till.reports.last_daily_report() is not None


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
        assert row(pilot, "parked") == "\u2713 usunięto 1 paragon z pozycjami"  # the empty one goes unsaid
        report = app.till.reports.last_daily_report()
        assert report is not None and (report.sums.voids, report.sums.voids_total) == (1, 549)
        assert [p.line_count for p in app.parked.list_parked()] == [0]


async def test_no_update_is_installed_when_the_report_failed(make_app, monkeypatch) -> None:
    """The update hook is the day close's last step only after a stored report."""
    from ipos_tui.till.reports import ReportService
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
        # no report: the day still has its sales, so the PTU table is not written
        assert screen.rows["vat"].state == "skipped"
        # it used to say "Raport zapisany." here
        assert status(pilot) == "Raport dobowy nie powstał (powód w kroku 7). Spróbuj ponownie: F2 → 3."


# -- issue 12, finding 12: doubled texts, counts that say what they count, numbers ----


def rows_text(pilot) -> list[str]:  # type: ignore[no-untyped-def]
    """Every step as "N. label" and its state text, as drawn (wrapped lines joined)."""
    screen = pilot.app.screen
    assert isinstance(screen, DayCloseScreen)
    return [f"{step_label(step, number)} {row(pilot, step)}" for number, step in enumerate(STEPS, 1)]


def repeated_phrase(text: str) -> str | None:
    """A run of three words said twice in ``text`` ("ponowienie w tle Ponowienie w tle.")."""
    words = [word.strip(".,;:()").lower() for word in text.split()]
    seen: set[tuple[str, ...]] = set()
    for index in range(len(words) - 2):
        phrase = tuple(words[index:index + 3])
        if phrase in seen:
            return " ".join(phrase)
        seen.add(phrase)
    return None


async def run_offline_day_close(pilot) -> DayCloseScreen:  # type: ignore[no-untyped-def]
    """The day close with the back office down (refused on 127.0.0.1:1)."""
    screen = DayCloseScreen(context_factory=unreachable_back_office)
    await pilot.app.push_screen(screen)
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def test_offline_each_step_says_its_reason_once(make_app) -> None:
    """The back office refuses connections: the report is made, the network steps
    say "no connection, retried in the background" once each (the upload step used to
    say "… ponowienie w tle Ponowienie w tle.")."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot)
        screen = await run_offline_day_close(pilot)
        for step in ("push", "config", "users", "products", "upload"):
            assert row(pilot, step) == "\u2717 brak połączenia – ponowienie w tle", step
            assert screen.rows[step].state == "failed"
        assert screen.rows["report"].state == "done"
        assert status(pilot) == "Raport zapisany. Kroki z błędem: 5; sieć ponowi je w tle."
        text = screen_text(pilot)
        assert text.lower().count("ponowienie w tle") == 5, text
        doubled = {line: repeated_phrase(line) for line in rows_text(pilot) if repeated_phrase(line)}
        assert not doubled, doubled


async def test_steps_are_numbered_as_they_run(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await run_day_close(pilot)
        lines = screen_text(pilot).splitlines()
        labels = [" 1. Wysłanie transakcji", " 2. Pobranie konfiguracji", " 8. Tabela VAT (PTU) drukarki",
                  " 5. Rozliczenie aplikacji płatniczej", " 6. Otwarte paragony", " 7. Raport dobowy",
                  "10. Wysłanie raportu", "11. Aktualizacja aplikacji"]
        for label in labels:
            assert any(line.startswith(f"│ {label}") for line in lines), label
        # the state column starts at one place on every row: its mark, then the text
        numbered = [line for line in lines if re.match(r"│ [ 1]\d\. ", line)]
        assert len(numbered) == len(STEPS)
        columns = {re.search("[\u2713\u2717\u2013] ", line).start() for line in numbered}  # type: ignore[union-attr]
        assert len(columns) == 1, columns


@pytest.mark.parametrize(("language", "question", "kept"), [
    ("pl", "Otwarte paragony z pozycjami: 2 (razem 2 pozycje).", "\u2013 zostawiono 2 paragony z pozycjami"),
    ("en", "Open receipts with items: 2 (2 items in all).", "\u2013 kept 2 receipts with items"),
])
async def test_kept_parked_receipts_are_counted_as_receipts(make_app, language: str, question: str, kept: str) -> None:
    """Two receipts with lines parked, one empty current: Esc keeps them. The row said
    "zostawiono: 3" (3 of what? and the empty one counted); now "2 paragony", with
    Polish plural forms, and "2 receipts" in English."""
    app = make_app(language=language)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await park_with_a_line(pilot)
        await park_with_a_line(pilot)
        await pilot.press("f2", "3")
        await until_dialog(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.question.startswith(question), app.screen.question
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert row(pilot, "parked") == kept
        assert len([p for p in app.parked.list_parked() if p.line_count]) == 2


async def test_counts_in_the_rows_take_polish_plural_forms(make_app) -> None:
    """Five parked receipts deleted: "usunięto 5 paragonów"; the report of two sales
    "2 paragony"; the card app's settlement "0 transakcji"."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot)
        await sell(pilot)
        for _ in range(5):
            await park_with_a_line(pilot)
        await pilot.press("f2", "3")
        await until_dialog(pilot)
        assert "(razem 5 pozycji)" in app.screen.question
        await pilot.press("enter")  # delete them
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert row(pilot, "parked") == "\u2713 usunięto 5 paragonów z pozycjami"
        assert row(pilot, "report").startswith("\u2713 nr 1: 2 paragony, ")
        assert row(pilot, "card") == "\u2713 nr 1: 0 transakcji, 0,00\u00a0zł"


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("console", [False, True])
async def test_every_row_and_the_status_read_in_full_at_80x24(make_app, language: str, console: bool) -> None:
    """Offline and not activated, Polish and English, normal and console mode: each
    step's label is drawn whole on its row and its text whole after it (wrapped at
    most once, never cut), the status line is drawn whole, and nothing is said twice."""
    for offline in (False, True):
        app = make_app(language=language, console_mode=console)
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot)
            await sell(pilot)
            if offline:
                await run_offline_day_close(pilot)
            else:
                await run_day_close(pilot)
            lines = screen_text(pilot).splitlines()
            body = [line[1:-1].rstrip() for line in lines[2:21]]
            screen = pilot.app.screen
            for number, step in enumerate(STEPS, 1):
                label = step_label(step, number)
                (start,) = [i for i, line in enumerate(body) if line.startswith(f" {label}  ")]
                drawn = body[start][screen.rows[step].label_width + 1:].strip()
                if start + 1 < len(body) and body[start + 1].startswith(" " * 10):  # wrapped
                    drawn += " " + body[start + 1].strip()
                assert drawn == row(pilot, step), (step, drawn)
                assert not repeated_phrase(drawn), drawn
            said = status(pilot)
            assert lines[22].strip() == said and len(said) <= 78, said
            assert body[-1].strip() == ""  # room to spare: nothing scrolled away


def test_day_close_texts_fit_their_places() -> None:
    """Every status text of the day close fits the 78 columns of the status line in
    both languages; the short texts of the rows fit the state column on one line
    (the longest numbered label decides where it starts)."""
    from ipos_tui.i18n import LANGUAGES, set_language, t
    from ipos_tui.i18n.plural import tn
    from ipos_tui.ui.screens.day_close import label_width

    try:
        for language in LANGUAGES:
            set_language(language)
            statuses = [t(key, n=11, step=8) for key in (
                "day.running", "day.done", "day.done_with_failures", "day.done_retrying",
                "day.done_not_activated", "day.report_failed", "day.restarting")]
            assert not [text for text in statuses if len(text) > 78], statuses
            state_column = 76 - label_width() - 2  # box padding; the mark and a space
            rows = [
                t("day.offline_skipped"), t("day.not_activated_skipped"), t("day.nothing_to_send"),
                t("day.sent", documents=tn("plural.documents", 1234)),
                t("day.parked_kept", receipts=tn("plural.receipts", 25)),
                t("day.parked_cleared", receipts=tn("plural.receipts", 25)), t("day.parked_none"),
                t("day.report_done", number=365, receipts=tn("plural.receipts", 1234), total="12 345,67 zł"),
                t("day.card_settled", number=365, transactions=tn("plural.transactions", 999), total="9 999,99 zł"),
                t("day.block_kept"), t("day.block_none"), t("day.block_lifted", day="26.11.2026"),
                t("day.update_nothing"), t("day.update_waits"), t("day.vat_same"), t("day.vat_not_written"),
                t("day.crashed"), t("day.sync_failed"),
            ]
            assert not [text for text in rows if len(text) > state_column], (language, state_column, rows)
    finally:
        set_language("pl")
