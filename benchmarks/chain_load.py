"""Chain load benchmark: hundreds of simulated tills against one back office, for a fixed time.

Run ``python benchmarks/chain_load.py --tills 500 --seconds 60 --db postgres --workers 4``
(``--db sqlite`` with one worker for the SQLite figure; ``--quick`` for a smoke run).
It is a measuring script, not a test: it prints figures and the invariants at the end.

The back office runs as a user runs it: ``ipos-backoffice init``, then ``serve`` (with
``--workers N`` on PostgreSQL) in its own processes, on a throwaway PostgreSQL server
(``--db postgres``) or a SQLite file. The tills are asyncio tasks speaking the real
protocol over httpx (one connection each, as a till keeps), spread over ``--clients``
processes (one event loop for 500 tills would measure itself). Each activates with its
one-time code, pulls config, users and products from zero (compact pages, as the till
does), then sells at a shop's pace (a sale every ``--sale-every`` seconds on average,
in bursts of up to 5; 1 to 8 lines, 4 on average) and uploads each sale as it is made,
with the till's X-Pending-Count. Some tills (``--offline-share``) lose their link for a
while, keep selling into a backlog and upload it in batches of 100 when they are back.
Every 20 s each till pulls the products stream incrementally. Half way, the owner
changes a price in the back office.

Reported: uploads/s (sales stored per second), upload and pull latency p50/p99 (per
request) as the tills saw them and as the back office's JSON access log says (its own
time), over the whole run and after the opening (once every till has its catalogue:
the opening herd of 500 cold pulls is the worst minute of a chain's day), how late the
clients' event loops ran (their own CPU on a shared machine), errors by kind (HTTP
status or exception), on PostgreSQL the bytes a stored sale takes (for the capacity
estimate in the README), and the invariants at the end, after every till has uploaded
what it holds and pulled once more: every sale made by every till is in the back office
exactly once (none lost, none duplicated) and every till holds the changed price.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))  # the throwaway PostgreSQL of the tests

from backoffice_common import percentile  # noqa: E402
from sync_bench import catalogue_items  # noqa: E402  (the shared Polish catalogue)

from ipos_tui.backoffice.bulk import import_products  # noqa: E402
from ipos_tui.backoffice.db import open_database  # noqa: E402
from ipos_tui.backoffice.security import SECRET_ENV  # noqa: E402
from ipos_tui.backoffice.services import BackOffice  # noqa: E402
from ipos_tui.protocol import PROTOCOL_VERSION, expand_groups  # noqa: E402

SECRET = "chain-load-secret"
CLI = [sys.executable, "-m", "ipos_tui.backoffice.cli"]
UPLOAD_BATCH = 100
PULL_EVERY_S = 20.0
TILLS_PER_STORE = 20


@dataclass
class Stats:
    """What one client process measured. Latencies are (monotonic start, ms) pairs:
    CLOCK_MONOTONIC is one clock for every process of the machine."""

    upload_ms: list[tuple[float, float]] = field(default_factory=list)
    pull_ms: list[tuple[float, float]] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    server_errors: int = 0
    stored: int = 0
    #: sales stored while the run lasted (the rest are backlogs drained after it)
    stored_in_run: int = 0
    #: how late this process's event loop woke a 50 ms sleep (ms): the share of the
    #: latencies above that is the simulated tills' own CPU, not the back office
    loop_lag_ms: list[float] = field(default_factory=list)
    #: when the last till of this process had its catalogue (monotonic)
    opened_at: float = 0.0

    def failed(self, kind: str) -> None:
        self.errors[kind] += 1
        if kind.startswith("5"):
            self.server_errors += 1

    def merge(self, other: Stats) -> None:
        self.upload_ms += other.upload_ms
        self.pull_ms += other.pull_ms
        self.errors.update(other.errors)
        self.server_errors += other.server_errors
        self.stored += other.stored
        self.stored_in_run += other.stored_in_run
        self.loop_lag_ms += other.loop_lag_ms
        self.opened_at = max(self.opened_at, other.opened_at)


@dataclass
class Till:
    name: str
    code: str
    store_id: int
    http: httpx.AsyncClient | None = None
    terminal_id: int = 0
    number: int = 0
    made: list[str] = field(default_factory=list)
    pending: list[dict[str, Any]] = field(default_factory=list)
    prices: dict[int, int] = field(default_factory=dict)
    products: list[tuple[int, str, str, int]] = field(default_factory=list)  # id, plu, vat, price
    cursor: int = 0
    offline_until: float = 0.0


# -- the back office -------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def database(kind: str, work: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{work / 'chain.sqlite3'}"
        return
    from office_db import create_database, throwaway_postgres

    with throwaway_postgres() as server:
        yield create_database(server)


def seed_chain(db_url: str, tills: int, products: int, seed: int) -> tuple[list[Till], int, int]:
    """The company, one store per 20 tills on one price list, the catalogue, a code
    per till. Returns the tills, the price list and the product whose price changes."""
    env = {**os.environ, SECRET_ENV: SECRET}
    subprocess.run([*CLI, "--db", db_url, "init", "--company", "Sieć Sklepów sp. z o.o."],
                   env=env, check=True, capture_output=True, timeout=300)
    office = BackOffice(open_database(db_url), SECRET.encode())
    price_list = office.add_price_list("Cennik sieci")
    items = catalogue_items(products, seed)
    for start in range(0, len(items), 5000):
        import_products(office, items[start : start + 5000], price_list)
    office.add_user("1001", "Anna Kowalska", "1111", role="cashier")
    stores = [office.add_store(f"Sklep {n + 1}", price_list_id=price_list)
              for n in range((tills + TILLS_PER_STORE - 1) // TILLS_PER_STORE)]
    made = []
    for n in range(tills):
        store = stores[n // TILLS_PER_STORE]
        _, code = office.add_terminal(store, f"Kasa {n + 1}")
        made.append(Till(f"Kasa {n + 1}", code, store))
    changed = int(office.list_products()[0]["id"])
    office.db.close()
    return made, price_list, changed


@contextlib.contextmanager
def serving(db_url: str, workers: int, work: Path) -> Iterator[str]:
    port = free_port()
    log = work / "serve.log"
    env = {**os.environ, SECRET_ENV: SECRET}
    with log.open("w") as out, (work / "access.log").open("w") as access:
        server = subprocess.Popen(  # the JSON access log is the server's stderr
            [*CLI, "--db", db_url, "serve", "--port", str(port), "--workers", str(workers),
             "--log-level", "warning"], env=env, stdout=out, stderr=access)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the back office did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=120)


# -- one till ----------------------------------------------------------------------------


async def timed(stats_list: list[tuple[float, float]], stats: Stats,
                call: Any) -> httpx.Response | None:
    """One request, timed. A kept-alive connection the server closed while the till was
    idle is retried once at once, as the till's sync engine does (counted apart)."""
    started = time.monotonic()
    try:
        answer = await call()
    except (httpx.ReadError, httpx.RemoteProtocolError) as exc:
        stats.errors[f"retried:{type(exc).__name__}"] += 1
        started = time.monotonic()
        try:
            answer = await call()
        except httpx.HTTPError as again:
            stats.failed(type(again).__name__)
            return None
    except httpx.HTTPError as exc:
        stats.failed(type(exc).__name__)
        return None
    stats_list.append((started, (time.monotonic() - started) * 1000))
    if answer.status_code >= 400:
        stats.failed(str(answer.status_code))
        return None
    return answer


async def activate(till: Till, base: str, stats: Stats) -> bool:
    for _attempt in range(20):
        answer = await timed([], stats, lambda: till.http.post(  # type: ignore[union-attr]
            f"{base}/api/v1/activate", json={"code": till.code, "name": till.name}))
        if answer is not None:
            body = answer.json()
            till.terminal_id = body["terminal_id"]
            till.number = int(body.get("numbers", {}).get("receipt", 0))
            till.http.headers["Authorization"] = f"Bearer {body['token']}"  # type: ignore[union-attr]
            return True
        await asyncio.sleep(1)
    return False


#: Pages already decoded by this client process, by their bytes: the tills of a store
#: get the very same pages, and decoding them once per till would measure the simulated
#: tills' CPU (on the back office's machine), not the back office.
_DECODED: dict[bytes, tuple[list[tuple[int, str, str, int]], dict[int, int], int, bool]] = {}


def decode_page(content: bytes) -> tuple[list[tuple[int, str, str, int]], dict[int, int], int, bool]:
    """A products page: its products, its prices, its cursor and whether more follow."""
    key = hashlib.blake2b(content, digest_size=16).digest()
    known = _DECODED.get(key)
    if known is not None:
        return known
    page = json.loads(content)
    products: list[tuple[int, str, str, int]] = []
    prices: dict[int, int] = {}
    for change in expand_groups(page.get("groups", []), page.get("order")):
        data = change.get("data") or {}
        if change["type"] == "product" and change["op"] == "upsert":
            products.append((int(change["id"]), str(data.get("plu")), str(data.get("vat", "A")), 0))
        elif change["type"] == "price" and change["op"] == "upsert":
            prices[int(data.get("product_id", change["id"]))] = int(data["price"])
    decoded = (products, prices, int(page["cursor"]), bool(page.get("has_more")))
    if len(_DECODED) < 10_000:
        _DECODED[key] = decoded
    return decoded


async def pull(till: Till, stream: str, stats: Stats, since: int = 0) -> int | None:
    """Every page of ``stream`` after ``since``; remembers products and prices."""
    while True:
        answer = await timed(stats.pull_ms, stats, lambda: till.http.get(  # type: ignore[union-attr]
            f"/api/v1/sync/{stream}", params={"since": since, "limit": 1000}))
        if answer is None:
            return None
        if stream == "products":
            products, prices, since, more = decode_page(answer.content)
            till.products += products
            till.prices.update(prices)
        else:
            page = answer.json()
            since, more = int(page["cursor"]), bool(page.get("has_more"))
        if not more:
            return since


def sale(till: Till, rng: random.Random) -> dict[str, Any]:
    """A receipt of 1 to 8 lines (4 on average, as a corner shop's), paid in cash."""
    till.number += 1
    lines = []
    for _ in range(rng.choice((1, 1, 2, 3, 4, 4, 5, 6, 7, 8))):
        product_id, plu, vat, _ = rng.choice(till.products)
        price = till.prices.get(product_id, 100)
        qty = rng.choice((1000, 1000, 2000, 3000))
        lines.append({"name": f"Towar {plu}", "plu": plu, "product_id": product_id,
                      "vat": vat, "unit_price": price, "qty": qty,
                      "value": price * qty // 1000})
    total = sum(line["value"] for line in lines)
    vat_totals: dict[str, int] = {}
    for line in lines:
        vat_totals[line["vat"]] = vat_totals.get(line["vat"], 0) + line["value"]
    doc_uuid = str(uuid.uuid4())
    till.made.append(doc_uuid)
    return {
        "type": "receipt", "uuid": doc_uuid, "number": till.number, "store_id": till.store_id,
        "created_at": datetime.now(UTC).isoformat(), "cashier_identifier": "1001",
        "lines": lines, "payments": [{"method": "cash", "amount": total, "change": 0}],
        "total": total, "vat_totals": vat_totals,
    }


async def upload(till: Till, stats: Stats) -> None:
    while till.pending:
        batch = till.pending[:UPLOAD_BATCH]
        answer = await timed(stats.upload_ms, stats, lambda: till.http.post(  # type: ignore[union-attr]
            "/api/v1/transactions", json={"documents": batch},
            headers={"X-Pending-Count": str(len(till.pending))}))
        if answer is None:
            return
        results = answer.json()["results"]
        settled = {r["uuid"] for r in results if r["status"] in ("accepted", "duplicate")}
        for result in results:
            if result["status"] == "rejected":
                stats.failed(f"rejected:{result.get('reason')}")
        stats.stored += sum(1 for r in results if r["status"] == "accepted")
        till.pending = [doc for doc in till.pending if doc["uuid"] not in settled]
        if len(settled) < len(batch):
            return


async def run_till(till: Till, base: str, stats: Stats, args: argparse.Namespace,
                   start_at: float, end_at: float, offline: bool, rng: random.Random) -> None:
    await asyncio.sleep(rng.uniform(0, min(10.0, args.seconds / 6)))  # tills open over time
    if not await activate(till, base, stats):
        return
    for stream in ("config", "users"):
        await pull(till, stream, stats)
    cursor = await pull(till, "products", stats)
    till.cursor = cursor or 0
    stats.opened_at = max(stats.opened_at, time.monotonic())
    if offline:  # the link goes down for a third of the run, somewhere in it
        down_at = start_at + rng.uniform(0.1, 0.5) * args.seconds
        till.offline_until = down_at + args.seconds / 3
    else:
        down_at = end_at + 1
    next_pull = time.monotonic() + rng.uniform(0, PULL_EVERY_S)
    while (now := time.monotonic()) < end_at:
        burst = 1 if rng.random() > 0.1 else rng.randint(2, 5)
        for _ in range(burst):
            till.pending.append(sale(till, rng))
        link_up = not (down_at <= now < till.offline_until)
        if link_up:
            await upload(till, stats)
            if now >= next_pull:
                cursor = await pull(till, "products", stats, till.cursor)
                if cursor is not None:
                    till.cursor = cursor
                next_pull = now + PULL_EVERY_S
        await asyncio.sleep(min(rng.expovariate(1 / args.sale_every),
                                max(0.0, end_at - time.monotonic())))


async def finish_till(till: Till, stats: Stats) -> None:
    """After the run: upload what is held and pull once more (retrying, as a till does)."""
    for _ in range(30):
        await upload(till, stats)
        if not till.pending:
            break
        await asyncio.sleep(1)
    for _ in range(10):
        cursor = await pull(till, "products", stats, till.cursor)
        if cursor is not None:
            till.cursor = cursor
            return
        await asyncio.sleep(1)


async def probe_loop(stats: Stats, end_at: float) -> None:
    """How late the event loop wakes: the simulated tills' own CPU shows here."""
    while time.monotonic() < end_at:
        asleep = time.monotonic()
        await asyncio.sleep(0.05)
        stats.loop_lag_ms.append(max(0.0, (time.monotonic() - asleep - 0.05) * 1000))


async def load(tills: list[Till], base: str, args: argparse.Namespace, start_at: float,
               offline: set[int], first: int) -> Stats:
    """One client process: its share of the tills (``first`` is the index of its first
    till in the chain, for the per-till random seeds), from opening to the final upload."""
    stats = Stats()
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    timeout = httpx.Timeout(60.0, connect=10.0)
    headers = {"X-Protocol-Version": str(PROTOCOL_VERSION), "X-Terminal-Version": "0.1.0"}
    for till in tills:
        till.http = httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout,
                                      headers=dict(headers))
    end_at = start_at + args.seconds
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    tasks = [asyncio.create_task(run_till(till, base, stats, args, start_at, end_at,
                                          first + n in offline,
                                          random.Random(args.seed * 1000 + first + n)))
             for n, till in enumerate(tills)]
    await asyncio.gather(probe_loop(stats, end_at), *tasks)
    stats.stored_in_run = stats.stored
    await asyncio.gather(*(finish_till(till, stats) for till in tills))
    for till in tills:
        await till.http.aclose()  # type: ignore[union-attr]
        till.http = None
    return stats


def client_process(tills: list[Till], base: str, args: argparse.Namespace, start_at: float,
                   offline: set[int], first: int) -> tuple[Stats, list[Till]]:
    """Runs in a forked process (``--clients``): one event loop for its tills."""
    stats = asyncio.run(load(tills, base, args, start_at, offline, first))
    return stats, tills


def run_clients(tills: list[Till], base: str, args: argparse.Namespace,
                change_price: Any) -> tuple[Stats, list[Till], float]:
    """The tills split over ``args.clients`` processes (a real chain has one machine per
    till; one Python event loop for 500 would measure itself); the owner changes a price
    half way. Returns the merged figures (times from the start), the tills as they ended
    and the wall-clock time of the start."""
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    rng = random.Random(args.seed)
    offline = set(rng.sample(range(len(tills)), int(len(tills) * args.offline_share)))
    clients = max(1, min(args.clients, len(tills)))
    share = (len(tills) + clients - 1) // clients
    start_at = time.monotonic() + 1.0  # every process starts its clock together
    start_wall = time.time() + 1.0
    owner = threading.Timer(1.0 + args.seconds / 2, change_price)
    owner.start()
    with ProcessPoolExecutor(clients, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = [pool.submit(client_process, tills[k:k + share], base, args, start_at,
                               offline, k) for k in range(0, len(tills), share)]
        results = [future.result() for future in futures]
    owner.join()
    stats = Stats()
    ended: list[Till] = []
    for part, part_tills in results:
        stats.merge(part)
        ended += part_tills
    stats.opened_at -= start_at  # seconds from the start until every till had its catalogue
    for part_stats in (stats.upload_ms, stats.pull_ms):
        part_stats[:] = [(at - start_at, ms) for at, ms in part_stats]
    return stats, ended, start_wall


def server_latencies(access_log: Path, opened_wall: float) -> dict[str, Any]:
    """p50/p99 of the back office's own time per request (its JSON access log), for
    uploads and pulls, over the whole run and after the opening."""
    rows: dict[str, list[tuple[float, float]]] = {"upload": [], "pull": []}
    for line in access_log.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        entry = json.loads(line)
        kind = ("upload" if entry["path"] == "/api/v1/transactions"
                else "pull" if entry["path"].startswith("/api/v1/sync/") else None)
        if kind:
            at = datetime.fromisoformat(entry["ts"]).timestamp()
            rows[kind].append((at, float(entry["ms"])))
    figures: dict[str, Any] = {}
    for kind, values in rows.items():
        every = [ms for _, ms in values]
        later = [ms for at, ms in values if at >= opened_wall]
        figures[f"server {kind} p50 / p99 ms"] = (
            f"{percentile(every, 0.5):.1f} / {percentile(every, 0.99):.1f}")
        figures[f"server {kind} p99 ms after the opening"] = round(percentile(later, 0.99), 1)
    return figures


# -- the run ---------------------------------------------------------------------------


def check(db_url: str, tills: list[Till], changed: int, price_list: int) -> dict[str, int]:
    office = BackOffice(open_database(db_url), SECRET.encode())
    db = office.db
    stored: dict[str, int] = {}
    for (doc_uuid, count) in db.execute_sql(
            "SELECT uuid, count(*) FROM transaction_doc GROUP BY uuid").fetchall():
        stored[doc_uuid] = count
    made = [u for till in tills for u in till.made]
    price = next(p["prices"][price_list] for p in office.list_products() if int(p["id"]) == changed)
    lines = db.execute_sql("SELECT count(*) FROM transaction_line").fetchone()[0]
    size = sales_bytes(db_url, db)
    db.close()
    made_count = max(1, len(made))
    return {
        "sales made": len(made),
        "stored": sum(stored.values()),
        "lost": sum(1 for u in made if u not in stored),
        "duplicated": sum(count - 1 for count in stored.values() if count > 1),
        "still unsent at the end": sum(len(till.pending) for till in tills),
        "tills without the last price": sum(1 for till in tills if till.terminal_id
                                            and till.prices.get(changed) != price),
        "tills not activated": sum(1 for till in tills if not till.terminal_id),
        "lines per sale": round(lines / made_count, 2),  # type: ignore[dict-item]
        **({"database bytes per sale (tables + indexes)": round(size / made_count)}
           if size else {}),
    }


def sales_bytes(db_url: str, db: Any) -> int:
    """On PostgreSQL: the bytes the sales take (documents, lines, payments, with their
    indexes and TOAST), for the capacity estimate in the README. 0 on SQLite."""
    if not db_url.startswith("postgres"):
        return 0
    return int(db.execute_sql(
        "SELECT pg_total_relation_size('transaction_doc') + "
        "pg_total_relation_size('transaction_line') + "
        "pg_total_relation_size('transaction_payment')").fetchone()[0])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tills", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--sale-every", type=float, default=20.0,
                        help="mean seconds between a till's sales (bursts of 2-5 now and then)")
    parser.add_argument("--offline-share", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--clients", type=int, default=4,
                        help="processes the simulated tills are spread over")
    parser.add_argument("--quick", action="store_true", help="50 tills for 20 s")
    parser.add_argument("--json", action="store_true", help="the figures as one JSON object")
    args = parser.parse_args(argv)
    if args.quick:
        args.tills, args.seconds, args.products = 50, 20.0, 500
    with tempfile.TemporaryDirectory(prefix="ipos-chain-") as tmp:
        work = Path(tmp)
        with database(args.db, work) as db_url:
            print(f"seeding {args.tills} tills, {args.products} products ({args.db}) ...",
                  file=sys.stderr)
            tills, price_list, changed = seed_chain(db_url, args.tills, args.products, args.seed)

            def change_price() -> None:
                office = BackOffice(open_database(db_url), SECRET.encode())
                office.set_price(price_list, changed, 4321)
                office.db.close()

            with serving(db_url, args.workers, work) as base:
                print(f"{args.tills} tills for {args.seconds:g} s against {args.workers} "
                      f"worker(s) ...", file=sys.stderr)
                stats, tills, start_wall = run_clients(tills, base, args, change_price)
            server = server_latencies(work / "access.log", start_wall + stats.opened_at)
            invariants = check(db_url, tills, changed, price_list)
    elapsed = args.seconds
    uploads = [ms for _, ms in stats.upload_ms]
    pulls = [ms for _, ms in stats.pull_ms]
    later_uploads = [ms for at, ms in stats.upload_ms if at >= stats.opened_at]
    later_pulls = [ms for at, ms in stats.pull_ms if at >= stats.opened_at]
    figures = {
        "database": args.db, "workers": args.workers, "tills": args.tills,
        "client processes": args.clients,
        "seconds": round(elapsed, 1),
        "opening s (every till activated and pulled)": round(stats.opened_at, 1),
        "uploads/s (sales stored)": round(stats.stored_in_run / elapsed, 1),
        "upload requests": len(uploads),
        "upload p50 / p99 ms": f"{percentile(uploads, 0.5):.1f} / {percentile(uploads, 0.99):.1f}",
        "upload p99 ms after the opening": round(percentile(later_uploads, 0.99), 1),
        "pull requests": len(pulls),
        "pull p50 / p99 ms": f"{percentile(pulls, 0.5):.1f} / {percentile(pulls, 0.99):.1f}",
        "pull p99 ms after the opening": round(percentile(later_pulls, 0.99), 1),
        **server,
        "client loop lag p99 ms": round(percentile(stats.loop_lag_ms, 0.99), 1),
        "5xx": stats.server_errors,
        "errors": {k: v for k, v in stats.errors.items() if not k.startswith("retried:")} or "none",
        "idle connections closed, retried": sum(v for k, v in stats.errors.items()
                                                if k.startswith("retried:")),
        **invariants,
    }
    if uploads:
        figures["upload mean ms"] = round(statistics.fmean(uploads), 1)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return figures
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    return figures


if __name__ == "__main__":
    main()
