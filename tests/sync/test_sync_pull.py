"""Pull streams against the real back office (uvicorn on 127.0.0.1) with the demo shop:
first sync, every kind of incremental change, deletions, a price-list switch while
selling, cancel between pages. Each test activates its own terminal, so the shared
back office may carry changes of earlier tests: assertions compare with its state."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ipos_tui.backoffice.services import BackOffice
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine
from ipos_tui.sync.context import SyncContext
from ipos_tui.sync.progress import (
    CancelToken,
    ItemDone,
    ItemFailed,
    ItemProgress,
    ItemStarted,
    JobFinished,
)
from ipos_tui.sync.pull import products_job, pull_stream
from ipos_tui.store.db import Terminal
from ipos_tui.store.feed_apply import FeedApplier
from ipos_tui.domain.records import User

from sync_support import (
    activated,
    assert_name_index_matches,
    demo_office,
    first_store,
    office_catalogue,
    pull_all,
    running_server,
    terminal_catalogue,
)
from office_db import OfficeBackend

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone(timedelta(hours=1)))
CASHIER = User(id=1, identifier="1001", name="Anna", role="kasjer")


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, office_backend: OfficeBackend) -> Iterator[tuple[BackOffice, str]]:
    office = demo_office(office_backend.url(tmp_path_factory.mktemp("bo") / "office.db"))
    with running_server(office) as base:
        yield office, base


@pytest.fixture
def synced(shop: tuple[BackOffice, str], tmp_path: Path) -> Iterator[Terminal]:
    """A terminal of the first store after its first full sync."""
    office, base = shop
    terminal = activated(office, base, tmp_path / "t", first_store(office))
    assert pull_all(terminal) == {"config": True, "users": True, "products": True}
    with terminal:
        yield terminal


def _done(events: list[object], item: str) -> ItemDone:
    found = [e for e in events if isinstance(e, ItemDone) and e.item == item]
    assert len(found) == 1, events
    return found[0]


def _sell(terminal: Terminal, plu: str) -> int:
    """Sell one piece of ``plu`` from the terminal's catalogue; returns the price paid."""
    product = terminal.catalog.find_by_code(plu)
    assert product is not None, plu
    line = ReceiptLine(plu=product.plu, name=product.name, unit=product.unit,
                       precision=product.precision, unit_price=product.price, qty=1000,
                       vat_letter=product.vat_letter, product_id=product.id)
    receipt = Receipt([line])
    terminal.ledger.commit_receipt(receipt, [Payment("cash", "Gotówka", receipt.total)],
                                   cashier=CASHIER, now=NOW)
    return receipt.total


def _product_by_plu(office: BackOffice, plu: str) -> int:
    return office.product_by_plu(plu)


def _store_list(office: BackOffice, store_id: int) -> int:
    return next(s["price_list_id"] for s in office.list_stores() if s["id"] == store_id)


# --------------------------------------------------------------------- first sync


def test_first_sync_equals_the_back_office_and_reports_every_item(
    shop: tuple[BackOffice, str], tmp_path: Path
) -> None:
    office, base = shop
    store = first_store(office)
    events: list[object] = []
    with activated(office, base, tmp_path / "t", store) as terminal:
        assert pull_all(terminal, limit=50, events=events) == {
            "config": True, "users": True, "products": True}
        expected = office_catalogue(office, store)
        assert terminal_catalogue(terminal) == expected
        assert len(expected["products"]) >= 384
        # The name index answers for the synced names (trigram, normalised).
        first = next(iter(expected["products"].values()))
        assert any(p.name == first[1] for p in terminal.catalog.search(first[1]))
        assert_name_index_matches(terminal)
    products = _done(events, "products")
    assert products.added == len(expected["products"]) and products.removed == 0
    assert _done(events, "barcodes").added == len(expected["barcodes"])
    starts = [e for e in events if isinstance(e, ItemStarted) and e.job == "products"]
    assert [e.item for e in starts] == ["vat_rates", "units", "categories", "products",
                                        "barcodes", "prices", "discounts"]
    progress = [e for e in events if isinstance(e, ItemProgress) and e.item == "products"]
    assert len(progress) > 1, "small pages show progress more than once"
    assert progress[-1].done == progress[-1].total == len(expected["products"])
    assert [e for e in events if isinstance(e, JobFinished)] == [
        JobFinished("config", True), JobFinished("users", True), JobFinished("products", True)]


def test_a_no_op_sync_changes_nothing(synced: Terminal) -> None:
    events: list[object] = []
    assert all(pull_all(synced, events=events).values())
    dones = [e for e in events if isinstance(e, ItemDone)]
    assert dones and all((e.added, e.changed, e.removed) == (0, 0, 0) for e in dones)


# --------------------------------------------------------------------- incremental


def test_price_change_only_touches_that_price_and_never_a_receipt(
    shop: tuple[BackOffice, str], synced: Terminal
) -> None:
    office, _ = shop
    store = first_store(office)
    product = synced.catalog.find_by_code("1")
    assert product is not None
    paid = _sell(synced, product.plu)
    sold = synced.ledger.list_documents()[0]
    office.set_price(_store_list(office, store), product.id, product.price + 111)
    events: list[object] = []
    assert all(pull_all(synced, events=events).values())
    assert synced.catalog.find_by_code(product.plu).price == product.price + 111
    assert (_done(events, "prices").changed, _done(events, "products").changed) == (1, 0)
    # The receipt keeps the price it was sold at.
    detail = synced.ledger.get_document(sold.uuid)
    assert detail.lines[0].unit_price == paid
    assert terminal_catalogue(synced) == office_catalogue(office, store)


def test_rename_keeps_the_name_index_right(
    shop: tuple[BackOffice, str], synced: Terminal
) -> None:
    office, _ = shop
    product = synced.catalog.find_by_code("2")
    assert product is not None
    office.update_product(product.id, name="Żurek śląski zmieniony")
    events: list[object] = []
    assert all(pull_all(synced, events=events).values())
    assert _done(events, "products").changed == 1
    assert [p.id for p in synced.catalog.search("zurek slaski zmien")] == [product.id]
    assert product.id not in [p.id for p in synced.catalog.search(product.name)]
    assert_name_index_matches(synced)
    assert terminal_catalogue(synced) == office_catalogue(office, first_store(office))


def test_barcode_added_moved_and_removed(shop: tuple[BackOffice, str], synced: Terminal) -> None:
    office, _ = shop
    a, b = synced.catalog.find_by_code("3"), synced.catalog.find_by_code("4")
    assert a is not None and b is not None
    code = "2912345000004"  # an in-store EAN-13 nobody uses yet
    office.add_barcode(a.id, code)
    assert all(pull_all(synced).values())
    assert synced.catalog.find_by_code(code).id == a.id
    office.remove_barcode(code)
    office.add_barcode(b.id, code)
    assert all(pull_all(synced).values())
    assert synced.catalog.find_by_code(code).id == b.id
    office.remove_barcode(code)
    events: list[object] = []
    assert all(pull_all(synced, events=events).values())
    assert _done(events, "barcodes").removed == 1
    assert code not in synced.catalog.barcodes(b.id)
    assert terminal_catalogue(synced) == office_catalogue(office, first_store(office))


def test_category_and_unit_changes(shop: tuple[BackOffice, str], synced: Terminal) -> None:
    office, _ = shop
    category = office.add_category("Nowa kategoria")
    product = synced.catalog.find_by_code("5")
    assert product is not None
    office.update_product(product.id, category_id=category)
    office.update_category(category, name="Kategoria po zmianie")
    events: list[object] = []
    assert all(pull_all(synced, events=events).values())
    assert _done(events, "categories").added == 1
    assert synced.catalog.product(product.id).category_id == category
    assert any(c.name == "Kategoria po zmianie" for c in synced.catalog.categories())
    assert terminal_catalogue(synced) == office_catalogue(office, first_store(office))


def test_unit_rename_reaches_the_products_of_that_unit(
    shop: tuple[BackOffice, str], synced: Terminal
) -> None:
    office, _ = shop
    office.add_unit("opak.", 0)
    product = synced.catalog.find_by_code("10")
    assert product is not None
    office.update_product(product.id, unit="opak.")
    assert all(pull_all(synced).values())
    assert synced.catalog.product(product.id).unit == "opak."
    office.rename_unit("opak.", "op.")
    events: list[object] = []
    assert all(pull_all(synced, events=events).values())
    assert _done(events, "units").changed == 1
    assert synced.catalog.product(product.id).unit == "op."
    assert "opak." not in [u.name for u in synced.catalog.units()]
    assert terminal_catalogue(synced) == office_catalogue(office, first_store(office))


def test_plu_handed_from_one_product_to_another(
    shop: tuple[BackOffice, str], synced: Terminal
) -> None:
    office, _ = shop
    a, b = synced.catalog.find_by_code("6"), synced.catalog.find_by_code("7")
    assert a is not None and b is not None
    office.update_product(a.id, plu="99001")
    office.update_product(b.id, plu="6")
    office.update_product(a.id, plu="7")
    assert all(pull_all(synced, limit=1).values())
    assert synced.catalog.find_by_code("6").id == b.id
    assert synced.catalog.find_by_code("7").id == a.id
    assert terminal_catalogue(synced) == office_catalogue(office, first_store(office))


def test_user_pin_and_permission_change_apply_at_next_login(
    shop: tuple[BackOffice, str], synced: Terminal
) -> None:
    office, _ = shop
    office.set_setting("login_mode", "identifier_pin")
    office.add_user("7001", "Ewa Testowa", "4321", permissions=[])
    assert all(pull_all(synced).values())
    user = synced.auth.login("7001", "4321", NOW)
    assert not user.can("returns")
    with pytest.raises(DomainError) as wrong:
        synced.auth.login("7001", "1111", NOW)
    assert wrong.value.key == "err.login_bad_pin"
    office.update_user("7001", pin="9876", permissions=["returns"])
    events: list[object] = []
    assert all(pull_all(synced, events=events).values())
    assert _done(events, "users").changed == 1
    assert synced.auth.login("7001", "9876", NOW).can("returns")
    with pytest.raises(DomainError):
        synced.auth.login("7001", "4321", NOW)
    office.deactivate_user("7001")
    assert all(pull_all(synced).values())
    with pytest.raises(DomainError) as inactive:
        synced.auth.login("7001", "9876", NOW)
    assert inactive.value.key == "err.login_inactive"


def test_login_mode_change_takes_effect_at_next_login(
    shop: tuple[BackOffice, str], synced: Terminal
) -> None:
    office, _ = shop
    office.set_setting("login_mode", "identifier")
    assert all(pull_all(synced).values())
    assert synced.settings.login_mode() == "id"
    assert synced.auth.login("1001", None, NOW).identifier == "1001"
    office.set_setting("login_mode", "none")
    assert all(pull_all(synced).values())
    assert synced.auth.login(None, None, NOW).id == 0
    office.set_setting("login_mode", "identifier_pin")
    assert all(pull_all(synced).values())
    with pytest.raises(DomainError) as no_pin:
        synced.auth.login("1001", None, NOW)
    assert no_pin.value.key == "err.login_pin_required"


def test_deleted_product_and_removed_price(shop: tuple[BackOffice, str], synced: Terminal) -> None:
    office, _ = shop
    store = first_store(office)
    doomed, unpriced = synced.catalog.find_by_code("8"), synced.catalog.find_by_code("9")
    assert doomed is not None and unpriced is not None
    doomed_codes = synced.catalog.barcodes(doomed.id)
    office.delete_product(doomed.id)
    office.remove_price(_store_list(office, store), unpriced.id)
    events: list[object] = []
    assert all(pull_all(synced, events=events).values())
    assert _done(events, "products").removed == 1
    assert _done(events, "prices").removed == 2
    assert synced.catalog.product(doomed.id) is None
    assert all(synced.catalog.find_by_code(code) is None for code in doomed_codes)
    # A product without a price in this store's list is not sellable (not at 0 zł).
    assert synced.catalog.find_by_code(unpriced.plu) is None
    assert not synced.catalog.product(unpriced.id).active
    assert terminal_catalogue(synced) == office_catalogue(office, store)
    office.set_price(_store_list(office, store), unpriced.id, 1234)
    assert all(pull_all(synced).values())
    assert synced.catalog.find_by_code(unpriced.plu).price == 1234


# --------------------------------------------------------------------- reset


def test_price_list_switch_rebuilds_while_the_old_catalogue_sells(
    shop: tuple[BackOffice, str], tmp_path: Path
) -> None:
    office, base = shop
    stores = office.list_stores()
    store, other_list = stores[1]["id"], stores[0]["price_list_id"]
    own_list = stores[1]["price_list_id"]
    with activated(office, base, tmp_path / "t", store) as terminal:
        assert all(pull_all(terminal).values())
        before = terminal_catalogue(terminal)
        plu = next(v[0] for v in before["products"].values() if v[8])
        old_price = terminal.catalog.find_by_code(plu).price
        office.assign_price_list(store, other_list)
        ctx = SyncContext.for_terminal(terminal, sleep=lambda _s: None, page_limit=100)
        assert ctx is not None
        cancel = CancelToken()
        events: list[object] = []

        def observer(event: object) -> None:
            events.append(event)
            if isinstance(event, ItemProgress) and event.item == "products":
                cancel.cancel()  # stop after the first page of the rebuild

        with ctx:
            half = pull_stream(ctx, "products", observer, cancel)
        assert not half.ok and half.reset and half.error_key == "sync.err.cancelled"
        assert any(isinstance(e, ItemFailed) and e.key == "sync.err.cancelled" for e in events)
        cursors = FeedApplier(terminal.db).cursors("products")
        assert cursors.shadow is not None, "the half-built catalogue waits in the shadow"
        # Until the swap the old catalogue sells, at the old prices.
        assert terminal_catalogue(terminal)["products"] == before["products"]
        assert _sell(terminal, plu) == old_price
        # The rest of the rebuild resumes from the shadow cursor and swaps at the end.
        events.clear()
        assert all(pull_all(terminal, events=events).values())
        assert FeedApplier(terminal.db).cursors("products").shadow is None
        assert terminal_catalogue(terminal) == office_catalogue(office, store)
        assert _done(events, "prices").changed > 0
        assert terminal.catalog.find_by_code(plu).price != old_price
        assert terminal.ledger.list_documents()[0].total == old_price
        assert_name_index_matches(terminal)
        office.assign_price_list(store, own_list)
        assert all(pull_all(terminal).values())
        assert terminal_catalogue(terminal) == office_catalogue(office, store)


def test_list_switched_again_during_a_rebuild_starts_it_over(
    shop: tuple[BackOffice, str], tmp_path: Path
) -> None:
    office, base = shop
    stores = office.list_stores()
    store, own_list, other_list = stores[1]["id"], stores[1]["price_list_id"], stores[0][
        "price_list_id"]
    with activated(office, base, tmp_path / "t", store) as terminal:
        assert all(pull_all(terminal).values())
        office.assign_price_list(store, other_list)
        ctx = SyncContext.for_terminal(terminal, sleep=lambda _s: None, page_limit=100)
        assert ctx is not None
        cancel = CancelToken()
        with ctx:
            half = pull_stream(ctx, "products", lambda e: isinstance(e, ItemProgress)
                               and cancel.cancel(), cancel)
        assert half.reset and not half.ok
        office.assign_price_list(store, own_list)
        with SyncContext.for_terminal(terminal, sleep=lambda _s: None, page_limit=100) as ctx:
            again = pull_stream(ctx, "products", lambda _e: None, CancelToken())
        assert again.ok and again.reset, "the back office restarted the rebuild"
        assert terminal_catalogue(terminal) == office_catalogue(office, store)
        assert FeedApplier(terminal.db).cursors("products").shadow is None


def test_cancel_between_pages_keeps_committed_pages_and_their_cursor(
    shop: tuple[BackOffice, str], synced: Terminal
) -> None:
    office, _ = shop
    store = first_store(office)
    price_list = _store_list(office, store)
    products = list(terminal_catalogue(synced)["products"].items())[:30]
    for pid, row in products:
        office.set_price(price_list, pid, row[7] + 7)
    ctx = SyncContext.for_terminal(synced, sleep=lambda _s: None, page_limit=10)
    assert ctx is not None
    cancel = CancelToken()

    def observer(event: object) -> None:
        if isinstance(event, ItemProgress) and event.item == "prices" and event.done >= 10:
            cancel.cancel()

    with ctx:
        result = pull_stream(ctx, "products", observer, cancel)
    assert not result.ok and result.pages == 1
    live = FeedApplier(synced.db).cursors("products").live
    assert live == result.cursor
    changed = [pid for pid, row in products if synced.catalog.product(pid).price == row[7] + 7]
    assert len(changed) == 10
    assert all(pull_all(synced).values())
    assert terminal_catalogue(synced) == office_catalogue(office, store)


def test_products_job_signature_and_result(shop: tuple[BackOffice, str], synced: Terminal) -> None:
    ctx = SyncContext.for_terminal(synced, sleep=lambda _s: None)
    assert ctx is not None
    events: list[object] = []
    with ctx:
        assert products_job(ctx, events.append, CancelToken()) is True
    assert events[-1] == JobFinished("products", True)


def test_shift_parking_and_header_settings_reach_the_till(
    shop: tuple[BackOffice, str], synced: Terminal
) -> None:
    """Each synced setting the till acts on, set in the real back office and pulled."""
    office, _ = shop
    office.set_setting("cashier_shifts", True)
    office.set_setting("parked_receipts", False)
    office.set_setting("receipt_header", "Dziękujemy za zakupy\nZapraszamy ponownie")
    assert all(pull_all(synced).values())
    assert synced.settings.cashier_shifts() is True
    assert synced.settings.parked_receipts() is False
    assert synced.settings.receipt_header() == ["Dziękujemy za zakupy", "Zapraszamy ponownie"]
    office.set_setting("cashier_shifts", False)
    office.set_setting("parked_receipts", True)
    office.set_setting("receipt_header", "")
    assert all(pull_all(synced).values())
    assert synced.settings.cashier_shifts() is False
    assert synced.settings.parked_receipts() is True
    assert synced.settings.receipt_header() == []
