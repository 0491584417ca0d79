"""The back office and the tills' authorisations: a pushed document's
``authorisations`` (who allowed what the cashier could not) are stored with it and
listed by ``transactions list`` (its "authorised_by" column); a document without them
(an older till) is accepted as before; an authoriser the back office does not know
is a warning, never a rejection; a malformed one is quarantined like any malformed
field. Migration 3 grants the permissions the tills now enforce to the users that
existed before it, and to nobody created after."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from backoffice_support import PEPPER, make_receipt, new_office

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.cli import main
from ipos_tui.backoffice.db import open_database
from ipos_tui.backoffice.documents.ingest import Ingest
from ipos_tui.backoffice.documents.listing import list_transactions
from ipos_tui.backoffice.migrations import LATEST_VERSION, current_version, migrate
from ipos_tui.backoffice.security import SECRET_ENV
from ipos_tui.backoffice.services import BackOffice, TerminalAuth

ANNA = {"permission": "free_discount", "user_id": 1, "identifier": "1001", "name": "Anna Kowalska",
        "at": "2026-11-27T10:00:00+00:00", "detail": "Chleb -10%"}


@pytest.fixture
def setup(tmp_path: Path) -> tuple[BackOffice, TerminalAuth, str]:
    path = tmp_path / "office.sqlite3"
    office = new_office(path)
    list_id = office.add_price_list("Cennik")
    store = office.add_store("Sklep", price_list_id=list_id)
    office.add_user("1001", "Anna Kowalska", "111111", "manager", ["free_discount"])
    _, code = office.add_terminal(store)
    auth = office.authenticate(office.activate(code, "k")["token"])
    assert auth is not None
    return office, auth, f"sqlite:///{path}"


def _receipt(number: int, *authorisations: dict[str, Any]) -> dict[str, Any]:
    doc = make_receipt(1, number)
    if authorisations:
        doc["authorisations"] = list(authorisations)
    return doc


def test_authorisations_are_stored_and_listed(setup) -> None:  # type: ignore[no-untyped-def]
    office, auth, _url = setup
    anna = int(m.User.get(m.User.identifier == "1001").id)
    given = {**ANNA, "user_id": anna}
    results = Ingest(office, auth).push([_receipt(1, given), _receipt(2)])
    assert [r["status"] for r in results] == ["accepted", "accepted"]
    assert not any(w.startswith("unknown_authoriser") for w in results[0].get("warnings", []))
    by_number = {row["number"]: row for row in list_transactions(office)}
    assert by_number[1]["authorisations"] == [{**given, "at": "2026-11-27T10:00:00Z"}]
    assert by_number[2]["authorisations"] == []  # an older till, or nothing authorised


def test_an_unknown_authoriser_is_a_warning(setup) -> None:  # type: ignore[no-untyped-def]
    office, auth, _url = setup
    (result,) = Ingest(office, auth).push([_receipt(1, {**ANNA, "user_id": 999})])
    assert result["status"] == "accepted" and "unknown_authoriser:999" in result["warnings"]


@pytest.mark.parametrize("broken, reason", [
    ({"permission": "", "name": "Anna"}, "malformed:authorisations.0.permission:string_too_short"),
    ({"permission": "void"}, "malformed:authorisations.0.name:missing"),
])
def test_a_malformed_authorisation_is_quarantined(setup, broken, reason) -> None:  # type: ignore[no-untyped-def]
    office, auth, _url = setup
    (result,) = Ingest(office, auth).push([_receipt(1, broken)])
    assert (result["status"], result["reason"]) == ("rejected", reason)


def test_an_authorisation_of_a_permission_this_back_office_does_not_know_is_taken(setup) -> None:  # type: ignore[no-untyped-def]
    office, auth, _url = setup
    (result,) = Ingest(office, auth).push([_receipt(1, {**ANNA, "permission": "coming_later"})])
    assert result["status"] == "accepted"


def test_transactions_list_shows_who_authorised(setup, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    office, auth, url = setup
    monkeypatch.setenv(SECRET_ENV, PEPPER.decode())
    monkeypatch.setenv("LC_ALL", "pl_PL.UTF-8")
    anna = int(m.User.get(m.User.identifier == "1001").id)
    Ingest(office, auth).push([_receipt(1, {**ANNA, "user_id": anna}, {**ANNA, "user_id": anna,
                                                                       "permission": "price_change"}),
                               _receipt(2)])
    capsys.readouterr()
    assert main(["--db", url, "transactions", "list"]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    assert "autoryzował" in header
    column = header.index("autoryzował")
    by_number = {row.split()[4]: row for row in rows}
    assert by_number["1"][column:].startswith("Anna Kowalska (1001) ")  # once, however many
    assert by_number["2"][column:].startswith("- ")


def test_migration_3_grants_the_newly_enforced_permissions_to_existing_users(tmp_path: Path) -> None:
    office = new_office(tmp_path / "old.sqlite3")
    office.add_user("1001", "Anna", "111111", "manager", ["price_change", "returns"])
    office.add_user("1002", "Jan", "2222", "cashier", [])
    # as a back office of schema 2 left them: the step not applied yet
    m.SchemaVersion.delete().where(m.SchemaVersion.version >= 3).execute()
    assert current_version(office.db) == 2
    assert migrate(office.db)[0] == 3 and current_version(office.db) == LATEST_VERSION
    held = {u["identifier"]: u["permissions"] for u in office.list_users()}
    assert held == {"1001": ["day_close", "price_change", "reports", "returns", "settings", "void"],
                    "1002": ["day_close", "reports", "settings", "void"]}
    assert migrate(office.db) == []  # once
    office.add_user("1003", "Ola", "3333", "cashier", [])  # afterwards: exactly what is given
    assert {u["identifier"]: u["permissions"] for u in office.list_users()}["1003"] == []


def test_migration_3_reads_what_it_cannot_parse_as_nothing(tmp_path: Path) -> None:
    path = tmp_path / "odd.sqlite3"
    office = new_office(path)
    office.add_user("1001", "Anna", "1111", "manager", [])
    m.User.update(permissions="not json").execute()
    m.SchemaVersion.delete().where(m.SchemaVersion.version >= 3).execute()
    again = BackOffice(open_database(f"sqlite:///{path}"), b"x")
    assert migrate(again.db)[0] == 3
    assert json.loads(m.User.get().permissions) == ["day_close", "reports", "settings", "void"]
