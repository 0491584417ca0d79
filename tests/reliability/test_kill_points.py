"""kill -9 of the till at seeded random points (issue 18, the first row of the matrix).

Each test runs a scenario's work in a child process (forked from a forkserver that
imported the app once, see kill_support.py), SIGKILLs it at a point drawn with the
seed ``IPOS_FAULT_SEED`` (default :data:`kill_support.DEFAULT_SEED`) inside the phase
the test aims at — an SQLite step or a file-system call — and then restarts the till
as the app does and checks what the issue asks: every sale whose commit returned is
there, numbers are gapless and never reused, a parked receipt is the old or the new
one, the catalogue is the one of a committed page, cursors never go backwards, what
was unprinted is printed once, a migration step is all or nothing, an install leaves
a database that opens. Scenarios with a back office then sync and end with the shared
invariant checker. Every failure message names the seed, the scenario and the point:
``IPOS_FAULT_SEED=<seed> pytest tests/reliability/test_kill_points.py -k <scenario>``
replays it.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kill_support import (
    NOW,
    KillLog,
    Point,
    Run,
    ScriptedChildren,
    copy_dir,
    draw_points,
    fault_seed,
    parked_version,
    replayable,
    run_child,
    the_cashier,
)
from office_db import OfficeBackend
from sync.faultproxy import Shop, serve_app

from ipos_tui.backoffice.api import create_app
from ipos_tui.domain.receipt import Payment
from ipos_tui.store.db import open_terminal
from ipos_tui.store.migrations import MIGRATIONS, SCHEMA_VERSION
from ipos_tui.sync.context import SyncContext
from ipos_tui.sync.progress import CancelToken, null_observer
from ipos_tui.sync.pull import pull_stream
from ipos_tui.till import Till
from ipos_tui.till.journal_recovery import print_unprinted

#: Kills per scenario (each test asserts it made them all; together ≥ 200 per run).
KILLS = {"sale_commit": 40, "print": 30, "parked_save": 30, "migration": 30,
         "update_swap": 20, "page_apply": 12, "cursor_write": 8, "shadow_swap": 12,
         "upload_in_flight": 12, "day_close": 10}
#: The scenarios with a back office run once per back-office engine (SQLite, PostgreSQL).
WITH_BACK_OFFICE = ("page_apply", "cursor_write", "shadow_swap", "upload_in_flight", "day_close")
#: Who sells in every scenario.
CASHIER = the_cashier()


def test_a_run_kills_the_till_at_least_200_times() -> None:
    """Each test below asserts it made its planned kills (a child that was not killed
    fails it); the plan makes at least 200 even on one back-office engine alone
    (``IPOS_OFFICE_DB=sqlite``), and the scenarios the issue lists all have kills."""
    assert set(KILLS) == {"sale_commit", "print", "parked_save", "migration", "update_swap",
                          *WITH_BACK_OFFICE}
    assert all(count > 0 for count in KILLS.values())
    assert sum(KILLS.values()) >= 200


def rng(scenario: str) -> random.Random:
    return random.Random(f"{fault_seed()}:{scenario}")


def receipts(terminal: Any) -> dict[str, int]:
    rows = terminal.db.execute_sql(
        "SELECT uuid, number FROM document WHERE doc_type = 'receipt'").fetchall()
    return {str(u): int(n) for u, n in rows}


def assert_gapless(log: KillLog, point: Point, terminal: Any, doc_type: str = "receipt") -> int:
    """Numbers of ``doc_type`` are 1..n without a gap and the counter says n; returns n."""
    numbers = sorted(int(n) for (n,) in terminal.db.execute_sql(
        "SELECT number FROM document WHERE doc_type = ?", (doc_type,)).fetchall())
    assert numbers == list(range(1, len(numbers) + 1)), (
        f"{log.where(point)} {doc_type} numbers {numbers}")
    assert terminal.ledger.last_number(doc_type) == len(numbers), (
        f"{log.where(point)} the {doc_type} counter says {terminal.ledger.last_number(doc_type)},"
        f" the ledger holds {len(numbers)}")
    return len(numbers)


def sell_one_more(log: KillLog, point: Point, till: Till, plus: list[str]) -> None:
    """The next sale after the restart takes the next number, never a used one."""
    before = receipts(till.terminal)
    product = till.terminal.catalog.find_by_code(plus[0])
    till.sale.add(till.sale.line(product, qty=9000))
    stored = till.sale.pay([Payment("gotowka", "gotówka", till.sale.receipt.payable)],
                           cashier=CASHIER, now=NOW)
    assert stored.number == len(before) + 1 and stored.number not in before.values(), (
        f"{log.where(point)} the next sale got number {stored.number} after {sorted(before.values())}")


def expect_committed(log: KillLog, point: Point, run: Run, terminal: Any) -> dict[str, int]:
    """Every receipt whose commit returned before the kill is stored, with its number."""
    stored = receipts(terminal)
    for doc_uuid, number, _index in run.reported("sold"):
        assert stored.get(doc_uuid) == number, (
            f"{log.where(point)} receipt {number} ({doc_uuid}) was committed, then lost")
    return stored



@pytest.fixture
def fast_dir(tmp_path: Path) -> Iterator[Path]:
    """Where the killed tills live: tmpfs when there is one (a kill is not a power
    cut: what the kernel has is kept either way, and fsync costs nothing there)."""
    shm = Path("/dev/shm")
    if not shm.is_dir():
        yield tmp_path
        return
    import tempfile

    directory = Path(tempfile.mkdtemp(prefix="ipos-kill-", dir=shm))
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def demo_plus(demo_template: Path) -> list[str]:
    with open_terminal(demo_template) as terminal:
        rows = terminal.db.execute_sql(
            "SELECT plu FROM product WHERE active = 1 AND unit = 'szt.' AND deposit = 0"
            " AND price > 0 ORDER BY id LIMIT 8").fetchall()
    return [str(plu) for (plu,) in rows]


# --------------------------------------------------------------------------- sale commit


@replayable
def test_kill_during_sale_commit(demo_template: Path, demo_plus: list[str], fast_dir: Path) -> None:
    """Kill: anywhere while a receipt is parked and paid, or voided whole (SQLite steps
    of the park, the pay and the void transactions). Checks: every receipt whose
    ``pay`` returned is stored with its number; numbers gapless; the open receipt
    after the restart is the unpaid sale's or empty, never a paid one's; a voided
    receipt is logged once and gone, or not logged and still open; the next sale
    takes the next number."""
    log = KillLog("sale_commit")
    params = {"count": 4, "plus": demo_plus, "void": True}
    dry_dir = copy_dir(demo_template, fast_dir / "dry")
    dry = run_child("sale", dry_dir, params)
    assert dry.exitcode == 0 and len(dry.reported("sold")) == 4
    chooser = rng(log.scenario)
    points = (draw_points(dry, ("void",), 8, chooser, io_share=0)
              + draw_points(dry, ("pay", "park"), KILLS[log.scenario] - 8, chooser, io_share=0))
    for point in log.each(points):
        data_dir = copy_dir(demo_template, fast_dir / "till")
        run = run_child("sale", data_dir, params, point)
        log.expect_killed(run, point)
        with Till.open(data_dir) as till:
            stored = expect_committed(log, point, run, till.terminal)
            count = assert_gapless(log, point, till.terminal)
            assert count == len(stored) <= 4
            open_lines = [line.qty for line in till.sale.receipt.lines]
            voids = len(till.terminal.ledger.voids())
            # before sale 1 a receipt of 5 pieces is voided: logged once, or not at all
            # and still open; never logged and open, never logged twice
            assert voids == (1 if run.reported("voided") else voids) and voids <= 1, (
                f"{log.where(point)} the voided receipt is logged {voids} times")
            # sale i sells (i + 1) * 1000: the open receipt may be sale `count`'s, or the
            # receipt being voided while its void is not logged; no other
            allowed = [[], [(count + 1) * 1000]] + ([[5000]] if not voids else [])
            assert open_lines in allowed, (
                f"{log.where(point)} open receipt {open_lines} after {count} paid sales,"
                f" {voids} voids logged")
            sell_one_more(log, point, till, demo_plus)
    assert log.kills >= KILLS[log.scenario]


# --------------------------------------------------------------------------- print


@replayable
def test_kill_during_print_prints_the_unprinted_once(
        demo_template: Path, demo_plus: list[str], fast_dir: Path) -> None:
    """Kill: while a paid receipt is printed (the printer's journal write, the printout
    file's write, fsync and rename). Checks: at the restart the journal recovery
    prints exactly the receipts without a journal entry, once; afterwards every
    receipt has one journal entry and its printout file; a second start prints nothing."""
    log = KillLog("print")
    params = {"count": 3, "plus": demo_plus, "print": True}
    dry = run_child("sale", copy_dir(demo_template, fast_dir / "dry"), params)
    assert dry.exitcode == 0 and len(dry.reported("printed")) == 3
    points = draw_points(dry, ("print",), KILLS[log.scenario], rng(log.scenario))
    for point in log.each(points):
        data_dir = copy_dir(demo_template, fast_dir / "till")
        run = run_child("sale", data_dir, params, point)
        log.expect_killed(run, point)
        with Till.open(data_dir) as till:
            stored = expect_committed(log, point, run, till.terminal)
            printed_before = {u for (u,) in till.terminal.db.execute_sql(
                "SELECT document_uuid FROM printer_journal WHERE document_uuid IS NOT NULL")}
            for (doc_uuid,) in run.reported("printed"):
                assert doc_uuid in printed_before, (
                    f"{log.where(point)} printed {doc_uuid} is not journaled")
            result = print_unprinted(till, NOW, data_dir)
            late = [item.detail.uuid for item in result.printed]
            assert not result.failed, f"{log.where(point)} {result.failed}"
            assert sorted(late) == sorted(set(stored) - printed_before), (
                f"{log.where(point)} printed late {late}, journaled before {printed_before}")
            per_document = dict(till.terminal.db.execute_sql(
                "SELECT document_uuid, count(*) FROM printer_journal"
                " WHERE document_uuid IS NOT NULL GROUP BY document_uuid").fetchall())
            assert per_document == dict.fromkeys(stored, 1), f"{log.where(point)} {per_document}"
            for doc_uuid, number in stored.items():
                printout = data_dir / "printouts" / f"receipt-{number:06d}.txt"
                assert printout.is_file(), f"{log.where(point)} no printout file of receipt {number}"
                (entry,) = till.printer.printouts_of(doc_uuid)
                assert printout.read_text("utf-8") == entry.text, f"{log.where(point)} {printout}"
            assert print_unprinted(till, NOW, data_dir).nothing, f"{log.where(point)} printed twice"
    assert log.kills >= KILLS[log.scenario]


# --------------------------------------------------------------------------- parked receipt


@replayable
def test_kill_during_parked_save_keeps_the_old_or_the_new_receipt(
        demo_template: Path, demo_plus: list[str], fast_dir: Path) -> None:
    """Kill: while an open receipt is rewritten after a change (its one save
    transaction), while the cashier puts it aside for a new one and switches back, or
    throws the second away. Checks: the restarted till holds one or two open
    receipts, exactly one current, each the last saved version of itself or the one
    being saved, whole (its lines exactly that version's); the current one is the one
    the cashier was on; the one thrown away is gone and logged as voided once, or
    still open and not logged."""
    log = KillLog("parked_save")
    params = {"count": 3, "plus": demo_plus}
    dry = run_child("parked", copy_dir(demo_template, fast_dir / "dry"), params)
    assert dry.exitcode == 0 and len(dry.reported("saved")) == 6
    chooser = rng(log.scenario)
    points = (draw_points(dry, ("delete",), 6, chooser, io_share=0)
              + draw_points(dry, ("save", "switch"), KILLS[log.scenario] - 6, chooser, io_share=0))
    for point in log.each(points):
        data_dir = copy_dir(demo_template, fast_dir / "till")
        run = run_child("parked", data_dir, params, point)
        log.expect_killed(run, point)
        saved: dict[int, int] = {}
        for slot, version in run.reported("saved"):
            saved[slot] = version
        with Till.open(data_dir) as till:
            parked = till.sale.parked
            rows = parked.list_parked()
            assert sorted(r.number for r in rows) in ([1], [1, 2]), f"{log.where(point)} {rows}"
            assert sum(r.is_current for r in rows) == 1, f"{log.where(point)} {rows}"
            (current,) = [r.number for r in rows if r.is_current]
            voids = len(till.terminal.ledger.voids())
            gone = 2 not in [r.number for r in rows] and bool(run.reported("switched"))
            assert voids == int(gone), (
                f"{log.where(point)} receipt 2 {'gone' if gone else 'open'}, {voids} voids logged")
            assert gone or not run.reported("deleted"), f"{log.where(point)} deleted, still open"
            # the slot the cashier was on; killed while switching: that one or the next
            on = 1 if run.reported("switched") or not run.reported("added") else 2
            allowed = {on} if point.phase in ("save", "delete") else {1, 2}
            assert current in allowed, (
                f"{log.where(point)} slot {current} is current, the cashier was on {on}")
            for row in rows:
                lines = [(line.plu, line.qty) for line in parked.switch(row.id).receipt.lines]
                last = saved.get(row.number, 0)
                assert lines in (parked_version(demo_plus, row.number, last),
                                 parked_version(demo_plus, row.number, last + 1)), (
                    f"{log.where(point)} slot {row.number} saved at version {last}: {lines}")
    assert log.kills >= KILLS[log.scenario]


# --------------------------------------------------------------------------- migration


def old_database(directory: Path) -> Path:
    """A till database of schema version 1 with a catalogue and two sales in it."""
    directory.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(directory / "terminal.sqlite3")
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO terminal_info (id, terminal_id, name, store_id) VALUES (1, 3, 'Kasa', 1)")
    for i in range(1, 4):
        conn.execute(
            "INSERT INTO product (id, plu, name, name_norm, name_t9, unit, precision, vat_letter,"
            " price) VALUES (?, ?, ?, ?, ?, 'szt.', 0, 'A', ?)",
            (i, str(i), f"Towar {i}", f"towar {i}", "869270", 100 * i))
    for n in (1, 2):
        conn.execute(
            "INSERT INTO document (uuid, doc_type, number, kind, created_utc, created_local,"
            " cashier_id, cashier_name, store_id, terminal_id, total, discount_total, vat)"
            " VALUES (?, 'receipt', ?, 'paragon', '2026-01-01T10:00:00Z', '2026-01-01T11:00:00',"
            " 1, 'Anna', 1, 3, 100, 0, '{}')", (f"old-{n}", n))
    conn.execute("INSERT INTO number_sequence (doc_type, last_number) VALUES ('receipt', 2)")
    conn.commit()
    conn.close()
    return directory


def schema_of(path: Path) -> set[tuple[str, str]]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {(str(n), str(s)) for n, s in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")}
    finally:
        conn.close()


def version_of(path: Path) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


@replayable
def test_kill_during_migration_leaves_a_whole_step(fast_dir: Path) -> None:
    """Kill: while an old (version 1) database is opened and migrated. Checks: the file
    is at some version v with exactly the schema of version v (a step is done whole
    or not begun), the sales in it are intact, and the app opens it after (migrating
    the rest) with the ledger and its numbering unchanged."""
    log = KillLog("migration")
    template = old_database(fast_dir / "old")
    # the schema of every version, built step by step
    schemas = {}
    reference = fast_dir / "reference.sqlite3"
    conn = sqlite3.connect(reference)
    for version, steps in enumerate(MIGRATIONS, start=1):
        for statement in steps:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version}")
        conn.commit()
        schemas[version] = schema_of(reference)
    conn.close()
    dry = run_child("migrate", copy_dir(template, fast_dir / "dry"))
    assert dry.exitcode == 0 and dry.reported("opened") == [[SCHEMA_VERSION]]
    points = draw_points(dry, ("migrate",), KILLS[log.scenario], rng(log.scenario), io_share=0)
    for point in log.each(points):
        data_dir = copy_dir(template, fast_dir / "till")
        run = run_child("migrate", data_dir, {}, point)
        log.expect_killed(run, point)
        path = data_dir / "terminal.sqlite3"
        version = version_of(path)
        assert schema_of(path) == schemas[version], (
            f"{log.where(point)} version {version} with another schema: "
            f"{sorted(schema_of(path) ^ schemas[version])[:3]}")
        with Till.open(data_dir) as till:
            assert till.terminal.schema_version == SCHEMA_VERSION
            assert receipts(till.terminal) == {"old-1": 1, "old-2": 2}, log.where(point)
            assert till.terminal.ledger.last_number("receipt") == 2, log.where(point)
    assert log.kills >= KILLS[log.scenario]


# --------------------------------------------------------------------------- update swap


@replayable
def test_kill_during_update_install_leaves_a_till_that_opens(fast_dir: Path) -> None:
    """Kill: while the staged release is installed after a day close (the journal
    writes, the database backup, the wheelhouse swap of a healthy install, the
    database restore of a rolled-back one: their file calls and SQLite steps). pip
    and the health check are scripted (healthy for half the kills, failing for the
    other half). Checks: the install journal is whole JSON or absent; the database
    opens with the same ledger; the next install attempt (the next day close) does
    not end broken and leaves the same ledger, the release installed or staged."""
    from ipos_tui.updates.install import EXIT_BROKEN, install_staged
    from ipos_tui.updates.paths import UpdatePaths, read_json
    from ipos_tui.updates.staging import read_staged
    from ipos_tui.updates.updatelog import close_update_loggers

    log = KillLog("update_swap")
    template = fast_dir / "template"
    built = run_child("update_template", template, {
        "updates_tests": str(Path(__file__).parent.parent / "updates"),
        "root": str(fast_dir / "update-office")})
    assert built.exitcode == 0 and built.reported("staged"), built.lines
    with Till.open(template) as till:
        ledger = receipts(till.terminal)
    assert len(ledger) == 2
    chooser = rng(log.scenario)
    plans = []
    for health in (0, 1):
        dry = run_child("update", copy_dir(template, fast_dir / "dry"), {"health": health})
        assert dry.exitcode == 0 and dry.reported("installed") == [[1 if health else 0]], dry.lines
        count = KILLS[log.scenario] // 2
        plans += [(health, point) for point in draw_points(dry, ("install",), count, chooser,
                                                           io_share=0.7)]
    for (health, _), point in zip(plans, log.each(point for _, point in plans)):
        data_dir = copy_dir(template, fast_dir / "till")
        log.expect_killed(run_child("update", data_dir, {"health": health}, point), point)
        paths = UpdatePaths(data_dir)
        if paths.journal.exists():
            assert isinstance(read_json(paths.journal), dict), f"{log.where(point)} half a journal"
        with Till.open(data_dir) as till:
            assert receipts(till.terminal) == ledger, f"{log.where(point)} the ledger changed"
        code = install_staged(data_dir, run=ScriptedChildren(health), python="/opt/python",
                              restart=lambda _python, _version: None,
                              environment_check=lambda: None)
        close_update_loggers()
        assert code != EXIT_BROKEN, f"{log.where(point)} the next install ended broken"
        with Till.open(data_dir) as till:
            assert receipts(till.terminal) == ledger, f"{log.where(point)} the ledger changed"
        installed = (paths.wheelhouse("99.0.0") / "ipos_tui-99.0.0-py3-none-any.whl").is_file()
        assert installed or read_staged(data_dir) is not None or health, (
            f"{log.where(point)} the healthy release is neither installed nor staged")
    assert log.kills >= KILLS[log.scenario]


# --------------------------------------------------------------------------- with a back office


class Office:
    """The module's back office (SQLite, then PostgreSQL), served on 127.0.0.1, and
    till templates made against it: ``synced`` (activated for store 1, every stream
    pulled before the back office changed 12 products and added 6: its next products
    pull is incremental), ``fresh`` (activated, config and users pulled, no
    products: its first products pull builds the shadow tables and swaps them in),
    ``current`` (``synced`` pulled again: the catalogue of today)."""

    def __init__(self, shop: Shop, base: str, root: Path) -> None:
        self.shop, self.base, self.root = shop, base, root
        office = shop.office
        for i in range(14):
            shop.products[f"p{i}"] = office.add_product(
                f"Produkt {i:02d}", f"30{i:02d}", "ABCD"[i % 4], prices={1: 200 + i, 2: 210 + i})
        self.synced = self._template("synced", ("config", "users", "products"))
        self.fresh = self._template("fresh", ("config", "users"))
        for i in range(12):
            office.update_product(shop.products[f"p{i}"], name=f"Produkt {i:02d} v2")
            office.set_price(1, shop.products[f"p{i}"], 300 + i)
        for i in range(6):
            office.add_product(f"Nowy {i}", f"40{i:02d}", "A", prices={1: 500 + i, 2: 510 + i})
        self.current = copy_dir(self.synced, root / "current")
        with open_terminal(self.current) as terminal:
            assert all(pull(terminal, ("products",)).values())

    def _template(self, name: str, streams: tuple[str, ...]) -> Path:
        data_dir = self.root / name
        with open_terminal(data_dir) as terminal:
            self.shop.activate(self.base, terminal)
            assert all(pull(terminal, streams).values())
        return data_dir

    def new_till(self, template: Path, target: Path) -> Path:
        """A copy of ``template`` activated again as a new till of store 1 (its own
        terminal id: its sales never collide with another copy's)."""
        copy_dir(template, target)
        with open_terminal(target) as terminal:
            self.shop.activate(self.base, terminal)
        return target


def pull(terminal: Any, streams: tuple[str, ...] = ("config", "users", "products"),
         page_limit: int = 1000) -> dict[str, bool]:
    context = SyncContext.for_terminal(terminal, sleep=lambda _s: None, page_limit=page_limit)
    assert context is not None
    with context:
        return {s: pull_stream(context, s, null_observer, CancelToken()).ok for s in streams}


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory, office_backend: OfficeBackend) -> Iterator[Office]:
    root = tmp_path_factory.mktemp("kill-office")
    shop = Shop.create(office_backend.url(root / "office.sqlite3"))
    with serve_app(create_app(shop.office)) as base:
        yield Office(shop, base, root)


def shop_plus(office: Office) -> list[str]:
    return ["100", "101", "102", "3000", "3001"]


def catalogue_states(dry: Run) -> set[tuple[Any, ...]]:
    return {tuple(state) for state in dry.reported("page")}


def check_catalogue_after_kill(log: KillLog, point: Point, office: Office, data_dir: Path,
                               stream: str, states: set[tuple[Any, ...]],
                               start: dict[str, int]) -> None:
    """The catalogue on sale is the one a committed page left (nothing half applied),
    its FTS index is sound, cursors did not go back; then the pull finishes and the
    shared invariants hold."""
    from invariants import catalogue_hash, check, cursors, till_catalogue

    from ipos_tui.store.feed_apply import FeedApplier

    with open_terminal(data_dir) as terminal:
        found = FeedApplier(terminal.db).cursors(stream)
        state = (found.live, found.shadow, catalogue_hash(till_catalogue(terminal)))
        assert state in states, (f"{log.where(point)} cursors {found} with a catalogue no committed"
                                 f" page left (committed: {sorted(map(str, states))[:4]} …)")
        terminal.db.execute_sql("INSERT INTO product_fts (product_fts) VALUES ('integrity-check')")
        at_kill = cursors(terminal)
        for key, value in start.items():
            assert at_kill.get(key, value) >= value, f"{log.where(point)} cursor {key} went back"
        assert all(pull(terminal).values()), f"{log.where(point)} the pull after the restart failed"
        check(terminal, office.shop.office, cursors_before={
            key: value for key, value in at_kill.items() if not key.endswith(":shadow")})


@replayable
def test_kill_during_catalogue_page_apply(office: Office, fast_dir: Path) -> None:
    """Kill: while a page of an incremental products pull is applied (its SQLite steps,
    its request to the back office). Checks: the catalogue on sale is exactly the
    state after some committed page (never half a page), cursors never go back; the
    restarted pull ends equal to the back office (shared invariants)."""
    log = KillLog("page_apply")
    params = {"stream": "products", "page_limit": 5, "snapshot": True}
    start = cursors_of(office.synced)
    dry = run_child("pull", copy_dir(office.synced, fast_dir / "dry"), params)
    assert dry.exitcode == 0 and dry.reported("pulled") == [[True]]
    states = catalogue_states(dry)
    assert len(states) >= 5, states  # several pages, each its own state
    params["snapshot"] = False
    points = draw_points(dry, ("page",), KILLS[log.scenario], rng(log.scenario))
    for point in log.each(points):
        data_dir = copy_dir(office.synced, fast_dir / "till")
        log.expect_killed(run_child("pull", data_dir, params, point), point)
        check_catalogue_after_kill(log, point, office, data_dir, "products", states, start)
    assert log.kills >= KILLS[log.scenario]


@replayable
def test_kill_during_cursor_write(office: Office, fast_dir: Path) -> None:
    """Kill: while a pulled page's cursor is written (the statement storing it in the
    page's transaction). Checks as for a page: the cursor and the catalogue are of the
    same committed page, never one without the other."""
    log = KillLog("cursor_write")
    params = {"stream": "products", "page_limit": 5, "snapshot": True}
    start = cursors_of(office.synced)
    dry = run_child("pull", copy_dir(office.synced, fast_dir / "dry"), params)
    states = catalogue_states(dry)
    params["snapshot"] = False
    points = draw_points(dry, ("cursor",), KILLS[log.scenario], rng(log.scenario), io_share=0)
    for point in log.each(points):
        data_dir = copy_dir(office.synced, fast_dir / "till")
        log.expect_killed(run_child("pull", data_dir, params, point), point)
        check_catalogue_after_kill(log, point, office, data_dir, "products", states, start)
    assert log.kills >= KILLS[log.scenario]


@replayable
def test_kill_during_first_sync_and_shadow_swap(office: Office, fast_dir: Path) -> None:
    """Kill: during a first products pull, built in the shadow tables (half the points)
    and while the complete shadow is swapped in (the other half). Checks: the till
    sells from the old (empty) catalogue or the whole new one, nothing between; the
    shadow cursor resumes; then the shared invariants."""
    log = KillLog("shadow_swap")
    params = {"stream": "products", "page_limit": 4, "snapshot": True}
    start = cursors_of(office.fresh)
    dry = run_child("pull", copy_dir(office.fresh, fast_dir / "dry"), params)
    assert dry.exitcode == 0 and dry.reported("pulled") == [[True]]
    states = catalogue_states(dry)
    assert len({state[2] for state in states}) == 2, "old (empty) and new: nothing between"
    params["snapshot"] = False
    chooser = rng(log.scenario)
    half = KILLS[log.scenario] // 2
    points = (draw_points(dry, ("swap",), half, chooser)
              + draw_points(dry, ("page",), KILLS[log.scenario] - half, chooser))
    for point in log.each(points):
        data_dir = copy_dir(office.fresh, fast_dir / "till")
        log.expect_killed(run_child("pull", data_dir, params, point), point)
        check_catalogue_after_kill(log, point, office, data_dir, "products", states, start)
    assert log.kills >= KILLS[log.scenario]


def cursors_of(data_dir: Path) -> dict[str, int]:
    from invariants import cursors

    with open_terminal(data_dir) as terminal:
        return cursors(terminal)


def unsent(terminal: Any) -> int:
    return int(terminal.db.execute_sql(
        "SELECT count(*) FROM document WHERE upload_state = 'pending'").fetchone()[0])


@replayable
def test_kill_during_upload_and_the_queue_resumes(office: Office, fast_dir: Path) -> None:
    """Kill: while three finished sales are sent (the upload's SQLite steps, right
    before and right after its request leaves: the back office may have stored the
    batch the till never heard back about). Checks: the sales are stored, gapless;
    the till's background upload (what the app runs at start, without a new sale)
    sends what is left; every sale is in the back office exactly once (invariants)."""
    from invariants import check, cursors

    log = KillLog("upload_in_flight")
    params = {"count": 3, "plus": shop_plus(office), "method": "cash"}
    dry = run_child("upload", office.new_till(office.current, fast_dir / "dry"), params)
    assert dry.exitcode == 0 and dry.reported("uploaded") == [[True]], dry.lines
    points = draw_points(dry, ("upload",), KILLS[log.scenario], rng(log.scenario))
    for point in log.each(points):
        data_dir = office.new_till(office.current, fast_dir / "till")
        run = run_child("upload", data_dir, params, point)
        log.expect_killed(run, point)
        with Till.open(data_dir) as till:
            before = cursors(till.terminal)
            stored = expect_committed(log, point, run, till.terminal)
            assert len(stored) == 3 and assert_gapless(log, point, till.terminal) == 3
            till.sync.upload_in_background()
            assert unsent(till.terminal) == 0, f"{log.where(point)} the queue did not resume"
            check(till.terminal, office.shop.office, cursors_before=before)
    assert log.kills >= KILLS[log.scenario]


def documents_printed_once(log: KillLog, point: Point, till: Till) -> None:
    per_document = dict(till.terminal.db.execute_sql(
        "SELECT document_uuid, count(*) FROM printer_journal WHERE document_uuid IS NOT NULL"
        " GROUP BY document_uuid").fetchall())
    documents = [u for (u,) in till.terminal.db.execute_sql("SELECT uuid FROM document")]
    assert {u: per_document.get(u, 0) for u in documents} == dict.fromkeys(documents, 1), (
        f"{log.where(point)} journal entries per document: {per_document}")


@replayable
def test_kill_during_day_close_steps(office: Office, fast_dir: Path) -> None:
    """Kill: anywhere in the day close (its uploads and pulls, the card settlement,
    clearing the parked receipt, storing and printing the daily report, the report's
    upload). Checks: sales and reports stored before the kill stay, each kind
    numbered gaplessly; at the restart whatever is unprinted is printed once; the
    cashier's second day close finishes with a report; then every document is in the
    back office exactly once (invariants)."""
    from invariants import check, cursors

    log = KillLog("day_close")
    params = {"count": 2, "plus": shop_plus(office), "method": "cash"}
    dry = run_child("day_close", office.new_till(office.current, fast_dir / "dry"), params)
    assert dry.exitcode == 0, dry.lines
    ((report_uuid, states),) = dry.reported("closed")
    assert report_uuid and states["report"] == "done", states
    chooser = rng(log.scenario)
    points = (draw_points(dry, ("parked",), 3, chooser, io_share=0)
              + draw_points(dry, ("day_close",), KILLS[log.scenario] - 3, chooser))
    for point in log.each(points):
        data_dir = office.new_till(office.current, fast_dir / "till")
        run = run_child("day_close", data_dir, params, point)
        log.expect_killed(run, point)
        with Till.open(data_dir) as till:
            before = cursors(till.terminal)
            expect_committed(log, point, run, till.terminal)
            assert assert_gapless(log, point, till.terminal) == 2
            reports = assert_gapless(log, point, till.terminal, "daily_report")
            assert reports <= 1, f"{log.where(point)} {reports} daily reports from one day close"
            result = print_unprinted(till, NOW, data_dir)
            assert not result.failed, f"{log.where(point)} {result.failed}"
            documents_printed_once(log, point, till)
            again = till.day_close.close_day(CASHIER, clock=lambda: NOW.replace(hour=21),
                                             data_dir=data_dir, ask=lambda _q: True)
            assert again.report_uuid is not None, f"{log.where(point)} {again.states}"
            assert again.states["push"] == again.states["upload"] == "done", (
                f"{log.where(point)} {again.states}")
            documents_printed_once(log, point, till)
            assert_gapless(log, point, till.terminal, "daily_report")
            voids = till.terminal.ledger.voids()
            assert [(v.line_count, v.total) for v in voids] == [(1, 7 * 100)], (
                f"{log.where(point)} the parked receipt thrown away is logged as voided"
                f" {len(voids)} times: {voids}")
            check(till.terminal, office.shop.office, cursors_before=before)
    assert log.kills >= KILLS[log.scenario]


@replayable
def test_after_a_kill_the_app_sends_the_queue_without_a_new_sale(
        office: Office, fast_dir: Path) -> None:
    """Kill: a till dies while sending three finished sales (a seeded point of the
    upload). Checks: the app started on it again (its start-up, no sale, no key
    pressed) sends every pending sale by itself; then the shared invariants."""
    from invariants import check, cursors

    from ipos_tui.ui.app import create_app as create_till_app

    log = KillLog("queue_resumes")
    params = {"count": 3, "plus": shop_plus(office), "method": "cash"}
    dry = run_child("upload", office.new_till(office.current, fast_dir / "dry"), params)
    chooser = rng(log.scenario)
    for _attempt in range(8):  # a point that leaves sales unsent (not after the answer)
        data_dir = office.new_till(office.current, fast_dir / f"till{_attempt}")
        (point,) = log.each(draw_points(dry, ("upload",), 1, chooser))
        log.expect_killed(run_child("upload", data_dir, params, point), point)
        with open_terminal(data_dir) as terminal:
            if unsent(terminal):
                break

    async def start_app() -> int:
        terminal = open_terminal(data_dir)
        app = create_till_app(terminal, data_dir=data_dir, cursor_blink=False, upload_interval=3600)
        try:
            async with app.run_test() as pilot:
                for _ in range(300):  # the first background run is armed 1 s after start
                    if unsent(terminal) == 0:
                        break
                    await pilot.pause(0.05)
                return unsent(terminal)
        finally:
            terminal.close()

    with open_terminal(data_dir) as terminal:
        pending = unsent(terminal)
        before = cursors(terminal)
    assert pending > 0, f"{log.where(point)} every point drawn left nothing unsent"
    import asyncio

    left = asyncio.run(start_app())
    assert left == 0, f"{log.where(point)} {left} of {pending} sales still unsent after the start"
    with open_terminal(data_dir) as terminal:
        check(terminal, office.shop.office, cursors_before=before)
