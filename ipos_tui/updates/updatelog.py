"""The update log: ``<data dir>/updates/updates.log`` plus the app's own log.

Every refusal and every install step is written here in plain words, so the owner
(or support, over the phone) can read what an update did without the screen.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from ipos_tui.updates.paths import UpdatePaths

_LOCK = threading.Lock()
_HANDLERS: dict[Path, logging.Handler] = {}


def update_logger(data_dir: Path) -> logging.Logger:
    """A logger writing to this terminal's update log (and up to the app's log).

    One logger per data dir, so two terminals in one process (tests) never mix logs.
    """
    path = UpdatePaths(Path(data_dir)).log_file.resolve()
    name = "ipos_tui.updates.log." + str(abs(hash(path)))
    logger = logging.getLogger(name)
    with _LOCK:
        if path not in _HANDLERS:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(path, encoding="utf-8", delay=True)
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
            _HANDLERS[path] = handler
    return logger


def close_update_loggers() -> None:
    """Flush and close every update log file (before an exec or in tests)."""
    with _LOCK:
        for path, handler in _HANDLERS.items():
            handler.close()
            logging.getLogger("ipos_tui.updates.log." + str(abs(hash(path)))).removeHandler(handler)
        _HANDLERS.clear()
