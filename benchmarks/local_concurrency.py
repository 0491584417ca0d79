"""Local concurrency (issue 18): the sale path while a big catalogue pull applies,
against the same sales on an idle till.

Run ``python benchmarks/local_concurrency.py [--products 34000] [--idle 300]``
(``--quick``: 8 000 products, 150 idle sales; ``--json`` prints one JSON line). It is
a measuring script, not a test: it prints figures and ratios
(``tests/reliability/test_local_concurrency.py`` asserts the behaviour).

A real back office (SQLite, uvicorn on 127.0.0.1 in a thread) with the small test shop;
a till activated and synced there. Phase 1, idle: ``--idle`` sales rung up through
the till layer (3 lines, each looked up, added and saved; paid; printed: the
:class:`Cashier` of ``tests/reliability/week_support.py``). Then the back office gets
``--products`` new products (3 feed rows each: product, price, barcode) and the till's
products pull runs in its own thread with its own connection, as the app's sync
worker runs it; phase 2: the cashier sells on the main thread for as long as the pull
applies. Phase 3: idle again, ``--idle`` sales (the bigger catalogue, no pull).

Printed: p50/p99/max of the sale path in each phase, the ratios during/idle (p99 is
the one the issue asks for), how many sales overlapped the pull, the pull's time and
rows/s, and that no sale failed (no "database is locked").
"""

from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "tests"), str(HERE.parent / "tests" / "reliability")]

from backoffice_common import percentile  # noqa: E402
from sync.faultproxy import Shop, serve_app  # noqa: E402  (the tests' small shop)
from week_support import Cashier, Clock, bulk_catalogue  # noqa: E402

from ipos_tui.backoffice.api import create_app  # noqa: E402
from ipos_tui.store.db import open_terminal  # noqa: E402
from ipos_tui.sync.progress import CancelToken, ItemFailed  # noqa: E402
from ipos_tui.till import Till  # noqa: E402
from ipos_tui.till.syncing import job_function  # noqa: E402


def timed_sale(cashier: Cashier, index: int, into: list[float]) -> bool:
    started = time.perf_counter()
    ok = cashier.sell(index)
    if ok:
        into.append((time.perf_counter() - started) * 1000)
    return ok


def figures(name: str, values: list[float]) -> dict[str, Any]:
    return {"phase": name, "sales": len(values), "p50 ms": round(percentile(values, 0.5), 2),
            "p99 ms": round(percentile(values, 0.99), 2), "max ms": round(max(values, default=0.0), 2)}


def run(products: int, idle: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shop = Shop.create(root / "office.sqlite3")
        clock = Clock()
        with serve_app(create_app(shop.office)) as base, open_terminal(root / "till") as terminal:
            shop.activate(base, terminal)
            till = Till(terminal)
            assert till.sync.run_here(["config", "users", "products"], lambda _e: None) == []
            user = terminal.auth.login("1001", "1111", clock())
            codes = [str(plu) for (plu,) in terminal.db.execute_sql(
                "SELECT plu FROM product WHERE active AND price > 0 AND precision = 0").fetchall()]
            cashier = Cashier(till, user, codes, clock)
            idle_before: list[float] = []
            for n in range(idle):
                timed_sale(cashier, n, idle_before)

            (list_id,) = shop.office.db.execute_sql(
                f"SELECT price_list_id FROM store WHERE id = {int(shop.store1)}").fetchone()
            rows = bulk_catalogue(shop.office, int(list_id), products)
            failures: list[object] = []

            def pull() -> None:
                till.sync.run_jobs(["products"], job_function,
                                   lambda e: failures.append(e) if isinstance(e, ItemFailed) else None,
                                   CancelToken())

            during: list[float] = []
            worker = threading.Thread(target=pull, name="sync-products")
            started = time.perf_counter()
            worker.start()
            n = idle
            while worker.is_alive():
                timed_sale(cashier, n, during)
                n += 1
            worker.join()
            pull_seconds = time.perf_counter() - started
            idle_after: list[float] = []
            for k in range(idle):
                timed_sale(cashier, n + k, idle_after)
            numbers = cashier.numbers
            gapless = numbers == list(range(1, len(numbers) + 1))
            catalogue = terminal.db.execute_sql("SELECT count(*) FROM product").fetchone()[0]
    phases = [figures("idle, before", idle_before), figures("while the pull applies", during),
              figures("idle, after", idle_after)]
    idle_p99 = percentile(idle_before, 0.99)
    return {
        "products added": products,
        "feed rows": rows,
        "phases": phases,
        "p99 during / idle before": round(percentile(during, 0.99) / idle_p99, 2),
        "p50 during / idle before": round(percentile(during, 0.5) / percentile(idle_before, 0.5), 2),
        "p99 idle after / idle before": round(percentile(idle_after, 0.99) / idle_p99, 2),
        "pull seconds": round(pull_seconds, 2),
        "pull rows/s": round(rows / pull_seconds),
        "pull failures": [str(f) for f in failures[:3]],
        "sale errors": cashier.errors[:5],
        "locked errors": sum("locked" in e for e in cashier.errors),
        "numbers gapless": gapless,
        "till products after": int(catalogue),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=34_000, help="new products (3 feed rows each)")
    parser.add_argument("--idle", type=int, default=300, help="sales in each idle phase")
    parser.add_argument("--quick", action="store_true", help="8 000 products, 150 idle sales")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.products, args.idle = 8_000, 150
    result = run(args.products, args.idle)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return result
    print(f"Local concurrency: sales while {result['feed rows']} catalogue rows apply"
          f" ({result['products added']} products; the pull took {result['pull seconds']} s,"
          f" {result['pull rows/s']} rows/s)")
    print(f"  {'phase':<24} {'sales':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for phase in result["phases"]:
        print(f"  {phase['phase']:<24} {phase['sales']:>6} {phase['p50 ms']:>8.2f} {phase['p99 ms']:>8.2f}"
              f" {phase['max ms']:>8.2f}")
    print(f"  sale p99 while applying / idle: {result['p99 during / idle before']:.2f}x"
          f"   (p50 {result['p50 during / idle before']:.2f}x; idle after / before p99"
          f" {result['p99 idle after / idle before']:.2f}x)")
    print(f"  sales failed: {len(result['sale errors'])} (\"database is locked\": {result['locked errors']});"
          f" numbers gapless: {result['numbers gapless']}; pull failures: {len(result['pull failures'])};"
          f" till products after: {result['till products after']}")
    return result


if __name__ == "__main__":
    outcome = main(sys.argv[1:])
    sys.exit(0 if not outcome["sale errors"] and outcome["numbers gapless"] and not outcome["pull failures"] else 1)
