"""Protocol 3's compact pull pages: the same changes in the same order, fewer bytes.

Each API test fetches a page twice from a real uvicorn back office on 127.0.0.1 —
once as protocol 2 (plain) and once as protocol 3 (compact) — and checks that the
compact page expands to exactly the plain one without its ``rev``s.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from backoffice_support import TerminalClient, build_shop, new_office, running_server
from hypothesis import given, settings
from hypothesis import strategies as st

from ipos_tui.protocol import (
    DATA_MODELS,
    MAX_PULL_LIMIT,
    PAGE_FIELDS,
    PAGE_ID_FIELDS,
    CompactPullResponse,
    compact_changes,
    expand_groups,
    wants_compact_pages,
)
from office_db import OfficeBackend


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, office_backend: OfficeBackend):
    office = new_office(office_backend.url(Path(tmp_path_factory.mktemp("compact")) / "compact.sqlite3"))
    return build_shop(office, n_products=40)


@pytest.fixture(scope="module")
def base(shop) -> Iterator[str]:
    with running_server(shop.office) as url:
        yield url


@pytest.fixture
def t1(shop, base) -> Iterator[TerminalClient]:
    _, code = shop.office.add_terminal(shop.store1, "Kasa")
    client = TerminalClient.activate(base, code)
    yield client
    client.close()


def _get(client: TerminalClient, stream: str, version: str | None,
         **params: Any) -> httpx.Response:
    headers = {} if version is None else {"X-Protocol-Version": version}
    response = client.http.get(f"/api/v1/sync/{stream}", params=params, headers=headers)
    response.raise_for_status()
    return response


def _without_rev(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in c.items() if k != "rev"} for c in changes]


def both(client: TerminalClient, stream: str, since: int, limit: int = 500
         ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The plain and the compact page for the same request; asserts they agree."""
    plain = _get(client, stream, "2", since=since, limit=limit).json()
    compact = _get(client, stream, "3", since=since, limit=limit).json()
    CompactPullResponse.model_validate(compact)
    assert expand_groups(compact["groups"], compact.get("order")) == \
        _without_rev(plain["changes"])
    assert compact["cursor"] == plain["cursor"]
    assert compact.get("has_more", False) is plain["has_more"]
    assert compact.get("reset", False) is plain["reset"]
    assert "changes" not in compact
    return plain, compact


@pytest.mark.parametrize("stream", ["config", "users", "products"])
def test_paging_to_the_end_gives_the_plain_changes_in_order(t1, stream: str) -> None:
    since, pages, expanded = 0, 0, []
    while True:
        plain, compact = both(t1, stream, since, limit=7)
        expanded += expand_groups(compact["groups"], compact.get("order"))
        pages += 1
        since = compact["cursor"]
        if not compact.get("has_more"):
            break
    full = _get(t1, stream, "2", since=0, limit=MAX_PULL_LIMIT).json()
    assert expanded == _without_rev(full["changes"]) and since == full["cursor"]
    assert pages > 1 or stream != "products"
    for change in expanded:
        if change["op"] == "upsert":
            DATA_MODELS[change["type"]].model_validate(change["data"])


def test_cold_products_page_groups_types_without_order_and_prices_skip_product_id(
    t1,
) -> None:
    page = _get(t1, "products", "3", since=0, limit=MAX_PULL_LIMIT).json()
    types = [group[0] for group in page["groups"]]
    assert len(types) == len(set(types))
    assert {"vat_rate", "unit", "category", "product", "barcode", "price"} <= set(types)
    prices = next(group for group in page["groups"] if group[0] == "price")
    assert all(isinstance(row, list) and len(row) == 1 for row in prices[2])
    products = next(group for group in page["groups"] if group[0] == "product")
    assert products[1][1:] == [1] * (len(products[1]) - 1)  # consecutive ids: deltas of 1


def test_delete_then_recreate_keeps_its_order_across_types(shop, t1) -> None:
    office = shop.office
    pid = office.add_product("Do usunięcia", "9101", "A", barcodes=["2000102"],
                             prices={shop.list1: 150})
    cursor = _get(t1, "products", "2", since=0, limit=MAX_PULL_LIMIT).json()["cursor"]
    office.delete_product(pid)
    again = office.add_product("Do usunięcia", "9101", "A", barcodes=["2000102"],
                               prices={shop.list1: 160})
    office.set_price(shop.list1, shop.products[0], 999)
    plain, compact = both(t1, "products", cursor)
    ops = [(c["op"], c["type"]) for c in plain["changes"]]
    assert ops[:3] == [("delete", "barcode"), ("delete", "price"), ("delete", "product")]
    assert "order" in compact  # barcode, price, product, then product, barcode, price again
    expanded = expand_groups(compact["groups"], compact["order"])
    deleted = [c["id"] for c in expanded if c["op"] == "delete" and c["type"] == "product"]
    created = [i for i, c in enumerate(expanded) if c["type"] == "product"
               and c["op"] == "upsert" and c["id"] == again]
    assert deleted == [pid] and created
    assert expanded.index({"op": "delete", "type": "product", "id": pid}) < created[0]


def test_price_list_switch_reset_is_compact_too(shop, base) -> None:
    store = shop.office.add_store("Sklep Poznań", price_list_id=shop.list1)
    _, code = shop.office.add_terminal(store, "Kasa")
    client = TerminalClient.activate(base, code)
    try:
        cursor = _get(client, "products", "3", since=0, limit=MAX_PULL_LIMIT).json()["cursor"]
        shop.office.assign_price_list(store, shop.list3)
        page = _get(client, "products", "3", since=cursor, limit=MAX_PULL_LIMIT).json()
        assert page["reset"] is True
        prices = {c["id"]: c["data"]["price"] for c in expand_groups(page["groups"],
                                                                     page.get("order"))
                  if c["type"] == "price" and c["op"] == "upsert"}
        listed = {p["id"]: p["prices"][shop.list3] for p in shop.office.list_products()
                  if shop.list3 in p["prices"]}
        assert prices == listed
    finally:
        client.close()


def test_store_scoping_holds_in_compact_pages(shop, base, t1) -> None:
    _, code = shop.office.add_terminal(shop.store2, "Kasa 2")
    t2 = TerminalClient.activate(base, code)
    try:
        for client, list_id, store in ((t1, shop.list1, shop.store1),
                                       (t2, shop.list2, shop.store2)):
            page = _get(client, "products", "3", since=0, limit=MAX_PULL_LIMIT).json()
            changes = expand_groups(page["groups"], page.get("order"))
            prices = {c["id"]: c["data"]["price"] for c in changes
                      if c["type"] == "price" and c["op"] == "upsert"}
            assert prices == {p["id"]: p["prices"][list_id]
                              for p in shop.office.list_products() if list_id in p["prices"]}
            config = _get(client, "config", "3", since=0).json()
            stores = [c["id"] for c in expand_groups(config["groups"], config.get("order"))
                      if c["type"] == "store"]
            assert stores == [store]
    finally:
        t2.close()


def test_noop_page_is_tiny_and_the_header_decides_the_form(t1) -> None:
    cursor = _get(t1, "products", "3", since=0, limit=MAX_PULL_LIMIT).json()["cursor"]
    noop = _get(t1, "products", "3", since=cursor)
    assert noop.json() == {"cursor": cursor}
    assert expand_groups(noop.json().get("groups", [])) == []
    assert len(noop.content) < len(_get(t1, "products", "2", since=cursor).content)
    assert "changes" in _get(t1, "products", None, since=cursor).json()  # curl: plain
    too_old = t1.http.get("/api/v1/sync/products", params={"since": cursor},
                          headers={"X-Protocol-Version": "1"})
    assert too_old.status_code == 426


def test_compact_pages_bring_totals_unless_declined(t1) -> None:
    plain = _get(t1, "products", "2", since=0, limit=5, totals=1).json()
    compact = _get(t1, "products", "3", since=0, limit=5).json()
    assert compact["totals"] == plain["totals"]
    assert sum(compact["totals"].values()) > 5 and compact["has_more"] is True
    assert "totals" not in _get(t1, "products", "3", since=0, limit=5, totals=0).json()
    assert "totals" not in _get(t1, "products", "2", since=0, limit=5).json()


def test_compact_products_pull_costs_far_fewer_gzip_bytes(t1) -> None:
    sizes = {}
    for version in ("2", "3"):
        body = _get(t1, "products", version, since=0, limit=MAX_PULL_LIMIT).content
        sizes[version] = len(gzip.compress(body, 6))
    assert sizes["3"] < 0.7 * sizes["2"], sizes


# ------------------------------------------------------------------ the codec alone


def test_rows_are_positional_with_defaults_left_out() -> None:
    changes = [
        {"op": "upsert", "type": "product", "id": 10, "rev": 1,
         "data": {"name": "Usługa", "plu": "7", "vat": "A", "unit_id": 1, "kind": "service"}},
        {"op": "upsert", "type": "product", "id": 8, "rev": 2,
         "data": {"name": "Chleb", "plu": "8", "vat": "C", "unit_id": 1, "category_id": 3}},
        {"op": "delete", "type": "product", "id": 12, "rev": 3},
        {"op": "upsert", "type": "price", "id": 8, "rev": 4,
         "data": {"product_id": 8, "price": 499}},
        {"op": "upsert", "type": "setting", "id": "login_mode", "rev": 5,
         "data": {"value": "pin"}},
    ]
    page = compact_changes(changes)
    assert page == {"groups": [
        ["product", [10, -2, 4], [["Usługa", "7", "A", 1, None, "service"],
                                  ["Chleb", "8", "C", 1, 3], 0]],
        ["price", [8], [[499]]],
        ["setting", ["login_mode"], [["pin"]]],
    ]}
    assert expand_groups(page["groups"]) == _without_rev(changes)
    assert json.dumps(page).count("null") == 1


def test_interleaved_types_carry_an_order() -> None:
    changes = [
        {"op": "delete", "type": "barcode", "id": 5, "rev": 1},
        {"op": "upsert", "type": "product", "id": 2, "rev": 2,
         "data": {"name": "A", "plu": "1", "vat": "A", "unit_id": 1}},
        {"op": "upsert", "type": "barcode", "id": 6, "rev": 3,
         "data": {"product_id": 2, "code": "5900000000001"}},
    ]
    page = compact_changes(changes)
    assert page["order"] == [0, 1, 1, 1, 0, 1]
    assert expand_groups(page["groups"], page["order"]) == _without_rev(changes)
    assert expand_groups(page["groups"]) != _without_rev(changes)  # the order matters


@pytest.mark.parametrize(("groups", "order"), [
    ("x", None),
    ([["product", [1], []]], None),  # a row short
    ([["product", [1], [["A", "1", "A", 1, None, "good", False, True, 0, "extra"]]]], None),
    ([["product", [1.5], [0]]], None),
    ([["price", [1], ["499"]]], None),
    ([["price", [1, 1], [[1], [2]]]], [0, 1]),  # order leaves a change out
    ([["price", [1], [[1]]]], [0, 2]),  # order takes more than there is
    ([["price", [1], [[1]]]], [1, 1]),  # no such group
    ([["price", [1], [[1]]]], [0]),  # not pairs
    ([["price", [1], [[1]]]], [0, True]),
])
def test_malformed_compact_pages_are_refused(groups: Any, order: Any) -> None:
    with pytest.raises(ValueError):
        expand_groups(groups, order)


def test_unknown_types_are_refused_when_encoding_and_skipped_when_decoding() -> None:
    with pytest.raises(ValueError):
        compact_changes([{"op": "upsert", "type": "gift_card", "id": 1, "data": {}}])
    with pytest.raises(ValueError):
        compact_changes([{"op": "upsert", "type": "price", "id": 1,
                          "data": {"price": 1, "currency": "PLN"}}])
    newer = [["gift_card", [1, 1], [["x"], 0]], ["price", [4], [[300]]]]
    assert expand_groups(newer, [0, 1, 1, 1, 0, 1]) == [
        {"op": "upsert", "type": "price", "id": 4, "data": {"price": 300, "product_id": 4}}]


def test_only_protocol_3_or_newer_asks_for_compact_pages() -> None:
    assert [wants_compact_pages(h) for h in (None, "", "1", "2", "3", " 4", "x")] == [
        False, False, False, False, True, True, False]


_VALUES = st.one_of(st.integers(-5, 10**6), st.text(max_size=6), st.booleans())


@st.composite
def _change(draw: st.DrawFn) -> dict[str, Any]:
    type_ = draw(st.sampled_from(sorted(PAGE_FIELDS)))
    wire_id: int | str = (draw(st.sampled_from(["a", "B", "login_mode"]))
                          if type_ in ("setting", "vat_rate") else draw(st.integers(1, 2**31)))
    if draw(st.booleans()):
        return {"op": "delete", "type": type_, "id": wire_id}
    fields = PAGE_FIELDS[type_]
    data = {name: draw(_VALUES) for name in fields if draw(st.booleans())}
    if type_ in PAGE_ID_FIELDS:
        data[PAGE_ID_FIELDS[type_]] = wire_id
    return {"op": "upsert", "type": type_, "id": wire_id, "data": data}


@settings(max_examples=200, deadline=None)
@given(st.lists(_change(), max_size=30))
def test_any_page_round_trips_in_order(changes: list[dict[str, Any]]) -> None:
    page = json.loads(json.dumps(compact_changes(changes)))
    assert expand_groups(page["groups"], page.get("order")) == changes
