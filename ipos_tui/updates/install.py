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
"""

from __future__ import annotations

import fcntl
import importlib.util
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from logging import Logger
from pathlib import Path
from typing import Any

from ipos_tui import __version__
from ipos_tui.domain.errors import DomainError
from ipos_tui.updates.backup import (
    backup_database,
    ledger_columns,
    ledger_fingerprint,
    restore_database,
)
from ipos_tui.updates.keys import trusted_keys
from ipos_tui.updates.paths import UpdatePaths, read_json, write_json_atomic
from ipos_tui.updates.staging import (
    StagedRelease,
    clear_staged,
    read_staged,
    verify_staged,
)
from ipos_tui.updates.updatelog import close_update_loggers, update_logger
from ipos_tui.updates.wheelpack import installed_version, is_editable, repack, wheel_project

APP_PROJECT = "ipos-tui"
DB_FILENAME = "terminal.sqlite3"
LOCK_FILENAME = "terminal.lock"
#: pip may build nothing (wheels only) but a slow SD card still takes a while.
PIP_TIMEOUT = 900.0
HEALTH_TIMEOUT = 180.0
#: Exit codes of :func:`install_staged` when it does not exec.
EXIT_NOTHING, EXIT_ROLLED_BACK, EXIT_BROKEN = 0, 1, 2

#: Refusals meaning the staged files can no longer be trusted: they are dropped.
_UNTRUSTWORTHY = frozenset({"update.err_staged_changed", "update.err_signature",
                            "update.err_unknown_key", "update.err_bad_metadata"})

Runner = Callable[[Sequence[str], float], "CommandResult"]
Restart = Callable[[str, str], None]


@dataclass(frozen=True)
class CommandResult:
    returncode: int
    output: str


def run_command(command: Sequence[str], timeout: float) -> CommandResult:
    """Run ``command``, capturing stdout+stderr (a timeout counts as a failure)."""
    try:
        done = subprocess.run(list(command), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, timeout=timeout, check=False,
                              env=_child_env())
    except subprocess.TimeoutExpired as exc:
        out = exc.output.decode("utf-8", "replace") if isinstance(exc.output, bytes) else ""
        return CommandResult(124, out + f"\n(timed out after {timeout:.0f} s)")
    except OSError as exc:
        return CommandResult(127, str(exc))
    return CommandResult(done.returncode, done.stdout.decode("utf-8", "replace"))


def _child_env() -> dict[str, str]:
    """The environment of pip and of the health check.

    pip sees nothing but its command line: no ``PIP_*`` variable and no pip.conf
    (``PIP_CONFIG_FILE`` set to the null device makes pip skip every config file).
    A find-links, index or constraint there would let the install take wheels from
    elsewhere than the verified wheelhouse or refuse it, and ``user = true`` would
    install into another environment than the app's own.
    """
    env = {name: value for name, value in os.environ.items() if not name.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    env.pop("PYTHONPATH", None)  # the new code must come from the environment, not a tree
    return env


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


@dataclass
class Installer:
    """One install attempt of the staged release of ``data_dir`` (see the module doc)."""

    data_dir: Path
    run: Runner = run_command
    python: str = field(default_factory=lambda: sys.executable)
    current_version: str = __version__

    def __post_init__(self) -> None:
        self.paths = UpdatePaths(self.data_dir)
        self.log: Logger = update_logger(self.data_dir)
        self.journal: dict[str, Any] = {}

    # -- steps ------------------------------------------------------------------

    def prepare(self, staged: StagedRelease) -> tuple[Path, Path, str, dict[str, list[str]]]:
        """Steps 1–3: verify, keep the current wheelhouse, back up the database."""
        self._phase("verify")
        verify_staged(staged, trusted_keys(self.data_dir))
        self._phase("keep_wheelhouse")
        previous = self.keep_current_wheelhouse(staged)
        self._phase("backup")
        database = self.data_dir / DB_FILENAME
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        backup = self.paths.backups / f"terminal-{self.current_version}-{stamp}.sqlite3"
        with _data_dir_lock(self.data_dir):
            backup_database(database, backup)
        columns = ledger_columns(backup)
        fingerprint = ledger_fingerprint(backup, columns)
        self.journal.update(backup=str(backup), fingerprint=fingerprint,
                            previous_wheelhouse=str(previous))
        self.log.info("database backed up to %s", backup)
        return previous, backup, fingerprint, columns

    def keep_current_wheelhouse(self, staged: StagedRelease) -> Path:
        """The running version's wheelhouse, covering everything the install may change.

        Kept by the last update (a full wheelhouse) or packed now from the installed
        distributions (:mod:`wheelpack`). Whatever the staged release would replace
        and the kept wheelhouse lacks at its installed version is packed into it too,
        so the rollback can put every one of them back.
        """
        target = self.paths.wheelhouse(self.current_version)
        present = self._wheels_in(target)
        if present.get(APP_PROJECT) != self.current_version:
            present = {}
        missing = [project for project in self._projects_to_keep(staged)
                   if present.get(project) != installed_version(project)]
        if not missing:
            self.log.info("keeping the wheelhouse of %s in %s", self.current_version, target)
            return target
        partial = target.with_name(target.name + ".packing")
        shutil.rmtree(partial, ignore_errors=True)
        if present:
            shutil.copytree(target, partial)
        for project in missing:
            for old in partial.glob("*.whl") if partial.is_dir() else ():
                if (wheel_project(old.name) or ("", ""))[0] == project:
                    old.unlink()
            wheel = repack(project, partial)
            self.log.info("packed the installed %s into %s", project, wheel.name)
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)
        return target

    @staticmethod
    def _wheels_in(folder: Path) -> dict[str, str]:
        """``{project: version}`` of the wheels in ``folder`` (empty if there is none)."""
        found: dict[str, str] = {}
        for wheel in folder.glob("*.whl") if folder.is_dir() else ():
            parsed = wheel_project(wheel.name)
            if parsed is not None:
                found[parsed[0]] = parsed[1]
        return found

    def _projects_to_keep(self, staged: StagedRelease) -> list[str]:
        """The app and every installed project the staged wheelhouse would replace."""
        projects = [APP_PROJECT]
        for name in staged.wheels:
            parsed = wheel_project(name)
            if parsed is None or parsed[0] == APP_PROJECT:
                continue
            installed = installed_version(parsed[0])
            if installed is not None and installed != parsed[1]:
                projects.append(parsed[0])
        return projects

    def pip_install(self, wheelhouse: Path, version: str) -> CommandResult:
        """Step 4: the staged version from the staged wheelhouse only."""
        self._phase("pip_install")
        command = [self.python, "-P", "-m", "pip", "install", "--no-index", "--find-links",
                   str(wheelhouse), "--disable-pip-version-check", "--no-input",
                   f"{APP_PROJECT}=={version}"]
        return self._run(command, PIP_TIMEOUT)

    def health_check(self, expected: str) -> CommandResult:
        """Step 5: the new code, in a new process, opens the database and the login.

        ``python -P`` (here, in the probe and in the restart): the working directory
        is not put on ``sys.path``, so the code run is the installed one, never an
        ``ipos_tui`` folder that happens to be nearby.
        """
        self._phase("health_check")
        command = [self.python, "-P", "-m", "ipos_tui.cli", "update", "health-check",
                   "--data-dir", str(self.data_dir), "--expect-version", expected]
        return self._run(command, HEALTH_TIMEOUT)

    def rollback(self, previous: Path, backup: Path, fingerprint: str,
                 columns: dict[str, list[str]]) -> bool:
        """Reinstall the kept wheelhouse; restore the database copy if the ledger is unchanged.

        True when the previous version is installed again (checked by importing it in
        a new process).
        """
        self._phase("rollback")
        wheels = self._rollback_wheels(previous)
        command = [self.python, "-P", "-m", "pip", "install", "--no-index", "--find-links",
                   str(previous), "--force-reinstall", "--no-deps",
                   "--disable-pip-version-check", "--no-input", *wheels]
        reinstalled = self._run(command, PIP_TIMEOUT).returncode == 0
        self._restore_if_unchanged(backup, fingerprint, columns)
        probe = self._run([self.python, "-P", "-c",
                           "import ipos_tui, sys; sys.stdout.write(ipos_tui.__version__)"], 60.0)
        back = probe.returncode == 0 and probe.output.strip().endswith(self.current_version)
        return reinstalled and back

    def _rollback_wheels(self, previous: Path) -> list[str]:
        """The kept wheels that differ from what is installed now: the app always, a
        dependency only if the failed install changed its version (reinstalling an
        unchanged one would only cost time and SD-card writes)."""
        chosen = []
        for wheel in sorted(previous.glob("*.whl")):
            parsed = wheel_project(wheel.name)
            if parsed is None:
                continue
            project, version = parsed
            if project == APP_PROJECT or installed_version(project) != version:
                chosen.append(str(wheel))
        return chosen

    def _restore_if_unchanged(self, backup: Path, fingerprint: str,
                              columns: dict[str, list[str]]) -> None:
        """Put the database copy back unless a ledger write happened since the backup."""
        database = self.data_dir / DB_FILENAME
        try:
            with _data_dir_lock(self.data_dir):
                if ledger_fingerprint(database, columns) == fingerprint:
                    restore_database(backup, database)
                    self.journal["database"] = "restored"
                    self.log.warning("database restored from %s (the ledger had not changed)",
                                     backup)
                    return
                self.journal["database"] = "kept"
                self.log.error("the ledger changed after the backup: database kept as it is, "
                               "backup left in %s", backup)
        except (DomainError, OSError, sqlite3.Error) as exc:
            self.journal["database"] = "kept"
            self.log.error("database not restored (%s): backup left in %s", exc, backup)

    def commit(self, staged: StagedRelease) -> None:
        """Step 6: the staged wheelhouse becomes the installed version's kept one."""
        target = self.paths.wheelhouse(staged.version)
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staged.directory), str(target))
        clear_staged(self.data_dir)
        self._prune_wheelhouses(keep={staged.version, self.current_version})
        self._prune_backups()

    # -- machinery --------------------------------------------------------------

    def _phase(self, phase: str) -> None:
        self.journal["phase"] = phase
        self.journal.setdefault("steps", []).append(
            {"phase": phase, "at": datetime.now(UTC).isoformat()})
        write_json_atomic(self.paths.journal, self.journal)
        self.log.info("install step: %s", phase)

    def _run(self, command: Sequence[str], timeout: float) -> CommandResult:
        self.log.info("running: %s", " ".join(command))
        result = self.run(command, timeout)
        tail = "\n".join(result.output.strip().splitlines()[-40:])
        self.log.info("exit %d%s", result.returncode, f"\n{tail}" if tail else "")
        return result

    def _prune_wheelhouses(self, keep: set[str]) -> None:
        if not self.paths.wheelhouses.is_dir():
            return
        for child in self.paths.wheelhouses.iterdir():
            if child.name not in keep:
                shutil.rmtree(child, ignore_errors=True)

    def _prune_backups(self, keep: int = 3) -> None:
        backups = sorted(self.paths.backups.glob("terminal-*.sqlite3"),
                         key=lambda p: p.stat().st_mtime)
        for old in backups[:-keep]:
            old.unlink(missing_ok=True)

    def finish(self, outcome: str, **details: Any) -> None:
        self.journal.update(outcome=outcome, finished=datetime.now(UTC).isoformat(), **details)
        self.journal["phase"] = "done"
        write_json_atomic(self.paths.journal, self.journal)


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


class _data_dir_lock:  # noqa: N801 - used as a context manager like open()
    """The terminal's directory lock while the database file is copied or replaced."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_FILENAME

    def __enter__(self) -> None:
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            raise DomainError("update.err_db_in_use", path=str(self.path.parent)) from None

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
