"""Helpers for the back-office-side rows of the fault matrix (issue 18): a till that
reports what each pull did, a till database put back from an old copy, a back
office put back from an old copy, the documents of a batch as the till sends them,
and the invariant checker for a till that lost part of its own history.

The till is the :class:`test_fault_matrix.Till` of the first rows (same sale, same
injected clock and sleeps), with pulls that return their
:class:`~ipos_tui.sync.pull.PullResult` (so a test can count the full resyncs).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from invariants import problems
from office_db import free_port
from test_fault_matrix import Till

from ipos_tui.backoffice import models as bo
from ipos_tui.backoffice.db import _PG_TERMINAL_LOCK_NAMESPACE
from ipos_tui.backoffice.security import SECRET_ENV
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.protocol import STREAMS
from ipos_tui.store.db import Terminal
from ipos_tui.store.ledger.guard import GUARD_FILENAME
from ipos_tui.sync.documents import document_payload
from ipos_tui.sync.progress import CancelToken
from ipos_tui.sync.pull import PullResult, pull_stream

UPLOAD = "/api/v1/transactions"
PRODUCTS = "/api/v1/sync/products"
#: The pepper :class:`sync.faultproxy.Shop` creates its back office with; the served
#: back office must have the same (activation codes and tokens are hashed with it).
SHOP_PEPPER = "test-pepper"


class OfficeTill(Till):
    """:class:`Till` with pulls that say whether the back office made them start over."""

    def pull_result(self, stream: str = "products", page_limit: int = 1000,
                    max_events: int = 2000) -> PullResult:
        """One stream's pull; cancelled (not ok) after ``max_events`` progress events,
        so a pull that never ends (a rebuild answered with a reset on every page)
        fails the test instead of hanging it."""
        cancel = CancelToken()
        seen = [0]

        def observe(_event: object) -> None:
            seen[0] += 1
            if seen[0] > max_events:
                cancel.cancel()

        with self.context(page_limit) as ctx:
            return pull_stream(ctx, stream, observe, cancel)

    def pull_all(self, page_limit: int = 1000) -> dict[str, PullResult]:
        """Every stream once (config, users, products), as a full sync does."""
        return {stream: self.pull_result(stream, page_limit) for stream in STREAMS}

    def payloads(self, uuids: Iterable[str]) -> list[dict[str, Any]]:
        """The wire form of these documents, exactly as the till's upload sends them."""
        wanted = list(uuids)
        details = {d.uuid: d for d in self.terminal.ledger.documents_for_upload(wanted)}
        return [document_payload(details[u]) for u in wanted]

    def post(self, uuids: Iterable[str]) -> list[dict[str, Any]]:
        """POST these documents as one batch by hand (past the till's own upload
        bookkeeping: a batch resent or sent out of order); the per-document results."""
        with self.context() as ctx:
            answer = ctx.client.post_json("/transactions", {"documents": self.payloads(uuids)})
        return list(answer["results"])

    def states(self) -> dict[str, str]:
        return dict(self.terminal.db.execute_sql(
            "SELECT uuid, upload_state FROM document").fetchall())

    def numbers(self, uuids: Iterable[str]) -> list[int]:
        wanted = list(uuids)
        found = dict(self.terminal.db.execute_sql(
            f"SELECT uuid, number FROM document WHERE uuid IN ({', '.join('?' * len(wanted))})",
            wanted).fetchall())
        return [int(found[u]) for u in wanted]


# -- a till database put back from an old copy -------------------------------------------


def copy_till_database(terminal: Terminal, dest: Path) -> Path:
    """A consistent copy of the open till database (SQLite's online backup, as a
    backup tool would take it while the till runs)."""
    source = sqlite3.connect(terminal.db_path)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return dest


def put_back_till_database(copy: Path, data_dir: Path, guard: bytes | None = None) -> None:
    """Replace the (closed) till database in ``data_dir`` with ``copy``; with ``guard``
    (the numbering guard's bytes taken with the copy: a backup of the whole data
    directory) put that back too, else the guard stays as the till left it (only the
    database file was put back)."""
    db = data_dir / "terminal.sqlite3"
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(copy, db)
    if guard is not None:
        (data_dir / GUARD_FILENAME).write_bytes(guard)


# -- a back office put back from an old copy ---------------------------------------------


Snapshot = list[tuple[type[bo.BaseModel], list[dict[str, Any]]]]


def snapshot_office() -> Snapshot:
    """Every row of every back-office table (a backup of the whole database)."""
    return [(model, list(model.select().dicts())) for model in bo.MODELS]


def restore_office(snapshot: Snapshot) -> None:
    """Put every table back as it was in ``snapshot`` (a restore of that backup): rows
    written since are gone, rows changed since have their old values."""
    db = bo.database_proxy.obj
    with db.atomic():
        for model, _rows in reversed(snapshot):
            model.delete().execute()
        for model, rows in snapshot:
            for start in range(0, len(rows), 200):
                model.insert_many(rows[start:start + 200]).execute()


def office_rev(office: BackOffice) -> int:
    return int(bo.RevCounter.get_by_id(office.company_id).rev)


# -- the checker for a till that lost part of its history ---------------------------------


def check_restored(terminal: Terminal, office: BackOffice, *, lost: Iterable[str],
                   cursors_before: dict[str, int] | None = None) -> None:
    """The shared invariants (:func:`invariants.problems`) for a till whose database was
    put back from an old copy: the documents it finished after that copy (``lost``) are
    gone from the till but not from the back office, which must hold each of them
    exactly once. Every other problem is reported as :func:`invariants.check` does.

    The shared checker has no notion of this (it rightly flags any document of the
    till that the till does not hold); only these uuids, each held once, are excused.
    """
    lost = set(lost)
    found = [p for p in problems(terminal, office, cursors_before=cursors_before)
             if not any(p == f"{u}: in the back office (1x) but not on the till" for u in lost)]
    held = {str(u) for (u,) in bo.Transaction.select(bo.Transaction.uuid)
            .where(bo.Transaction.uuid.in_(sorted(lost))).tuples()}
    found += [f"{u}: finished before the restore, missing in the back office"
              for u in sorted(lost - held)]
    assert not found, "invariants broken:\n  " + "\n  ".join(found)


# -- ipos-backoffice serve --workers N, and its workers --------------------------------------


@contextmanager
def serve_workers(db_url: str, log: Path, workers: int = 2) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``ipos-backoffice serve --workers N`` on ``db_url`` (PostgreSQL), as a user starts
    it; yields its URL and the master process once ``/ready`` answers."""
    port = free_port()
    env = {**os.environ, SECRET_ENV: SHOP_PEPPER}
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "ipos_tui.backoffice.cli", "--db", db_url, "serve",
             "--port", str(port), "--workers", str(workers), "--log-level", "info"],
            env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"no answer from {url}: {log.read_text()}"
            time.sleep(0.1)
        wait_for_workers(server.pid, workers)
        yield url, server
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=60)


def worker_pids(master: int) -> list[int]:
    """The live uvicorn workers of ``master`` (its children started by multiprocessing's
    spawn; its resource tracker is not one)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == master and fields[0] != "Z" and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return sorted(found)


def wait_for_workers(master: int, count: int, *, without: int | None = None,
                     seconds: float = 60) -> list[int]:
    """Until ``master`` has ``count`` live workers (none of them ``without``)."""
    deadline = time.monotonic() + seconds
    while True:
        pids = worker_pids(master)
        if len(pids) == count and without not in pids:
            return pids
        assert time.monotonic() < deadline, f"workers of {master}: {pids}"
        time.sleep(0.05)


def worker_on_port(master: int, port: int) -> int | None:
    """The worker of ``master`` holding an established TCP connection whose local port
    is ``port`` (its end of a database connection, say), if any."""
    for pid in worker_pids(master):
        try:
            inodes = {os.readlink(f"/proc/{pid}/fd/{fd}")
                      for fd in os.listdir(f"/proc/{pid}/fd")}
        except OSError:
            continue
        for table in ("tcp", "tcp6"):
            try:
                lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                parts = line.split()
                local, state, inode = parts[1], parts[3], parts[9]
                if (int(local.rsplit(":", 1)[1], 16) == port and state == "01"
                        and f"socket:[{inode}]" in inodes):
                    return pid
    return None


@contextmanager
def till_lock_held(db_url: str, terminal_id: int) -> Iterator[Any]:
    """Hold the till's own write lock of the back office (the advisory lock its ingest
    and its pull bookkeeping take) from outside: a request of that till then waits
    inside its worker, in flight, until this ends. Yields a function that waits until
    a request is waiting for the lock and returns the client port of the database
    connection it waits on (:func:`worker_on_port` finds the worker from it)."""
    import psycopg2

    connection = psycopg2.connect(db_url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)",
                           (_PG_TERMINAL_LOCK_NAMESPACE, terminal_id))

        def wait_for_waiter(seconds: float = 30) -> int:
            deadline = time.monotonic() + seconds
            with connection.cursor() as cursor:
                while True:
                    cursor.execute(
                        "SELECT client_port FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        " AND wait_event = 'advisory' AND datname = current_database()")
                    row = cursor.fetchone()
                    if row is not None:
                        return int(row[0])
                    assert time.monotonic() < deadline, "no request waits for the till's lock"
                    time.sleep(0.02)

        yield wait_for_waiter
    finally:
        connection.close()  # the session's advisory lock goes with it
