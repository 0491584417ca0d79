"""A month end on a till against the real back office (uvicorn on 127.0.0.1, nothing
mocked), with an injected clock (issue 14, item 1): sales on 30.11 until 23:50, a
sale tried at 00:05 on 1.12 (refused: the day of 30.11 is still open), the daily
report at 00:10 (dated 30.11), then sales on 1.12 and its report. The till's daily,
monthly and periodic reports and the back office's per-day figures agree day by
day: November holds exactly the sales of 30.11, December those of 1.12.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from ipos_tui.backoffice import documents
from ipos_tui.backoffice.db import open_database
from ipos_tui.demo.backoffice import seed_demo
from ipos_tui.backoffice.embedded import EmbeddedServer
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine
from ipos_tui.store.db import Terminal, open_terminal
from ipos_tui.sync.activation import activate
from ipos_tui.sync.context import SyncContext
from ipos_tui.sync.headless import RowCollector, run_jobs
from ipos_tui.till.reports import parse_month
from ipos_tui.till import Till
from office_db import OfficeBackend

pytestmark = pytest.mark.timeout(120)

WARSAW_WINTER = timezone(timedelta(hours=1))
NOV_30 = datetime(2026, 11, 30, tzinfo=WARSAW_WINTER)
DEC_1 = NOV_30 + timedelta(days=1)


@pytest.fixture
def office(tmp_path: Path, office_backend: OfficeBackend) -> Iterator[tuple[BackOffice, str]]:
    office = BackOffice(open_database(office_backend.url(tmp_path / 'office.sqlite3')), b"month-end-pepper")
    office.init_schema()
    seed_demo(office)
    with EmbeddedServer(office) as url:
        yield office, url


@pytest.fixture
def till(tmp_path: Path, office: tuple[BackOffice, str]) -> Iterator[Terminal]:
    back_office, url = office
    store_id = int(back_office.list_stores()[0]["id"])
    _, code = back_office.add_terminal(store_id, "Kasa 1")
    with open_terminal(tmp_path / "till") as terminal:
        activate(terminal, url, code, "Kasa 1", sleep=lambda _s: None)
        assert sync(terminal, "config", "users", "products")
        yield terminal


def sync(terminal: Terminal, *jobs: str) -> bool:
    ctx = SyncContext.for_terminal(terminal, sleep=lambda _s: None, max_attempts=2)
    assert ctx is not None
    with ctx:
        return run_jobs(ctx, jobs, RowCollector())


def receipt(terminal: Terminal, *plus: str) -> Receipt:
    lines = []
    for plu in plus:
        product = terminal.catalog.find_by_code(plu)
        assert product is not None, plu
        lines.append(ReceiptLine(plu=product.plu, name=product.name, unit=product.unit,
                                 precision=product.precision, unit_price=product.price, qty=1000,
                                 vat_letter=product.vat_letter, product_id=product.id))
    return Receipt(lines)


def test_a_month_end_agrees_day_by_day_on_the_till_and_in_the_back_office(
    office: tuple[BackOffice, str], till: Terminal
) -> None:
    back_office, _url = office
    store_id = int(back_office.list_stores()[0]["id"])
    cashier = till.auth.login("1001", "1111", NOV_30.replace(hour=8))
    reports = Till(till).reports

    def sell(when: datetime, *plus: str, method: str = "gotowka") -> int:
        sale = receipt(till, *plus)
        till.ledger.commit_receipt(sale, [Payment(method, method, sale.total)], cashier=cashier, now=when)
        return sale.total

    november = [
        sell(NOV_30.replace(hour=9), "1", "101"),
        sell(NOV_30.replace(hour=15), "101", "1401", method="karta"),
        sell(NOV_30.replace(hour=23, minute=50), "9"),
    ]
    Till(till).cash.skip_opening(cashier=cashier, now=NOV_30.replace(hour=9))
    # after midnight, with 30.11 still open: every kind of document is refused
    for refused in (
        lambda: sell(DEC_1.replace(minute=5), "1"),
        lambda: Till(till).cash.deposit(5_000, cashier=cashier, now=DEC_1.replace(minute=6)),
    ):
        with pytest.raises(DomainError) as caught:
            refused()
        assert (caught.value.key, caught.value.params["day"]) == ("dayrule2.err_day_open", "30.11.2026")
    first, _ = reports.make_daily_report(cashier, DEC_1.replace(minute=10))
    december = [
        sell(DEC_1.replace(minute=15), "1"),  # 00:15 on 1.12: the new day's first sale
        sell(DEC_1.replace(hour=12), "101", "9", method="karta"),
    ]
    second, _ = reports.make_daily_report(cashier, DEC_1.replace(hour=21))

    # the till: each report holds one calendar day, filed under that day
    assert (first.day, first.sums.receipts, first.sums.total) == (date(2026, 11, 30), 3, sum(november))
    assert (second.day, second.sums.receipts, second.sums.total) == (date(2026, 12, 1), 2, sum(december))
    nov = reports.periodic(*parse_month("11.2026", DEC_1.date()))
    dec = reports.periodic(*parse_month("12.2026", DEC_1.date()))
    assert (nov.sums.total, [r.number for r in nov.reports]) == (sum(november), [1])
    assert (dec.sums.total, [r.number for r in dec.reports]) == (sum(december), [2])
    both = reports.periodic(date(2026, 11, 30), date(2026, 12, 1))
    assert both.sums.total == nov.sums.total + dec.sums.total

    # the back office: the same figures per calendar day
    assert sync(till, "transactions")
    assert till.ledger.pending_summary()[0] == 0
    for report, month in ((first, nov), (second, dec)):
        office_day = documents.sales_report(back_office, report.day, store_id)
        sums = report.sums
        assert (office_day["receipts"], office_day["receipts_total"]) == (sums.receipts, sums.receipts_total)
        assert office_day["net_sales"] == sums.total == month.sums.total
        assert office_day["vat"] == {letter: {"gross": v.gross, "vat": v.vat, "net": v.net}
                                     for letter, v in sums.vat.items()}
        assert office_day["payments"] == sums.payments == month.sums.payments
        assert [r["number"] for r in office_day["daily_reports"]] == [report.number]
        assert office_day["daily_reports"][0]["total"] == sums.total
