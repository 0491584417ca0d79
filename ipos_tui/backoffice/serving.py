"""Running the back office's HTTP server: one process, or several uvicorn workers over
PostgreSQL; a JSON access log; a graceful stop that lets uploads in flight finish.

Several workers share nothing but the database: each opens its own connection, and
the exactly-once and numbering rules live in the database (unique constraints and
locks), not in a process. SQLite has one writer at a time and its file lock is not
meant for a server farm: ``--workers`` above 1 on SQLite is refused.

A worker is started by uvicorn from an import string, so what ``serve`` was told
(database URL, body limit, releases, throttle) reaches the workers through one
environment variable holding JSON (:data:`CONFIG_ENV`). The server secret comes from
``IPOS_BACKOFFICE_SECRET`` or the config file, as for every command.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from ipos_tui.backoffice.db import open_database, sqlite_path
from ipos_tui.domain.errors import DomainError

#: The serve options, as JSON, for the worker processes.
CONFIG_ENV = "IPOS_BACKOFFICE_SERVE"

#: Seconds a stopping server waits for requests in flight (an upload of a long offline
#: backlog included) before it closes what is left.
GRACEFUL_SECONDS = 30

ACCESS_LOGGER = "ipos_backoffice.access"


@dataclass(frozen=True)
class ServeConfig:
    db_url: str
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    max_body: int = 2 * 1024 * 1024
    releases_dir: str | None = None
    #: ``rule=count/seconds`` pairs (see :meth:`ipos_tui.backoffice.throttle.Limits.parse`)
    throttle: str = ""
    log_level: str = "info"
    access_log: bool = True

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> ServeConfig:
        raw = os.environ.get(CONFIG_ENV)
        if not raw:
            raise RuntimeError(f"{CONFIG_ENV} is not set: workers are started by ipos-backoffice serve")
        values = json.loads(raw)
        return cls(**{f.name: values[f.name] for f in fields(cls) if f.name in values})


def check_workers(db_url: str, workers: int) -> None:
    """Several workers need PostgreSQL. Raises DomainError "err.serve_workers_range"
    or "err.serve_workers_sqlite"."""
    if workers < 1 or workers > 64:
        raise DomainError("err.serve_workers_range", workers=workers)
    if workers > 1 and sqlite_path(db_url) is not None:
        raise DomainError("err.serve_workers_sqlite", workers=workers)


def build_app(config: ServeConfig) -> Any:
    """The ASGI app of one process serving ``config``."""
    from ipos_tui.backoffice.api import create_app
    from ipos_tui.backoffice.api.pulls import pull_threads
    from ipos_tui.backoffice.security import load_pepper
    from ipos_tui.backoffice.services import BackOffice
    from ipos_tui.backoffice.throttle import Limits, SharedThrottle, Throttle

    office = BackOffice(open_database(config.db_url), load_pepper())
    releases = Path(config.releases_dir) if config.releases_dir else None
    limits = Limits.parse(config.throttle)
    # PostgreSQL: several workers, maybe on several machines, count one guesser together
    throttle = (Throttle(limits) if sqlite_path(config.db_url) is not None
                else SharedThrottle(office.db, limits))
    return create_app(office, max_body=config.max_body, releases_dir=releases,
                      throttle=throttle, access_log=config.access_log,
                      pull_threads=pull_threads(config.workers))


def worker_app() -> Any:
    """uvicorn's factory in each worker process."""
    _log_access_to_stderr()
    return build_app(ServeConfig.from_env())


def _log_access_to_stderr() -> None:
    logger = logging.getLogger(ACCESS_LOGGER)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def run(config: ServeConfig) -> None:
    """Serve until SIGINT/SIGTERM; then stop accepting, finish the requests in flight
    (at most :data:`GRACEFUL_SECONDS`) and exit."""
    import uvicorn

    check_workers(config.db_url, config.workers)
    common: dict[str, Any] = dict(
        host=config.host, port=config.port, log_level=config.log_level,
        # our own JSON access log replaces uvicorn's text one
        access_log=False,
        # no Server/Date headers: terminals on GSM pay for every byte of every answer
        server_header=False, date_header=False,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )
    if config.workers == 1:
        _log_access_to_stderr()
        uvicorn.run(build_app(config), **common)
        return
    os.environ[CONFIG_ENV] = config.to_env()
    uvicorn.run("ipos_tui.backoffice.serving:worker_app", factory=True, workers=config.workers, **common)
