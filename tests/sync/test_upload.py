"""The upload job against the REAL back office on 127.0.0.1, through a fault proxy.

Exactly once under every failure the link can produce: a repeated batch, an answer
lost after the back office committed, the back office down, a rejected sale among
good ones, a 413, a Retry-After. Time is injected (the jobs' clock, the client's
sleep), so nothing here waits for real.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from faultproxy import FaultProxy, Rule, Shop, fault_proxy, serve_app
from office_db import OfficeBackend

import ipos_tui.sync.upload.sender as upload_sender
from ipos_tui import __version__
from ipos_tui.backoffice.api import create_app
from ipos_tui.backoffice.documents.quarantine import release_quarantine
from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine
from ipos_tui.store.db import Terminal, open_terminal
from ipos_tui.domain.records import TerminalInfo
from ipos_tui.sync.context import SyncContext
from ipos_tui.sync.progress import (
    CancelToken,
    ItemDone,
    ItemFailed,
    ItemStarted,
    JobFinished,
)
from ipos_tui.sync.upload import (
    RETRY_AFTER_CAP,
    RETRY_BASE,
    RETRY_MAX,
    UploadOutcome,
    backoff_delay,
    upload,
    upload_due,
    upload_job,
)

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


class Clock:
    """The jobs' clock; tests move it instead of sleeping."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, office_backend: OfficeBackend) -> Iterator[tuple[Shop, str]]:
    shop = Shop.create(office_backend.url(tmp_path_factory.mktemp("office") / "office.sqlite3"))
    with serve_app(create_app(shop.office)) as base:
        yield shop, base


@pytest.fixture(scope="module")
def module_proxy(shop: tuple[Shop, str]) -> Iterator[FaultProxy]:
    with fault_proxy(shop[1]) as proxy:
        yield proxy


@pytest.fixture
def proxy(module_proxy: FaultProxy) -> Iterator[FaultProxy]:
    module_proxy.clear()
    yield module_proxy
    if module_proxy._listener is None:
        module_proxy.start_listening()
    module_proxy.clear()


class Till:
    """A terminal activated at the back office, syncing through the proxy."""

    def __init__(self, terminal: Terminal, shop: Shop, terminal_id: int) -> None:
        self.terminal = terminal
        self.shop = shop
        self.terminal_id = terminal_id
        self.clock = Clock()
        self.sleeps: list[float] = []

    def context(self, max_attempts: int = 3) -> SyncContext:
        ctx = SyncContext.for_terminal(self.terminal, sleep=self.sleeps.append,
                                       max_attempts=max_attempts, clock=self.clock)
        assert ctx is not None
        return ctx

    def sell(self, count: int = 1, price: int = 250) -> list[str]:
        """``count`` finished one-line cash receipts; their uuids."""
        uuids = []
        for i in range(count):
            receipt = Receipt([ReceiptLine("101", "Towar B", "szt.", 0, price + i, 2000, "B",
                                           product_id=self.shop.products["B"])])
            stored = self.terminal.ledger.commit_receipt(
                receipt, [Payment("cash", "Gotówka", receipt.total)], cashier=self.shop.cashier,
                now=self.clock())
            uuids.append(stored.uuid)
        return uuids

    def run_job(self, ctx: SyncContext | None = None) -> tuple[bool, list[object]]:
        events: list[object] = []
        with ctx or self.context() as job_ctx:
            ok = upload_job(job_ctx, events.append, CancelToken())
        return ok, events

    def states(self, uuids: list[str]) -> list[str]:
        return [self.terminal.ledger.get_document(u).upload_state for u in uuids]


@pytest.fixture
def till(tmp_path: Path, shop: tuple[Shop, str], proxy: FaultProxy) -> Iterator[Till]:
    office, base = shop
    with open_terminal(tmp_path / "terminal") as terminal:
        connection = office.activate(base, terminal, server_url=proxy.url)
        yield Till(terminal, office, connection.terminal_id)


def failed(events: list[object]) -> dict[str, ItemFailed]:
    return {e.item: e for e in events if isinstance(e, ItemFailed)}


# ----------------------------------------------------------------- exactly once


def test_upload_reports_one_item_per_document_and_marks_them_sent(till: Till) -> None:
    uuids = till.sell(3)
    ok, events = till.run_job()
    assert ok is True
    assert events == [
        ItemStarted("transactions", "000001", 1), ItemStarted("transactions", "000002", 1),
        ItemStarted("transactions", "000003", 1),
        ItemDone("transactions", "000001", added=1), ItemDone("transactions", "000002", added=1),
        ItemDone("transactions", "000003", added=1),
        JobFinished("transactions", True),
    ]
    assert till.states(uuids) == ["sent"] * 3
    assert [row.uuid for row in till.shop.stored(uuids)] == uuids
    # Nothing left: a second run sends nothing.
    ok, events = till.run_job()
    assert (ok, events) == (True, [JobFinished("transactions", True)])


def test_the_same_batch_twice_is_all_duplicate_and_stored_once(
    till: Till, proxy: FaultProxy
) -> None:
    uuids = till.sell(4)
    assert till.run_job()[0]
    # The terminal crashed after the back office committed, before it wrote "sent":
    # the upload state (the only thing a stored document lets change) goes back.
    till.terminal.db.execute_sql("UPDATE document SET upload_state = 'pending'")
    ok, events = till.run_job()
    assert ok is True
    assert [e for e in events if isinstance(e, ItemDone)] == [
        ItemDone("transactions", f"{n:06d}") for n in range(1, 5)]
    first, second = proxy.posts()
    assert first.request_json() == second.request_json()
    assert [r["status"] for r in first.response_json()["results"]] == ["accepted"] * 4
    assert [r["status"] for r in second.response_json()["results"]] == ["duplicate"] * 4
    assert len(till.shop.stored(uuids)) == 4
    assert till.states(uuids) == ["sent"] * 4


@pytest.mark.parametrize("max_attempts", [3, 1], ids=["client_retries", "next_run_retries"])
def test_a_lost_answer_after_the_commit_heals_as_duplicate(
    till: Till, proxy: FaultProxy, max_attempts: int
) -> None:
    uuids = till.sell(3)
    proxy.add_rule(Rule("drop_response", path_prefix="/api/v1/transactions"))
    ok, events = till.run_job(till.context(max_attempts=max_attempts))
    if max_attempts == 1:  # no retry inside the call: the job stops, the next run heals
        assert ok is False
        assert set(failed(events)) == {"000001", "000002", "000003"}
        assert failed(events)["000001"].key == "sync.err.document_not_sent"
        assert till.states(uuids) == ["pending"] * 3
        till.clock.advance(RETRY_BASE)
        ok, events = till.run_job(till.context(max_attempts=1))
    assert ok is True
    lost, retried = proxy.posts()
    assert lost.action == "drop_response" and lost.status == 200
    assert [r["status"] for r in lost.response_json()["results"]] == ["accepted"] * 3
    assert [r["status"] for r in retried.response_json()["results"]] == ["duplicate"] * 3
    assert len(till.shop.stored(uuids)) == 3
    assert till.states(uuids) == ["sent"] * 3


# ------------------------------------------------------------ back office down


def test_back_office_down_keeps_sales_pending_with_backoff_then_uploads_all(
    till: Till, proxy: FaultProxy
) -> None:
    proxy.stop_listening()
    uuids = till.sell(2)
    events: list[object] = []
    with till.context() as ctx:
        outcome = upload_due(ctx, events.append)
    assert outcome.error is not None and outcome.error.key == "sync.err.offline"
    assert outcome.next_try_at is not None
    wait = (outcome.next_try_at - START).total_seconds()
    assert RETRY_BASE / 2 <= wait <= RETRY_BASE
    not_sent = failed(events)["000002"]
    assert not_sent.key == "sync.err.document_not_sent"
    assert not_sent.params["reason"] == "sync.err.offline"
    assert not_sent.params["retry_in"] == round(wait)
    assert not_sent.params["retry_at"] == outcome.next_try_at.astimezone().strftime("%H:%M:%S")
    json.dumps(not_sent.params)  # the headless --json output carries them as they are
    assert till.states(uuids) == ["pending"] * 2
    assert till.terminal.ledger.pending_summary() == (2, START)
    first_wait_at = outcome.next_try_at

    # Selling goes on; the background upload does not knock while in backoff.
    uuids += till.sell(1)
    sleeps_before = list(till.sleeps)
    with till.context() as ctx:
        skipped = upload_due(ctx)
    assert skipped.skipped and skipped.next_try_at == first_wait_at
    assert till.sleeps == sleeps_before  # no request was attempted

    # Due again, still down: the next wait is longer (second round).
    till.clock.now = first_wait_at
    with till.context() as ctx:
        second = upload_due(ctx)
    assert second.error is not None and second.next_try_at is not None
    assert (second.next_try_at - first_wait_at).total_seconds() >= RETRY_BASE
    docs = [till.terminal.ledger.get_document(u) for u in uuids]
    assert [d.upload_attempts for d in docs] == [2, 2, 1]

    proxy.start_listening()
    till.clock.now = second.next_try_at
    with till.context() as ctx:
        back = upload_due(ctx)
    assert back.ok and back.accepted == 3
    assert till.states(uuids) == ["sent"] * 3
    assert till.terminal.ledger.upload_paused_until() is None
    assert len(till.shop.stored(uuids)) == 3


def test_an_explicit_job_ignores_the_backoff(till: Till, proxy: FaultProxy) -> None:
    proxy.stop_listening()
    uuids = till.sell(1)
    with till.context() as ctx:
        assert upload_due(ctx).error is not None
    proxy.start_listening()
    with till.context() as ctx:
        assert upload_due(ctx).skipped  # the background waits…
    assert till.run_job()[0]  # …the cashier's "send now" does not
    assert till.states(uuids) == ["sent"]


# --------------------------------------------------------------- rejections


def test_a_rejected_sale_does_not_block_the_others_and_is_retried_after_sync(
    till: Till, proxy: FaultProxy
) -> None:
    good1 = till.sell(1)
    # A sale forged as another store's: the back office must refuse it.
    info = till.terminal.settings.terminal_info()
    assert info is not None
    till.terminal.settings.set_terminal_info(TerminalInfo(info.terminal_id, info.name,
                                                          till.shop.store2))
    forged = till.sell(1)
    till.terminal.settings.set_terminal_info(info)
    good2 = till.sell(2)

    ok, events = till.run_job()
    assert ok is False
    assert failed(events) == {"000002": ItemFailed(
        "transactions", "000002", "sync.err.document_rejected",
        {"number": 2, "reason": "other_store"})}
    assert till.states(good1 + forged + good2) == ["sent", "quarantined", "sent", "sent"]
    doc = till.terminal.ledger.get_document(forged[0])
    assert doc.reject_reason == "other_store"
    assert till.terminal.ledger.pending_summary()[0] == 1
    assert len(till.shop.quarantined(forged[0])) == 1

    # The background upload leaves quarantined sales alone…
    with till.context() as ctx:
        assert upload_due(ctx) == UploadOutcome()
    # …the sync job retries them; the back office refreshes its quarantine row.
    ok, _ = till.run_job()
    assert ok is False and len(till.shop.quarantined(forged[0])) == 1
    retried = proxy.posts()[-1].request_json()["documents"]
    assert [doc["uuid"] for doc in retried] == forged


def test_a_released_quarantined_sale_is_marked_sent_at_the_next_sync(till: Till) -> None:
    info = till.terminal.settings.terminal_info()
    assert info is not None
    till.terminal.settings.set_terminal_info(TerminalInfo(info.terminal_id, info.name,
                                                          till.shop.store2))
    forged = till.sell(1)
    till.terminal.settings.set_terminal_info(info)
    assert till.run_job()[0] is False
    release_quarantine(till.shop.office, till.shop.quarantined(forged[0])[0].id)
    assert len(till.shop.stored(forged)) == 1
    ok, events = till.run_job()
    assert ok is True and events[-2] == ItemDone("transactions", "000001")
    assert till.states(forged) == ["sent"]
    assert till.terminal.ledger.pending_summary() == (0, None)


def test_a_corrupted_payload_is_rejected_alone(till: Till, proxy: FaultProxy,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    uuids = till.sell(3)
    real = upload_sender.document_payload

    def corrupt_second(doc):  # type: ignore[no-untyped-def]
        payload = real(doc)
        if doc.uuid == uuids[1]:
            payload["total"] += 1
        return payload

    monkeypatch.setattr(upload_sender, "document_payload", corrupt_second)
    ok, events = till.run_job()
    assert ok is False
    assert failed(events)["000002"].params == {"number": 2, "reason": "total_mismatch"}
    assert till.states(uuids) == ["sent", "quarantined", "sent"]
    assert [row.uuid for row in till.shop.stored(uuids)] == [uuids[0], uuids[2]]


# ------------------------------------------------------------------- 413


@pytest.fixture
def small_office(shop: tuple[Shop, str]) -> Iterator[FaultProxy]:
    """The same back office with a 1500-byte body limit, behind its own proxy."""
    office, _ = shop
    with serve_app(create_app(office.office, max_body=1500)) as base, \
            fault_proxy(base) as proxy:
        yield proxy


def _connect_via(till: Till, url: str) -> None:
    """Point the terminal's stored connection at ``url`` (same token, same office)."""
    connection = till.terminal.db.execute_sql(
        "SELECT value FROM local_setting WHERE key = 'connection'").fetchone()[0]
    data = json.loads(connection)
    data["server_url"] = url
    till.terminal.db.execute_sql("UPDATE local_setting SET value = ? WHERE key = 'connection'",
                                 (json.dumps(data),))


def test_413_halves_the_batch_until_it_fits(
    till: Till, small_office: FaultProxy
) -> None:
    _connect_via(till, small_office.url)
    uuids = till.sell(10)
    ok, events = till.run_job()
    assert ok is True
    posts = small_office.posts()
    sizes = [(len(p.request_json()["documents"]), p.status) for p in posts]
    assert sizes[0] == (10, 413)
    assert all(len(p.body) <= 1500 for p in posts if p.status == 200)
    assert sum(n for n, status in sizes if status == 200) == 10
    # Once halved, the smaller size is kept: only the first over-large tries fail.
    first_ok = next(i for i, (_, status) in enumerate(sizes) if status == 200)
    assert all(status == 200 for _, status in sizes[first_ok:])
    assert till.states(uuids) == ["sent"] * 10
    assert len(till.shop.stored(uuids)) == 10


def test_a_single_document_over_the_limit_is_quarantined_locally(
    till: Till, small_office: FaultProxy
) -> None:
    _connect_via(till, small_office.url)
    small = till.sell(1)
    receipt = Receipt([ReceiptLine(f"{100 + i}", f"Towar numer {i} " + "x" * 40, "szt.", 0,
                                   100, 1000, "A") for i in range(30)])
    big = till.terminal.ledger.commit_receipt(
        receipt, [Payment("cash", "Gotówka", receipt.total)], cashier=till.shop.cashier,
        now=till.clock()).uuid
    after = till.sell(1)
    ok, events = till.run_job()
    assert ok is False
    assert failed(events)["000002"].params == {"number": 2, "reason": "too_large"}
    assert till.states(small + [big] + after) == ["sent", "quarantined", "sent"]


# ------------------------------------------------------- Retry-After, headers


def test_retry_after_is_honoured_by_the_client_and_by_the_backoff(
    till: Till, proxy: FaultProxy
) -> None:
    uuids = till.sell(1)
    proxy.add_rule(Rule("reply", status=503, headers={"Retry-After": "7"},
                        path_prefix="/api/v1/transactions"))
    assert till.run_job()[0]
    assert till.sleeps == [7.0]
    assert till.states(uuids) == ["sent"]

    more = till.sell(1)
    proxy.add_rule(Rule("reply", status=503, headers={"Retry-After": "600"}, times=3,
                        path_prefix="/api/v1/transactions"))
    with till.context(max_attempts=3) as ctx:
        outcome = upload_due(ctx)
    assert outcome.error is not None and outcome.error.key == "sync.err.server"
    assert outcome.next_try_at is not None
    assert (outcome.next_try_at - till.clock()).total_seconds() >= 600
    assert till.states(more) == ["pending"]


def test_every_call_sends_the_pending_count_and_versions(till: Till, proxy: FaultProxy) -> None:
    till.sell(3)
    assert till.run_job()[0]
    (post,) = proxy.posts()
    assert post.headers["x-pending-count"] == "3"
    assert post.headers["x-terminal-version"] == __version__
    assert post.headers["x-protocol-version"] == "3"  # asks for compact pull pages
    assert post.headers["authorization"].startswith("Bearer ")
    # the header counted the three it carried; all three stored: none left unsent
    assert till.shop.pending_count_of(till.terminal_id) == 0


# ----------------------------------------------------------- cancel, backoff


def test_a_cancelled_job_sends_nothing_more(till: Till, proxy: FaultProxy) -> None:
    uuids = till.sell(3)
    cancel = CancelToken()
    events: list[object] = []

    def observe(event: object) -> None:
        events.append(event)
        if isinstance(event, ItemDone):
            cancel.cancel()

    with till.context() as ctx:
        outcome = upload(ctx, observe, cancel, include_quarantined=True,
                         respect_backoff=False, batch_size=1)
    assert outcome.cancelled and not outcome.ok
    assert events[-1] == JobFinished("transactions", False)
    assert len(proxy.posts()) == 1
    assert till.states(uuids) == ["sent", "pending", "pending"]


def test_backoff_grows_exponentially_with_jitter_and_respects_retry_after() -> None:
    low = lambda a, b: a  # noqa: E731
    high = lambda a, b: b  # noqa: E731
    assert [backoff_delay(n, uniform=high) for n in (1, 2, 3)] == [
        RETRY_BASE, 2 * RETRY_BASE, 4 * RETRY_BASE]
    assert backoff_delay(1, uniform=low) == RETRY_BASE / 2
    assert backoff_delay(40, uniform=high) == RETRY_MAX
    assert backoff_delay(1, retry_after=300, uniform=high) == 300
    assert backoff_delay(1, retry_after=10**9, uniform=high) == RETRY_AFTER_CAP
    assert backoff_delay(5, retry_after=1, uniform=high) == 16 * RETRY_BASE


def test_an_answer_without_results_leaves_the_documents_pending(
    till: Till, proxy: FaultProxy
) -> None:
    uuids = till.sell(2)
    proxy.add_rule(Rule("reply", status=200, headers={"Content-Type": "application/json"},
                        body=b'{"results": []}', path_prefix="/api/v1/transactions"))
    ok, events = till.run_job()
    assert ok is False
    assert {item: e.key for item, e in failed(events).items()} == {
        "000001": "sync.err.bad_response", "000002": "sync.err.bad_response"}
    assert till.states(uuids) == ["pending", "pending"]
    paused = till.terminal.ledger.upload_paused_until()
    assert paused is not None and paused > till.clock()
    assert till.shop.stored(uuids) == []


def test_one_upload_at_a_time_per_terminal(till: Till, proxy: FaultProxy) -> None:
    uuids = till.sell(2)
    started, release = threading.Event(), threading.Event()

    def slow_observer(event: object) -> None:
        if isinstance(event, ItemStarted):
            started.set()
            release.wait(10)

    def explicit() -> None:
        with till.context() as ctx:
            upload(ctx, slow_observer, CancelToken(), include_quarantined=True,
                   respect_backoff=False)

    worker = threading.Thread(target=explicit)
    worker.start()
    try:
        assert started.wait(10)
        with till.context() as ctx:
            assert upload_due(ctx).skipped  # the background run does not pile on
    finally:
        release.set()
        worker.join(10)
    assert till.states(uuids) == ["sent", "sent"]
    assert len(proxy.posts()) == 1


def test_a_document_without_wire_form_is_quarantined_once_and_blocks_nothing(
    till: Till, small_office: FaultProxy
) -> None:
    _connect_via(till, small_office.url)
    first = till.sell(1)
    # A ledger document of a type this release cannot map (as a newer release's
    # ledger would hold after a downgrade), written beside the receipts.
    till.terminal.db.execute_sql(
        "INSERT INTO document (uuid, doc_type, number, kind, created_utc, created_local, "
        "cashier_id, cashier_name, store_id, terminal_id, total, discount_total, vat) "
        "SELECT 'shift-1', 'shift_report', 1, kind, created_utc, created_local, cashier_id, "
        "cashier_name, store_id, terminal_id, 0, 0, '{}' FROM document")
    rest = till.sell(8)
    ok, events = till.run_job()
    assert ok is False
    rejected = [e for e in events if isinstance(e, ItemFailed)]
    assert rejected == [ItemFailed("transactions", "shift_report:000001",
                                   "sync.err.document_rejected",
                                   {"number": 1, "reason": "unsupported_type:shift_report"})]
    assert till.states(first + ["shift-1"] + rest) == ["sent", "quarantined"] + ["sent"] * 8
    assert till.terminal.ledger.get_document("shift-1").upload_attempts == 1
    assert any(p.status == 413 for p in small_office.posts())


_UPLOADER = """
import sys
from pathlib import Path
from ipos_tui.sync.context import SyncContext
from ipos_tui.sync.progress import CancelToken
from ipos_tui.sync.upload import upload_job
from ipos_tui.store.db import open_terminal

with open_terminal(Path(sys.argv[1])) as terminal:
    ctx = SyncContext.for_terminal(terminal, max_attempts=1)
    print("uploading", flush=True)
    upload_job(ctx, lambda event: None, CancelToken())
"""


def test_kill_9_after_the_back_office_committed_loses_and_doubles_nothing(
    tmp_path: Path, shop: tuple[Shop, str], proxy: FaultProxy
) -> None:
    office, base = shop
    data_dir = tmp_path / "terminal"
    with open_terminal(data_dir) as terminal:
        office.activate(base, terminal, server_url=proxy.url)
        till = Till(terminal, office, 0)
        uuids = till.sell(5)
    hold = proxy.add_rule(Rule("hold", path_prefix="/api/v1/transactions"))
    process = subprocess.Popen([sys.executable, "-c", _UPLOADER, str(data_dir)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not proxy.posts() and time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            time.sleep(0.02)
        (post,) = proxy.posts()
        assert post.answered.wait(10)  # the back office has stored the batch…
        process.send_signal(signal.SIGKILL)  # …and the terminal dies before reading it
        process.wait(10)
    finally:
        hold.release.set()
        if process.poll() is None:
            process.kill()
            process.wait(10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    assert process.returncode == -signal.SIGKILL
    assert [r["status"] for r in post.response_json()["results"]] == ["accepted"] * 5

    with open_terminal(data_dir) as terminal:  # the restarted terminal
        till = Till(terminal, office, 0)
        assert till.states(uuids) == ["pending"] * 5
        ok, events = till.run_job()
        assert ok is True
        assert [e for e in events if isinstance(e, ItemDone)] == [
            ItemDone("transactions", f"{n:06d}") for n in range(1, 6)]
        assert till.states(uuids) == ["sent"] * 5
    assert len(office.stored(uuids)) == 5
