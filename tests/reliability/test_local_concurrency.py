"""Local concurrency (issue 18's matrix): a cashier sells while a big catalogue pull
applies on the same till.

The fault: the back office's catalogue grows by 34 000 products (102 000 feed rows:
product, price, barcode each) while the till is open; the products pull runs in its
own thread with its own database connection, as the app's sync worker runs it
(``till.sync.run_jobs``), applying page after page (one write transaction each) while
the cashier, on the main thread as the app's screens do, rings up sale after sale
through the till layer (each line saved, paid, printed), contending for the same
SQLite file's write lock.

Checked: every sale the cashier finished is committed, none failed (no "database is
locked" or any other error reached the cashier); the sales really overlapped the
apply; receipt numbers are gapless; the pull finished without a failure and the
catalogue is complete (a new product sells); after an upload the shared invariant
checker holds against the real back office (every sale there once, catalogue equal
to the back office's, cursors forward). The p99 of sales during the apply against an
idle till is measured by ``benchmarks/local_concurrency.py``, not here.

The back office runs on SQLite only: the contention is on the till's file, the back
office's database plays no part in it, and the pull of 102 000 rows from PostgreSQL
alone would take this test over its 30 s (the other rows of the matrix run on both).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from invariants import check, cursors
from sync.faultproxy import Shop, serve_app
from week_support import BULK_PLU, Cashier, Clock, bulk_catalogue

from ipos_tui.backoffice.api import create_app
from ipos_tui.store.db import open_terminal
from ipos_tui.sync.progress import CancelToken, ItemFailed, JobFinished
from ipos_tui.till import Till
from ipos_tui.till.syncing import job_function

#: New products in the back office: 3 feed rows each (product, price, barcode).
PRODUCTS = 34_000
#: Sales after the pull ended (the till idle again).
AFTER = 5


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[tuple[Shop, str]]:
    shop = Shop.create(tmp_path / "office.sqlite3")
    with serve_app(create_app(shop.office)) as base:
        yield shop, base


def test_a_cashier_sells_while_a_big_catalogue_pull_applies(
        tmp_path: Path, shop: tuple[Shop, str]) -> None:
    office, base = shop
    clock = Clock()
    with open_terminal(tmp_path / "till") as terminal:
        office.activate(base, terminal)
        till = Till(terminal)
        assert till.sync.run_here(["config", "users", "products"], lambda _e: None) == []
        user = terminal.auth.login("1001", "1111", clock())
        codes = [str(plu) for (plu,) in terminal.db.execute_sql(
            "SELECT plu FROM product WHERE active AND price > 0 AND precision = 0").fetchall()]
        assert len(codes) == 5
        before = cursors(terminal)
        (list_id,) = office.office.db.execute_sql(
            f"SELECT price_list_id FROM store WHERE id = {int(office.store1)}").fetchone()
        assert bulk_catalogue(office.office, int(list_id), PRODUCTS) == 3 * PRODUCTS

        events: list[object] = []
        crashed: list[BaseException] = []

        def pull() -> None:  # the app's sync worker: its own thread, its own connection
            try:
                till.sync.run_jobs(["products"], job_function, events.append, CancelToken())
            except BaseException as error:  # noqa: BLE001 (asserted below)
                crashed.append(error)

        cashier = Cashier(till, user, codes, clock)
        worker = threading.Thread(target=pull, name="sync-products")
        worker.start()
        during = 0
        while worker.is_alive():
            during += cashier.sell(during)
            if len(cashier.errors) > 3:
                break
        worker.join(timeout=120)
        after = sum(cashier.sell(during + n) for n in range(AFTER))

        # nothing reached the cashier (no "database is locked", nothing else): all committed
        assert cashier.errors == [], cashier.errors
        assert during >= 5, f"only {during} sales while the pull applied: no overlap"
        assert after == AFTER
        # the pull ended well, and the catalogue is complete
        assert crashed == []
        assert [e for e in events if isinstance(e, ItemFailed)] == []
        assert [e.ok for e in events if isinstance(e, JobFinished)] == [True]
        count = terminal.db.execute_sql("SELECT count(*) FROM product").fetchone()[0]
        assert count == 6 + PRODUCTS
        new = Cashier(till, user, [str(BULK_PLU + PRODUCTS), str(BULK_PLU + 1)], clock)
        assert new.sell(0, lines=2), new.errors
        # gapless numbers: every sale the cashier finished, in order
        numbers = cashier.numbers + new.numbers
        assert numbers == list(range(1, len(numbers) + 1))
        stored = {uuid for (uuid,) in terminal.db.execute_sql(
            "SELECT uuid FROM document WHERE doc_type = 'receipt'").fetchall()}
        assert stored == set(cashier.uuids + new.uuids)

        assert till.sync.run_here(["transactions"], lambda _e: None) == []
        check(terminal, office.office, cursors_before=before)
        assert cursors(terminal)["products"] > before["products"]
