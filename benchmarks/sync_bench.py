"""Sync benchmark: a terminal against a real back office on 127.0.0.1, in one run.

Run ``python benchmarks/sync_bench.py [--products 100000] [--sales 10000] [--quick]``.
It is a measuring script, not a test: it asserts nothing about time, it prints a
table with the goals of issue 5 (item 8) and PASS/MISS for each.

Everything runs in one process on the loopback: the back office (FastAPI under
uvicorn, ``EmbeddedServer``, SQLite in a temporary directory) and the terminal
(``open_terminal``, the sync engine's own jobs). What is measured:

1. **Cold products pull** of N products + N barcodes + N prices (one price list):
   ``run_job(ctx, "products")`` on a freshly activated terminal, every page fetched
   and applied to the terminal database, end to end. Against it, the RAW LIMIT of
   the same work measured in the same run: the very same pages (captured from the
   back office beforehand, same page size, gzip level 6 as the back office's
   middleware) served pre-compressed by a bare ASGI callable under the same uvicorn
   on the same loopback, fetched with a bare ``httpx.Client``, decoded, and the same
   rows written with plain ``sqlite3`` ``executemany`` into a database built from
   the terminal's own migrations and pragmas (WAL, ``synchronous=FULL``): one
   transaction per page with its cursor (the durability the design requires),
   ``name_norm``/``name_t9`` derived with the same domain functions, the trigram
   index rebuilt once at the end. Both sides end with identical catalogue rows
   (checked), so the ratio compares equal results.
2. **Bytes on the wire** of that pull per product (its barcode and price included):
   every HTTP byte both ways — request line and headers, response status line,
   headers and gzip body — counted by a wrapping httpx transport. TCP/IP framing
   is not counted.
3. **1 000 price changes** made in the back office, then an incremental products pull.
4. **A no-op sync** (config + users + products with nothing changed): bytes and time.
5. **A 10 000-sale backlog**: small receipts committed with ``ledger.commit_receipt``
   by a cashier logged in from the synced users, then ``upload_job`` timed until all
   are sent; the back office must then hold exactly that many.

``--quick`` is a smoke run (3 000 products, 300 sales, 300 price changes).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import gzip
import math
import os
import platform
import pstats
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs

import httpx
import uvicorn

from ipos_tui.backoffice import models as bo_models
from ipos_tui.backoffice.bulk import import_products
from ipos_tui.backoffice.db import open_database
from ipos_tui.backoffice.embedded import AsgiServer, EmbeddedServer
from ipos_tui.backoffice.page_cache import PageCache
from ipos_tui.backoffice.services import BackOffice, ProductInput
from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine
from ipos_tui.domain.search import normalise, t9_of_normalised
from ipos_tui.domain.validation import product_name_key
from ipos_tui.protocol import PROTOCOL_VERSION, expand_groups
from ipos_tui.sync.activation import activate
from ipos_tui.sync.context import SyncContext
from ipos_tui.sync.progress import CancelToken, ItemDone, ItemFailed, null_observer
from ipos_tui.sync.pull import DEFAULT_PAGE_LIMIT, run_job
from ipos_tui.sync.upload import upload_job
from ipos_tui.store.db import PRAGMAS, Terminal, open_terminal
from ipos_tui.store.migrations import MIGRATIONS, PRODUCT_FTS_TRIGGER_NAMES, PRODUCT_FTS_TRIGGERS
from ipos_tui.domain.records import User

sys.path.insert(0, str(Path(__file__).resolve().parent))
from terminal_bench import ean13, product_name  # noqa: E402  (the shared Polish catalogue)

# -- goals of issue 5, item 8 ------------------------------------------------------

COLD_MAX_RATIO: Final = 3.0
#: Issue 17: the server's share of a cold pull by the next till of a store (its pages
#: already built by the first) within 2x of serving the same pre-built bytes.
COLD_NEXT_SERVER_MAX_RATIO: Final = 2.0
BYTES_PER_PRODUCT_MAX: Final = 30.0
PRICE_PULL_MAX_S: Final = 2.0
NOOP_MAX_BYTES: Final = 1024.0
BACKLOG_MAX_S: Final = 30.0

#: gzip level of the back office's GZipMiddleware (the raw side compresses alike).
GZIP_LEVEL: Final = 6
PEPPER: Final = b"sync-bench-pepper"
CASHIER_ID: Final = "1001"
CASHIER_PIN: Final = "4321"
IMPORT_CHUNK: Final = 20_000

LABEL_COLD: Final = "cold products pull"
LABEL_COLD_SERVER: Final = "  of which HTTP (server + transfer)"
LABEL_COLD_CLIENT: Final = "  of which decode + apply"
LABEL_COLD_NEXT: Final = "cold pull, next till of the store"
LABEL_COLD_NEXT_SERVER: Final = "  of which HTTP (server + transfer)"
LABEL_BYTES: Final = "cold pull: wire bytes per product"
LABEL_PRICES: Final = "price changes: incremental pull"
LABEL_PRICE_BYTES: Final = "price changes: wire bytes"
LABEL_NOOP_BYTES: Final = "no-op sync (config+users+products): bytes"
LABEL_NOOP_TIME: Final = "no-op sync (config+users+products): time"
LABEL_BACKLOG: Final = "backlog upload (upload_job)"
LABEL_BACKLOG_BYTES: Final = "backlog upload: wire bytes per sale"

# -- counting bytes on the wire ------------------------------------------------------


def request_bytes(request: httpx.Request) -> int:
    """HTTP/1.1 bytes of ``request``: request line, headers, body (as h11 writes them)."""
    target = request.url.raw_path
    size = len(request.method) + 1 + len(target) + len(b" HTTP/1.1\r\n")
    size += sum(len(name) + 2 + len(value) + 2 for name, value in request.headers.raw)
    return size + 2 + len(request.read())


def response_head_bytes(response: httpx.Response) -> int:
    """HTTP/1.1 bytes of a response's status line and headers."""
    reason = response.extensions.get("reason_phrase", b"")
    size = len(b"HTTP/1.1 200 ") + len(reason) + 2
    size += sum(len(name) + 2 + len(value) + 2 for name, value in response.headers.raw)
    return size + 2


@dataclass
class WireCount:
    """Bytes both ways and wall time spent inside the transport (server + transfer)."""

    sent: int = 0
    received: int = 0
    body: int = 0
    requests: int = 0
    seconds: float = 0.0

    @property
    def total(self) -> int:
        """Bytes both ways (what a GSM link carries, TCP/IP framing aside)."""
        return self.sent + self.received

    def reset(self) -> None:
        """Start counting the next phase from zero."""
        self.sent = self.received = self.body = self.requests = 0
        self.seconds = 0.0


class _CountingStream(httpx.SyncByteStream):
    """The response body as it comes off the socket (still gzip), counted and timed."""

    def __init__(self, inner: httpx.SyncByteStream, count: WireCount) -> None:
        self._inner = inner
        self._count = count

    def __iter__(self) -> Iterator[bytes]:
        iterator = iter(self._inner)
        while True:
            started = time.perf_counter()
            chunk = next(iterator, None)
            self._count.seconds += time.perf_counter() - started
            if chunk is None:
                return
            self._count.received += len(chunk)
            self._count.body += len(chunk)
            yield chunk

    def close(self) -> None:
        self._inner.close()


class CountingTransport(httpx.BaseTransport):
    """httpx's own HTTP transport, counting every byte it moves (before decoding)."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self.count = WireCount()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        self.count.sent += request_bytes(request)
        self.count.requests += 1
        response = self._inner.handle_request(request)
        self.count.seconds += time.perf_counter() - started
        self.count.received += response_head_bytes(response)
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.stream = _CountingStream(response.stream, self.count)
        return response

    def close(self) -> None:
        self._inner.close()


# -- a live ASGI server on the loopback ------------------------------------------------


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` under uvicorn on 127.0.0.1 (OS-chosen port) in a thread, with the same
    settings as the back office's EmbeddedServer; yields the base URL."""
    with AsgiServer(app, name="raw-asgi") as url:
        yield url

def raw_pages_app(pages: Mapping[int, bytes]) -> Callable[..., Any]:
    """A bare ASGI callable: ``GET ?since=<cursor>`` answers the pre-gzipped page
    captured for that cursor. No framework, no routing, no JSON work."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        query = parse_qs(scope.get("query_string", b"").decode())
        body = pages.get(int(query.get("since", ["0"])[0]))
        if body is None:
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        headers = [
            (b"content-type", b"application/json"),
            (b"content-encoding", b"gzip"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


# -- the back office's catalogue ---------------------------------------------------------


def catalogue_items(count: int, seed: int) -> list[ProductInput]:
    """``count`` products with realistic Polish names (unique, as the back office
    requires), one EAN-13 and one price each, in 71 categories."""
    rng = random.Random(seed)
    seen: set[str] = set()
    items = []
    for index in range(1, count + 1):
        attempt = index
        name, vat, weighed = product_name(attempt)
        while product_name_key(name) in seen:
            attempt += count
            name, vat, weighed = product_name(attempt)
        seen.add(product_name_key(name))
        body = f"{(index * 104_729) % 10**9:09d}"
        items.append(ProductInput(
            line=index, name=name, plu=str(index), vat=vat, unit="kg" if weighed else "szt.",
            price=rng.randint(99, 19_999), barcodes=[ean13("590" + body)],
            category=name.split(" ")[0],
        ))
    return items


@dataclass
class Shop:
    """The back office of the run: its database, price list, store and cashier."""

    office: BackOffice
    price_list: int
    store: int
    import_seconds: float


def build_shop(path: Path, products: int, seed: int) -> Shop:
    """A fresh back office holding ``products`` products and one cashier."""
    office = BackOffice(open_database(f"sqlite:///{path}"), PEPPER)
    office.init_schema()
    office.create_company("Benchmark sp. z o.o.", address="ul. Prosta 1, Warszawa")
    price_list = office.add_price_list("Cennik podstawowy")
    store = office.add_store("Sklep 1", "ul. Prosta 1, Warszawa", price_list_id=price_list)
    office.add_user(CASHIER_ID, "Anna Kowalska", CASHIER_PIN, role="cashier")
    items = catalogue_items(products, seed)
    started = time.perf_counter()
    for start in range(0, len(items), IMPORT_CHUNK):
        import_products(office, items[start : start + IMPORT_CHUNK], price_list)
    return Shop(office, price_list, store, time.perf_counter() - started)


def back_office_sales(terminal_id: int) -> int:
    """Documents of ``terminal_id`` the back office stores."""
    tx = bo_models.Transaction
    return int(tx.select().where(tx.terminal == terminal_id).count())


# -- the raw side ------------------------------------------------------------------------


def capture_pages(base: str, token: str, limit: int) -> dict[int, bytes]:
    """The products stream from zero exactly as the back office sends it to the
    terminal (its protocol version, so the same compact pages; totals on the first
    page only), keyed by ``since``, gzip level 6."""
    pages: dict[int, bytes] = {}
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity",
               "X-Protocol-Version": str(PROTOCOL_VERSION)}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        since, first = 0, True
        while True:
            params: dict[str, Any] = {"since": since, "limit": limit}
            if not first:
                params["totals"] = 0
            response = client.get("/api/v1/sync/products", params=params)
            response.raise_for_status()
            pages[since] = gzip.compress(response.content, GZIP_LEVEL, mtime=0)
            page = response.json()
            since, first = int(page["cursor"]), False
            if not page.get("has_more", False):
                return pages


def page_changes(page: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The changes of a page in either form the back office sends."""
    if "changes" in page:
        return list(page["changes"])
    return expand_groups(page.get("groups", []), page.get("order"))


def open_raw(path: Path) -> sqlite3.Connection:
    """Plain sqlite3 with the terminal's pragmas and its migrations' exact schema."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    for name, value in PRAGMAS.items():
        conn.execute(f"PRAGMA {name} = {value}")
    conn.execute("BEGIN IMMEDIATE")
    for step in MIGRATIONS:
        for statement in step:
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS):d}")
    conn.execute("COMMIT")
    return conn


_RAW_SQL: Final = {
    "vat_rate": "INSERT INTO vat_rate (letter, rate_bp) VALUES (?, ?)",
    "unit": "INSERT INTO unit (name, precision, sync_id) VALUES (?, ?, ?)",
    "category": "INSERT INTO category (id, parent_id, name) VALUES (?, ?, ?)",
    "price": "INSERT INTO price (product_id, price) VALUES (?, ?)",
    "product": (
        "INSERT INTO product (id, plu, name, name_norm, name_t9, unit, precision, vat_letter, "
        "category_id, type, price, active, unit_id, listed, open_price) "
        "VALUES (?, ?, ?, ?, ?, 'szt.', 0, ?, ?, ?, 0, 0, ?, ?, ?)"
    ),
    "barcode": "INSERT INTO barcode (code, product_id, sync_id) VALUES (?, ?, ?)",
    "discount": "INSERT INTO discount (id, name, kind, value, scope) VALUES (?, ?, ?, ?, ?)",
}


def _product_row(wire_id: int, d: Mapping[str, Any]) -> tuple[Any, ...]:
    norm = normalise(d["name"])
    kind = "usluga" if d.get("kind") == "service" else "towar"
    active = int(d.get("active", True))
    return (wire_id, d["plu"], d["name"], norm, t9_of_normalised(norm), d["vat"],
            d.get("category_id"), kind, d["unit_id"], active, int(d.get("open_price", False)))


_RAW_ROW: Final[dict[str, Callable[[Any, Mapping[str, Any]], tuple[Any, ...] | None]]] = {
    "vat_rate": lambda i, d: (str(i), d.get("rate")),
    "unit": lambda i, d: (d["name"], d.get("precision", 0), i),
    "category": lambda i, d: (i, d.get("parent_id"), d["name"]),
    "price": lambda i, d: (i, d["price"]),
    "product": _product_row,
    "barcode": lambda i, d: (d["code"], d["product_id"], i),
    "discount": lambda i, d: (
        (i, d["name"], d["kind"], d["value"], d.get("scope", "line"))
        if d.get("active", True) and d["value"] > 0 else None
    ),
}


def raw_rows(changes: Sequence[Mapping[str, Any]]) -> dict[str, list[tuple[Any, ...]]]:
    """A page's rows per table, derived search forms included."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for change in changes:
        if change["op"] != "upsert":
            raise RuntimeError("the raw side expects a cold feed without deletes")
        row = _RAW_ROW[change["type"]](change["id"], change.get("data") or {})
        if row is not None:
            rows.setdefault(change["type"], []).append(row)
    return rows


def raw_write_page(conn: sqlite3.Connection, rows: Mapping[str, list[tuple[Any, ...]]],
                   cursor: int) -> None:
    """One page's rows and its cursor in one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    for type_, params in rows.items():
        conn.executemany(_RAW_SQL[type_], params)
    conn.execute("INSERT INTO sync_cursor (stream, cursor) VALUES ('products', ?) "
                 "ON CONFLICT (stream) DO UPDATE SET cursor = excluded.cursor", (str(cursor),))
    conn.execute("COMMIT")


def raw_finish(conn: sqlite3.Connection) -> None:
    """Derive each product's sales price, sellability and unit set-wise, rebuild the
    trigram index once and restore its triggers (what the terminal's swap ends with)."""
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE product SET price = p.price, active = product.listed "
                 "FROM price p WHERE p.product_id = product.id")
    conn.execute("UPDATE product SET unit = u.name, precision = u.precision "
                 "FROM unit u WHERE u.sync_id = product.unit_id")
    conn.execute("INSERT INTO product_fts (product_fts) VALUES ('rebuild')")
    for statement in PRODUCT_FTS_TRIGGERS:
        conn.execute(statement)
    conn.execute("COMMIT")


@dataclass
class RawTimes:
    """Where the raw side's time went (s): fetch + decode, row building (the derived
    search forms), executemany + per-page commit, and the final set-wise pass."""

    fetch: float = 0.0
    rows: float = 0.0
    write: float = 0.0
    finish: float = 0.0

    def add(self, name: str, started: float) -> float:
        """Charge the time since ``started`` to ``name``; return now."""
        now = time.perf_counter()
        setattr(self, name, getattr(self, name) + now - started)
        return now


def raw_cold_pull(base: str, conn: sqlite3.Connection, transport: CountingTransport,
                  times: RawTimes) -> int:
    """Fetch every page from the bare server and write its rows; returns the changes."""
    for name in PRODUCT_FTS_TRIGGER_NAMES:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    received = 0
    with httpx.Client(base_url=base, transport=transport,
                      headers={"Accept-Encoding": "gzip"}, timeout=120) as client:
        since = 0
        while True:
            started = time.perf_counter()
            page = client.get("/sync/products", params={"since": since}).json()
            changes = page_changes(page)
            started = times.add("fetch", started)
            rows = raw_rows(changes)
            started = times.add("rows", started)
            received += len(changes)
            since = int(page["cursor"])
            raw_write_page(conn, rows, since)
            times.add("write", started)
            if not page.get("has_more", False):
                break
    started = time.perf_counter()
    raw_finish(conn)
    times.add("finish", started)
    return received


_COMPARED: Final = (
    "SELECT id, plu, name, name_norm, name_t9, unit, precision, vat_letter, category_id, type, "
    "price, active, unit_id, listed, open_price FROM product ORDER BY id",
    "SELECT code, product_id, sync_id FROM barcode ORDER BY code",
    "SELECT product_id, price FROM price ORDER BY product_id",
    "SELECT letter, rate_bp FROM vat_rate ORDER BY letter",
    "SELECT name, precision, sync_id FROM unit ORDER BY name",
    "SELECT id, parent_id, name FROM category ORDER BY id",
    "SELECT count(*) FROM product_fts WHERE product_fts MATCH 'name_norm : \"mle\"'",
)


def check_same_catalogue(terminal: Terminal, raw: sqlite3.Connection) -> None:
    """Both sides must hold the same catalogue, or their times are not comparable."""
    for sql in _COMPARED:
        ours = [tuple(row) for row in terminal.db.execute_sql(sql).fetchall()]
        theirs = [tuple(row) for row in raw.execute(sql).fetchall()]
        if ours != theirs:
            raise RuntimeError(f"catalogues differ ({len(ours)} vs {len(theirs)} rows): {sql}")


# -- the terminal side ---------------------------------------------------------------------


class _JobWatch:
    """Collects a job's failures and its per-item +added ~changed −removed."""

    def __init__(self) -> None:
        self.failed: list[ItemFailed] = []
        self.done: list[ItemDone] = []

    def __call__(self, event: object) -> None:
        if isinstance(event, ItemFailed):
            self.failed.append(event)
        elif isinstance(event, ItemDone):
            self.done.append(event)

    def touched(self) -> int:
        """Rows the job added, changed or removed on the terminal."""
        return sum(d.added + d.changed + d.removed for d in self.done)


def run_checked(ctx: SyncContext, job: str) -> _JobWatch:
    """Run a sync job; a failed job makes the whole benchmark meaningless."""
    watch = _JobWatch()
    if not run_job(ctx, job, watch, CancelToken()) or watch.failed:
        first = watch.failed[0] if watch.failed else None
        raise RuntimeError(f"sync job {job} failed: {first}")
    return watch


def new_terminal(shop: Shop, base: str, data_dir: Path, name: str) -> Terminal:
    """A fresh terminal database activated at the back office (not timed)."""
    _, code = shop.office.add_terminal(shop.store, name)
    terminal = open_terminal(data_dir)
    activate(terminal, base, code, name, sleep=lambda _s: None)
    return terminal


def make_receipts(terminal: Terminal, count: int, seed: int) -> list[Receipt]:
    """``count`` small receipts (1–3 lines) of products from the synced catalogue."""
    rng = random.Random(seed + 1)
    (top,) = terminal.db.execute_sql("SELECT max(id) FROM product WHERE active = 1").fetchone()
    products = []
    while len(products) < min(200, int(top)):
        product = terminal.catalog.product(rng.randint(1, int(top)))
        if product is not None and product.active:
            products.append(product)
    receipts = []
    for _ in range(count):
        lines = []
        for product in rng.sample(products, rng.randint(1, 3)):
            qty = rng.randint(100, 2500) if product.precision == 3 else 1000 * rng.randint(1, 3)
            lines.append(ReceiptLine(plu=product.plu, name=product.name, unit=product.unit,
                                     precision=product.precision, unit_price=product.price,
                                     qty=qty, vat_letter=product.vat_letter,
                                     product_id=product.id))
        receipts.append(Receipt(lines))
    return receipts


def commit_backlog(terminal: Terminal, cashier: User, receipts: Iterable[Receipt]) -> int:
    """Store the receipts as finished cash sales (the till was offline); returns how many."""
    method = next(p for p in terminal.catalog.payment_methods() if p.allows_change)
    count = 0
    for receipt in receipts:
        payment = Payment(method.code, method.name, receipt.total)
        terminal.ledger.commit_receipt(receipt, [payment], cashier=cashier,
                                       now=datetime.now().astimezone())
        count += 1
    return count


# -- the report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A goal: ``limit`` in the row's unit, or, with ``on_ratio``, ours/raw at most it."""

    limit: float
    on_ratio: bool = False

    def describe(self, unit: str) -> str:
        """The goal as the table prints it."""
        if self.on_ratio:
            return f"<= {self.limit:g}x raw"
        return f"<= {self.limit:g} {unit}"


@dataclass(frozen=True)
class Row:
    """One line of the table: ours (and raw, when it has one) in ``unit``; ``items``
    turns seconds into a rate."""

    name: str
    unit: str
    ours: float
    raw: float | None = None
    items: int | None = None
    target: Target | None = None

    @property
    def ratio(self) -> float | None:
        """ours / raw, None for rows without a raw side."""
        if self.raw is None:
            return None
        return self.ours / self.raw if self.raw > 0 else math.inf

    def rate(self, value: float | None) -> float | None:
        """Items per second for a time row."""
        if value is None or self.items is None or self.unit != "s" or value <= 0:
            return None
        return self.items / value

    @property
    def verdict(self) -> str:
        """PASS / MISS against the goal, "-" for rows without one."""
        if self.target is None:
            return "-"
        value = self.ratio if self.target.on_ratio else self.ours
        return "PASS" if value is not None and value <= self.target.limit else "MISS"


@dataclass(frozen=True)
class Report:
    """What a run measured: the machine, the sizes, the rows and notes."""

    machine: dict[str, str]
    sizes: dict[str, int]
    rows: tuple[Row, ...]
    notes: tuple[str, ...]

    def row(self, name: str) -> Row:
        """The row named ``name`` (KeyError if the run has none)."""
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(name)


def fmt_value(value: float | None, unit: str) -> str:
    """A cell in the row's unit ("-" when there is no value)."""
    if value is None:
        return "-"
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    if unit == "B":
        return f"{value:,.0f} B"
    return f"{value:.1f} {unit}"


def fmt_rate(value: float | None) -> str:
    """Items per second, "-" for rows that are not times of a counted batch."""
    return "-" if value is None else f"{value:,.0f}/s"


_HEADER: Final = ("measurement", "items", "ours", "raw", "ratio", "ours rate", "raw rate",
                  "target", "result")


def table_lines(rows: Sequence[Row]) -> list[str]:
    """The result table as aligned text lines."""
    cells = [list(_HEADER)]
    for row in rows:
        ratio = row.ratio
        cells.append([
            row.name,
            "-" if row.items is None else f"{row.items:,}",
            fmt_value(row.ours, row.unit),
            fmt_value(row.raw, row.unit),
            "-" if ratio is None else f"{ratio:.2f}x",
            fmt_rate(row.rate(row.ours)),
            fmt_rate(row.rate(row.raw)),
            row.target.describe(row.unit) if row.target else "-",
            row.verdict,
        ])
    widths = [max(len(line[i]) for line in cells) for i in range(len(_HEADER))]
    text = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                      for i, (cell, w) in enumerate(zip(line, widths))) for line in cells]
    text.insert(1, "-" * len(text[0]))
    return text


_LEGEND: Final = (
    "raw = the same pages pre-gzipped, bare ASGI app under the same uvicorn, bare httpx client,",
    "same rows via sqlite3 executemany into the terminal's schema (WAL, synchronous=FULL), one",
    "transaction per page, trigram index rebuilt once; both catalogues checked identical.",
    "wire bytes = HTTP/1.1 request + response lines, headers and (gzip) bodies, both ways.",
)


def render(report: Report) -> str:
    """The full printed report."""
    lines = ["Sync benchmark: terminal <-> back office on 127.0.0.1 (issue 5, item 8)", ""]
    lines += [f"  {key}: {value}" for key, value in report.machine.items()]
    lines += ["  sizes: " + ", ".join(f"{k} {v:,}" for k, v in report.sizes.items()), ""]
    lines += table_lines(report.rows)
    lines += ["", *(f"  {note}" for note in (*_LEGEND, *report.notes))]
    return "\n".join(lines)


def machine_info(work_dir: Path) -> dict[str, str]:
    """What the numbers were measured on (load average: other work shares the machine)."""
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu count": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "sqlite (python sqlite3)": sqlite3.sqlite_version,
        "httpx / uvicorn": f"{httpx.__version__} / {uvicorn.__version__}",
        "load average at start": load,
        "data dir": str(work_dir),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# -- phases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    """How much the run moves: catalogue, backlog and price changes."""

    products: int
    sales: int
    price_changes: int


@dataclass
class Bench:
    """The shop, the served back office and what was measured so far."""

    shop: Shop
    base: str
    work_dir: Path
    sizes: Sizes
    seed: int
    page_limit: int
    profile: bool
    page_cache: PageCache
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)

    def say(self, text: str) -> None:
        """Progress on stderr, so stdout stays the report."""
        print(text, file=sys.stderr, flush=True)

    def timed(self, label: str, action: Callable[[], Any]) -> tuple[float, Any]:
        """Wall time of ``action()`` (profiled on request, then not timed again)."""
        gc.collect()
        profiler = cProfile.Profile() if self.profile else None
        started = time.perf_counter()
        result = profiler.runcall(action) if profiler else action()
        seconds = time.perf_counter() - started
        if profiler is not None:
            stream = _Text()
            pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(25)
            self.profiles.append(f"--- profile (client thread): {label} ---\n{stream.text}")
        return seconds, result


class _Text:
    """A minimal writable text sink for pstats."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def phase_raw_cold(bench: Bench) -> tuple[sqlite3.Connection, float, float, int, WireCount]:
    """The raw limit: capture the pages, then fetch + insert them the bare way."""
    _, code = bench.shop.office.add_terminal(bench.shop.store, "capture")
    token = bench.shop.office.activate(code, "capture")["token"]
    bench.say("capturing the products pages from the back office ...")
    pages = capture_pages(bench.base, token, bench.page_limit)
    conn = open_raw(bench.work_dir / "raw.sqlite3")
    transport = CountingTransport()
    times = RawTimes()
    with serving(raw_pages_app(pages)) as raw_base:
        bench.say(f"raw cold pull of {len(pages)} pages ...")
        seconds, received = bench.timed(
            "raw", lambda: raw_cold_pull(raw_base, conn, transport, times))
    bench.notes.append(
        f"raw cold pull: fetch + decode {times.fetch:.2f} s (HTTP {transport.count.seconds:.2f} s),"
        f" rows + name_norm/name_t9 {times.rows:.2f} s, executemany + per-page commit "
        f"{times.write:.2f} s, prices/units + trigram rebuild {times.finish:.2f} s"
    )
    return conn, seconds, transport.count.seconds, received, transport.count


def phase_cold(bench: Bench) -> tuple[Terminal, SyncContext, CountingTransport]:
    """Cold products pull through the sync engine against the raw limit."""
    raw, raw_s, raw_http_s, raw_items, raw_wire = phase_raw_cold(bench)
    terminal = new_terminal(bench.shop, bench.base, bench.work_dir / "terminal", "Kasa 1")
    transport = CountingTransport()
    ctx = SyncContext.for_terminal(terminal, transport=transport, sleep=lambda _s: None,
                                   page_limit=bench.page_limit)
    assert ctx is not None
    run_checked(ctx, "config")
    run_checked(ctx, "users")
    transport.count.reset()
    # the first till of the store: no page built yet (the capture above built them)
    bench.page_cache.clear()
    bench.say(f"cold products pull of {bench.sizes.products:,} products (ours) ...")
    seconds, _ = bench.timed("cold products pull", lambda: run_checked(ctx, "products"))
    wire = transport.count
    next_s, next_http_s = phase_cold_next_till(bench, raw)
    try:
        check_same_catalogue(terminal, raw)
    finally:
        raw.close()
    products = bench.sizes.products
    target = Target(COLD_MAX_RATIO, on_ratio=True)
    bench.rows += [
        Row(LABEL_COLD, "s", seconds, raw_s, raw_items, target),
        Row(LABEL_COLD_SERVER, "s", wire.seconds, raw_http_s),
        Row(LABEL_COLD_CLIENT, "s", seconds - wire.seconds, raw_s - raw_http_s),
        Row(LABEL_COLD_NEXT, "s", next_s, raw_s, raw_items),
        Row(LABEL_COLD_NEXT_SERVER, "s", next_http_s, raw_http_s, None,
            Target(COLD_NEXT_SERVER_MAX_RATIO, on_ratio=True)),
        Row(LABEL_BYTES, "B", wire.total / products, raw_wire.total / products, products,
            Target(BYTES_PER_PRODUCT_MAX)),
    ]
    bench.notes.append(
        f"cold pull: {wire.requests} pages of up to {bench.page_limit} changes, "
        f"{wire.total / 1e6:.2f} MB on the wire ({wire.body / products:.1f} B/product gzip "
        f"bodies alone, {wire.sent / wire.requests:.0f} B per request sent)"
    )
    return terminal, ctx, transport


def phase_cold_next_till(bench: Bench, raw: sqlite3.Connection) -> tuple[float, float]:
    """A second till of the store pulls the same catalogue: the back office serves the
    pages the first till's pull built. Returns (seconds, of which HTTP)."""
    terminal = new_terminal(bench.shop, bench.base, bench.work_dir / "terminal2", "Kasa 2")
    transport = CountingTransport()
    ctx = SyncContext.for_terminal(terminal, transport=transport, sleep=lambda _s: None,
                                   page_limit=bench.page_limit)
    assert ctx is not None
    try:
        run_checked(ctx, "config")
        run_checked(ctx, "users")
        transport.count.reset()
        hits = bench.page_cache.stats.hits
        bench.say("cold products pull by the next till of the store ...")
        seconds, _ = bench.timed("next till's cold pull", lambda: run_checked(ctx, "products"))
        check_same_catalogue(terminal, raw)
        bench.notes.append(
            f"next till's cold pull: {bench.page_cache.stats.hits - hits} of "
            f"{transport.count.requests} pages served as built for the first till")
        return seconds, transport.count.seconds
    finally:
        ctx.close()
        terminal.close()


def phase_price_changes(bench: Bench, terminal: Terminal, ctx: SyncContext,
                        transport: CountingTransport) -> None:
    """N prices changed in the back office, then one incremental products pull."""
    rng = random.Random(bench.seed + 2)
    chosen = rng.sample(range(1, bench.sizes.products + 1), bench.sizes.price_changes)
    office = bench.shop.office
    new_prices = {office.product_by_plu(str(i)): rng.randint(99, 19_999) for i in chosen}
    bench.say(f"changing {len(new_prices)} prices in the back office ...")
    for product_id, price in new_prices.items():
        office.set_price(bench.shop.price_list, product_id, price)
    transport.count.reset()
    bench.say("incremental products pull ...")
    seconds, watch = bench.timed("price changes pull", lambda: run_checked(ctx, "products"))
    marks = ", ".join("?" * len(new_prices))
    held = dict(terminal.db.execute_sql(
        f"SELECT id, price FROM product WHERE id IN ({marks})", list(new_prices)).fetchall())
    if held != new_prices:
        raise RuntimeError("the terminal does not hold the changed prices")
    count = len(new_prices)
    bench.rows += [
        Row(LABEL_PRICES, "s", seconds, None, count, Target(PRICE_PULL_MAX_S)),
        Row(LABEL_PRICE_BYTES, "B", float(transport.count.total), None, count),
    ]
    bench.notes.append(f"price changes: the pull touched {watch.touched()} terminal rows "
                       f"in {transport.count.requests} requests")


def phase_noop(bench: Bench, ctx: SyncContext, transport: CountingTransport) -> None:
    """Config + users + products with nothing changed: what the link pays for it."""
    transport.count.reset()

    def noop() -> int:
        return sum(run_checked(ctx, job).touched() for job in ("config", "users", "products"))

    seconds, touched = bench.timed("no-op sync", noop)
    if touched:
        raise RuntimeError(f"the no-op sync changed {touched} rows")
    wire = transport.count
    bench.rows += [
        Row(LABEL_NOOP_BYTES, "B", float(wire.total), None, None, Target(NOOP_MAX_BYTES)),
        Row(LABEL_NOOP_TIME, "s", seconds),
    ]
    bench.notes.append(f"no-op sync: {wire.requests} requests, {wire.sent} B sent, "
                       f"{wire.received} B received ({wire.body} B of bodies)")


def phase_backlog(bench: Bench, terminal: Terminal, ctx: SyncContext,
                  transport: CountingTransport) -> None:
    """Drain a backlog of small sales with the upload job; all must arrive once."""
    cashier = terminal.auth.login(CASHIER_ID, CASHIER_PIN, datetime.now(UTC))
    receipts = make_receipts(terminal, bench.sizes.sales, bench.seed)
    bench.say(f"committing {len(receipts):,} receipts to the ledger ...")
    committed = commit_backlog(terminal, cashier, receipts)
    info = terminal.settings.terminal_info()
    assert info is not None
    before = back_office_sales(info.terminal_id)
    transport.count.reset()
    bench.say("uploading the backlog ...")
    seconds, ok = bench.timed("backlog upload", lambda: upload_job(ctx, null_observer,
                                                                   CancelToken()))
    stored = back_office_sales(info.terminal_id) - before
    pending = terminal.ledger.pending_summary()[0]
    if not ok or stored != committed or pending:
        raise RuntimeError(f"backlog: ok={ok}, back office holds {stored} of {committed}, "
                           f"{pending} still pending")
    wire = transport.count
    bench.rows += [
        Row(LABEL_BACKLOG, "s", seconds, None, committed, Target(BACKLOG_MAX_S)),
        Row(LABEL_BACKLOG_BYTES, "B", wire.total / committed, None, committed),
    ]
    bench.notes.append(f"backlog: back office holds exactly {stored:,} of {committed:,} sales, "
                       f"{wire.requests} requests, {wire.total / 1e6:.2f} MB both ways")


# -- entry point ---------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--products", type=int, default=0, help="catalogue size (100000)")
    parser.add_argument("--sales", type=int, default=0, help="backlog of sales (10000)")
    parser.add_argument("--price-changes", type=int, default=0, help="prices changed (1000)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 3000 products, 300 sales, 300 price changes")
    parser.add_argument("--page-limit", type=int, default=0,
                        help="changes per pull page (the sync engine's default)")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--dir", type=Path, default=None, help="parent of the temporary dir")
    parser.add_argument("--profile", action="store_true",
                        help="also print cProfile of the terminal side (client thread); "
                        "this inflates the times it measures")
    parser.add_argument("--quiet", action="store_true", help="do not print the report")
    return parser.parse_args(argv)


def sizes_from(args: argparse.Namespace) -> Sizes:
    """The CLI's sizes, else the defaults of a full or --quick run."""
    products = args.products or (3000 if args.quick else 100_000)
    changes = args.price_changes or (300 if args.quick else 1000)
    return Sizes(products=products, sales=args.sales or (300 if args.quick else 10_000),
                 price_changes=min(changes, products))


def run(args: argparse.Namespace, work_dir: Path) -> tuple[Report, str]:
    """Build the shop, serve it, measure every phase; return the report and profiles."""
    sizes = sizes_from(args)
    machine = machine_info(work_dir)
    print(f"building a back office of {sizes.products:,} products ...", file=sys.stderr)
    shop = build_shop(work_dir / "backoffice.sqlite3", sizes.products, args.seed)
    page_cache = PageCache()
    server = EmbeddedServer(shop.office, page_cache=page_cache)
    base = server.start()
    try:
        bench = Bench(shop, base, work_dir, sizes, args.seed,
                      args.page_limit or DEFAULT_PAGE_LIMIT, args.profile, page_cache)
        terminal, ctx, transport = phase_cold(bench)
        try:
            phase_price_changes(bench, terminal, ctx, transport)
            phase_noop(bench, ctx, transport)
            phase_backlog(bench, terminal, ctx, transport)
        finally:
            ctx.close()
            terminal.close()
    finally:
        server.stop()
        shop.office.db.close()
    bench.notes.insert(0, f"back office import of the catalogue: {shop.import_seconds:.1f} s "
                          "(not part of any figure)")
    report = Report(machine, {"products": sizes.products, "barcodes": sizes.products,
                              "prices": sizes.products, "price changes": sizes.price_changes,
                              "sales": sizes.sales, "page limit": bench.page_limit},
                    tuple(bench.rows), tuple(bench.notes))
    return report, "\n".join(bench.profiles)


def main(argv: Sequence[str] | None = None) -> Report:
    """Run the benchmark in a fresh temporary directory and print the table."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ipos-sync-bench-", dir=args.dir) as tmp:
        report, profile = run(args, Path(tmp))
    if not args.quiet:
        print(render(report))
        if profile:
            print("\n" + profile)
    return report


if __name__ == "__main__":
    main()
