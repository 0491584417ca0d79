"""Daily, monthly and periodic reports: what a report sums (receipts, returns, VAT per
letter from net gross, payments, cash operations, voids, first/last receipt), that
each document lands in exactly one report, that a periodic report is the sum of its
daily reports (property test), bad month/date input, and the day-close options."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from terminal_support import CASHIER, NOW, receipt_of

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.receipt import Payment
from ipos_tui.domain.vat import vat_totals
from ipos_tui.store.db import Terminal
from ipos_tui.store.ledger import DocumentDraft
from ipos_tui.domain.records import DocumentPayment, StoredDocument
from ipos_tui.till.reports import add_sums, parse_day, parse_month
from ipos_tui.till import Till

MLEKO, CHLEB, PIWO = "1", "101", "1401"


def _cash_op(terminal: Terminal, kind: str, amount: int, now: datetime = NOW) -> None:
    terminal.ledger.commit_document(DocumentDraft("cash_operation", kind, amount,
                                                  extra={"purpose": "deposit"}),
                                    cashier=CASHIER, now=now)


def _return_one(terminal: Terminal, sold: StoredDocument) -> int:
    """Return the first line of ``sold`` in cash (as the returns service stores it)."""
    line = terminal.ledger.get_document(sold.uuid).lines[0]
    back = replace(line, position=1, original_line=0)
    terminal.ledger.commit_document(
        DocumentDraft("return", "zwrot", line.value, vat_totals([(line.vat_letter, line.value)]),
                      (back,), (DocumentPayment("gotowka", "gotówka", line.value, 0),),
                      extra={"original": {"terminal_id": sold.terminal_id, "number": sold.number}}),
        cashier=CASHIER, now=NOW)
    return line.value


def test_a_day_of_sales_returns_cash_and_voids_adds_up(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    early = sell([(MLEKO, 2000), (CHLEB, 1000)], now=NOW - timedelta(hours=3))
    late = sell([(PIWO, 4000)], now=NOW + timedelta(hours=2))
    card_receipt = receipt_of(demo_terminal, [(CHLEB, 1000)])
    demo_terminal.ledger.commit_receipt(card_receipt, [Payment("karta", "karta", card_receipt.total)],
                                        cashier=CASHIER, now=NOW)
    refunded = _return_one(demo_terminal, early)
    _cash_op(demo_terminal, "in", 20_000)
    _cash_op(demo_terminal, "out", 5_000)
    demo_terminal.ledger.record_void(receipt_of(demo_terminal, [(MLEKO, 1000)]), CASHIER, NOW)

    reports = Till(demo_terminal).reports
    report, printout = reports.make_daily_report(CASHIER, NOW + timedelta(hours=3))
    sums = report.sums
    sold = early.total + late.total + card_receipt.total
    assert (report.number, report.day) == (1, date(2026, 11, 26))
    assert (sums.receipts, sums.receipts_total, sums.returns, sums.returns_total) == (3, sold, 1, refunded)
    assert sums.total == sold - refunded
    assert sums.payments == {"gotowka": early.total + late.total - refunded, "karta": card_receipt.total}
    assert (sums.cash_in, sums.cash_out, sums.voids) == (20_000, 5_000, 1)
    assert sum(item.gross for item in sums.vat.values()) == sums.total
    assert sums.first_receipt_at.strftime("%H:%M") == "09:04"
    assert sums.last_receipt_at.strftime("%H:%M") == "14:04"
    assert "RAPORT DOBOWY nr 0001" in printout.text and "Anulowane paragony: 1" in printout.text
    stored = demo_terminal.ledger.get_document(report.uuid)
    assert stored.doc_type == "daily_report" and stored.upload_state == "pending"
    assert reports.last_daily_report() == report


def test_every_document_lands_in_exactly_one_report(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    reports = Till(demo_terminal).reports
    first = sell([(MLEKO, 1000)])
    one, _ = reports.make_daily_report(CASHIER, NOW)
    second = sell([(CHLEB, 1000)], now=NOW + timedelta(days=1))
    two, _ = reports.make_daily_report(CASHIER, NOW + timedelta(days=1))
    empty, _ = reports.make_daily_report(CASHIER, NOW + timedelta(days=1, hours=1))
    assert (one.sums.receipts_total, two.sums.receipts_total) == (first.total, second.total)
    assert (empty.sums.receipts, empty.number, empty.day) == (0, 3, date(2026, 11, 27))
    assert reports.open_day().is_empty


def test_a_report_after_midnight_closes_the_day_of_its_sales(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    sell([(MLEKO, 1000)], now=NOW.replace(hour=23, minute=50))
    report, _ = Till(demo_terminal).reports.make_daily_report(CASHIER, NOW.replace(hour=23) + timedelta(hours=2))
    assert report.day == date(2026, 11, 26)


def test_periodic_and_monthly_reports_sum_their_days(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    reports = Till(demo_terminal).reports
    totals = []
    for day in range(3):
        moment = NOW + timedelta(days=day)
        totals.append(sell([(MLEKO, 1000 * (day + 1))], now=moment).total)
        reports.make_daily_report(CASHIER, moment)
    period = reports.periodic(date(2026, 11, 27), date(2026, 11, 30))
    assert [r.number for r in period.reports] == [2, 3]
    assert period.sums.receipts_total == totals[1] + totals[2]
    month = reports.periodic(*parse_month("11.2026", date(2026, 12, 1)))
    assert month.sums.receipts == 3 and month.sums.total == sum(totals)
    assert reports.periodic(date(2025, 1, 1), date(2025, 1, 31)).sums.is_empty


@pytest.mark.parametrize("text", ["", "13", "2026-13", "ab.2026", "1.2.3", "00.2026"])
def test_bad_months_are_refused(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_month(text, date(2026, 11, 27))
    assert caught.value.key == "report.err_month_invalid"


def test_months_and_days_in_the_usual_spellings() -> None:
    today = date(2026, 11, 27)
    assert parse_month("11", today) == (date(2026, 11, 1), date(2026, 11, 30))
    assert parse_month("2024-02", today) == (date(2024, 2, 1), date(2024, 2, 29))
    assert parse_day("1.11", today) == date(2026, 11, 1)
    assert parse_day("01.11.2025", today) == date(2025, 11, 1)
    assert parse_day("2025-11-01", today) == date(2025, 11, 1)
    for bad in ("31.02.2026", "jutro", "1.1.26", ""):
        with pytest.raises(DomainError):
            parse_day(bad, today)


def test_a_reversed_period_is_refused(demo_terminal: Terminal) -> None:
    with pytest.raises(DomainError) as caught:
        Till(demo_terminal).reports.periodic(date(2026, 11, 27), date(2026, 11, 1))
    assert caught.value.key == "report.err_period_reversed"


@pytest.mark.parametrize("option", ["off", "reminder", "block"])
def test_after_midnight_sales_wait_for_the_report_whatever_the_option(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument], option: str
) -> None:
    reports = Till(demo_terminal).reports
    _set(demo_terminal, "day_close_mode", option)
    sell([(MLEKO, 1000)], now=NOW)
    assert reports.blocked(NOW + timedelta(hours=1)) is None  # same day: sell on
    after_midnight = NOW.replace(hour=0, minute=5) + timedelta(days=1)
    assert reports.blocked(after_midnight) == date(2026, 11, 26)
    with pytest.raises(DomainError) as caught:
        sell([(MLEKO, 1000)], now=after_midnight)
    assert (caught.value.key, caught.value.params) == ("dayrule2.err_day_open", {"day": "26.11.2026"})
    report, _ = reports.make_daily_report(CASHIER, after_midnight)
    assert report.day == date(2026, 11, 26) and report.sums.receipts == 1
    assert reports.blocked(after_midnight) is None
    sell([(MLEKO, 1000)], now=after_midnight)  # the new day
    assert reports.blocked(after_midnight + timedelta(hours=10)) is None


def test_block_at_the_set_time_until_the_report(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    reports = Till(demo_terminal).reports
    _set(demo_terminal, "day_close_mode", "block")
    _set(demo_terminal, "day_close_time", "21:00")
    sell([(MLEKO, 1000)], now=NOW)
    evening = NOW.replace(hour=21, minute=0)
    assert reports.blocked(evening - timedelta(minutes=1)) is None
    assert reports.blocked(evening) == date(2026, 11, 26)
    with pytest.raises(DomainError) as caught:
        sell([(MLEKO, 1000)], now=evening)
    assert caught.value.key == "dayrule2.err_block_time"
    assert caught.value.params == {"day": "26.11.2026", "time": "21:00"}
    reports.make_daily_report(CASHIER, evening + timedelta(minutes=5))
    sell([(MLEKO, 1000)], now=evening + timedelta(minutes=10))  # a new day begun after 21:00
    assert reports.blocked(evening + timedelta(minutes=20)) is None
    _set(demo_terminal, "day_close_mode", "reminder")  # the time only reminds
    assert reports.blocked(NOW.replace(hour=23, minute=59)) is None


def test_reminder_at_the_set_time_once_a_day(
    demo_terminal: Terminal, sell: Callable[..., StoredDocument]
) -> None:
    reports = Till(demo_terminal).reports
    _set(demo_terminal, "day_close_mode", "automatic")  # a first-version back office
    _set(demo_terminal, "day_close_time", "20:00")
    evening = NOW.replace(hour=20, minute=1)
    assert not reports.reminder_due(evening)  # nothing sold yet
    sell([(MLEKO, 1000)], now=NOW)
    assert not reports.reminder_due(NOW.replace(hour=19, minute=59))
    assert reports.reminder_due(evening)
    reports.reminder_answered(evening)
    assert not reports.reminder_due(evening + timedelta(minutes=30))


def _set(terminal: Terminal, key: str, value: object) -> None:
    import json

    terminal.db.execute_sql(
        "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, json.dumps(value)),
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days=st.lists(st.lists(st.sampled_from([MLEKO, CHLEB, PIWO]), max_size=3), min_size=1, max_size=5),
       start=st.integers(0, 5), length=st.integers(0, 5))
def test_a_periodic_report_equals_the_sum_of_its_daily_reports(
    demo_terminal: Terminal, days: list[list[str]], start: int, length: int
) -> None:
    reports = Till(demo_terminal).reports
    base = NOW + timedelta(days=400 * (1 + demo_terminal.ledger.last_number("daily_report")))
    sold: dict[date, int] = {}
    for offset, plus in enumerate(days):
        moment = base + timedelta(days=offset)
        for plu in plus:
            receipt = receipt_of(demo_terminal, [(plu, 1000)])
            demo_terminal.ledger.commit_receipt(receipt, [Payment("gotowka", "g", receipt.total)],
                                                cashier=CASHIER, now=moment)
            sold[moment.date()] = sold.get(moment.date(), 0) + receipt.total
        reports.make_daily_report(CASHIER, moment)
    first = (base + timedelta(days=start)).date()
    in_range = sum(v for d, v in sold.items() if first <= d <= first + timedelta(days=length))
    period = reports.periodic(first, first + timedelta(days=length))
    dailies = [r for r in reports.daily_reports() if first <= r.day <= first + timedelta(days=length)]
    assert period.reports == tuple(dailies)
    assert period.sums == add_sums(r.sums for r in dailies)
    assert period.sums.receipts_total == sum(r.sums.receipts_total for r in dailies) == in_range
    assert sum(i.vat for i in period.sums.vat.values()) == sum(r.sums.vat_total for r in dailies)
