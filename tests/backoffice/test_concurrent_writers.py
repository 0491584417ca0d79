"""Several writer processes and a paging reader: the change feed never loses a change.

Revisions are allocated inside the write transaction under the database's lock, so
the order in which they become visible equals their order. If it did not (a rev
allocated outside the lock, or a Python lock that another process cannot see), a
reader could see rev N+1 committed before rev N, move its cursor past N and miss it
for ever; the final state it built from the feed would then differ from the
database. Runs on SQLite and on a throwaway PostgreSQL, where tills upload sales at
the same time (their own lock, not the company's: they must not disturb the feed).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest
from backoffice_support import PEPPER, TerminalClient, make_receipt, running_server
from office_db import OfficeBackend

from ipos_tui.backoffice.db import open_database
from ipos_tui.backoffice.services import BackOffice

WRITES_PER_PROCESS = 60
#: Writer processes (catalogue changes through the service, as the CLI and the web do).
WRITERS = ("1", "2", "3", "4")

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


@pytest.fixture(scope="module")
def db_url(office_backend: OfficeBackend, tmp_path_factory: pytest.TempPathFactory) -> str:
    return office_backend.url(tmp_path_factory.mktemp("conc") / "conc.sqlite3")


def _apply(state: dict[str, dict[int, dict]], changes: list[dict]) -> None:
    for change in changes:
        rows = state.setdefault(change["type"], {})
        if change["op"] == "delete":
            rows.pop(change["id"], None)
        else:
            rows[change["id"]] = change["data"]


def test_reader_paging_beside_writer_processes_misses_nothing(db_url: str) -> None:
    office = BackOffice(open_database(db_url), PEPPER)
    office.init_schema()
    office.create_company("Współbieżna sp. z o.o.")
    list_id = office.add_price_list("Cennik")
    store = office.add_store("Sklep", price_list_id=list_id)
    _, code = office.add_terminal(store)
    sellers_codes = [office.add_terminal(store, f"Kasa {n}")[1] for n in range(3)]
    with running_server(office) as base:
        reader = TerminalClient.activate(base, code)
        sellers = [TerminalClient.activate(base, seller) for seller in sellers_codes]
        writers = [
            subprocess.Popen([sys.executable, "-c", WRITER, db_url, tag,
                              str(WRITES_PER_PROCESS), str(list_id)])
            for tag in WRITERS
        ]
        sold = 0
        state: dict[str, dict[int, dict]] = {}
        cursor, pages = 0, 0
        try:
            while True:
                done = all(w.poll() is not None for w in writers)
                sold += 1
                for seller in sellers:  # sales go on beside the catalogue writers
                    assert seller.push([make_receipt(store, sold)])[0]["status"] == "accepted"
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
            for seller in sellers:
                seller.close()
    assert [w.returncode for w in writers] == [0] * len(WRITERS)
    assert pages > 10  # the reader really paged while the writers wrote

    truth = office.list_products()
    mine = {p["id"]: p for p in truth if p["plu"][0] in "".join(WRITERS) and len(p["plu"]) == 5}
    deleted_per_writer = WRITES_PER_PROCESS // 10
    assert len(mine) == len(WRITERS) * (WRITES_PER_PROCESS - deleted_per_writer)
    assert {pid: row["name"] for pid, row in state["product"].items()} == {
        pid: p["name"] for pid, p in mine.items()}
    assert {pid: row["price"] for pid, row in state["price"].items()} == {
        pid: p["prices"][list_id] for pid, p in mine.items()}
    office.db.close()
