"""The terminal pulls protocol 3's compact pages from the real back office.

A fault proxy on 127.0.0.1 records what went over the wire: the terminal asks for
protocol 3, every pull answer is compact (``groups``), and the catalogue it builds
equals the back office's — including after a delete and re-create that interleaves
change types. A malformed compact page fails the job without touching anything.
"""

from __future__ import annotations

import json
from pathlib import Path

from faultproxy import Rule, fault_proxy
from sync_support import (
    activated,
    demo_office,
    first_store,
    office_catalogue,
    pull_all,
    running_server,
    terminal_catalogue,
)

from ipos_tui.protocol import DEFAULT_PULL_LIMIT
from ipos_tui.store.feed_apply import FeedApplier
from ipos_tui.sync.context import SyncContext
from ipos_tui.sync.progress import CancelToken, ItemFailed
from ipos_tui.sync.pull import pull_stream


def test_terminal_reads_compact_pages_and_ends_equal_to_the_back_office(
    tmp_path: Path
) -> None:
    office = demo_office(tmp_path / "office.db")
    store = first_store(office)
    with running_server(office) as base, fault_proxy(base) as proxy:
        with activated(office, proxy.url, tmp_path / "t", store) as terminal:
            assert all(pull_all(terminal, limit=150).values())
            assert terminal_catalogue(terminal) == office_catalogue(office, store)
            gets = [e for e in proxy.exchanges if e.method == "GET"]
            assert len(gets) > 3
            assert {e.headers["x-protocol-version"] for e in gets} == {"3"}
            assert all("groups" in e.response_json() and "changes" not in e.response_json()
                       for e in gets)

            # Delete a product with its barcodes and price, re-create it under the
            # same PLU and barcode: the page interleaves types and needs its order.
            proxy.clear()
            product = office.list_products()[0]
            office.delete_product(product["id"])
            office.add_product(product["name"], product["plu"], product["vat"],
                               barcodes=product["barcodes"],
                               prices={int(k): v for k, v in product["prices"].items()})
            assert all(pull_all(terminal, streams=("products",)).values())
            (page,) = [e.response_json() for e in proxy.exchanges if e.method == "GET"]
            assert "order" in page
            assert terminal_catalogue(terminal) == office_catalogue(office, store)
            assert terminal.catalog.find_by_code(product["barcodes"][0]) is not None


def test_requests_are_short_and_a_no_op_pull_is_tiny(tmp_path: Path) -> None:
    """Default page size: no ``limit``; totals asked on a pull's first page only (by
    leaving ``totals`` out); a no-op answer is just the cursor."""
    office = demo_office(tmp_path / "office.db")
    with running_server(office) as base, fault_proxy(base) as proxy:
        with activated(office, proxy.url, tmp_path / "t", first_store(office)) as terminal:
            ctx = SyncContext.for_terminal(terminal, sleep=lambda _s: None)
            assert ctx is not None and ctx.page_limit == DEFAULT_PULL_LIMIT
            with ctx:
                assert pull_stream(ctx, "products", lambda _e: None, CancelToken()).ok
                proxy.clear()
                assert pull_stream(ctx, "products", lambda _e: None, CancelToken()).ok
            (noop,) = [e for e in proxy.exchanges if e.method == "GET"]
            cursor = FeedApplier(terminal.db).cursors("products").live
            assert noop.path == f"/api/v1/sync/products?since={cursor}"
            assert noop.response_json() == {"cursor": cursor}
            proxy.clear()
            assert all(pull_all(terminal, limit=100, streams=("products",)).values())
            queries = [e.path.partition("?")[2] for e in proxy.exchanges if e.method == "GET"]
            assert queries == [f"since={cursor}&limit=100"]  # nothing new: one page
            for product in office.list_products()[:150]:
                office.set_price(1, product["id"], product["prices"].get(1, 100) + 1)
            proxy.clear()
            assert all(pull_all(terminal, limit=100, streams=("products",)).values())
            queries = [e.path.partition("?")[2] for e in proxy.exchanges if e.method == "GET"]
            assert len(queries) == 2
            assert queries[0] == f"since={cursor}&limit=100"
            assert queries[1].endswith("&limit=100&totals=0")
            first = proxy.exchanges[0].response_json()
            assert first["totals"] == {"price": 150} and first["has_more"] is True


def test_a_malformed_compact_page_fails_the_job_and_applies_nothing(tmp_path: Path) -> None:
    office = demo_office(tmp_path / "office.db")
    store = first_store(office)
    with running_server(office) as base, fault_proxy(base) as proxy:
        with activated(office, proxy.url, tmp_path / "t", store) as terminal:
            assert all(pull_all(terminal).values())
            before = terminal_catalogue(terminal)
            cursors = FeedApplier(terminal.db).cursors("products")
            list_id = next(s["price_list_id"] for s in office.list_stores() if s["id"] == store)
            office.set_price(list_id, office.list_products()[0]["id"], 12345)
            bad = {"groups": [["price", [1, 1], [[100]]]], "cursor": 10**6}
            proxy.add_rule(Rule("reply", method="GET", path_prefix="/api/v1/sync/products",
                                status=200, headers={"Content-Type": "application/json"},
                                body=json.dumps(bad).encode()))
            events: list[object] = []
            assert pull_all(terminal, events=events, streams=("products",)) == {
                "products": False}
            failed = [e for e in events if isinstance(e, ItemFailed)]
            assert failed and {e.key for e in failed} == {"sync.err.bad_response"}
            assert terminal_catalogue(terminal) == before
            assert FeedApplier(terminal.db).cursors("products") == cursors
            assert all(pull_all(terminal, streams=("products",)).values())  # next time fine
            assert terminal_catalogue(terminal) == office_catalogue(office, store)
