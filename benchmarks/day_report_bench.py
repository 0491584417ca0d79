"""Daily report benchmark: ipos_tui.till.reports against raw SQL, in one run.

Run ``python benchmarks/day_report_bench.py [--receipts 5000] [--repeat 7]``. It is a
measuring script, not a test: it asserts nothing about time, it prints a table.

A demo terminal (its catalogue) gets a whole day of documents through its own ledger:
``--receipts`` receipts of 1–6 lines (cash, card or split), one return per 100
receipts, cash deposits and withdrawals, and voided receipts. Then, on that same
database file:

* **ours, sums**: ``ReportService.open_day()`` — what the report will say (receipts,
  returns, VAT per letter, payments, cash operations, voids, first/last receipt);
* **raw**: the least SQL that yields the same figures, on a plain ``sqlite3``
  connection with the terminal's pragmas: the per-type counts and totals, the per-
  letter gross of receipts and returns, the per-method tenders, the cash operations
  and the voids — the same GROUP BY statements over the same rows, without any of
  our Python around them. Its result is checked against ours (same numbers), so the
  ratio compares equal work;
* **ours, whole report**: ``make_daily_report`` once at the end — sums, storing the
  report in the ledger and printing it into the electronic journal (the issue's
  "≤ 10 s locally, excluding upload").

Ours and raw alternate sample by sample, so machine noise hits both alike; medians
are reported. The temporary directory (``--dir`` picks its parent) should be on the
disk the terminal would use.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine
from ipos_tui.domain.vat import vat_totals
from ipos_tui.store.db import PRAGMAS, Terminal, open_terminal
from ipos_tui.demo.terminal import seed_demo
from ipos_tui.store.ledger import DocumentDraft
from ipos_tui.domain.records import DocumentPayment, User
from ipos_tui.till.reports import DaySums
from ipos_tui.till import Till

CASHIER = User(1, "1001", "Anna Kowalska", "kierownik", frozenset())
START = datetime(2026, 11, 26, 7, 0, tzinfo=timezone(timedelta(hours=1)))


def fill_day(terminal: Terminal, receipts: int, seed: int = 7) -> dict[str, int]:
    """A day of documents through the terminal's own ledger; returns what was made."""
    rng = random.Random(seed)
    products = [p for p in terminal.catalog.search("", 400) if p.price > 0 and p.precision == 0]
    step = timedelta(seconds=max(1, int(13 * 3600 / max(receipts, 1))))
    made = defaultdict(int)
    sold = []
    for index in range(receipts):
        now = START + step * index
        lines = [
            ReceiptLine(plu=p.plu, name=p.name, unit=p.unit, precision=p.precision, unit_price=p.price,
                        qty=1000 * rng.randint(1, 3), vat_letter=p.vat_letter, product_id=p.id)
            for p in rng.sample(products, rng.randint(1, 6))
        ]
        receipt = Receipt(lines)
        kind = rng.random()
        if kind < 0.6:
            payments = [Payment("gotowka", "gotówka", receipt.total)]
        elif kind < 0.9:
            payments = [Payment("karta", "karta", receipt.total)]
        else:
            half = receipt.total // 2
            payments = [Payment("gotowka", "gotówka", half), Payment("karta", "karta", receipt.total - half)]
        stored = terminal.ledger.commit_receipt(receipt, payments, cashier=CASHIER, now=now)
        sold.append(stored)
        made["receipts"] += 1
        if index % 100 == 99:
            _return_first_line(terminal, stored.uuid, now)
            made["returns"] += 1
        if index % 250 == 0:
            terminal.ledger.commit_document(
                DocumentDraft("cash_operation", rng.choice(["in", "out"]), rng.randint(1, 500) * 100,
                              extra={"purpose": "deposit"}), cashier=CASHIER, now=now)
            made["cash_operations"] += 1
        if index % 120 == 0:
            terminal.ledger.record_void(receipt, CASHIER, now)
            made["voids"] += 1
    return dict(made)


def _return_first_line(terminal: Terminal, doc_uuid: str, now: datetime) -> None:
    sold = terminal.ledger.get_document(doc_uuid)
    line = sold.lines[0]
    back = replace(line, position=1, original_line=0)
    terminal.ledger.commit_document(
        DocumentDraft("return", "zwrot", line.value, vat_totals([(line.vat_letter, line.value)]), (back,),
                      (DocumentPayment("gotowka", "gotówka", line.value, 0),),
                      extra={"original": {"terminal_id": sold.terminal_id, "number": sold.number}}),
        cashier=CASHIER, now=now)


def raw_sums(conn: sqlite3.Connection) -> dict[str, Any]:
    """The same figures with bare SQL (the whole ledger is one open day here)."""
    counts = {t: (n, s) for t, n, s in conn.execute(
        "SELECT doc_type, count(*), sum(total) FROM document GROUP BY doc_type")}
    gross: dict[str, int] = defaultdict(int)
    for doc_type, letter, value in conn.execute(
            "SELECT d.doc_type, l.vat_letter, sum(l.value) FROM document_line l JOIN document d "
            "ON d.id = l.document_id WHERE d.doc_type IN ('receipt', 'return') GROUP BY 1, 2"):
        gross[letter] += value if doc_type == "receipt" else -value
    payments: dict[str, int] = defaultdict(int)
    for doc_type, method, amount in conn.execute(
            "SELECT d.doc_type, p.method, sum(p.amount - p.change) FROM document_payment p JOIN document d "
            "ON d.id = p.document_id WHERE d.doc_type IN ('receipt', 'return') GROUP BY 1, 2"):
        payments[method] += amount if doc_type == "receipt" else -amount
    cash = dict(conn.execute(
        "SELECT kind, sum(total) FROM document WHERE doc_type = 'cash_operation' GROUP BY kind").fetchall())
    voids = conn.execute("SELECT count(*), coalesce(sum(total), 0) FROM receipt_void").fetchone()
    first_last = conn.execute(
        "SELECT min(created_utc), max(created_utc) FROM document WHERE doc_type = 'receipt'").fetchone()
    return {"receipts": counts.get("receipt", (0, 0)), "returns": counts.get("return", (0, 0)),
            "gross": dict(gross), "payments": dict(payments), "cash": cash, "voids": voids,
            "first_last": first_last}


def _same(ours: DaySums, raw: dict[str, Any]) -> bool:
    return ((ours.receipts, ours.receipts_total) == raw["receipts"]
            and (ours.returns, ours.returns_total) == tuple(v or 0 for v in raw["returns"])
            and {k: v.gross for k, v in ours.vat.items()} == {k: v for k, v in raw["gross"].items() if v}
            and ours.payments == {k: v for k, v in raw["payments"].items() if v}
            and (ours.voids, ours.voids_total) == tuple(raw["voids"]))


def run(receipts: int, repeat: int, parent: Path | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(dir=parent) as tmp:
        directory = Path(tmp) / "till"
        with open_terminal(directory) as terminal:
            seed_demo(terminal)
            started = time.perf_counter()
            made = fill_day(terminal, receipts)
            fill_seconds = time.perf_counter() - started
            conn = sqlite3.connect(terminal.db_path)
            for pragma, value in PRAGMAS.items():
                conn.execute(f"PRAGMA {pragma} = {value}")
            reports = Till(terminal).reports
            ours_times, raw_times = [], []
            ours = raw = None
            for _ in range(repeat):
                started = time.perf_counter()
                ours = reports.open_day()
                ours_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                raw = raw_sums(conn)
                raw_times.append(time.perf_counter() - started)
            assert ours is not None and raw is not None
            same = _same(ours, raw)
            started = time.perf_counter()
            report, _printout = reports.make_daily_report(CASHIER, START + timedelta(hours=14))
            whole = time.perf_counter() - started
            conn.close()
    ours_median, raw_median = statistics.median(ours_times), statistics.median(raw_times)
    return {
        "made": made,
        "fill_seconds": round(fill_seconds, 2),
        "sums_ms_median": round(ours_median * 1000, 2),
        "raw_ms_median": round(raw_median * 1000, 2),
        "ratio": round(ours_median / raw_median, 2) if raw_median else None,
        "same_figures": same,
        "report_seconds": round(whole, 3),
        "report_number": report.number,
        "report_total": report.sums.total,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=None, help="parent of the temporary directory")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.receipts, args.repeat, args.dir)
    if args.json:
        print(json.dumps(result, indent=2))
        return result
    made = result["made"]
    print(f"Daily report over {made.get('receipts', 0)} receipts, {made.get('returns', 0)} returns, "
          f"{made.get('cash_operations', 0)} cash operations, {made.get('voids', 0)} voids "
          f"(filled in {result['fill_seconds']} s)")
    print(f"  sums, ours (ReportService.open_day): {result['sums_ms_median']:>9.2f} ms median")
    print(f"  sums, raw SQL of the same rows:      {result['raw_ms_median']:>9.2f} ms median")
    print(f"  ratio ours / raw:                    {result['ratio']:>9.2f}x   same figures: {result['same_figures']}")
    print(f"  whole daily report (sum, store, print): {result['report_seconds']:.3f} s  (goal <= 10 s)")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
