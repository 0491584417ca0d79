"""Helpers of tests/reliability/test_data_and_time.py (issue 18: master data changed
under pending sales, late sales for a closed day, clock skew).

:class:`ClockTill` is the matrix's till (test_fault_matrix.py ``Till``) with its clock
in the test's hands: every sale, daily report and sync context takes ``till.now``, so a
till whose clock is days off is one assignment. It sells any catalogue product (as the
till's own catalogue has it: name, price, VAT letter) at the rates its ledger would
print. :func:`vat_rates_problems` adds what the shared checker does not compare: the
till's VAT table against the back office's (a tax change must reach the till).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sync.faultproxy import Shop

from ipos_tui.backoffice import models as bo
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine
from ipos_tui.domain.records import User
from ipos_tui.store.db import Terminal
from ipos_tui.sync.context import SyncContext
from ipos_tui.sync.progress import CancelToken
from ipos_tui.sync.pull import pull_stream
from ipos_tui.sync.upload import RETRY_MAX, upload_job
from ipos_tui.till import Till as TillApp

UPLOAD = "/api/v1/transactions"


class ClockTill:
    """A till activated against the shop, its time ``now`` set by the test."""

    def __init__(self, terminal: Terminal, shop: Shop, now: datetime | None = None) -> None:
        self.terminal, self.shop = terminal, shop
        self.now = now or datetime.now(UTC)
        self.sleeps: list[float] = []

    def context(self) -> SyncContext:
        ctx = SyncContext.for_terminal(self.terminal, sleep=self.sleeps.append, max_attempts=3,
                                       clock=lambda: self.now)
        assert ctx is not None
        return ctx

    def sell(self, plu: str, *, qty: int = 1000, cashier: User | None = None) -> str:
        """One receipt of the catalogue product ``plu``, paid in cash; its uuid."""
        product = self.terminal.catalog.find_by_code(plu)
        assert product is not None, plu
        receipt = Receipt([ReceiptLine(product.plu, product.name, product.unit, product.precision,
                                       product.price, qty, product.vat_letter,
                                       product_id=product.id)])
        return self.terminal.ledger.commit_receipt(
            receipt, [Payment("cash", "Gotówka", receipt.total)],
            cashier=cashier or self.shop.cashier, now=self.now).uuid

    def close_day(self, cashier: User | None = None) -> tuple[str, Any]:
        """The daily report at ``now`` (stored in the outbox like a sale): uuid, day."""
        report, _printout = TillApp(self.terminal).reports.make_daily_report(
            cashier or self.shop.cashier, self.now)
        return report.uuid, report.day

    def upload(self) -> bool:
        with self.context() as ctx:
            ok = upload_job(ctx, lambda _e: None, CancelToken())
        self.now += timedelta(seconds=RETRY_MAX + 1)  # the next sync comes later
        return bool(ok)

    def pull(self, stream: str = "products") -> bool:
        with self.context() as ctx:
            return pull_stream(ctx, stream, lambda _e: None, CancelToken()).ok

    def states(self) -> dict[str, tuple[str, str | None]]:
        """uuid -> (upload_state, reject_reason) of every document of the ledger."""
        return {str(u): (str(s), r) for u, s, r in self.terminal.db.execute_sql(
            "SELECT uuid, upload_state, reject_reason FROM document").fetchall()}

    def pending(self) -> int:
        return int(self.terminal.db.execute_sql(
            "SELECT count(*) FROM document WHERE upload_state = 'pending'").fetchone()[0])

    def sync_until_done(self, rounds: int = 6) -> int:
        """Upload rounds until nothing is pending; how many it took."""
        for n in range(1, rounds + 1):
            if self.upload() and self.pending() == 0:
                return n
        raise AssertionError(f"outbox not empty after {rounds} rounds")


def stored(uuid: str) -> bo.Transaction:
    """The one back-office row of ``uuid`` (fails unless there is exactly one)."""
    t = bo.Transaction
    (row,) = t.select().where(t.uuid == uuid)
    return row


def warnings_of(uuid: str) -> list[str]:
    row = stored(uuid)
    return json.loads(row.warnings) if row.warnings else []


def stored_lines(uuid: str) -> list[tuple[Any, ...]]:
    """(product_id, plu, name, vat, unit_price, qty, value) of a stored sale's line rows."""
    li = bo.TransactionLine
    return [tuple(r) for r in li.select(li.product_id, li.plu, li.name, li.vat, li.unit_price,
                                         li.qty, li.value)
            .where(li.transaction == stored(uuid).id).order_by(li.position).tuples()]


def vat_rates_problems(terminal: Terminal, office: BackOffice) -> list[str]:
    """The till's VAT table (letter -> basis points) against the back office's."""
    theirs = {r["letter"]: r["rate_bp"] for r in office.list_vat_rates()}
    ours = {r.letter: r.rate_bp for r in terminal.catalog.vat_rates()}
    return [] if theirs == ours else [f"VAT rates differ: back office {theirs}, till {ours}"]


def naive_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)
