"""``ipos-tui demo``: a whole store on one laptop.

The demo data dir holds the back office's database (``backoffice.sqlite3``), the
address it serves on (``backoffice.url``: its port is chosen once, free, and kept
across restarts), the back office process's log (``backoffice.log``), its locks (see
:mod:`ipos_tui.demo_host`) and one data dir per till (``terminal-1``, ``terminal-2`` …).

The back office is a background process of its own, not a thread of a till: the
first ``ipos-tui demo`` that finds none running starts it on the recorded port,
every later till joins it, and it stops itself once no till of the demo has run for
a short while (:data:`~ipos_tui.demo_host.DEFAULT_IDLE_TIMEOUT`). So quitting (or
crashing) till 1 leaves till 2 its back office. A port taken by another program is
said once and replaced by a free one, recorded for the next starts; running tills
follow the record, and push their unsent sales as soon as the back office answers
again. Each till is activated with a one-time code, exactly as a real till is, and
catalogue data arrive by sync.
"""

from __future__ import annotations

import http.client
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from .backoffice.db import open_database
from .backoffice.security import load_pepper
from .backoffice.services import BackOffice
from .demo_host import (
    LOG_FILE,
    SERVER_LOCK,
    START_LOCK,
    START_LOCK_WAIT,
    TILL_LEASE,
    Flock,
    holder_pid,
    idle_timeout_from_env,
    listen,
    port_taken,
    running_tills,
)
from .domain.errors import DomainError
from .i18n import current_language, set_language, t

if TYPE_CHECKING:
    from .store.db import Terminal

log = logging.getLogger(__name__)

DEMO_STORE_ID = 1
DEMO_PRICE_LIST_ID = 1
HOST: Final = "127.0.0.1"
#: How long a starting till waits for the back office to answer.
READY_WAIT: Final = 30.0
#: How often a running till looks at the record and at the back office.
WATCH_INTERVAL: Final = 2.0


def _answers(url: str, timeout: float = 1.0) -> bool:
    """Whether the back office at ``url`` answers ``/health`` right now.

    Plain ``http.client``: a till asks every few seconds, and httpx would log each
    request into the till's log.
    """
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or HOST, parts.port, timeout=timeout)
    try:
        connection.request("GET", "/health")
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


@dataclass
class DemoBackOffice:
    """The demo shop's back office: where its data live and where it answers."""

    root: Path
    #: one service layer per process: the back office binds its models to one database
    _office: BackOffice | None = field(default=None, init=False, repr=False)

    @property
    def db_path(self) -> Path:
        return self.root / "backoffice.sqlite3"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db_path.resolve()}"

    @property
    def url_file(self) -> Path:
        return self.root / "backoffice.url"

    @property
    def log_file(self) -> Path:
        return self.root / LOG_FILE

    def office(self) -> BackOffice:
        """The back office's service layer on the demo database (schema and demo shop
        created on first use)."""
        if self._office is not None:
            return self._office
        self.root.mkdir(parents=True, exist_ok=True)
        office = BackOffice(open_database(self.db_url), load_pepper())
        self._office = office
        office.init_schema()
        if not office.has_company():
            from .backoffice.demo import seed_demo

            log.info("seeding the demo shop into %s", self.db_path)
            seed_demo(office)
            # a trainer's shop shows the whole day: opening cash, 2. Obsługa gotówki
            office.set_setting("cash_management", True)
        else:
            from .backoffice.demo import ensure_demo_web_login

            ensure_demo_web_login(office)  # a demo shop made before iPOS web existed
        return office

    # -- where it answers -----------------------------------------------------

    def recorded_url(self) -> str | None:
        """The address recorded in the demo dir (None before the first start)."""
        try:
            url = self.url_file.read_text("utf-8").strip()
        except OSError:
            return None
        return url if self._port_of(url) is not None else None

    def recorded_port(self) -> int | None:
        url = self.recorded_url()
        return None if url is None else self._port_of(url)

    @staticmethod
    def _port_of(url: str) -> int | None:
        try:
            return urlsplit(url).port
        except ValueError:
            return None

    def _record(self, url: str) -> None:
        temporary = self.url_file.with_name(self.url_file.name + ".tmp")
        temporary.write_text(url + "\n", "utf-8")
        os.replace(temporary, self.url_file)

    def server_pid(self) -> int | None:
        """The pid of this shop's back office process while one runs."""
        return holder_pid(self.root / SERVER_LOCK)

    def running_url(self) -> str | None:
        """The address of this shop's back office when it runs and answers right now."""
        url = self.recorded_url()
        if url is None or self.server_pid() is None:
            return None
        return url if _answers(url) else None

    def running_tills(self) -> list[str]:
        """The tills of the demo that run right now (``terminal-N`` names)."""
        return running_tills(self.root)

    # -- starting and stopping it ----------------------------------------------

    def ensure_running(self, *, idle_timeout: float | None = None,
                       say: Callable[[str], None] = lambda _text: None) -> str:
        """The address of this shop's back office process, started first when none
        runs; ``say`` tells the user what happens (starting, a port taken).

        Raises DomainError ``cli.demo.err.*`` when it cannot be reached or started.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            with Flock(self.root / START_LOCK).held(START_LOCK_WAIT):
                return self._join_or_start(idle_timeout_from_env() if idle_timeout is None
                                           else idle_timeout, say)
        except TimeoutError:
            raise DomainError("cli.demo.err.start_busy", path=str(self.root)) from None

    def _join_or_start(self, idle_timeout: float, say: Callable[[str], None]) -> str:
        pid = self.server_pid()
        if pid is not None:
            url = self.recorded_url() or "-"
            if self._wait_ready(url, None):
                return url
            raise DomainError("cli.demo.err.silent", pid=pid, url=url, log=str(self.log_file))
        say(t("cli.demo_starting"))
        self.office()  # schema and shop exist before the back office process opens them
        wanted = self.recorded_port()
        try:
            sock = listen(HOST, wanted)
        except OSError as error:
            if wanted is None or not port_taken(error):
                raise DomainError("cli.demo.err.no_port", reason=str(error)) from error
            log.warning("port %s of the demo back office is taken: %s", wanted, error)
            sock = listen(HOST, None)
            say(t("cli.demo.port_taken", port=wanted, url=f"http://{HOST}:{sock.getsockname()[1]}",
                  file=str(self.url_file)))
        url = f"http://{HOST}:{sock.getsockname()[1]}"
        with sock:
            self._record(url)
            process = self._spawn(sock, idle_timeout)
        if not self._wait_ready(url, process):
            raise DomainError("cli.demo.err.not_started", log=str(self.log_file),
                              tail=self._log_tail())
        log.info("demo back office started on %s (pid %s)", url, process.pid)
        return url

    def _spawn(self, sock: socket.socket, idle_timeout: float) -> subprocess.Popen[bytes]:
        """The back office process on the listening ``sock``: its own session (no
        signals of the till's terminal reach it), nothing on the till's screen."""
        fd = sock.fileno()
        with open(self.log_file, "ab") as output:
            return subprocess.Popen(
                [sys.executable, "-m", "ipos_tui.demo_host", "--root", str(self.root.resolve()),
                 "--fd", str(fd), "--idle-timeout", str(idle_timeout)],
                stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                pass_fds=(fd,), start_new_session=True, cwd=self.root,
            )

    def _wait_ready(self, url: str, process: subprocess.Popen[bytes] | None) -> bool:
        deadline = time.monotonic() + READY_WAIT
        while time.monotonic() < deadline:
            if url != "-" and _answers(url):
                return True
            if process is not None and process.poll() is not None:
                return False
            if process is None and self.server_pid() is None:
                return False
            time.sleep(0.05)
        return False

    def _log_tail(self, lines: int = 8) -> str:
        try:
            text = self.log_file.read_text("utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.rstrip().splitlines()[-lines:])

    def stop_server(self, timeout: float = 15.0) -> bool:
        """Stop this shop's back office process (SIGTERM, then SIGKILL); True once
        none runs."""
        pid = self.server_pid()
        if pid is None:
            return True
        for signum, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                return True
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                if self.server_pid() is None:
                    return True
                time.sleep(0.05)
        return self.server_pid() is None

    def reset(self) -> None:
        """Remove the demo shop (``--reset``) but keep its port: its back office is
        stopped first; a running till of it refuses (its database would go from
        under it)."""
        if not self.root.exists():
            return
        try:
            with Flock(self.root / START_LOCK).held(START_LOCK_WAIT):
                tills = self.running_tills()
                if tills:
                    numbers = ", ".join(name.removeprefix("terminal-") for name in tills)
                    raise DomainError("cli.demo.err.reset_tills_running", tills=numbers)
                if not self.stop_server():
                    raise DomainError("cli.demo.err.silent", pid=self.server_pid(),
                                      url=self.recorded_url() or "-", log=str(self.log_file))
                url = self.recorded_url()
                shutil.rmtree(self.root)
                if url is not None:  # the shop is new, its address stays
                    self.root.mkdir(parents=True)
                    self._record(url)
        except TimeoutError:
            raise DomainError("cli.demo.err.start_busy", path=str(self.root)) from None

    def start(self):  # type: ignore[no-untyped-def]
        """Serve the back office from a thread of this process (tests); returns the
        running server. ``ipos-tui demo`` uses :meth:`ensure_running`."""
        from .backoffice.embedded import EmbeddedServer

        server = EmbeddedServer(self.office())
        url = server.start()
        self._record(url)
        log.info("demo back office on %s", url)
        return server

    # -- tills -------------------------------------------------------------------

    def activation_code(self, terminal_number: int) -> str:
        """A one-time code for demo terminal ``terminal_number`` (new or re-activated)."""
        office = self.office()
        name = f"Kasa {terminal_number}"
        for terminal in office.list_terminals():
            if terminal.get("name") == name:
                return office.new_activation_code(int(terminal["id"]))
        _terminal_id, code = office.add_terminal(DEMO_STORE_ID, name)
        return code

    def price_command(self) -> str:
        """The line a trainer types in another shell to change a price on the fly."""
        return f"ipos-backoffice --db {self.db_url} price set --plu 1 --price 3,79 --list {DEMO_PRICE_LIST_ID}"


# ------------------------------------------------------------------- one till


def _follow(terminal: Terminal, url: str) -> bool:
    """Point the till's stored connection at ``url`` (same identity and token: the
    back office only moved); True when it changed. Call with a DB connection."""
    from .store.connection import ConnectionStore

    store = ConnectionStore(terminal.db, terminal.models)
    connection = store.get()
    if connection is None or connection.server_url == url:
        return False  # the usual answer, without taking the till's write lock
    with terminal.db.atomic("IMMEDIATE"):
        connection = store.get()
        if connection is None or connection.server_url == url:
            return False
        store.save(replace(connection, server_url=url))
    log.info("the demo back office is now at %s; this till follows", url)
    return True


def _connect(backoffice: DemoBackOffice, terminal: Terminal, number: int, url: str) -> None:
    """Activate the till at the demo back office, or keep its activation (following a
    moved back office) while its token is still good there."""
    from .sync.activation import activate
    from .sync.context import connection_of

    connection = connection_of(terminal)
    if connection is not None:
        auth = backoffice.office().authenticate(connection.token)
        if auth is not None and auth.terminal_id == connection.terminal_id:
            _follow(terminal, url)
            return
    activate(terminal, url, backoffice.activation_code(number), f"Kasa {number}")


class LinkWatcher:
    """A running till's eye on its demo back office, on a thread of its own.

    Every ``interval`` seconds: a new address in the record (the port was taken,
    the back office moved) is taken over into the till's connection; when the back
    office answers again after a silence (or at a new address), unsent documents go
    at once, whatever the upload backoff says — so a till is never left waiting
    minutes (or, at a stale address, for ever) once its back office is back.
    """

    def __init__(self, backoffice: DemoBackOffice, terminal: Terminal,
                 interval: float = WATCH_INTERVAL) -> None:
        self.backoffice = backoffice
        self.terminal = terminal
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-link", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        answering = True
        while not self._stop.wait(self.interval):
            try:
                answering = self.check(answering)
            except Exception:  # the till sells on whatever happens here
                log.exception("demo link check failed")

    def check(self, answered_before: bool) -> bool:
        """One look; whether the back office answers now."""
        url = self.backoffice.recorded_url()
        if url is None:
            return False
        with self.terminal.db.connection_context():
            moved = _follow(self.terminal, url)
        up = _answers(url)
        if up and (moved or not answered_before):
            log.info("the demo back office answers again at %s: sending unsent documents", url)
            self.push()
        return up

    def push(self) -> None:
        """Send every pending document now (the background upload's backoff may
        still be minutes away after a long silence)."""
        from .sync.context import SyncContext
        from .sync.progress import CancelToken, null_observer
        from .sync.upload import upload

        terminal = self.terminal
        with terminal.db.connection_context():
            if terminal.ledger.pending_summary()[0] == 0:
                return
            context = SyncContext.for_terminal(terminal)
            if context is None:
                return
            with context:
                upload(context, null_observer, CancelToken(), include_quarantined=False,
                       respect_backoff=False, wait=False)


@dataclass
class DemoTill:
    """A till of the demo shop, open, leased and connected."""

    backoffice: DemoBackOffice
    number: int
    terminal: Terminal
    url: str


@contextmanager
def open_demo_till(backoffice: DemoBackOffice, number: int, data_dir: Path, *,
                   idle_timeout: float | None = None, say: Callable[[str], None] = lambda _t: None,
                   watch_interval: float = WATCH_INTERVAL) -> Iterator[DemoTill]:
    """Open till ``number``'s database, hold its lease (the back office runs while
    it is held), start or join the back office, connect, watch the link."""
    from .store.db import open_terminal

    with open_terminal(data_dir) as terminal:
        lease = Flock(data_dir / TILL_LEASE)
        if not lease.acquire(10.0):  # only probes take it, for microseconds
            raise DomainError("err.db_locked", path=str(data_dir))
        lease.write_pid()
        try:
            url = backoffice.ensure_running(idle_timeout=idle_timeout, say=say)
            _connect(backoffice, terminal, number, url)
            watcher = LinkWatcher(backoffice, terminal, watch_interval)
            watcher.start()
            try:
                yield DemoTill(backoffice, number, terminal, url)
            finally:
                watcher.stop()
        finally:
            lease.release()


def _web_line(url: str) -> str:
    from .backoffice.demo import DEMO_WEB_LOGIN, DEMO_WEB_PASSWORD

    return t("cli.demo.web", url=f"{url.rstrip('/')}/", login=DEMO_WEB_LOGIN,
             password=DEMO_WEB_PASSWORD)


def _web_hint(url: str) -> str:
    from .backoffice.demo import DEMO_WEB_LOGIN, DEMO_WEB_PASSWORD

    return t("login.demo_web", url=f"{url.rstrip('/')}/", login=DEMO_WEB_LOGIN,
             password=DEMO_WEB_PASSWORD)


def reset_demo(root: Path) -> int:
    """``ipos-tui demo --reset``: 0 when the shop is gone (to be made anew), else 2
    with the reason printed."""
    try:
        DemoBackOffice(root).reset()
    except DomainError as error:
        print(t(error.key, **error.params), file=sys.stderr)
        return 2
    return 0


def run_demo(
    root: Path, number: int, data_dir: Path, *, language: str | None, console_mode: bool | None
) -> int:
    """Start (or join) the demo shop, activate till ``number``, run the terminal."""
    from .store.paths import demo_data_dir
    from .terminal.demo import DEMO_LOGINS

    backoffice = DemoBackOffice(root)
    next_till = f"{number + 1}" + ("" if root == demo_data_dir() else f" --data-dir {root}")
    idle_timeout = idle_timeout_from_env()
    cli_language = current_language()
    outcome: object = None
    url = ""

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    try:
        with open_demo_till(backoffice, number, data_dir, idle_timeout=idle_timeout,
                            say=say) as till:
            url = till.url
            print(t("cli.demo_ready", url=url, command=backoffice.price_command(), next=next_till))
            print(_web_line(url))
            from .ui.app import create_app

            app = create_app(
                till.terminal,
                data_dir=data_dir,
                language=language,
                console_mode=console_mode,
                demo_hint=t("login.demo_hint", logins=DEMO_LOGINS) + "\n" + _web_hint(url),
                startup_jobs=("config", "users", "products"),
            )
            outcome = app.run()
            set_language(cli_language)  # the screen spoke its own; the console speaks the CLI's
    except DomainError as error:
        print(t(error.key, **error.params), file=sys.stderr)
        log.error("demo: %s", error)
        return 2
    if outcome == "install-update":  # the day close installs a staged update now
        from .updates.hook import run_staged_install

        return run_staged_install(data_dir)
    url = backoffice.recorded_url() or url
    print(t("cli.demo_bye", data_dir=root))
    print(t("cli.demo_ready", url=url, command=backoffice.price_command(), next=next_till))
    print(_web_line(url))
    print(t("cli.demo.backoffice_stays", seconds=f"{idle_timeout:g}", log=backoffice.log_file))
    return 0
