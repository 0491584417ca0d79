"""Where a terminal keeps its database, lock file and printouts."""

from __future__ import annotations

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
