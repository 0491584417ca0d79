"""Back office migration 13 (issue 18): ``number_repeat`` and the unique index
(terminal, type, number, repeat). A database of version 12 (the old index, no column)
migrates keeping every row as repeat 0, still refusing a second document on a held
number through the index, and takes a repeat beside it."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from backoffice_support import PEPPER, build_shop, make_receipt, new_office, throwaway_postgres
from peewee import IntegrityError

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.db import open_database
from ipos_tui.backoffice.documents.ingest import Ingest
from ipos_tui.backoffice.migrations import LATEST_VERSION, current_version, migrate
from ipos_tui.backoffice.services import BackOffice


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_migration_13_adds_number_repeats(tmp_path: Path, engine: str) -> None:
    if engine == "sqlite":
        _migrate_back_and_forth(new_office(tmp_path / "old.sqlite3"))
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
    sale = make_receipt(shop.store1, 4)
    assert [r["status"] for r in Ingest(office, auth).push([sale])] == ["accepted"]
    # back to what version 12 wrote: the unique index without the repeat, no column
    table = "transaction_doc"
    office.db.execute_sql(f'DROP INDEX "{table}_terminal_id_doc_type_number_number_repeat"')
    office.db.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "number_repeat"')
    office.db.execute_sql(f'CREATE UNIQUE INDEX "{table}_terminal_id_doc_type_number" '
                          f'ON "{table}" ("terminal_id", "doc_type", "number")')
    m.SchemaVersion.delete().where(m.SchemaVersion.version >= 13).execute()
    assert current_version(office.db) == 12

    assert migrate(office.db) == list(range(13, LATEST_VERSION + 1))
    indexes = {i.name: i for i in office.db.get_indexes(table)}
    assert f"{table}_terminal_id_doc_type_number" not in indexes
    assert indexes[f"{table}_terminal_id_doc_type_number_number_repeat"].unique
    t = m.Transaction
    row = t.get(t.uuid == sale["uuid"])
    assert row.number_repeat == 0
    # a pushed clash is still refused; a second row on the same number and repeat too
    clash = make_receipt(shop.store1, 4)
    assert Ingest(office, auth).push([clash])[0]["reason"] == "number_conflict"
    copy = {k: v for k, v in row.__data__.items() if k != "id"}
    with pytest.raises(IntegrityError), office.db.atomic():
        t.insert(**{**copy, "uuid": str(uuid.uuid4())}).execute()
    t.insert(**{**copy, "uuid": str(uuid.uuid4()), "number_repeat": 1}).execute()
    assert migrate(office.db) == []  # nothing left to do
