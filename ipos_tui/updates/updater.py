"""Check → download → verify → stage, for one terminal (used by the screen and the CLI).

Every refusal is a :class:`DomainError` with an ``update.err_*`` key, written to the
update log with its reason before it is raised, so the screen and the log always
agree. Nothing here installs anything: the install runs only at day close
(:mod:`ipos_tui.updates.hook`).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from ipos_tui import __version__
from ipos_tui.domain.errors import DomainError
from ipos_tui.protocol import DEFAULT_RELEASE_CHANNEL, ReleaseMetadata
from ipos_tui.sync.errors import SyncError
from ipos_tui.updates.download import DownloadCancelled, DownloadProgress, download_release
from ipos_tui.updates.keys import trusted_keys
from ipos_tui.updates.metadata import check_newer, verify_signed
from ipos_tui.updates.paths import UpdatePaths
from ipos_tui.updates.staging import StagedRelease, mark_staged, read_staged, unpack_wheelhouse
from ipos_tui.updates.updatelog import update_logger

#: Error code of the back office when no release is published on a channel.
NO_RELEASE_CODE = "release_none"

CheckStatus = Literal["available", "up_to_date", "staged", "no_release"]


class ReleaseSource(Protocol):
    """What the updater needs of :class:`ipos_tui.sync.client.SyncClient`."""

    def latest_release(self, channel: str) -> dict[str, Any]: ...

    def open_download(self, url: str, offset: int = 0) -> Any: ...


@dataclass(frozen=True)
class CheckResult:
    """The outcome of a check: ``metadata`` is verified when it is set."""

    status: CheckStatus
    current: str
    metadata: ReleaseMetadata | None = None
    signed: dict[str, Any] | None = None

    @property
    def version(self) -> str | None:
        return self.metadata.version if self.metadata else None


class Updater:
    """Updates of the terminal whose data dir is ``data_dir``, from ``source``."""

    def __init__(self, data_dir: Path, source: ReleaseSource, *,
                 channel: str = DEFAULT_RELEASE_CHANNEL, current: str = __version__,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 dry_run: Callable[[list[str], float], Any] | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.paths = UpdatePaths(self.data_dir)
        self.source = source
        self.channel = channel
        self.current = current
        self.clock = clock
        self.dry_run = dry_run
        self.log = update_logger(self.data_dir)

    def check(self) -> CheckResult:
        """Ask the back office for the latest release and verify what it says."""
        try:
            signed = self.source.latest_release(self.channel)
        except SyncError as error:
            if error.code == NO_RELEASE_CODE:
                self.log.info("check: no release published on %s", self.channel)
                return CheckResult("no_release", self.current)
            self.log.warning("check failed: %s", error)
            raise
        try:
            metadata = verify_signed(signed, trusted_keys(self.data_dir), channel=self.channel,
                                     now=self.clock())
            check_newer(metadata.version, self.current)
        except DomainError as error:
            if error.key == "update.err_same_version":
                self.log.info("check: %s is the installed version", self.current)
                return CheckResult("up_to_date", self.current)
            self.log.error("release refused: %s %s", error.key, error.params)
            raise
        staged = read_staged(self.data_dir)
        status: CheckStatus = (
            "staged" if staged is not None and staged.version == metadata.version else "available")
        self.log.info("check: %s %s (installed %s)", metadata.version, status, self.current)
        return CheckResult(status, self.current, metadata, dict(signed))

    def download_and_stage(
        self,
        found: CheckResult,
        *,
        progress: Callable[[DownloadProgress], None] = lambda p: None,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> StagedRelease:
        """Download the release ``found`` names, verify it and stage it."""
        if found.metadata is None or found.signed is None:
            raise DomainError("update.err_nothing_to_download")
        metadata = found.metadata
        self.log.info("download of %s (%d bytes) from %s", metadata.version, metadata.size,
                      metadata.url)
        try:
            archive = download_release(self.source, metadata, self.paths.downloads,
                                       progress=progress, cancelled=cancelled)
        except DownloadCancelled:
            self.log.info("download of %s stopped by the user (it resumes next time)",
                          metadata.version)
            raise
        except DomainError as error:
            self.log.error("download of %s refused: %s %s", metadata.version, error.key,
                           error.params)
            raise
        return self.stage(archive, metadata, found.signed)

    def stage(self, archive: Path, metadata: ReleaseMetadata,
              signed: dict[str, Any]) -> StagedRelease:
        """Unpack a verified archive and mark its version staged."""
        target = self.paths.staged_dir(metadata.version)
        try:
            wheels = unpack_wheelhouse(archive, target, metadata.version)
            self._check_installable(target, metadata.version)
        except DomainError as error:
            shutil.rmtree(target, ignore_errors=True)
            self.log.error("staging of %s refused: %s %s", metadata.version, error.key,
                           error.params)
            raise
        staged = mark_staged(self.paths, metadata, signed, wheels, now=self.clock())
        archive.unlink(missing_ok=True)
        for leftover in self.paths.downloads.glob("*"):  # parts of superseded releases
            leftover.unlink(missing_ok=True)
        self.log.info("%s staged (%d wheels): it installs at the next day close",
                      metadata.version, len(wheels))
        return staged


    def _check_installable(self, wheelhouse: Path, version: str) -> None:
        """``pip install --dry-run --no-index`` of the staged wheelhouse into this very
        environment: wheels for another Python or platform, or a dependency missing
        from the wheelhouse, are found now instead of at day close."""
        import sys

        from ipos_tui.updates.commands import run_command

        command = [sys.executable, "-P", "-m", "pip", "install", "--dry-run", "--no-index",
                   "--find-links", str(wheelhouse), "--disable-pip-version-check",
                   "--no-input", "--quiet", f"ipos-tui=={version}"]
        result = (self.dry_run or run_command)(command, 300.0)
        if result.returncode != 0:
            lines = [line for line in result.output.strip().splitlines() if line.strip()]
            self.log.error("staged wheelhouse does not install here:\n%s", "\n".join(lines[-20:]))
            raise DomainError("update.err_not_installable", version=version,
                              detail=(lines[-1] if lines else f"pip exit {result.returncode}")[:200])


def staged_version(data_dir: Path) -> str | None:
    """The version waiting for day close, if any (for the top bar and 7. Informacje)."""
    staged = read_staged(Path(data_dir))
    return staged.version if staged is not None else None


_STAGED_CACHE: dict[Path, tuple[float | None, str | None]] = {}


def staged_version_cached(data_dir: Path) -> str | None:
    """:func:`staged_version`, re-read only when ``staged.json`` changed (the top bar
    asks every second)."""
    marker = UpdatePaths(Path(data_dir)).staged_marker
    try:
        stamp: float | None = marker.stat().st_mtime_ns
    except OSError:
        stamp = None
    cached = _STAGED_CACHE.get(marker)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    version = staged_version(data_dir) if stamp is not None else None
    _STAGED_CACHE[marker] = (stamp, version)
    return version
