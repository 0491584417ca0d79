"""``ipos-backoffice serve --workers N``: several uvicorn workers over one PostgreSQL,
the JSON access log, readiness, a graceful stop that finishes an upload in flight, and
SQLite refusing more than one worker with a clear message.

Real processes: the CLI as a user starts it, a throwaway PostgreSQL server, httpx.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from backoffice_support import free_port, make_receipt, running_server, wait_for_answer
from office_db import create_database

from ipos_tui.backoffice.db import open_database
from ipos_tui.backoffice.security import SECRET_ENV
from ipos_tui.backoffice.services import BackOffice

CLI = [sys.executable, "-m", "ipos_tui.backoffice.cli"]
SECRET = "workers-secret"


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, SECRET_ENV: SECRET, **extra}


@pytest.fixture(scope="module")
def chain(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path, subprocess.Popen[bytes]]]:
    """The demo shop on PostgreSQL served by 2 workers; yields (url, db url, log, process)."""
    db_url = create_database(pg_server)
    subprocess.run([*CLI, "--db", db_url, "init", "--demo"], env=_env(), check=True,
                   capture_output=True, timeout=120)
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen([*CLI, "--db", db_url, "serve", "--port", str(port),
                                   "--workers", "2", "--log-level", "warning"],
                                  env=_env(), stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_answer(f"{url}/ready", server, log, seconds=40)
        yield url, db_url, log, server
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=60)


def _activate(url: str, db_url: str, name: str) -> httpx.Client:
    office = BackOffice(open_database(db_url), SECRET.encode())
    store = int(office.list_stores()[0]["id"])
    _, code = office.add_terminal(store, name)
    office.db.close()
    answer = httpx.post(f"{url}/api/v1/activate", json={"code": code, "name": name}, timeout=30)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    client = httpx.Client(base_url=url, timeout=30, headers={
        "Authorization": f"Bearer {body['token']}", "X-Terminal-Version": "0.1.0"})
    client.store_id = body["store_id"]  # type: ignore[attr-defined]
    return client


def _access_lines(log: Path) -> list[dict[str, object]]:
    lines = []
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_two_workers_serve_one_postgres_with_a_json_access_log(chain) -> None:  # type: ignore[no-untyped-def]
    url, db_url, log, _server = chain
    till = _activate(url, db_url, "Kasa W1")
    try:
        receipts = [make_receipt(till.store_id, n) for n in range(1, 41)]  # type: ignore[attr-defined]
        # many connections at once, each a fresh TCP connection: both workers take some
        def push(receipt: dict[str, object]) -> httpx.Response:
            return httpx.post(f"{url}/api/v1/transactions", json={"documents": [receipt]},
                              headers=dict(till.headers), timeout=30)

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(push, receipts))
        assert [a.status_code for a in answers] == [200] * 40
        assert [a.json()["results"][0]["status"] for a in answers] == ["accepted"] * 40
        # each sale again, through the other connection: duplicates, never a second copy
        again = till.post("/api/v1/transactions", json={"documents": receipts})
        assert [r["status"] for r in again.json()["results"]] == ["duplicate"] * 40
    finally:
        till.close()
    time.sleep(0.5)  # the log lines are written after each answer
    lines = _access_lines(log)
    pushes = [line for line in lines if line["path"] == "/api/v1/transactions"]
    assert len(pushes) == 41
    assert {line["status"] for line in pushes} == {200}
    assert all(isinstance(line["ms"], float) and line["bytes"] > 0 for line in pushes)
    assert all(line["app_version"] == "0.1.0" for line in pushes)
    assert len({line["pid"] for line in lines}) == 2, "both workers answered"
    # nothing secret in the log: no token, no activation code
    text = log.read_text()
    assert "Bearer" not in text and '"code"' not in text


def test_ready_and_health(chain) -> None:  # type: ignore[no-untyped-def]
    url = chain[0]
    assert httpx.get(f"{url}/ready").json() == {"status": "ready", "reason": None}
    assert httpx.get(f"{url}/health").json()["status"] == "ok"


def test_sigterm_finishes_the_upload_in_flight_then_stops(chain) -> None:  # type: ignore[no-untyped-def]
    """The body of an upload is still arriving when the server is told to stop: the
    upload is accepted and answered, then the server exits cleanly."""
    url, db_url, log, server = chain
    till = _activate(url, db_url, "Kasa W2")
    receipt = make_receipt(till.store_id, 1)  # type: ignore[attr-defined]
    body = json.dumps({"documents": [receipt]}).encode()
    half = len(body) // 2
    sent_half = threading.Event()

    def slowly() -> Iterator[bytes]:
        yield body[:half]
        sent_half.set()
        time.sleep(1.5)
        yield body[half:]

    answers: list[httpx.Response] = []
    upload = threading.Thread(target=lambda: answers.append(till.post(
        "/api/v1/transactions", content=slowly(),
        headers={"Content-Type": "application/json", "Content-Length": str(len(body))})))
    upload.start()
    assert sent_half.wait(10)
    time.sleep(0.2)
    server.send_signal(signal.SIGTERM)
    upload.join(30)
    till.close()
    assert answers and answers[0].status_code == 200, answers and answers[0].text
    assert answers[0].json()["results"][0]["status"] == "accepted"
    assert server.wait(timeout=60) == 0, log.read_text()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/health", timeout=2)
    office = BackOffice(open_database(db_url), SECRET.encode())
    try:
        assert office.db.execute_sql(
            "SELECT count(*) FROM transaction_doc WHERE number = 1 AND terminal_id = "
            "(SELECT id FROM terminal WHERE name = 'Kasa W2')").fetchone()[0] == 1
    finally:
        office.db.close()


def test_sqlite_refuses_more_than_one_worker(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'bo.sqlite3'}"
    done = subprocess.run([*CLI, "--db", db_url, "serve", "--workers", "3"],
                          env=_env(LC_ALL="pl_PL.UTF-8"), capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "--workers 3 wymaga bazy PostgreSQL" in done.stderr
    assert not (tmp_path / "bo.sqlite3").exists() or (tmp_path / "bo.sqlite3").stat().st_size == 0


def test_not_ready_until_the_schema_is_there(tmp_path: Path) -> None:
    office = BackOffice(open_database(f"sqlite:///{tmp_path / 'empty.sqlite3'}"), b"x")
    with running_server(office) as url:
        answer = httpx.get(f"{url}/ready")
        assert answer.status_code == 503
        assert answer.json()["status"] == "not_ready"
        assert "schema 0" in answer.json()["reason"]
        office.init_schema()
        assert "no company" in httpx.get(f"{url}/ready").json()["reason"]
        office.create_company("Sklep")
        assert httpx.get(f"{url}/ready").status_code == 200
