"""Returns: never more than sold over several returns, money that adds up to the
line's value exactly, the card limit, the permission, local and remote originals,
no double counting of this till's returns the back office already has."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from returns_support import CASHIER, MANAGER, NOW

from ipos_tui.backoffice.documents.checks import parse_document
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.receipt_code import ReceiptCode
from ipos_tui.domain.receipt import Discount
from ipos_tui.protocol import ReturnDocument
from ipos_tui.sync.documents import document_payload
from ipos_tui.store.db import Terminal
from ipos_tui.domain.records import DocumentLine, DocumentPayment, PaymentMethod, StoredDocument
from ipos_tui.domain.receipt_lookup import RemoteReceipt
from ipos_tui.till.returns import ReturnService, refund_value
from ipos_tui.till import Till

Sell = Callable[..., StoredDocument]
CASH = PaymentMethod("gotowka", "gotówka", "cash", True, 1)
CARD = PaymentMethod("karta", "karta", "card", False, 2)


def code(doc: StoredDocument) -> str:
    return doc.code


def returned(service: ReturnService, doc: StoredDocument) -> list[int]:
    return [line.returned for line in service.find(code(doc), MANAGER).lines]


def give_back(service: ReturnService, doc_code: str, picks: dict[int, int],
              method: PaymentMethod = CASH) -> StoredDocument:
    source = service.find(doc_code, MANAGER)
    return service.commit(source, picks, method, cashier=MANAGER, now=NOW)


def test_partial_returns_never_exceed_what_was_sold(demo_terminal: Terminal, sell: Sell) -> None:
    sale = sell([("1", 3000), ("9", 1000)])
    service = Till(demo_terminal).returns
    first = give_back(service, sale.code, {0: 1000})
    second = give_back(service, sale.code, {0: 1000, 1: 1000})
    assert (first.number, second.number) == (1, 2)  # own gapless numbering
    assert demo_terminal.ledger.last_number("receipt") == sale.number
    assert returned(service, sale) == [2000, 1000]
    with pytest.raises(DomainError) as caught:
        give_back(service, sale.code, {0: 2000})
    assert caught.value.key == "ret.err.qty_too_much"
    assert caught.value.params["returnable"] == "1"
    with pytest.raises(DomainError) as caught:
        give_back(service, sale.code, {1: 1000})
    assert caught.value.params["returnable"] == "0"
    give_back(service, sale.code, {0: 1000})
    source = service.find(sale.code, MANAGER)
    assert source.fully_returned and demo_terminal.ledger.last_number("return") == 3


def test_refunds_of_a_discounted_line_add_up_to_its_value(demo_terminal: Terminal, sell: Sell) -> None:
    # 3 × 5,99 = 17,97 minus 10 % (1,80) = 16,17; and a receipt discount on a 7-piece line
    sale = sell([("9", 3000), ("1", 7000)], line_discount=Discount("percent", 1000),
                receipt_discount=Discount("amount", 101))
    service = Till(demo_terminal).returns
    original = demo_terminal.ledger.get_document(sale.uuid)
    refunds: dict[int, int] = {0: 0, 1: 0}
    for picks in ({0: 1000, 1: 2000}, {0: 1000, 1: 1000}, {1: 3000}, {0: 1000, 1: 1000}):
        stored = give_back(service, sale.code, picks)
        doc = demo_terminal.ledger.get_document(stored.uuid)
        wire = parse_document(document_payload(doc))  # what the back office re-checks
        assert isinstance(wire, ReturnDocument) and wire.total == doc.total
        for line in doc.lines:
            assert line.line_discount >= 0
            refunds[line.original_line] += line.value  # type: ignore[index]
    assert refunds == {0: original.lines[0].value, 1: original.lines[1].value}


def test_refund_value_telescopes_and_never_passes_the_gross() -> None:
    line = DocumentLine(1, None, "9", "X", "szt.", 0, 333, 3000, "A", 999, 0, 0, 998)
    steps = [refund_value(line, 0, 1000), refund_value(line, 1000, 1000), refund_value(line, 2000, 1000)]
    assert sum(steps) == 998 and all(0 <= s <= 333 for s in steps)
    free = DocumentLine(1, None, "9", "X", "szt.", 0, 333, 3000, "A", 999, 999, 0, 0)
    assert refund_value(free, 0, 3000) == 0


def test_weighed_lines_come_back_by_weight(demo_terminal: Terminal, sell: Sell) -> None:
    sale = sell([("20", 350), ("1", 2000)])  # 0,350 kg of Gouda at 34,90 zł/kg
    service = Till(demo_terminal).returns
    source = service.find(sale.code, MANAGER)
    assert source.lines[0].line.precision == 3
    stored = service.commit(source, {0: 125}, CASH, cashier=MANAGER, now=NOW)
    line = demo_terminal.ledger.get_document(stored.uuid).lines[0]
    assert (line.qty, line.original_line) == (125, 0)
    assert returned(service, sale) == [125, 0]
    with pytest.raises(DomainError) as caught:
        service.draft(service.find(sale.code, MANAGER), {1: 1500}, CASH)
    assert caught.value.key == "ret.err.qty_precision"
    with pytest.raises(DomainError) as caught:
        service.draft(service.find(sale.code, MANAGER), {0: 226}, CASH)
    assert caught.value.key == "ret.err.qty_too_much"
    assert caught.value.params["returnable"] == "0,225"


def test_card_refunds_go_through_the_payment_app_up_to_the_card_amount(
    demo_terminal: Terminal, sell: Sell
) -> None:
    sale = sell([("9", 3000)], card=1000)  # 17,97 zł: 10,00 by card, the rest cash
    service = Till(demo_terminal).returns
    source = service.find(sale.code, MANAGER)
    assert (source.card_paid, source.card_limit) == (1000, 1000)
    with pytest.raises(DomainError) as caught:
        service.draft(source, {0: 2000}, CARD)
    assert caught.value.key == "ret.err.card_limit"
    assert caught.value.params == {"amount": 1198, "limit": 1000}
    stored = service.commit(source, {0: 1000}, CARD, cashier=MANAGER, now=NOW)
    (refund,) = Till(demo_terminal).card_app.open_transactions()
    assert (refund.kind, refund.amount, refund.receipt_uuid) == ("refund", 599, stored.uuid)
    assert Till(demo_terminal).card_app.period_totals() == (1, -599)
    source = service.find(sale.code, MANAGER)
    assert source.card_limit == 401
    with pytest.raises(DomainError):
        service.draft(source, {0: 1000}, CARD)
    service.commit(source, {0: 1000}, CASH, cashier=MANAGER, now=NOW)  # cash is always fine
    assert demo_terminal.ledger.get_document(stored.uuid).payments == (
        DocumentPayment("karta", "karta", 599, 0),)


def test_only_cash_and_card_refund(demo_terminal: Terminal, sell: Sell) -> None:
    sale = sell([("1", 1000)])
    service = Till(demo_terminal).returns
    assert [m.code for m in service.refund_methods()] == ["gotowka", "karta"]
    with pytest.raises(DomainError) as caught:
        service.draft(service.find(sale.code, MANAGER), {0: 1000}, PaymentMethod("bon", "bon", "voucher"))
    assert caught.value.key == "ret.err.method"
    with pytest.raises(DomainError) as caught:
        service.draft(service.find(sale.code, MANAGER), {}, CASH)
    assert caught.value.key == "ret.err.nothing_picked"


def test_returns_need_the_permission(demo_terminal: Terminal, sell: Sell) -> None:
    sale = sell([("1", 1000)])
    service = Till(demo_terminal).returns
    with pytest.raises(DomainError) as caught:
        service.find(sale.code, CASHIER)
    assert caught.value.key == "ret.err.no_permission"
    source = service.find(sale.code, MANAGER)
    with pytest.raises(DomainError):
        service.commit(source, {0: 1000}, CASH, cashier=CASHIER, now=NOW)
    assert demo_terminal.ledger.last_number("return") == 0


def test_unknown_and_bad_codes(demo_terminal: Terminal, sell: Sell) -> None:
    sell([("1", 1000)])
    service = Till(demo_terminal).returns
    for text, key in (("K1-000099", "ret.err.not_found"), ("99", "ret.err.not_found"),
                      ("abc", "ret.err.code_invalid"), ("K7-1", "ret.err.offline")):
        with pytest.raises(DomainError) as caught:
            service.find(text, MANAGER)
        assert caught.value.key == key, text


def test_a_change_after_the_lookup_refuses_the_commit_without_a_number(
    demo_terminal: Terminal, sell: Sell
) -> None:
    sale = sell([("1", 2000)])
    service = Till(demo_terminal).returns
    stale = service.find(sale.code, MANAGER)
    give_back(service, sale.code, {0: 1000})
    with pytest.raises(DomainError) as caught:
        service.commit(stale, {0: 1000}, CASH, cashier=MANAGER, now=NOW)
    assert caught.value.key == "ret.err.changed"
    assert demo_terminal.ledger.last_number("return") == 1


class FakeBackOffice:
    """The lookup callable the sync layer provides, answering from a dict (the real
    back office answers these in tests/integration/test_returns_two_terminals.py)."""

    def __init__(self, receipt: RemoteReceipt | None = None, error: str | None = None) -> None:
        self.receipt, self.error, self.asked = receipt, error, 0

    def __call__(self, code: ReceiptCode) -> RemoteReceipt:
        self.asked += 1
        if self.error:
            raise DomainError(self.error, code=code.text)
        assert self.receipt is not None
        return self.receipt


def other_till_receipt(
    store_id: int, returned: dict[int, int] | None = None, refunded: dict[str, int] | None = None
) -> RemoteReceipt:
    lines = (DocumentLine(1, 1, "1", "Mleko 3,2% 1l", "szt.", 0, 349, 4000, "C", 1396, 0, 0, 1396),)
    return RemoteReceipt(7, 12, store_id, NOW - timedelta(hours=1), lines,
                         (DocumentPayment("karta", "karta", 1396, 0),), returned or {}, refunded or {})


def test_a_receipt_of_another_till_comes_from_the_back_office(demo_terminal: Terminal) -> None:
    store = demo_terminal.settings.terminal_info().store_id  # type: ignore[union-attr]
    office = FakeBackOffice(other_till_receipt(store, {0: 1000}))
    service = Till(demo_terminal).returns.with_lookup(office)
    source = service.find("K7-000012", MANAGER)
    assert source.remote and source.remote_checked and source.card_limit == 1396
    assert [line.returnable for line in source.lines] == [3000]
    stored = service.commit(source, {0: 2000}, CARD, cashier=MANAGER, now=NOW)
    doc = demo_terminal.ledger.get_document(stored.uuid)
    assert doc.extra == {"original": {"terminal_id": 7, "number": 12}, "vat_rates": {"C": 500}}
    assert document_payload(doc)["original"] == {"terminal_id": 7, "number": 12}
    # the back office has not seen our return yet: it still says 1 returned
    assert [line.returned for line in service.find("K7-12", MANAGER).lines] == [3000]
    demo_terminal.ledger.mark_sent([stored.uuid], NOW)
    office.receipt = other_till_receipt(store, {0: 3000}, {"karta": 698})  # now it has it: counted once
    assert [line.returned for line in service.find("K7-12", MANAGER).lines] == [3000]
    assert service.find("K7-12", MANAGER).card_limit == 1396 - 698


def test_card_refunds_made_on_other_tills_lower_the_card_limit(demo_terminal: Terminal) -> None:
    """The back office says 1000 gr already went back to the card on another till:
    only the rest may go to the card here; cash is still possible."""
    store = demo_terminal.settings.terminal_info().store_id  # type: ignore[union-attr]
    office = FakeBackOffice(other_till_receipt(store, {0: 2000}, {"karta": 1000, "gotowka": 0}))
    service = Till(demo_terminal).returns.with_lookup(office)
    source = service.find("K7-12", MANAGER)
    assert source.card_limit == 396
    with pytest.raises(DomainError) as caught:
        service.commit(source, {0: 2000}, CARD, cashier=MANAGER, now=NOW)  # 698 > 396
    assert caught.value.key == "ret.err.card_limit" and caught.value.params["limit"] == 396
    stored = service.commit(source, {0: 1000}, CARD, cashier=MANAGER, now=NOW)  # 349 fits
    assert stored.total == 349
    assert service.find("K7-12", MANAGER).card_limit == 396 - 349


@pytest.mark.parametrize("key", ["ret.err.offline", "ret.err.not_found", "ret.err.other_store"])
def test_remote_failures_reach_the_cashier(demo_terminal: Terminal, key: str) -> None:
    service = Till(demo_terminal).returns.with_lookup(FakeBackOffice(error=key))
    with pytest.raises(DomainError) as caught:
        service.find("K7-12", MANAGER)
    assert caught.value.key == key


def test_another_stores_receipt_is_refused(demo_terminal: Terminal) -> None:
    service = Till(demo_terminal).returns.with_lookup(FakeBackOffice(other_till_receipt(store_id=999)))
    with pytest.raises(DomainError) as caught:
        service.find("K7-12", MANAGER)
    assert caught.value.key == "ret.err.other_store"


def test_own_receipt_adds_other_tills_returns_when_online(demo_terminal: Terminal, sell: Sell) -> None:
    sale = sell([("1", 4000)])
    info = demo_terminal.settings.terminal_info()
    assert info is not None
    remote = RemoteReceipt(info.terminal_id, sale.number, info.store_id, NOW, (), (), {0: 1000})
    service = Till(demo_terminal).returns.with_lookup(FakeBackOffice(remote))
    mine = give_back(service, sale.code, {0: 1000})  # pending: not in the office's figure
    assert returned(service, sale) == [2000]
    demo_terminal.ledger.mark_sent([mine.uuid], NOW)
    service = Till(demo_terminal).returns.with_lookup(FakeBackOffice(
        RemoteReceipt(info.terminal_id, sale.number, info.store_id, NOW, (), (), {0: 2000})))
    assert returned(service, sale) == [2000]  # ours is in the office's 2000 now
    offline = Till(demo_terminal).returns.with_lookup(FakeBackOffice(error="ret.err.offline"))
    source = offline.find(sale.code, MANAGER)
    assert not source.remote_checked and [line.returned for line in source.lines] == [1000]
    unsent = Till(demo_terminal).returns.with_lookup(FakeBackOffice(error="ret.err.not_found"))
    assert unsent.find(sale.code, MANAGER).remote_checked


def test_the_return_prints_as_a_journaled_non_fiscal_printout(demo_terminal: Terminal, sell: Sell) -> None:
    sale = sell([("9", 2000)], line_discount=Discount("percent", 1000))
    service = Till(demo_terminal).returns
    stored = give_back(service, sale.code, {0: 1000})
    entry = service.print_return(stored.uuid, NOW)
    assert entry.kind == "return" and entry.document_uuid == stored.uuid
    assert "ZWROT TOWARU" in entry.text and sale.code in entry.text
    assert "DO ZWROTU PLN" in entry.text and "5,39" in entry.text
    assert all(len(line) <= 40 for line in entry.text.splitlines())
    assert Till(demo_terminal).printer.printouts_of(stored.uuid) == [entry]


def test_own_receipt_missing_locally_comes_from_the_back_office(demo_terminal: Terminal) -> None:
    """A till re-activated on a new disk keeps its id; its older receipts are only in
    the back office."""
    info = demo_terminal.settings.terminal_info()
    assert info is not None
    lines = (DocumentLine(1, 1, "1", "Mleko 3,2% 1l", "szt.", 0, 349, 2000, "C", 698, 0, 0, 698),)
    old = RemoteReceipt(info.terminal_id, 77, info.store_id, NOW, lines, (), {})
    source = Till(demo_terminal).returns.with_lookup(FakeBackOffice(old)).find("77", MANAGER)
    assert source.remote and source.code.number == 77 and source.lines[0].returnable == 2000
    for key in ("ret.err.offline", "ret.err.not_found"):
        with pytest.raises(DomainError) as caught:
            Till(demo_terminal).returns.with_lookup(FakeBackOffice(error=key)).find("77", MANAGER)
        assert caught.value.key == "ret.err.not_found"


def test_the_card_settlement_nets_and_names_the_refunds(demo_terminal: Terminal, sell: Sell) -> None:
    cards = Till(demo_terminal).card_app
    paid = cards.authorize(1797, NOW)
    sale = sell([("9", 3000)], card=1797)
    cards.link_receipt([paid.id], sale.uuid, sale.number)
    give_back(Till(demo_terminal).returns, sale.code, {0: 1000}, CARD)
    settlement = cards.settle(NOW)
    assert (settlement.count, settlement.total) == (2, 1797 - 599)
    assert settlement.printout is not None
    text = settlement.printout.text
    assert "w tym zwroty (1)" in text and "-5,99" in text and "11,98" in text
