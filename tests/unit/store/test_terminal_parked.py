"""Parked receipts: stored as they change, restored after a restart, switched, deleted,
removed atomically with the sale that pays them, and cleared by the daily report."""

from __future__ import annotations

from pathlib import Path

import pytest
from terminal_support import receipt_of

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.receipt import Discount, Receipt
from ipos_tui.store.db import Terminal, open_terminal
from ipos_tui.store.migrations import SCHEMA_VERSION
from ipos_tui.domain.parked import MAX_PARKED
from ipos_tui.store.parked import SOURCE_BACKOFFICE, ParkedService, receipt_state

MLEKO, CHLEB, LIGOL, PIWO = "1", "101", "201", "1401"


def service(terminal: Terminal) -> ParkedService:
    return ParkedService(terminal.db, terminal.models)


def _numbers(parked: ParkedService) -> list[tuple[int, bool]]:
    return [(item.number, item.is_current) for item in parked.list_parked()]


def test_a_new_terminal_opens_an_empty_receipt_1(fresh: Terminal) -> None:
    assert fresh.schema_version == SCHEMA_VERSION
    parked = service(fresh)
    opened = parked.open_current()
    assert opened.number == 1 and opened.receipt.is_empty
    assert parked.open_current().id == opened.id  # asking again creates nothing
    assert _numbers(parked) == [(1, True)]


def test_every_line_detail_survives_a_restart(demo_dir: Path) -> None:
    with open_terminal(demo_dir) as terminal:
        parked = service(terminal)
        opened = parked.open_current()
        receipt = receipt_of(
            terminal,
            [(MLEKO, 2000), (LIGOL, 1235), (PIWO, 4000)],
            receipt_discount=Discount("percent", 1000),
        )
        receipt.set_line_discount(2, Discount("amount", 150))
        receipt.set_price(0, 399)
        parked.save(opened.id, receipt)
        expected_total = receipt.total
        expected_state = receipt_state(receipt)
    with open_terminal(demo_dir) as again:
        restored = service(again).open_current()
    assert restored.id == opened.id and restored.number == 1
    assert receipt_state(restored.receipt) == expected_state
    assert restored.receipt.total == expected_total
    assert [line.receipt_discount_share for line in restored.receipt.lines] == [
        line.receipt_discount_share for line in receipt.lines
    ]


def test_the_parked_copy_keeps_its_own_price_when_the_catalogue_changes(demo_terminal: Terminal) -> None:
    parked = service(demo_terminal)
    opened = parked.open_current()
    parked.save(opened.id, receipt_of(demo_terminal, [(CHLEB, 1000)]))
    demo_terminal.db.execute_sql("UPDATE product SET name = 'Inny', price = 1 WHERE plu = ?", (CHLEB,))
    line = parked.open_current().receipt.lines[0]
    assert line.name == "Chleb żytni 500g" and line.unit_price > 1


def test_saving_again_replaces_the_lines(demo_terminal: Terminal) -> None:
    parked = service(demo_terminal)
    opened = parked.open_current()
    parked.save(opened.id, receipt_of(demo_terminal, [(MLEKO, 1000), (CHLEB, 1000)]))
    smaller = receipt_of(demo_terminal, [(PIWO, 3000)])
    parked.save(opened.id, smaller)
    restored = parked.open_current().receipt
    assert [line.plu for line in restored.lines] == [PIWO]
    summary = parked.list_parked()[0]
    assert summary.line_count == 1 and summary.total == smaller.total


def test_add_takes_the_lowest_free_number_and_becomes_current(fresh: Terminal) -> None:
    parked = service(fresh)
    first = parked.open_current()
    second = parked.add()
    third = parked.add()
    assert (second.number, third.number) == (2, 3)
    assert _numbers(parked) == [(1, False), (2, False), (3, True)]
    parked.delete(second.id)
    assert parked.add().number == 2
    assert parked.switch(first.id).number == 1
    assert _numbers(parked) == [(1, True), (2, False), (3, False)]


def test_no_more_than_the_limit_can_be_open(fresh: Terminal) -> None:
    parked = service(fresh)
    parked.open_current()
    for _ in range(MAX_PARKED - 1):
        parked.add()
    with pytest.raises(DomainError) as caught:
        parked.add()
    assert caught.value.key == "err.parked_limit" and caught.value.params == {"max": MAX_PARKED}
    assert len(parked.list_parked()) == MAX_PARKED


def test_switching_restores_each_receipt_with_its_lines(demo_terminal: Terminal) -> None:
    parked = service(demo_terminal)
    first = parked.open_current()
    parked.save(first.id, receipt_of(demo_terminal, [(MLEKO, 1000)]))
    second = parked.add()
    parked.save(second.id, receipt_of(demo_terminal, [(CHLEB, 2000), (PIWO, 1000)]))
    assert [line.plu for line in parked.switch(first.id).receipt.lines] == [MLEKO]
    assert [line.plu for line in parked.switch(second.id).receipt.lines] == [CHLEB, PIWO]


def test_deleting_the_current_one_opens_the_lowest_remaining(demo_terminal: Terminal) -> None:
    parked = service(demo_terminal)
    first = parked.open_current()
    parked.save(first.id, receipt_of(demo_terminal, [(MLEKO, 1000)]))
    second = parked.add()
    after = parked.delete(second.id)
    assert after.id == first.id and [line.plu for line in after.receipt.lines] == [MLEKO]
    last = parked.delete(first.id)
    assert last.number == 1 and last.receipt.is_empty and last.id != first.id
    count = demo_terminal.db.execute_sql("SELECT count(*) FROM parked_line").fetchone()[0]
    assert count == 0  # the lines went with their receipts


def test_a_missing_receipt_is_a_clear_error(fresh: Terminal) -> None:
    parked = service(fresh)
    opened = parked.open_current()
    parked.delete(opened.id)
    for attempt in (lambda: parked.switch(opened.id), lambda: parked.save(opened.id, Receipt())):
        with pytest.raises(DomainError) as caught:
            attempt()
        assert caught.value.key == "err.parked_missing"


def test_start_empty_keeps_the_number_and_drops_the_lines(demo_terminal: Terminal) -> None:
    parked = service(demo_terminal)
    parked.open_current()
    second = parked.add()
    parked.save(second.id, receipt_of(demo_terminal, [(MLEKO, 1000)]))
    again = parked.start_empty(2)
    assert again.number == 2 and again.receipt.is_empty
    assert _numbers(parked) == [(1, False), (2, True)]
    assert parked.open_current().receipt.is_empty


def test_clear_parked_removes_only_terminal_created_receipts(demo_terminal: Terminal) -> None:
    parked = service(demo_terminal)
    first = parked.open_current()
    parked.save(first.id, receipt_of(demo_terminal, [(MLEKO, 1000)]))
    parked.add()
    demo_terminal.db.execute_sql(
        "INSERT INTO parked_receipt (number, source) VALUES (7, ?)", (SOURCE_BACKOFFICE,)
    )
    assert parked.clear_parked() == 2
    assert [(item.number, item.source) for item in parked.list_parked()] == [(7, SOURCE_BACKOFFICE)]
    reopened = parked.open_current()
    assert reopened.number == 7 and reopened.receipt.is_empty


def test_receipt_state_sees_every_kind_of_change(demo_terminal: Terminal) -> None:
    receipt = receipt_of(demo_terminal, [(MLEKO, 1000), (CHLEB, 1000)])
    seen = {receipt_state(receipt)}
    changes = [
        lambda: receipt.set_quantity(0, 3000),
        lambda: receipt.set_price(1, 777),
        lambda: receipt.set_line_discount(0, Discount("amount", 10)),
        lambda: receipt.set_receipt_discount(Discount("percent", 500)),
        lambda: receipt.void_line(1),
    ]
    for change in changes:
        change()
        state = receipt_state(receipt)
        assert state not in seen
        seen.add(state)
