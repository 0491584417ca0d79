"""Two writer processes and a paging reader: the change feed never loses a change.

Revisions are allocated inside the write transaction under the database's lock, so
the order in which they become visible equals their order. If it did not (a rev
allocated outside the lock, or a Python lock that another process cannot see), a
reader could see rev N+1 committed before rev N, move its cursor past N and miss it
for ever; the final state it built from the feed would then differ from the
database. Runs on SQLite and, when available, on a throwaway PostgreSQL.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator

import pytest
from backoffice_support import PEPPER, TerminalClient, running_server, throwaway_postgres

from ipos_tui.backoffice.db import open_database
from ipos_tui.backoffice.services import BackOffice

WRITES_PER_PROCESS = 60

WRITER = textwrap.dedent("""
    import sys
    from ipos_tui.backoffice.db import open_database
    from ipos_tui.backoffice.services import BackOffice

    url, tag, count, list_id = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    office = BackOffice(open_database(url), b"unused-pepper")
    made = []
    for i in range(count):
        pid = office.add_product(f"Towar {tag} {i}", f"{tag}{i:04d}", "A",
                                 prices={list_id: 100 + i})
        made.append(pid)
        if i % 3 == 2:
            office.set_price(list_id, made[-2], 5000 + i)
        if i % 10 == 9:
            office.delete_product(made.pop(0))
    office.db.close()
""")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('conc') / 'conc.sqlite3'}"
        return
    with throwaway_postgres() as url:
        yield url


def _apply(state: dict[str, dict[int, dict]], changes: list[dict]) -> None:
    for change in changes:
        rows = state.setdefault(change["type"], {})
        if change["op"] == "delete":
            rows.pop(change["id"], None)
        else:
            rows[change["id"]] = change["data"]


def test_reader_paging_beside_two_writer_processes_misses_nothing(db_url: str) -> None:
    office = BackOffice(open_database(db_url), PEPPER)
    office.init_schema()
    office.create_company("Współbieżna sp. z o.o.")
    list_id = office.add_price_list("Cennik")
    store = office.add_store("Sklep", price_list_id=list_id)
    _, code = office.add_terminal(store)
    with running_server(office) as base:
        reader = TerminalClient.activate(base, code)
        writers = [
            subprocess.Popen([sys.executable, "-c", WRITER, db_url, tag,
                              str(WRITES_PER_PROCESS), str(list_id)])
            for tag in ("1", "2")
        ]
        state: dict[str, dict[int, dict]] = {}
        cursor, pages = 0, 0
        try:
            while True:
                done = all(w.poll() is not None for w in writers)
                page = reader.pull("products", cursor, limit=7)
                assert not page["reset"]
                revs = [c["rev"] for c in page["changes"]]
                assert revs == sorted(set(revs)) and all(r > cursor for r in revs)
                _apply(state, page["changes"])
                cursor, pages = page["cursor"], pages + 1
                if done and not page["has_more"]:
                    break
                if not page["has_more"]:
                    time.sleep(0.005)
        finally:
            for writer in writers:
                writer.wait(timeout=120)
            reader.close()
    assert [w.returncode for w in writers] == [0, 0]
    assert pages > 10  # the reader really paged while the writers wrote

    truth = office.list_products()
    mine = {p["id"]: p for p in truth if p["plu"][0] in "12" and len(p["plu"]) == 5}
    deleted_per_writer = WRITES_PER_PROCESS // 10
    assert len(mine) == 2 * (WRITES_PER_PROCESS - deleted_per_writer)
    assert {pid: row["name"] for pid, row in state["product"].items()} == {
        pid: p["name"] for pid, p in mine.items()}
    assert {pid: row["price"] for pid, row in state["price"].items()} == {
        pid: p["prices"][list_id] for pid, p in mine.items()}
    office.db.close()
