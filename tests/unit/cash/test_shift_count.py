"""The cash counted at a shift close: the difference counted − expected (surplus,
shortage, exact), the limit above which the till asks again, what the close stores,
prints and sends, and what the protocol (and so the back office) accepts — with and
without a count (an older till sends none)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from conftest import MANAGER, NOW
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipos_tui.backoffice.documents.checks import Rejected, parse_document
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import MAX_GROSZE
from ipos_tui.i18n import catalogue
from ipos_tui.protocol import CashReportDocument
from ipos_tui.store.db import Terminal
from ipos_tui.sync.documents import document_payload
from ipos_tui.till.cash import (
    DEFAULT_DIFFERENCE_LIMIT,
    KEY_DIFFERENCE_LIMIT,
    CashService,
    ShiftCount,
    count_of,
    difference_limit,
)

MILK = 349  # PLU 1, Mleko 3,2% 1l

expected_cash = st.integers(min_value=-MAX_GROSZE, max_value=MAX_GROSZE)
counted_cash = st.integers(min_value=0, max_value=MAX_GROSZE)


# -- the arithmetic -----------------------------------------------------------------------


@given(expected_cash, counted_cash)
def test_the_difference_is_counted_minus_expected_and_its_sign_names_it(expected: int, counted: int) -> None:
    count = ShiftCount(expected, counted)
    assert count.expected + count.difference == counted
    assert count.kind == ("surplus" if counted > expected else "shortage" if counted < expected else "exact")


@given(expected_cash, counted_cash, st.integers(min_value=0, max_value=MAX_GROSZE))
def test_a_large_difference_is_large_either_way(expected: int, counted: int, limit: int) -> None:
    count = ShiftCount(expected, counted)
    assert count.is_large(limit) == (abs(counted - expected) > limit)
    mirrored = ShiftCount(counted, expected) if expected >= 0 else count
    assert mirrored.is_large(limit) == count.is_large(limit)


@pytest.mark.parametrize("expected, counted, kind, difference", [
    (20_000, 21_000, "surplus", 1_000),
    (20_000, 19_000, "shortage", -1_000),
    (20_000, 20_000, "exact", 0),
    (20_000, 0, "shortage", -20_000),  # an empty drawer is a count too
    (0, 1, "surplus", 1),
])
def test_examples(expected: int, counted: int, kind: str, difference: int) -> None:
    count = ShiftCount(expected, counted)
    assert (count.kind, count.difference) == (kind, difference)


def test_the_limit_is_exclusive() -> None:
    assert not ShiftCount(20_000, 30_000).is_large(10_000)  # exactly 100,00 zł: no second question
    assert ShiftCount(20_000, 30_001).is_large(10_000)
    assert ShiftCount(20_000, 9_999).is_large(10_000)


# -- the limit from the back office -----------------------------------------------------------


@pytest.mark.parametrize("value, grosze", [
    (None, DEFAULT_DIFFERENCE_LIMIT),  # not set: 100,00 zł
    ("250,00", 25_000),
    ("50", 5_000),  # the back office takes złoty
    ("0", 0),  # every difference asks
    (30, 3_000),
    ("dużo", DEFAULT_DIFFERENCE_LIMIT),  # unreadable: the default, not a crash
    (True, DEFAULT_DIFFERENCE_LIMIT),
])
def test_difference_limit_setting(demo_terminal: Terminal, value: Any, grosze: int) -> None:
    if value is not None:  # as a configuration sync stores it
        demo_terminal.db.execute_sql("INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)",
                                     (KEY_DIFFERENCE_LIMIT, json.dumps(value)))
    assert difference_limit(demo_terminal.settings) == grosze


# -- the stored close ----------------------------------------------------------------------


def test_a_counted_close_stores_prints_and_sends_the_count(cash: CashService, demo_terminal, sell) -> None:
    cash.open_shift(20_000, cashier=MANAGER, now=NOW)
    sell()
    closed = cash.close_shift(cashier=MANAGER, now=NOW + timedelta(hours=8), counted=19_000,
                              expected=20_000 + MILK)
    detail = demo_terminal.ledger.get_document(closed.document.uuid)
    assert detail.total == 20_000 + MILK  # the report's total stays what should be there
    assert (detail.extra["counted"], detail.extra["difference"]) == (19_000, 19_000 - 20_349)
    assert count_of(detail) == ShiftCount(20_349, 19_000)
    text = closed.printout.text
    assert "POWINNO BYĆ W KASIE" in text and "203,49" in text
    assert "POLICZONO" in text and "190,00" in text
    assert "NIEDOBÓR" in text and "-13,49" in text
    assert all(len(line) <= 40 for line in text.splitlines())
    payload = document_payload(detail)
    assert (payload["cash"], payload["counted"], payload["difference"]) == (20_349, 19_000, -1_349)
    parsed = parse_document(payload)
    assert isinstance(parsed, CashReportDocument) and parsed.counted == 19_000


def test_surplus_and_exact_printouts(cash: CashService) -> None:
    cash.open_shift(10_000, cashier=MANAGER, now=NOW)
    surplus = cash.close_shift(cashier=MANAGER, now=NOW, counted=10_050)
    assert "NADWYŻKA" in surplus.printout.text and "+0,50" in surplus.printout.text
    cash.open_shift(10_000, cashier=MANAGER, now=NOW)
    exact = cash.close_shift(cashier=MANAGER, now=NOW, counted=10_000)
    assert "ZGODNE" in exact.printout.text and "NIEDOBÓR" not in exact.printout.text


def test_a_count_of_zero_goes_on_the_wire(cash: CashService, demo_terminal) -> None:
    """0 counted and 0 difference are values, not absent ones (the mapping skips falsy
    sums of a report, not these)."""
    cash.skip_opening(cashier=MANAGER, now=NOW)
    closed = cash.close_shift(cashier=MANAGER, now=NOW, counted=0)
    payload = document_payload(demo_terminal.ledger.get_document(closed.document.uuid))
    assert (payload["cash"], payload["counted"], payload["difference"]) == (0, 0, 0)
    assert "ZGODNE" in closed.printout.text


def test_a_close_without_a_count_is_as_before(cash: CashService, demo_terminal) -> None:
    cash.open_shift(10_000, cashier=MANAGER, now=NOW)
    closed = cash.close_shift(cashier=MANAGER, now=NOW)
    detail = demo_terminal.ledger.get_document(closed.document.uuid)
    assert "counted" not in detail.extra and count_of(detail) is None
    assert "counted" not in document_payload(detail) and "difference" not in document_payload(detail)
    assert "GOTÓWKA W KASIE" in closed.printout.text and "POLICZONO" not in closed.printout.text


@pytest.mark.parametrize("counted, key", [
    (-500, "cash.err_amount_invalid"),
    (MAX_GROSZE + 1, "cash.err_amount_too_large"),
])
def test_an_impossible_count_stores_nothing(cash: CashService, demo_terminal, counted: int, key: str) -> None:
    cash.open_shift(10_000, cashier=MANAGER, now=NOW)
    with pytest.raises(DomainError) as caught:
        cash.close_shift(cashier=MANAGER, now=NOW, counted=counted)
    assert caught.value.key == key
    assert demo_terminal.ledger.last_number("cash_report") == 0 and cash.current_shift() is not None


def test_a_drawer_that_changed_since_the_summary_stores_nothing(cash: CashService, demo_terminal, sell) -> None:
    """The cashier confirmed a difference against 100,00 zł; a sale after that would
    make the stored difference another one than was shown."""
    cash.open_shift(10_000, cashier=MANAGER, now=NOW)
    sell()
    with pytest.raises(DomainError) as caught:
        cash.close_shift(cashier=MANAGER, now=NOW, counted=10_000, expected=10_000)
    assert (caught.value.key, caught.value.params) == ("cash.err_drawer_changed", {"total": 10_000 + MILK})
    assert "cash.err_drawer_changed" in catalogue("pl") and "cash.err_drawer_changed" in catalogue("en")
    assert demo_terminal.ledger.last_number("cash_report") == 0 and cash.current_shift() is not None


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(opening=st.integers(min_value=1, max_value=MAX_GROSZE), counted=counted_cash)
def test_any_count_is_stored_sent_and_accepted_as_counted(cash: CashService, demo_terminal, opening: int,
                                                           counted: int) -> None:
    """Each example opens and closes one shift on the same till (a close ends the shift)."""
    cash.open_shift(opening, cashier=MANAGER, now=NOW)
    closed = cash.close_shift(cashier=MANAGER, now=NOW, counted=counted, expected=opening)
    detail = demo_terminal.ledger.get_document(closed.document.uuid)
    assert detail.extra["difference"] == counted - opening
    parsed = parse_document(document_payload(detail))
    assert isinstance(parsed, CashReportDocument)
    assert (parsed.cash, parsed.counted, parsed.difference) == (opening, counted, counted - opening)
    word = {"surplus": "NADWYŻKA", "shortage": "NIEDOBÓR", "exact": "ZGODNE"}[ShiftCount(opening, counted).kind]
    assert word in closed.printout.text


# -- what the protocol accepts -----------------------------------------------------------------


def _close_payload(**fields: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": "cash_report", "uuid": "6f1c0c52-64c4-4b8f-9a53-3f0d4c0d2b11", "number": 3, "store_id": 1,
        "created_at": "2026-11-26T15:00:00+00:00", "kind": "shift_close", "cash": 20_000,
    }
    payload.update(fields)
    return payload


def test_an_old_till_close_without_the_count_is_accepted() -> None:
    parsed = parse_document(_close_payload())
    assert isinstance(parsed, CashReportDocument)
    assert (parsed.counted, parsed.difference) == (None, None)


def test_a_count_without_its_difference_is_complete() -> None:
    parsed = parse_document(_close_payload(counted=19_000))
    assert isinstance(parsed, CashReportDocument) and parsed.counted == 19_000


@pytest.mark.parametrize("fields, reason", [
    ({"counted": 19_000, "difference": -999}, "difference_mismatch"),
    ({"counted": 19_000, "difference": 1_000}, "difference_mismatch"),  # the sign matters
    ({"difference": -1_000}, "malformed:counted:missing"),
    ({"kind": "state", "counted": 19_000, "difference": -1_000}, "malformed:counted:not_shift_close"),
    ({"counted": -1, "difference": -20_001}, "malformed:counted:greater_than_equal"),
    ({"counted": "dużo"}, "malformed:counted:int_type"),  # strict: no strings for ints
])
def test_the_back_office_rejects_a_count_that_cannot_be_right(fields: dict[str, Any], reason: str) -> None:
    with pytest.raises(Rejected) as caught:
        parse_document(_close_payload(**fields))
    assert caught.value.reason == reason
