"""kill -9 at chosen points (issue 18, the first matrix row): the machinery of
tests/reliability/test_kill_points.py.

A *victim* is one scenario's work (a sale, a pull, a migration …) run in a child
process started from a ``forkserver`` that imported ``ipos_tui`` once, so a child
costs a fork, not an interpreter. Inside the child two counters tick:

* ``vm``: every SQLite virtual-machine step of every connection the child opens
  (``sqlite3.connect`` is wrapped to install ``set_progress_handler(tick, 1)``);
* ``io``: before and after each file-system call that makes a change durable or
  visible (``os.write``, ``os.fsync``, ``os.replace``, ``os.rename``, ``os.unlink``,
  ``os.rmdir``, ``os.mkdir``, ``os.ftruncate``) and each ``socket.sendall`` (a request
  to the back office: killed right after it, the till dies with its request in flight).

A :class:`Point` names a counter and a value: when that counter reaches it, the
child sends itself SIGKILL (nothing runs after: no ``finally``, no ``atexit``, no
flush, exactly as ``kill -9``). A *dry run* of the same scenario (no point) counts
the steps of each *phase* the scenario marks (``with phase("pay"):``) and reports
them, so the parent draws its points inside the phase it targets, seeded, and a
failure can be replayed from the seed, the scenario and the point alone.

The child reports what it finished (a receipt whose commit returned, a saved
parked receipt …) as lines on an append-only report file, written with the
original ``os.write`` right after the call returns: what the parent reads after
the kill is exactly what the till had told its caller before dying.
"""

from __future__ import annotations

import functools
import json
import time
import multiprocessing
import os
import random
import shutil
import signal
import socket
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

#: The default seed of the kill points (``IPOS_FAULT_SEED`` overrides it).
DEFAULT_SEED: Final = 18_0001
#: A fixed instant (Warsaw winter time) for everything the children do.
NOW: Final = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)

_VM = "vm"
_IO = "io"


def fault_seed() -> int:
    """The run's seed: ``IPOS_FAULT_SEED`` when set, else :data:`DEFAULT_SEED`."""
    raw = os.environ.get("IPOS_FAULT_SEED", "").strip()
    return int(raw) if raw else DEFAULT_SEED


@dataclass(frozen=True)
class Point:
    """Where a child dies: when counter ``channel`` ("vm" or "io") reaches ``k``."""

    channel: str
    k: int
    phase: str = ""

    def __str__(self) -> str:
        return f"{self.channel}:{self.k} (in {self.phase or 'any'})"


# --------------------------------------------------------------------------- the child

_counts = {_VM: 0, _IO: 0}
_target: Point | None = None
_paused = False
_report_fd = -1
_phases: list[tuple[str, int, int, int, int]] = []

_original_write = os.write
_original_connect = sqlite3.connect
_IO_CALLS: Final = ("write", "fsync", "replace", "rename", "unlink", "rmdir", "mkdir", "ftruncate")


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _tick(channel: str) -> None:
    if _paused:
        return
    _counts[channel] += 1
    if _target is not None and _target.channel == channel and _counts[channel] >= _target.k:
        _die()


def _progress() -> int:
    _tick(_VM)
    return 0


def _connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
    conn = _original_connect(*args, **kwargs)
    conn.set_progress_handler(_progress, 1)
    return conn


def _wrap_io(name: str) -> None:
    original = getattr(os, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _tick(_IO)
        result = original(*args, **kwargs)
        _tick(_IO)
        return result

    wrapper.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(os, name, wrapper)


def report(*fields: Any) -> None:
    """One line to the parent (a JSON list), written at once, uncounted."""
    if _report_fd >= 0:
        _original_write(_report_fd, (json.dumps(list(fields), default=str) + "\n").encode())


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Mark a phase of the scenario: the dry run reports its counter ranges."""
    start = (_counts[_VM], _counts[_IO])
    yield
    _phases.append((name, start[0], _counts[_VM], start[1], _counts[_IO]))


@contextmanager
def uncounted() -> Iterator[None]:
    """Work of the dry run only (snapshots): it must not shift the counters."""
    global _paused
    before, _paused = _paused, True
    try:
        yield
    finally:
        _paused = before


_started = 0.0


def _install(point: Point | None, report_path: str) -> None:
    global _target, _report_fd, _started
    _started = time.time()
    _target = point
    _report_fd = os.open(report_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    sqlite3.connect = _connect  # peewee looks it up at call time (peewee.sqlite3 is sqlite3)
    for name in _IO_CALLS:
        _wrap_io(name)
    sendall = socket.socket.sendall

    def sending(self: socket.socket, *args: Any, **kwargs: Any) -> Any:
        # a request leaving for the back office: before it, and once it is all sent
        _tick(_IO)
        result = sendall(self, *args, **kwargs)
        _tick(_IO)
        return result

    socket.socket.sendall = sending  # type: ignore[method-assign]


def _child(scenario: str, data_dir: str, params: dict[str, Any], point: Point | None,
           report_path: str) -> None:
    entry = time.process_time()
    _install(point, report_path)
    report("entry", entry)  # CPU seconds the child took to start (a preload gone wrong shows)
    SCENARIOS[scenario](Path(data_dir), params)
    report("phases", _phases)
    report("end", _counts, time.process_time(), time.time() - _started)
    os._exit(0)  # no atexit, no multiprocessing teardown: cheap and the same in every run


#: A victim: the work of a scenario on a till's data dir, with its parameters.
Victim = Callable[[Path, dict[str, Any]], None]
#: The victims by name (below).
SCENARIOS: dict[str, Victim] = {}


def scenario(name: str) -> Callable[[Victim], Victim]:
    def register(function: Victim) -> Victim:
        SCENARIOS[name] = function
        return function

    return register


# --------------------------------------------------------------------------- the parent

_context: Any = None
_WARM: Final = "IPOS_KILL_FORKSERVER"


def _warm_up() -> None:
    """What every child would otherwise load itself, loaded once in the forkserver:
    the app's modules and babel's locale data (the first amount formatted)."""
    import invariants  # noqa: F401 (the dry runs' catalogue hash)

    import ipos_tui.sync.pull  # noqa: F401
    import ipos_tui.sync.upload  # noqa: F401
    import ipos_tui.till  # noqa: F401
    import ipos_tui.till.day_close  # noqa: F401
    import ipos_tui.till.journal_recovery  # noqa: F401
    import ipos_tui.till.syncing  # noqa: F401
    import ipos_tui.updates.install  # noqa: F401
    from ipos_tui.domain.money import format_money
    from ipos_tui.i18n import t

    format_money(123456)
    t("day.done")
    # every child's httpx client would load the CA bundle again (~0.1 s) for a plain
    # http:// back office: one context, made here, serves them all
    import httpx._transports.default as transports

    context = transports.create_ssl_context()
    transports.create_ssl_context = lambda **_options: context  # type: ignore[assignment]


if os.environ.get(_WARM) == "1":  # imported by the forkserver's preload
    _warm_up()


def _forkserver() -> Any:
    global _context
    if _context is None:
        from multiprocessing import forkserver

        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(["kill_support"])
        # the server imports its preload with the environment's path only (3.11 passes
        # it the parent's sys.path but does not use it): without ours, every child
        # would import this module, and the app, for itself
        saved = dict(os.environ)
        here = Path(__file__).resolve().parent
        os.environ["PYTHONPATH"] = os.pathsep.join(
            [str(here), str(here.parent), *filter(None, [saved.get("PYTHONPATH")])])
        os.environ[_WARM] = "1"
        try:
            forkserver.ensure_running()
        finally:
            os.environ.clear()
            os.environ.update(saved)
    return _context


@dataclass
class Run:
    """What one child did: how it ended and what it reported."""

    exitcode: int | None
    lines: list[list[Any]] = field(default_factory=list)

    @property
    def killed(self) -> bool:
        return self.exitcode == -signal.SIGKILL

    def reported(self, kind: str) -> list[list[Any]]:
        return [line[1:] for line in self.lines if line and line[0] == kind]

    def phases(self) -> list[tuple[str, int, int, int, int]]:
        found = self.reported("phases")
        return [tuple(p) for p in found[0][0]] if found else []  # type: ignore[misc]


def run_child(scenario_name: str, data_dir: Path, params: dict[str, Any] | None = None,
              point: Point | None = None, timeout: float = 60.0) -> Run:
    """Run a scenario's victim in a forked child (killed at ``point``, if given)."""
    report_path = Path(str(data_dir) + f".report-{os.getpid()}")
    report_path.unlink(missing_ok=True)
    process = _forkserver().Process(
        target=_child, args=(scenario_name, str(data_dir), params or {}, point, str(report_path)))
    process.start()
    process.join(timeout)
    if process.exitcode is None:
        process.kill()
        process.join()
        raise AssertionError(f"{scenario_name}: the child hung (point {point})")
    text = report_path.read_text("utf-8") if report_path.exists() else ""
    report_path.unlink(missing_ok=True)
    return Run(process.exitcode, [json.loads(line) for line in text.splitlines() if line])


def draw_points(dry: Run, phases: tuple[str, ...], count: int, rng: random.Random, *,
                io_share: float = 0.5) -> list[Point]:
    """``count`` kill points inside the targeted ``phases`` of a dry run: a phase
    occurrence at random, then (where it did file work) a file call with
    probability ``io_share``, else one of its SQLite steps."""
    spans = [p for p in dry.phases() if p[0] in phases]
    assert spans, f"the dry run went through none of the phases {phases}: {dry.phases()}"
    points = []
    for _ in range(count):
        name, vm0, vm1, io0, io1 = rng.choice(spans)
        if io1 > io0 and (vm1 <= vm0 or rng.random() < io_share):
            points.append(Point(_IO, rng.randint(io0 + 1, io1), name))
        elif vm1 > vm0:
            points.append(Point(_VM, rng.randint(vm0 + 1, vm1), name))
    return points


def copy_dir(template: Path, target: Path) -> Path:
    """A private copy of a till's data dir (without the lock and the reports)."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(template, target, ignore=shutil.ignore_patterns("*.lock", "*.report-*"))
    return target


#: Where the running test is (seed, scenario, point): every failure message starts with it.
_where: list[str] = []


class KillLog:
    """Counts the kills of a test and says, on failure, how to replay one."""

    def __init__(self, scenario_name: str) -> None:
        self.scenario = scenario_name
        self.seed = fault_seed()
        self.kills = 0
        _where[:] = [self.where(None)]

    def where(self, point: Point | None) -> str:
        return (f"[IPOS_FAULT_SEED={self.seed} scenario={self.scenario}"
                f" point={point or 'the dry run'}]")

    def each(self, points: Iterable[Point]) -> Iterator[Point]:
        """The points, each made the one failures name while the test handles it."""
        for point in points:
            _where[:] = [self.where(point)]
            yield point

    def expect_killed(self, run: Run, point: Point) -> None:
        assert run.killed, (f"{self.where(point)} the child was not killed "
                            f"(exit {run.exitcode}): the point lies beyond the scenario's end")
        self.kills += 1


def replayable(test: Callable[..., Any]) -> Callable[..., Any]:
    """A kill test whose every failure (an assertion or an error of the till) starts
    with the seed, the scenario and the point, so it can be replayed."""

    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _where.clear()
        try:
            return test(*args, **kwargs)
        except Exception as exc:
            if _where and _where[0] not in str(exc):
                raise AssertionError(f"{_where[0]} {type(exc).__name__}: {exc}") from exc
            raise

    return wrapper


def later(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


# --------------------------------------------------------------------------- the victims

def the_cashier() -> Any:
    """The cashier every victim sells as (the demo's and the test shop's first user)."""
    from ipos_tui.domain.records import User

    return User(id=1, identifier="1001", name="Anna Kowalska", role="kierownik",
                permissions=frozenset())


def _sell(till: Any, index: int, plus: list[str], cashier: Any, *, lines: int = 1,
          method: str = "gotowka") -> Any:
    """Ring up sale ``index`` (its own quantities, so its lines are recognisable),
    keep it parked, then pay it: returns the stored document."""
    from ipos_tui.domain.receipt import Payment

    for j in range(lines):
        product = till.terminal.catalog.find_by_code(plus[(index + j) % len(plus)])
        till.sale.add(till.sale.line(product, qty=(index + 1) * 1000))
    with phase("park"):
        till.sale.save(cashier.id)
    payable = till.sale.receipt.payable
    with phase("pay"):
        return till.sale.pay([Payment(method, method, payable)], cashier=cashier,
                             now=NOW + timedelta(minutes=index))


@scenario("sale")
def _sale_victim(data_dir: Path, params: dict[str, Any]) -> None:
    """Sell ``count`` receipts; with ``print`` print each after its commit."""
    from ipos_tui.till import Till

    till = Till.open(data_dir)
    cashier = the_cashier()
    for index in range(params["count"]):
        if index == 1 and params.get("void"):  # a receipt rung up, then voided whole
            product = till.terminal.catalog.find_by_code(params["plus"][2])
            till.sale.add(till.sale.line(product, qty=5000))
            till.sale.save(cashier.id)
            with phase("void"):
                till.sale.void(cashier, NOW)
            report("voided")
        stored = _sell(till, index, params["plus"], cashier)
        report("sold", stored.uuid, stored.number, index)
        if params.get("print"):
            with phase("print"):
                till.printouts.print_document(stored.uuid, NOW, data_dir)
            report("printed", stored.uuid)


def parked_version(plus: list[str], slot: int, version: int) -> list[tuple[str, int]]:
    """The lines (PLU, quantity) of version ``version`` of the receipt in ``slot``."""
    return [(plus[i % len(plus)], (i + 10 * slot) * 1000) for i in range(1, version + 1)]


@scenario("parked")
def _parked_victim(data_dir: Path, params: dict[str, Any]) -> None:
    """Grow the open receipt (slot 1) line by line, saving each version (what the
    screen does after every change); put it aside for a new receipt (slot 2), grow
    that one the same way, switch back to the first and throw the second away.""" 
    from ipos_tui.till import Till

    till = Till.open(data_dir)
    cashier = the_cashier()
    plus = params["plus"]
    for slot in (1, 2):
        if slot == 2:
            with phase("switch"):
                till.sale.open(till.sale.parked.add(cashier.id))
            report("added", 2)
        for version in range(1, params["count"] + 1):
            plu, qty = parked_version(plus, slot, version)[-1]
            till.sale.add(till.sale.line(till.terminal.catalog.find_by_code(plu), qty=qty))
            with phase("save"):
                till.sale.save(cashier.id)
            report("saved", slot, version)
    first = next(p for p in till.sale.parked.list_parked() if p.number == 1)
    with phase("switch"):
        till.sale.open(till.sale.parked.switch(first.id))
    report("switched", 1)
    second = next(p for p in till.sale.parked.list_parked() if p.number == 2)
    with phase("delete"):  # 6. Paragony: the second one thrown away (logged as voided)
        till.sale.open(till.sale.delete_parked(second.id, cashier, NOW))
    report("deleted", 2)


@scenario("pull")
def _pull_victim(data_dir: Path, params: dict[str, Any]) -> None:
    """Pull one stream in small pages; the dry run reports the catalogue after each
    committed page (uncounted); page apply, cursor write and shadow swap are phases."""
    from ipos_tui.store.db import open_terminal
    from ipos_tui.store.feed_apply import FeedApplier
    from ipos_tui.store.feed_apply import applier as applier_module
    from ipos_tui.sync.context import SyncContext
    from ipos_tui.sync.progress import CancelToken, null_observer
    from ipos_tui.sync.pull import pull_stream

    terminal = open_terminal(data_dir)
    stream = params["stream"]
    apply_page, set_cursor, swap = (FeedApplier.apply_page, FeedApplier._set_cursor,
                                    applier_module.swap)

    def applying(self: Any, *args: Any, **kwargs: Any) -> Any:
        with phase("page"):
            result = apply_page(self, *args, **kwargs)
        if params.get("snapshot"):
            with uncounted():
                report("page", *_catalogue_state(terminal, stream))
        return result

    def cursor_write(cur: Any, key: str, cursor: int) -> None:
        with phase("cursor"):
            set_cursor(cur, key, cursor)

    def swapping(cur: Any, name: str) -> Any:
        with phase("swap"):
            return swap(cur, name)

    FeedApplier.apply_page = applying  # type: ignore[method-assign]
    FeedApplier._set_cursor = staticmethod(cursor_write)  # type: ignore[method-assign]
    applier_module.swap = swapping  # type: ignore[attr-defined]
    if params.get("snapshot"):
        with uncounted():
            report("page", *_catalogue_state(terminal, stream))
    context = SyncContext.for_terminal(terminal, sleep=lambda _s: None, max_attempts=2,
                                       page_limit=params["page_limit"])
    assert context is not None
    with context, phase("pull"):
        ok = pull_stream(context, stream, null_observer, CancelToken()).ok
    report("pulled", ok)


def _catalogue_state(terminal: Any, stream: str) -> tuple[int | None, int | None, str]:
    """The stream's live and shadow cursors and the hash of the catalogue on sale."""
    from invariants import catalogue_hash, till_catalogue

    from ipos_tui.store.feed_apply import FeedApplier

    cursors = FeedApplier(terminal.db).cursors(stream)
    return cursors.live, cursors.shadow, catalogue_hash(till_catalogue(terminal))


@scenario("upload")
def _upload_victim(data_dir: Path, params: dict[str, Any]) -> None:
    """Sell ``count`` receipts, then send them (the "transactions" job)."""
    from ipos_tui.sync.context import SyncContext
    from ipos_tui.sync.progress import CancelToken, null_observer
    from ipos_tui.sync.upload import upload_job
    from ipos_tui.till import Till

    till = Till.open(data_dir)
    cashier = the_cashier()
    for index in range(params["count"]):
        stored = _sell(till, index, params["plus"], cashier, method=params["method"])
        report("sold", stored.uuid, stored.number, index)
    context = SyncContext.for_terminal(till.terminal, sleep=lambda _s: None, max_attempts=2,
                                       clock=lambda: NOW)
    assert context is not None
    with context, phase("upload"):
        ok = upload_job(context, null_observer, CancelToken())
    report("uploaded", ok)


@scenario("day_close")
def _day_close_victim(data_dir: Path, params: dict[str, Any]) -> None:
    """Sell, leave a receipt parked, then run the whole day close (every step)."""
    from ipos_tui.till import Till

    till = Till.open(data_dir)
    cashier = the_cashier()
    for index in range(params["count"]):
        stored = _sell(till, index, params["plus"], cashier, method=params["method"])
        report("sold", stored.uuid, stored.number, index)
    product = till.terminal.catalog.find_by_code(params["plus"][0])
    till.sale.add(till.sale.line(product, qty=7000))
    till.sale.save(cashier.id)
    from ipos_tui.till.day_close import DayClose

    parked_step = DayClose._step_parked

    async def parked(self: Any, ask: Any) -> Any:  # its own phase: the parked receipt thrown away
        with phase("parked"):
            return await parked_step(self, ask)

    DayClose._step_parked = parked  # type: ignore[method-assign]
    with phase("day_close"):
        run = till.day_close.close_day(cashier, clock=lambda: NOW + timedelta(hours=10),
                                       data_dir=data_dir, ask=lambda _q: True)
    report("closed", run.report_uuid, run.states)


@scenario("migrate")
def _migrate_victim(data_dir: Path, params: dict[str, Any]) -> None:
    """Open an old database as the app does: every migration step runs."""
    from ipos_tui.store.db import open_terminal

    with phase("migrate"):
        terminal = open_terminal(data_dir)
    report("opened", terminal.schema_version)


class ScriptedChildren:
    """The install's child processes (pip, the health check, the rollback's pip and
    version probe), scripted: ``health`` is the health check's exit code."""

    def __init__(self, health: int) -> None:
        self.health = health

    def __call__(self, command: Any, timeout: float) -> Any:
        from ipos_tui.updates.commands import CommandResult

        if "health-check" in command:
            return CommandResult(self.health, "health output")
        if "-c" in command:
            from ipos_tui import __version__

            return CommandResult(0, __version__)
        return CommandResult(0, "pip output")


@scenario("update")
def _update_victim(data_dir: Path, params: dict[str, Any]) -> None:
    """Install the staged release (after the day close; the app has exited): a
    healthy install swaps the wheelhouses, a failed health check rolls back and
    restores the database copy."""
    from ipos_tui.updates.install import install_staged

    with phase("install"):
        code = install_staged(data_dir, run=ScriptedChildren(params["health"]),
                              python="/opt/python",
                              restart=lambda _python, version: report("restart", version),
                              environment_check=lambda: None)
    report("installed", code)


@scenario("update_template")
def _update_template(data_dir: Path, params: dict[str, Any]) -> None:
    """Build (once, in a child: its back office must not live in the test process)
    a till that sold two receipts and has release 99.0.0 staged, its own version's
    wheelhouse kept; then close it as the app does before an install."""
    import sys

    sys.path.insert(0, params["updates_tests"])
    from update_support import fake_wheel, running_shop

    from ipos_tui import __version__
    from ipos_tui.updates.paths import UpdatePaths

    root = Path(params["root"])
    with running_shop(root, terminal_dir=data_dir) as shop:
        shop.publish("99.0.0")
        with shop.updater(current=__version__) as updater:
            updater.download_and_stage(updater.check())
        fake_wheel(UpdatePaths(data_dir).wheelhouse(__version__), __version__)
        from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine

        for index in range(2):
            receipt = Receipt([ReceiptLine("1", "Towar", "szt.", 0, 100 + index, 1000, "A")])
            shop.terminal.ledger.commit_receipt(
                receipt, [Payment("cash", "Gotówka", receipt.total)], cashier=the_cashier(), now=NOW)
    report("staged")
