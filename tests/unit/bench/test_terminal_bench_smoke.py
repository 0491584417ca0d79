"""Smoke run of benchmarks/terminal_bench.py, so the benchmark cannot silently rot.

It runs the script's ``main`` in-process on a tiny catalogue and checks the shape
and sanity of what it reports. It asserts nothing about speed: the benchmark is
a measuring tool, and timing assertions on a shared CI machine would be noise.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ipos_tui.domain.search import normalise
from ipos_tui.domain.validation import is_valid_barcode, validate_plu, validate_product_name

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "terminal_bench.py"
PRODUCTS = 2000
LOOKUPS = 60
SEARCHES = 20
RECEIPTS = 12
PAGES = 2

EXPECTED_ROWS = (
    "catalogue load (replace_all)",
    "lookup by PLU",
    "lookup by EAN-13",
    "name search: 3-6 chars",
    "name search: Polish letters",
    "name search: T9 digits",
    "name search: 1-2 chars",
    "name search: all 3-6",
    "page upsert (1000 renamed products)",
    "receipt commit (20 lines)",
)


def _load_script() -> ModuleType:
    """Import the benchmark script as a module (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("terminal_bench", SCRIPT)
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
    parent = tmp_path_factory.mktemp("bench")
    argv = [
        "--products", str(PRODUCTS), "--lookups", str(LOOKUPS), "--searches", str(SEARCHES),
        "--receipts", str(RECEIPTS), "--pages", str(PAGES), "--warmup", "3",
        "--dir", str(parent), "--quiet",
    ]  # fmt: skip
    return bench.main(argv), parent


def test_report_has_every_row_in_order(run: tuple[Any, Path]) -> None:
    report, _ = run
    assert tuple(row.operation for row in report.rows) == EXPECTED_ROWS
    assert report.products == PRODUCTS
    assert report.barcodes == PRODUCTS + PRODUCTS // 10


def test_sample_counts_follow_the_arguments(run: tuple[Any, Path]) -> None:
    report, _ = run
    assert report.row("catalogue load (replace_all)").samples == 1
    assert report.row("lookup by PLU").samples == LOOKUPS
    assert report.row("lookup by EAN-13").samples == LOOKUPS
    assert report.row("name search: T9 digits").samples == SEARCHES
    assert report.row("name search: all 3-6").samples == 3 * SEARCHES
    assert report.row("page upsert (1000 renamed products)").samples == PAGES
    assert report.row("receipt commit (20 lines)").samples == RECEIPTS


def test_numbers_are_sane(run: tuple[Any, Path]) -> None:
    report, _ = run
    for row in report.rows:
        values = (row.ours_p50, row.ours_tail, row.raw_p50, row.raw_tail)
        assert all(math.isfinite(v) and v > 0 for v in values), row
        assert row.ours_p50 <= row.ours_tail and row.raw_p50 <= row.raw_tail, row
        assert row.ratio_p50 == pytest.approx(row.ours_p50 / row.raw_p50)
        assert row.ratio_tail == pytest.approx(row.ours_tail / row.raw_tail)


def test_targets_and_verdicts(run: tuple[Any, Path]) -> None:
    report, _ = run
    judged = {row.operation: row for row in report.rows if row.target is not None}
    assert set(judged) == set(EXPECTED_ROWS) - {
        "catalogue load (replace_all)",
        "page upsert (1000 renamed products)",
    }
    assert all(row.verdict in ("PASS", "MISS") for row in judged.values())
    commit = judged["receipt commit (20 lines)"]
    assert (commit.tail_pct, commit.target.tail_ms, commit.target.ratio) == (99, 50.0, 2.0)
    assert judged["lookup by PLU"].target.tail_ms == 2.0
    assert judged["name search: all 3-6"].target.tail_ms == 20.0
    assert report.row("page upsert (1000 renamed products)").verdict == "-"


def test_machine_is_described_and_temp_dir_removed(run: tuple[Any, Path]) -> None:
    report, parent = run
    assert report.machine["cpu count"].isdigit()
    assert report.machine["sqlite (python sqlite3)"].count(".") == 2
    assert list(parent.iterdir()) == []


def test_rendered_table_lists_every_row(bench: ModuleType, run: tuple[Any, Path]) -> None:
    report, _ = run
    text = bench.render(report)
    for operation in EXPECTED_ROWS:
        assert operation in text
    assert "ratio p50" in text and "cpu count" in text
    assert text.count("PASS") + text.count("MISS") == 8


def test_ratio_target_holds_at_median_and_tail(bench: ModuleType) -> None:
    target = bench.Target(50.0, 2.0)
    tail_ok_median_not = bench.Row("commit", 10, 99, 3.0, 4.0, 1.0, 2.5, target)
    assert tail_ok_median_not.verdict == "MISS"
    both_ok = bench.Row("commit", 10, 99, 1.5, 4.0, 1.0, 2.5, target)
    assert both_ok.verdict == "PASS"
    too_slow = bench.Row("commit", 10, 99, 1.5, 60.0, 1.0, 40.0, target)
    assert too_slow.verdict == "MISS"


def test_percentile_is_nearest_rank(bench: ModuleType) -> None:
    samples = [float(v) for v in range(1, 101)]
    assert bench.percentile(samples, 50) == 50.0
    assert bench.percentile(samples, 95) == 95.0
    assert bench.percentile(samples, 99) == 99.0
    assert bench.percentile([7.0], 99) == 7.0
    with pytest.raises(ValueError):
        bench.percentile([], 50)


def test_generated_catalogue_is_valid_polish_and_deterministic(bench: ModuleType) -> None:
    catalogue = bench.make_catalogue(3000, seed=5)
    names = [p.name for p in catalogue.products]
    for product in catalogue.products:
        assert validate_product_name(product.name) == product.name
        assert validate_plu(product.plu) == product.plu
        assert product.price > 0
    assert all(is_valid_barcode(b.code) and len(b.code) == 13 for b in catalogue.barcodes)
    assert len({b.code for b in catalogue.barcodes}) == len(catalogue.barcodes)
    assert len({p.plu for p in catalogue.products}) == len(catalogue.products)
    assert sum(any(ch in "ąćęłńóśźż" for ch in n.lower()) for n in names) > len(names) // 2
    assert len(set(names)) > 0.99 * len(names)
    assert bench.make_catalogue(3000, seed=5) == catalogue


def test_search_queries_are_what_they_claim(bench: ModuleType) -> None:
    catalogue = bench.make_catalogue(500, seed=5)
    queries = bench.search_queries(catalogue, 40, seed=5)
    assert all(3 <= len(normalise(q)) <= 6 for q in queries["text"])
    for query in queries["diacritic"]:
        assert any(ch in "ąćęłńóśźż" for ch in query.lower()), query
        assert len(normalise(query)) >= 3, query
    assert all(q.isdigit() and 3 <= len(q) <= 6 for q in queries["t9"])
    assert all(1 <= len(normalise(q)) <= 2 for q in queries["short"])
