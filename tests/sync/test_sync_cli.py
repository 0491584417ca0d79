"""``ipos-tui activate`` and ``ipos-tui sync`` as a user runs them: separate processes
against the real back office on 127.0.0.1, checked by output and exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ipos_tui.backoffice.services import BackOffice
from ipos_tui.sync.context import connection_of
from ipos_tui.store.db import open_terminal

from office_db import OfficeBackend
from sync_support import demo_office, first_store, office_catalogue, running_server, \
    terminal_catalogue


def ipos_tui(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``ipos-tui ARGS`` in its own process; ``env`` adds to (or overrides) the
    environment, e.g. the locale."""
    return subprocess.run(
        [sys.executable, "-c", "import sys; from ipos_tui.cli import tui_main; "
         "sys.exit(tui_main())", *args],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, office_backend: OfficeBackend) -> Iterator[tuple[BackOffice, str]]:
    office = demo_office(office_backend.url(tmp_path_factory.mktemp("bo") / "office.db"))
    with running_server(office) as base:
        yield office, base


def test_activate_then_sync_all_json(shop: tuple[BackOffice, str], tmp_path: Path) -> None:
    office, base = shop
    store = first_store(office)
    terminal_id, code = office.add_terminal(store, "Kasa CLI")
    data = str(tmp_path / "t")
    activated = ipos_tui("activate", "--server", base, "--code", code, "--data-dir", data)
    assert activated.returncode == 0, activated.stderr
    with open_terminal(Path(data)) as terminal:
        connection = connection_of(terminal)
        assert connection is not None and connection.terminal_id == terminal_id
    assert connection.token not in activated.stdout + activated.stderr

    synced = ipos_tui("sync", "all", "--json", "--data-dir", data)
    assert synced.returncode == 0, synced.stdout + synced.stderr
    report = json.loads(synced.stdout)
    assert report["ok"] is True
    assert report["jobs"] == {"config": True, "users": True, "products": True,
                              "transactions": True}
    rows = {(r["job"], r["item"]): r for r in report["items"]}
    products = rows[("products", "products")]
    assert products["state"] == "done"
    assert products["added"] == len(office_catalogue(office, store)["products"])
    assert {item for job, item in rows if job == "config"} == {
        "company", "stores", "settings", "payment_methods"}
    with open_terminal(Path(data)) as terminal:
        assert terminal_catalogue(terminal) == office_catalogue(office, store)

    again = ipos_tui("sync", "products", "--data-dir", data)
    assert again.returncode == 0, again.stderr
    lines = again.stdout.splitlines()
    assert len(lines) == 7  # one row per item of the products job
    assert all("+0 ~0 −0" in line for line in lines)


def test_sync_failures_exit_non_zero(shop: tuple[BackOffice, str], tmp_path: Path) -> None:
    office, base = shop
    data = str(tmp_path / "t")
    not_activated = ipos_tui("sync", "config", "--json", "--data-dir", data)
    assert not_activated.returncode == 3
    assert json.loads(not_activated.stdout)["items"][0]["key"] == "sync.err.not_activated"

    terminal_id, code = office.add_terminal(first_store(office), "Kasa")
    assert ipos_tui("activate", "--server", base, "--code", code, "--data-dir", data
                    ).returncode == 0
    office.revoke_terminal(terminal_id)
    revoked = ipos_tui("sync", "users", "--json", "--data-dir", data)
    assert revoked.returncode == 1
    report = json.loads(revoked.stdout)
    assert report["ok"] is False
    assert [(r["item"], r["state"], r["key"]) for r in report["items"]] == [
        ("users", "failed", "sync.err.unauthorized")]

    wrong = ipos_tui("activate", "--server", base, "--code", "999999999999", "--data-dir",
                     str(tmp_path / "u"))
    assert wrong.returncode == 1 and wrong.stderr.strip()


def test_sync_rows_are_readable_in_the_locale_language(shop: tuple[BackOffice, str],
                                                       tmp_path: Path) -> None:
    """A sale the back office no longer takes (the till was revoked): the row says why
    in words, never as a message key (it printed "sync.err.unauthorized; …")."""
    from datetime import UTC, datetime

    from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine

    office, base = shop
    terminal_id, code = office.add_terminal(first_store(office), "Kasa słowa")
    data = str(tmp_path / "t")
    assert ipos_tui("activate", "--server", base, "--code", code, "--data-dir", data
                    ).returncode == 0
    assert ipos_tui("sync", "all", "--data-dir", data).returncode == 0
    now = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    with open_terminal(Path(data)) as terminal:
        product = terminal.catalog.find_by_code("1")
        assert product is not None
        receipt = Receipt([ReceiptLine(product.plu, product.name, "szt.", 0, product.price,
                                       1000, product.vat_letter, product_id=product.id)])
        terminal.ledger.commit_receipt(receipt, [Payment("gotowka", "gotówka", receipt.total)],
                                       cashier=terminal.auth.login("1002", "2222", now), now=now)
    office.revoke_terminal(terminal_id)

    polish = ipos_tui("sync", "transactions", "--data-dir", data, env={"LC_ALL": "pl_PL.UTF-8"})
    assert polish.returncode == 1
    (row,) = polish.stdout.splitlines()
    assert row.startswith("transakcje ")
    assert "Dokument 000001" in row and "błąd" in row
    assert "zaplecze nie rozpoznaje kasy – aktywuj ją ponownie (Połączenie); ponowienie o " in row
    assert "sync.err" not in polish.stdout

    english = ipos_tui("sync", "transactions", "--data-dir", data, env={"LANG": "C.UTF-8"})
    (row,) = english.stdout.splitlines()
    assert row.startswith("transactions ") and "sync.err" not in row
    as_json = ipos_tui("sync", "transactions", "--json", "--data-dir", data,
                       env={"LC_ALL": "pl_PL.UTF-8"})
    (item,) = json.loads(as_json.stdout)["items"]
    assert item["job"] == "transactions"  # codes stay codes for scripts
    assert item["message"].startswith("zaplecze nie rozpoznaje kasy")


def test_rejection_codes_are_put_in_words() -> None:
    """What the back office answers a rejected document with ("other_store",
    "malformed:…") reaches the cashier in words; an unknown code stays as it came."""
    from ipos_tui.i18n import set_language
    from ipos_tui.sync.headless import failure_text, reject_reason_text

    set_language("pl")
    assert reject_reason_text("other_store") == "dokument innego sklepu"
    assert reject_reason_text("line_mismatch:0") == "wartość pozycji 1 nie zgadza się z ceną i ilością"
    assert reject_reason_text("malformed:buyer.nip:invalid_nip") == "dokument w złym formacie (buyer.nip:invalid_nip)"
    assert reject_reason_text("brand_new_code:x") == "brand_new_code:x"
    text = failure_text("sync.err.document_rejected", {"number": 3, "reason": "other_store"})
    assert "dokument innego sklepu" in text and "other_store" not in text
    set_language("en")
    assert reject_reason_text("total_mismatch") == "the total does not match the lines"
    set_language("pl")
