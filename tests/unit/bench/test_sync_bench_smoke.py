"""Smoke run of benchmarks/sync_bench.py, so the benchmark cannot silently rot.

It runs the script's ``main`` in-process with a tiny shop (a real back office on
127.0.0.1, a real terminal, the real sync jobs) and checks the shape and sanity of
what it reports. It asserts nothing about speed: the benchmark is a measuring
tool, and timing assertions on a shared CI machine would be noise.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "sync_bench.py"
PRODUCTS = 300
SALES = 40
PRICE_CHANGES = 30
PAGE_LIMIT = 250


def _load_script() -> ModuleType:
    """Import the benchmark script as a module (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("sync_bench", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _load_script()


@pytest.fixture(scope="module")
def run(bench: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """One tiny benchmark run (the expensive part, shared by the tests below)."""
    parent = tmp_path_factory.mktemp("sync-bench")
    argv = ["--products", str(PRODUCTS), "--sales", str(SALES),
            "--price-changes", str(PRICE_CHANGES), "--page-limit", str(PAGE_LIMIT),
            "--dir", str(parent), "--quiet"]
    return bench.main(argv), parent


def expected_rows(bench: ModuleType) -> tuple[str, ...]:
    return (bench.LABEL_COLD, bench.LABEL_COLD_SERVER, bench.LABEL_COLD_CLIENT,
            bench.LABEL_COLD_NEXT, bench.LABEL_COLD_NEXT_SERVER, bench.LABEL_BYTES, bench.LABEL_PRICES, bench.LABEL_PRICE_BYTES,
            bench.LABEL_NOOP_BYTES, bench.LABEL_NOOP_TIME, bench.LABEL_BACKLOG,
            bench.LABEL_BACKLOG_BYTES)


def test_report_has_every_row_in_order(bench: ModuleType, run: tuple[Any, Path]) -> None:
    report, _ = run
    assert tuple(row.name for row in report.rows) == expected_rows(bench)
    assert report.sizes["products"] == PRODUCTS
    assert report.sizes["sales"] == SALES
    assert report.sizes["price changes"] == PRICE_CHANGES
    assert report.sizes["page limit"] == PAGE_LIMIT


def test_numbers_are_finite_and_positive(run: tuple[Any, Path]) -> None:
    report, _ = run
    for row in report.rows:
        assert math.isfinite(row.ours) and row.ours > 0, row
        if row.raw is not None:
            assert math.isfinite(row.raw) and row.raw > 0, row


def test_cold_pull_is_split_and_compared_with_raw(bench: ModuleType,
                                                  run: tuple[Any, Path]) -> None:
    report, _ = run
    cold = report.row(bench.LABEL_COLD)
    http = report.row(bench.LABEL_COLD_SERVER)
    local = report.row(bench.LABEL_COLD_CLIENT)
    assert cold.raw is not None and cold.ratio == pytest.approx(cold.ours / cold.raw)
    # products, barcodes, prices and the handful of VAT rates, units, categories
    assert 3 * PRODUCTS < cold.items < 3 * PRODUCTS + 200
    assert cold.rate(cold.ours) == pytest.approx(cold.items / cold.ours)
    assert http.ours + local.ours == pytest.approx(cold.ours)
    assert http.raw is not None and local.raw is not None
    assert http.raw + local.raw == pytest.approx(cold.raw)
    assert cold.target.on_ratio and cold.target.limit == 3.0


def test_bytes_are_plausible(bench: ModuleType, run: tuple[Any, Path]) -> None:
    report, _ = run
    per_product = report.row(bench.LABEL_BYTES)
    # a gzip'd product with its barcode and price: more than a few bytes, far below raw JSON
    assert 10 < per_product.ours < 200
    assert per_product.raw == pytest.approx(per_product.ours, rel=0.25)
    noop = report.row(bench.LABEL_NOOP_BYTES)
    assert 3 * 100 < noop.ours < 10_000  # three requests and answers, headers included
    assert report.row(bench.LABEL_PRICE_BYTES).ours > PRICE_CHANGES
    assert 100 < report.row(bench.LABEL_BACKLOG_BYTES).ours < 5000


def test_targets_and_verdicts(bench: ModuleType, run: tuple[Any, Path]) -> None:
    report, _ = run
    judged = {row.name: row.target for row in report.rows if row.target is not None}
    assert judged == {
        bench.LABEL_COLD: bench.Target(3.0, on_ratio=True),
        bench.LABEL_COLD_NEXT_SERVER: bench.Target(2.0, on_ratio=True),
        bench.LABEL_BYTES: bench.Target(30.0),
        bench.LABEL_PRICES: bench.Target(2.0),
        bench.LABEL_NOOP_BYTES: bench.Target(1024.0),
        bench.LABEL_BACKLOG: bench.Target(30.0),
    }
    assert all(row.verdict in ("PASS", "MISS") for row in report.rows if row.target)
    assert all(row.verdict == "-" for row in report.rows if row.target is None)
    assert report.row(bench.LABEL_BACKLOG).items == SALES
    assert report.row(bench.LABEL_PRICES).items == PRICE_CHANGES


def test_notes_machine_and_temp_dir(run: tuple[Any, Path]) -> None:
    report, parent = run
    assert report.machine["cpu count"].isdigit()
    assert any(f"holds exactly {SALES:,} of {SALES:,}" in note for note in report.notes)
    assert list(parent.iterdir()) == []


def test_rendered_table_lists_every_row(bench: ModuleType, run: tuple[Any, Path]) -> None:
    report, _ = run
    text = bench.render(report)
    for name in expected_rows(bench):
        assert name in text
    assert text.count("PASS") + text.count("MISS") == 6
    assert "cpu count" in text and "ratio" in text


def test_verdicts_follow_the_target_kind(bench: ModuleType) -> None:
    ratio = bench.Target(3.0, on_ratio=True)
    assert bench.Row("x", "s", 2.9, 1.0, 10, ratio).verdict == "PASS"
    assert bench.Row("x", "s", 3.1, 1.0, 10, ratio).verdict == "MISS"
    limit = bench.Target(30.0)
    assert bench.Row("x", "B", 30.0, None, 1, limit).verdict == "PASS"
    assert bench.Row("x", "B", 30.5, None, 1, limit).verdict == "MISS"
    assert bench.Row("x", "s", 1.0).verdict == "-"
    assert bench.Row("x", "s", 2.0, None, 10).rate(2.0) == 5.0


def test_counting_transport_counts_headers_and_compressed_body(bench: ModuleType) -> None:
    body = b'{"changes":[],"cursor":7,"has_more":false,"reset":false}' * 50
    pages = {0: bench.gzip.compress(body, 6, mtime=0)}
    transport = bench.CountingTransport()
    with bench.serving(bench.raw_pages_app(pages)) as base, \
            httpx.Client(base_url=base, transport=transport) as client:
        response = client.get("/sync/products", params={"since": 0})
        assert response.content == body
        missing = client.get("/sync/products", params={"since": 5})
        assert missing.status_code == 404
    count = transport.count
    assert count.requests == 2
    assert count.body == len(pages[0])
    assert count.received > count.body + 2 * len(b"HTTP/1.1 200 OK\r\n")
    assert count.sent == bench.request_bytes(response.request) + bench.request_bytes(
        missing.request)
    assert count.seconds > 0


def test_catalogue_names_are_unique_and_valid(bench: ModuleType) -> None:
    from ipos_tui.domain.validation import (
        is_valid_barcode,
        product_name_key,
        validate_product_name,
    )

    items = bench.catalogue_items(3000, seed=5)
    assert len({product_name_key(i.name) for i in items}) == len(items)
    assert all(validate_product_name(i.name) == i.name for i in items)
    assert all(is_valid_barcode(code) for i in items for code in i.barcodes)
    assert len({i.barcodes[0] for i in items}) == len(items)
    assert bench.catalogue_items(3000, seed=5) == items
