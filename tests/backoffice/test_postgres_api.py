"""The sync API on PostgreSQL (a throwaway server of our own; skipped without one)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator

import httpx
import pytest
from backoffice_support import (
    PEPPER,
    TerminalClient,
    build_shop,
    make_receipt,
    running_server,
    throwaway_postgres,
)

from ipos_tui.backoffice.db import is_postgres, open_database
from ipos_tui.backoffice.security import SECRET_ENV
from ipos_tui.backoffice.services import BackOffice


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(scope="module")
def shop(pg_url: str) -> Iterator:
    office = BackOffice(open_database(pg_url), PEPPER)
    assert is_postgres(office.db)
    office.init_schema()
    office.create_company("Sieć Sklepów S.A.")
    yield build_shop(office, n_products=30)
    office.db.close()


@pytest.fixture(scope="module")
def base(shop) -> Iterator[str]:
    with running_server(shop.office) as url:
        yield url


def test_pull_paging_incremental_and_reset_on_postgres(shop, base: str) -> None:
    _, code = shop.office.add_terminal(shop.store1)
    client = TerminalClient.activate(base, code)
    try:
        full = client.pull("products", 0, limit=2000)["changes"]
        paged, cursor, _ = client.pull_all("products", 0, limit=9)
        assert [c["rev"] for c in paged] == [c["rev"] for c in full]
        shop.office.set_price(shop.list1, shop.products[3], 4321)
        changes, cursor, _ = client.pull_all("products", cursor)
        assert [(c["type"], c["data"]) for c in changes] == [
            ("price", {"product_id": shop.products[3], "price": 4321})]
        shop.office.assign_price_list(shop.store1, shop.list3)
        assert client.pull("products", cursor)["reset"] is True
        shop.office.assign_price_list(shop.store1, shop.list1)
    finally:
        client.close()


def test_cli_process_beside_the_server_on_postgres(shop, base: str, pg_url: str) -> None:
    _, code = shop.office.add_terminal(shop.store2)
    client = TerminalClient.activate(base, code)
    try:
        _, cursor, _ = client.pull_all("products")
        done = subprocess.run(
            [sys.executable, "-m", "ipos_tui.backoffice.cli", "--db", pg_url, "price", "set",
             "--plu", "105", "--price", "12,34", "--list", str(shop.list2), "--json",
             "--yes"],  # ten times the old price: confirmed, as a script must
            env={**os.environ, SECRET_ENV: "pg-secret"}, capture_output=True, text=True,
            timeout=60, check=True)
        assert json.loads(done.stdout)["price"] == 1234
        changes, _, _ = client.pull_all("products", cursor)
        assert [(c["type"], c["data"]["price"]) for c in changes] == [("price", 1234)]
    finally:
        client.close()


def test_concurrent_duplicate_pushes_store_once_on_postgres(shop, base: str) -> None:
    _, code = shop.office.add_terminal(shop.store1)
    client = TerminalClient.activate(base, code)
    batch = [make_receipt(shop.store1, n) for n in range(1, 16)]
    statuses: list[list[str]] = []

    def push() -> None:
        with httpx.Client(base_url=str(client.http.base_url), headers=client.http.headers,
                          timeout=30) as http:
            results = http.post("/api/v1/transactions", json={"documents": batch}).json()
            statuses.append([r["status"] for r in results["results"]])

    threads = [threading.Thread(target=push) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        for index in range(len(batch)):
            assert [s[index] for s in statuses].count("accepted") == 1
        lookup = client.http.get(f"/api/v1/receipts/{client.terminal_id}/15")
        assert lookup.status_code == 200
    finally:
        client.close()


def test_invoice_buyer_and_migration_2_on_postgres(shop, base: str) -> None:
    """Migration 2's plain SQL upgrades a PostgreSQL database that predates the kind
    and buyer columns: old rows read as paragons, invoices keep their buyer."""
    from ipos_tui.backoffice import models as m
    from ipos_tui.backoffice.migrations import current_version, migrate

    _, code = shop.office.add_terminal(shop.store1)
    client = TerminalClient.activate(base, code)
    try:
        old = make_receipt(shop.store1, 1)
        assert client.push([old])[0]["status"] == "accepted"
        for column in ("kind", "buyer_nip", "buyer_name", "buyer_address"):
            shop.office.db.execute_sql(f'ALTER TABLE "transaction_doc" DROP COLUMN "{column}"')
        m.SchemaVersion.delete().where(m.SchemaVersion.version >= 2).execute()
        assert current_version(shop.office.db) == 1
        assert 2 in migrate(shop.office.db)
        row = m.Transaction.get(m.Transaction.uuid == old["uuid"])
        assert (row.kind, row.buyer_nip) == ("paragon", None)
        invoice = {**make_receipt(shop.store1, 2), "kind": "faktura",
                   "buyer": {"nip": "526-025-09-95", "name": "Kupiec S.A.",
                             "address": "ul. Krótka 2, 30-001 Kraków"}}
        assert client.push([invoice])[0]["status"] == "accepted"
        found = client.http.get(f"/api/v1/receipts/{client.terminal_id}/2").json()
        assert found["receipt"]["kind"] == "faktura"
        assert found["receipt"]["buyer"]["nip"] == "5260250995"
    finally:
        client.close()
