"""Helpers of the back-office tests: a real uvicorn server on 127.0.0.1, a small shop,
and documents as a terminal would push them."""

from __future__ import annotations

import subprocess
import time
import uuid as uuid_mod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from stdnum import ean

from ipos_tui.backoffice.db import open_database
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.protocol import PREVIOUS_PROTOCOL_VERSION
from ipos_tui.backoffice.embedded import EmbeddedServer
from office_db import free_port, throwaway_postgres  # noqa: F401 (used by the tests)

PEPPER = b"test-pepper"


def ean13(n: int, prefix: str = "590") -> str:
    """A valid EAN-13 (check digit computed) numbered ``n`` under ``prefix``."""
    body = f"{prefix}{n:09d}"
    return body + ean.calc_check_digit(body)


EAN13 = [ean13(i) for i in range(1, 6)]


@contextmanager
def running_server(office: BackOffice, **app_kwargs: Any) -> Iterator[str]:
    """uvicorn serving the office's app on a random 127.0.0.1 port; yields the base URL."""
    with EmbeddedServer(office, **app_kwargs) as url:
        yield url

def wait_for_answer(url: str, server: subprocess.Popen[bytes], log: Path, *,
                    seconds: float = 20) -> None:
    """Until ``url`` answers 200 (the server process must stay alive meanwhile; its log
    is the failure message)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert server.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"no answer from {url}"
        time.sleep(0.1)


def new_office(target: Path | str) -> BackOffice:
    """A back office with its company, on a SQLite file or a database URL."""
    url = target if isinstance(target, str) else f"sqlite:///{target}"
    office = BackOffice(open_database(url), PEPPER)
    office.init_schema()
    office.create_company("Sklep Testowy sp. z o.o.", nip="5260250995")
    return office


@dataclass
class Shop:
    """A small shop: two stores with their own price lists and a spare list."""

    office: BackOffice
    list1: int
    list2: int
    list3: int
    store1: int
    store2: int
    products: list[int] = field(default_factory=list)
    category: int = 0


def build_shop(office: BackOffice, n_products: int = 12) -> Shop:
    list1 = office.add_price_list("Cennik 1")
    list2 = office.add_price_list("Cennik 2")
    list3 = office.add_price_list("Cennik promocyjny")
    store1 = office.add_store("Sklep Kraków", price_list_id=list1)
    store2 = office.add_store("Sklep Wrocław", price_list_id=list2)
    category = office.add_category("Pieczywo")
    shop = Shop(office, list1, list2, list3, store1, store2, category=category)
    for i in range(n_products):
        codes = [EAN13[i]] if i < len(EAN13) else []
        price = 100 + i * 10
        shop.products.append(office.add_product(
            f"Produkt {i}", str(100 + i), "ABCDE"[i % 5], barcodes=codes,
            category_id=category if i % 2 else None,
            prices={list1: price, list2: price + 5, list3: price - 50},
        ))
    office.add_user("1001", "Anna Kowalska", "1111", permissions=["returns"])
    return shop


class TerminalClient:
    """A terminal's side of the protocol over one keep-alive httpx client.

    It speaks protocol 2 by default: pages in the plain form (``changes`` with their
    ``rev``), which these tests read; ``test_compact_pages.py`` asks for protocol 3.
    """

    def __init__(self, base: str, token: str, terminal_id: int, store_id: int,
                 version: int = PREVIOUS_PROTOCOL_VERSION) -> None:
        self.terminal_id, self.store_id = terminal_id, store_id
        self.http = httpx.Client(base_url=base, timeout=httpx.Timeout(30.0, connect=5.0),
                                 headers={"Authorization": f"Bearer {token}",
                                          "X-Protocol-Version": str(version),
                                          "X-Terminal-Version": "0.1.0"})
        self.numbers: dict[str, int] = {}

    @classmethod
    def activate(cls, base: str, code: str, name: str = "Kasa") -> TerminalClient:
        response = httpx.post(f"{base}/api/v1/activate", json={"code": code, "name": name})
        response.raise_for_status()
        body = response.json()
        client = cls(base, body["token"], body["terminal_id"], body["store_id"])
        client.numbers = dict(body["numbers"])
        return client

    def pull(self, stream: str, since: int = 0, limit: int | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"since": since}
        if limit is not None:
            params["limit"] = limit
        response = self.http.get(f"/api/v1/sync/{stream}", params=params)
        response.raise_for_status()
        return response.json()

    def pull_all(self, stream: str, since: int = 0, limit: int | None = None
                 ) -> tuple[list[dict[str, Any]], int, bool]:
        """Every change after ``since`` (following pages); returns changes, cursor, reset."""
        changes: list[dict[str, Any]] = []
        reset = False
        while True:
            page = self.pull(stream, since, limit)
            reset = reset or page["reset"]
            if page["reset"]:
                changes = []
            changes.extend(page["changes"])
            since = page["cursor"]
            if not page["has_more"]:
                return changes, since, reset

    def push(self, documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
        response = self.http.post("/api/v1/transactions", json={"documents": documents})
        response.raise_for_status()
        return response.json()["results"]

    def close(self) -> None:
        self.http.close()


def make_receipt(store_id: int, number: int, *, product_id: int | None = None,
                 price: int = 499, qty: int = 1000, vat: str = "A",
                 cashier_id: int | None = None) -> dict[str, Any]:
    """A consistent receipt: one line, paid in cash with change."""
    value = price * qty // 1000
    return {
        "type": "receipt",
        "uuid": str(uuid_mod.uuid4()),
        "number": number,
        "store_id": store_id,
        "created_at": datetime(2026, 11, 27, 10, 0, tzinfo=UTC).isoformat(),
        "cashier_id": cashier_id,
        "cashier_identifier": "1001",
        "lines": [{"name": "Chleb", "plu": "100", "product_id": product_id, "vat": vat,
                   "unit_price": price, "qty": qty, "value": value}],
        "payments": [{"method": "cash", "amount": value + 1, "change": 1}],
        "total": value,
        "vat_totals": {vat: value},
    }


