"""Label-scale codes and deposits between a till and the real back office (uvicorn on
127.0.0.1, nothing mocked; issue 14, item 7).

The back office sets a product's deposit (``product update PLU --deposit 0,50``) and
the label layouts (``settings set scale_codes …``); both arrive by the first sync. The
till sells a weighed label of a prefix only the synced setting knows and two bottles
with their deposit, then pays a deposit return back from the menu; the uploads are
accepted, the receipt's payments cover total + deposit, and ``report sales`` shows the
deposits collected and returned apart from the sales and their VAT. A receipt whose
payments leave out its deposit, or whose deposit lines do not add up, is rejected.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from office_db import OfficeBackend

from ipos_tui.backoffice.cli import main as backoffice_cli
from ipos_tui.backoffice.db import open_database
from ipos_tui.demo.backoffice import seed_demo
from ipos_tui.backoffice.embedded import EmbeddedServer
from ipos_tui.backoffice.security import SECRET_ENV
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.domain.scale_code import with_check_digit
from ipos_tui.store.db import open_terminal
from ipos_tui.sync.activation import activate
from ipos_tui.demo.terminal import demo_snapshot
from ipos_tui.ui.dialogs import TextViewDialog
from ipos_tui.ui.screens.login import LoginScreen
from ipos_tui.ui.screens.registration import RegistrationScreen

pytestmark = pytest.mark.timeout(120)

PEPPER = "grocery-integration-secret"
PRODUCTS = {p.name: p for p in demo_snapshot().products}
WATER = PRODUCTS["Woda mineralna niegazowana 1,5l"]
GOUDA = PRODUCTS["Żółty ser Gouda"]


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, office_backend: OfficeBackend) -> Iterator[tuple[BackOffice, str, str]]:
    monkeypatch.setenv(SECRET_ENV, PEPPER)
    db_url = office_backend.url(tmp_path / 'office.sqlite3')
    back_office = BackOffice(open_database(db_url), PEPPER.encode())
    back_office.init_schema()
    seed_demo(back_office)
    with EmbeddedServer(back_office) as url:
        yield back_office, url, db_url


def cli_json(capsys: pytest.CaptureFixture[str], db_url: str, *argv: str) -> object:
    capsys.readouterr()
    assert backoffice_cli(["--db", db_url, *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


async def wait_for(pilot, predicate, tries: int = 400) -> None:  # type: ignore[no-untyped-def]
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not reached")


async def test_scale_codes_and_deposits_reach_the_back_office(make_app, clock, office, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    back_office, url, db_url = office
    store_id = int(back_office.list_stores()[0]["id"])
    _, code = back_office.add_terminal(store_id, "Kasa 1")
    till_dir = tmp_path / "till"
    with open_terminal(till_dir) as terminal:
        activate(terminal, url, code, "Kasa 1", sleep=lambda _s: None)
    # set in the back office's service here; the CLI forms are checked after the till
    # is done (the CLI's database connection in this process would hold up the server)
    back_office.update_product(back_office.product_by_plu(WATER.plu), deposit=50)
    back_office.set_setting("scale_codes", back_office.parse_setting("scale_codes", "26pppppwwwwwc 23PPPPPVVVVVC"))

    app = make_app(data_dir=till_dir, startup_jobs=("config", "users", "products"), upload_interval=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await wait_for(pilot, lambda: not getattr(app.screen, "running", True))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        await pilot.press(*"1001", "enter", *"1111", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)

        weighed = with_check_digit(f"26{int(GOUDA.plu):05d}00750")  # 26: only the synced setting knows it
        await pilot.press(*weighed, "enter", *WATER.plu, "enter", *WATER.plu, "enter")
        await pilot.pause()
        receipt = app.receipt
        assert [(line.name, line.qty) for line in receipt.lines] == [(GOUDA.name, 750), (WATER.name, 2000)]
        fiscal = receipt.total
        assert receipt.deposit_total == 100
        await pilot.press("plus")
        await pilot.pause()
        await pilot.press("enter")  # exactly, in cash: fiscal total + 1,00 deposit
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("f2", "9")
        await pilot.pause()
        await pilot.press("4", "enter", "enter")  # 4 bottles at 0,50
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        await pilot.press("escape")
        await pilot.pause()

        await wait_for(pilot, lambda: app.terminal.ledger.pending_summary()[0] == 0)
        await app.workers.wait_for_complete()

    (sale,) = cli_json(capsys, db_url, "transactions", "list", "--type", "receipt")  # type: ignore[misc]
    assert sale["total"] == fiscal
    from ipos_tui.backoffice import models as m

    payload = json.loads(m.Transaction.get_by_id(sale["id"]).payload)
    assert payload["deposit"] == 100
    assert payload["deposit_lines"] == [
        {"name": WATER.name, "product_id": WATER.id, "qty": 2, "unit": 50, "value": 100}]
    assert sum(p["amount"] - p.get("change", 0) for p in payload["payments"]) == fiscal + 100
    (operation,) = cli_json(capsys, db_url, "transactions", "list", "--type", "cash_operation")  # type: ignore[misc]
    assert (operation["kind"], operation["total"]) == ("out", 200)

    report = cli_json(capsys, db_url, "report", "sales", "--day", clock().date().isoformat())
    assert (report["receipts_total"], report["net_sales"]) == (fiscal, fiscal)  # type: ignore[index]
    assert sum(v["gross"] for v in report["vat"].values()) == fiscal  # type: ignore[index]
    assert (report["deposits_collected"], report["deposits_returned"]) == (100, 200)  # type: ignore[index]
    assert report["payments"] == {"gotowka": fiscal + 100}  # type: ignore[index]
    capsys.readouterr()
    assert backoffice_cli(["--db", db_url, "report", "sales", "--day", clock().date().isoformat()]) == 0
    assert "deposits (outside sales and VAT): collected 1,00, returned 2,00" in capsys.readouterr().out
    # the CLI: the deposit typed in złoty, the layouts checked and normalised
    product = cli_json(capsys, db_url, "product", "update", WATER.plu, "--deposit", "0,75")
    assert product["deposit"] == 75  # type: ignore[index]
    cli_json(capsys, db_url, "settings", "set", "scale_codes", "27pppppwwwwwc 24PPPPPVVVVVC")
    assert cli_json(capsys, db_url, "settings", "get", "scale_codes") == {
        "scale_codes": "27PPPPPWWWWWC 24PPPPPVVVVVC"}
    capsys.readouterr()
    assert backoffice_cli(["--db", db_url, "settings", "set", "scale_codes", "26PPPPPWWWWW"]) != 0
    assert "Invalid scale code layout “26PPPPPWWWWW”" in capsys.readouterr().err  # the CLI speaks English here


def test_a_receipt_must_pay_its_deposit(office) -> None:  # type: ignore[no-untyped-def]
    back_office, url, _db = office
    store_id = int(back_office.list_stores()[0]["id"])
    _, code = back_office.add_terminal(store_id, "Kasa 2")
    body = httpx.post(f"{url}/api/v1/activate", json={"code": code, "name": "Kasa 2"}).json()
    headers = {"Authorization": f"Bearer {body['token']}", "X-Terminal-Version": "0.1.0"}

    def receipt(number: int, paid: int, **extra: object) -> dict[str, object]:
        return {"type": "receipt", "uuid": str(uuid.uuid4()), "number": number, "store_id": store_id,
                "created_at": "2026-11-26T14:00:00+00:00",
                "lines": [{"name": WATER.name, "vat": "B", "unit_price": 229, "qty": 2000, "value": 458}],
                "payments": [{"method": "gotowka", "amount": paid}], "total": 458, **extra}

    lines = [{"name": WATER.name, "qty": 2, "unit": 50, "value": 100}]
    with httpx.Client(base_url=url, headers=headers) as client:
        results = client.post("/api/v1/transactions", json={"documents": [
            receipt(1, 558, deposit=100, deposit_lines=lines),
            receipt(2, 458, deposit=100, deposit_lines=lines),  # the deposit left unpaid
            receipt(3, 558, deposit=100, deposit_lines=[{**lines[0], "value": 90}]),
        ]}).json()["results"]
    assert [(r["status"], r.get("reason")) for r in results] == [
        ("accepted", None), ("rejected", "payments_mismatch"), ("rejected", "deposit_mismatch")]
