"""Smoke run of benchmarks/offline_week.py (issue 18, the week offline), tiny, so the
script cannot silently rot.

The script runs as a user runs it (its own process): a real back office (SQLite,
uvicorn on 127.0.0.1 in a thread), a till activated and synced there, then two days
offline with a day close each evening (its network steps fail, the report is made),
then the back office back and the outbox drained. What is asserted are the
invariants the script exists to check, never a speed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "offline_week.py"


def test_two_days_offline_drain_with_every_sale_once_and_each_daily_report_in_the_back_office() -> None:
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--days", "2", "--sales", "20", "--json"],
        capture_output=True, text=True, timeout=240, check=False)
    assert run.returncode == 0, (run.stdout[-3000:], run.stderr[-3000:])
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert figures["sales made"] == 40
    assert [day["sales"] for day in figures["per day"]] == [20, 20]
    # offline all week: each day close made its report and failed only its network steps
    for day in figures["per day"]:
        assert day["day close"] == "report stored"
        assert day["day close offline steps failed"] == ["config", "products", "push", "upload", "users"]
    # the backlog: every document (sales, cash operations, reports) waited, then drained
    assert figures["pending before the drain"] == figures["documents"] >= 40 + 2
    assert figures["pending after the drain"] == 0 and figures["drain failures"] == []
    # the checker: each document once in the back office, same number and total
    assert figures["invariant problems"] == [] and figures["invariants ok"] is True
    reports = figures["daily reports"]
    assert [r["number"] for r in reports] == [1, 2]
    assert [r["day"] for r in reports] == [day["day"] for day in figures["per day"]]
    for report in reports:
        assert report["back office copies"] == 1
        assert report["till total"] == report["back office total"] == report["back office receipts - returns"] > 0
    # the figures the script prints exist (their values are the benchmark's business)
    assert figures["sale p99 last/first day"] > 0 and figures["drain documents/s"] > 0
    assert figures["till db MB after the week"] >= figures["till db MB before"] > 0
