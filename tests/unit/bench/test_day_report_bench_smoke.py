"""Smoke run of benchmarks/day_report_bench.py, so the benchmark cannot silently rot:
a tiny day through the real ledger; the raw SQL must arrive at the same figures as
the report service. Nothing about speed is asserted."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "day_report_bench.py"


def test_tiny_day_gives_the_same_figures_both_ways(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("day_report_bench", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    result = module.main(["--receipts", "120", "--repeat", "2", "--dir", str(tmp_path)])
    assert result["same_figures"] is True
    assert result["made"] == {"receipts": 120, "returns": 1, "cash_operations": 1, "voids": 1}
    assert result["report_number"] == 1 and result["report_total"] > 0
    assert "ratio ours / raw" in capsys.readouterr().out
