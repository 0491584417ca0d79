"""The week offline (issue 18, item 3): one till sells for 7 days without its back
office, closing each day, then reconnects and drains the backlog.

Run ``python benchmarks/offline_week.py`` (7 days x ~7 150 sales = 50 000 sales; a few
minutes) or ``--quick`` (7 days x 300 sales, well under a minute); ``--json`` prints
the figures as one JSON line. It is a measuring script, not a test: it prints figures
and checks the invariants at the end (the exit status is 1 when one does not hold).

Set-up: a real back office (SQLite file, the demo shop seeded, cash management on)
served by uvicorn on 127.0.0.1 in a thread (:class:`~ipos_tui.backoffice.embedded.
EmbeddedServer`); a till activated there and synced (config, users, products), as a
shop's till is on its first day. Then the server stops: connections to its address
are refused for the whole week.

The week, on an injected clock (the till's time is the simulation's, never the
machine's): each morning the cashier logs in and opens the shift with opening cash;
``--sales`` sales a day spread from 8:00 to 20:00, each rung up through the till layer
as the registration screen does (:class:`ipos_tui.till.Sale`: the code looked up,
the line added, the open receipt saved after each line, paid in cash with change or
by card through the card app, printed and kept), 1 to 8 lines (4 on average), some
weighed items; a return of one line every ~250 sales, a cash deposit and a withdrawal
a day; in the evening the shift is closed and the day closed through the till's own
day close (:meth:`ipos_tui.till.day_close.DayCloseService.close_day`): offline, its
push, pulls and upload fail cleanly (the retry waits are recorded, not slept) and
the daily report is stored and printed, waiting in the outbox with the sales.

Measured: the sale path (first code looked up → receipt printed) per day, p50 and
p99, and the ratio last-day p99 / first-day p99 (a growing ledger or outbox must not
slow the sale: ≈1); the commit alone (``Sale.pay``) the same way; and the unsent
count (☁) the app reads after every sale (``ledger.pending_summary``: the top bar and
each request's ``X-Pending-Count``), which must not grow with the outbox. Then the back office
starts again on the same address and the till's own "Synchronizacja transakcji" job
(``till.sync.run_here(["transactions"])``) drains the outbox: the drain time and
documents/s. Checked: the outbox is empty; every document the till made is in the back
office exactly once with its number and total (the reliability suite's checker,
``tests/reliability/invariants.py``); the 7 daily reports are in the back office, each
with the till's total, which equals that day's receipts less its returns as the back
office stored them; the till's database size (MB) before the week and after the drain.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import socket
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "reliability"))  # the shared invariant checker

from backoffice_common import percentile  # noqa: E402
from invariants import problems  # noqa: E402

from ipos_tui.backoffice import models as bo  # noqa: E402
from ipos_tui.backoffice.db import open_database  # noqa: E402
from ipos_tui.backoffice.embedded import EmbeddedServer  # noqa: E402
from ipos_tui.backoffice.services import BackOffice  # noqa: E402
from ipos_tui.demo.backoffice import seed_demo  # noqa: E402
from ipos_tui.domain.errors import DomainError  # noqa: E402
from ipos_tui.domain.receipt import Payment  # noqa: E402
from ipos_tui.domain.records import User  # noqa: E402
from ipos_tui.store.db import Terminal  # noqa: E402
from ipos_tui.sync.context import SyncContext  # noqa: E402
from ipos_tui.sync.progress import ItemFailed, null_observer  # noqa: E402
from ipos_tui.till import Till  # noqa: E402

PEPPER = b"offline-week-pepper"
#: The first day of the week (Warsaw winter time).
MONDAY = datetime(2026, 11, 23, 0, 0, tzinfo=timezone(timedelta(hours=1)))
OWNER, OWNER_PIN = "1001", "1111"
OPEN_H, CLOSE_H = 8, 20
RETURN_EVERY = 250
OPENING_CASH = 20_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def file_mb(terminal: Terminal) -> float:
    """The till's database with its WAL, in MB (checkpointed first: the file itself)."""
    terminal.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    path = Path(terminal.db_path)
    size = sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    return round(size / 1e6, 2)


class WeekClock:
    """The till's clock: the simulation sets it; every read is that time."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Day:
    """What one day of selling measured and made."""

    day: date
    sale_ms: list[float] = field(default_factory=list)
    pay_ms: list[float] = field(default_factory=list)
    status_ms: list[float] = field(default_factory=list)
    #: the sale path's CPU time (this process): what the ledger's growth would show,
    #: unlike the wall time, which a shared machine's load moves from day to day
    cpu_ms: list[float] = field(default_factory=list)
    made: Counter[str] = field(default_factory=Counter)
    report_uuid: str | None = None
    close_states: dict[str, str] = field(default_factory=dict)

    def figures(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "sales": self.made["receipts"],
            "sale p50 ms": round(percentile(self.sale_ms, 0.50), 2),
            "sale p99 ms": round(percentile(self.sale_ms, 0.99), 2),
            "sale cpu p50 ms": round(percentile(self.cpu_ms, 0.50), 2),
            "sale cpu p99 ms": round(percentile(self.cpu_ms, 0.99), 2),
            "pay p50 ms": round(percentile(self.pay_ms, 0.50), 2),
            "pay p99 ms": round(percentile(self.pay_ms, 0.99), 2),
            "unsent count p99 ms": round(percentile(self.status_ms, 0.99), 3),
            "returns": self.made["returns"],
            "cash operations": self.made["cash_operations"],
            "day close": "report stored" if self.report_uuid else "NO REPORT",
            "day close offline steps failed": sorted(s for s, v in self.close_states.items() if v == "failed"),
        }


class Shop:
    """The week's till and what it sells."""

    def __init__(self, till: Till, clock: WeekClock, seed: int, sleeps: list[float]) -> None:
        self.till, self.clock, self.sleeps = till, clock, sleeps
        self.rng = random.Random(seed)
        terminal = till.terminal
        db = terminal.db
        # what a cashier scans or types: barcodes of piece goods, PLUs of weighed ones
        self.codes = [str(code) for (code,) in db.execute_sql(
            "SELECT b.code FROM barcode b JOIN product p ON p.id = b.product_id"
            " WHERE p.active AND p.price > 0 AND p.precision = 0").fetchall()]
        self.weighed = [str(plu) for (plu,) in db.execute_sql(
            "SELECT plu FROM product WHERE active AND price > 0 AND precision > 0").fetchall()]
        methods = terminal.catalog.payment_methods()
        self.cash = next(m for m in methods if m.kind == "cash")
        self.card = next(m for m in methods if m.kind == "card")
        self.refund = next(m for m in till.returns.refund_methods() if m.kind == "cash")
        self.recent: list[int] = []  # receipt numbers a customer may bring back

    def context_factory(self) -> Callable[[Terminal], Any]:
        """The day close's sync context: the stored connection, the week's clock and
        the retry waits recorded instead of slept."""

        @contextmanager
        def factory(terminal: Terminal) -> Iterator[SyncContext | None]:
            context = SyncContext.for_terminal(terminal, sleep=self.sleeps.append, clock=self.clock)
            if context is None:
                yield None
                return
            with context:
                yield context

        return factory

    def sell(self, cashier: User, day: Day) -> None:
        """One customer: 1–8 lines, cash (with change) or card; timed end to end."""
        till, rng, clock = self.till, self.rng, self.clock
        sale = till.sale
        lines = min(8, max(1, round(rng.gauss(4, 2))))
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(lines):
            if self.weighed and rng.random() < 0.1:
                product = sale.find(rng.choice(self.weighed))
                assert not isinstance(product, tuple)
                sale.add(sale.line(product, qty=rng.randint(150, 2500)))
            else:
                product = sale.find(rng.choice(self.codes))
                assert not isinstance(product, tuple)
                sale.add(sale.line(product, qty=1000 * rng.choice((1, 1, 1, 2, 3))))
            sale.save(cashier.id)  # as the registration screen does after each line
        total = sale.receipt.payable  # the fiscal total and any deposits ("kaucja")
        card_ids: list[int] = []
        if rng.random() < 0.45:
            card_ids.append(till.card_app.authorize(total, clock()).id)
            payments = [Payment(self.card.code, self.card.name, total)]
        else:
            tendered = -(-total // 1000) * 1000 + rng.choice((0, 0, 1000, 5000))
            payments = [Payment(self.cash.code, self.cash.name, tendered, tendered - total)]
        paying = time.perf_counter()
        stored = sale.pay(payments, cashier=cashier, now=clock(), card_ids=card_ids)
        day.pay_ms.append((time.perf_counter() - paying) * 1000)
        till.printouts.print_document(stored.uuid, clock(), till.data_dir)
        day.sale_ms.append((time.perf_counter() - started) * 1000)
        day.cpu_ms.append((time.process_time() - cpu) * 1000)
        counting = time.perf_counter()  # what the app does next: the top bar's ☁ count
        till.terminal.ledger.pending_summary()
        day.status_ms.append((time.perf_counter() - counting) * 1000)
        day.made["receipts"] += 1
        self.recent = [*self.recent[-50:], stored.number]

    def give_back(self, cashier: User, day: Day) -> None:
        """A customer brings back the first line of a recent receipt (cash refund)."""
        till, clock = self.till, self.clock
        number = self.rng.choice(self.recent)
        source = till.returns.find(str(number), cashier)
        first = source.lines[0]
        if not first.returnable:
            return
        try:
            returned = till.returns.commit(source, {first.index: first.returnable}, self.refund,
                                           cashier=cashier, now=clock())
        except DomainError:  # already returned, or a weighed line's precision: another day
            return
        till.printouts.keep(returned.uuid, till.returns.print_return(returned.uuid, clock()).text,
                            till.data_dir)
        day.made["returns"] += 1

    def run_day(self, index: int, sales: int) -> Day:
        till, clock, rng = self.till, self.clock, self.rng
        morning = MONDAY + timedelta(days=index, hours=OPEN_H)
        day = Day(morning.date())
        clock.now = morning - timedelta(minutes=10)
        cashier = till.terminal.auth.login(OWNER, OWNER_PIN, clock())
        if till.cash.begin_after_login(cashier=cashier, now=clock()):
            till.cash.open_shift(OPENING_CASH, cashier=cashier, now=clock())
            day.made["cash_operations"] += 1
        step = timedelta(hours=CLOSE_H - OPEN_H) / max(1, sales)
        for n in range(sales):
            clock.now = morning + step * n
            self.sell(cashier, day)
            if n % RETURN_EVERY == RETURN_EVERY - 1:
                self.give_back(cashier, day)
            if n == sales // 3:  # change for the drawer
                till.cash.deposit(5_000 + 100 * rng.randint(0, 50), reason="drobne", cashier=cashier,
                                  now=clock())
                day.made["cash_operations"] += 1
            if n == (2 * sales) // 3:  # the takings to the safe
                cash = till.cash.drawer().cash
                if cash > 10_000:
                    till.cash.withdraw(cash // 2, reason="sejf", cashier=cashier, now=clock())
                    day.made["cash_operations"] += 1
        clock.now = morning.replace(hour=CLOSE_H, minute=30)
        till.cash.close_shift(cashier=cashier, now=clock(), counted=till.cash.drawer().cash)
        clock.now = morning.replace(hour=CLOSE_H, minute=45)
        run = till.day_close.close_day(cashier, clock=clock, ask=lambda _question: True,
                                       context_factory=self.context_factory())
        day.report_uuid = run.report_uuid
        day.close_states = dict(run.states)
        return day


def build_office(path: Path) -> tuple[BackOffice, int]:
    """The demo shop's back office with cash management on; its first store's id."""
    office = BackOffice(open_database(f"sqlite:///{path}"), PEPPER)
    office.init_schema()
    seeded = seed_demo(office)
    office.set_setting("cash_management", True)
    return office, int(seeded["stores"][0])


def daily_reports(terminal: Terminal, terminal_id: int) -> list[dict[str, Any]]:
    """Each daily report the till made, next to the back office's copy and the back
    office's own sums of that day (receipts less returns)."""
    till_rows = terminal.db.execute_sql(
        "SELECT uuid, number, total, created_local FROM document WHERE doc_type = 'daily_report'"
        " ORDER BY number").fetchall()
    out = []
    previous_upto = 0
    for uuid, number, total, created_local in till_rows:
        (upto,) = terminal.db.execute_sql(
            "SELECT json_extract(extra, '$.upto_document') FROM document WHERE uuid = ?", (uuid,)).fetchone()
        day_uuids = [u for (u,) in terminal.db.execute_sql(
            "SELECT uuid FROM document WHERE id > ? AND id <= ? AND doc_type IN ('receipt', 'return')",
            (previous_upto, upto)).fetchall()]
        previous_upto = upto
        t = bo.Transaction
        office_rows = list(t.select(t.total).where(t.uuid == uuid, t.terminal == terminal_id))
        sums = {doc_type: 0 for doc_type in ("receipt", "return")}
        for start in range(0, len(day_uuids), 500):
            for row in t.select(t.doc_type, t.total).where(t.uuid.in_(day_uuids[start:start + 500])):
                sums[row.doc_type] += int(row.total)
        out.append({
            "number": int(number),
            "day": str(created_local)[:10],
            "till total": int(total),
            "back office copies": len(office_rows),
            "back office total": int(office_rows[0].total) if office_rows else None,
            "back office receipts - returns": sums["receipt"] - sums["return"],
        })
    return out


def run(days: int, sales: int, seed: int, parent: Path | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(dir=parent) as tmp:
        root = Path(tmp)
        office, store_id = build_office(root / "office.sqlite3")
        port = free_port()
        sleeps: list[float] = []
        clock = WeekClock(MONDAY + timedelta(hours=7))
        with EmbeddedServer(office, port=port) as url, Till.open(root / "till") as till:
            _, code = office.add_terminal(store_id, "Kasa 1")
            till.sync.activate(url, code, "Kasa 1")
            failed = till.sync.run_here(["config", "users", "products"], null_observer)
            assert failed == [], f"the first sync failed: {failed}"
        # the back office is gone for the week: its address refuses connections
        with Till.open(root / "till") as till:
            terminal = till.terminal
            info = terminal.settings.terminal_info()
            assert info is not None
            size_before = file_mb(terminal)
            shop = Shop(till, clock, seed, sleeps)
            week: list[Day] = []
            started = time.perf_counter()
            for index in range(days):
                week.append(shop.run_day(index, sales))
                print(f"day {index + 1}: sale p99 {week[-1].figures()['sale p99 ms']} ms",
                      file=sys.stderr, flush=True)
            week_seconds = time.perf_counter() - started
            pending_before, _oldest = terminal.ledger.pending_summary()
            size_week = file_mb(terminal)
            documents = terminal.db.execute_sql("SELECT count(*) FROM document").fetchone()[0]

            # back again, on the same address
            failures: list[str] = []

            def observer(event: object) -> None:
                if isinstance(event, ItemFailed):
                    failures.append(f"{event.item}: {event.key} {event.params}")

            with EmbeddedServer(office, port=port):
                rounds = 0
                started = time.perf_counter()
                while terminal.ledger.pending_summary()[0] and rounds < 5:
                    rounds += 1
                    till.sync.run_here(["transactions"], observer)
                drain_seconds = time.perf_counter() - started
            pending_after, _oldest = terminal.ledger.pending_summary()
            size_after = file_mb(terminal)
            found = problems(terminal, office, catalogue=True)
            reports = daily_reports(terminal, info.terminal_id)
            journal = len(till.printer.journal())

    first, last = week[0], week[-1]
    p99_first = percentile(first.sale_ms, 0.99)
    p99_last = percentile(last.sale_ms, 0.99)
    reports_ok = (len(reports) == days and all(
        r["back office copies"] == 1 and r["back office total"] == r["till total"]
        == r["back office receipts - returns"] for r in reports))
    return {
        "days": days,
        "sales per day": sales,
        "sales made": sum(d.made["receipts"] for d in week),
        "returns": sum(d.made["returns"] for d in week),
        "cash operations": sum(d.made["cash_operations"] for d in week),
        "documents": int(documents),
        "per day": [d.figures() for d in week],
        "sale p99 last/first day": round(p99_last / p99_first, 2),
        "sale cpu p99 last/first day": round(percentile(last.cpu_ms, 0.99) / percentile(first.cpu_ms, 0.99), 2),
        "sale cpu p50 last/first day": round(percentile(last.cpu_ms, 0.5) / percentile(first.cpu_ms, 0.5), 2),
        "pay p99 last/first day": round(percentile(last.pay_ms, 0.99) / percentile(first.pay_ms, 0.99), 2),
        "sale p50 last/first day": round(percentile(last.sale_ms, 0.5) / percentile(first.sale_ms, 0.5), 2),
        "unsent count p99 last/first day": round(
            percentile(last.status_ms, 0.99) / percentile(first.status_ms, 0.99), 2),
        "week seconds": round(week_seconds, 1),
        "offline retry waits recorded": len(sleeps),
        "pending before the drain": int(pending_before),
        "drain seconds": round(drain_seconds, 2),
        "drain documents/s": round(pending_before / drain_seconds, 1) if drain_seconds else None,
        "drain rounds": rounds,
        "drain failures": failures[:5],
        "pending after the drain": int(pending_after),
        "daily reports": reports,
        "daily reports ok": reports_ok,
        "printer journal entries": journal,
        "till db MB before": size_before,
        "till db MB after the week": size_week,
        "till db MB after the drain": size_after,
        "invariant problems": found[:10],
        "invariants ok": not found and pending_after == 0 and reports_ok,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--sales", type=int, default=7_150, help="sales a day (default: 50 000 a week)")
    parser.add_argument("--quick", action="store_true", help="7 days x 300 sales")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--dir", type=Path, default=None, help="parent of the temporary directory")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.sales = 300
    result = run(args.days, args.sales, args.seed, args.dir)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"The week offline: {result['days']} days x {result['sales per day']} sales"
              f" ({result['sales made']} sales, {result['returns']} returns,"
              f" {result['cash operations']} cash operations, {result['documents']} documents;"
              f" simulated in {result['week seconds']} s)")
        print(f"  {'day':<11} {'sales':>6} {'sale p50':>9} {'sale p99':>9} {'pay p50':>8} {'pay p99':>8}"
              f" {'cpu p50':>8} {'cpu p99':>8} {'☁ p99':>7}  day close")
        for d in result["per day"]:
            print(f"  {d['day']:<11} {d['sales']:>6} {d['sale p50 ms']:>9.2f} {d['sale p99 ms']:>9.2f}"
                  f" {d['pay p50 ms']:>8.2f} {d['pay p99 ms']:>8.2f} {d['sale cpu p50 ms']:>8.2f}"
                  f" {d['sale cpu p99 ms']:>8.2f} {d['unsent count p99 ms']:>7.3f}"
                  f"  {d['day close']}"
                  f" (offline, failed: {', '.join(d['day close offline steps failed']) or '-'})")
        print(f"  sale p99 last day / first day: {result['sale p99 last/first day']:.2f}x"
              f"   (p50 {result['sale p50 last/first day']:.2f}x, commit p99 {result['pay p99 last/first day']:.2f}x,"
              f" ☁ count p99 {result['unsent count p99 last/first day']:.2f}x; flat is 1)")
        print(f"  sale CPU p99 last day / first day: {result['sale cpu p99 last/first day']:.2f}x"
              f"   (p50 {result['sale cpu p50 last/first day']:.2f}x; the wall times above move with the"
              " machine's load, the CPU time with the till's own work)")
        print("  (ms; sale: first code looked up -> receipt printed; pay: Sale.pay, the commit;"
              " cpu: the sale's CPU time; ☁: the unsent count the app reads after each sale)")
        print(f"  drain: {result['pending before the drain']} documents in {result['drain seconds']} s"
              f" = {result['drain documents/s']} documents/s ({result['drain rounds']} run(s) of the"
              f" transactions job); left in the outbox: {result['pending after the drain']}")
        for r in result["daily reports"]:
            print(f"  daily report {r['number']:>2} {r['day']}: till {r['till total']}, back office"
                  f" {r['back office total']} ({r['back office copies']}x), its receipts - returns"
                  f" {r['back office receipts - returns']}")
        print(f"  till database: {result['till db MB before']} MB before, {result['till db MB after the week']}"
              f" MB after the week, {result['till db MB after the drain']} MB after the drain")
        print(f"  invariants (every document once, same number and total; catalogue; outbox empty;"
              f" {result['days']} reports equal): {'OK' if result['invariants ok'] else 'BROKEN'}")
        for problem in result["invariant problems"]:
            print(f"    {problem}")
    return result


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1:])["invariants ok"] else 1)
