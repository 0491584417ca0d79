"""Issue 15, items 4 (back office side) and 5, against a real uvicorn back office:
gaps and regressions of a till's numbering recorded when seen, shown by
``terminal list`` (JSON and text), cleared when the missing documents arrive, never
invented by batches racing each other; a resent uuid with other content is answered
``uuid_conflict`` with a summary of the stored version."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from backoffice_support import TerminalClient, build_shop, make_receipt, new_office, running_server

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.cli import main
from ipos_tui.backoffice.migrations import current_version, migrate
from ipos_tui.backoffice.security import SECRET_ENV
from ipos_tui.protocol import TransactionsResponse
from office_db import OfficeBackend, url_of


@pytest.fixture
def shop(tmp_path: Path, office_backend: OfficeBackend):
    return build_shop(new_office(office_backend.url(tmp_path / "bo.sqlite3")), n_products=2)


@pytest.fixture
def base(shop) -> Iterator[str]:
    with running_server(shop.office) as url:
        yield url


@pytest.fixture
def till(shop, base) -> Iterator[TerminalClient]:
    _, code = shop.office.add_terminal(shop.store1, "Kasa 1")
    client = TerminalClient.activate(base, code, "Kasa 1")
    yield client
    client.close()


def _issues(shop, terminal_id: int) -> list[dict[str, Any]]:
    row = next(r for r in shop.office.list_terminals() if r["id"] == terminal_id)
    return [{k: v for k, v in issue.items() if k != "since"} for issue in row["numbering"]]


def _push(till: TerminalClient, numbers: list[int]) -> list[str]:
    return [r["status"] for r in till.push([make_receipt(till.store_id, n) for n in numbers])]


def test_gap_is_recorded_and_cleared_when_the_missing_documents_arrive(shop, till) -> None:
    assert _push(till, [800015]) == ["accepted"]
    assert _issues(shop, till.terminal_id) == []
    before = datetime.utcnow().replace(microsecond=0)
    assert _push(till, [800100]) == ["accepted"]
    listed = next(r for r in shop.office.list_terminals() if r["id"] == till.terminal_id)
    assert [{k: v for k, v in i.items() if k != "since"} for i in listed["numbering"]] == [
        {"doc_type": "receipt", "kind": "gap", "first": 800016, "last": 800099, "count": 84}]
    since = datetime.fromisoformat(listed["numbering"][0]["since"].rstrip("Z"))
    assert since >= before
    # part of it arrives (out of order, in two batches): the rest stays, since the same time
    assert _push(till, list(range(800050, 800060))) == ["accepted"] * 10
    assert _push(till, [800016, 800017]) == ["accepted"] * 2
    assert _issues(shop, till.terminal_id) == [
        {"doc_type": "receipt", "kind": "gap", "first": 800018, "last": 800049, "count": 32},
        {"doc_type": "receipt", "kind": "gap", "first": 800060, "last": 800099, "count": 40}]
    still = next(r for r in shop.office.list_terminals() if r["id"] == till.terminal_id)
    assert {i["since"] for i in still["numbering"]} == {listed["numbering"][0]["since"]}
    # the rest arrives: nothing left
    assert set(_push(till, list(range(800018, 800050)) + list(range(800060, 800100)))) == {
        "accepted"}
    assert _issues(shop, till.terminal_id) == []


def test_gaps_are_per_document_type_and_a_rejected_sale_leaves_its_number_missing(
        shop, till) -> None:
    cash = {"type": "cash_operation", "uuid": "6f1c3f0e-0000-4000-8000-000000000001",
            "number": 1, "store_id": till.store_id, "kind": "in", "amount": 1000,
            "created_at": "2026-11-27T10:00:00+00:00"}
    bad = make_receipt(till.store_id, 2)
    bad["total"] += 1  # does not add up: quarantined
    results = till.push([make_receipt(till.store_id, 1), bad, cash,
                         make_receipt(till.store_id, 3)])
    assert [r["status"] for r in results] == ["accepted", "rejected", "accepted", "accepted"]
    assert _issues(shop, till.terminal_id) == [
        {"doc_type": "receipt", "kind": "gap", "first": 2, "last": 2, "count": 1}]
    assert _push(till, [2]) == ["accepted"]  # the corrected sale arrives
    assert _issues(shop, till.terminal_id) == []


def test_racing_batches_of_one_till_leave_no_gap(shop, till) -> None:
    """Numbers arrive in order within a batch, but batches (a retry racing its
    original, two uploads) may be stored in any order: whatever was missing for a
    while is filled in the end, and a gap never names a number that is stored."""
    assert _push(till, [1]) == ["accepted"]
    batches = [list(range(start, start + 20)) for start in range(2, 402, 20)]
    errors: list[BaseException] = []
    seen_gaps: list[tuple[int, int]] = []

    def send(numbers: list[int]) -> None:
        try:
            # a client per thread: one keep-alive httpx client is not shared
            client = TerminalClient(str(till.http.base_url), till.http.headers[
                "Authorization"].split()[1], till.terminal_id, till.store_id)
            try:
                assert {r["status"] for r in client.push(
                    [make_receipt(till.store_id, n) for n in numbers])} == {"accepted"}
            finally:
                client.close()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    wrong: list[int] = []

    def watch(stop: threading.Event) -> None:
        db = shop.office.db
        while not stop.is_set():
            seen_gaps.extend((i.first, i.last) for i in m.NumberingIssue.select())
            # one statement, one snapshot: a gap never names a number that is stored
            wrong.extend(row[0] for row in db.execute_sql(
                'SELECT t."number" FROM "numbering_issue" g JOIN "transaction_doc" t '
                'ON t."terminal_id" = g."terminal_id" AND t."doc_type" = g."doc_type" '
                'AND t."number" BETWEEN g."first" AND g."last"').fetchall())
        db.close()

    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(stop,))
    watcher.start()
    # the last batch wins the race outright: everything before it is missing for now
    send(batches[-1])
    assert _issues(shop, till.terminal_id) == [
        {"doc_type": "receipt", "kind": "gap", "first": 2, "last": 381, "count": 380}]
    threads = [threading.Thread(target=send, args=(b,)) for b in reversed(batches[:-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    watcher.join()
    assert errors == [] and wrong == []
    assert _issues(shop, till.terminal_id) == []
    assert m.Transaction.select().where(m.Transaction.terminal == till.terminal_id).count() == 401
    for first, last in seen_gaps:  # only ever numbers of this run, never beyond the last sent
        assert 2 <= first <= last <= 401


def test_restored_till_numbering_again_is_a_regression(shop, till, tmp_path, capsys,
                                                       monkeypatch) -> None:
    assert _push(till, list(range(1, 31))) == ["accepted"] * 30
    # the till is restored from a backup taken at number 20: it numbers 21, 22, 23 anew
    assert _push(till, [21, 22, 23]) == ["rejected"] * 3
    assert _push(till, [21]) == ["rejected"]  # the same clash again: no new record
    assert _issues(shop, till.terminal_id) == [
        {"doc_type": "receipt", "kind": "regression", "first": 21, "last": 23, "count": 3}]
    # the terminal list shows it in words, in the CLI's language
    monkeypatch.setenv(SECRET_ENV, "x")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    url = url_of(shop.office.db)
    assert main(["--db", url, "terminal", "list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].rstrip().endswith("numbering")
    assert "repeated: receipts 21–23 (3) since " in out
    monkeypatch.setenv("LC_ALL", "pl_PL.UTF-8")
    assert main(["--db", url, "terminal", "list"]) == 0
    assert "powtórzone: paragony 21–23 (3) od " in capsys.readouterr().out
    # cleared by hand once seen to
    assert main(["--db", url, "terminal", "clear-regressions", str(till.terminal_id),
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"terminal_id": till.terminal_id,
                                                    "cleared": 1}
    assert _issues(shop, till.terminal_id) == []


def _compare(till: TerminalClient, numbers: dict[str, Any]) -> Any:
    return till.http.post("/api/v1/numbers", json={"numbers": numbers})


def test_a_till_behind_the_back_office_is_a_rollback(shop, till, capsys, monkeypatch) -> None:
    """``POST /numbers``: a till whose last receipt is 20 while 30 are held (put back from
    an old copy) is told the highest numbers and gaps; the rollback (21-30, the numbers
    it would have handed out again) is recorded once, shown in words, cleared by hand."""
    assert _push(till, list(range(1, 31)) + [35]) == ["accepted"] * 31
    answer = _compare(till, {"receipt": 20, "return": 0})
    assert answer.status_code == 200
    assert answer.json() == {"numbers": {"receipt": 35},
                             "missing": [{"type": "receipt", "first": 31, "last": 34}],
                             "invoice_numbers": []}
    assert _compare(till, {"receipt": 20, "return": 0}).status_code == 200  # asked again
    assert _issues(shop, till.terminal_id) == [
        {"doc_type": "receipt", "kind": "gap", "first": 31, "last": 34, "count": 4},
        {"doc_type": "receipt", "kind": "rollback", "first": 21, "last": 35, "count": 15}]
    assert _compare(till, {"receipt": 35}).json()["numbers"] == {"receipt": 35}  # level: nothing
    assert len(_issues(shop, till.terminal_id)) == 2
    monkeypatch.setenv(SECRET_ENV, "x")
    monkeypatch.setenv("LC_ALL", "pl_PL.UTF-8")
    url = url_of(shop.office.db)
    assert main(["--db", url, "terminal", "list"]) == 0
    assert "cofnięta: paragony 21–35 (15) od " in capsys.readouterr().out
    assert main(["--db", url, "terminal", "clear-regressions", str(till.terminal_id),
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["cleared"] == 1
    assert [i["kind"] for i in _issues(shop, till.terminal_id)] == ["gap"]


@pytest.mark.parametrize("body", [
    {}, {"numbers": []}, {"numbers": {"receipt": -1}}, {"numbers": {"receipt": "x"}},
    {"numbers": {"": 1}}, {"numbers": {"r" * 41: 1}}, {"numbers": {"receipt": 2**40}},
    {"numbers": {f"t{i}": 1 for i in range(33)}}, {"numbers": None},
    # a NUL byte (PostgreSQL cannot hold it in a string), a line break, capitals
    {"numbers": {"rec\u0000eipt": 1}}, {"numbers": {"g\r": 720}}, {"numbers": {"Receipt": 1}},
])
def test_a_bad_numbers_request_is_refused_in_words(till, body) -> None:
    """Malformed comparisons (wrong shapes, negative or huge numbers, too many types,
    a type name that is not lower-case letters and underscores) are 422 with the reason; nothing is recorded."""
    answer = till.http.post("/api/v1/numbers", json=body)
    assert answer.status_code == 422, body
    assert answer.json()["error"]
    assert m.NumberingIssue.select().count() == 0


def test_numbers_need_a_terminal_token(base) -> None:
    import httpx

    answer = httpx.post(f"{base}/api/v1/numbers", json={"numbers": {"receipt": 1}})
    assert answer.status_code == 401


def test_gap_shows_in_terminal_list_text(shop, till, tmp_path, capsys, monkeypatch) -> None:
    assert _push(till, [800015, 800100]) == ["accepted"] * 2
    monkeypatch.setenv(SECRET_ENV, "x")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    assert main(["--db", url_of(shop.office.db), "terminal", "list"]) == 0
    assert "missing: receipts 800016–800099 (84) since 20" in capsys.readouterr().out


def test_uuid_conflict_carries_the_stored_version(shop, till, base) -> None:
    sale = make_receipt(till.store_id, 7, price=1250)
    assert _push(till, []) == [] and till.push([sale])[0]["status"] == "accepted"
    changed = make_receipt(till.store_id, 7, price=1999)
    changed["uuid"] = sale["uuid"]
    raw = till.http.post("/api/v1/transactions", json={"documents": [changed]}).json()
    result = TransactionsResponse.model_validate(raw).results[0]
    assert (result.status, result.reason) == ("rejected", "uuid_conflict")
    assert result.stored is not None
    assert (result.stored.type, result.stored.number, result.stored.total,
            result.stored.line_count) == ("receipt", 7, 1250, 1)
    assert [(line.name, line.qty, line.value) for line in result.stored.lines] == [
        ("Chleb", 1000, 1250)]
    # the plain resend is still a duplicate, without a summary
    again = till.push([sale])[0]
    assert again["status"] == "duplicate" and "stored" not in again
    # another till sending that uuid learns nothing of the first till's sale
    _, code = shop.office.add_terminal(shop.store1, "Kasa 2")
    other = TerminalClient.activate(base, code, "Kasa 2")
    try:
        clash = other.push([changed])[0]
    finally:
        other.close()
    assert clash["reason"] == "uuid_conflict" and "stored" not in clash
    # documented in the OpenAPI schema
    schema = till.http.get("/openapi.json").json()
    assert "StoredSummary" in schema["components"]["schemas"]
    assert "stored" in schema["components"]["schemas"]["TransactionResult"]["properties"]


def test_migration_adds_the_table_to_an_older_database(shop) -> None:
    db = shop.office.db
    db.execute_sql('DROP TABLE "numbering_issue"')
    db.execute_sql('DELETE FROM "schema_version" WHERE "version" >= 9')
    assert current_version(db) == 8
    assert migrate(db)[0] == 9  # and the later steps, each safe on a database that has them
    assert db.table_exists("numbering_issue")
