"""A return by a cashier without "returns", allowed by a manager's authorisation:
found, stored with who authorised it, printed and sent; without one it is refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC

import pytest
from returns_support import NOW

from ipos_tui.domain.authorisation import Authorisation, authorisations_of
from ipos_tui.domain.errors import DomainError
from ipos_tui.store.db import Terminal
from ipos_tui.domain.records import PaymentMethod, StoredDocument, User
from ipos_tui.sync.documents import document_payload
from ipos_tui.till import Till

TRAINEE = User(3, "1003", "Ola Wiśniewska", "stażysta", frozenset())
CASH = PaymentMethod("gotowka", "gotówka", "cash", True, 1)
GIVEN = Authorisation("returns", 1, "1001", "Anna Kowalska", NOW.astimezone(UTC))


def test_a_return_authorised_by_a_manager(demo_terminal: Terminal, sell: Callable[..., StoredDocument]) -> None:
    sale = sell([("1", 2000)])
    service = Till(demo_terminal).returns
    source = service.find(sale.code, TRAINEE, GIVEN)
    stored = service.commit(source, {0: 1000}, CASH, cashier=TRAINEE, now=NOW, authorisation=GIVEN)
    detail = demo_terminal.ledger.get_document(stored.uuid)
    assert detail.cashier_name == "Ola Wiśniewska" and authorisations_of(detail.extra) == (GIVEN,)
    assert detail.extra["original"] == {"terminal_id": 1, "number": sale.number}  # still there
    printed = service.print_return(stored.uuid, NOW).text
    assert "Kasjer: Ola Wiśniewska" in printed and "Autoryzował: Anna Kowalska" in printed
    assert document_payload(detail)["authorisations"][0]["name"] == "Anna Kowalska"


@pytest.mark.parametrize("authorisation", [None, Authorisation("void", 1, "1001", "Anna Kowalska", NOW)])
def test_without_an_authorisation_of_returns_it_is_refused(demo_terminal: Terminal, sell, authorisation) -> None:  # type: ignore[no-untyped-def]
    sale = sell([("1", 1000)])
    service = Till(demo_terminal).returns
    with pytest.raises(DomainError) as caught:
        service.find(sale.code, TRAINEE, authorisation)
    assert caught.value.key == "ret.err.no_permission"
    source = service.find(sale.code, TRAINEE, GIVEN)
    with pytest.raises(DomainError):
        service.commit(source, {0: 1000}, CASH, cashier=TRAINEE, now=NOW, authorisation=authorisation)
    assert demo_terminal.ledger.last_number("return") == 0
