"""The back office's database in tests: SQLite and PostgreSQL.

Every test that asks for ``office_backend`` runs once on SQLite and once on a
PostgreSQL server of its own (one throwaway server per test process, on 127.0.0.1, a
fresh database per use). ``IPOS_OFFICE_DB=sqlite`` (or ``postgres``) runs one of them
only. Without the PostgreSQL binaries the PostgreSQL runs skip, except where
``IPOS_REQUIRE_POSTGRES=1`` (set by ``.ci/run``): there they fail.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

BACKENDS = ("sqlite", "postgres")


def selected_backends() -> tuple[str, ...]:
    wanted = os.environ.get("IPOS_OFFICE_DB", "").strip().lower()
    if not wanted:
        return BACKENDS
    chosen = tuple(name for name in BACKENDS if name in {part.strip() for part in wanted.split(",")})
    if not chosen:
        raise pytest.UsageError(f"IPOS_OFFICE_DB={wanted!r}: expected sqlite, postgres or both")
    return chosen


def _unavailable(reason: str) -> None:
    """Fail where PostgreSQL is required (CI), skip elsewhere."""
    if os.environ.get("IPOS_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required here (IPOS_REQUIRE_POSTGRES=1): {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pg_bindir() -> Path | None:
    found = shutil.which("initdb")
    if found is None:
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        found = candidates[-1] if candidates else None
    return Path(found).resolve().parent if found else None


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A PostgreSQL server of our own on 127.0.0.1 (fsync off: tests only); yields its URL.

    Skips (fails under ``IPOS_REQUIRE_POSTGRES=1``) when the PostgreSQL binaries or
    psycopg2 (extra ``postgres``) are missing. As root the server runs as user
    ``postgres`` (initdb refuses root).
    """
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        _unavailable("psycopg2 not installed (pip install 'ipos-tui[postgres]')")
    bindir = _pg_bindir()
    if bindir is None:
        _unavailable("PostgreSQL binaries (initdb, pg_ctl) not found (Debian: apt-get install postgresql)")
    as_root = os.geteuid() == 0
    owner = None
    if as_root:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root and there is no 'postgres' user for the server")
    data = Path(tempfile.mkdtemp(prefix="ipos-pg-"))
    data.chmod(0o755)
    if owner is not None:
        os.chown(data, owner.pw_uid, owner.pw_gid)
    port = free_port()

    def run(command: str) -> None:
        argv = ["su", "postgres", "-s", "/bin/sh", "-c", command] if as_root else ["/bin/sh", "-c", command]
        subprocess.run(argv, check=True, capture_output=True, timeout=120)

    try:
        try:
            run(f"'{bindir}/initdb' -D '{data}/db' -A trust -U postgres")
            run(f"'{bindir}/pg_ctl' -D '{data}/db' -l '{data}/server.log' -w -o "
                f"\"-c listen_addresses=127.0.0.1 -p {port} -k '{data}' -c fsync=off"
                f" -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\" start")
        except subprocess.CalledProcessError as exc:
            log = data / "server.log"
            detail = log.read_text(errors="replace")[-2000:] if log.exists() else exc.stderr.decode(errors="replace")
            _unavailable(f"PostgreSQL did not start: {detail}")
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        with suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            run(f"'{bindir}/pg_ctl' -D '{data}/db' -m fast -w stop")
        shutil.rmtree(data, ignore_errors=True)


_numbers = itertools.count(1)


def create_database(server_url: str) -> str:
    """A new, empty database on the server; returns its URL."""
    import psycopg2

    name = f"office_{os.getpid()}_{next(_numbers)}"
    connection = psycopg2.connect(server_url)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@dataclass(frozen=True)
class OfficeBackend:
    """Where a test's back office keeps its data."""

    name: str
    server_url: str | None = None

    @property
    def is_postgres(self) -> bool:
        return self.name == "postgres"

    def url(self, sqlite_path: Path) -> str:
        """A fresh database: ``sqlite_path`` on SQLite, a new database on PostgreSQL."""
        if self.server_url is None:
            return f"sqlite:///{sqlite_path}"
        return create_database(self.server_url)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """One throwaway PostgreSQL server per test process."""
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(scope="module", params=selected_backends())
def office_backend(request: pytest.FixtureRequest) -> OfficeBackend:
    """The back office's database engine: each test that asks runs on both."""
    if request.param == "postgres":
        return OfficeBackend("postgres", request.getfixturevalue("pg_server"))
    return OfficeBackend("sqlite")


def url_of(db: object) -> str:
    """The URL of an open back-office database (for the CLI beside a test's office)."""
    from peewee import PostgresqlDatabase, SqliteDatabase

    if isinstance(db, SqliteDatabase):
        return f"sqlite:///{db.database}"
    assert isinstance(db, PostgresqlDatabase), db
    params = db.connect_params
    return f"postgresql://{params.get('user', 'postgres')}@{params['host']}:{params['port']}/{db.database}"
