"""A catalogue larger than one page: the page size is capped, paging reaches the end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backoffice_support import TerminalClient, ean13, new_office, running_server

from ipos_tui.backoffice.bulk import import_products
from ipos_tui.backoffice.services import ProductInput
from ipos_tui.protocol import MAX_PULL_LIMIT
from office_db import OfficeBackend

PRODUCTS = 1100  # + a barcode and a price each: 3300 changes, more than one capped page


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, office_backend: OfficeBackend) -> Iterator[TerminalClient]:
    office = new_office(office_backend.url(Path(tmp_path_factory.mktemp("cap")) / "cap.sqlite3"))
    list_id = office.add_price_list("Cennik")
    store = office.add_store("Sklep", price_list_id=list_id)
    import_products(office, [
        ProductInput(line=i, name=f"Artykuł {i}", plu=str(1000 + i), vat="A", price=199,
                     barcodes=[ean13(50_000 + i)])
        for i in range(PRODUCTS)
    ], list_id)
    _, code = office.add_terminal(store)
    with running_server(office) as base:
        terminal = TerminalClient.activate(base, code)
        yield terminal
        terminal.close()


@pytest.mark.parametrize("limit", [MAX_PULL_LIMIT + 1, 10**9, 10**30])
def test_a_huge_limit_is_capped(client: TerminalClient, limit: int) -> None:
    page = client.pull("products", 0, limit=limit)
    assert len(page["changes"]) == MAX_PULL_LIMIT
    assert page["has_more"] is True


def test_default_pages_reach_every_item_once(client: TerminalClient) -> None:
    changes, _, _ = client.pull_all("products")
    counts = {t: sum(1 for c in changes if c["type"] == t) for t in ("product", "barcode",
                                                                      "price")}
    assert counts == {"product": PRODUCTS, "barcode": PRODUCTS, "price": PRODUCTS}
    assert len({(c["type"], c["id"]) for c in changes}) == len(changes)
