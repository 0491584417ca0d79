"""The demo shop's back office as the tills see it: where its data live, the one
background process that serves it (started by the first till, joined by the others,
see :mod:`.host`) and the address it answers on."""

from __future__ import annotations

import http.client
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from ipos_tui.backoffice.db import open_database
from ipos_tui.backoffice.security import load_pepper
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.demo.host import (
    LOG_FILE,
    SERVER_LOCK,
    START_LOCK,
    START_LOCK_WAIT,
    Flock,
    holder_pid,
    idle_timeout_from_env,
    listen,
    port_taken,
    running_tills,
)
from ipos_tui.domain.errors import DomainError
from ipos_tui.fileio import write_atomic
from ipos_tui.i18n import t

log = logging.getLogger(__name__)

DEMO_STORE_ID = 1
DEMO_PRICE_LIST_ID = 1
HOST: Final = "127.0.0.1"
#: How long a starting till waits for the back office to answer.
READY_WAIT: Final = 30.0


def answers(url: str, timeout: float = 1.0) -> bool:
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
            from ipos_tui.demo.backoffice import seed_demo

            log.info("seeding the demo shop into %s", self.db_path)
            seed_demo(office)
            # a trainer's shop shows the whole day: opening cash, 2. Obsługa gotówki
            office.set_setting("cash_management", True)
        else:
            from ipos_tui.demo.backoffice import ensure_demo_web_login

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
        write_atomic(self.url_file, url + "\n")

    def server_pid(self) -> int | None:
        """The pid of this shop's back office process while one runs."""
        return holder_pid(self.root / SERVER_LOCK)

    def running_url(self) -> str | None:
        """The address of this shop's back office when it runs and answers right now."""
        url = self.recorded_url()
        if url is None or self.server_pid() is None:
            return None
        return url if answers(url) else None

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
                [sys.executable, "-m", "ipos_tui.demo.host", "--root", str(self.root.resolve()),
                 "--fd", str(fd), "--idle-timeout", str(idle_timeout)],
                stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                pass_fds=(fd,), start_new_session=True, cwd=self.root,
            )

    def _wait_ready(self, url: str, process: subprocess.Popen[bytes] | None) -> bool:
        deadline = time.monotonic() + READY_WAIT
        while time.monotonic() < deadline:
            if url != "-" and answers(url):
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
        from ipos_tui.backoffice.embedded import EmbeddedServer

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
