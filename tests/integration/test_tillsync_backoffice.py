"""Issue 15 items 1 and 4 as a cashier sees them in 5. Transakcje, with the REAL back
office on uvicorn 127.0.0.1 behind a fault proxy that answers 500 to every batch
holding one chosen sale: after three failed syncs that sale is held (still ☁, with
the reason) and the others are in the back office; a sale whose uuid the back office
already holds with other content is quarantined with both versions shown, line by
line on Enter; in Polish and in English."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from office_db import OfficeBackend

sys.path.insert(0, str(Path(__file__).parents[1] / "sync"))

from faultproxy import FaultProxy, Rule, fault_proxy  # noqa: E402

from ipos_tui import __version__  # noqa: E402
from ipos_tui.backoffice import models as m  # noqa: E402
from ipos_tui.backoffice.db import open_database  # noqa: E402
from ipos_tui.demo.backoffice import seed_demo  # noqa: E402
from ipos_tui.backoffice.embedded import EmbeddedServer  # noqa: E402
from ipos_tui.backoffice.security import SECRET_ENV  # noqa: E402
from ipos_tui.backoffice.services import BackOffice  # noqa: E402
from ipos_tui.protocol import HEADER_PROTOCOL_VERSION, PROTOCOL_VERSION  # noqa: E402
from ipos_tui.store.db import open_terminal  # noqa: E402
from ipos_tui.sync.activation import activate  # noqa: E402
from ipos_tui.sync.context import SyncContext, connection_of  # noqa: E402
from ipos_tui.sync.documents import document_payload  # noqa: E402
from ipos_tui.sync.progress import CancelToken, null_observer  # noqa: E402
from ipos_tui.sync.upload import HOLD_AFTER_ROUNDS, upload_job  # noqa: E402
from ipos_tui.ui.dialogs import TextViewDialog  # noqa: E402
from ipos_tui.ui.screens.login import LoginScreen  # noqa: E402
from ipos_tui.ui.screens.transactions import TransactionsScreen  # noqa: E402

sys.path.insert(0, str(Path(__file__).parents[1] / "ui"))
from ui_helpers import screen_text  # noqa: E402

pytestmark = pytest.mark.timeout(120)

PEPPER = "tillsync-integration-secret"


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, office_backend: OfficeBackend) -> Iterator[tuple[BackOffice, str]]:
    monkeypatch.setenv(SECRET_ENV, PEPPER)
    back_office = BackOffice(open_database(office_backend.url(tmp_path / 'office.sqlite3')),
                             PEPPER.encode())
    back_office.init_schema()
    seed_demo(back_office)
    with EmbeddedServer(back_office) as url:
        yield back_office, url


@pytest.fixture
def proxy(office: tuple[BackOffice, str]) -> Iterator[FaultProxy]:
    with fault_proxy(office[1]) as proxy:
        yield proxy


@pytest.fixture
def till_dir(tmp_path: Path, office: tuple[BackOffice, str], proxy: FaultProxy) -> Path:
    back_office, _url = office
    store_id = int(back_office.list_stores()[0]["id"])
    _, code = back_office.add_terminal(store_id, "Kasa 1")
    directory = tmp_path / "till"
    with open_terminal(directory) as terminal:  # the till talks to the back office via the proxy
        activate(terminal, proxy.url, code, "Kasa 1", sleep=lambda _s: None)
    return directory


async def wait_for(pilot, predicate, tries: int = 400) -> None:  # type: ignore[no-untyped-def]
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not reached")


def sync_transactions(app) -> None:  # type: ignore[no-untyped-def]
    """What 8 -> 4 -> 4 (send the unsent transactions) runs, without the screen."""
    with SyncContext.for_terminal(app.terminal, sleep=lambda _s: None) as ctx:
        upload_job(ctx, null_observer, CancelToken())


async def test_held_and_conflicting_sales_in_5_transakcje(make_app, office, proxy: FaultProxy,
                                                          till_dir: Path) -> None:  # type: ignore[no-untyped-def]
    back_office, url = office
    app = make_app(data_dir=till_dir, startup_jobs=("config", "users", "products"))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await wait_for(pilot, lambda: not getattr(app.screen, "running", True))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        await pilot.press(*"1001", "enter", *"1111", "enter")
        await pilot.pause()
        for _ in range(4):  # four sales of PLU 1, paid exactly
            await pilot.press("1", "enter", "plus", "enter")
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
        docs = sorted(app.terminal.ledger.list_documents(), key=lambda d: d.number)
        assert [d.number for d in docs] == [1, 2, 3, 4]
        poison, clashing = docs[1].uuid, docs[3].uuid
        proxy.add_rule(Rule("reply", path_prefix="/api/v1/transactions", times=10**6,
                            status=500, body_contains=poison.encode()))
        # the back office already holds other content under sale 4's uuid
        other = document_payload(app.terminal.ledger.get_document(clashing))
        other["lines"][0].update(qty=2000, value=other["lines"][0]["value"] * 2)
        other["total"] *= 2
        other["vat_totals"] = {k: v * 2 for k, v in other["vat_totals"].items()}
        other["payments"][0]["amount"] = other["total"]
        answer = httpx.post(f"{url}/api/v1/transactions", json={"documents": [other]},
                            headers={"Authorization": f"Bearer {connection_of(app.terminal).token}",
                                     HEADER_PROTOCOL_VERSION: str(PROTOCOL_VERSION),
                                     "X-Terminal-Version": __version__})
        assert answer.json()["results"][0]["status"] == "accepted"

        for _ in range(HOLD_AFTER_ROUNDS):
            sync_transactions(app)
        stored = {t.number for t in m.Transaction.select().where(
            m.Transaction.terminal == connection_of(app.terminal).terminal_id)}
        assert stored == {1, 3, 4}  # 4 is the back office's own version

        await pilot.press("f2", "5")
        await pilot.pause()
        assert isinstance(app.screen, TransactionsScreen)
        text = screen_text(pilot).replace("\xa0", " ")
        lines = text.splitlines()
        row2 = next(i for i, line in enumerate(lines) if "000002" in line)
        assert "\u2601 000002" in lines[row2]  # held: still the cloud
        assert "wstrzymany, ponawiany: błąd zaplecza 500 przy tym dokumencie" in lines[row2 + 1]
        row4 = next(i for i, line in enumerate(lines) if "000004" in line)
        assert "\u2717 000004" in lines[row4]
        assert "kwarantanna: ten sam identyfikator ma już inny dokument" in lines[row4 + 1]
        assert "kasa: 000004 3,49 zł, 1 poz. | zaplecze: 000004 6,98 zł, 1 poz." in lines[row4 + 2]
        assert "\u2713 000001" in text and "\u2713 000003" in text
        assert "Niewysłane: 2" in text

        # Enter on the conflict: both versions line by line
        app.screen.rows.highlighted = 0  # newest first: sale 4
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        shown = app.screen.text.replace("\xa0", " ")
        assert "Wersja kasy: 000004, 3,49 zł, 1 poz." in shown
        assert "Wersja w zapleczu: 000004, 6,98 zł, 1 poz." in shown
        assert "2" in shown.split("Wersja w zapleczu")[1]
        assert "zostaje w kwarantannie" in shown
        await pilot.press("escape")
        await pilot.pause()
        # Enter on an ordinary row still shows the printout
        app.screen.rows.highlighted = 3
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog) and "Nr: 000001" in app.screen.text
        await pilot.press("escape", "escape", "escape")
        await pilot.pause()

        # English
        await pilot.press("f2", "8", "2", "1")
        await pilot.pause()
        await pilot.press("escape", "escape", "escape")
        await pilot.pause()
        await pilot.press("f2", "5")
        await pilot.pause()
        text = screen_text(pilot).replace("\xa0", " ")
        assert "held back, retried: back office error 500 on this document" in text
        assert "till: 000004 3,49 zł, lines: 1 | back office: 000004 6,98 zł, lines: 1" in text

        # the back office is put right for sale 2: the next sync sends it
        proxy.clear()
        sync_transactions(app)
        assert app.terminal.ledger.get_document(poison).upload_state == "sent"
        assert back_office.list_terminals()[0]["numbering"] == []
