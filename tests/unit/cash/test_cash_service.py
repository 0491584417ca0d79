"""The till's shift and drawer: opening (entered or skipped), the drawer's arithmetic
(cash tenders net of change; card and voucher tenders ignored; cash refunds of
returns), deposits and withdrawals with their permissions, a withdrawal never above
the cash in the drawer (also when two threads race for it), reports and the shift
close — each a numbered ledger document that goes on the wire as the protocol wants."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from conftest import CASHIER, DEPOSITOR, MANAGER, NOW

from ipos_tui.backoffice.documents.checks import parse_document
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.vat import VatTotal
from ipos_tui.protocol import CashOperationDocument, CashReportDocument
from ipos_tui.store.db import Terminal, open_terminal
from ipos_tui.store.ledger import DocumentDraft
from ipos_tui.domain.records import DocumentLine, DocumentPayment
from ipos_tui.sync.documents import document_payload
from ipos_tui.till.cash import LOCAL_SKIPPED_OPENING, CashService
from ipos_tui.till import Till

MILK = 349  # PLU 1, Mleko 3,2% 1l


def _error_key(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.key


def _cash_return(terminal: Terminal, amount: int, method: str = "gotowka") -> None:
    """A return refunded with ``method`` (the returns feature stores them like this)."""
    line = DocumentLine(1, None, "1", "Mleko 3,2% 1l", "szt.", 0, amount, 1000, "C", amount, 0, 0, amount,
                        original_line=0)
    terminal.ledger.commit_document(
        DocumentDraft("return", "zwrot", amount, {"C": VatTotal("C", amount, 26)}, (line,),
                      (DocumentPayment(method, method, amount, 0),),
                      extra={"original": {"terminal_id": 1, "number": 1}}),
        cashier=MANAGER, now=NOW)


# -- the shift ------------------------------------------------------------------------


def test_no_shift_before_the_opening_and_nothing_to_count(cash: CashService) -> None:
    assert cash.current_shift() is None
    assert _error_key(cash.drawer) == "cash.err_no_shift"
    assert _error_key(lambda: cash.report_state(cashier=MANAGER, now=NOW)) == "cash.err_no_shift"
    assert _error_key(lambda: cash.withdraw(100, cashier=MANAGER, now=NOW)) == "cash.err_no_shift"


def test_opening_cash_is_a_numbered_document_that_opens_the_shift(cash: CashService, demo_terminal) -> None:
    result = cash.open_shift(20_000, cashier=CASHIER, now=NOW)
    assert result is not None
    assert (result.document.doc_type, result.document.kind, result.document.number) == ("cash_operation", "in", 1)
    assert result.state.cash == 20_000 and result.state.opening == 20_000
    shift = cash.current_shift()
    assert shift is not None and shift.opening_uuid == result.document.uuid
    assert shift.cashier_name == "Jan Nowak" and shift.started_utc == NOW
    assert demo_terminal.ledger.pending_summary()[0] == 1  # queued for upload like a sale
    # a second opening is refused: the drawer has one shift at a time
    assert _error_key(lambda: cash.open_shift(100, cashier=MANAGER, now=NOW)) == "cash.err_shift_open"
    assert _error_key(lambda: cash.skip_opening(cashier=MANAGER, now=NOW)) == "cash.err_shift_open"
    assert demo_terminal.ledger.last_number("cash_operation") == 1


def test_skipping_opens_the_shift_with_zero_and_stores_no_document(cash: CashService, demo_terminal, sell) -> None:
    sell()  # sold before the shift: not in its drawer
    cash.skip_opening(cashier=CASHIER, now=NOW)
    shift = cash.current_shift()
    assert shift is not None and shift.opening_uuid is None
    assert demo_terminal.ledger.last_number("cash_operation") == 0
    sell()
    state = cash.drawer()
    assert (state.opening, state.cash_sales, state.cash) == (0, MILK, MILK)


def test_the_shift_survives_a_restart_and_a_new_cashier_continues_it(demo_dir) -> None:  # type: ignore[no-untyped-def]
    with open_terminal(demo_dir) as terminal:
        Till(terminal).cash.open_shift(10_000, cashier=MANAGER, now=NOW)
    with open_terminal(demo_dir) as terminal:
        cash = Till(terminal).cash
        shift = cash.current_shift()
        assert shift is not None and shift.cashier_name == "Anna Kowalska"
        report = cash.report_state(cashier=CASHIER, now=NOW + timedelta(hours=1))
        assert report.state.cash == 10_000 and report.cashier_name == "Jan Nowak"


def test_closing_the_shift_reports_it_and_the_next_shift_starts_from_zero(
    cash: CashService, sell, demo_terminal: Terminal
) -> None:
    cash.open_shift(20_000, cashier=MANAGER, now=NOW)
    sell()
    cash.withdraw(5_000, cashier=MANAGER, now=NOW)
    closed = cash.close_shift(cashier=MANAGER, now=NOW + timedelta(hours=8))
    assert (closed.document.doc_type, closed.document.kind) == ("cash_report", "shift_close")
    assert closed.document.total == closed.state.cash == 20_000 + MILK - 5_000
    assert cash.current_shift() is None
    assert _error_key(lambda: cash.close_shift(cashier=MANAGER, now=NOW)) == "cash.err_no_shift"
    # the next day opens only after the daily report of this one (the fiscal day rule)
    tomorrow = NOW + timedelta(days=1)
    assert _error_key(lambda: cash.open_shift(15_000, cashier=CASHIER, now=tomorrow)) == "dayrule2.err_day_open"
    Till(demo_terminal).reports.make_daily_report(MANAGER, tomorrow)
    # the next shift counts only its own documents
    cash.open_shift(15_000, cashier=CASHIER, now=tomorrow)
    state = cash.drawer()
    assert (state.opening, state.cash_sales, state.withdrawals, state.cash) == (15_000, 0, 0, 15_000)


def test_a_skip_before_a_close_does_not_open_the_next_shift(cash: CashService, demo_terminal) -> None:
    cash.skip_opening(cashier=MANAGER, now=NOW)
    cash.close_shift(cashier=MANAGER, now=NOW)
    assert demo_terminal.settings.get_local(LOCAL_SKIPPED_OPENING) is not None  # stale now
    assert cash.current_shift() is None
    cash.skip_opening(cashier=MANAGER, now=NOW)
    assert cash.current_shift() is not None


# -- the drawer's arithmetic --------------------------------------------------------------


def test_cash_tenders_count_net_of_change_and_other_tenders_not_at_all(cash: CashService, sell) -> None:
    cash.open_shift(10_000, cashier=MANAGER, now=NOW)
    sell([("gotowka", 5_000, 5_000 - MILK)])  # 50 zł handed over, change given back
    sell([("karta", MILK, 0)])
    sell([("bon", 100, 0), ("gotowka", 500, 500 - (MILK - 100))])  # split: voucher, then cash
    sell([("przelew", MILK, 0)])
    state = cash.drawer()
    assert state.cash_sales == MILK + (MILK - 100)
    assert state.cash == 10_000 + MILK + MILK - 100


def test_cash_refunds_of_returns_leave_the_drawer_card_refunds_do_not(cash: CashService, demo_terminal, sell) -> None:
    cash.open_shift(10_000, cashier=MANAGER, now=NOW)
    sell()
    _cash_return(demo_terminal, MILK)
    _cash_return(demo_terminal, 200, method="karta")
    state = cash.drawer()
    assert (state.cash_sales, state.cash_refunds, state.cash) == (MILK, MILK, 10_000)


def test_deposits_and_withdrawals_move_the_drawer(cash: CashService) -> None:
    cash.open_shift(10_000, cashier=MANAGER, now=NOW)
    deposit = cash.deposit(2_500, reason="  drobne   z banku ", cashier=MANAGER, now=NOW)
    withdrawal = cash.withdraw(4_000, reason="wpłata do banku", cashier=MANAGER, now=NOW)
    assert deposit.state.cash == 12_500 and withdrawal.state.cash == 8_500
    state = cash.drawer()
    assert (state.opening, state.deposits, state.withdrawals, state.cash) == (10_000, 2_500, 4_000, 8_500)
    assert [deposit.document.number, withdrawal.document.number] == [2, 3]  # one sequence per type


def test_a_withdrawal_may_empty_the_drawer_but_not_go_below_it(cash: CashService, demo_terminal, sell) -> None:
    cash.open_shift(1_000, cashier=MANAGER, now=NOW)
    sell()
    with pytest.raises(DomainError) as caught:
        cash.withdraw(1_000 + MILK + 1, cashier=MANAGER, now=NOW)
    assert caught.value.key == "cash.err_withdrawal_exceeds"
    assert caught.value.params == {"amount": 1_000 + MILK + 1, "total": 1_000 + MILK}
    assert demo_terminal.ledger.last_number("cash_operation") == 1  # no number burnt
    assert cash.withdraw(1_000 + MILK, cashier=MANAGER, now=NOW).state.cash == 0
    assert _error_key(lambda: cash.withdraw(1, cashier=MANAGER, now=NOW)) == "cash.err_withdrawal_exceeds"


def test_two_threads_cannot_both_take_the_same_cash(demo_dir) -> None:  # type: ignore[no-untyped-def]
    """Each thread has its own SQLite connection; the check runs under the write lock,
    so of two withdrawals that each fit but not together, exactly one is stored."""
    with open_terminal(demo_dir) as terminal:
        cash = Till(terminal).cash
        cash.open_shift(10_000, cashier=MANAGER, now=NOW)
        for _round in range(3):
            if cash.drawer().cash < 10_000:
                cash.deposit(10_000 - cash.drawer().cash, cashier=MANAGER, now=NOW)
            start = threading.Barrier(2)
            outcomes: list[str] = []

            def take() -> None:
                start.wait()
                try:
                    with terminal.db.connection_context():
                        cash.withdraw(7_000, cashier=MANAGER, now=NOW)
                    outcomes.append("ok")
                except DomainError as error:
                    outcomes.append(error.key)

            threads = [threading.Thread(target=take) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
            assert sorted(outcomes) == ["cash.err_withdrawal_exceeds", "ok"]
            assert cash.drawer().cash == 3_000


# -- permissions ------------------------------------------------------------------------


def test_withdrawal_needs_its_permission(cash: CashService) -> None:
    cash.open_shift(10_000, cashier=MANAGER, now=NOW)
    assert _error_key(lambda: cash.withdraw(100, cashier=CASHIER, now=NOW)) == "cash.err_no_permission_withdrawal"
    assert _error_key(lambda: cash.withdraw(100, cashier=DEPOSITOR, now=NOW)) == "cash.err_no_permission_withdrawal"
    assert cash.can_withdraw(MANAGER) and not cash.can_withdraw(CASHIER)


def test_deposit_needs_cash_deposit_or_cash_withdrawal(cash: CashService) -> None:
    cash.open_shift(10_000, cashier=CASHIER, now=NOW)
    assert _error_key(lambda: cash.deposit(100, cashier=CASHIER, now=NOW)) == "cash.err_no_permission_deposit"
    assert cash.deposit(100, cashier=DEPOSITOR, now=NOW).state.cash == 10_100
    assert cash.deposit(100, cashier=MANAGER, now=NOW).state.cash == 10_200


def test_reports_and_the_close_need_no_permission(cash: CashService) -> None:
    cash.open_shift(500, cashier=CASHIER, now=NOW)
    assert cash.report_state(cashier=CASHIER, now=NOW).state.cash == 500
    assert cash.close_shift(cashier=CASHIER, now=NOW).document.kind == "shift_close"


# -- bad amounts ------------------------------------------------------------------------------


@pytest.mark.parametrize("amount, key", [
    (0, "cash.err_amount_zero"),
    (-100, "cash.err_amount_invalid"),
    (100_000_000, "cash.err_amount_too_large"),
])
def test_bad_operation_amounts_are_refused_and_store_nothing(cash: CashService, demo_terminal, amount, key) -> None:  # type: ignore[no-untyped-def]
    cash.open_shift(10_000, cashier=MANAGER, now=NOW)
    assert _error_key(lambda: cash.deposit(amount, cashier=MANAGER, now=NOW)) == key
    assert _error_key(lambda: cash.withdraw(amount, cashier=MANAGER, now=NOW)) == key
    assert demo_terminal.ledger.last_number("cash_operation") == 1


def test_negative_or_huge_opening_is_refused(cash: CashService) -> None:
    assert _error_key(lambda: cash.open_shift(-1, cashier=MANAGER, now=NOW)) == "cash.err_amount_invalid"
    assert _error_key(lambda: cash.open_shift(100_000_000, cashier=MANAGER, now=NOW)) == "cash.err_amount_too_large"
    assert cash.current_shift() is None


def test_a_reason_longer_than_the_protocol_allows_is_refused(cash: CashService) -> None:
    cash.open_shift(10_000, cashier=MANAGER, now=NOW)
    with pytest.raises(DomainError) as caught:
        cash.deposit(100, reason="x" * 201, cashier=MANAGER, now=NOW)
    assert (caught.value.key, caught.value.params) == ("cash.err_reason_too_long", {"max": 200})
    assert cash.deposit(100, reason="x" * 200, cashier=MANAGER, now=NOW).document.number == 2


# -- documents, wire form, printouts -----------------------------------------------------


def test_documents_go_on_the_wire_as_the_protocol_wants(cash: CashService, demo_terminal, sell) -> None:
    cash.open_shift(20_000, cashier=MANAGER, now=NOW)
    sell()
    _cash_return(demo_terminal, 100)
    withdrawal = cash.withdraw(5_000, reason="bank", cashier=MANAGER, now=NOW)
    report = cash.close_shift(cashier=MANAGER, now=NOW + timedelta(hours=1))
    opening_doc = demo_terminal.ledger.find_by_number(1, "cash_operation")
    assert opening_doc is not None
    parsed = parse_document(document_payload(opening_doc))
    assert isinstance(parsed, CashOperationDocument)
    assert (parsed.kind, parsed.amount, parsed.purpose) == ("in", 20_000, "opening")
    parsed = parse_document(document_payload(demo_terminal.ledger.get_document(withdrawal.document.uuid)))
    assert isinstance(parsed, CashOperationDocument)
    assert (parsed.kind, parsed.amount, parsed.purpose, parsed.reason) == ("out", 5_000, "withdrawal", "bank")
    parsed = parse_document(document_payload(demo_terminal.ledger.get_document(report.document.uuid)))
    assert isinstance(parsed, CashReportDocument)
    assert (parsed.kind, parsed.cash, parsed.opening, parsed.cash_sales, parsed.cash_refunds,
            parsed.withdrawals) == ("shift_close", 20_000 + MILK - 100 - 5_000, 20_000, MILK, 100, 5_000)
    assert parsed.shift_started_at == NOW


def test_every_operation_is_printed_in_the_electronic_journal(cash: CashService, demo_terminal) -> None:
    opening = cash.open_shift(20_000, cashier=MANAGER, now=NOW)
    assert opening is not None
    cash.withdraw(5_000, reason="wpłata do banku", cashier=MANAGER, now=NOW)
    report = cash.close_shift(cashier=MANAGER, now=NOW)
    journal = Till(demo_terminal).printer.journal()
    assert [entry.kind for entry in journal] == ["cash", "cash", "cash"]
    assert "STAN POCZĄTKOWY KASY" in opening.printout.text and "200,00" in opening.printout.text
    assert "WYPŁATA Z KASY" in journal[1].text and "Powód: wpłata do banku" in journal[1].text
    assert "Operacja kasowa nr" in journal[1].text and "000002" in journal[1].text
    assert "150,00" in journal[1].text
    text = report.printout.text
    assert "ZAMKNIĘCIE ZMIANY" in text and "Zmiana od" in text and "2026-11-26 08:00" in text
    assert all(len(line) <= 40 for line in text.splitlines())
    # each printout names its document, so 5. Transakcje and the journal find it
    (printed,) = Till(demo_terminal).printer.printouts_of(report.document.uuid)
    assert printed.text == text and printed.document_number == report.document.number


# -- what a login starts (the rule the login screen only shows) ---------------------------


def _settings(terminal: Terminal, **settings: object) -> None:
    """Back-office settings as a sync brings them: the catalogue replaced."""
    import dataclasses

    from ipos_tui.demo.terminal import demo_snapshot

    snapshot = demo_snapshot()
    terminal.catalog.replace_all(dataclasses.replace(snapshot, settings={**snapshot.settings, **settings}))


@pytest.mark.parametrize(("management", "shifts", "asks", "opens"), [
    (True, False, True, False),   # cash management: the opening cash is asked first
    (True, True, True, False),
    (False, True, False, True),   # plain shifts: opened at login, nothing asked
    (False, False, False, False),  # neither: selling begins, no shift
])
def test_a_login_starts_what_the_settings_say(demo_terminal: Terminal, management: bool, shifts: bool,
                                              asks: bool, opens: bool) -> None:
    _settings(demo_terminal, cash_management=management, cashier_shifts=shifts)
    cash = Till(demo_terminal).cash
    assert cash.begin_after_login(cashier=CASHIER, now=NOW) is asks
    assert (cash.current_shift() is not None) is opens
    assert cash.plain_shifts() is (shifts and not management)
    # a second login in the same shift asks nothing and opens nothing new
    if opens:
        shift = cash.current_shift()
        assert cash.begin_after_login(cashier=MANAGER, now=NOW) is False
        assert cash.current_shift() == shift


def test_after_the_opening_cash_a_login_asks_nothing(demo_terminal: Terminal) -> None:
    _settings(demo_terminal, cash_management=True)
    cash = Till(demo_terminal).cash
    cash.skip_opening(cashier=CASHIER, now=NOW)
    assert cash.begin_after_login(cashier=MANAGER, now=NOW) is False
