"""The back office tried as a new user would: real processes, the CLI and curl-like calls.

``init --demo``, ``serve``, ``terminal add --store 1``; activate and pull every stream
to the end over HTTP; change one price with the CLI while the server runs; the next
pull returns exactly that change; the same batch pushed twice is all ``duplicate``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from office_db import OfficeBackend
from backoffice_support import free_port, make_receipt, wait_for_answer

from ipos_tui.backoffice.security import SECRET_ENV

CLI = [sys.executable, "-m", "ipos_tui.backoffice.cli"]


@pytest.fixture(scope="module")
def env() -> dict[str, str]:
    return {**os.environ, SECRET_ENV: "e2e-secret"}


@pytest.fixture(scope="module")
def db_url(office_backend: OfficeBackend, tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> str:
    url = office_backend.url(tmp_path_factory.mktemp('e2e') / 'shop.sqlite3')
    subprocess.run([*CLI, "--db", url, "init", "--demo"], env=env, check=True,
                   capture_output=True, timeout=60)
    return url


@pytest.fixture(scope="module")
def base(db_url: str, env: dict[str, str], tmp_path_factory) -> Iterator[str]:
    port = free_port()
    log = Path(tmp_path_factory.mktemp("log")) / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen([*CLI, "--db", db_url, "serve", "--port", str(port),
                                   "--log-level", "warning"], env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_answer(f"{url}/health", server, log)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def cli(db_url: str, env: dict[str, str], *argv: str) -> dict:
    done = subprocess.run([*CLI, "--db", db_url, *argv, "--json"], env=env, check=True,
                          capture_output=True, text=True, timeout=60)
    return json.loads(done.stdout)


def test_new_user_walkthrough(db_url: str, env: dict[str, str], base: str) -> None:
    code = cli(db_url, env, "terminal", "add", "--store", "1")["code"]
    activated = httpx.post(f"{base}/api/v1/activate", json={"code": code, "name": "Kasa 1"})
    assert activated.status_code == 200
    token = activated.json()["token"]
    http = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}",
                                                "X-Protocol-Version": "2",
                                                "X-Pending-Count": "0"})
    cursors = {}
    for stream in ("config", "users", "products"):
        since, items = 0, 0
        while True:
            page = http.get(f"/api/v1/sync/{stream}", params={"since": since}).json()
            items += len(page["changes"])
            since = page["cursor"]
            if not page["has_more"]:
                break
        cursors[stream] = since
        assert items > 0
    assert items > 3 * 384  # products, barcodes and prices of the whole demo shop

    cli(db_url, env, "price", "set", "--plu", "1", "--price", "3,59", "--list", "1")
    page = http.get("/api/v1/sync/products", params={"since": cursors["products"]}).json()
    assert [(c["type"], c["data"]["price"]) for c in page["changes"]] == [("price", 359)]
    assert not page["has_more"] and not page["reset"]

    batch = {"documents": [make_receipt(1, n, price=359) for n in (1, 2, 3)]}
    first = http.post("/api/v1/transactions", json=batch).json()["results"]
    second = http.post("/api/v1/transactions", json=batch).json()["results"]
    assert [r["status"] for r in first] == ["accepted"] * 3
    assert [r["status"] for r in second] == ["duplicate"] * 3

    terminals = cli(db_url, env, "terminal", "list")
    assert set(terminals[0]["last_pull"]) == {"config", "users", "products"}
    assert terminals[0]["pending_count"] == 0
    http.close()
