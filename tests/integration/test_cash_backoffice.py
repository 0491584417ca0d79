"""A shift with cash on a till against the real back office (uvicorn on 127.0.0.1,
nothing mocked): cash management switched on in the back office arrives by the first
sync, so login asks for the opening cash; a cash sale, a deposit and a withdrawal,
the cash-state report and the end of the shift (with the cash counted in the drawer)
are uploaded by the background upload like sales, and the back office lists them
(``transactions list --type cash_operation`` / ``--type cash_report``) and counts
them in ``report sales`` (cash in / cash out, each shift close with expected and
counted cash and the difference) exactly as the till counted its drawer. An older
till's close without a count is still accepted; a count that cannot be right is not.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from office_db import OfficeBackend

from ipos_tui.backoffice import documents
from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.cli import main as backoffice_cli
from ipos_tui.backoffice.db import open_database
from ipos_tui.demo.backoffice import seed_demo
from ipos_tui.backoffice.embedded import EmbeddedServer
from ipos_tui.backoffice.security import SECRET_ENV
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.protocol import PREVIOUS_PROTOCOL_VERSION
from ipos_tui.sync.activation import activate
from ipos_tui.store.db import open_terminal
from ipos_tui.ui.screens.opening_cash import OpeningCashScreen
from ipos_tui.ui.screens.shift_close import LargeDifferenceDialog, ShiftCloseSummary
from ipos_tui.ui.screens.login import LoginScreen
from ipos_tui.ui.screens.registration import RegistrationScreen

pytestmark = pytest.mark.timeout(120)

PEPPER = "cash-integration-secret"
MILK = 349  # PLU 1 in the first store's price list


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, office_backend: OfficeBackend) -> Iterator[tuple[BackOffice, str, str]]:
    monkeypatch.setenv(SECRET_ENV, PEPPER)
    db_url = office_backend.url(tmp_path / 'office.sqlite3')
    back_office = BackOffice(open_database(db_url), PEPPER.encode())
    back_office.init_schema()
    seed_demo(back_office)
    back_office.set_setting("cash_management", True)
    with EmbeddedServer(back_office) as url:
        yield back_office, url, db_url


@pytest.fixture
def till_dir(tmp_path: Path, office: tuple[BackOffice, str, str]) -> Path:
    back_office, url, _db = office
    store_id = int(back_office.list_stores()[0]["id"])
    _, code = back_office.add_terminal(store_id, "Kasa 1")
    directory = tmp_path / "till"
    with open_terminal(directory) as terminal:
        activate(terminal, url, code, "Kasa 1", sleep=lambda _s: None)
    return directory


async def wait_for(pilot, predicate, tries: int = 400) -> None:  # type: ignore[no-untyped-def]
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not reached")


async def amount(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*text, "enter")
    await pilot.pause()
    await pilot.press("escape")  # the printout
    await pilot.pause()


def cli_json(capsys: pytest.CaptureFixture[str], db_url: str, *argv: str) -> object:
    capsys.readouterr()
    assert backoffice_cli(["--db", db_url, *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


async def test_a_shift_reaches_the_back_office(make_app, clock, office, till_dir: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    back_office, _url, db_url = office
    back_office.set_setting("cash_difference_limit", "5,00")  # arrives with the first sync too
    app = make_app(data_dir=till_dir, startup_jobs=("config", "users", "products"), upload_interval=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await wait_for(pilot, lambda: not getattr(app.screen, "running", True))  # the first sync ended
        await pilot.press("enter")  # it stays with its results until Enter
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        assert app.terminal.settings.cash_management() is True  # arrived by the sync

        await pilot.press(*"1001", "enter", *"1111", "enter")
        await pilot.pause()
        assert isinstance(app.screen, OpeningCashScreen)
        await pilot.press("1")
        await pilot.pause()
        await amount(pilot, "200,00")  # opening cash
        assert isinstance(app.screen, RegistrationScreen)

        await pilot.press(*"1", "enter", "plus", *"1000", "enter")  # 10,00 for 3,49: change 6,51
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        for item, typed in (("1", "25,00"), ("2", "80,00")):  # Wpłata, then Wypłata
            await pilot.press("f2", "2")
            await pilot.pause()
            await pilot.press(item)
            await pilot.pause()
            await amount(pilot, typed)
        await pilot.press("f2", "2")
        await pilot.pause()
        await pilot.press("3")  # Raport stanu kasy
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f2", "2")
        await pilot.pause()
        await pilot.press("4")  # Zamknięcie zmiany: the count, 140,00 zł
        await pilot.pause()
        await pilot.press(*"140,00", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ShiftCloseSummary)
        await pilot.press("enter")  # tak; 8,49 zł short is above the back office's 5,00 zł
        await pilot.pause()
        assert isinstance(app.screen, LargeDifferenceDialog)
        await pilot.press("2")  # tak, na pewno
        await pilot.pause()
        await pilot.press("enter")  # the report's printout; then the login screen
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)

        await wait_for(pilot, lambda: app.terminal.ledger.pending_summary()[0] == 0)
        await app.workers.wait_for_complete()

    cash = 20_000 + MILK + 2_500 - 8_000
    operations = cli_json(capsys, db_url, "transactions", "list", "--type", "cash_operation")
    assert sorted((row["kind"], row["total"]) for row in operations) == [("in", 2_500), ("in", 20_000), ("out", 8_000)]
    reports = cli_json(capsys, db_url, "transactions", "list", "--type", "cash_report")
    assert [(row["kind"], row["number"], row["total"]) for row in reports] == [
        ("shift_close", 2, cash), ("state", 1, cash)]
    closes = cli_json(capsys, db_url, "transactions", "list", "--type", "cash_report", "--kind", "shift_close")
    assert [row["number"] for row in closes] == [2]

    day = clock().date()
    report = cli_json(capsys, db_url, "report", "sales", "--day", day.isoformat())
    assert (report["cash_in"], report["cash_out"]) == (22_500, 8_000)
    assert report["payments"] == {"gotowka": MILK} and report["receipts"] == 1
    assert documents.sales_report(back_office, day)["cash_in"] == 22_500

    # the stored close carries the till's counts, as the protocol names them
    close = next(row for row in documents.list_transactions(back_office, doc_type="cash_report")
                 if row["kind"] == "shift_close")
    payload = json.loads(m.Transaction.get_by_id(close["id"]).payload)
    assert (payload["cash"], payload["opening"], payload["cash_sales"], payload["deposits"],
            payload["withdrawals"]) == (cash, 20_000, MILK, 2_500, 8_000)

    # the count arrived with its difference and is reported
    assert (payload["counted"], payload["difference"]) == (14_000, 14_000 - cash)
    assert (close["counted"], close["difference"]) == (14_000, -849)
    assert report["shift_closes"] == [
        {"terminal_id": close["terminal_id"], "number": 2, "cashier": "Anna Kowalska",
         "created_at": close["created_at"], "expected": cash, "counted": 14_000, "difference": -849}]
    assert report["cash_difference"] == -849
    capsys.readouterr()
    assert backoffice_cli(["--db", db_url, "report", "sales", "--day", day.isoformat()]) == 0
    assert ("shift close 2 of terminal 1 (Anna Kowalska): expected 148,49 zł, counted 140,00 zł, "
            "shortage 8,49 zł") in capsys.readouterr().out


def _old_till(url: str, back_office: BackOffice) -> tuple[httpx.Client, int]:
    """A second till of the store that speaks the previous protocol version."""
    store_id = int(back_office.list_stores()[0]["id"])
    _, code = back_office.add_terminal(store_id, "Kasa stara")
    body = httpx.post(f"{url}/api/v1/activate", json={"code": code, "name": "Kasa stara"}).json()
    client = httpx.Client(base_url=url, headers={
        "Authorization": f"Bearer {body['token']}", "X-Protocol-Version": str(PREVIOUS_PROTOCOL_VERSION),
        "X-Terminal-Version": "0.1.0"})
    return client, store_id


def _close(store_id: int, number: int, **count: int) -> dict[str, object]:
    """A shift close as a till pushes it: 150,00 zł expected, with ``count`` fields if any."""
    return {"type": "cash_report", "uuid": str(uuid.uuid4()), "number": number, "store_id": store_id,
            "created_at": "2026-11-26T14:00:00+00:00", "cashier_name": "Jan Nowak", "kind": "shift_close",
            "cash": 15_000, "opening": 15_000, **count}


def test_an_old_till_close_without_a_count_is_accepted_and_a_wrong_count_is_not(office, capsys) -> None:  # type: ignore[no-untyped-def]
    back_office, url, db_url = office
    client, store_id = _old_till(url, back_office)
    with client:
        results = client.post("/api/v1/transactions", json={"documents": [
            _close(store_id, 1),  # an older till: no counted, no difference
            _close(store_id, 2, counted=15_500, difference=500),  # a counting till: surplus 5,00 zł
            _close(store_id, 3, counted=15_500, difference=-500),  # a difference that is not counted − cash
            _close(store_id, 4, difference=-500),  # a difference without a count
        ]}).json()["results"]
    assert [r["status"] for r in results] == ["accepted", "accepted", "rejected", "rejected"]
    assert [r.get("reason") for r in results[2:]] == ["difference_mismatch", "malformed:counted:missing"]
    assert [row["reason"] for row in documents.list_quarantine(back_office)] == [
        "difference_mismatch", "malformed:counted:missing"]

    report = cli_json(capsys, db_url, "report", "sales", "--day", "2026-11-26")
    assert [(c["number"], c["expected"], c["counted"], c["difference"]) for c in report["shift_closes"]] == [
        (1, 15_000, None, None), (2, 15_000, 15_500, 500)]
    assert report["cash_difference"] == 500
    capsys.readouterr()
    assert backoffice_cli(["--db", db_url, "report", "sales", "--day", "2026-11-26"]) == 0
    text = capsys.readouterr().out
    assert "shift close 1 of terminal 1 (Jan Nowak): expected 150,00 zł, not counted" in text
    assert "shift close 2 of terminal 1 (Jan Nowak): expected 150,00 zł, counted 155,00 zł, surplus 5,00 zł" in text
