"""Fault matrix rows on data and time (issue 18): master data changed under pending
sales, late sales for a day already closed in the back office, and a till clock
±2 days off. A real back office on 127.0.0.1 (SQLite and PostgreSQL) behind the fault
proxy, a till activated through it with its clock in the test's hands; every test ends
with the shared invariants checker (tests/reliability/invariants.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from data_time_support import (
    UPLOAD,
    ClockTill,
    naive_utc,
    stored,
    stored_lines,
    vat_rates_problems,
    warnings_of,
)
from fault_proxy import Fault, FaultProxy
from invariants import check, cursors
from sync.faultproxy import Rule, Shop
from sync.faultproxy import fault_proxy as body_fault_proxy
from web.web_support import WebClient, main_text

from ipos_tui.backoffice import documents
from ipos_tui.backoffice import models as bo
from ipos_tui.backoffice.documents import checks
from ipos_tui.domain.records import User
from ipos_tui.domain.vat import vat_from_gross
from ipos_tui.store.db import open_terminal

#: Each test sells on days of its own, so the back office's per-day figures are its.
MASTER_DAY = datetime(2026, 11, 10, 11, 0, tzinfo=UTC)
LATE_DAY = datetime(2026, 11, 12, 8, 0, tzinfo=UTC)  # 09:00 in Warsaw
HELD_DAY = datetime(2026, 11, 14, 8, 0, tzinfo=UTC)
RELEASE_DAY = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)


@pytest.fixture
def till(tmp_path: Path, shop: tuple[Shop, str], proxy: FaultProxy) -> Iterator[ClockTill]:
    office, base = shop
    with open_terminal(tmp_path / "till") as terminal:
        office.activate(base, terminal, server_url=proxy.url)
        till = ClockTill(terminal, office)
        assert till.pull()
        yield till


def _list_id(shop: Shop) -> int:
    return int(bo.Store.get_by_id(shop.store1).price_list_id)


# ------------------------------------------------------------ master data changed


def test_master_data_changed_under_pending_sales(till: ClockTill, proxy: FaultProxy) -> None:
    """Fault: the till sells offline (the proxy drops every upload); meanwhile the back
    office deletes one sold product, deactivates another, lowers a third one's VAT letter
    (B -> C), changes the rate of letter A (23 % -> 22 %) and deactivates the cashier
    who sold. Checks: when the link returns every sale is accepted once, stored with the
    name, price, VAT letter and rate and the cashier it was sold with (payload, line rows,
    the per-day VAT at the sold rate); the deleted product gets its "unknown_product"
    warning and nothing else warns (a deactivated product or cashier is still known);
    the next pull makes the till's catalogue and VAT table the back office's."""
    shop, office = till.shop, till.shop.office
    list1 = _list_id(shop)
    bread = office.add_product("Chleb wiejski", "7101", "B", prices={list1: 650})
    kefir = office.add_product("Kefir naturalny", "7102", "B", prices={list1: 329})
    coffee = office.add_product("Kawa mielona", "7103", "A", prices={list1: 2499})
    salt = office.add_product("Sól kamienna", "7104", "A", prices={list1: 199})
    ewa = User(id=office.add_user("2002", "Ewa Nowak", "2222"), identifier="2002",
               name="Ewa Nowak", role="cashier")
    assert till.pull()
    before = cursors(till.terminal)

    till.now = MASTER_DAY
    proxy.add(Fault("drop", UPLOAD, "POST", times=1000))
    sold = {plu: till.sell(plu, cashier=ewa) for plu in ("7101", "7102", "7103", "7104")}
    assert not till.upload()
    assert till.pending() == 4

    office.delete_product(bread)
    office.update_product(salt, active=False)
    office.update_product(kefir, vat="C")
    office.set_vat_rate("A", 2200)
    office.deactivate_user("2002")
    proxy.clear()
    till.sync_until_done()

    expected = {  # plu: (product id, name, letter, price, rate as sold)
        "7101": (bread, "Chleb wiejski", "B", 650, 800),
        "7102": (kefir, "Kefir naturalny", "B", 329, 800),
        "7103": (coffee, "Kawa mielona", "A", 2499, 2300),
        "7104": (salt, "Sól kamienna", "A", 199, 2300),
    }
    for plu, (product_id, name, letter, price, rate) in expected.items():
        uuid = sold[plu]
        assert stored_lines(uuid) == [(product_id, plu, name, letter, price, 1000, price)]
        row = stored(uuid)
        assert json.loads(row.vat_rates) == {letter: rate}
        assert row.cashier_id == ewa.id
        payload = json.loads(row.payload)
        assert (payload["cashier_id"], payload["cashier_name"]) == (ewa.id, "Ewa Nowak")
        assert payload["lines"][0]["name"] == name and payload["lines"][0]["vat"] == letter
        assert warnings_of(uuid) == ([f"unknown_product:{bread}"] if plu == "7101" else [])
    listed = {r["uuid"]: r for r in documents.list_transactions(office, day=MASTER_DAY.date())}
    assert {(listed[u]["cashier"], listed[u]["cashier_name"]) for u in sold.values()} == {
        ("2002", "Ewa Nowak")}
    day = documents.sales_report(office, MASTER_DAY.date(), shop.store1)
    assert day["vat"]["A"]["vat"] == vat_from_gross(2499 + 199, 2300)
    assert day["vat"]["B"]["vat"] == vat_from_gross(650 + 329, 800)

    assert till.pull()
    catalogue = {p.plu: p for p in (till.terminal.catalog.find_by_code(c)
                                    for c in ("7101", "7102", "7104")) if p is not None}
    assert "7101" not in catalogue and catalogue["7102"].vat_letter == "C"
    assert vat_rates_problems(till.terminal, office) == []
    check(till.terminal, office, cursors_before=before)
    assert cursors(till.terminal)["products"] > before["products"]


# ------------------------------------------------------------ late sales


def _owner_client(shop: Shop, base: str) -> WebClient:
    office = shop.office
    if bo.User.get_or_none(identifier="9001") is None:
        office.add_user("9001", "Jan Właściciel", "9999", role="owner")
        office.set_web_password("9001", "haslo-wlasciciela-18")
    client = WebClient(base)
    assert client.login("9001", "haslo-wlasciciela-18").status_code == 303
    return client


def test_late_sale_after_the_day_close_is_accepted_and_flagged(
        till: ClockTill, shop: tuple[Shop, str]) -> None:
    """Fault: the till's clock is set back after its day close. Offline it sells at
    09:00, closes the day at 20:00 (daily report of that day), then — its clock corrected
    back to 19:00 — sells again on the closed day, and once more at 21:00 (after the
    report: the next fiscal day's first sale); one upload sends the four in order.
    Checks: all are accepted once; only the 19:00 sale (dated within the day the report
    had closed) carries "late_after_day_close:<report number>", the 09:00 and 21:00 ones
    carry nothing; iPOS web says so in words on the document and marks it in the list."""
    office, base = shop
    before = cursors(till.terminal)
    till.now = LATE_DAY
    early = till.sell("101")
    till.now = LATE_DAY.replace(hour=19)  # 20:00 in Warsaw
    report_uuid, report_day = till.close_day()
    assert report_day == LATE_DAY.date()
    till.now = LATE_DAY.replace(hour=18)  # the clock put back an hour
    late = till.sell("101")
    till.now = LATE_DAY.replace(hour=20)
    after = till.sell("102")
    till.sync_until_done()

    number = stored(report_uuid).number
    assert warnings_of(late) == [f"late_after_day_close:{number}"]
    assert warnings_of(early) == [] and warnings_of(after) == [] and warnings_of(report_uuid) == []
    assert stored(late).day == LATE_DAY.date()

    client = _owner_client(office, base)
    try:
        detail = main_text(client.get(f"/transactions/{stored(late).id}").text)
        assert f"Dokument dotarł po raporcie dobowym RD{number:04d} tej kasy za ten dzień" in detail
        listing = client.get(f"/transactions?day={LATE_DAY.date().isoformat()}"
                             f"&terminal={stored(late).terminal_id}").text
        assert main_text(listing).count("po raporcie dobowym") == 1
    finally:
        client.close()
    check(till.terminal, office.office, cursors_before=before)


def test_sale_held_past_the_day_close_arrives_late_and_flagged(
        tmp_path: Path, shop: tuple[Shop, str]) -> None:
    """Fault: the back office fails (HTTP 500) on every batch holding one sale sold
    before the day close; the till holds that sale back after three failed rounds and
    sends the rest, the daily report of the day included. When the fault ends, the
    held sale arrives on a day the back office already has the report of. Checks: it is
    stored once with "late_after_day_close:<report number>"; the sale sold with it and
    accepted before the report carries no warning."""
    office, base = shop
    with body_fault_proxy(base) as proxy, open_terminal(tmp_path / "held") as terminal:
        office.activate(base, terminal, server_url=proxy.url)
        till = ClockTill(terminal, office)
        assert till.pull()
        before = cursors(terminal)
        till.now = HELD_DAY
        fine = till.sell("101")
        poison = till.sell("102")
        till.now = HELD_DAY.replace(hour=19)
        report_uuid, _day = till.close_day()
        proxy.add_rule(Rule("reply", path_prefix=UPLOAD, times=10_000, status=500,
                            body_contains=poison.encode()))
        for _ in range(4):
            till.upload()
        states = till.states()
        assert states[fine][0] == states[report_uuid][0] == "sent"
        assert states[poison] == ("quarantined", "held:500")
        proxy.rules.clear()
        assert till.upload()
        assert till.states()[poison][0] == "sent"
        number = stored(report_uuid).number
        assert warnings_of(poison) == [f"late_after_day_close:{number}"]
        assert warnings_of(fine) == []
        check(terminal, office.office, cursors_before=before)


def test_sale_released_from_quarantine_after_the_day_close_is_flagged(
        tmp_path: Path, till: ClockTill, shop: tuple[Shop, str]) -> None:
    """Fault: a sale sold before the day close is refused (the back office holds another
    till's document under its uuid: "uuid_conflict", as in the poison row) and
    quarantined, while the daily report sent with it is accepted. After the fix the
    owner releases it from the quarantine. Checks: the release stores it once with
    "late_after_day_close:<report number>" (the release path flags like the upload);
    the till's retry is then a duplicate and its outbox empties."""
    office, base = shop
    before = cursors(till.terminal)
    till.now = RELEASE_DAY
    bad = till.sell("101")
    till.now = RELEASE_DAY.replace(hour=19)
    report_uuid, _day = till.close_day()
    with open_terminal(tmp_path / "other") as terminal:
        office.activate(base, terminal)
        other = ClockTill(terminal, office, now=RELEASE_DAY)
        assert other.pull()
        taken = other.sell("101")
        other.sync_until_done()
    bo.Transaction.update(uuid=bad).where(bo.Transaction.uuid == taken).execute()
    till.upload()
    states = till.states()
    assert states[bad] == ("quarantined", "uuid_conflict") and states[report_uuid][0] == "sent"
    bo.Transaction.update(uuid=taken).where(bo.Transaction.uuid == bad).execute()
    (held,) = office.quarantined(bad)
    assert office.office.release_quarantined(held.id)["status"] == "accepted"
    assert warnings_of(bad) == [f"late_after_day_close:{stored(report_uuid).number}"]
    till.upload()
    assert till.states()[bad][0] == "sent"
    check(till.terminal, office.office, cursors_before=before)


# ------------------------------------------------------------ clock skew


@pytest.mark.parametrize("skew_days", [-2, 2])
def test_till_clock_two_days_off(till: ClockTill, skew_days: int) -> None:
    """Fault: the till's clock is ``skew_days`` days off (sales, sync backoff and day
    all run on it), later as far off the other way. Checks: price changes and a new
    product reach it by the server's revisions (the cursor moves forward whatever the
    clock says, also when the clock jumps back); its sales are
    accepted, each keeping both times — ``created_at`` as the till's clock put it (and
    the shop day from it) and ``received_at`` from the back office's own clock."""
    shop, office = till.shop, till.shop.office
    before = cursors(till.terminal)
    till.now = datetime.now(UTC) + timedelta(days=skew_days)
    office.set_price(_list_id(shop), shop.products["C"], 777 + skew_days)
    office.add_product(f"Nowy zegar {skew_days + 2}", f"81{skew_days + 2}", "B",
                       prices={_list_id(shop): 555})
    assert till.pull()
    assert till.terminal.catalog.find_by_code("102").price == 777 + skew_days
    sold_at = till.now
    uuids = [till.sell("102"), till.sell(f"81{skew_days + 2}")]
    sent_from = naive_utc(datetime.now(UTC))
    till.sync_until_done()
    sent_until = naive_utc(datetime.now(UTC))
    for uuid in uuids:
        row = stored(uuid)
        assert row.created_at == naive_utc(sold_at)
        assert row.day == sold_at.astimezone(checks.SHOP_TZ).date()
        assert sent_from <= row.received_at <= sent_until
    assert till.pull()
    check(till.terminal, office, cursors_before=before)
    assert cursors(till.terminal)["products"] > before["products"]
    # the clock jumps 2 × skew the other way (set right and past it): pulls go on by revision
    middle = cursors(till.terminal)
    till.now = datetime.now(UTC) - timedelta(days=skew_days)
    office.set_price(_list_id(shop), shop.products["C"], 888 + skew_days)
    assert till.pull()
    assert till.terminal.catalog.find_by_code("102").price == 888 + skew_days
    check(till.terminal, office, cursors_before=middle)
    assert cursors(till.terminal)["products"] > middle["products"]


def test_till_clock_beyond_the_allowed_skew(till: ClockTill, shop: tuple[Shop, str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault: the till's clock is three days ahead, past the back office's allowed skew
    (checks.FUTURE_SKEW, 2 days). Checks the product's handling: the sale is refused as
    "implausible_date:created_at", quarantined on the till with that reason (never
    lost, never blocking the sale sold after it with a right clock) and kept raw once
    in the back office's quarantine however often it is retried; once the back
    office's time has caught up (here: a wider allowed skew), the next sync — which
    retries quarantined documents — stores it exactly once."""
    office, _base = shop
    before = cursors(till.terminal)
    till.now = datetime.now(UTC)
    right = till.sell("101")
    till.close_day()  # today's day closed: the next sale may open any later day
    till.now = datetime.now(UTC) + timedelta(days=3)
    ahead = till.sell("101")
    till.upload()
    till.upload()
    states = till.states()
    assert states[ahead] == ("quarantined", "implausible_date:created_at")
    assert states[right][0] == "sent"
    (held,) = office.quarantined(ahead)
    assert held.reason == "implausible_date:created_at" and ahead in held.payload
    assert office.stored([ahead]) == []
    check(till.terminal, office.office, cursors_before=before)

    monkeypatch.setattr(checks, "FUTURE_SKEW", timedelta(days=4))
    till.upload()
    assert till.states()[ahead][0] == "sent"
    assert len(office.stored([ahead])) == 1
    check(till.terminal, office.office, cursors_before=before)


def test_warning_text_in_both_languages() -> None:
    """No fault: the late flag and the unknown-name warnings read as words in iPOS web
    in Polish and English (a code without a text stays as it came)."""
    from ipos_tui.backoffice.web.routes.transactions import warning_text

    assert warning_text("late_after_day_close:7", "pl").startswith(
        "Dokument dotarł po raporcie dobowym RD0007")
    assert warning_text("late_after_day_close:7", "en").startswith(
        "The document arrived after this terminal's daily report RD0007")
    assert "12" in warning_text("unknown_product:12", "en")
    assert warning_text("something_new:1", "pl") == "something_new:1"
