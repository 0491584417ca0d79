"""A whole shop day through the till layer alone (issue 16): log in, open the shift,
sell for cash and by card, take a line back, pay cash into the drawer and close the
day — offline, no back office — with no Textual loaded.

The day runs in a subprocess (:func:`shop_day`), so what it loads is all it needs;
the test then reads the till's database: the ledger's numbers and totals and the
fiscal printer's electronic journal.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import ipos_tui
from ipos_tui.domain.receipt import Payment
from ipos_tui.till import Till

#: The day starts here (Warsaw winter time); every step takes a minute.
MORNING = datetime(2026, 11, 26, 8, 0, tzinfo=timezone(timedelta(hours=1)))
#: The demo shop's owner ("kierownik": returns, cash and the day close allowed).
OWNER, OWNER_PIN = "1001", "1111"
MLEKO, CHLEB = "1", "2"
#: What a headless till never loads: the UI toolkit.
UI_MODULES = ("textual",)
#: What the sale, the return and the cash operations do not load either: Textual's
#: renderer and the back office's HTTP client. The day close's sync steps load
#: httpx, which loads rich for its command line (:attr:`ipos_tui.till.Till.sync`).
NOT_BEFORE_THE_SYNC = ("rich", "httpx")


class Clock:
    """A till clock that moves a minute each time it is read."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def loaded(names: tuple[str, ...]) -> list[str]:
    """Which of the top-level packages ``names`` this process has imported."""
    return sorted({module.split(".")[0] for module in sys.modules} & set(names))


def _sell(till: Till, cashier: Any, clock: Callable[[], datetime], items: list[tuple[str, int]],
          method: str) -> str:
    """Ring up (code, milli-units) items, pay them by ``method`` ("gotowka": 50 zł
    tendered, change given; "karta": the card app authorises the total), print the
    receipt; its uuid."""
    sale = till.sale
    for code, qty in items:
        product = sale.find(code)
        assert not isinstance(product, tuple)
        sale.add(sale.line(product, qty=qty))
        sale.save(cashier.id)  # as the registration screen does after each line
    total = sale.receipt.total
    card_ids: list[int] = []
    if method == "karta":
        card_ids.append(till.card_app.authorize(total, clock()).id)
        payments = [Payment("karta", "karta", total)]
    else:
        payments = [Payment("gotowka", "gotówka", 5000, 5000 - total)]
    stored = sale.pay(payments, cashier=cashier, now=clock(), card_ids=card_ids)
    till.printouts.print_document(stored.uuid, clock(), till.data_dir)
    return stored.uuid


def shop_day(data_dir: Path) -> dict[str, Any]:
    """The day, as a headless caller (a test, the CLI) runs it; what it saw."""
    clock = Clock(MORNING)
    with Till.open(data_dir) as till:
        terminal = till.terminal
        cashier = terminal.auth.login(OWNER, OWNER_PIN, clock())
        # cash management is on: the shift opens with the opening cash (100 zł)
        till.cash.open_shift(10_000, cashier=cashier, now=clock())
        cash_sale = _sell(till, cashier, clock, [(MLEKO, 2000), (CHLEB, 1000)], "gotowka")
        card_sale = _sell(till, cashier, clock, [(CHLEB, 3000)], "karta")
        # one of two milks back, in cash
        number = terminal.ledger.get_document(cash_sale).number
        source = till.returns.find(str(number), cashier)
        method = next(m for m in till.returns.refund_methods() if m.kind == "cash")
        now = clock()
        returned = till.returns.commit(source, {0: 1000}, method, cashier=cashier, now=now)
        text = till.returns.print_return(returned.uuid, now).text
        assert till.returns.print_correction(returned.uuid, now) is None  # a receipt, not an invoice
        till.printouts.keep(returned.uuid, text, data_dir)
        till.cash.deposit(2_000, reason="drobne", cashier=cashier, now=clock())
        before_close = loaded(UI_MODULES + NOT_BEFORE_THE_SYNC)
        events: list[str] = []
        run = till.day_close.close_day(
            cashier, clock=clock, ask=lambda question: True,
            observer=lambda event: events.append(type(event).__name__),
        )
        return {
            "sales": [cash_sale, card_sale],
            "return": returned.uuid,
            "states": run.states,
            "failures": run.failures,
            "summary": run.summary()[0],
            "report_uuid": run.report_uuid,
            "report_text": run.report_text,
            "failed_pulls": run.failed_pulls,
            "events": events,
            "before_close": before_close,
            "ui_after_close": loaded(UI_MODULES),
        }


def _run_day_in_a_subprocess(data_dir: Path) -> dict[str, Any]:
    here = Path(__file__).resolve().parent
    root = Path(ipos_tui.__file__).resolve().parents[1]
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from test_shop_day_headless import shop_day\n"
        "print(json.dumps(shop_day(Path(sys.argv[1]))))\n"
    )
    path = os.pathsep.join([str(root), str(here), os.environ.get("PYTHONPATH", "")])
    out = subprocess.run(
        [sys.executable, "-c", code, str(data_dir)], check=False, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": path}, timeout=90,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def _with_cash_management(data_dir: Path) -> None:
    """The back office turned cash management on (as a sync would: the catalogue)."""
    from ipos_tui.demo.terminal import demo_snapshot
    from ipos_tui.store.db import open_terminal

    snapshot = demo_snapshot()
    with open_terminal(data_dir) as terminal:
        terminal.catalog.replace_all(
            dataclasses.replace(snapshot, settings={**snapshot.settings, "cash_management": True})
        )


def test_a_shop_day_runs_through_the_till_layer_without_textual(demo_dir: Path) -> None:
    _with_cash_management(demo_dir)
    day = _run_day_in_a_subprocess(demo_dir)

    # nothing of the UI, ever; no rich nor the network client before the day close's sync
    assert day["before_close"] == []
    assert day["ui_after_close"] == []

    # offline and never activated: the network steps fail saying so, the till's own
    # steps run, the report is made and printed
    assert day["states"] == {
        "push": "failed", "config": "failed", "users": "failed", "products": "failed",
        "card": "done", "parked": "done", "report": "done", "vat": "done", "block": "done",
        "upload": "failed", "update": "skipped",  # nothing staged
    }
    assert (day["summary"], day["failures"]) == ("day.done_not_activated", 5)
    assert day["failed_pulls"] == ["config", "users", "products"]
    assert day["events"][-1] == "JobFinished"
    assert day["events"].count("StepFinished") == len(day["states"])

    with Till.open(demo_dir) as till:
        terminal = till.terminal
        db = terminal.db
        # the ledger: each document type numbered from 1 without gaps, in order
        rows = db.execute_sql("SELECT doc_type, kind, number, total, uuid FROM document ORDER BY id").fetchall()
        assert [(doc_type, kind, number) for doc_type, kind, number, _total, _uuid in rows] == [
            ("cash_operation", "in", 1),  # the opening cash
            ("receipt", "paragon", 1),
            ("receipt", "paragon", 2),
            ("return", "zwrot", 1),
            ("cash_operation", "in", 2),  # the deposit
            ("daily_report", "daily", 1),
        ]
        totals = {uuid: total for _type, _kind, _number, total, uuid in rows}
        cash_sale, card_sale = (terminal.ledger.get_document(uuid) for uuid in day["sales"])
        milk = terminal.catalog.find_by_code(MLEKO)
        bread = terminal.catalog.find_by_code(CHLEB)
        assert milk is not None and bread is not None
        assert cash_sale.total == 2 * milk.price + bread.price
        assert card_sale.total == 3 * bread.price
        assert totals[day["return"]] == milk.price
        # the cash the drawer should hold: 100 zł + the cash sale − the refund + 20 zł
        drawer = till.cash.drawer()
        assert drawer.cash == 10_000 + cash_sale.total - milk.price + 2_000
        # the card payment belongs to its receipt
        [payment] = card_sale.payments
        assert (payment.method, payment.amount) == ("karta", card_sale.total)
        # the daily report: two receipts, one return, the takings net of the return
        report = terminal.ledger.get_document(day["report_uuid"])
        assert report.doc_type == "daily_report"
        assert report.total == cash_sale.total + card_sale.total - milk.price
        assert (report.extra["receipts"], report.extra["receipts_total"]) == (2, cash_sale.total + card_sale.total)
        assert (report.extra["returns"], report.extra["returns_total"]) == (1, milk.price)
        assert report.extra["payments"] == {"gotowka": cash_sale.total - milk.price, "karta": card_sale.total}
        assert report.extra["cash_in"] == 10_000 + 2_000
        assert "RAPORT DOBOWY nr 0001" in day["report_text"]
        # nothing is left unsent-and-forgotten: every document waits for the upload
        assert terminal.ledger.pending_summary()[0] == len(rows)

        # the printer's electronic journal: every printout, numbered without gaps
        journal = list(reversed(till.printer.journal()))
        assert [entry.number for entry in journal] == list(range(1, len(journal) + 1))
        assert [entry.kind for entry in journal] == [
            "cash", "receipt", "receipt", "return", "cash", "settlement", "daily_report",
        ]
        assert [entry.document_uuid for entry in journal if entry.kind in ("receipt", "return")] == [
            *day["sales"], day["return"],
        ]
        assert journal[-1].text == day["report_text"]
        # and the data dir keeps each document's printout
        kept = sorted(path.name for path in (demo_dir / "printouts").iterdir())
        assert len(kept) == 4, kept
