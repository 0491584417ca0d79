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

from ui_helpers import login, screen_text, status


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
        for _ in range(50):
            await pilot.pause(0.02)
            if "200 / 384" in screen_text(pilot):
                break
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
