"""Ingest rules and the sales report, through the service layer (no HTTP)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from backoffice_support import make_receipt, new_office

from ipos_tui.backoffice.documents.ingest import Ingest
from ipos_tui.backoffice.documents.quarantine import list_quarantine, release_quarantine
from ipos_tui.backoffice.documents.reports import sales_report
from ipos_tui.backoffice.services import BackOffice, TerminalAuth
from ipos_tui.domain.errors import DomainError
from office_db import OfficeBackend


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory, office_backend: OfficeBackend) -> tuple[BackOffice, TerminalAuth]:
    office = new_office(office_backend.url(Path(tmp_path_factory.mktemp("ingest")) / "ingest.sqlite3"))
    list_id = office.add_price_list("Cennik")
    store = office.add_store("Sklep", price_list_id=list_id)
    _, code = office.add_terminal(store)
    auth = office.authenticate(office.activate(code, "k")["token"])
    assert auth is not None
    return office, auth


def _push(setup, *docs: object) -> list[dict]:
    office, auth = setup
    return Ingest(office, auth).push(list(docs))


def test_inconsistent_documents_are_rejected_with_a_reason(setup) -> None:
    line = make_receipt(1, 1)
    line["lines"][0]["value"] -= 1
    vat = make_receipt(1, 2)
    vat["vat_totals"] = {"B": vat["total"]}
    paid = make_receipt(1, 3)
    paid["payments"][0]["change"] = 0
    naive = make_receipt(1, 4)
    naive["created_at"] = "2026-11-20T10:00:00"  # no zone: taken as UTC
    results = _push(setup, line, vat, paid, naive)
    assert [r.get("reason") for r in results] == [
        "line_mismatch:0", "vat_totals_mismatch", "payments_mismatch", None]
    assert sales_report(setup[0], date(2026, 11, 20), 1)["receipts"] == 1


def test_sales_report_counts_receipts_returns_vat_payments_and_cash(setup) -> None:
    office, auth = setup
    day_docs = [make_receipt(1, n, price=1230, vat="A") for n in (10, 11)]
    food = make_receipt(1, 12, price=500, qty=2500, vat="C")  # 2,5 kg × 5,00
    food["payments"] = [{"method": "card", "amount": 1250}]
    ret = make_receipt(1, 1, price=1230, vat="A")
    ret["type"] = "return"
    late = make_receipt(1, 13, price=100)
    late["created_at"] = "2026-11-27T23:30:00+00:00"  # 00:30 on the 28th in Warsaw
    cash_in = {"type": "cash_operation", "uuid": "5b0c1c9e-49a4-4f7e-9c43-2b0c3d1e0001",
               "number": 1, "store_id": 1, "created_at": "2026-11-27T07:00:00+00:00",
               "kind": "in", "amount": 20000}
    cash_out = {**cash_in, "uuid": "5b0c1c9e-49a4-4f7e-9c43-2b0c3d1e0002", "number": 2,
                "kind": "out", "amount": 5000, "reason": "wpłata do banku"}
    report_doc = {"type": "daily_report", "uuid": "5b0c1c9e-49a4-4f7e-9c43-2b0c3d1e0003",
                  "number": 1, "store_id": 1, "created_at": "2026-11-27T22:00:00+00:00",
                  "day": "2026-11-27", "receipts": 3, "total": 3710,
                  "vat_totals": {"A": 2460, "C": 1250}}
    results = _push(setup, *day_docs, food, ret, late, cash_in, cash_out, report_doc)
    assert all(r["status"] == "accepted" for r in results), results
    report = sales_report(office, date(2026, 11, 27), 1)
    assert (report["receipts"], report["receipts_total"]) == (3, 2460 + 1250)
    assert (report["returns"], report["returns_total"]) == (1, 1230)
    assert report["net_sales"] == 2460 + 1250 - 1230
    assert report["vat"]["A"] == {"gross": 1230, "vat": 230, "net": 1000}
    assert report["vat"]["C"] == {"gross": 1250, "vat": 60, "net": 1190}
    assert report["payments"] == {"card": 1250, "cash": 1230}
    assert (report["cash_in"], report["cash_out"]) == (20000, 5000)
    assert sales_report(office, date(2026, 11, 28), 1)["receipts_total"] == 100
    assert Ingest(office, auth).push([report_doc])[0]["status"] == "duplicate"


def test_malformed_payload_cannot_be_released(setup) -> None:
    office, auth = setup
    _push(setup, {"type": "receipt", "number": "x"})
    row = next(q for q in list_quarantine(office) if q["reason"].startswith("malformed"))
    with pytest.raises(DomainError) as info:
        release_quarantine(office, row["id"])
    assert info.value.key == "err.quarantine_unreleasable"
    with pytest.raises(DomainError) as info:
        release_quarantine(office, 99999)
    assert info.value.key == "err.quarantine_unknown"
