"""The fixtures the rows of the fault matrix share: the shop's back office served on
127.0.0.1 (once per module, on SQLite and on PostgreSQL through ``office_backend``)
and the fault proxy in front of it (one per test)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fault_proxy import FaultProxy, fault_proxy
from office_db import OfficeBackend
from sync.faultproxy import Shop, serve_app

from ipos_tui.backoffice.api import create_app


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory,
         office_backend: OfficeBackend) -> Iterator[tuple[Shop, str]]:
    shop = Shop.create(office_backend.url(tmp_path_factory.mktemp("office") / "office.sqlite3"))
    with serve_app(create_app(shop.office)) as base:
        yield shop, base


@pytest.fixture
def proxy(shop: tuple[Shop, str]) -> Iterator[FaultProxy]:
    with fault_proxy(shop[1]) as proxy:
        yield proxy
