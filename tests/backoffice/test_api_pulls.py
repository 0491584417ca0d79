"""Pulls answered before the router (``api/pulls.py``) and the per-worker token cache:
the fast path answers exactly what the route answers (status, headers, bytes) for every
kind of request; a revoked or re-activated till is refused at once by the worker that
revoked it and by every pull, and by other calls within the cache's lifetime; a price
change or a price-list switch is never hidden; the till's headers are recorded as the
route records them. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest
from backoffice_support import (
    TerminalClient,
    build_shop,
    make_receipt,
    new_office,
    running_server,
)
from office_db import OfficeBackend

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice import security
from ipos_tui.backoffice.api.pulls import read_pull
from ipos_tui.backoffice.services.terminals import TerminalAuth
from ipos_tui.backoffice.services.token_cache import TOKENS, TokenCache
from ipos_tui.protocol import PREVIOUS_PROTOCOL_VERSION, PROTOCOL_VERSION


@pytest.fixture
def shop(tmp_path, office_backend: OfficeBackend):  # type: ignore[no-untyped-def]
    TOKENS.clear()
    yield build_shop(new_office(office_backend.url(tmp_path / "bo.sqlite3")), n_products=40)
    TOKENS.clear()


@pytest.fixture
def base(shop) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with running_server(shop.office) as url:
        yield url


def _till(shop, base: str, store: int | None = None, name: str = "Kasa") -> TerminalClient:  # type: ignore[no-untyped-def]
    _, code = shop.office.add_terminal(store or shop.store1, name)
    return TerminalClient.activate(base, code, name)


def _raw(http: httpx.Client, path: str, headers: dict[str, str]) -> tuple[int, list, bytes]:  # type: ignore[type-arg]
    """Status, header lines and body bytes exactly as sent (no decompression; the
    server's own address, as in a redirect, left out)."""
    base = str(http.base_url).rstrip("/").encode()
    with http.stream("GET", path, headers=headers) as answer:
        lines = [(name, value.replace(base, b"BASE")) for name, value in answer.headers.raw]
        return answer.status_code, lines, b"".join(answer.iter_raw())


def test_the_fast_path_answers_what_the_route_answers(shop) -> None:  # type: ignore[no-untyped-def]
    """Every kind of pull request, sent to an app answering pulls before the router
    and to one where the route answers all of them: the same status, headers, bytes."""
    with running_server(shop.office) as fast, \
            running_server(shop.office, fast_pulls=False) as routed:
        till = _till(shop, fast)
        token = till.http.headers["Authorization"].removeprefix("Bearer ")
        good = {"Authorization": f"Bearer {token}", "X-Protocol-Version": str(PROTOCOL_VERSION),
                "X-Terminal-Version": "0.1.0", "X-Pending-Count": "2",
                "X-Oldest-Pending": "2026-12-04T17:05:00Z", "X-Staged-Version": "none",
                "Accept-Encoding": "gzip"}
        cases: list[tuple[str, dict[str, str]]] = [
            ("/api/v1/sync/products?since=0&limit=10", {}),
            ("/api/v1/sync/products?since=0&limit=10", {"Accept-Encoding": "identity"}),
            ("/api/v1/sync/products?since=0&limit=1", {}),
            ("/api/v1/sync/products?since=0&limit=1&totals=0", {"Accept-Encoding": "identity"}),
            ("/api/v1/sync/products?since=3&limit=5&totals=1",
             {"X-Protocol-Version": str(PREVIOUS_PROTOCOL_VERSION)}),
            ("/api/v1/sync/products?since=3&limit=500&totals=false",
             {"X-Protocol-Version": ""}),
            ("/api/v1/sync/products?since=999999", {}),  # past the feed: a reset
            ("/api/v1/sync/products", {}),
            ("/api/v1/sync/config?since=0", {}),
            ("/api/v1/sync/users?since=0&totals=true", {}),
            ("/api/v1/sync/products?since=0&limit=10&extra=1", {}),
            ("/api/v1/sync/products?since=0&since=4", {}),
            ("/api/v1/sync/products?since=-1", {}),
            ("/api/v1/sync/products?since=x", {}),
            ("/api/v1/sync/products?limit=0", {}),
            ("/api/v1/sync/products?totals=maybe", {}),
            ("/api/v1/sync/products?since=%31", {}),
            ("/api/v1/sync/nothing?since=0", {}),
            ("/api/v1/sync/products/?since=0", {}),
            ("/api/v1/sync/products?since=0", {"Authorization": "Bearer wrong-token"}),
            ("/api/v1/sync/products?since=0", {"Authorization": "Basic abc"}),
            ("/api/v1/sync/products?since=0", {"Authorization": "Bearer"}),
            ("/api/v1/sync/products?since=0", {"X-Pending-Count": "abc"}),
            ("/api/v1/sync/products?since=0", {"X-Oldest-Pending": "yesterday"}),
            ("/api/v1/sync/products?since=0", {"X-Staged-Version": "!!"}),
            ("/api/v1/sync/products?since=0", {"X-Protocol-Version": "1"}),
            ("/api/v1/sync/products?since=0", {"X-Protocol-Version": "99"}),
            ("/api/v1/sync/products?since=0", {"X-Protocol-Version": "three"}),
        ]
        with httpx.Client(base_url=fast) as one, httpx.Client(base_url=routed) as other:
            for path, changed in cases:
                headers = {**good, **changed}
                assert _raw(one, path, headers) == _raw(other, path, headers), (path, changed)
            without = {k: v for k, v in good.items() if k != "Authorization"}
            path = "/api/v1/sync/products?since=0"
            assert _raw(one, path, without) == _raw(other, path, without)
        till.close()


def test_the_fast_path_records_the_tills_headers(shop, base: str) -> None:  # type: ignore[no-untyped-def]
    till = _till(shop, base)
    headers = {"X-Pending-Count": "3", "X-Oldest-Pending": "2026-12-04T17:05:00Z",
               "X-Staged-Version": "0.4.0", "X-Terminal-Version": "0.3.9"}
    assert till.http.get("/api/v1/sync/config", headers=headers).status_code == 200
    row = shop.office.terminal_overview(terminal_id=till.terminal_id)[0]
    assert (row["pending_count"], row["oldest_pending"], row["staged_version"],
            row["app_version"]) == (3, datetime(2026, 12, 4, 17, 5), "0.4.0", "0.3.9")
    assert set(row["last_pull"]) == {"config"}
    # what it says next is written although the worker remembers what it said before
    assert till.http.get("/api/v1/sync/users",
                         headers={"X-Pending-Count": "0",
                                  "X-Staged-Version": "none"}).status_code == 200
    row = shop.office.terminal_overview(terminal_id=till.terminal_id)[0]
    assert (row["pending_count"], row["oldest_pending"], row["staged_version"]) == (0, None, None)
    assert set(row["last_pull"]) == {"config", "users"}
    till.close()


def test_a_till_revoked_in_this_worker_is_refused_at_once(shop, base: str) -> None:  # type: ignore[no-untyped-def]
    till = _till(shop, base)
    assert till.http.get("/api/v1/sync/products").status_code == 200
    shop.office.revoke_terminal(till.terminal_id)
    answer = till.http.get("/api/v1/sync/products")
    assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"
    pushed = till.http.post("/api/v1/transactions",
                            json={"documents": [make_receipt(shop.store1, 1)]})
    assert pushed.status_code == 401
    till.close()


def test_a_reactivated_till_refuses_its_old_token_at_once(shop, base: str) -> None:  # type: ignore[no-untyped-def]
    old = _till(shop, base)
    assert old.http.get("/api/v1/sync/config").status_code == 200
    code = shop.office.new_activation_code(old.terminal_id)
    new = TerminalClient.activate(base, code, "Kasa")
    assert new.terminal_id == old.terminal_id
    assert old.http.get("/api/v1/sync/config").status_code == 401
    assert old.http.post("/api/v1/transactions", json={"documents": [make_receipt(shop.store1, 1)]}).status_code == 401
    assert new.http.get("/api/v1/sync/config").status_code == 200
    old.close()
    new.close()


def test_a_till_revoked_by_another_worker_is_refused_by_pulls_at_once_and_by_all_soon(  # type: ignore[no-untyped-def]
        shop, base: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TOKENS, "ttl", 0.5)
    till = _till(shop, base)
    lookup = f"/api/v1/receipts/{till.terminal_id}/1"
    assert till.http.get("/api/v1/sync/config").status_code == 200
    assert till.http.get(lookup).status_code == 404  # known till, no such receipt
    # another worker (or the admin CLI) revokes it: this worker's cache is not told
    m.Terminal.update(revoked=True, token_hash=None).where(
        m.Terminal.id == till.terminal_id).execute()
    assert till.http.get("/api/v1/sync/products").status_code == 401  # every pull checks
    assert till.http.get(lookup).status_code == 401  # the pull's refusal told this worker
    till.close()
    # without a pull, other calls are refused within the cache's lifetime
    other = _till(shop, base, name="Kasa 2")
    assert other.http.get(f"/api/v1/receipts/{other.terminal_id}/1").status_code == 404
    m.Terminal.update(revoked=True, token_hash=None).where(
        m.Terminal.id == other.terminal_id).execute()
    time.sleep(0.6)
    assert other.http.get(f"/api/v1/receipts/{other.terminal_id}/1").status_code == 401
    other.close()


def test_a_price_change_and_a_price_list_switch_are_never_hidden(shop, base: str) -> None:  # type: ignore[no-untyped-def]
    till = _till(shop, base)
    twin = _till(shop, base, name="Kasa 2")  # the same store: the same cached pages
    changes, cursor, _ = till.pull_all("products", limit=7)
    assert twin.pull_all("products", limit=7)[1] == cursor
    product = shop.products[3]
    shop.office.set_price(shop.list1, product, 4321)
    page = till.pull("products", cursor)
    assert [(c["type"], c["id"], c["data"]["price"]) for c in page["changes"]] == [
        ("price", product, 4321)]
    assert twin.pull("products", cursor) == page
    shop.office.assign_price_list(shop.store1, shop.list3)
    switched = till.pull("products", page["cursor"])
    assert switched["reset"] is True
    prices = {c["id"]: c["data"]["price"] for c in till.pull_all("products")[0]
              if c["type"] == "price"}
    assert prices[product] == shop.office.get_price(shop.list3, product)
    till.close()
    twin.close()


# -- the pieces ------------------------------------------------------------------------


def test_the_token_cache_forgets_after_its_lifetime_and_on_request() -> None:
    cache = TokenCache(ttl=0.2)
    auth = TerminalAuth(7, 1, 1, token_digest="d7")
    cache.put(1, auth, cache.generation)
    assert cache.get(1, "d7") == auth and cache.get(2, "d7") is None
    cache.update(1, TerminalAuth(7, 1, 1, pending_count=4, token_digest="d7"))
    assert cache.get(1, "d7").pending_count == 4  # type: ignore[union-attr]
    cache.update(1, TerminalAuth(8, 1, 1, token_digest="d8"))  # not cached: not added
    assert cache.get(1, "d8") is None
    read_at = cache.generation
    cache.forget_terminal(7)
    assert cache.get(1, "d7") is None
    cache.put(1, auth, read_at)  # read before it was revoked: not kept
    assert cache.get(1, "d7") is None
    cache.put(1, auth, cache.generation)
    time.sleep(0.25)
    assert cache.get(1, "d7") is None
    small = TokenCache(ttl=60, max_entries=3)
    for n in range(10):
        small.put(1, TerminalAuth(n, 1, 1, token_digest=f"d{n}"), small.generation)
    assert small.get(1, "d9") is not None and len(small._entries) <= 3


def test_authenticate_uses_the_cache_and_keeps_what_the_till_said(shop) -> None:  # type: ignore[no-untyped-def]
    office = shop.office
    terminal_id, code = office.add_terminal(shop.store1, "Kasa")
    token = office.activate(code, "Kasa")["token"]
    auth = office.authenticate(token)
    assert auth is not None and auth.token_digest == security.digest(token)
    office.record_contact(auth, app_version="1.0", pending_count=5, protocol_version=3)
    again = office.authenticate(token)
    assert again is not None and (again.pending_count, again.app_version) == (5, "1.0")
    assert m.Terminal.get_by_id(terminal_id).pending_count == 5
    office.revoke_terminal(terminal_id)
    assert office.authenticate(token) is None


def _scope(query: bytes = b"since=0", path: str = "/api/v1/sync/products",
           headers: list[tuple[bytes, bytes]] | None = None, method: str = "GET") -> dict:  # type: ignore[type-arg]
    return {"type": "http", "method": method, "path": path, "root_path": "",
            "query_string": query, "client": ("10.0.0.5", 4000),
            "headers": headers if headers is not None else [(b"authorization", b"Bearer t0k")]}


def test_read_pull_takes_only_what_it_need_not_judge() -> None:
    call = read_pull(_scope(b"since=12&limit=50&totals=0"))
    assert call is not None
    assert (call.stream, call.since, call.limit, call.totals, call.token, call.address) == (
        "products", 12, 50, False, "t0k", "10.0.0.5")
    assert read_pull(_scope(b"")) is not None
    for query in (b"since=-1", b"since=1&since=2", b"since=%31", b"since", b"limit=0",
                  b"totals=yes", b"other=1", b"since=" + b"9" * 20):
        assert read_pull(_scope(query)) is None, query
    assert read_pull(_scope(path="/api/v1/sync/other")) is None
    assert read_pull(_scope(method="POST")) is None
    assert read_pull(_scope(headers=[])) is None
    assert read_pull(_scope(headers=[(b"authorization", b"Basic t0k")])) is None
    assert read_pull(_scope(headers=[(b"authorization", b"Bearer t0k"),
                                     (b"x-pending-count", b"1"),
                                     (b"x-pending-count", b"2")])) is None


def test_a_pull_writes_the_tills_cursor_when_it_moves(shop, base: str) -> None:  # type: ignore[no-untyped-def]
    """A pull that ends where the till's last one ended (a no-op sync) within the
    contact refresh writes nothing; one that moves the cursor writes it at once (the
    delivery overview counts on it)."""
    till = _till(shop, base)

    def last_pull() -> tuple[int, datetime]:
        row = m.TerminalPull.get((m.TerminalPull.terminal == till.terminal_id)
                                 & (m.TerminalPull.stream == "products"))
        return row.cursor, row.pulled_at

    _, cursor, _ = till.pull_all("products", limit=15)
    assert last_pull()[0] == cursor
    written = last_pull()
    assert till.pull("products", cursor)["cursor"] == cursor
    assert last_pull() == written  # nothing moved: no write
    shop.office.set_price(shop.list1, shop.products[0], 777)
    moved = till.pull("products", cursor)["cursor"]
    assert moved > cursor and last_pull()[0] == moved and last_pull()[1] >= written[1]
    products = [d for d in shop.office.delivery(("products",)) if d.store_id == shop.store1]
    assert products[0].behind == 0
    till.close()
