"""Where a terminal keeps its database, lock file and printouts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from platformdirs import user_data_dir

APP_NAME: Final = "ipos-tui"
#: Sub-directory of the data dir the ``demo`` command uses, so training never
#: touches a real terminal's ledger.
DEMO_SUBDIR: Final = "demo"


def default_data_dir() -> Path:
    """The per-user data directory of a real terminal (``--data-dir`` overrides it)."""
    return Path(user_data_dir(APP_NAME, appauthor=False))


def demo_data_dir() -> Path:
    """The data directory of the demo shop, beside the real one."""
    return default_data_dir() / DEMO_SUBDIR


def make_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) owner-only (0700) if missing; an existing directory
    keeps the mode its admin gave it (issue 15, item 8: the till's data is the shop's)."""
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, 0o700)


def create_private_file(path: Path) -> None:
    """Create an empty owner-only (0600) file at ``path`` unless one exists (whose mode
    is kept); SQLite gives a database's -wal and -shm files the mode of the database."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)
