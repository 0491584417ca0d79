"""Benchmark: serving a full products pull of N products (+ barcodes + prices).

Prints items/s through the real server (uvicorn + FastAPI on 127.0.0.1, one
keep-alive client, gzip as a terminal would ask for it), bytes on the wire per item,
the cost of a no-op pull, and the ratio against the raw limit: reading the same rows
with plain sqlite3 and serialising them with ``json.dumps``, no framework at all.

    python benchmarks/backoffice_pull.py [--products 100000] [--limit 2000]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from backoffice_common import build_office, serve  # noqa: E402


def pull_everything(base: str, token: str, limit: int) -> tuple[int, int, float, int]:
    """Pull the products stream to the end: (items, wire bytes, seconds, cursor)."""
    items = wire = 0
    since = 0
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        started = time.perf_counter()
        while True:
            response = client.get("/api/v1/sync/products", params={"since": since, "limit": limit})
            response.raise_for_status()
            page = response.json()
            items += len(page["changes"])
            wire += response.num_bytes_downloaded
            since = page["cursor"]
            if not page["has_more"]:
                break
        return items, wire, time.perf_counter() - started, since


def raw_limit(path: Path, limit: int) -> tuple[int, float]:
    """Same rows, plain sqlite3 + json.dumps in pages of ``limit``: (items, seconds)."""
    conn = sqlite3.connect(path)
    started = time.perf_counter()
    items = 0
    queries = (
        "SELECT id, name, plu, vat, unit_id, category_id FROM product ORDER BY id",
        "SELECT id, product_id, code FROM barcode ORDER BY id",
        "SELECT product_id, price FROM price ORDER BY product_id",
    )
    for query in queries:
        cursor = conn.execute(query)
        while rows := cursor.fetchmany(limit):
            changes = [{"op": "upsert", "id": row[0], "rev": index, "data": list(row)}
                       for index, row in enumerate(rows)]
            json.dumps({"changes": changes}, separators=(",", ":"), ensure_ascii=False)
            items += len(rows)
    conn.close()
    return items, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--limit", type=int, default=2000)
    args = parser.parse_args()
    path = Path(tempfile.mkdtemp(prefix="ipos-bench-")) / "pull.sqlite3"
    office, store, seconds = build_office(path, args.products)
    print(f"catalogue: {args.products} products + barcodes + prices imported in {seconds:.1f} s "
          f"({3 * args.products / seconds:,.0f} rows/s)")
    _, code = office.add_terminal(store)
    token = office.activate(code, "bench")["token"]
    with serve(office) as base:
        items, wire, elapsed, cursor = pull_everything(base, token, args.limit)
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}",
                                                  "Accept-Encoding": "gzip"}) as client:
            noop = client.get("/api/v1/sync/products", params={"since": cursor})
            noop_bytes = noop.num_bytes_downloaded
    raw_items, raw_elapsed = raw_limit(path, args.limit)
    served_rate = items / elapsed
    raw_rate = raw_items / raw_elapsed
    print(f"full pull: {items:,} items in {elapsed:.2f} s = {served_rate:,.0f} items/s "
          f"(pages of {args.limit})")
    print(f"wire: {wire / items:.1f} bytes/item gzipped, {wire / 1e6:.1f} MB total")
    print(f"no-op pull: {noop_bytes} bytes of body")
    print(f"raw limit (sqlite3 + json.dumps, no framework): {raw_rate:,.0f} items/s")
    print(f"ratio served/raw: {served_rate / raw_rate:.2f}")


if __name__ == "__main__":
    main()
