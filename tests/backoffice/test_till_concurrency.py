"""On PostgreSQL, tills never wait for each other: a sales upload holds its own till's
lock, not the company's. A till whose upload is stuck (its lock held) does not slow
another till's upload, while the same till's next upload waits its turn; many tills
pushing at once (each batch also sent twice, racing itself) store every sale exactly
once with no numbering issue; a catalogue change still waits for the company's lock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg2
import pytest
from backoffice_support import TerminalClient, build_shop, make_receipt, new_office, running_server
from office_db import create_database

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.db import _PG_LOCK_NAMESPACE, _PG_TERMINAL_LOCK_NAMESPACE

TILLS = 8
SALES = 10


@pytest.fixture(scope="module")
def chain(pg_server: str) -> Iterator[tuple[object, str, str]]:
    url = create_database(pg_server)
    shop = build_shop(new_office(url), n_products=2)
    with running_server(shop.office) as base:
        yield shop, base, url


def _till(shop, base: str, name: str) -> TerminalClient:  # type: ignore[no-untyped-def]
    _, code = shop.office.add_terminal(shop.store1, name)
    return TerminalClient.activate(base, code, name)


class HeldLock:
    """An advisory lock held by another connection (as a stuck upload would hold it)."""

    def __init__(self, db_url: str, namespace: int, key: int) -> None:
        self.connection = psycopg2.connect(db_url)
        self.cursor = self.connection.cursor()
        self.cursor.execute("BEGIN")
        self.cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", (namespace, key))

    def release(self) -> None:
        self.connection.rollback()
        self.connection.close()


def test_a_stuck_till_does_not_hold_up_another(chain) -> None:  # type: ignore[no-untyped-def]
    shop, base, url = chain
    stuck, other = _till(shop, base, "Kasa A"), _till(shop, base, "Kasa B")
    held = HeldLock(url, _PG_TERMINAL_LOCK_NAMESPACE, stuck.terminal_id)
    results: list[list[dict[str, object]]] = []
    waiting = threading.Thread(target=lambda: results.append(
        stuck.push([make_receipt(shop.store1, 1)])))
    try:
        waiting.start()
        time.sleep(0.3)
        started = time.monotonic()
        assert [r["status"] for r in other.push([make_receipt(shop.store1, 1)])] == ["accepted"]
        assert time.monotonic() - started < 2  # not behind the stuck till
        assert not results, "the stuck till's own upload waits for its lock"
    finally:
        held.release()
    waiting.join(10)
    assert [r["status"] for r in results[0]] == ["accepted"]
    stuck.close()
    other.close()


def test_a_catalogue_change_waits_for_the_company_and_sales_do_not(chain) -> None:  # type: ignore[no-untyped-def]
    shop, base, url = chain
    till = _till(shop, base, "Kasa C")
    held = HeldLock(url, _PG_LOCK_NAMESPACE, shop.office.company_id)
    done = threading.Event()
    writer = threading.Thread(target=lambda: (shop.office.set_price(shop.list1, shop.products[0], 777),
                                              done.set()))
    try:
        writer.start()
        started = time.monotonic()
        assert [r["status"] for r in till.push([make_receipt(shop.store1, 1)])] == ["accepted"]
        assert time.monotonic() - started < 2  # a sale does not wait for the catalogue
        assert not done.wait(0.5)  # revisions are allocated one writer at a time
    finally:
        held.release()
        till.close()
    writer.join(10)
    assert done.is_set()


def test_many_tills_at_once_store_every_sale_exactly_once(chain) -> None:  # type: ignore[no-untyped-def]
    shop, base, _url = chain
    tills = [_till(shop, base, f"Kasa {n}") for n in range(TILLS)]
    batches = {till.terminal_id: [make_receipt(shop.store1, n) for n in range(1, SALES + 1)]
               for till in tills}

    def upload(job: tuple[TerminalClient, int]) -> list[str]:
        till, start = job
        statuses: list[str] = []
        for receipt in batches[till.terminal_id][start:]:  # one sale per request, as a till
            with httpx.Client(base_url=base, headers=dict(till.http.headers), timeout=30) as http:
                answer = http.post("/api/v1/transactions", json={"documents": [receipt]})
            statuses += [r["status"] for r in answer.json()["results"]]
        return statuses

    # each till's sales are sent twice at once (a retry racing its original), from the start
    # and from the middle: every sale is stored once, the copies answer "duplicate"
    jobs = [(till, 0) for till in tills] + [(till, SALES // 2) for till in tills]
    with ThreadPoolExecutor(16) as pool:
        answered = list(pool.map(upload, jobs))
    flat = [status for statuses in answered for status in statuses]
    assert set(flat) <= {"accepted", "duplicate"}
    assert flat.count("accepted") == TILLS * SALES
    t = m.Transaction
    for till in tills:
        numbers = sorted(n for (n,) in t.select(t.number).where(t.terminal == till.terminal_id).tuples())
        assert numbers == list(range(1, SALES + 1))
        till.close()
    issues = m.NumberingIssue.select().where(
        m.NumberingIssue.terminal.in_([till.terminal_id for till in tills])).count()
    # sales of one till arriving out of order open a gap that later ones fill: none is left
    assert issues == 0
