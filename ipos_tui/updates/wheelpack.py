"""Wheels of what is installed right now, for a rollback with no network.

The first update of a terminal has no wheelhouse of the running version to go back
to (the app came from pip, a USB stick, an image). Rather than hope for the network
at the worst moment, the installed distributions an update would replace are packed
back into wheels from their installed files and ``RECORD`` (the same files pip
installed; ``__pycache__`` and files outside site-packages, such as console scripts
pip regenerates from ``entry_points.txt``, are left out). Editable installs point
at a source tree and cannot be packed: an update refuses to run over one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zipfile
from importlib.metadata import Distribution, PackageNotFoundError, distribution
from pathlib import Path

from ipos_tui.domain.errors import DomainError

#: dist-info files pip writes at install time: never part of a wheel.
_INSTALL_ONLY = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}
_WHEEL_FILE = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+)(-\d[^-]*)?-[^-]+-[^-]+-[^-]+\.whl$")


def normalise_name(name: str) -> str:
    """PEP 503 normalised project name ("IPOS_tui" → "ipos-tui")."""
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_project(filename: str) -> tuple[str, str] | None:
    """``(normalised project name, version)`` of a wheel file name, or None."""
    match = _WHEEL_FILE.match(filename)
    if match is None:
        return None
    return normalise_name(match["name"]), match["version"]


def installed_version(project: str) -> str | None:
    """The installed version of ``project`` in this interpreter's environment."""
    try:
        return distribution(project).version
    except PackageNotFoundError:
        return None


def is_editable(project: str) -> bool:
    """Whether ``project`` is installed in editable/development mode (PEP 660/610)."""
    try:
        dist = distribution(project)
    except PackageNotFoundError:
        return False
    text = dist.read_text("direct_url.json")
    if not text:
        return False
    try:
        return bool(json.loads(text).get("dir_info", {}).get("editable"))
    except (ValueError, AttributeError):
        return False


def repack(project: str, out_dir: Path) -> Path:
    """Write a wheel of the installed ``project`` into ``out_dir``; returns its path."""
    try:
        dist = distribution(project)
    except PackageNotFoundError:
        raise DomainError("update.err_repack", project=project, detail="not installed") from None
    if is_editable(project):
        raise DomainError("update.err_repack", project=project, detail="editable install")
    files = dist.files
    if not files:
        raise DomainError("update.err_repack", project=project, detail="no RECORD")
    info_dir = _dist_info_dir(dist, project)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / _wheel_filename(dist, info_dir)
    records: list[str] = []
    partial = target.with_name(target.name + ".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for item in files:
            rel = item.as_posix()
            if not _packable(rel, info_dir):
                continue
            source = Path(str(dist.locate_file(item)))
            if not source.is_file():
                continue
            data = source.read_bytes()
            zf.writestr(_zip_info(rel, source), data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            records.append(f"{rel},sha256={digest.decode()},{len(data)}")
        records.append(f"{info_dir}/RECORD,,")
        zf.writestr(f"{info_dir}/RECORD", "\n".join(records) + "\n")
    partial.replace(target)
    return target


def _packable(rel: str, info_dir: str) -> bool:
    if rel.startswith("../") or rel.startswith("/") or "__pycache__/" in rel:
        return False
    if rel.endswith(".pyc"):
        return False
    head, _, tail = rel.partition("/")
    return not (head == info_dir and tail in _INSTALL_ONLY)


def _zip_info(rel: str, source: Path) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(rel, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (source.stat().st_mode & 0o777 | 0o100000) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _dist_info_dir(dist: Distribution, project: str) -> str:
    for item in dist.files or ():
        parts = item.parts
        if len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] == "METADATA":
            return parts[0]
    raise DomainError("update.err_repack", project=project, detail="no .dist-info")


def _wheel_filename(dist: Distribution, info_dir: str) -> str:
    """``name-version-py-abi-platform.whl`` from the dist-info's WHEEL tags."""
    wheel = dist.read_text("WHEEL") or ""
    tags = [line.split(":", 1)[1].strip() for line in wheel.splitlines()
            if line.lower().startswith("tag:")]
    if not tags:
        raise DomainError("update.err_repack", project=dist.metadata["Name"], detail="no WHEEL tags")
    columns = [sorted({tag.split("-")[i] for tag in tags}) for i in range(3)]
    tag = "-".join(".".join(column) for column in columns)
    name = info_dir[: -len(".dist-info")]
    return f"{name}-{tag}.whl"
