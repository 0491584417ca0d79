"""Back-office-side rows of the fault matrix (issue 18): gap and replay (a batch
resent, batches out of order, a till database put back from an old copy), cursor
invalidation (a back office put back from an old copy, tombstones compacted past an
offline till, a feed version bump) and kill -9 of a back-office worker during ingest
and during a pull.

A real back office (SQLite and PostgreSQL, :func:`office_backend`) on 127.0.0.1
behind the asyncio fault proxy, a till activated through it; every test ends with the
shared invariants checker (or :func:`office_faults_support.check_restored` where the
till's own database went back in time, which excuses exactly the documents it lost).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fault_proxy import Fault, FaultProxy, fault_proxy
from invariants import check, cursors
from office_db import create_database, url_of
from office_faults_support import (
    PRODUCTS,
    UPLOAD,
    OfficeTill,
    check_restored,
    copy_till_database,
    office_rev,
    put_back_till_database,
    restore_office,
    serve_workers,
    snapshot_office,
    till_lock_held,
    wait_for_workers,
    worker_on_port,
)
from sync.faultproxy import Shop

from ipos_tui.backoffice import models as bo
from ipos_tui.backoffice import numbering
from ipos_tui.backoffice.documents.quarantine import release_quarantine
from ipos_tui.store.db import open_terminal
from ipos_tui.store.feed_apply import applier as feed_applier
from ipos_tui.store.ledger.guard import GUARD_FILENAME
from ipos_tui.sync.upload.numbers import compare_numbers

@pytest.fixture
def till(tmp_path: Path, shop: tuple[Shop, str], proxy: FaultProxy) -> Iterator[OfficeTill]:
    office, base = shop
    with open_terminal(tmp_path / "till") as terminal:
        office.activate(base, terminal, server_url=proxy.url)
        till = OfficeTill(terminal, office)
        assert all(r.ok for r in till.pull_all().values())
        yield till


def _terminal_id(till: OfficeTill) -> int:
    info = till.terminal.settings.terminal_info()
    assert info is not None
    return int(info.terminal_id)


def _issues(till: OfficeTill) -> list[tuple[str, str, int, int]]:
    tid = _terminal_id(till)
    return [(i["kind"], i["doc_type"], i["first"], i["last"])
            for i in numbering.issues_by_terminal([tid]).get(tid, [])]


# -- gap and replay -----------------------------------------------------------------------


def test_an_old_batch_resent_after_it_was_accepted_is_stored_once(
        till: OfficeTill, proxy: FaultProxy) -> None:
    """Fault: a batch the back office accepted long ago arrives again, as the till sent it
    (a till, a proxy or a retry queue replaying it) after later batches. Checks: every
    document is answered "duplicate", nothing is stored twice, no numbering issue is
    recorded, and the till's ledger and cursors are as before."""
    before = cursors(till.terminal)
    first = till.sell(3)
    till.sync_until_done()
    later = till.sell(2)
    till.sync_until_done()
    stored = len(till.shop.stored(first + later))
    replay = till.post(first)
    assert [r["status"] for r in replay] == ["duplicate"] * 3
    assert len(till.shop.stored(first + later)) == stored == 5
    assert _issues(till) == []
    check(till.terminal, till.shop.office, cursors_before=before)


def test_a_later_batch_before_an_earlier_one(till: OfficeTill, proxy: FaultProxy) -> None:
    """Fault: batches out of order: receipts 4-6 reach the back office before 2-3
    (the earlier batch was delayed on a flapping link). Checks: the back office sees
    the gap 2-3 while it is open and closes it when the earlier batch arrives; the
    till's own upload then sends only what is missing and counts the rest as sent;
    every sale once."""
    before = cursors(till.terminal)
    sold = till.sell(6)
    assert till.numbers(sold) == [1, 2, 3, 4, 5, 6]
    assert [r["status"] for r in till.post(sold[:1])] == ["accepted"]
    assert [r["status"] for r in till.post(sold[3:])] == ["accepted"] * 3
    assert _issues(till) == [("gap", "receipt", 2, 3)]
    posts = len(proxy.seen(UPLOAD, "POST"))
    till.sync_until_done()  # the till's own upload: 1-6 are pending on the till
    assert len(proxy.seen(UPLOAD, "POST")) > posts
    assert _issues(till) == []
    assert len(till.shop.stored(sold)) == 6
    check(till.terminal, till.shop.office, cursors_before=before)


def test_a_till_database_put_back_from_an_old_copy(
        tmp_path: Path, shop: tuple[Shop, str], proxy: FaultProxy) -> None:
    """Fault: the till's data directory (database and numbering guard) is copied after
    two sales were sent and one more was sold (still unsent); three more are sold and
    sent; then the old copy is put back (a restore from an old backup) and the till
    sells again before it reaches the back office (offline at start): nothing on the
    till can tell it went back.

    Checks: the unsent sale of the copy is sent once (a replay: "duplicate"); the
    back office records the regression of the receipt numbers the restored till
    hands out again; such a sale is never stored over, nor merged with, the accepted
    one of the same number (it is quarantined with its reason on the till and its
    raw payload in the back office); no number is held twice in the back office; the
    restored till's numbering goes on above what the back office holds after the
    first conflict, so later sales are accepted; every sale the till finished
    (before and after the restore) is in the back office once or quarantined."""
    office, base = shop
    data = tmp_path / "till"
    with open_terminal(data) as terminal:
        office.activate(base, terminal, server_url=proxy.url)
        till = OfficeTill(terminal, office)
        assert till.pull()
        before = cursors(terminal)
        sent = till.sell(2)
        till.sync_until_done()
        unsent = till.sell(1)
        copy = copy_till_database(terminal, tmp_path / "backup.sqlite3")
        guard = (data / GUARD_FILENAME).read_bytes()
        lost = till.sell(3)
        till.sync_until_done()
        assert till.numbers(lost) == [4, 5, 6]
        (lost_total,) = terminal.db.execute_sql(
            "SELECT total FROM document WHERE uuid = ?", (lost[0],)).fetchone()
        now = till.now
    put_back_till_database(copy, data, guard)
    with open_terminal(data) as terminal:
        till = OfficeTill(terminal, office)
        till.now = now
        assert [till.states()[u] for u in sent] == ["sent"] * 2
        assert till.states()[unsent[0]] == "pending" and lost[0] not in till.states()
        again = till.sell(1)  # the restored till numbers it 4 again
        assert till.numbers(again) == [4]
        till.upload()
        states = till.states()
        assert states[unsent[0]] == "sent"
        assert states[again[0]] == "quarantined"
        (held,) = office.quarantined(again[0])
        assert held.reason == "number_conflict" and again[0] in held.payload
        assert ("regression", "receipt", 4, 4) in _issues(till)
        (kept,) = office.stored([lost[0]])  # the accepted 4 is untouched
        assert (kept.number, kept.total) == (4, lost_total)
        assert not office.stored(again)
        after = till.sell(1)
        till.upload()
        assert till.numbers(after)[0] > 6, "the restored till reuses a number the back office holds"
        assert till.states()[after[0]] == "sent"
        # the way out: the owner releases it; it is kept beside the accepted 4, flagged
        assert release_quarantine(office.office, held.id)["status"] == "accepted"
        (kept,) = office.stored([lost[0]])
        (repeat,) = office.stored(again)
        assert (repeat.number, repeat.number_repeat, kept.number_repeat) == (4, 1, 0)
        assert json.loads(repeat.warnings) == ["repeated_number:1"]
        till.upload()  # the till offers its quarantined sale again: a duplicate, so sent
        assert till.states()[again[0]] == "sent"
        check_restored(terminal, office.office, lost=lost, cursors_before=before)


def test_a_till_database_file_put_back_offline_goes_on_above_its_guard(
        tmp_path: Path, shop: tuple[Shop, str], proxy: FaultProxy) -> None:
    """Fault: only the till's database file is put back from an old copy (taken before
    three sales it sent), the numbering guard beside it stays, and the till sells again
    while the back office is out of reach.

    Checks: opening the database raises its counters to the guard's, so the sale made
    offline is numbered 6, not 3 (no number handed out twice, nothing quarantined when
    the link comes back); every sale is in the back office once."""
    office, base = shop
    data = tmp_path / "till"
    with open_terminal(data) as terminal:
        office.activate(base, terminal, server_url=proxy.url)
        till = OfficeTill(terminal, office)
        assert till.pull()
        before = cursors(terminal)
        till.sell(2)
        till.sync_until_done()
        copy = copy_till_database(terminal, tmp_path / "backup.sqlite3")
        lost = till.sell(3)
        till.sync_until_done()
        now = till.now
    put_back_till_database(copy, data)
    with open_terminal(data) as terminal:
        till = OfficeTill(terminal, office)
        till.now = now
        assert terminal.ledger.last_number("receipt") == 5
        proxy.add(Fault("drop", times=99))  # the back office out of reach
        offline = till.sell(1)
        assert not till.upload()
        proxy.clear()
        assert till.numbers(offline) == [6]
        assert till.upload()
        assert till.states()[offline[0]] == "sent"
        assert not [i for i in _issues(till) if i[0] == "regression"]
        check_restored(terminal, office.office, lost=lost, cursors_before=before)


def test_a_restored_till_compares_its_numbers_before_it_sells_again(
        tmp_path: Path, shop: tuple[Shop, str], proxy: FaultProxy) -> None:
    """Fault: as above (the till's data directory put back from a copy taken before
    three sales it had sent: its numbering guard too), but the till reaches the back
    office before its next sale — as the app's upload does a second after it starts.

    Checks: the first upload compares the numbering (``POST /numbers``): the back
    office records the rollback (the range the till would have handed out again, for
    the owner) and the till goes on above what it holds, so its next sale is numbered
    7, not 4, and accepted: no number is handed out twice, nothing is quarantined;
    the unsent sale of the copy is sent once; every sale is in the back office once."""
    office, base = shop
    data = tmp_path / "till"
    with open_terminal(data) as terminal:
        office.activate(base, terminal, server_url=proxy.url)
        till = OfficeTill(terminal, office)
        assert till.pull()
        before = cursors(terminal)
        till.sell(2)
        till.sync_until_done()
        unsent = till.sell(1)
        copy = copy_till_database(terminal, tmp_path / "backup.sqlite3")
        guard = (data / GUARD_FILENAME).read_bytes()
        lost = till.sell(3)
        till.sync_until_done()
        now = till.now
    put_back_till_database(copy, data, guard)
    with open_terminal(data) as terminal:
        till = OfficeTill(terminal, office)
        till.now = now
        posts = len(proxy.seen("/api/v1/numbers", "POST"))
        assert till.upload()  # the upload at start, before any sale
        assert len(proxy.seen("/api/v1/numbers", "POST")) == posts + 1
        assert till.states()[unsent[0]] == "sent"
        assert ("rollback", "receipt", 4, 6) in _issues(till)
        assert not [i for i in _issues(till) if i[0] == "regression"]
        again = till.sell(1)
        assert till.numbers(again) == [7]
        till.upload()
        assert till.states()[again[0]] == "sent"
        assert not office.quarantined(again[0])
        check_restored(terminal, office.office, lost=lost, cursors_before=before)


def test_back_office_put_back_after_it_accepted_sales(till: OfficeTill) -> None:
    """Fault: the back office's database is put back from a backup taken before it
    accepted three of the till's sales (the till holds them as sent), while the till
    runs on; the till sells one more, sent at once (before its next comparison: a gap
    opens in the back office), then the next comparison comes (ten minutes later).

    Checks: the comparison finds the three the back office lacks (inside its gap) and
    the till queues them again (pending, ☁ again); they are stored once, the gap is
    closed, nothing is duplicated or quarantined; a second comparison finds nothing."""
    office = till.shop
    first = till.sell(2)
    till.sync_until_done()  # the first upload of the run compares (nothing to find)
    backup = snapshot_office()
    lost = till.sell(3)
    assert till.upload(later=1)  # compares first (due), then sends them
    assert len(office.stored(lost)) == 3
    restore_office(backup)
    assert not office.stored(lost)
    later = till.sell(1)
    till.upload(later=1)  # within ten minutes of the last comparison: only the new sale goes
    assert till.states()[later[0]] == "sent"
    assert [s for u, s in till.states().items() if u in lost] == ["sent"] * 3
    assert ("gap", "receipt", 3, 5) in _issues(till)
    till.now += timedelta(minutes=11)
    with till.context() as ctx:
        outcome = compare_numbers(ctx)
    assert outcome.resent == [("receipt", 3), ("receipt", 4), ("receipt", 5)]
    assert [till.states()[u] for u in lost] == ["pending"] * 3
    till.sync_until_done()
    assert len(office.stored(first + lost + later)) == 6
    assert _issues(till) == []
    with till.context() as ctx:
        assert compare_numbers(ctx).resent == []
    check(till.terminal, office.office)


def test_back_office_put_back_before_the_till_sold_again(till: OfficeTill) -> None:
    """Fault: the back office is put back from a backup taken before it accepted the
    till's last two sales, and the till sells nothing more: no gap shows it.

    Checks: the next comparison (after ten minutes) finds them above the highest number
    the back office holds and the upload that follows it sends them again, once."""
    office = till.shop
    till.sell(1)
    till.sync_until_done()
    backup = snapshot_office()
    lost = till.sell(2)
    till.sync_until_done()
    restore_office(backup)
    assert not office.stored(lost)
    till.now += timedelta(minutes=11)
    assert till.upload()
    assert len(office.stored(lost)) == 2
    assert all(till.states()[u] == "sent" for u in lost)
    check(till.terminal, office.office)


# -- cursor invalidation ------------------------------------------------------------------

SYNC = "/api/v1/sync/"


def _resets(caplog: pytest.LogCaptureFixture, terminal_id: int) -> list[str]:
    """The streams the back office answered with a reset for this terminal (its log)."""
    prefix = f"terminal {terminal_id}: "
    return sorted(r.getMessage().removeprefix(prefix).split()[0] for r in caplog.records
                  if r.name == "ipos_tui.backoffice.services.pull"
                  and r.getMessage().startswith(prefix) and "stream reset" in r.getMessage())


def _full_pulls(proxy: FaultProxy, since: int = 0) -> list[str]:
    """The streams asked for from zero (``since=0``) through the proxy, from ``since``."""
    return sorted(e.path.removeprefix(SYNC).split("?")[0]
                  for e in proxy.seen(SYNC, "GET")[since:] if "since=0" in e.path)


def test_tombstones_compacted_past_an_offline_till(
        till: OfficeTill, proxy: FaultProxy, caplog: pytest.LogCaptureFixture) -> None:
    """Fault: while the till is offline a product it holds is deleted and the back
    office purges the tombstones (``tombstones purge``) past the till's cursors, so
    the deletion can no longer reach it as a change. Checks: the next sync rebuilds
    each stream from zero exactly once, in small pages whose cursors lie below the
    horizon (the back office's reset, counted in its log; the sync after does not),
    the deleted product is gone from the till, the sales sold meanwhile stay pending
    through the rebuild and are then sent once; cursors never go back."""
    office = till.shop.office
    doomed = office.add_product("Wycofany", "9301", "A", prices={1: 300, 2: 310})
    assert till.pull()
    before = cursors(till.terminal)
    pending = till.sell(2)
    office.delete_product(doomed)
    office.add_product("Nowość", "9302", "B", prices={1: 410, 2: 420})
    assert office.purge_tombstones(timedelta(0)) >= 1
    caplog.set_level("INFO", logger="ipos_tui.backoffice.services.pull")
    first = till.pull_all(page_limit=2)
    assert {s: (r.ok, r.reset) for s, r in first.items()} == {
        s: (True, True) for s in ("config", "users", "products")}
    assert first["products"].pages > 3
    assert [till.states()[u] for u in pending] == ["pending"] * 2
    second = till.pull_all(page_limit=2)
    assert [r.reset for r in second.values()] == [False] * 3
    assert _resets(caplog, _terminal_id(till)) == ["config", "products", "users"]
    assert not till.terminal.db.execute_sql(
        "SELECT count(*) FROM product WHERE id = ?", (doomed,)).fetchone()[0]
    till.sync_until_done()
    assert len(till.shop.stored(pending)) == 2
    check(till.terminal, office, cursors_before=before)


def test_back_office_put_back_from_an_old_copy(
        till: OfficeTill, proxy: FaultProxy, caplog: pytest.LogCaptureFixture) -> None:
    """Fault: the back office's database is put back from a backup taken before a
    product was added and another deleted, changes the till had already pulled: its
    revision is now below the till's cursors. Checks: the next sync rebuilds each
    stream from zero exactly once (the back office's reset, counted in its log; the
    sync after does not), the till's catalogue equals the restored back office's
    (the added product gone, the deleted one back), a sale made meanwhile stays
    pending through the rebuild and is sent once. The cursors go back with the back
    office (they are its revisions) and never back from there."""
    office = till.shop.office
    sent = till.sell(2)
    till.sync_until_done()
    backup = snapshot_office()
    at_backup = office_rev(office)
    added = office.add_product("Po kopii", "9401", "A", prices={1: 510, 2: 520})
    office.delete_product(till.shop.products["C"])
    assert all(r.ok for r in till.pull_all().values())
    assert min(cursors(till.terminal).values()) > at_backup
    restore_office(backup)
    assert office_rev(office) == at_backup
    pending = till.sell(1)
    caplog.set_level("INFO", logger="ipos_tui.backoffice.services.pull")
    first = till.pull_all()
    assert {s: (r.ok, r.reset) for s, r in first.items()} == {
        s: (True, True) for s in ("config", "users", "products")}
    assert cursors(till.terminal) == dict.fromkeys(("config", "users", "products"), at_backup)
    after_reset = cursors(till.terminal)
    assert till.states()[pending[0]] == "pending"
    assert [r.reset for r in till.pull_all().values()] == [False] * 3
    assert _resets(caplog, _terminal_id(till)) == ["config", "products", "users"]
    held = {pid for (pid,) in till.terminal.db.execute_sql("SELECT id FROM product")}
    assert added not in held and till.shop.products["C"] in held
    till.sync_until_done()
    assert len(till.shop.stored(sent + pending)) == 3
    check(till.terminal, office, cursors_before=after_reset)


def test_a_new_catalogue_shape_rebuilds_each_stream_once(
        till: OfficeTill, proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault: a schema change: the till is updated to a release that builds a newer
    catalogue shape from the feed (``FEED_VERSION`` raised: a column the feed fills, a
    change type it now understands), and the link drops in the middle of the products
    rebuild. Checks: each stream is asked for from zero exactly once (counted at the
    proxy: the interrupted rebuild resumes where it stopped, the next sync after it is
    incremental), the old catalogue keeps selling meanwhile, the sales stay pending
    through the rebuild and are sent once, the catalogue equals the back office's;
    cursors never go back."""
    office = till.shop.office
    office.add_product("Nowy kształt", "9501", "C", prices={1: 610, 2: 620})
    before = cursors(till.terminal)
    pending = till.sell(1)
    monkeypatch.setattr(feed_applier, "FEED_VERSION", feed_applier.FEED_VERSION + 1)
    earlier = len(proxy.seen(SYNC, "GET"))
    for stream in ("config", "users"):
        result = till.pull_result(stream, page_limit=2)
        assert (result.ok, result.reset) == (True, True)
    proxy.add(Fault("pass", SYNC + "products", "GET", times=2),
              Fault("drop", SYNC + "products", "GET", times=99))
    assert not till.pull_result("products", page_limit=2).ok
    pending += till.sell(1)  # from the old catalogue, while the rebuild waits
    proxy.clear()
    assert till.pull_result("products", page_limit=2).ok
    assert _full_pulls(proxy, earlier) == ["config", "products", "users"]
    again = len(proxy.seen(SYNC, "GET"))
    assert [r.reset for r in till.pull_all().values()] == [False] * 3
    assert _full_pulls(proxy, again) == []
    assert [till.states()[u] for u in pending] == ["pending"] * 2
    till.sync_until_done()
    assert len(till.shop.stored(pending)) == 2
    check(till.terminal, office, cursors_before=before)


# -- kill -9 of a back-office worker --------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, pg_server: str
           ) -> Iterator[tuple[Shop, str, subprocess.Popen[bytes]]]:
    """The shop on PostgreSQL served by ``ipos-backoffice serve --workers 2``."""
    previous = bo.database_proxy.obj
    served = Shop.create(create_database(pg_server))
    if previous is not None:  # the models go on serving the other tests' back office
        bo.database_proxy.initialize(previous)
    try:
        with serve_workers(_url_of(served),
                           tmp_path_factory.mktemp("serve") / "serve.log") as (url, server):
            yield served, url, server
    finally:
        served.office.db.close()


def _url_of(served: Shop) -> str:
    return url_of(served.office.db)


@pytest.fixture
def workers(served: tuple[Shop, str, subprocess.Popen[bytes]]
            ) -> Iterator[tuple[Shop, str, subprocess.Popen[bytes]]]:
    """:func:`served`, with the checker's back-office models on its database for the
    test (the other tests of this module use the in-process back office's)."""
    previous = bo.database_proxy.obj
    bo.database_proxy.initialize(served[0].office.db)
    try:
        yield served
    finally:
        if previous is not None:
            bo.database_proxy.initialize(previous)


def _kill_the_serving_worker(server: subprocess.Popen[bytes], wait: Any) -> int:
    """Once a request of the till waits inside a worker (for the till's lock, on its
    database connection): kill -9 that worker."""
    victim = worker_on_port(server.pid, wait())
    assert victim is not None, "no worker holds the request in flight"
    os.kill(victim, signal.SIGKILL)
    return victim


def _no_server_error(link: FaultProxy) -> None:
    errors = [(e.method, e.path, e.status) for e in link.seen()
              if e.status is not None and e.status >= 500]
    assert not errors, errors


def test_worker_killed_during_ingest(
        tmp_path: Path, workers: tuple[Shop, str, subprocess.Popen[bytes]]) -> None:
    """Fault: kill -9 of the back-office worker (of 2, on PostgreSQL) that is ingesting
    a batch of the till's upload (60 sales, batches of 50): the request is held in
    flight inside the worker's transaction (the test holds the till's lock there) when
    the worker dies. Checks: the master starts a new worker; the till's client retries
    and the other worker stores the batch; every sale is in the back office exactly
    once (the killed transaction left nothing); the upload ends without an error the
    cashier would see and no 5xx came back."""
    office, url, server = workers
    with fault_proxy(url) as link, open_terminal(tmp_path / "till") as terminal:
        office.activate(url, terminal, server_url=link.url)
        till = OfficeTill(terminal, office)
        assert till.pull()
        before = cursors(terminal)
        assert till.upload(later=1)  # the comparison at start (POST /numbers), done
        sold = till.sell(60)
        done: list[bool] = []
        upload = threading.Thread(target=lambda: done.append(till.upload()))
        with till_lock_held(_url_of(office), _terminal_id(till)) as wait:
            upload.start()
            victim = _kill_the_serving_worker(server, wait)
        upload.join(120)
        assert done == [True], "the upload did not get over the dead worker"
        assert victim not in wait_for_workers(server.pid, 2, without=victim)
        assert [till.states()[u] for u in sold] == ["sent"] * 60
        posts = link.seen(UPLOAD, "POST")
        assert posts[0].status is None and len(posts) >= 3  # the killed one, then 2 batches
        _no_server_error(link)
        check(terminal, office.office, cursors_before=before)


def test_worker_killed_during_a_pull(
        tmp_path: Path, workers: tuple[Shop, str, subprocess.Popen[bytes]]) -> None:
    """Fault: kill -9 of the back-office worker (of 2, on PostgreSQL) serving a page of
    a cold products pull (small pages, after the first ones arrived): the request
    waits in flight inside the worker (the test holds the till's lock its pull
    bookkeeping takes) when the worker dies. Checks: the master starts a new worker,
    the till's client asks for the same page again and the pull completes without
    asking for earlier pages again; the catalogue equals the back office's; a sale
    made before is sent once afterwards; no 5xx came back."""
    office, url, server = workers
    for n in range(12):
        office.office.add_product(f"Towar hurtowy {n}", f"96{n:02d}", "A", prices={1: 700 + n})
    with fault_proxy(url) as link, open_terminal(tmp_path / "till") as terminal:
        office.activate(url, terminal, server_url=link.url)
        till = OfficeTill(terminal, office)
        assert till.pull_result("config").ok and till.pull_result("users").ok
        sold = till.sell(1)
        link.add(Fault("delay", PRODUCTS, "GET", times=99, seconds=0.1))
        pulled: list[Any] = []
        pull = threading.Thread(target=lambda: pulled.append(till.pull_result("products", 3)))
        pull.start()
        while len(link.seen(PRODUCTS, "GET")) < 2 and pull.is_alive():
            threading.Event().wait(0.01)
        with till_lock_held(_url_of(office), _terminal_id(till)) as wait:
            victim = _kill_the_serving_worker(server, wait)
        pull.join(120)
        assert pulled and pulled[0].ok, pulled
        assert victim not in wait_for_workers(server.pid, 2, without=victim)
        pages = [e for e in link.seen(PRODUCTS, "GET")]
        assert any(e.status is None for e in pages), "no page was cut by the kill"
        asked = [e.path.split("since=")[1].split("&")[0] for e in pages]
        assert len(asked) - len(set(asked)) == 1, asked  # only the killed page again
        till.sync_until_done()
        assert len(office.stored(sold)) == 1
        _no_server_error(link)
        check(terminal, office.office)


def test_back_office_put_back_and_changed_before_the_till_pulls(
        till: OfficeTill, proxy: FaultProxy, caplog: pytest.LogCaptureFixture) -> None:
    """Fault: as above, the back office's database is put back from a backup below the
    till's cursors, but the owner then adds more products than the till was ahead
    before the till pulls again: the back office's revision is past the till's cursor
    again, with other changes under the revisions the till already holds (a
    comparison of cursor and revision cannot see the restore). Checks: the back office
    still knows the cursor is not one it handed out (it remembers each terminal's last
    one), each stream is rebuilt once (counted in its log), and the till ends with the
    back office's catalogue; cursors never go back from the first rebuilt ones."""
    office = till.shop.office
    backup = snapshot_office()
    office.add_product("Po kopii 2", "9411", "A", prices={1: 530, 2: 540})
    assert all(r.ok for r in till.pull_all().values())
    ahead = max(cursors(till.terminal).values())
    restore_office(backup)
    n = 0
    while office_rev(office) <= ahead:
        office.add_product(f"Po przywróceniu {n}", f"942{n:02d}", "B", prices={1: 550 + n})
        n += 1
    caplog.set_level("INFO", logger="ipos_tui.backoffice.services.pull")
    first = till.pull_all()
    assert [(r.ok, r.reset) for r in first.values()] == [(True, True)] * 3
    rebuilt = cursors(till.terminal)
    assert [r.reset for r in till.pull_all().values()] == [False] * 3
    assert _resets(caplog, _terminal_id(till)) == ["config", "products", "users"]
    check(till.terminal, office, cursors_before=rebuilt)
