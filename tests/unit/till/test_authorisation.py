"""A manager's authorisation: the PIN check with the login's lockout, the permission,
and how it is recorded — on an open receipt (kept across a restart), in the ledger's
document, on its printout, on the wire, in the void log and on a daily report — plus
the till's schema 7, which grants the newly enforced permissions to users synced
before it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from terminal_support import CASHIER, NOW, receipt_of

from ipos_tui.backoffice.documents.checks import parse_document
from ipos_tui.domain.authorisation import Authorisation, authorisations_of, printout_lines
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.receipt import Payment
from ipos_tui.protocol import ReceiptDocument
from ipos_tui.sync.documents import document_payload
from ipos_tui.store import migrations
from ipos_tui.store.auth import LOCKOUT_SECONDS, MAX_FAILURES
from ipos_tui.store.db import Terminal, open_terminal
from ipos_tui.store.parked import ParkedService
from ipos_tui.devices.printout import render_receipt
from ipos_tui.domain.records import NEWLY_ENFORCED, StoredDocument, User
from ipos_tui.till import Till

TRAINEE = User(3, "1003", "Ola Wiśniewska", "stażysta", frozenset())


def _refused(terminal: Terminal, identifier: str | None, pin: str | None, permission: str = "price_change",
             now=NOW) -> DomainError:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as caught:
        terminal.auth.authorise(identifier, pin, permission, now)
    return caught.value


def _given(detail: str = "") -> Authorisation:
    return Authorisation("free_discount", 1, "1001", "Anna Kowalska", NOW.astimezone(UTC), detail)


# -- the PIN and the permission ----------------------------------------------------------------


def test_a_manager_holding_the_permission_authorises(demo_terminal: Terminal) -> None:
    given = demo_terminal.auth.authorise(" 1001 ", "1111", "price_change", NOW)
    assert (given.permission, given.user_id, given.identifier, given.name) == (
        "price_change", 1, "1001", "Anna Kowalska")
    assert given.at == NOW and given.at.tzinfo == UTC and given.detail == ""


def test_a_right_pin_without_the_permission_is_refused_by_name(demo_terminal: Terminal) -> None:
    error = _refused(demo_terminal, "1002", "2222", "price_change")  # Jan: no price_change
    assert (error.key, error.params) == ("perm.err_not_allowed", {"name": "Jan Nowak", "permission": "price_change"})
    assert demo_terminal.auth.authorise("1002", "2222", "void", NOW).name == "Jan Nowak"  # but he may void
    assert demo_terminal.auth.failures("1002") == 0  # a right PIN is not a failure


@pytest.mark.parametrize("identifier, pin, key", [
    ("", "1111", "err.login_id_required"),
    ("9999", "1111", "err.login_unknown"),
    ("1004", "4444", "err.login_inactive"),  # Piotr: inactive
    ("1001", "", "err.login_pin_required"),
    ("1001", "1112", "err.login_bad_pin"),
])
def test_what_is_refused(demo_terminal: Terminal, identifier: str, pin: str, key: str) -> None:
    assert _refused(demo_terminal, identifier, pin).key == key


def test_wrong_pins_count_towards_the_logins_lockout(demo_terminal: Terminal) -> None:
    """Typed here or at the login screen, wrong PINs are one series: a PIN cannot be
    guessed through the manager's dialog faster than at the login."""
    assert _refused(demo_terminal, "1001", "0000").params == {"attempts_left": 4}
    with pytest.raises(DomainError):
        demo_terminal.auth.login("1001", "0000", NOW)
    assert demo_terminal.auth.failures("1001") == 2
    for _ in range(MAX_FAILURES - 3):
        _refused(demo_terminal, "1001", "0000")
    assert _refused(demo_terminal, "1001", "0000").key == "err.login_locked"
    assert _refused(demo_terminal, "1001", "1111").key == "err.login_locked"  # even the right PIN waits
    with pytest.raises(DomainError) as caught:
        demo_terminal.auth.login("1001", "1111", NOW)
    assert caught.value.key == "err.login_locked"
    later = NOW + timedelta(seconds=LOCKOUT_SECONDS + 1)
    assert demo_terminal.auth.authorise("1001", "1111", "price_change", later).name == "Anna Kowalska"
    assert demo_terminal.auth.failures("1001") == 0


def test_anyone_holds(demo_terminal: Terminal, fresh: Terminal) -> None:
    assert demo_terminal.auth.anyone_holds("settings")
    assert not demo_terminal.auth.anyone_holds("no_such_permission")
    assert not fresh.auth.anyone_holds("settings")  # a new till: nobody to ask


# -- recorded with the document ------------------------------------------------------------------


def test_a_receipts_authorisations_are_stored_printed_and_sent(demo_terminal: Terminal) -> None:
    receipt = receipt_of(demo_terminal, [("9", 1000)])
    receipt.authorisations.append(_given("Jogurt grecki 400g -10%"))
    stored = demo_terminal.ledger.commit_receipt(
        receipt, [Payment("gotowka", "gotówka", receipt.total)], cashier=TRAINEE, now=NOW)
    detail = demo_terminal.ledger.get_document(stored.uuid)
    assert authorisations_of(detail.extra) == (_given("Jogurt grecki 400g -10%"),)
    text = render_receipt(detail, None, None, None)
    assert "Kasjer: Ola Wiśniewska" in text
    assert "Autoryzował: Anna Kowalska\n  rabat: Jogurt grecki 400g -10%\n" in text
    payload = document_payload(detail)
    assert payload["authorisations"] == [{
        "permission": "free_discount", "user_id": 1, "identifier": "1001", "name": "Anna Kowalska",
        "at": "2026-11-26T11:04:00+00:00", "detail": "Jogurt grecki 400g -10%"}]
    parsed = parse_document(json.loads(json.dumps(payload)))  # as the back office reads it
    assert isinstance(parsed, ReceiptDocument)
    assert parsed.authorisations is not None and parsed.authorisations[0].name == "Anna Kowalska"


def test_a_receipt_without_authorisations_is_sent_as_before(demo_terminal: Terminal,
                                                            sell: Callable[..., StoredDocument]) -> None:
    detail = demo_terminal.ledger.get_document(sell([("1", 1000)]).uuid)
    assert detail.extra == {"vat_rates": {"C": 500}}  # only the rates it was sold at
    assert "authorisations" not in document_payload(detail)
    assert "Autoryzował" not in render_receipt(detail, None, None, None)


def test_an_open_receipts_authorisations_survive_a_restart(demo_dir: Path) -> None:
    with open_terminal(demo_dir) as terminal:
        parked = ParkedService(terminal.db, terminal.models)
        opened = parked.open_current()
        receipt = receipt_of(terminal, [("9", 1000)])
        receipt.authorisations.append(_given("paragon -5%"))
        parked.save(opened.id, receipt)
    with open_terminal(demo_dir) as terminal:
        again = ParkedService(terminal.db, terminal.models).open_current()
        assert again.receipt.authorisations == [_given("paragon -5%")]


def test_the_void_log_names_who_authorised_the_void(demo_terminal: Terminal) -> None:
    receipt = receipt_of(demo_terminal, [("1", 2000)])
    demo_terminal.ledger.record_void(receipt, TRAINEE, NOW, _given())
    demo_terminal.ledger.record_void(receipt, CASHIER, NOW)
    unauthorised, authorised = demo_terminal.ledger.voids()
    assert (authorised.cashier_name, authorised.line_count, authorised.total) == ("Ola Wiśniewska", 1, 698)
    assert (authorised.authorised_by_id, authorised.authorised_by_name) == (1, "Anna Kowalska")
    assert (unauthorised.authorised_by_id, unauthorised.authorised_by_name) == (None, None)


def test_a_daily_report_names_its_authoriser(demo_terminal: Terminal, sell) -> None:  # type: ignore[no-untyped-def]
    sell([("1", 1000)])
    given = Authorisation("day_close", 1, "1001", "Anna Kowalska", NOW.astimezone(UTC))
    report, printout = Till(demo_terminal).reports.make_daily_report(TRAINEE, NOW, given)
    detail = demo_terminal.ledger.get_document(report.uuid)
    assert authorisations_of(detail.extra) == (given,)
    assert "Autoryzował: Anna Kowalska" in printout.text
    assert document_payload(detail)["authorisations"][0]["permission"] == "day_close"
    assert Till(demo_terminal).printer.printouts_of(report.uuid)[0].text == printout.text


def test_printout_lines_group_one_person_and_wrap() -> None:
    lines = printout_lines([_given("Jogurt grecki 400g -10%"),
                            Authorisation("price_change", 1, "1001", "Anna Kowalska", NOW, "Ser żółty gouda "
                                          "plastry 150 g 8,99 -> 7,99")], 40)
    assert lines == [
        "Autoryzował: Anna Kowalska",
        "  rabat: Jogurt grecki 400g -10%",
        "  zmiana ceny: Ser żółty gouda plastry",
        "    150 g 8,99 -> 7,99",
    ]
    assert all(len(line) <= 40 for line in lines)


# -- schema 7 ------------------------------------------------------------------------------------


def _database_at(path: Path, version: int) -> None:
    """A terminal database as a release of schema ``version`` left it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for statements in migrations.MIGRATIONS[:version]:
        for statement in statements:
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()


def test_schema_7_grants_the_newly_enforced_permissions_to_synced_users(tmp_path: Path) -> None:
    data_dir = tmp_path / "old"
    db_file = data_dir / "terminal.sqlite3"
    _database_at(db_file, 6)
    conn = sqlite3.connect(db_file)
    conn.executemany(
        "INSERT INTO user (id, identifier, name, role, pin_hash, active, permissions) VALUES (?, ?, ?, ?, '', 1, ?)",
        [(1, "1001", "Anna", "manager", '["price_change", "returns"]'),
         (2, "1002", "Jan", "cashier", "[]"),
         (3, "1003", "Ola", "cashier", '["void"]')],
    )
    conn.execute("INSERT INTO receipt_void (created_utc, created_local, cashier_id, cashier_name, line_count, total)"
                 " VALUES ('2026-11-26T11:00:00Z', '2026-11-26T12:00:00+01:00', 2, 'Jan', 2, 500)")
    conn.commit()
    conn.close()
    with open_terminal(data_dir) as terminal:
        assert terminal.schema_version == migrations.SCHEMA_VERSION >= 7
        held = {identifier: json.loads(text) for identifier, text in terminal.db.execute_sql(
            "SELECT identifier, permissions FROM user").fetchall()}
        assert held == {
            "1001": ["day_close", "price_change", "reports", "returns", "settings", "void"],
            "1002": ["day_close", "reports", "settings", "void"],
            "1003": ["day_close", "reports", "settings", "void"],
        }
        assert set(NEWLY_ENFORCED) == {"day_close", "reports", "settings", "void"}
        (old_void,) = terminal.ledger.voids()  # the old log reads on, without an authoriser
        assert (old_void.cashier_name, old_void.authorised_by_name) == ("Jan", None)
        assert terminal.db.execute_sql("SELECT authorisations FROM parked_receipt").fetchall() == []


def test_a_new_till_grants_nothing_by_itself(fresh: Terminal) -> None:
    """Users arriving after the update get exactly what the back office gives them."""
    assert fresh.db.execute_sql("SELECT count(*) FROM user").fetchone()[0] == 0
    assert fresh.schema_version == migrations.SCHEMA_VERSION >= 7
