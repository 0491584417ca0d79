"""Installing the staged wheelhouse after day close, with a rollback that always works.

Order (DESIGN.md "App update lifecycle"), each step written to the journal and the
update log before it starts, so whatever happens the log says how far it got:

1. re-verify the staged files (signature, sha256 of every wheel);
2. keep the current version's wheelhouse (the one a previous update left, else the
   installed distributions packed back into wheels, see :mod:`wheelpack`);
3. back up the database (SQLite backup API) and note the ledger's fingerprint;
4. ``python -m pip install --no-index --find-links STAGED ipos-tui==V`` into the
   running interpreter's environment (nothing is fetched from anywhere else);
5. health check in a fresh process of the new code: ``ipos-tui update health-check``
   opens and migrates the database and reaches the login screen headless, read-only;
6. success: the staged wheelhouse becomes the kept one, and the new app is exec'd
   with the same arguments. Failure at 4 or 5: the kept wheelhouse is reinstalled
   (``--force-reinstall --no-deps`` of exactly its wheels), the database copy is put
   back only if the ledger fingerprint did not change, and the reason is reported.

This module runs that order (:func:`install_staged`); the steps themselves are
:class:`~ipos_tui.updates.installer.Installer`'s, pip and the health check run as
child processes through :mod:`ipos_tui.updates.commands`.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ipos_tui.domain.errors import DomainError
from ipos_tui.updates.commands import Runner, run_command
from ipos_tui.updates.installer import APP_PROJECT, Installer
from ipos_tui.updates.paths import UpdatePaths, read_json
from ipos_tui.updates.staging import StagedRelease, clear_staged, read_staged
from ipos_tui.updates.updatelog import close_update_loggers, update_logger
from ipos_tui.updates.wheelpack import is_editable

#: Exit codes of :func:`install_staged` when it does not exec.
EXIT_NOTHING, EXIT_ROLLED_BACK, EXIT_BROKEN = 0, 1, 2

#: Refusals meaning the staged files can no longer be trusted: they are dropped.
_UNTRUSTWORTHY = frozenset({"update.err_staged_changed", "update.err_signature",
                            "update.err_unknown_key", "update.err_bad_metadata"})

Restart = Callable[[str, str], None]


def install_blocker() -> DomainError | None:
    """Why an install cannot run in this environment, or None.

    An editable install runs from a source tree (a developer's checkout): installing
    a wheel over it would silently replace that checkout's install. Without pip in
    the interpreter nothing can be installed at all.
    """
    if is_editable(APP_PROJECT):
        return DomainError("update.err_editable")
    if importlib.util.find_spec("pip") is None:
        return DomainError("update.err_no_pip", python=sys.executable)
    return None



def install_staged(
    data_dir: Path,
    *,
    run: Runner = run_command,
    restart: Restart | None = None,
    argv: Sequence[str] | None = None,
    python: str | None = None,
    environment_check: Callable[[], DomainError | None] | None = None,
) -> int:
    """Install the staged release of ``data_dir`` (see the module doc).

    ``restart(python, version)`` replaces the process (default: exec ``ipos-tui``
    with ``argv``) after a healthy install — and after a successful rollback too, so
    the till comes back selling on the previous version (the journal says why); tests pass their own ``run``/``restart`` and
    ``environment_check`` (default :func:`install_blocker`).
    Returns :data:`EXIT_NOTHING`, :data:`EXIT_ROLLED_BACK` or :data:`EXIT_BROKEN`.
    """
    data_dir = Path(data_dir)
    staged = read_staged(data_dir)
    log = update_logger(data_dir)
    if staged is None:
        log.info("install requested but nothing is staged")
        return EXIT_NOTHING
    installer = Installer(data_dir, run=run, python=python or sys.executable)
    installer.journal = {"from": installer.current_version, "to": staged.version,
                         "started": datetime.now(UTC).isoformat()}
    log.info("installing %s over %s (python %s)", staged.version, installer.current_version,
             installer.python)
    blocker = (environment_check or install_blocker)()
    if blocker is not None:
        return _refused(installer, data_dir, staged, blocker)
    try:
        previous, backup, fingerprint, columns = installer.prepare(staged)
    except Exception as exc:  # nothing has changed yet: whatever failed, the old version stays
        return _refused(installer, data_dir, staged, exc)
    result = installer.pip_install(staged.directory, staged.version)
    if result.returncode == 0:
        result = installer.health_check(staged.version)
        if result.returncode == 0:
            try:
                installer.commit(staged)
            except OSError as exc:  # bookkeeping only: the new version is installed and healthy
                log.error("installed, but keeping its wheelhouse failed: %s", exc)
            installer.finish("installed")
            log.info("%s installed and healthy; restarting", staged.version)
            (restart or exec_restart(argv))(installer.python, staged.version)
            return EXIT_NOTHING
        reason = "health_check"
    else:
        reason = "pip"
    log.error("install of %s failed at %s: rolling back to %s", staged.version, reason,
              installer.current_version)
    clear_staged(data_dir)
    back = installer.rollback(previous, backup, fingerprint, columns)
    installer.finish("rolled_back" if back else "rollback_failed", reason=reason,
                     output=result.output[-2000:])
    if not back:
        log.critical("ROLLBACK FAILED: reinstall with: %s -m pip install --no-index "
                     "--force-reinstall --no-deps %s/*.whl", installer.python, previous)
        return EXIT_BROKEN
    log.warning("%s is back; restarting it (the till must keep selling)",
                installer.current_version)
    (restart or exec_restart(argv))(installer.python, installer.current_version)
    return EXIT_ROLLED_BACK


def _refused(installer: Installer, data_dir: Path, staged: StagedRelease,
             error: Exception) -> int:
    """Nothing was installed: say why; a staged release that cannot verify is dropped."""
    key = error.key if isinstance(error, DomainError) else "update.err_io"
    params = error.params if isinstance(error, DomainError) else {"detail": str(error)[:160]}
    installer.log.error("install of %s refused before anything changed: %s %s",
                        staged.version, key, params)
    if key in _UNTRUSTWORTHY:
        clear_staged(data_dir)
    installer.finish("refused", key=key, params={k: str(v) for k, v in params.items()})
    return EXIT_ROLLED_BACK


def exec_restart(argv: Sequence[str] | None) -> Restart:
    """A restart that replaces this process by ``ipos-tui`` with ``argv`` (default:
    this process's own arguments)."""
    args = list(sys.argv[1:] if argv is None else argv)

    def restart(python: str, version: str) -> None:
        close_update_loggers()
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(python, [python, "-P", "-m", "ipos_tui.cli", *args])

    return restart


def last_install(data_dir: Path) -> dict[str, Any] | None:
    """The journal of the last install attempt (for the screen and ``update`` CLI)."""
    data = read_json(UpdatePaths(Path(data_dir)).journal)
    return data if isinstance(data, dict) else None
