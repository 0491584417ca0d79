"""Invoices and receipts with NIP: kind and buyer on the wire, stored, listed, looked up.

Against a real uvicorn back office on 127.0.0.1; the migration test upgrades a
database that predates the columns.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backoffice_support import TerminalClient, build_shop, make_receipt, new_office, running_server

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.cli import main
from ipos_tui.protocol import PREVIOUS_PROTOCOL_VERSION
from ipos_tui.backoffice.documents.ingest import Ingest
from ipos_tui.backoffice.documents.listing import list_transactions
from ipos_tui.backoffice.documents.quarantine import list_quarantine
from ipos_tui.backoffice.migrations import LATEST_VERSION, current_version, migrate
from ipos_tui.backoffice.security import SECRET_ENV
from ipos_tui.protocol import ReceiptDocument, ReceiptLookupResponse
from office_db import OfficeBackend, url_of

BUYER = {"nip": "PL 526-025-09-95", "name": "Firma Kupująca sp. z o.o.",
         "address": "ul. Długa 1, 00-001 Warszawa"}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, office_backend: OfficeBackend):
    office = new_office(office_backend.url(Path(tmp_path_factory.mktemp("buyer")) / "buyer.sqlite3"))
    return build_shop(office, n_products=2)


@pytest.fixture(scope="module")
def base(shop) -> Iterator[str]:
    with running_server(shop.office) as url:
        yield url


@pytest.fixture
def t1(shop, base) -> Iterator[TerminalClient]:
    _, code = shop.office.add_terminal(shop.store1, "Kasa")
    client = TerminalClient.activate(base, code)
    yield client
    client.close()


def receipt(store_id: int, number: int, kind: str | None = None,
            buyer: dict[str, Any] | None = None) -> dict[str, Any]:
    doc = make_receipt(store_id, number, price=24600)
    if kind is not None:
        doc["kind"] = kind
    if buyer is not None:
        doc["buyer"] = buyer
    return doc


def stored(uuid: str) -> m.Transaction:
    return m.Transaction.get(m.Transaction.uuid == uuid)


def test_invoice_and_nip_receipt_are_stored_with_their_buyer(t1) -> None:
    faktura = receipt(t1.store_id, 1, "faktura", BUYER)
    nip_receipt = receipt(t1.store_id, 2, "paragon_nip", {"nip": "5260250995"})
    results = t1.push([faktura, nip_receipt])
    assert [r["status"] for r in results] == ["accepted", "accepted"]
    row = stored(faktura["uuid"])
    assert (row.kind, row.buyer_nip, row.buyer_name, row.buyer_address) == (
        "faktura", "5260250995", BUYER["name"], BUYER["address"])
    assert json.loads(row.payload)["buyer"]["nip"] == "5260250995"  # normalised
    row = stored(nip_receipt["uuid"])
    assert (row.kind, row.buyer_nip, row.buyer_name, row.buyer_address) == (
        "paragon_nip", "5260250995", None, None)


def test_receipt_lookup_answers_kind_and_buyer(t1) -> None:
    t1.push([receipt(t1.store_id, 1, "faktura", BUYER), receipt(t1.store_id, 2)])
    invoice = t1.http.get(f"/api/v1/receipts/{t1.terminal_id}/1").json()
    assert invoice["receipt"]["kind"] == "faktura"
    assert invoice["receipt"]["buyer"] == {**BUYER, "nip": "5260250995"}
    parsed = ReceiptLookupResponse.model_validate(invoice).receipt
    assert parsed.buyer is not None and parsed.buyer.name == BUYER["name"]
    plain = t1.http.get(f"/api/v1/receipts/{t1.terminal_id}/2").json()
    assert plain["receipt"]["kind"] == "paragon" and "buyer" not in plain["receipt"]


@pytest.mark.parametrize(("kind", "buyer", "reason"), [
    ("faktura", None, "malformed:buyer:missing"),
    ("faktura", {"nip": "5260250995"}, "malformed:buyer.name:missing"),
    ("faktura", {"nip": "5260250995", "name": "Firma", "address": "  "},
     "malformed:buyer.address:missing"),
    ("paragon_nip", None, "malformed:buyer:missing"),
    ("paragon_nip", {"nip": " "}, "malformed:buyer.nip:missing"),
    ("paragon_nip", {"nip": "5260250994"}, "malformed:buyer.nip:invalid_nip"),
    ("faktura", {**BUYER, "nip": "0000000000"}, "malformed:buyer.nip:invalid_nip"),
    ("paragon", {"nip": "123"}, "malformed:buyer.nip:invalid_nip"),
    ("rachunek", None, "malformed:kind:literal_error"),
])
def test_incomplete_buyer_is_rejected_with_a_clear_reason_and_quarantined(
    shop, t1, kind: str, buyer: dict[str, Any] | None, reason: str
) -> None:
    bad = receipt(t1.store_id, 1, kind, buyer)
    good = receipt(t1.store_id, 2)
    results = t1.push([bad, good])
    assert [(r["status"], r.get("reason")) for r in results] == [
        ("rejected", reason), ("accepted", None)]
    mine = [q for q in list_quarantine(shop.office) if q["terminal_id"] == t1.terminal_id]
    assert [(q["uuid"], q["reason"]) for q in mine] == [(bad["uuid"], reason)]


def test_old_style_documents_without_kind_are_paragons_on_every_version(shop, base,
                                                                        t1) -> None:
    token = t1.http.headers["Authorization"].split()[1]
    old = TerminalClient(base, token, t1.terminal_id, t1.store_id, version=PREVIOUS_PROTOCOL_VERSION)
    try:
        from_v1 = make_receipt(t1.store_id, 1)
        assert old.push([from_v1])[0]["status"] == "accepted"
        looked_up = old.http.get(f"/api/v1/receipts/{t1.terminal_id}/1").json()
        assert ReceiptDocument.model_validate(looked_up["receipt"]).kind == "paragon"
    finally:
        old.close()
    from_v2 = make_receipt(t1.store_id, 2)
    assert t1.push([from_v2])[0]["status"] == "accepted"
    for doc in (from_v1, from_v2):
        row = stored(doc["uuid"])
        assert (row.kind, row.buyer_nip) == ("paragon", None)


def test_transactions_list_shows_kind_and_buyer_nip(shop, t1, capsys, monkeypatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "buyer-test-secret")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")  # English headers
    t1.push([receipt(t1.store_id, 1, "faktura", BUYER),
             receipt(t1.store_id, 2, "paragon_nip", {"nip": "526-025-09-95"}),
             receipt(t1.store_id, 3)])
    url = url_of(shop.office.db)
    capsys.readouterr()
    assert main(["--db", url, "transactions", "list", "--terminal", str(t1.terminal_id),
                 "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["number"], r["kind"], r["buyer_nip"]) for r in rows] == [
        (3, "paragon", None), (2, "paragon_nip", "5260250995"), (1, "faktura", "5260250995")]
    assert rows[2]["buyer_name"] == BUYER["name"]
    assert main(["--db", url, "transactions", "list", "--terminal", str(t1.terminal_id)]) == 0
    header, *lines = capsys.readouterr().out.splitlines()
    assert header.split()[:3] == ["id", "type", "kind"] and "buyer_NIP" in header.split()
    assert "faktura" in lines[2] and "5260250995" in lines[2]
    assert "paragon_nip" in lines[1] and "5260250995" in lines[1]
    by_nip = list_transactions(shop.office, terminal_id=t1.terminal_id,
                               buyer_nip="PL5260250995")
    assert sorted(r["number"] for r in by_nip) == [1, 2]
    invoices = list_transactions(shop.office, terminal_id=t1.terminal_id, kind="faktura")
    assert [r["number"] for r in invoices] == [1]


def test_migration_2_adds_the_columns_and_keeps_old_rows_valid(tmp_path: Path) -> None:
    office = new_office(tmp_path / "old.sqlite3")
    shop = build_shop(office, n_products=1)
    _, code = office.add_terminal(shop.store1)
    auth = office.authenticate(office.activate(code, "k")["token"])
    old_doc = make_receipt(shop.store1, 1)
    assert Ingest(office, auth).push([old_doc])[0]["status"] == "accepted"
    # Turn the database back into what release 1 wrote: no kind/buyer columns.
    for column in ("kind", "buyer_nip", "buyer_name", "buyer_address"):
        office.db.execute_sql(f'ALTER TABLE "transaction_doc" DROP COLUMN "{column}"')
    m.SchemaVersion.delete().where(m.SchemaVersion.version >= 2).execute()
    assert current_version(office.db) == 1

    assert migrate(office.db) == list(range(2, LATEST_VERSION + 1))
    columns = {c.name for c in office.db.get_columns("transaction_doc")}
    assert {"kind", "buyer_nip", "buyer_name", "buyer_address"} <= columns
    assert (stored(old_doc["uuid"]).kind, stored(old_doc["uuid"]).buyer_nip) == (
        "paragon", None)
    invoice = receipt(shop.store1, 2, "faktura", BUYER)
    assert Ingest(office, auth).push([invoice])[0]["status"] == "accepted"
    assert stored(invoice["uuid"]).buyer_nip == "5260250995"
    assert migrate(office.db) == []
