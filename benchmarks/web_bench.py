"""Benchmark: iPOS web's Asortyment over 100 000 products (list pages and searches).

Builds a back office of N products (one barcode and one price each, by the bulk
import), serves it with uvicorn on 127.0.0.1, signs in as the owner and fetches each
page many times with one keep-alive client, printing p50/p95 in milliseconds against
two raw limits measured in the same run:

* static: the very same HTML bytes served as a fixed response by a bare ASGI app under
  the same uvicorn, fetched by the same httpx client (the cost of the HTTP stack);
* SQL: the page's search statement (the SQL our query builds, same parameters, same
  LIMIT/OFFSET) on a plain sqlite3 connection, no ORM (the cost of the database).

Also prints what a COUNT(*) of the same search would cost per page, which is why the
list reads one row more than a page instead of counting.

    python benchmarks/web_bench.py [--products 100000] [--repeat 200]
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from backoffice_common import build_office, ean13, serve  # noqa: E402

from ipos_tui.backoffice.embedded import AsgiServer  # noqa: E402
from ipos_tui.backoffice.services import BackOffice  # noqa: E402
from ipos_tui.backoffice.services.product_search import PRODUCTS_PER_PAGE  # noqa: E402

OWNER, PASSWORD = "1001", "haslo-benchmarku"
#: The goal of issue 13: a list page and a search page in ≤ 100 ms p95.
GOAL_P95_MS = 100.0


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds of ``samples`` given in seconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    for _ in range(5):  # warm caches and connections
        action()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def sign_in(client: httpx.Client) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]*)"', page.text).group(1)
    response = client.post("/login", data={"login": OWNER, "password": PASSWORD,
                                           "csrf_token": token, "next": "/"})
    if response.status_code != 303:
        raise SystemExit(f"sign-in failed: {response.status_code}")


class StaticPage:
    """A bare ASGI app answering every request with one fixed HTML body."""

    def __init__(self) -> None:
        self.body = b""

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"),
                                (b"content-length", str(len(self.body)).encode())]})
        await send({"type": "http.response.body", "body": self.body})


def bare_sql(office: BackOffice, path: Path, search: str, status: str, page: int,
             repeat: int) -> tuple[list[float], list[float]]:
    """The page's search statement on plain sqlite3: (page query, COUNT(*) of it)."""
    query = office.product_search_query(search, status)
    page_sql, page_params = (query.limit(PRODUCTS_PER_PAGE + 1)
                             .offset((page - 1) * PRODUCTS_PER_PAGE).sql())
    count_sql, count_params = office.product_search_query(search, status).order_by().sql()
    count_sql = f"SELECT COUNT(*) FROM ({count_sql})"
    conn = sqlite3.connect(path)
    page_times = timed(lambda: conn.execute(page_sql, page_params).fetchall(), repeat)
    count_times = timed(lambda: conn.execute(count_sql, count_params).fetchall(),
                        max(20, repeat // 5))
    conn.close()
    return page_times, count_times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    path = Path(tempfile.mkdtemp(prefix="ipos-web-bench-")) / "web.sqlite3"
    office, _, seconds = build_office(path, args.products)
    office.add_user(OWNER, "Właściciel", "1111", role="owner")
    office.set_web_password(OWNER, PASSWORD)
    print(f"catalogue: {args.products:,} products + barcodes + prices imported in "
          f"{seconds:.1f} s")
    middle = args.products // 2
    pages = [
        # (what, URL, search, status, page)
        ("list, first page", "/products", "", "active", 1),
        ("list, page 1000", "/products?page=1000", "", "active", 1000),
        ("list, all products, page 1000", "/products?status=all&page=1000", "", "all", 1000),
        ("filter inactive (there are none)", "/products?status=inactive", "", "inactive", 1),
        ("name search, many hits", "/products?q=numer+12", "numer 12", "active", 1),
        ("name search, one hit", f"/products?q=numer+{middle}", f"numer {middle}", "active", 1),
        ("name search, no hit (whole scan)", "/products?q=brak", "brak", "active", 1),
        ("PLU search", f"/products?q={100_000 + middle}", str(100_000 + middle), "active", 1),
        ("EAN search", f"/products?q={ean13(middle)}", ean13(middle), "active", 1),
    ]
    static = StaticPage()
    results = []
    with serve(office) as base, AsgiServer(static, name="static") as static_base, \
            httpx.Client(base_url=base, timeout=60, follow_redirects=False) as client, \
            httpx.Client(base_url=static_base, timeout=60) as raw_client:
        sign_in(client)
        for what, url, search, status, page in pages:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code}")
            ours = timed(lambda url=url: client.get(url), args.repeat)
            static.body = response.content
            raw_http = timed(lambda: raw_client.get("/"), args.repeat)
            sql, count = bare_sql(office, path, search, status, page, args.repeat)
            results.append((what, len(response.content), percentiles(ours),
                            percentiles(raw_http), percentiles(sql), percentiles(count)))
    print(f"\n{'page':38} {'bytes':>7} {'ours p50':>9} {'ours p95':>9} {'static p50':>10} "
          f"{'SQL p50':>8} {'ratio':>6} {'COUNT(*)':>9}  goal p95 <= {GOAL_P95_MS:.0f} ms")
    failed = False
    for what, size, (p50, p95), (h50, _), (s50, _), (c50, _) in results:
        ratio = p50 / (h50 + s50)
        verdict = "pass" if p95 <= GOAL_P95_MS else "FAIL"
        failed |= verdict == "FAIL"
        print(f"{what:38} {size:7,} {p50:7.1f}ms {p95:7.1f}ms {h50:8.2f}ms {s50:6.2f}ms "
              f"{ratio:5.1f}x {c50:7.2f}ms  {verdict}")
    print("\nratio = ours p50 / (static p50 + SQL p50): the page's rendering, its two small "
          "queries (barcodes, prices of 50 rows), the session check and the framework.\n"
          "COUNT(*) = counting the same search on plain sqlite3 (what a 'page N of M' pager "
          "would add to every page; the list reads one row more than a page instead).")
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
