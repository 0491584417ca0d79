"""Releases of the terminal app: keys, publishing a signed wheelhouse, the release store.

A release is one zip of a wheelhouse — the app wheel plus every dependency wheel it
needs — so a terminal that reaches only its back office installs it with
``pip --no-index --find-links``. Its metadata (version, sha256, size, url, channel,
expires) is signed with an Ed25519 key over its canonical JSON; terminals verify it
with public keys they already have (never one sent with the release).

Store layout (``--releases-dir``, default ``releases/`` beside the SQLite database):
``files/<archive>.zip`` and ``<channel>/latest.json`` (+ ``<channel>/<version>.json``
as history). ``latest.json`` is replaced atomically after the archive is complete,
so a terminal never sees metadata for a file that is not there yet.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

import platformdirs
from peewee import Database, SqliteDatabase

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ipos_tui.domain.errors import DomainError
from ipos_tui.fileio import write_json_atomic
from ipos_tui.protocol import (
    DEFAULT_RELEASE_CHANNEL,
    RELEASE_CHANNEL_PATTERN,
    RELEASE_FILE_PATTERN,
    RELEASES_PATH,
    SignedRelease,
    canonical_json,
    release_key_id,
)

APP_PROJECT = "ipos-tui"
DEFAULT_EXPIRES_DAYS = 30
_WHEEL = re.compile(r"^(?P<name>[A-Za-z0-9_.]+)-(?P<version>[^-]+)-.+\.whl$")


def default_releases_dir(db: Database) -> Path:
    """``releases/`` next to the SQLite file, else in the back office's data dir."""
    if isinstance(db, SqliteDatabase) and db.database not in ("", ":memory:"):
        return Path(db.database).resolve().parent / "releases"
    return Path(platformdirs.user_data_dir("ipos-backoffice", appauthor=False)) / "releases"


def check_channel(channel: str) -> str:
    if not re.fullmatch(RELEASE_CHANNEL_PATTERN, channel or ""):
        raise DomainError("update.err_channel_invalid", channel=channel)
    return channel


@dataclass(frozen=True)
class ReleaseStore:
    """The published releases under ``root``."""

    root: Path

    @property
    def files(self) -> Path:
        return self.root / "files"

    def latest(self, channel: str) -> dict[str, Any] | None:
        """The signed metadata of ``channel``'s latest release, as published."""
        data = read_json(self.root / check_channel(channel) / "latest.json")
        return data if isinstance(data, dict) else None

    def file(self, name: str) -> Path | None:
        """A release file by name (None for anything that is not a plain file name)."""
        if not re.fullmatch(RELEASE_FILE_PATTERN, name) or ".." in name:
            return None
        path = self.files / name
        return path if path.is_file() else None

    def publish(self, archive: Path, signed: dict[str, Any]) -> None:
        """Store ``archive`` and make ``signed`` its channel's latest release."""
        metadata = signed["metadata"]
        channel_dir = self.root / check_channel(metadata["channel"])
        self.files.mkdir(parents=True, exist_ok=True)
        target = self.files / archive.name
        partial = target.with_name(target.name + ".part")
        shutil.copyfile(archive, partial)
        partial.replace(target)
        write_json_atomic(channel_dir / f"{metadata['version']}.json", signed, mode=0o600)
        write_json_atomic(channel_dir / "latest.json", signed, mode=0o600)

    def list(self) -> list[dict[str, Any]]:
        """Every published release, newest first per channel, with ``latest`` marked."""
        rows: list[dict[str, Any]] = []
        if not self.root.is_dir():
            return rows
        for channel_dir in sorted(p for p in self.root.iterdir()
                                  if p.is_dir() and p.name != "files"):
            latest = self.latest(channel_dir.name) or {}
            for path in channel_dir.glob("*.json"):
                if path.name == "latest.json":
                    continue
                signed = read_json(path)
                meta = signed.get("metadata") if isinstance(signed, dict) else None
                if not isinstance(meta, dict):  # not a release's metadata: not listed
                    continue
                rows.append({"channel": channel_dir.name, "version": meta.get("version"),
                             "size": meta.get("size"), "published": meta.get("published"),
                             "expires": meta.get("expires"), "key_id": signed.get("key_id"),
                             "file": str(meta.get("url", "")).rsplit("/", 1)[-1],
                             "latest": signed == latest})
        rows.sort(key=lambda r: (r["channel"], str(r["published"] or "")), reverse=True)
        return rows


def wheel_identity(wheel: Path) -> tuple[str, str]:
    """``(project, version)`` of a wheel, from its METADATA (the file name can lie)."""
    try:
        with zipfile.ZipFile(wheel) as zf:
            name = next(n for n in zf.namelist()
                        if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
            headers = HeaderParser().parsestr(zf.read(name).decode("utf-8"))
    except (OSError, zipfile.BadZipFile, StopIteration, UnicodeDecodeError) as exc:
        raise DomainError("update.err_wheel_invalid", path=str(wheel),
                          detail=type(exc).__name__) from None
    project = re.sub(r"[-_.]+", "-", headers.get("Name", "")).lower()
    version = headers.get("Version", "")
    if project != APP_PROJECT:
        raise DomainError("update.err_wheel_invalid", path=str(wheel),
                          detail=f"a wheel of {project or '?'}, not {APP_PROJECT}")
    if not re.fullmatch(r"[0-9A-Za-z.!+_-]{1,64}", version):
        raise DomainError("update.err_wheel_invalid", path=str(wheel), detail="version")
    return project, version


def build_wheelhouse(wheel: Path, out_dir: Path, *, wheelhouse_from: Path | None = None,
                     no_deps: bool = False, pip_args: Sequence[str] = (),
                     python: str = sys.executable) -> list[Path]:
    """Collect the app wheel and its dependency wheels into ``out_dir``.

    Default: ``pip wheel`` of the app wheel (dependencies from the package index, or
    whatever ``pip_args`` say: ``--find-links``, ``--platform``…). ``wheelhouse_from``:
    copy the wheels of a directory instead (offline). Either way the result is
    checked with a ``pip install --dry-run --no-index --ignore-installed`` against
    the wheelhouse alone, so a missing dependency is found here, not on a terminal.
    ``no_deps`` ships the app wheel alone and skips that check: only for terminals
    that already have every dependency at the right version.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(wheel, out_dir / wheel.name)
    if wheelhouse_from is not None:
        for source in sorted(Path(wheelhouse_from).glob("*.whl")):
            if source.name != wheel.name and not source.name.startswith("ipos_tui-"):
                shutil.copy2(source, out_dir / source.name)
    elif not no_deps:
        _pip(python, ["wheel", "--wheel-dir", str(out_dir), *pip_args, str(wheel)])
    if not no_deps and not any(a in ("--platform", "--python-version") for a in pip_args):
        _, version = wheel_identity(wheel)
        _pip(python, ["install", "--dry-run", "--no-index", "--ignore-installed",
                      "--find-links", str(out_dir), f"{APP_PROJECT}=={version}"])
    return sorted(out_dir.glob("*.whl"))


def _pip(python: str, args: list[str]) -> None:
    command = [python, "-m", "pip", "--disable-pip-version-check", *args]
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          check=False, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        tail = done.stdout.decode("utf-8", "replace").strip().splitlines()[-12:]
        raise DomainError("update.err_wheelhouse", command=" ".join(args[:1]),
                          detail="\n".join(tail))


def pack_archive(wheels: Sequence[Path], archive: Path) -> None:
    """A zip of the wheels (stored: wheels are compressed already), fixed order/dates."""
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zf:
        for wheel in sorted(wheels, key=lambda p: p.name):
            info = zipfile.ZipInfo(wheel.name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            with open(wheel, "rb") as src, zf.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def publish(store: ReleaseStore, wheel: Path, key_file: Path, *,
            channel: str = DEFAULT_RELEASE_CHANNEL, expires_days: float = DEFAULT_EXPIRES_DAYS,
            wheelhouse_from: Path | None = None, no_deps: bool = False,
            pip_args: Sequence[str] = (), now: datetime | None = None) -> dict[str, Any]:
    """Build, sign and publish ``wheel``; returns the signed metadata as served."""
    check_channel(channel)
    if expires_days <= 0:
        raise DomainError("update.err_expires_invalid", days=expires_days)
    key = load_private_key(key_file)  # before the slow part: a wrong key fails at once
    _, version = wheel_identity(Path(wheel))
    moment = now or datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="ipos-release-") as tmp:
        wheels = build_wheelhouse(Path(wheel), Path(tmp) / "wheelhouse",
                                  wheelhouse_from=wheelhouse_from, no_deps=no_deps,
                                  pip_args=pip_args)
        packed = Path(tmp) / "wheelhouse.zip"
        pack_archive(wheels, packed)
        digest = sha256_of(packed)
        # the name carries the content hash: a URL never serves other bytes later
        archive = packed.rename(Path(tmp) / f"ipos-tui-{version}-{digest[:12]}-wheelhouse.zip")
        metadata = {
            "version": version,
            "sha256": digest,
            "size": archive.stat().st_size,
            "url": f"{RELEASES_PATH}/files/{archive.name}",
            "channel": channel,
            "expires": (moment + timedelta(days=expires_days)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "published": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "package": APP_PROJECT,
        }
        signed = sign_metadata(metadata, key)
        store.publish(archive, signed)
    return {**signed, "wheels": [w.name for w in wheels]}


def keygen(out_dir: Path, name: str = "release") -> dict[str, str]:
    """Write ``NAME.key`` (private, created with mode 0600) and ``NAME.pub`` into ``out_dir``.

    Never overwrites: losing a private key means terminals must be told to trust a
    new one before they accept another release.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    private_path, public_path = out_dir / f"{name}.key", out_dir / f"{name}.pub"
    if private_path.exists() or public_path.exists():
        raise DomainError("update.err_key_exists", path=str(private_path))
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    os.chmod(private_path, 0o600)  # whatever the umask said
    public_path.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return {"private_key": str(private_path), "public_key": str(public_path),
            "key_id": key_id(key)}


def key_id(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw)
    return release_key_id(raw)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The signing key in ``path`` (PEM, PKCS#8, unencrypted)."""
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise DomainError("update.err_private_key_invalid", path=str(path),
                          detail=str(exc)[:120]) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise DomainError("update.err_private_key_invalid", path=str(path), detail="not Ed25519")
    return key


def sign_metadata(metadata: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """``{metadata, key_id, signature}``: the signature covers the canonical JSON."""
    signature = base64.b64encode(key.sign(canonical_json(metadata))).decode("ascii")
    return SignedRelease(metadata=dict(metadata), key_id=key_id(key),
                         signature=signature).to_wire()


def read_json(path: Path) -> Any | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
