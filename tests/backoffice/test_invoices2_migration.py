"""Back office migration 9 (issue 14 item 3): invoice and correction numbers become
columns; an invoice stored before it gets its number from the stored payload."""

from __future__ import annotations

from pathlib import Path

import pytest
from backoffice_support import PEPPER, build_shop, make_receipt, new_office, throwaway_postgres

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.db import open_database
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.backoffice.documents.ingest import Ingest
from ipos_tui.backoffice.documents.listing import list_invoices
from ipos_tui.backoffice.migrations import LATEST_VERSION, current_version, migrate

BUYER = {"nip": "5260250995", "name": "Firma Kupująca sp. z o.o.", "address": "ul. Długa 1"}


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_migration_9_adds_the_invoice_columns_and_fills_them_from_the_payloads(
    tmp_path: Path, engine: str
) -> None:
    if engine == "sqlite":
        office = new_office(tmp_path / "old.sqlite3")
        _migrate_back_and_forth(office)
        return
    with throwaway_postgres() as url:
        office = BackOffice(open_database(url), PEPPER)
        office.init_schema()
        office.create_company("Sklep Testowy sp. z o.o.", nip="5260250995")
        try:
            _migrate_back_and_forth(office)
        finally:
            office.db.close()


def _migrate_back_and_forth(office: BackOffice) -> None:
    shop = build_shop(office, n_products=1)
    _, code = office.add_terminal(shop.store1)
    auth = office.authenticate(office.activate(code, "k")["token"])
    invoice = {**make_receipt(shop.store1, 1), "kind": "faktura", "buyer": BUYER,
               "invoice_number": "FV/K1/12/2026/0001"}
    plain = make_receipt(shop.store1, 2)
    assert [r["status"] for r in Ingest(office, auth).push([invoice, plain])] == ["accepted"] * 2
    # back to what version 8 wrote: no invoice columns (the number only in the payload)
    office.db.execute_sql('DROP INDEX "transaction_doc_invoice_number"')
    for column in ("invoice_number", "correction_number", "corrected_invoice"):
        office.db.execute_sql(f'ALTER TABLE "transaction_doc" DROP COLUMN "{column}"')
    m.SchemaVersion.delete().where(m.SchemaVersion.version >= 9).execute()
    assert current_version(office.db) == 8

    assert migrate(office.db) == list(range(9, LATEST_VERSION + 1))
    columns = {c.name for c in office.db.get_columns("transaction_doc")}
    assert {"invoice_number", "correction_number", "corrected_invoice"} <= columns
    t = m.Transaction
    assert t.get(t.uuid == invoice["uuid"]).invoice_number == "FV/K1/12/2026/0001"
    assert t.get(t.uuid == plain["uuid"]).invoice_number is None
    assert [row["number"] for row in list_invoices(office)] == ["FV/K1/12/2026/0001"]
    assert migrate(office.db) == []
