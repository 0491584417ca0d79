"""Wpłata / Wypłata by a cashier without the permission, allowed by a manager's
authorisation: stored with the document, printed ("Autoryzował:") and sent; an
authorisation for another permission allows nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from ipos_tui.domain.authorisation import Authorisation, authorisations_of
from ipos_tui.domain.errors import DomainError
from ipos_tui.store.db import Terminal
from ipos_tui.domain.records import User
from ipos_tui.sync.documents import document_payload
from ipos_tui.till.cash import CashService

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=timezone(timedelta(hours=1)))
MANAGER = User(1, "1001", "Anna Kowalska", "kierownik", frozenset({"cash_withdrawal"}))
DEPOSITOR = User(5, "1005", "Ewa Wpłacająca", "kasjer", frozenset({"cash_deposit"}))
CASHIER = User(2, "1002", "Jan Nowak", "kasjer", frozenset({"free_discount"}))


def given(permission: str) -> Authorisation:
    return Authorisation(permission, 1, "1001", "Anna Kowalska", NOW.astimezone(UTC))


def test_a_withdrawal_authorised_by_a_manager(cash: CashService, demo_terminal: Terminal) -> None:
    cash.open_shift(10_000, cashier=MANAGER, now=NOW)
    result = cash.withdraw(2_500, reason="bank", cashier=CASHIER, now=NOW, authorisation=given("cash_withdrawal"))
    detail = demo_terminal.ledger.get_document(result.document.uuid)
    assert detail.cashier_name == "Jan Nowak" and result.state.cash == 7_500
    assert authorisations_of(detail.extra) == (given("cash_withdrawal"),)
    assert "Kasjer: Jan Nowak" in result.printout.text and "Autoryzował: Anna Kowalska" in result.printout.text
    assert document_payload(detail)["authorisations"][0]["permission"] == "cash_withdrawal"


def test_a_deposit_authorised_by_a_manager_holding_either_permission(cash: CashService) -> None:
    cash.open_shift(10_000, cashier=MANAGER, now=NOW)
    assert cash.deposit(100, cashier=CASHIER, now=NOW, authorisation=given("cash_deposit")).state.cash == 10_100
    assert cash.deposit(100, cashier=CASHIER, now=NOW, authorisation=given("cash_withdrawal")).state.cash == 10_200


@pytest.mark.parametrize("which, permission", [("withdraw", "cash_deposit"), ("withdraw", "free_discount"),
                                               ("deposit", "void")])
def test_an_authorisation_of_something_else_allows_nothing(cash: CashService, demo_terminal: Terminal,
                                                           which: str, permission: str) -> None:
    cash.open_shift(10_000, cashier=MANAGER, now=NOW)
    before = demo_terminal.ledger.last_number("cash_operation")
    with pytest.raises(DomainError) as caught:
        getattr(cash, which)(100, cashier=CASHIER, now=NOW, authorisation=given(permission))
    assert caught.value.key.startswith("cash.err_no_permission_")
    assert demo_terminal.ledger.last_number("cash_operation") == before


def test_a_cashier_holding_the_permission_records_no_authorisation(cash: CashService, demo_terminal: Terminal) -> None:
    cash.open_shift(10_000, cashier=MANAGER, now=NOW)
    result = cash.deposit(100, cashier=DEPOSITOR, now=NOW, authorisation=given("cash_deposit"))
    assert "authorisations" not in demo_terminal.ledger.get_document(result.document.uuid).extra
    assert "Autoryzował" not in result.printout.text
