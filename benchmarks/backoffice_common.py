"""Shared set-up of the back-office benchmarks: a shop of N products, a live server;
and the percentile every latency figure of the benchmarks is read with."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from stdnum import ean

from ipos_tui.backoffice.bulk import import_products
from ipos_tui.backoffice.db import open_database
from ipos_tui.backoffice.embedded import EmbeddedServer
from ipos_tui.backoffice.services import BackOffice, ProductInput

PEPPER = b"benchmark-pepper"


def ean13(n: int) -> str:
    body = f"29{n:010d}"
    return body + ean.calc_check_digit(body)


def build_office(path: Path, products: int) -> tuple[BackOffice, int, float]:
    """A fresh database with ``products`` products (1 barcode + 1 price each).

    Returns the office, the store id and the seconds the bulk import took.
    """
    office = BackOffice(open_database(f"sqlite:///{path}"), PEPPER)
    office.init_schema()
    office.create_company("Benchmark sp. z o.o.")
    list_id = office.add_price_list("Cennik")
    store = office.add_store("Sklep", price_list_id=list_id)
    items = [
        ProductInput(line=i + 1, name=f"Produkt numer {i}", plu=str(100_000 + i),
                     vat="ABCDE"[i % 5], price=100 + i % 9000, barcodes=[ean13(i)])
        for i in range(products)
    ]
    started = time.perf_counter()
    for start in range(0, len(items), 20_000):
        import_products(office, items[start : start + 20_000], list_id)
    return office, store, time.perf_counter() - started


@contextmanager
def serve(office: BackOffice) -> Iterator[str]:
    """The back office's own embedded server (uvicorn on a random 127.0.0.1 port in a
    thread, as the demo and the tests run it); yields the base URL."""
    with EmbeddedServer(office, max_body=8 * 1024 * 1024) as url:
        yield url


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
