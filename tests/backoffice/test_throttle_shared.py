"""The guessing throttle shared by every worker (``SharedThrottle``), on SQLite and
PostgreSQL.

Tried: failures seen by one worker refuse the guesser at another after its next look;
a worker's own failures are not counted twice when it reads them back; a restarted
worker still refuses; failures older than the window neither count nor stay in the
table; a row committed late (older ``at`` than the last look) is still counted; a
database that cannot be written or read never fails the request (the worker counts on
its own); and the whole thing through ``serve --workers 2`` in real processes, where the
guesser's requests land on both workers: the limit holds for the pair.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from backoffice_support import free_port, new_office, wait_for_answer
from office_db import OfficeBackend, create_database

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.security import SECRET_ENV
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.backoffice.throttle import Limit, Limits, SharedThrottle, Throttled

LIMITS = Limits(token_address=Limit(5, 600), login_name=Limit(3, 900))
ADDRESS = [("token_address", "10.0.0.9")]


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def office(office_backend: OfficeBackend, tmp_path: Path) -> Iterator[BackOffice]:
    office = new_office(office_backend.url(tmp_path / "bo.sqlite3"))
    yield office
    office.db.close()


def _worker(office: BackOffice, clock: Clock, name: str) -> SharedThrottle:
    return SharedThrottle(office.db, LIMITS, clock=clock, sync_seconds=1.0, origin=name)


def test_failures_at_one_worker_refuse_the_guesser_at_another(office: BackOffice) -> None:
    clock = Clock()
    a, b = _worker(office, clock, "a"), _worker(office, clock, "b")
    for _ in range(3):
        a.check(ADDRESS)
        a.failed(ADDRESS)
    for _ in range(2):
        b.check(ADDRESS)
        b.failed(ADDRESS)
    clock.now += 1.5  # both look again
    with pytest.raises(Throttled) as refused:
        b.check(ADDRESS)
    assert refused.value.rule == "token_address" and refused.value.failures == 5
    assert 590 <= refused.value.retry_after <= 600
    with pytest.raises(Throttled):
        a.check(ADDRESS)
    # another address is not affected
    a.check([("token_address", "10.0.0.10")])


def test_a_worker_does_not_count_its_own_failures_twice(office: BackOffice) -> None:
    clock = Clock()
    a = _worker(office, clock, "a")
    for _ in range(4):
        a.check(ADDRESS)
        a.failed(ADDRESS)
    clock.now += 5
    a.check(ADDRESS)  # 4 of 5: still allowed after reading the table back
    assert a.failures("token_address", "10.0.0.9") == 4


def test_a_restarted_worker_still_refuses(office: BackOffice) -> None:
    clock = Clock()
    a = _worker(office, clock, "a")
    for _ in range(5):
        a.failed(ADDRESS)
    clock.now += 10
    restarted = _worker(office, clock, "a-restarted")
    with pytest.raises(Throttled):
        restarted.check(ADDRESS)


def test_old_failures_neither_count_nor_stay(office: BackOffice) -> None:
    clock = Clock()
    a, b = _worker(office, clock, "a"), _worker(office, clock, "b")
    for _ in range(5):
        a.failed(ADDRESS)
    clock.now += 601  # the token window (600 s) has passed
    b.check(ADDRESS)
    a.check(ADDRESS)
    clock.now += 900 + SharedThrottle.MARGIN_SECONDS  # past the longest window too
    a._writes = 0  # the next write tidies up
    a.failed([("login_name", "ewa")])
    rows = list(m.ThrottleFailure.select(m.ThrottleFailure.rule).tuples())
    assert rows == [("login_name",)]


def test_a_row_committed_late_is_still_counted(office: BackOffice) -> None:
    clock = Clock()
    a, b = _worker(office, clock, "a"), _worker(office, clock, "b")
    b.check(ADDRESS)  # b looks now
    for _ in range(5):  # rows stamped 10 s BEFORE b's look (a slow transaction, a clock behind)
        m.ThrottleFailure.create(rule="token_address", key="10.0.0.9", at=clock.now - 10,
                                 origin="a")
    clock.now += 2
    with pytest.raises(Throttled):
        b.check(ADDRESS)
    assert a.failures("token_address", "10.0.0.9") == 0  # a wrote nothing itself here


def test_a_database_that_fails_never_fails_the_request(office: BackOffice) -> None:
    clock = Clock()
    a = _worker(office, clock, "a")
    office.db.execute_sql('DROP TABLE "throttle_failure"')
    for _ in range(5):
        a.check(ADDRESS)  # unreadable: counted locally, no exception
        a.failed(ADDRESS)  # unwritable: counted locally, no exception
        clock.now += 2
    with pytest.raises(Throttled):
        a.check(ADDRESS)


# -- two real workers --------------------------------------------------------------------


def test_serve_with_two_workers_counts_one_guesser_once(pg_server: str, tmp_path: Path) -> None:
    db_url = create_database(pg_server)
    env = {**os.environ, SECRET_ENV: "shared-throttle"}
    cli = [sys.executable, "-m", "ipos_tui.backoffice.cli", "--db", db_url]
    subprocess.run([*cli, "init"], env=env, check=True, capture_output=True, timeout=120)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen([*cli, "serve", "--port", str(port), "--workers", "2",
                                   "--throttle", "token_address=6/600"],
                                  env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_answer(f"{url}/ready", server, log, seconds=40)
        # a guesser behind the proxy (uvicorn trusts X-Forwarded-For from 127.0.0.1),
        # one new connection per request, so the kernel spreads them over both workers
        guesser = {"Authorization": "Bearer wrong", "X-Forwarded-For": "203.0.113.7"}
        answers = []
        for _ in range(6):
            answers.append(httpx.get(f"{url}/api/v1/sync/config", headers=guesser, timeout=10))
            time.sleep(0.05)
        assert [a.status_code for a in answers] == [401] * 6
        time.sleep(1.3)  # each worker looks at the others' failures at most once a second
        refused = [httpx.get(f"{url}/api/v1/sync/config", headers=guesser, timeout=10)
                   for _ in range(8)]
        assert [a.status_code for a in refused] == [429] * 8
        assert all(int(a.headers["Retry-After"]) > 500 for a in refused)
        # the shop's own till behind the same proxy address space is not refused
        other = httpx.get(f"{url}/api/v1/sync/config",
                          headers={"Authorization": "Bearer wrong",
                                   "X-Forwarded-For": "203.0.113.8"}, timeout=10)
        assert other.status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=60)
