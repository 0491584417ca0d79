"""Where a terminal keeps its update files (all under ``<data dir>/updates``).

``downloads/``   partial and complete downloads, named by their sha256 (a resumed
                 download can only ever continue the same file)
``staged/V/``    the verified, unpacked wheelhouse of version V + its signed metadata
``staged.json``  which version is staged (written last, atomically: its presence is
                 the "staged" state)
``wheelhouses/`` wheelhouses of installed versions, kept for a rollback
``backup/``      database copies taken before an install
``install.json`` the journal of the last install (phases, outcome) read after a restart
``updates.log``  what happened, one line per step, for the owner and support
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ipos_tui import fileio

#: Sub-directory of the terminal data dir holding everything of updates.
UPDATES_DIR = "updates"
#: Sub-directory of the terminal data dir with keys added by ``ipos-tui trust-key``.
TRUSTED_KEYS_DIR = "trusted_keys"


@dataclass(frozen=True)
class UpdatePaths:
    """The update layout of one terminal data directory."""

    data_dir: Path

    @property
    def root(self) -> Path:
        return self.data_dir / UPDATES_DIR

    @property
    def downloads(self) -> Path:
        return self.root / "downloads"

    @property
    def staged_root(self) -> Path:
        return self.root / "staged"

    def staged_dir(self, version: str) -> Path:
        return self.staged_root / version

    @property
    def staged_marker(self) -> Path:
        return self.root / "staged.json"

    @property
    def wheelhouses(self) -> Path:
        return self.root / "wheelhouses"

    def wheelhouse(self, version: str) -> Path:
        return self.wheelhouses / version

    @property
    def backups(self) -> Path:
        return self.root / "backup"

    @property
    def journal(self) -> Path:
        return self.root / "install.json"

    @property
    def log_file(self) -> Path:
        return self.root / "updates.log"

    @property
    def trusted_keys(self) -> Path:
        return self.data_dir / TRUSTED_KEYS_DIR


def write_json_atomic(path: Path, data: Any) -> None:
    """Write ``data`` as JSON so that a crash leaves either the old or the new file
    (owner-only; values JSON does not know are written as text)."""
    fileio.write_json_atomic(path, data, mode=0o600, default=str)


def read_json(path: Path) -> Any | None:
    """The JSON in ``path``, or None when missing or unreadable (never raises)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
