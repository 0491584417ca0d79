"""The sync API against a real uvicorn server on 127.0.0.1 (one server for the module).

Tests share one shop; each makes its own changes and asserts on what a pull returns
after them, so they read cursors first and never depend on each other's data.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from backoffice_support import (
    TerminalClient,
    build_shop,
    make_receipt,
    new_office,
    running_server,
)

from ipos_tui.backoffice import models as m
from ipos_tui.protocol import DATA_MODELS, MAX_PULL_LIMIT, PREVIOUS_PROTOCOL_VERSION, PullResponse
from office_db import OfficeBackend


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, office_backend: OfficeBackend):
    office = new_office(office_backend.url(Path(tmp_path_factory.mktemp("bo")) / "bo.sqlite3"))
    return build_shop(office)


@pytest.fixture(scope="module")
def base(shop) -> Iterator[str]:
    with running_server(shop.office, max_body=64 * 1024) as url:
        yield url


def _terminal(shop, base: str, store: int | None = None) -> TerminalClient:
    _, code = shop.office.add_terminal(store or shop.store1, "Kasa testowa")
    return TerminalClient.activate(base, code)


@pytest.fixture
def t1(shop, base) -> Iterator[TerminalClient]:
    client = _terminal(shop, base)
    yield client
    client.close()


@pytest.fixture
def t2(shop, base) -> Iterator[TerminalClient]:
    client = _terminal(shop, base, shop.store2)
    yield client
    client.close()


def _state(changes: list[dict], type_: str) -> dict[object, dict]:
    """Apply changes in order, as a terminal would; the resulting rows of one type."""
    rows: dict[object, dict] = {}
    for change in changes:
        if change["type"] != type_:
            continue
        if change["op"] == "delete":
            rows.pop(change["id"], None)
        else:
            rows[change["id"]] = change["data"]
    return rows


def _keys(changes: list[dict]) -> list[tuple[str, str, object]]:
    return [(c["op"], c["type"], c["id"]) for c in changes]


# ------------------------------------------------------------------ basics


def test_health_and_openapi_are_served(base: str) -> None:
    assert httpx.get(f"{base}/health").json()["status"] == "ok"
    assert httpx.get(f"{base}/docs").status_code == 200
    openapi = httpx.get(f"{base}/openapi.json").json()
    assert {"/api/v1/activate", "/api/v1/sync/{stream}", "/api/v1/transactions",
            "/api/v1/receipts/{terminal_id}/{number}"} <= set(openapi["paths"])
    schemas = openapi["components"]["schemas"]
    assert {"ReceiptDocument", "ReturnDocument", "CashOperationDocument",
            "DailyReportDocument", "PullResponse", "ErrorResponse"} <= set(schemas)
    assert schemas["TransactionBatch"]["properties"]["documents"]["items"] == {
        "$ref": "#/components/schemas/Document"}


# --------------------------------------------------------------- activation


def test_activation_with_wrong_code_is_401(base: str) -> None:
    response = httpx.post(f"{base}/api/v1/activate", json={"code": "0000000000", "name": "x"})
    assert response.status_code == 401
    assert response.json()["error"] == "activation_code_invalid"


def test_expired_code_is_refused(shop, base: str) -> None:
    _, code = shop.office.add_terminal(shop.store1, ttl=timedelta(seconds=-1))
    response = httpx.post(f"{base}/api/v1/activate", json={"code": code})
    assert response.status_code == 401
    assert response.json()["error"] == "activation_code_expired"


def test_code_is_one_time(shop, base: str) -> None:
    terminal_id, code = shop.office.add_terminal(shop.store1)
    first = httpx.post(f"{base}/api/v1/activate", json={"code": code, "name": "Kasa 1"})
    assert first.status_code == 200
    assert first.json()["terminal_id"] == terminal_id
    assert first.json()["store_id"] == shop.store1
    second = httpx.post(f"{base}/api/v1/activate", json={"code": code, "name": "Kasa 1"})
    assert second.status_code == 409
    assert second.json()["error"] == "activation_code_used"


def test_a_code_of_another_terminal_is_refused_unused_when_the_till_names_itself(
        shop, base: str) -> None:
    """A till holding unsent sales names the terminal it is: another terminal's code is
    409 ``activation_other_terminal`` and stays unused (not counted as a wrong guess);
    the till it was made for takes it after; its own terminal's code is taken."""
    mine, _ = shop.office.add_terminal(shop.store1, "Kasa 1")
    other, code = shop.office.add_terminal(shop.store2, "Kasa 2")
    for _ in range(12):  # more than the wrong-guess limit: none of these is a guess
        refused = httpx.post(f"{base}/api/v1/activate", json={"code": code, "terminal_id": mine})
        assert refused.status_code == 409
        assert refused.json()["error"] == "activation_other_terminal"
    assert m.ActivationCode.get(m.ActivationCode.terminal == other).used_at is None
    taken = httpx.post(f"{base}/api/v1/activate", json={"code": code, "terminal_id": other})
    assert taken.status_code == 200 and taken.json()["terminal_id"] == other
    for bad in (0, -1, "x", 2**31):
        answer = httpx.post(f"{base}/api/v1/activate", json={"code": code, "terminal_id": bad})
        assert answer.status_code == 422, bad


def test_reactivation_keeps_id_and_numbering_and_kills_old_token(shop, base, t1) -> None:
    results = t1.push([make_receipt(t1.store_id, n) for n in (1, 2, 3)])
    assert [r["status"] for r in results] == ["accepted"] * 3
    code = shop.office.new_activation_code(t1.terminal_id)
    again = TerminalClient.activate(base, code[:5] + "-" + code[5:])
    try:
        assert again.terminal_id == t1.terminal_id
        assert again.numbers == {"receipt": 3}
        assert t1.http.get("/api/v1/sync/config").status_code == 401
        assert again.push([make_receipt(again.store_id, 4)])[0]["status"] == "accepted"
    finally:
        again.close()


def test_revoked_or_missing_token_is_401(shop, base, t1) -> None:
    assert t1.http.get("/api/v1/sync/users").status_code == 200
    shop.office.revoke_terminal(t1.terminal_id)
    response = t1.http.get("/api/v1/sync/users")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert httpx.get(f"{base}/api/v1/sync/users").status_code == 401


# --------------------------------------------------------------------- pull


def test_pull_pages_to_the_end_in_rev_order(t1) -> None:
    full = t1.pull("products", 0, limit=MAX_PULL_LIMIT)
    assert full["has_more"] is False
    paged, cursor, reset = t1.pull_all("products", 0, limit=7)
    assert not reset
    assert _keys(paged) == _keys(full["changes"])
    revs = [c["rev"] for c in paged]
    assert revs == sorted(revs) and len(set(revs)) == len(revs)
    assert cursor == full["cursor"]
    types = {c["type"] for c in paged}
    assert {"vat_rate", "unit", "category", "product", "barcode", "price"} <= types
    PullResponse.model_validate(full)
    for change in paged:
        DATA_MODELS[change["type"]].model_validate(change["data"])


def test_noop_pull_is_empty_and_small(t1) -> None:
    _, cursor, _ = t1.pull_all("products")
    response = t1.http.get("/api/v1/sync/products", params={"since": cursor})
    assert response.json() == {"changes": [], "cursor": cursor, "has_more": False,
                               "reset": False}
    assert len(response.content) < 200


@pytest.mark.parametrize("stream", ["config", "users", "products"])
def test_every_stream_validates_against_protocol(t1, stream: str) -> None:
    changes, _, _ = t1.pull_all(stream)
    assert changes
    for change in changes:
        if change["op"] == "upsert":
            DATA_MODELS[change["type"]].model_validate(change["data"])
            assert None not in change["data"].values()


def test_incremental_pull_after_each_kind_of_change(shop, t1) -> None:
    office = shop.office
    product = shop.products[0]
    _, cursor = t1.pull_all("products")[:2]
    _, config_cursor = t1.pull_all("config")[:2]
    _, users_cursor = t1.pull_all("users")[:2]

    def products_since() -> list[tuple]:
        nonlocal cursor
        changes, cursor, _ = t1.pull_all("products", cursor)
        return _keys(changes)

    office.update_product(product, name="Chleb razowy")
    assert products_since() == [("upsert", "product", product)]

    barcode_id = office.add_barcode(product, "2000001")
    assert products_since() == [("upsert", "barcode", barcode_id)]

    office.set_price(shop.list1, product, 777)
    changes, cursor, _ = t1.pull_all("products", cursor)
    assert _keys(changes) == [("upsert", "price", product)]
    assert changes[0]["data"] == {"product_id": product, "price": 777}

    office.update_category(shop.category, name="Pieczywo i bułki")
    assert products_since() == [("upsert", "category", shop.category)]

    unit_id = office.add_unit("opak.")
    assert products_since() == [("upsert", "unit", unit_id)]

    office.update_user("1001", name="Anna Nowak")
    users, users_cursor, _ = t1.pull_all("users", users_cursor)
    assert [(c["type"], c["data"]["name"]) for c in users] == [("user", "Anna Nowak")]

    office.set_setting("cash_management", False)
    config, config_cursor, _ = t1.pull_all("config", config_cursor)
    assert [(c["id"], c["data"]) for c in config] == [("cash_management", {"value": False})]

    office.set_price(shop.list2, product, 999)  # another store's list: invisible here
    assert products_since() == []


def test_delete_leaves_tombstones_and_recreate_keeps_order(shop, t1) -> None:
    office = shop.office
    pid = office.add_product("Do usunięcia", "9001", "A", barcodes=["2000002"],
                             prices={shop.list1: 150})
    _, cursor, _ = t1.pull_all("products")
    office.delete_product(pid)
    office.add_product("Do usunięcia", "9001", "A", prices={shop.list1: 160})
    changes, _, _ = t1.pull_all("products", cursor)
    ops = [(c["op"], c["type"]) for c in changes]
    assert ops[:3] == [("delete", "barcode"), ("delete", "price"), ("delete", "product")]
    assert ops[3:] == [("upsert", "product"), ("upsert", "price")]
    assert changes[0]["id"] != changes[3]["id"] or changes[2]["rev"] < changes[3]["rev"]


def test_store_scoping_prices_and_store_rows(shop, t1, t2) -> None:
    p1 = {k: v["price"] for k, v in _state(t1.pull_all("products")[0], "price").items()}
    p2 = {k: v["price"] for k, v in _state(t2.pull_all("products")[0], "price").items()}
    list1 = {r["product_id"]: r["price"] for r in _prices(shop.office, shop.list1)}
    list2 = {r["product_id"]: r["price"] for r in _prices(shop.office, shop.list2)}
    assert p1 == list1 and p2 == list2 and p1 != p2
    stores = [c["id"] for c in t2.pull_all("config")[0] if c["type"] == "store"]
    assert stores == [shop.store2]


def _prices(office, list_id: int) -> list[dict]:
    return [{"product_id": p["id"], "price": p["prices"][list_id]}
            for p in office.list_products() if list_id in p["prices"]]


def test_price_list_switch_resets_the_products_stream(shop, base) -> None:
    store = shop.office.add_store("Sklep Gdańsk", price_list_id=shop.list1)
    client = _terminal(shop, base, store)
    try:
        _, cursor, _ = client.pull_all("products")
        shop.office.assign_price_list(store, shop.list3)
        page = client.pull("products", cursor, limit=MAX_PULL_LIMIT)
        assert page["reset"] is True
        prices = {k: v["price"] for k, v in _state(page["changes"], "price").items()}
        assert prices == {r["product_id"]: r["price"] for r in _prices(shop.office, shop.list3)}
        assert client.pull("products", page["cursor"])["reset"] is False
        config = client.pull_all("config")[0]
        assert [c["data"]["price_list_id"] for c in config if c["type"] == "store"] == [
            shop.list3]
    finally:
        client.close()


def test_cursor_older_than_tombstone_horizon_resets(shop, t1) -> None:
    old_cursor = t1.pull_all("products")[1]
    pid = shop.office.add_product("Krótkie życie", "9002", "B", prices={shop.list1: 100})
    shop.office.delete_product(pid)
    assert shop.office.purge_tombstones(timedelta(0)) >= 1
    page = t1.pull("products", old_cursor)
    assert page["reset"] is True
    assert page["changes"][0]["rev"] >= 1


def test_cursor_from_the_future_resets(shop, t1) -> None:
    page = t1.pull("users", shop.office.current_rev() + 1000)
    assert page["reset"] is True
    assert any(c["type"] == "user" for c in page["changes"])


def test_responses_are_gzipped_when_asked(t1) -> None:
    with httpx.Client() as raw:
        response = raw.get(t1.http.base_url.join("/api/v1/sync/products"),
                           headers={**t1.http.headers, "Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert json.loads(response.content)["changes"]  # httpx decompressed it


# --------------------------------------------------------------------- push


def test_push_twice_second_is_all_duplicate(t1) -> None:
    batch = [make_receipt(t1.store_id, n) for n in range(1, 6)]
    assert [r["status"] for r in t1.push(batch)] == ["accepted"] * 5
    assert [r["status"] for r in t1.push(batch)] == ["duplicate"] * 5


def test_concurrent_duplicate_pushes_store_once(shop, t1) -> None:
    batch = [make_receipt(t1.store_id, n) for n in range(1, 21)]
    statuses: list[list[str]] = []

    def push() -> None:
        with httpx.Client(base_url=str(t1.http.base_url), headers=t1.http.headers,
                          timeout=30) as http:
            body = http.post("/api/v1/transactions", json={"documents": batch}).json()
            statuses.append([r["status"] for r in body["results"]])

    threads = [threading.Thread(target=push) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(statuses) == 5
    for index in range(20):
        column = [s[index] for s in statuses]
        assert column.count("accepted") == 1 and column.count("duplicate") == 4
    from ipos_tui.backoffice.documents.listing import list_transactions

    stored = list_transactions(shop.office, terminal_id=t1.terminal_id, limit=1000)
    assert sorted(r["number"] for r in stored) == list(range(1, 21))


def test_bad_documents_are_rejected_alone_and_quarantined(shop, t1) -> None:
    from ipos_tui.backoffice.documents.quarantine import list_quarantine

    good = make_receipt(t1.store_id, 1)
    other_store = make_receipt(shop.store2, 2)
    bad_total = make_receipt(t1.store_id, 3)
    bad_total["total"] += 1
    bad_vat = make_receipt(t1.store_id, 4)
    bad_vat["lines"][0]["vat"] = "X"
    results = t1.push([good, other_store, bad_total, bad_vat, "junk"])
    assert [r["status"] for r in results] == ["accepted"] + ["rejected"] * 4
    assert results[1]["reason"] == "other_store"
    assert results[2]["reason"] == "total_mismatch"
    assert results[3]["reason"].startswith("malformed:lines.0.vat")
    assert results[4]["reason"] == "malformed:not_an_object"
    mine = [q for q in list_quarantine(shop.office) if q["terminal_id"] == t1.terminal_id]
    assert sorted(q["reason"] for q in mine) == sorted(r["reason"] for r in results[1:])
    assert json.loads(mine[0]["payload"])["number"] == 2
    t1.push([other_store])  # retried after a sync: still one quarantine row
    again = [q for q in list_quarantine(shop.office) if q["terminal_id"] == t1.terminal_id]
    assert len(again) == len(mine)


def test_poison_documents_are_quarantined_alone_over_http(shop, t1) -> None:
    """Overflowing or implausible dates and lone surrogates quarantine only their own
    document; the good ones of the same batch are stored (no HTTP 500)."""
    from ipos_tui.backoffice.documents.listing import list_transactions
    from ipos_tui.backoffice.documents.quarantine import list_quarantine

    good = [make_receipt(t1.store_id, n) for n in (301, 302)]
    far_future = make_receipt(t1.store_id, 303)
    far_future["created_at"] = "9999-12-31T23:59:59+00:00"
    far_past = make_receipt(t1.store_id, 304)
    far_past["created_at"] = "0001-01-01T00:00:00+14:00"
    old = make_receipt(t1.store_id, 305)
    old["created_at"] = "1999-12-31T10:00:00+00:00"
    surrogate = make_receipt(t1.store_id, 306)
    surrogate["lines"][0]["name"] = "Mleko \ud800"
    bad_uuid = {"type": "receipt", "uuid": "\ud800"}
    batch = [good[0], far_future, far_past, old, surrogate, bad_uuid, good[1]]
    # json.dumps escapes the surrogates as \ud800, as a till's JSON would carry them
    response = t1.http.post("/api/v1/transactions", content=json.dumps({"documents": batch}),
                            headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["accepted"] + ["rejected"] * 5 + ["accepted"]
    assert [r["reason"] for r in results[1:4]] == ["implausible_date:created_at"] * 3
    assert results[4]["reason"] == "malformed:lines.0.name:invalid_utf8"
    assert results[5]["reason"] == "malformed:uuid:invalid_utf8"
    mine = {q["uuid"]: q for q in list_quarantine(shop.office)
            if q["terminal_id"] == t1.terminal_id}
    assert json.loads(mine[surrogate["uuid"]]["payload"])["lines"][0]["name"] == "Mleko \ud800"
    assert "\\ud800" in mine["\\ud800"]["payload"]
    stored = {r["number"] for r in list_transactions(shop.office, terminal_id=t1.terminal_id,
                                                     limit=1000)}
    assert {301, 302} <= stored and not {303, 304, 305, 306} & stored


def test_resent_uuid_with_other_content_is_a_conflict(t1) -> None:
    sale = make_receipt(t1.store_id, 401, price=1000)
    assert t1.push([sale])[0]["status"] == "accepted"
    assert t1.push([sale])[0]["status"] == "duplicate"  # exactly-once stays
    dearer = make_receipt(t1.store_id, 401, price=2000)
    dearer["uuid"] = sale["uuid"]
    renumbered = {**sale, "number": 402}
    results = t1.push([dearer, renumbered])
    assert [(r["status"], r.get("reason")) for r in results] == [
        ("rejected", "uuid_conflict")] * 2


def test_sale_of_unknown_product_and_cashier_is_accepted_with_warnings(t1) -> None:
    doc = make_receipt(t1.store_id, 1, product_id=987654, cashier_id=4242)
    doc["payments"][0]["method"] = "bon_towarowy"
    result = t1.push([doc])[0]
    assert result["status"] == "accepted"
    assert result["warnings"] == ["unknown_product:987654", "unknown_cashier:4242",
                                  "unknown_payment_method:bon_towarowy"]


def test_same_number_different_uuid_is_a_conflict(t1) -> None:
    assert t1.push([make_receipt(t1.store_id, 1)])[0]["status"] == "accepted"
    result = t1.push([make_receipt(t1.store_id, 1)])[0]
    assert (result["status"], result["reason"]) == ("rejected", "number_conflict")


def test_oversized_body_is_413(t1) -> None:
    batch = [make_receipt(t1.store_id, n) for n in range(1, 400)]
    response = t1.http.post("/api/v1/transactions", json={"documents": batch})
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"

    def chunks():
        body = json.dumps({"documents": batch}).encode()
        for start in range(0, len(body), 8192):
            yield body[start : start + 8192]

    chunked = t1.http.post("/api/v1/transactions", content=chunks(),
                           headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413


# --------------------------------------------------------------- protocol


def test_previous_protocol_version_still_works(shop, base, t1) -> None:
    old = TerminalClient(base, t1.http.headers["Authorization"].split()[1], t1.terminal_id,
                         t1.store_id, version=PREVIOUS_PROTOCOL_VERSION)
    try:
        assert old.pull("products")["changes"]  # plain pages, not the compact ones
        result = old.push([make_receipt(t1.store_id, 1, product_id=99999)])[0]
        assert result["status"] == "accepted" and result["warnings"] == ["unknown_product:99999"]
    finally:
        old.close()


@pytest.mark.parametrize(("header", "status", "error"), [
    ("0", 426, "protocol_too_old"),
    (str(PREVIOUS_PROTOCOL_VERSION - 1), 426, "protocol_too_old"),
    ("abc", 422, "protocol_version_invalid"),
    ("99", 400, "protocol_too_new"),
])
def test_unsupported_protocol_versions(t1, header: str, status: int, error: str) -> None:
    response = t1.http.get("/api/v1/sync/config", headers={"X-Protocol-Version": header})
    assert response.status_code == status
    assert response.json()["error"] == error


@pytest.mark.parametrize(("path", "params"), [
    ("/api/v1/sync/products", {"since": "-1"}),
    ("/api/v1/sync/products", {"limit": "0"}),
    ("/api/v1/sync/products", {"since": "abc"}),
    ("/api/v1/sync/prices", {}),
])
def test_bad_query_is_422_with_details(t1, path: str, params: dict) -> None:
    response = t1.http.get(path, params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation" and body["details"][0]["loc"]


def test_huge_numbers_are_4xx_never_5xx(t1) -> None:
    assert t1.http.get("/api/v1/sync/products", params={"since": 10**30}).status_code == 422
    assert t1.http.get(f"/api/v1/receipts/{10**20}/1").status_code == 422
    doc = make_receipt(t1.store_id, 10**12)
    result = t1.push([doc])[0]
    assert (result["status"], result["reason"]) == ("rejected", "malformed:number:less_than_equal")
    doc = make_receipt(t1.store_id, 1, product_id=10**19)
    assert t1.push([doc])[0]["status"] == "rejected"


def test_bad_bodies_are_422(base: str, t1) -> None:
    assert httpx.post(f"{base}/api/v1/activate", json={"name": "x"}).status_code == 422
    assert httpx.post(f"{base}/api/v1/activate", content=b"{not json").status_code == 422
    response = t1.http.post("/api/v1/transactions", json={"docs": []})
    assert response.status_code == 422
    assert response.json()["details"][0]["loc"] == ["body", "documents"]


def test_headers_are_recorded_per_terminal(shop, t1) -> None:
    t1.http.get("/api/v1/sync/config", headers={"X-Pending-Count": "7",
                                                "X-Terminal-Version": "1.2.3"})
    row = next(t for t in shop.office.list_terminals() if t["id"] == t1.terminal_id)
    assert (row["pending_count"], row["app_version"], row["protocol_version"]) == (7, "1.2.3", 2)
    assert row["last_seen"] and set(row["last_pull"]) == {"config"}
    bad = t1.http.get("/api/v1/sync/config", headers={"X-Pending-Count": "many"})
    assert bad.status_code == 422


# ----------------------------------------------------------------- receipts


def test_receipt_lookup_same_store_only(shop, t1, t2) -> None:
    receipt = make_receipt(t1.store_id, 1, price=1000, qty=3000)
    t1.push([receipt])
    found = t1.http.get(f"/api/v1/receipts/{t1.terminal_id}/1")
    assert found.status_code == 200
    assert found.json()["receipt"]["uuid"] == receipt["uuid"]
    assert found.json()["returned"] == {}
    # another store's existing receipt answers exactly as a missing one
    other = t2.http.get(f"/api/v1/receipts/{t1.terminal_id}/1")
    assert (other.status_code, other.json()["error"]) == (404, "receipt_unknown")
    missing = t1.http.get(f"/api/v1/receipts/{t1.terminal_id}/999")
    assert (missing.status_code, missing.json()["error"]) == (404, "receipt_unknown")

    ret = make_receipt(t1.store_id, 1, price=1000, qty=1000)
    ret["type"] = "return"
    ret["original"] = {"terminal_id": t1.terminal_id, "number": 1}
    ret["lines"][0]["original_line"] = 0
    assert t1.push([ret])[0]["status"] == "accepted"
    again = t1.http.get(f"/api/v1/receipts/{t1.terminal_id}/1").json()
    assert again["returned"] == {"0": 1000}
