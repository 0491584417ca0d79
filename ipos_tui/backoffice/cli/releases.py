"""Signed releases of the till software: keys, publishing, the list."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ipos_tui.backoffice.services import BackOffice
from ipos_tui.i18n.cli import decimal_number

from .commands import arg, command, one_of
from .output import says, table


def _store(office: BackOffice, args: argparse.Namespace) -> Any:
    from ipos_tui.backoffice.releases import ReleaseStore, default_releases_dir

    return ReleaseStore(args.releases_dir or default_releases_dir(office.db))


def _keygen(office: BackOffice, args: argparse.Namespace) -> Any:
    from ipos_tui.backoffice.releases import keygen

    return keygen(args.out, args.name)


def _publish(office: BackOffice, args: argparse.Namespace) -> Any:
    from ipos_tui.backoffice.releases import publish

    pip_args = [*(f"--find-links={d}" for d in args.find_links or ()), *(args.pip_arg or ())]
    return publish(_store(office, args), args.wheel, args.key, channel=args.channel,
                   expires_days=args.expires_days, wheelhouse_from=args.wheelhouse_from,
                   no_deps=args.no_deps, pip_args=pip_args)


def _meta(name: str) -> Any:
    return lambda r: r["metadata"][name]


def _releases_dir() -> Any:
    return arg("--releases-dir", type=Path, default=None, help="releases_dir")


COMMANDS = (
    command("release", "keygen", help="keygen", call=_keygen, needs_schema=False,
            show=says("cli.bo.keygen_done", key_id="key_id", private="private_key",
                      public="public_key"),
            args=(arg("--out", type=Path, required=True, help="keygen_out"),
                  arg("--name", default="release", help="keygen_name"))),
    command("release", "publish", help="publish", call=_publish, epilog="publish_epilog",
            show=says("cli.bo.published", version=_meta("version"), channel=_meta("channel"),
                      wheels=lambda r: len(r["wheels"]), size=_meta("size"),
                      sha256=_meta("sha256"), expires=_meta("expires"), key_id="key_id"),
            args=(arg("wheel", type=Path, metavar="DIST.whl", help="wheel"),
                  arg("--key", type=Path, required=True, help="private_key"),
                  arg("--channel", default="stable", help="channel"),
                  arg("--expires-days", type=decimal_number, default=30.0, help="expires_days"),
                  one_of(arg("--wheelhouse-from", type=Path, default=None, mv="dir",
                             help="wheelhouse_from"),
                         arg("--no-deps", action="store_true", help="no_deps")),
                  arg("--find-links", action="append", mv="dir", help="find_links"),
                  arg("--pip-arg", action="append", metavar="ARG", help="pip_arg"),
                  _releases_dir())),
    command("release", "list", help="release_list", call=lambda office, args: _store(office, args).list(),
            show=table("channel", "version", "latest", "size", "published", "expires", "key_id",
                       "file"),
            args=(_releases_dir(),)),
)

GROUPS = {("release",): "release"}
