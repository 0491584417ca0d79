"""Smoke run of benchmarks/chain_load.py, so the load benchmark cannot silently rot.

The script runs as a user runs it (its own process): ``ipos-backoffice init`` and
``serve`` on a SQLite file, six simulated tills in two client processes, one of them
offline for a third of the run with a backlog, and a price change half way. What is
asserted are the invariants the script exists to check (every sale stored once, every
till with the last price, no server error), never a speed: the benchmark measures,
and timings on a shared CI machine would be noise.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "chain_load.py"


def test_a_small_chain_stores_every_sale_once_and_every_till_gets_the_new_price() -> None:
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--tills", "6", "--seconds", "6", "--products", "40",
         "--db", "sqlite", "--clients", "2", "--sale-every", "0.5", "--offline-share", "0.2",
         "--json"],
        capture_output=True, text=True, timeout=240, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert figures["tills not activated"] == 0
    assert figures["sales made"] > 6  # every till sold (a sale every 0.5 s for 6 s)
    assert figures["stored"] == figures["sales made"]
    assert figures["lost"] == 0 and figures["duplicated"] == 0
    assert figures["still unsent at the end"] == 0  # the offline till's backlog drained
    assert figures["tills without the last price"] == 0
    assert figures["5xx"] == 0 and figures["errors"] == "none"
    assert 1 <= figures["lines per sale"] <= 8
    # the server's own latencies come from its JSON access log: both kinds were seen
    assert "/" in figures["server upload p50 / p99 ms"]
    assert "nan" not in figures["server pull p50 / p99 ms"]
