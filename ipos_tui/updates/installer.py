"""The steps of one install attempt (:class:`Installer`): verify the staged files,
keep the current wheelhouse, back up the database, ``pip install``, the health check,
the rollback and the bookkeeping after success; each step written to the journal and
the update log before it starts. The order they run in is
:func:`ipos_tui.updates.install.install_staged`'s.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import sys
from collections.abc import Sequence
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
from ipos_tui.updates.commands import CommandResult, Runner, run_command
from ipos_tui.updates.keys import trusted_keys
from ipos_tui.updates.paths import UpdatePaths, write_json_atomic
from ipos_tui.updates.staging import StagedRelease, clear_staged, verify_staged
from ipos_tui.updates.updatelog import update_logger
from ipos_tui.updates.wheelpack import installed_version, repack, wheel_project

APP_PROJECT = "ipos-tui"
DB_FILENAME = "terminal.sqlite3"
LOCK_FILENAME = "terminal.lock"
#: pip may build nothing (wheels only) but a slow SD card still takes a while.
PIP_TIMEOUT = 900.0
HEALTH_TIMEOUT = 180.0


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
