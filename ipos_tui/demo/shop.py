"""``ipos-tui demo``: a whole store on one laptop.

The demo data dir holds the back office's database (``backoffice.sqlite3``), the
address it serves on (``backoffice.url``: its port is chosen once, free, and kept
across restarts), the back office process's log (``backoffice.log``), its locks (see
:mod:`ipos_tui.demo.host`) and one data dir per till (``terminal-1``, ``terminal-2`` …).

The back office is a background process of its own, not a thread of a till: the
first ``ipos-tui demo`` that finds none running starts it on the recorded port,
every later till joins it, and it stops itself once no till of the demo has run for
a short while (:data:`~ipos_tui.demo.host.DEFAULT_IDLE_TIMEOUT`). So quitting (or
crashing) till 1 leaves till 2 its back office. A port taken by another program is
said once and replaced by a free one, recorded for the next starts; running tills
follow the record, and push their unsent sales as soon as the back office answers
again. Each till is activated with a one-time code, exactly as a real till is, and
catalogue data arrive by sync.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ipos_tui.demo.host import TILL_LEASE, Flock, idle_timeout_from_env
from ipos_tui.demo.server import DemoBackOffice, answers
from ipos_tui.domain.errors import DomainError
from ipos_tui.i18n import current_language, set_language, t

if TYPE_CHECKING:
    from ipos_tui.store.db import Terminal

log = logging.getLogger(__name__)

#: How often a running till looks at the record and at the back office.
WATCH_INTERVAL: Final = 2.0

def _follow(terminal: Terminal, url: str) -> bool:
    """Point the till's stored connection at ``url`` (same identity and token: the
    back office only moved); True when it changed. Call with a DB connection."""
    from ipos_tui.store.connection import ConnectionStore

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
    from ipos_tui.sync.activation import activate
    from ipos_tui.sync.context import connection_of

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
        up = answers(url)
        if up and (moved or not answered_before):
            log.info("the demo back office answers again at %s: sending unsent documents", url)
            self.push()
        return up

    def push(self) -> None:
        """Send every pending document now (the background upload's backoff may
        still be minutes away after a long silence)."""
        from ipos_tui.sync.context import SyncContext
        from ipos_tui.sync.progress import CancelToken, null_observer
        from ipos_tui.sync.upload import upload

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
    from ipos_tui.store.db import open_terminal

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
    from ipos_tui.demo.backoffice import DEMO_WEB_LOGIN, DEMO_WEB_PASSWORD

    return t("cli.demo.web", url=f"{url.rstrip('/')}/", login=DEMO_WEB_LOGIN,
             password=DEMO_WEB_PASSWORD)


def _web_hint(url: str) -> str:
    from ipos_tui.demo.backoffice import DEMO_WEB_LOGIN, DEMO_WEB_PASSWORD

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
    from ipos_tui.demo.terminal import DEMO_LOGINS
    from ipos_tui.store.paths import demo_data_dir

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
            from ipos_tui.ui.app import create_app

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
        from ipos_tui.updates.hook import run_staged_install

        return run_staged_install(data_dir)
    url = backoffice.recorded_url() or url
    print(t("cli.demo_bye", data_dir=root))
    print(t("cli.demo_ready", url=url, command=backoffice.price_command(), next=next_till))
    print(_web_line(url))
    print(t("cli.demo.backoffice_stays", seconds=f"{idle_timeout:g}", log=backoffice.log_file))
    return 0
