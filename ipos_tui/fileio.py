"""Atomic file writes: a reader (or a crash) sees the old file or the new one, never
half of one.

The data go to a temporary file in the same directory (same file system, so the rename
is atomic), are flushed and fsynced, then :func:`os.replace` puts the file in place; on
any failure the temporary file is removed and the old file stays. ``mode`` gives the
new file exactly that mode whatever the umask; without it the file gets the mode a
plain ``open()`` would give (0666 less the umask).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any


def write_atomic(path: Path | str, data: str | bytes, *, mode: int | None = None,
                 encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``data`` (text in ``encoding``, or bytes) atomically; its
    directory is created when missing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            if mode is not None:
                os.fchmod(handle.fileno(), mode)  # exactly this mode, whatever the umask
            handle.write(data.encode(encoding) if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path | str, data: Any, *, mode: int | None = None,
                      default: Callable[[Any], Any] | None = None) -> None:
    """Replace ``path`` with ``data`` as indented JSON (UTF-8, non-ASCII kept) atomically;
    ``default`` turns values JSON does not know into ones it does."""
    write_atomic(path, json.dumps(data, ensure_ascii=False, indent=2, default=default), mode=mode)
