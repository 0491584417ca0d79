"""The table of ``ipos-backoffice`` commands: every subject's commands, the groups'
help texts, and the order ``--help`` lists the top level in."""

from __future__ import annotations

import argparse

from . import catalogue, releases, setup, stores, transactions, users
from .commands import Command, Help
from .commands import build_parser as _build

COMMANDS: tuple[Command, ...] = (
    *setup.COMMANDS, *stores.COMMANDS, *catalogue.COMMANDS, *users.COMMANDS,
    *transactions.COMMANDS, *releases.COMMANDS,
)

GROUPS: dict[tuple[str, ...], Help] = {
    **setup.GROUPS, **stores.GROUPS, **catalogue.GROUPS, **users.GROUPS,
    **transactions.GROUPS, **releases.GROUPS,
}

#: The top level as ``ipos-backoffice --help`` lists it.
TOP_LEVEL = (
    "init", "serve", "company", "vat", "terminal", "store", "pricelist", "product", "price",
    "category", "unit", "payment-method", "discount", "user", "settings", "import-csv",
    "export-csv", "transactions", "invoice", "report", "release", "tombstones",
)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, its texts in the current language (see :func:`.main.main`)."""
    return _build(COMMANDS, GROUPS, TOP_LEVEL)


def command_named(*path: str) -> Command:
    """The command at ``path`` (``"invoice", "list"``); calling it runs it."""
    return next(c for c in COMMANDS if c.path == path)
