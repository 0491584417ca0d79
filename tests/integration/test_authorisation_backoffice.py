"""A manager's authorisation on a till against the real back office (uvicorn on
127.0.0.1, nothing mocked): the stażystka logs in with the users the back office sent
(PINs checked against the back office's keyed hashes), a free discount and a return
are authorised with the kierownik's identifier and PIN, the background upload sends
them, and the back office stores and lists who authorised them — in ``transactions
list`` (JSON and its "autoryzował" column). An older till's receipt without the field
is still taken.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from office_db import OfficeBackend

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.cli import main as backoffice_cli
from ipos_tui.backoffice.db import open_database
from ipos_tui.demo.backoffice import seed_demo
from ipos_tui.backoffice.embedded import EmbeddedServer
from ipos_tui.backoffice.security import SECRET_ENV
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.protocol import PREVIOUS_PROTOCOL_VERSION
from ipos_tui.store.db import open_terminal
from ipos_tui.sync.activation import activate
from ipos_tui.ui.dialogs.authorise import AuthoriseDialog
from ipos_tui.ui.screens.login import LoginScreen
from ipos_tui.ui.screens.registration import RegistrationScreen
from ipos_tui.ui.screens.returns import ReturnScreen

pytestmark = pytest.mark.timeout(120)

PEPPER = "authorisation-integration-secret"


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, office_backend: OfficeBackend) -> Iterator[tuple[BackOffice, str, str]]:
    monkeypatch.setenv(SECRET_ENV, PEPPER)
    db_url = office_backend.url(tmp_path / 'office.sqlite3')
    back_office = BackOffice(open_database(db_url), PEPPER.encode())
    back_office.init_schema()
    seed_demo(back_office)
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


async def authorise(pilot, identifier: str, pin: str) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(pilot.app.screen, AuthoriseDialog)
    await pilot.press(*identifier, "enter", *pin, "enter")
    await pilot.pause()


def cli_json(capsys: pytest.CaptureFixture[str], db_url: str, *argv: str) -> object:
    capsys.readouterr()
    assert backoffice_cli(["--db", db_url, *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


async def test_the_authoriser_reaches_the_back_office(make_app, office, till_dir: Path, capsys,  # type: ignore[no-untyped-def]
                                                      monkeypatch) -> None:
    back_office, _url, db_url = office
    anna = m.User.get(m.User.identifier == "1001")
    app = make_app(data_dir=till_dir, startup_jobs=("config", "users", "products"), upload_interval=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")  # the first sync stays with its results until Enter
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        assert app.terminal.auth.anyone_holds("settings")  # the users came from the back office

        await pilot.press(*"1003", "enter", *"3333", "enter")  # Ola: no permissions
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        await pilot.press(*"9", "enter", "f4", "2")  # Jogurt grecki, a free percent discount
        await pilot.pause()
        await authorise(pilot, "1001", "1234")  # a wrong PIN against the back office's hash
        assert "Błędny PIN" in str(app.screen.query_one("#error").content)
        await pilot.press(*"1111", "enter")
        await pilot.pause()
        await pilot.press(*"10", "enter")
        await pilot.pause()
        assert app.receipt.authorisations[0].user_id == anna.id
        await pilot.press("plus")
        await pilot.pause()
        await pilot.press("enter")  # exactly, in cash
        await pilot.pause()
        await pilot.press("escape")  # the printout
        await pilot.pause()

        await pilot.press("f7")  # a return of that receipt: the manager again
        await pilot.pause()
        await authorise(pilot, "1001", "1111")
        await pilot.press(*"K1-000001", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReturnScreen)
        await pilot.press("asterisk", "plus")
        await pilot.pause()
        await pilot.press("1", "enter")  # cash, tak
        await pilot.pause()
        app.sale_finished()  # send now
        await wait_for(pilot, lambda: app.terminal.ledger.pending_summary()[0] == 0)
        await app.workers.wait_for_complete()

    listed = cli_json(capsys, db_url, "transactions", "list")
    by_type = {row["type"]: row for row in listed}  # type: ignore[union-attr]
    receipt, returned = by_type["receipt"], by_type["return"]
    assert receipt["cashier_name"] == "Ola Wiśniewska"
    (given,) = receipt["authorisations"]
    assert (given["permission"], given["user_id"], given["identifier"], given["name"], given["detail"]) == (
        "free_discount", anna.id, "1001", "Anna Kowalska", "Jogurt grecki 400g -10%")
    assert [a["permission"] for a in returned["authorisations"]] == ["returns"]
    assert not any(w.startswith("unknown_authoriser") for row in listed for w in row["warnings"])  # type: ignore[union-attr]

    monkeypatch.setenv("LC_ALL", "pl_PL.UTF-8")
    capsys.readouterr()
    assert backoffice_cli(["--db", db_url, "transactions", "list"]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    column = header.index("autoryzował")
    assert all(row[column:].startswith("Anna Kowalska (1001)") for row in rows)


def test_an_older_tills_receipt_without_authorisations_is_taken(office) -> None:  # type: ignore[no-untyped-def]
    back_office, url, _db = office
    store_id = int(back_office.list_stores()[0]["id"])
    _, code = back_office.add_terminal(store_id, "Kasa stara")
    body = httpx.post(f"{url}/api/v1/activate", json={"code": code, "name": "Kasa stara"}).json()
    receipt = {"type": "receipt", "uuid": str(uuid.uuid4()), "number": 1, "store_id": store_id,
               "created_at": "2026-11-26T14:00:00+00:00", "cashier_name": "Jan Nowak",
               "lines": [{"name": "Chleb", "vat": "A", "unit_price": 499, "qty": 1000, "value": 499}],
               "payments": [{"method": "gotowka", "amount": 499}], "total": 499}
    with httpx.Client(base_url=url, headers={
            "Authorization": f"Bearer {body['token']}", "X-Protocol-Version": str(PREVIOUS_PROTOCOL_VERSION),
            "X-Terminal-Version": "0.1.0"}) as client:
        (result,) = client.post("/api/v1/transactions", json={"documents": [receipt]}).json()["results"]
    assert result["status"] == "accepted"
