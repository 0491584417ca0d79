"""What the owner sees of a real till in ``ipos-backoffice``: its unsent documents
(``terminal list``), who made each document (``transactions list``) and the payment
methods by name (``report sales``).

A real back office on uvicorn (127.0.0.1) with the demo shop, a real till database
activated and pulled through the sync engine, sales made with the till's ledger and
the till's own cashier, and the CLI run as its own process, as the owner runs it.

Inputs tried: two sales uploaded (the till then has none unsent), a sale forged as
another store's (rejected: stays unsent on the till), a sale made after the last
contact and then reported by a pull.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ipos_tui.backoffice.security import SECRET_ENV
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine
from ipos_tui.sync.context import SyncContext
from ipos_tui.sync.progress import CancelToken
from ipos_tui.sync.upload import upload_job
from ipos_tui.store.db import Terminal
from ipos_tui.domain.records import TerminalInfo

from sync_support import activated, demo_office, first_store, pull_all, running_server

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BackOffice, str, str]]:
    path = tmp_path_factory.mktemp("bo") / "office.sqlite3"
    office = demo_office(path)
    with running_server(office) as base:
        yield office, base, f"sqlite:///{path}"


@pytest.fixture
def till(shop: tuple[BackOffice, str, str], tmp_path: Path) -> Iterator[Terminal]:
    office, base, _url = shop
    terminal = activated(office, base, tmp_path / "till", first_store(office), "Kasa widok")
    with terminal:
        assert all(pull_all(terminal).values())
        yield terminal


def backoffice(url: str, *argv: str, lang: str = "C.UTF-8") -> subprocess.CompletedProcess[str]:
    """``ipos-backoffice --db URL ARGV`` in its own process, under locale ``lang``."""
    env = {**os.environ, SECRET_ENV: "view-test-secret", "LC_ALL": lang}
    return subprocess.run(
        [sys.executable, "-c", "import sys; from ipos_tui.backoffice.cli import main; "
         "sys.exit(main(sys.argv[1:]))", "--db", url, *argv],
        capture_output=True, text=True, timeout=60, env=env, check=False)


def terminal_row(url: str, terminal_id: int) -> dict[str, object]:
    listed = backoffice(url, "terminal", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    return next(row for row in json.loads(listed.stdout) if row["id"] == terminal_id)


def sell(terminal: Terminal, price: int = 349) -> str:
    """A finished one-line cash receipt by the demo's cashier 1002; its uuid."""
    cashier = terminal.auth.login("1002", "2222", NOW)
    product = terminal.catalog.find_by_code("1")
    assert product is not None
    receipt = Receipt([ReceiptLine(product.plu, product.name, "szt.", 0, price, 1000,
                                   product.vat_letter, product_id=product.id)])
    return terminal.ledger.commit_receipt(
        receipt, [Payment("gotowka", "Gotówka", receipt.total)], cashier=cashier, now=NOW).uuid


def upload(terminal: Terminal) -> bool:
    ctx = SyncContext.for_terminal(terminal, sleep=lambda _s: None)
    assert ctx is not None
    with ctx:
        return upload_job(ctx, lambda _e: None, CancelToken())


def terminal_id(terminal: Terminal) -> int:
    info = terminal.settings.terminal_info()
    assert info is not None
    return info.terminal_id


def test_terminal_list_shows_what_the_till_still_has_unsent(
        shop: tuple[BackOffice, str, str], till: Terminal) -> None:
    office, _base, url = shop
    tid = terminal_id(till)
    assert terminal_row(url, tid)["pending_count"] == 0

    # A sale after the last contact is told with the next call (here a pull).
    sell(till)
    assert all(pull_all(till, streams=("config",)).values())
    assert terminal_row(url, tid)["pending_count"] == 1

    # Uploaded: the till has nothing unsent, and neither may the back office say so
    # (the upload's own header counted the documents it carried).
    sell(till)
    assert upload(till) is True
    assert till.ledger.pending_summary()[0] == 0
    assert terminal_row(url, tid)["pending_count"] == 0

    # A sale the back office refuses stays unsent (quarantined) on the till: counted.
    info = till.settings.terminal_info()
    assert info is not None
    other_store = next(s["id"] for s in office.list_stores() if s["id"] != info.store_id)
    till.settings.set_terminal_info(TerminalInfo(info.terminal_id, info.name, other_store))
    sell(till)
    till.settings.set_terminal_info(info)
    sell(till)
    assert upload(till) is False
    assert till.ledger.pending_summary()[0] == 1
    assert terminal_row(url, tid)["pending_count"] == 1

    text = backoffice(url, "terminal", "list", lang="pl_PL.UTF-8")
    header, *rows = text.stdout.splitlines()
    column = header.index("niewysłane")  # the table's header in Polish
    mine = next(row for row in rows if row.split()[0] == str(tid))
    assert mine[column:].split()[0] == "1"


def test_transactions_list_names_the_cashier_of_each_document(
        shop: tuple[BackOffice, str, str], till: Terminal) -> None:
    _office, _base, url = shop
    tid = terminal_id(till)
    sell(till)
    sell(till, price=500)
    assert upload(till) is True

    listed = backoffice(url, "transactions", "list", "--terminal", str(tid), "--json")
    rows = json.loads(listed.stdout)
    assert [(r["cashier"], r["cashier_name"]) for r in rows] == [("1002", "Jan Nowak")] * 2
    text = backoffice(url, "transactions", "list", "--terminal", str(tid))
    lines = text.stdout.splitlines()
    assert len(lines) == 3 and all("Jan Nowak (1002)" in line for line in lines[1:]), lines


def test_sales_report_names_payment_methods_with_their_polish_letters(
        shop: tuple[BackOffice, str, str], till: Terminal) -> None:
    _office, _base, url = shop
    sell(till)
    assert upload(till) is True
    report = backoffice(url, "report", "sales", "--day", "2026-11-27", lang="pl_PL.UTF-8")
    assert report.returncode == 0, report.stderr
    assert "zapłacono – gotówka:" in report.stdout  # the method's name, not its code
    assert "gotowka" not in report.stdout
    english = backoffice(url, "report", "sales", "--day", "2026-11-27")
    assert "paid by gotówka:" in english.stdout
