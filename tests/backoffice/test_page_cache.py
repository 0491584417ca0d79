"""Pull pages are built once per store and revision and served to every till that asks:
the second till of a store gets the very bytes the first one got without a rebuild; a
change to the catalogue is never hidden by a stored page; another store (its own price
list) gets its own pages; a page is compressed once and sent compressed to a till that
accepts gzip. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import httpx
import pytest
from backoffice_support import build_shop, new_office, running_server
from office_db import OfficeBackend

from ipos_tui.backoffice.page_cache import Page, PageCache
from ipos_tui.protocol import PREVIOUS_PROTOCOL_VERSION, PROTOCOL_VERSION


@pytest.fixture
def served(tmp_path, office_backend: OfficeBackend) -> Iterator[tuple[object, str, PageCache]]:  # type: ignore[no-untyped-def]
    shop = build_shop(new_office(office_backend.url(tmp_path / "bo.sqlite3")), n_products=40)
    cache = PageCache()
    with running_server(shop.office, page_cache=cache) as base:
        yield shop, base, cache


def _raw_pages(base: str, token: str, stream: str, version: int = PREVIOUS_PROTOCOL_VERSION,
               limit: int = 10) -> list[bytes]:
    """Every page of a full pull, as the bytes the server sent (decompressed)."""
    pages: list[bytes] = []
    since = 0
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}",
                                              "X-Protocol-Version": str(version)}) as http:
        while True:
            answer = http.get(f"/api/v1/sync/{stream}", params={"since": since, "limit": limit})
            assert answer.status_code == 200
            pages.append(answer.content)
            page = answer.json()
            since = page["cursor"]
            if not page.get("has_more"):
                return pages


def _activate(shop, base: str, store: int, name: str) -> str:  # type: ignore[no-untyped-def]
    _, code = shop.office.add_terminal(store, name)
    answer = httpx.post(f"{base}/api/v1/activate", json={"code": code, "name": name})
    return str(answer.json()["token"])


def test_the_second_till_of_a_store_gets_the_same_pages_without_a_rebuild(served) -> None:  # type: ignore[no-untyped-def]
    shop, base, cache = served
    first, second = (_activate(shop, base, shop.store1, name) for name in ("Kasa 1", "Kasa 2"))
    pages = _raw_pages(base, first, "products")
    assert len(pages) > 3
    built = cache.stats.misses
    assert built == len(pages) and cache.stats.hits == 0
    assert _raw_pages(base, second, "products") == pages
    assert cache.stats.misses == built and cache.stats.hits == len(pages)
    # the compact form (protocol 3) is a page of its own, built once as well
    compact = _raw_pages(base, second, "products", version=PROTOCOL_VERSION)
    assert compact != pages and cache.stats.misses == built + len(compact)


def test_a_change_is_never_hidden_by_a_stored_page(served) -> None:  # type: ignore[no-untyped-def]
    shop, base, _cache = served
    token = _activate(shop, base, shop.store1, "Kasa 1")
    before = _raw_pages(base, token, "products", limit=500)
    shop.office.set_price(shop.list1, shop.products[0], 12345)
    after = _raw_pages(base, _activate(shop, base, shop.store1, "Kasa 2"), "products", limit=500)
    assert after != before
    assert b"12345" in b"".join(after) and b"12345" not in b"".join(before)


def test_another_store_gets_its_own_prices(served) -> None:  # type: ignore[no-untyped-def]
    shop, base, _cache = served
    one = _raw_pages(base, _activate(shop, base, shop.store1, "Kasa 1"), "products", limit=500)
    two = _raw_pages(base, _activate(shop, base, shop.store2, "Kasa 2"), "products", limit=500)
    assert one != two  # price list 2 is 5 grosze dearer


def test_a_page_is_sent_gzip_compressed_to_a_till_that_accepts_it(served) -> None:  # type: ignore[no-untyped-def]
    shop, base, _cache = served
    token = _activate(shop, base, shop.store1, "Kasa 1")
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
        packed = http.get("/api/v1/sync/products", params={"since": 0, "limit": 500})
        plain = http.get("/api/v1/sync/products", params={"since": 0, "limit": 500},
                         headers={"Accept-Encoding": "identity"})
    assert packed.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert packed.content == plain.content  # httpx decompressed it
    assert int(packed.headers["content-length"]) < len(plain.content) / 3


def test_the_cache_keeps_within_its_size() -> None:
    cache = PageCache(max_bytes=3000)
    for n in range(10):
        cache.get_or_build(n, lambda n=n: Page.make(bytes([n]) * 1000, n, False))
    assert 1 <= len(cache._pages) <= 3
    assert 9 in cache._pages and 0 not in cache._pages
    page = Page.make(b"x" * 5000, 1, True)
    assert gzip.decompress(page.gzipped or b"") == page.body
