"""Benchmark: ingest of N sales pushed in batches through the real server.

Each sale is a 3-line receipt paid by card; batches go to ``POST /api/v1/transactions``
over one keep-alive client, as a terminal's upload does. Prints sales/s (goal on
SQLite: ≥ 500/s) and checks every sale was stored exactly once.

    python benchmarks/backoffice_ingest.py [--sales 10000] [--batch 100]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from backoffice_common import build_office, serve  # noqa: E402

from ipos_tui.backoffice import models as m  # noqa: E402


def sale(store_id: int, number: int) -> dict[str, Any]:
    lines = [
        {"name": f"Produkt numer {i}", "plu": str(100_000 + i), "product_id": i + 1,
         "vat": "ABCDE"[i % 5], "unit_price": 100 + i, "qty": 1000, "value": 100 + i}
        for i in range(3)
    ]
    total = sum(line["value"] for line in lines)
    vat: dict[str, int] = {}
    for line in lines:
        vat[line["vat"]] = vat.get(line["vat"], 0) + line["value"]
    return {"type": "receipt", "uuid": str(uuid.uuid4()), "number": number,
            "store_id": store_id, "created_at": datetime.now(UTC).isoformat(),
            "cashier_identifier": "1001", "lines": lines,
            "payments": [{"method": "card", "amount": total}], "total": total,
            "vat_totals": vat}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    path = Path(tempfile.mkdtemp(prefix="ipos-bench-")) / "ingest.sqlite3"
    office, store, _ = build_office(path, 100)
    _, code = office.add_terminal(store)
    token = office.activate(code, "bench")["token"]
    documents = [sale(store, n) for n in range(1, args.sales + 1)]
    with serve(office) as base, httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120
    ) as client:
        started = time.perf_counter()
        accepted = 0
        for start in range(0, len(documents), args.batch):
            response = client.post("/api/v1/transactions",
                                   json={"documents": documents[start : start + args.batch]})
            response.raise_for_status()
            accepted += sum(r["status"] == "accepted" for r in response.json()["results"])
        elapsed = time.perf_counter() - started
    stored = m.Transaction.select().count()
    print(f"ingest: {args.sales:,} sales in batches of {args.batch}: {elapsed:.2f} s = "
          f"{args.sales / elapsed:,.0f} sales/s (goal >= 500/s on SQLite)")
    print(f"accepted {accepted:,}, stored {stored:,} (each exactly once: "
          f"{'yes' if accepted == stored == args.sales else 'NO'})")


if __name__ == "__main__":
    main()
