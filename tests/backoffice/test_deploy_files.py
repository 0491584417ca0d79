"""The deployment files in deploy/ stay true to the code they start.

Tried: every ExecStart of the systemd units, with the example environment file's
values put in, is parsed by the real ``ipos-backoffice`` argument parser (an option
renamed or removed in the CLI fails here, not on a chain's machine at night); the
timer names a unit that exists; nginx's body limit equals the back office's own
``--max-body`` in the unit (else a big backlog upload gets nginx's HTML 413 instead of
the back office's message); the graceful shutdown the unit waits for is longer than
the back office's own; the example environment file names every variable the units use.
"""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest

from ipos_tui.backoffice.cli import build_parser
from ipos_tui.backoffice.serving import GRACEFUL_SECONDS

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text())
    return parser


def _environment() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "backoffice.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip().strip('"')
    return values


def test_there_are_units_to_check() -> None:
    assert {u.name for u in UNITS} == {"ipos-backoffice.service",
                                       "ipos-backoffice-tombstones.service"}


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_every_exec_start_parses_with_the_real_cli(unit: Path) -> None:
    env = _environment()
    service = _unit(unit)["Service"]
    command = service["ExecStart"]
    used = set(re.findall(r"\$\{(\w+)\}", command))
    assert used <= env.keys(), f"not in backoffice.env.example: {used - env.keys()}"
    argv = shlex.split(re.sub(r"\$\{(\w+)\}", lambda m: env[m.group(1)], command))
    assert argv[0].endswith("/ipos-backoffice")
    args = build_parser().parse_args(argv[1:])  # SystemExit (a failure) on a bad option
    assert args.db == env["IPOS_DB"]


def test_the_server_unit_uses_postgresql_workers_and_waits_for_the_graceful_stop() -> None:
    service = _unit(DEPLOY / "systemd" / "ipos-backoffice.service")["Service"]
    env = _environment()
    args = build_parser().parse_args(shlex.split(
        service["ExecStart"].replace("${IPOS_DB}", env["IPOS_DB"])
        .replace("${IPOS_WORKERS}", env["IPOS_WORKERS"]))[1:])
    assert args.db.startswith("postgresql://") and args.workers > 1
    assert args.host == "127.0.0.1"  # nginx in front terminates TLS
    assert int(service["TimeoutStopSec"]) > GRACEFUL_SECONDS
    assert service["EnvironmentFile"] == "/etc/ipos-backoffice/backoffice.env"
    assert "IPOS_BACKOFFICE_SECRET" in env  # the same secret on every machine


def test_the_timer_starts_the_tombstone_unit() -> None:
    timer = DEPLOY / "systemd" / "ipos-backoffice-tombstones.timer"
    assert timer.with_suffix(".service").exists()
    assert _unit(timer)["Timer"]["OnCalendar"]


def test_nginx_body_limit_equals_the_back_office_limit() -> None:
    service = _unit(DEPLOY / "systemd" / "ipos-backoffice.service")["Service"]
    max_body = int(re.search(r"--max-body (\d+)", service["ExecStart"]).group(1))  # type: ignore[union-attr]
    nginx = (DEPLOY / "nginx" / "ipos-backoffice.conf").read_text()
    size = re.search(r"client_max_body_size (\d+)([km]?);", nginx)
    assert size is not None
    factor = {"": 1, "k": 1024, "m": 1024 * 1024}[size.group(2)]
    assert int(size.group(1)) * factor == max_body
    assert "X-Forwarded-For" in nginx and "proxy_pass http://ipos_backoffice" in nginx
