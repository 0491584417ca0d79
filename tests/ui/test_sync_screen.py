"""The sync screen renders the engine's events row by row, from a thread worker.

Jobs here are scripted functions that emit the engine's events (the engine itself is
tested against a real back office in tests/sync); what is tested is the screen:
waiting → running with a count → done with +a ~c −d, failed with the reason, a
summary, Esc cancelling a running job at its next safe point, and a terminal that
is not activated.
"""

from __future__ import annotations

import contextlib
import threading

from ipos_tui.sync.progress import ItemDone, ItemFailed, ItemProgress, ItemStarted, JobFinished
from ipos_tui.ui.screens.sync import SyncScreen

from ui_helpers import login, screen_text, status, wait_until


def fake_context(_terminal):  # type: ignore[no-untyped-def]
    return contextlib.nullcontext(object())


def scripted(events_by_job, gate: threading.Event | None = None):  # type: ignore[no-untyped-def]
    def runner(job):  # type: ignore[no-untyped-def]
        def run(_context, observer, cancel) -> bool:  # type: ignore[no-untyped-def]
            for event in events_by_job[job]:
                if event == "wait":
                    assert gate is not None
                    while not gate.wait(0.01):
                        if cancel.cancelled:
                            observer(JobFinished(job, ok=False))
                            return False
                    continue
                observer(event)
            return True

        return run

    return runner


PRODUCTS_OK = [
    ItemStarted("products", "vat_rates", 5),
    ItemDone("products", "vat_rates"),
    ItemStarted("products", "units", 3),
    ItemDone("products", "units", added=1),
    ItemStarted("products", "categories", 2),
    ItemDone("products", "categories", changed=2),
    ItemStarted("products", "products", 384),
    ItemProgress("products", "products", 200, 384),
    ItemDone("products", "products", added=3, changed=37, removed=1),
    ItemStarted("products", "barcodes"),
    ItemDone("products", "barcodes", added=3),
    ItemStarted("products", "prices"),
    ItemDone("products", "prices", changed=37),
    ItemStarted("products", "discounts"),
    ItemDone("products", "discounts"),
    JobFinished("products", ok=True),
]


async def open_sync(pilot, jobs, runner) -> SyncScreen:  # type: ignore[no-untyped-def]
    screen = SyncScreen("menu.sync_products", jobs, runner=runner, context_factory=fake_context)
    await pilot.app.push_screen(screen)
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return screen


def row_of(text: str, label: str) -> str:
    (row,) = [line for line in text.splitlines() if label in line]
    return row


async def test_rows_show_counts_and_a_summary(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await open_sync(pilot, ["products"], scripted({"products": PRODUCTS_OK}))
        text = screen_text(pilot)
        assert "\u2713 gotowe" in row_of(text, "Stawki VAT") and "bez zmian" in row_of(text, "Stawki VAT")
        assert row_of(text, "Produkty").rstrip(" │").endswith("+3 ~37 \u22121")
        assert "Synchronizacja zakończona." in status(pilot)
        await pilot.press("escape")
        assert not isinstance(app.screen, SyncScreen)


async def test_running_row_shows_progress_and_escape_cancels(make_app) -> None:
    gate = threading.Event()
    events = [ItemStarted("products", "products", 384), ItemProgress("products", "products", 200, 384), "wait"]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        screen = SyncScreen("menu.sync_products", ["products"], runner=scripted({"products": events}, gate),
                            context_factory=fake_context)
        await app.push_screen(screen)
        await wait_until(pilot, lambda: "200\u00a0/\u00a0384" in screen_text(pilot)
                         or "200 / 384" in screen_text(pilot), "the products row at 200 / 384")
        assert "200\u00a0/\u00a0384" in screen_text(pilot) or "200 / 384" in screen_text(pilot)
        assert "w toku" in row_of(screen_text(pilot), "Produkty")
        await pilot.press("escape")
        assert screen.cancel.cancelled
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Synchronizacja przerwana" in status(pilot)
        await pilot.press("escape")
        assert not isinstance(app.screen, SyncScreen)


async def test_failure_shows_the_reason(make_app) -> None:
    events = [
        ItemStarted("products", "vat_rates"),
        ItemFailed("products", "vat_rates", "sync.err.not_activated"),
        JobFinished("products", ok=False),
    ]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await open_sync(pilot, ["products"], scripted({"products": events}))
        assert "\u2717 kasoterminal nieaktywowany" in row_of(screen_text(pilot), "Stawki VAT")
        assert "z błędami: 1" in status(pilot)


async def test_transactions_get_a_row_per_document(make_app) -> None:
    events = [
        ItemStarted("transactions", "000001"),
        ItemDone("transactions", "000001"),
        ItemStarted("transactions", "000002"),
        ItemFailed("transactions", "000002", "sync.err.not_activated"),
        JobFinished("transactions", ok=False),
    ]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await open_sync(pilot, ["transactions"], scripted({"transactions": events}))
        text = screen_text(pilot)
        assert "\u2713 gotowe" in row_of(text, "Dokument 000001")
        assert "\u2717 kasoterminal" in row_of(text, "Dokument 000002")


async def test_not_activated_terminal_says_so_on_every_row(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f2", "8", "4", "1")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SyncScreen)
        text = screen_text(pilot)
        for label in ("Firma", "Sklepy", "Ustawienia", "Metody płatności"):
            assert "nieaktywowany" in row_of(text, label)


# -- issue 12, finding 11: an empty upload, the notes, the header, the first sync ------


def header_of(text: str) -> str:
    return row_of(text, "Element" if "Element" in text else "Item")


async def test_upload_with_nothing_pending_says_so_on_a_row(make_app) -> None:
    """The upload job reports no item when nothing is pending: the table is not
    left empty, one row says there was nothing to send, with its state."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await open_sync(pilot, ["transactions"], scripted({"transactions": [JobFinished("transactions", ok=True)]}))
        row = row_of(screen_text(pilot), "Dokumenty")
        assert "\u2713 gotowe" in row and row.rstrip(" │").endswith("nic do wysłania"), row
        assert "Synchronizacja zakończona." in status(pilot)


async def test_upload_on_a_till_not_activated_says_why_on_its_row(make_app) -> None:
    """F2 → 8 → 4 → 4 on a till never activated: before, an empty table and
    "Synchronizacja zakończona."; now the row says why, and F5 is offered."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f2", "8", "4", "4")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SyncScreen)
        assert "\u2717 kasoterminal nieaktywowany" in row_of(screen_text(pilot), "Dokumenty")
        assert "Zakończono z błędami: 1" in status(pilot)
        assert "F5 Ponów" in screen_text(pilot).splitlines()[-1]


async def test_the_upload_screen_says_nothing_about_the_catalogue(make_app) -> None:
    """While documents go out, the status line says so; the note about selling on
    the old catalogue belongs to product pulls only."""
    gate = threading.Event()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        notes = {}
        for jobs in (["transactions"], ["products"], ["config"]):
            screen = SyncScreen("menu.sync_transactions", jobs, context_factory=fake_context,
                                runner=scripted({jobs[0]: ["wait"]}, gate))
            await app.push_screen(screen)
            await pilot.pause()
            notes[jobs[0]] = status(pilot)
            await pilot.press("escape")  # stop
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("escape")  # back
            await pilot.pause()
        assert "katalog" not in notes["transactions"] and "Wysyłanie niewysłanych dokumentów" in notes["transactions"]
        assert "katalogu" in notes["products"]  # the demo till has a catalogue to sell from
        assert "katalog" not in notes["config"]


async def test_every_column_has_a_header(make_app) -> None:
    for language, titles in (("pl", ("Element", "Stan", "Zmiany")), ("en", ("Item", "State", "Changes"))):
        app = make_app(language=language)
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot)
            await open_sync(pilot, ["products"], scripted({"products": PRODUCTS_OK}))
            text = screen_text(pilot)
            header = header_of(text)
            assert [word for word in header.strip("│ ").split() if word] == list(titles), header
            # the change counts sit under their header, right-aligned like it
            assert header.rstrip(" │").endswith(titles[2])
            assert row_of(text, "│ Produkty " if language == "pl" else "│ Products ").rstrip(" │").endswith("\u22121")


def fake_engine(monkeypatch, events_by_job, gate=None) -> None:  # type: ignore[no-untyped-def]
    """The App's own first-sync screen, fed by scripted jobs instead of the engine."""
    import ipos_tui.ui.screens.sync as sync_screen
    import ipos_tui.till.syncing as syncing

    monkeypatch.setattr(sync_screen, "default_runner", scripted(events_by_job, gate))
    monkeypatch.setattr(syncing, "stored_connection", fake_context)


FIRST_SYNC = {
    "config": [ItemStarted("config", "company"), ItemDone("config", "company", added=1), JobFinished("config", ok=True)],
    "users": [ItemStarted("users", "users"), ItemDone("users", "users", added=4), JobFinished("users", ok=True)],
    "products": PRODUCTS_OK,
}


def empty_catalogue(terminal) -> None:  # type: ignore[no-untyped-def]
    """A till just activated, with nothing to sell yet: the App shows its first sync."""
    import dataclasses

    from ipos_tui.store.connection import Connection, ConnectionStore
    from ipos_tui.demo.terminal import demo_snapshot

    terminal.catalog.replace_all(dataclasses.replace(demo_snapshot(), products=(), barcodes=()))
    ConnectionStore(terminal.db, terminal.models).save(Connection("http://127.0.0.1:1", 1, 1, "token"))


async def test_a_till_with_a_catalogue_pulls_in_the_background_at_start(make_app, monkeypatch) -> None:
    """Only a till with nothing to sell waits on its first sync; one that has its
    catalogue opens on the login while the pulls run behind it."""
    from ipos_tui.ui.screens.login import LoginScreen

    ran: list[str] = []

    def run_here(self, jobs, observer, context_factory=None):  # type: ignore[no-untyped-def]
        ran.extend(jobs)
        return []

    from ipos_tui.till.syncing import TillSync

    monkeypatch.setattr(TillSync, "run_here", run_here)
    app = make_app(startup_jobs=("config", "users", "products"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert isinstance(app.screen, LoginScreen)
        assert ran == ["config", "users", "products"]


async def test_first_sync_stays_with_its_results_until_enter(make_app, monkeypatch) -> None:
    """The screen the App pushes on start (the demo's first sync) closed by itself
    1.5 s after the end; now it stays, says what comes next, and Enter goes on."""
    from ipos_tui.ui.screens.login import LoginScreen

    fake_engine(monkeypatch, FIRST_SYNC)
    app = make_app(startup_jobs=("config", "users", "products"))
    empty_catalogue(app.terminal)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause(2.5)  # longer than the old self-closing timer
        assert isinstance(app.screen, SyncScreen)
        assert status(pilot) == "Synchronizacja zakończona. Enter – przejdź do logowania."
        assert "Pierwsza synchronizacja" in screen_text(pilot)
        assert screen_text(pilot).splitlines()[-1].startswith("Enter Dalej")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)


async def test_first_sync_closes_on_escape_too(make_app, monkeypatch) -> None:
    from ipos_tui.ui.screens.login import LoginScreen

    fake_engine(monkeypatch, FIRST_SYNC)
    app = make_app(startup_jobs=("config", "users", "products"), language="en")
    empty_catalogue(app.terminal)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert status(pilot) == "Synchronisation finished. Enter – go to the login screen."
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)


async def test_a_failed_first_sync_says_so_and_f5_runs_it_again(make_app, monkeypatch) -> None:
    """A pull that fails (the back office unreachable) is shown with its reason, the
    status line gives the next step (F5 again, or Enter to the login) and F5 reruns
    every job: here the second run succeeds."""
    from ipos_tui.ui.screens.login import LoginScreen

    runs: list[int] = []
    offline = [ItemStarted("products", "vat_rates"),
               ItemFailed("products", "vat_rates", "sync.err.offline", {"server": "http://127.0.0.1:1"}),
               JobFinished("products", ok=False)]

    def runner(job):  # type: ignore[no-untyped-def]
        def run(context, observer, cancel) -> bool:  # type: ignore[no-untyped-def]
            if job == "products":
                runs.append(1)
            events = offline if job == "products" and len(runs) == 1 else FIRST_SYNC[job]
            return scripted({job: events})(job)(context, observer, cancel)

        return run

    import ipos_tui.ui.screens.sync as sync_screen
    import ipos_tui.till.syncing as syncing

    monkeypatch.setattr(sync_screen, "default_runner", runner)
    monkeypatch.setattr(syncing, "stored_connection", fake_context)
    app = make_app(startup_jobs=("config", "users", "products"))
    empty_catalogue(app.terminal)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(pilot)
        assert "\u2717 brak połączenia z zapleczem" in row_of(text, "Stawki VAT")
        assert "pominięto" in row_of(text, "Produkty")  # not "oczekuje" for ever
        assert status(pilot) == "Zakończono z błędami: 1. F5 – ponów; Enter – przejdź do logowania."
        assert text.splitlines()[-1].startswith("Enter Dalej F5 Ponów")
        await pilot.press("f5")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(pilot)
        assert "\u2713 gotowe" in row_of(text, "Stawki VAT") and len(runs) == 2
        assert status(pilot) == "Synchronizacja zakończona. Enter – przejdź do logowania."
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)


def test_every_summary_fits_the_status_line() -> None:
    """The status line has 78 columns at 80x24 (1 of padding each side). The old
    "stopped" summary had 95 and lost its end."""
    from ipos_tui.i18n import LANGUAGES, set_language, t

    try:
        for language in LANGUAGES:
            set_language(language)
            then = t("sync.next_login")
            texts = [
                t("sync.summary_ok"), f"{t('sync.summary_ok')} {then}.",
                t("sync.summary_failed", n=12), t("sync.summary_failed_then", n=12, then=then),
                t("sync.summary_cancelled"), t("sync.summary_cancelled_then", then=then),
                t("sync.running_note"), t("sync.running_upload"), t("sync.running_pull"), t("sync.cancelling"),
            ]
            long = [text for text in texts if len(text) > 78]
            assert not long, f"{language}: {long}"
    finally:
        set_language("pl")


async def test_f1_and_the_key_bar_say_what_esc_does_now(make_app) -> None:
    """While a sync runs Esc stops it; once it ended Esc goes back. F1 said "Przerwij"
    after the end (it reads the binding, not the key bar's label)."""
    from ipos_tui.ui.dialogs import TextViewDialog

    gate = threading.Event()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        screen = SyncScreen("menu.sync_products", ["products"], context_factory=fake_context,
                            runner=scripted({"products": ["wait", *PRODUCTS_OK]}, gate))
        await app.push_screen(screen)
        await pilot.pause()
        assert "Esc Przerwij" in screen_text(pilot).splitlines()[-1]
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Esc Wróć" in screen_text(pilot).splitlines()[-1]
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        (esc,) = [line for line in screen_text(pilot).splitlines() if "│ Esc " in line]
        assert "Wróć" in esc and "Przerwij" not in esc, esc
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SyncScreen)
