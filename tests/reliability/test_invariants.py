"""The checker itself (issue 18, item 1): it holds on a good state (a till that pulled
its catalogue and uploaded its sales through the real back office on 127.0.0.1) and
fails on a missing sale, a duplicated one, a differing price, a cursor moved back,
an unsent document and a quarantine without its reason."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from invariants import check, cursors, problems
from office_db import OfficeBackend
from sync.faultproxy import Shop, serve_app

from ipos_tui.backoffice import models as bo
from ipos_tui.backoffice.api import create_app
from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine
from ipos_tui.store.db import Terminal, open_terminal
from ipos_tui.sync.context import SyncContext
from ipos_tui.sync.progress import CancelToken
from ipos_tui.sync.pull import pull_stream
from ipos_tui.sync.upload import upload_job


def sell(shop: Shop, terminal: Terminal, count: int) -> list[str]:
    uuids = []
    for i in range(count):
        receipt = Receipt([ReceiptLine("101", "Towar B", "szt.", 0, 250 + i, 2000, "B",
                                       product_id=shop.products["B"])])
        uuids.append(terminal.ledger.commit_receipt(
            receipt, [Payment("cash", "Gotówka", receipt.total)], cashier=shop.cashier,
            now=datetime.now(UTC)).uuid)
    return uuids


def sync(terminal: Terminal) -> None:
    ctx = SyncContext.for_terminal(terminal, sleep=lambda _s: None, page_limit=2)
    assert ctx is not None
    with ctx:
        assert pull_stream(ctx, "products", lambda _e: None, CancelToken()).ok
        assert upload_job(ctx, lambda _e: None, CancelToken())


@pytest.fixture
def synced(tmp_path: Path, office_backend: OfficeBackend) -> Iterator[tuple[Shop, Terminal]]:
    shop = Shop.create(office_backend.url(tmp_path / "office.sqlite3"))
    with serve_app(create_app(shop.office)) as base, \
            open_terminal(tmp_path / "till") as terminal:
        shop.activate(base, terminal)
        sell(shop, terminal, 3)
        sync(terminal)
        yield shop, terminal


def test_holds_on_a_good_state(synced: tuple[Shop, Terminal]) -> None:
    shop, terminal = synced
    before = cursors(terminal)
    assert before.get("products", 0) > 0
    check(terminal, shop.office, cursors_before=before)


def _first_stored(shop: Shop, terminal: Terminal) -> bo.Transaction:
    uuid = terminal.db.execute_sql("SELECT uuid FROM document ORDER BY id").fetchone()[0]
    return bo.Transaction.get(bo.Transaction.uuid == uuid)


def test_fails_on_a_missing_sale(synced: tuple[Shop, Terminal]) -> None:
    shop, terminal = synced
    row = _first_stored(shop, terminal)
    bo.Transaction.update(uuid="00000000-0000-4000-8000-000000000000").where(
        bo.Transaction.id == row.id).execute()
    found = problems(terminal, shop.office)
    assert any(f"{row.uuid}: in the back office 0 times" in p for p in found), found


def test_fails_on_a_duplicated_sale(synced: tuple[Shop, Terminal]) -> None:
    shop, terminal = synced
    row = _first_stored(shop, terminal)
    copy = dict(row.__data__)
    copy.pop("id")
    copy.update(uuid="11111111-1111-4111-8111-111111111111", number=row.number + 100)
    bo.Transaction.insert(copy).execute()
    found = problems(terminal, shop.office)
    assert any("in the back office (1x) but not on the till" in p for p in found), found


def test_fails_on_a_differing_price(synced: tuple[Shop, Terminal]) -> None:
    shop, terminal = synced
    terminal.db.execute_sql("UPDATE product SET price = price + 1 WHERE id = ?",
                            (shop.products["C"],))
    found = problems(terminal, shop.office)
    assert any(p.startswith("catalogue products differ") for p in found), found


def test_fails_on_cursor_outbox_and_quarantine(synced: tuple[Shop, Terminal]) -> None:
    shop, terminal = synced
    ahead = {stream: value + 1 for stream, value in cursors(terminal).items()}
    assert any("moved backwards" in p
               for p in problems(terminal, shop.office, cursors_before=ahead))
    unsent = sell(shop, terminal, 1)[0]
    terminal.db.execute_sql("UPDATE document SET upload_state = 'quarantined'"
                            " WHERE uuid = (SELECT uuid FROM document ORDER BY id LIMIT 1)")
    found = problems(terminal, shop.office)
    assert f"{unsent}: still in the outbox (pending)" in found, found
    assert any("quarantined without a reason" in p for p in found), found
    with pytest.raises(AssertionError, match="invariants broken"):
        check(terminal, shop.office)
