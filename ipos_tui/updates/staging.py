"""The staged state: a verified wheelhouse unpacked in the data dir, ready to install.

Staging happens only after the downloaded archive matched the signed sha256 and
size. The marker ``staged.json`` is written last and atomically, so a crash while
unpacking leaves "nothing staged", never half a wheelhouse marked ready. The marker
keeps the signed metadata and a sha256 per wheel: the install re-checks both, so a
file changed on disk after staging is refused too.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ipos_tui.domain.errors import DomainError
from ipos_tui.protocol import ReleaseMetadata
from ipos_tui.updates.keys import TrustedKey
from ipos_tui.updates.metadata import verify_signed
from ipos_tui.updates.paths import UpdatePaths, read_json, write_json_atomic

#: Distribution name of the app in wheel file names (PEP 427 escaping of "ipos-tui").
APP_WHEEL_PREFIX = "ipos_tui-"
_WHEEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*\.whl$")
#: A wheelhouse of a few dozen wheels; more entries means something else.
MAX_ARCHIVE_ENTRIES = 500
#: Unpacked size bound (zip bombs): 1 GiB is far above any real wheelhouse.
MAX_UNPACKED_BYTES = 1 << 30


@dataclass(frozen=True)
class StagedRelease:
    """A staged version: where its wheels are and what was verified."""

    version: str
    directory: Path
    signed: dict[str, Any]
    wheels: dict[str, str]
    staged_at: datetime
    channel: str

    @property
    def app_wheel(self) -> str:
        return app_wheel_name(self.wheels, self.version)


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def app_wheel_name(names: Mapping[str, str] | list[str], version: str) -> str:
    """The app's own wheel among ``names`` for ``version``; refuses if it is missing."""
    wanted = f"{APP_WHEEL_PREFIX}{version}-"
    for name in names:
        if name.startswith(wanted) and name.endswith(".whl"):
            return name
    raise DomainError("update.err_archive", detail=f"no {wanted}*.whl in the wheelhouse")


def unpack_wheelhouse(archive: Path, target: Path, version: str) -> dict[str, str]:
    """Unpack the wheelhouse zip into ``target``; returns ``{wheel name: sha256}``.

    Only flat ``*.whl`` names are accepted (no directories, no ``..``), within a size
    bound, and the app's wheel of ``version`` must be there.
    """
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            _check_entries(infos)
            app_wheel_name([i.filename for i in infos], version)
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            for info in infos:
                with zf.open(info) as src, open(target / info.filename, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DomainError("update.err_archive", detail=str(exc)[:160]) from None
    return {path.name: sha256_file(path) for path in sorted(target.glob("*.whl"))}


def _check_entries(infos: list[zipfile.ZipInfo]) -> None:
    if not infos or len(infos) > MAX_ARCHIVE_ENTRIES:
        raise DomainError("update.err_archive", detail=f"{len(infos)} entries")
    if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise DomainError("update.err_archive", detail="too large when unpacked")
    for info in infos:
        if info.is_dir() or not _WHEEL_NAME.match(info.filename):
            raise DomainError("update.err_archive", detail=f"unexpected entry {info.filename!r}")


def mark_staged(paths: UpdatePaths, metadata: ReleaseMetadata, signed: dict[str, Any],
                wheels: dict[str, str], now: datetime | None = None) -> StagedRelease:
    """Record ``metadata.version`` as staged (the last step of staging)."""
    staged_at = now or datetime.now(UTC)
    write_json_atomic(paths.staged_marker, {
        "version": metadata.version,
        "channel": metadata.channel,
        "directory": str(paths.staged_dir(metadata.version).relative_to(paths.root)),
        "signed": signed,
        "wheels": wheels,
        "staged_at": staged_at.isoformat(),
    })
    _remove_other_staged(paths, metadata.version)
    staged = read_staged(paths.data_dir)
    assert staged is not None  # just written
    return staged


def _remove_other_staged(paths: UpdatePaths, keep: str) -> None:
    if not paths.staged_root.is_dir():
        return
    for child in paths.staged_root.iterdir():
        if child.name != keep:
            shutil.rmtree(child, ignore_errors=True)


def read_staged(data_dir: Path) -> StagedRelease | None:
    """The staged release of ``data_dir``, or None (nothing staged or marker unreadable)."""
    paths = UpdatePaths(Path(data_dir))
    data = read_json(paths.staged_marker)
    if not isinstance(data, dict):
        return None
    try:
        directory = paths.root / str(data["directory"])
        staged = StagedRelease(
            version=str(data["version"]), directory=directory, signed=dict(data["signed"]),
            wheels={str(k): str(v) for k, v in dict(data["wheels"]).items()},
            staged_at=datetime.fromisoformat(str(data["staged_at"])),
            channel=str(data["channel"]),
        )
    except (KeyError, TypeError, ValueError):
        return None
    return staged if staged.directory.is_dir() else None


def verify_staged(staged: StagedRelease, trusted: Mapping[str, TrustedKey]) -> ReleaseMetadata:
    """Check a staged release again right before installing it.

    The signature must still verify with a trusted key (as of the staging time, so
    metadata that expired since is still the release that was verified), the
    version must match, and every wheel must have the sha256 recorded at staging and
    nothing else may have been added.
    """
    metadata = verify_signed(staged.signed, trusted, channel=staged.channel,
                             now=staged.staged_at)
    if metadata.version != staged.version:
        raise DomainError("update.err_staged_changed", detail="version")
    on_disk = {p.name for p in staged.directory.glob("*.whl")}
    if on_disk != set(staged.wheels):
        raise DomainError("update.err_staged_changed", detail="wheel files added or removed")
    for name, digest in staged.wheels.items():
        if sha256_file(staged.directory / name) != digest:
            raise DomainError("update.err_staged_changed", detail=name)
    return metadata


def clear_staged(data_dir: Path) -> None:
    """Forget the staged release (after installing it, or when it is obsolete)."""
    paths = UpdatePaths(Path(data_dir))
    paths.staged_marker.unlink(missing_ok=True)
    shutil.rmtree(paths.staged_root, ignore_errors=True)
