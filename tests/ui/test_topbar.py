"""The top bar's ☁ (unsent documents) and staged update are the app's state, set when
a sale, an upload or a download ends (issue 16 item 3): the bar never queries the
database on its own, however long the till stands idle."""

from __future__ import annotations

from ui_helpers import enter_code, login

from ipos_tui.ui.screens.registration import RegistrationScreen
from ipos_tui.ui.widgets.topbar import TopBar


def _bar(pilot) -> str:  # type: ignore[no-untyped-def]
    return str(pilot.app.screen.query_one(TopBar).render())


async def test_unsent_count_follows_sales_and_uploads_without_polling(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        assert isinstance(app.screen, RegistrationScreen)
        ledger = app.terminal.ledger
        original = ledger.pending_summary
        calls: list[int] = []

        def counting():  # type: ignore[no-untyped-def]
            calls.append(1)
            return original()

        ledger.pending_summary = counting  # type: ignore[method-assign]
        await pilot.pause(2.5)  # the clock ticks twice
        assert calls == [], "the idle top bar queried the ledger"
        assert "☁ 0" in _bar(pilot)
        # a sale: counted at once
        await enter_code(pilot, "1")
        await pilot.press("plus", "enter")
        await pilot.pause(0.2)
        await pilot.press("escape")
        await pilot.pause()
        assert "☁ 1" in _bar(pilot)
        # the upload ends in a worker (here it marks the sale sent as the real one does)
        uuid = ledger.list_documents()[0].uuid

        def upload() -> None:
            with app.terminal.db.connection_context():
                ledger.mark_sent([uuid])

        worker = app.run_worker(upload, thread=True)
        await worker.wait()
        await pilot.pause(0.2)
        assert "☁ 0" in _bar(pilot)
        calls.clear()
        await pilot.pause(2.5)
        assert calls == []
