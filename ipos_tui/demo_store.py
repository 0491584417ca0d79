"""``ipos-tui demo``: a whole store on one laptop.

The demo data dir holds the back office's database (``backoffice.sqlite3``), the
address it serves on (``backoffice.url``) and one data dir per terminal
(``terminal-1``, ``terminal-2`` …). The first terminal starts the back office in a
thread on 127.0.0.1; ``--terminal 2`` joins the one that answers there, or starts it
itself when none does. Each terminal is activated against it with a one-time code,
exactly as a real till is, and catalogue data arrive by sync.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .backoffice.db import open_database
from .backoffice.security import load_pepper
from .backoffice.service import BackOffice

log = logging.getLogger(__name__)

DEMO_STORE_ID = 1
DEMO_PRICE_LIST_ID = 1


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
        return office

    def running_url(self) -> str | None:
        """The address of a demo back office that answers right now, if any."""
        try:
            url = self.url_file.read_text("utf-8").strip()
        except OSError:
            return None
        try:
            response = httpx.get(f"{url}/health", timeout=1.0)
        except httpx.HTTPError:
            return None
        return url if response.status_code == 200 else None

    def start(self):  # type: ignore[no-untyped-def]
        """Serve the back office from this process; returns the running server."""
        from .backoffice.embedded import EmbeddedServer

        server = EmbeddedServer(self.office())
        url = server.start()
        self.url_file.write_text(url + "\n", "utf-8")
        log.info("demo back office on %s", url)
        return server

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


def run_demo(
    root: Path, number: int, data_dir: Path, *, language: str | None, console_mode: bool | None
) -> int:
    """Start (or join) the demo shop, activate till ``number``, run the terminal."""
    import sys

    from .domain.errors import DomainError
    from .i18n import t
    from .sync.activation import activate
    from .sync.context import connection_of
    from .terminal.db import open_terminal
    from .terminal.demo import DEMO_LOGINS

    from .terminal.paths import demo_data_dir

    backoffice = DemoBackOffice(root)
    next_till = f"{number + 1}" + ("" if root == demo_data_dir() else f" --data-dir {root}")
    server = None
    outcome: object = None
    url = backoffice.running_url()
    try:
        if url is None:
            print(t("cli.demo_starting"), file=sys.stderr)
            server = backoffice.start()
            url = server.url
        with open_terminal(data_dir) as terminal:
            connection = connection_of(terminal)
            if connection is None or connection.server_url != url:
                activate(terminal, url, backoffice.activation_code(number), f"Kasa {number}")
            print(t("cli.demo_ready", url=url, command=backoffice.price_command(), next=next_till))
            from .ui.app import create_app

            app = create_app(
                terminal,
                data_dir=data_dir,
                language=language,
                console_mode=console_mode,
                demo_hint=t("login.demo_hint", logins=DEMO_LOGINS),
                startup_jobs=("config", "users", "products"),
            )
            outcome = app.run()
    except DomainError as error:
        print(t(error.key, **error.params), file=sys.stderr)
        log.error("demo: %s", error)
        return 2
    finally:
        if server is not None:
            server.stop()
    if outcome == "install-update":  # the day close installs a staged update now
        from .updates.hook import run_staged_install

        return run_staged_install(data_dir)
    print(t("cli.demo_bye", data_dir=root))
    print(t("cli.demo_ready", url=url, command=backoffice.price_command(), next=next_till))
    return 0
