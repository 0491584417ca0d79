"""Property tests of the fiscal day rule (issue 14, items 1 and 9), with an injected
clock across midnights and month ends.

The pure rule: a document is refused exactly when the open day began on an earlier
local date (any option), or under "block" once the set time has passed on a day
begun before it. Through the ledger: whatever sequence of sales, returns, cash
operations and daily reports the clock drives, no daily report mixes two calendar
days, each report is dated by its documents' day, every sale the ledger accepted
lands in the month of its own calendar day, and a refused commit stores nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from terminal_support import CASHIER, receipt_of

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.fiscal_day import ERR_BLOCK_TIME, ERR_DAY_OPEN, day_refusal
from ipos_tui.domain.receipt import Payment
from ipos_tui.store.db import Terminal
from ipos_tui.store.ledger import DocumentDraft
from ipos_tui.till.reports import month_range
from ipos_tui.till import Till

WINTER = timezone(timedelta(hours=1))
SUMMER = timezone(timedelta(hours=2))
#: around month ends: the last days of a month and the first of the next
MONTH_ENDS = st.sampled_from([date(2026, 11, 30), date(2026, 12, 31), date(2027, 2, 28),
                              date(2028, 2, 29), date(2027, 3, 31), date(2027, 6, 30)])

moments = st.builds(
    lambda day, minutes, zone: datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(minutes=minutes),
    MONTH_ENDS, st.integers(-3 * 1440, 3 * 1440), st.sampled_from([WINTER, SUMMER]),
)


@given(started=moments, gap=st.integers(0, 4 * 1440), option=st.sampled_from(["off", "reminder"]))
def test_refused_exactly_when_the_open_day_began_on_an_earlier_date(
    started: datetime, gap: int, option: str
) -> None:
    now = started + timedelta(minutes=gap)
    refusal = day_refusal(started, now, option=option, at="20:00")
    if started.date() < now.date():
        assert refusal is not None and refusal.key == ERR_DAY_OPEN
        assert refusal.params == {"day": started.strftime("%d.%m.%Y")}
    else:
        assert refusal is None
    assert day_refusal(None, now, option=option) is None  # nothing open: nothing refused


@given(started=moments, gap=st.integers(0, 1440), hour=st.integers(0, 23), minute=st.integers(0, 59))
def test_block_refuses_from_the_set_time_a_day_begun_before_it(
    started: datetime, gap: int, hour: int, minute: int
) -> None:
    now = started + timedelta(minutes=gap)
    at = f"{hour:02d}:{minute:02d}"
    refusal = day_refusal(started, now, option="block", at=at)
    limit = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if started.date() < now.date():
        assert refusal is not None and refusal.key == ERR_DAY_OPEN
    elif now >= limit > started:
        assert refusal is not None and refusal.key == ERR_BLOCK_TIME and refusal.params["time"] == at
    else:
        assert refusal is None


# -- through the ledger ------------------------------------------------------------------

#: one step of the till's life: minutes since the previous step, and what is done then
steps = st.lists(
    st.tuples(st.integers(1, 2 * 1440), st.sampled_from(["sale", "sale", "sale", "cash", "report"])),
    min_size=1, max_size=14,
)


_EXAMPLES = itertools.count(1)


def _sell(terminal: Terminal, now: datetime) -> int:
    receipt = receipt_of(terminal, [("1", 1000)])
    terminal.ledger.commit_receipt(receipt, [Payment("gotowka", "gotówka", receipt.total)],
                                   cashier=CASHIER, now=now)
    return receipt.total


def _cash(terminal: Terminal, now: datetime) -> int:
    terminal.ledger.commit_document(DocumentDraft("cash_operation", "in", 100, extra={"purpose": "deposit"}),
                                    cashier=CASHIER, now=now)
    return 0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=MONTH_ENDS, first_minute=st.integers(0, 1439), plan=steps)
def test_no_report_mixes_two_days_and_every_sale_is_in_its_own_month(
    demo_terminal: Terminal, start: date, first_minute: int, plan: list[tuple[int, str]]
) -> None:
    terminal = demo_terminal
    reports = Till(terminal).reports
    # each example lives years after the previous one, its open day closed first
    base = datetime(start.year + 2 * next(_EXAMPLES), start.month, 1, tzinfo=WINTER) + timedelta(
        days=start.day - 1, minutes=first_minute)
    reports.make_daily_report(CASHIER, base - timedelta(days=1))
    first_report = terminal.ledger.last_number("daily_report") + 1
    now = base
    sold: dict[date, int] = {}
    open_day: date | None = None
    for minutes, action in plan:
        now += timedelta(minutes=minutes)
        if action == "report":
            report, _ = reports.make_daily_report(CASHIER, now)
            assert report.day == (open_day or now.date())
            open_day = None
            continue
        act: Callable[[Terminal, datetime], int] = _sell if action == "sale" else _cash
        receipts_before = terminal.ledger.last_number("receipt")
        try:
            value = act(terminal, now)
        except DomainError as error:
            assert open_day is not None and open_day < now.date(), "refused a document of the open day"
            assert error.key == ERR_DAY_OPEN and error.params["day"] == open_day.strftime("%d.%m.%Y")
            assert terminal.ledger.last_number("receipt") == receipts_before  # nothing stored, no number used
            continue
        assert open_day is None or open_day == now.date(), "accepted a document of another day"
        open_day = open_day or now.date()
        if value:
            sold[now.date()] = sold.get(now.date(), 0) + value
    reports.make_daily_report(CASHIER, now)  # close what is still open (may be after midnight)
    mine = [r for r in reports.daily_reports() if r.number >= first_report]
    # every document of a report is of its day: its first and last receipt are on it
    for report in mine:
        for moment in (report.sums.first_receipt_at, report.sums.last_receipt_at):
            assert moment is None or moment.date() == report.day
    by_day: dict[date, int] = {}
    for report in mine:
        by_day[report.day] = by_day.get(report.day, 0) + report.sums.receipts_total
    assert {day: total for day, total in by_day.items() if total} == sold
    for month_start in {date(day.year, day.month, 1) for day in sold}:
        month = reports.periodic(*month_range(month_start.year, month_start.month))
        assert month.sums.receipts_total == sum(
            value for day, value in sold.items() if (day.year, day.month) == (month_start.year, month_start.month))


def test_a_receipt_voided_after_midnight_counts_in_the_new_day(demo_terminal: Terminal) -> None:
    reports = Till(demo_terminal).reports
    evening = datetime(2026, 11, 30, 23, 50, tzinfo=WINTER)
    _sell(demo_terminal, evening)
    demo_terminal.ledger.record_void(receipt_of(demo_terminal, [("1", 1000)]), CASHIER, evening)
    night = evening + timedelta(minutes=13)  # 00:03 on 1.12: Esc on a started receipt
    demo_terminal.ledger.record_void(receipt_of(demo_terminal, [("101", 2000)]), CASHIER, night)
    november, _ = reports.make_daily_report(CASHIER, night + timedelta(minutes=7))
    assert (november.day, november.sums.receipts, november.sums.voids) == (date(2026, 11, 30), 1, 1)
    december, _ = reports.make_daily_report(CASHIER, night + timedelta(hours=20))
    assert (december.day, december.sums.receipts, december.sums.voids) == (date(2026, 12, 1), 0, 1)
