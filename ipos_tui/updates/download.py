"""Resumable download of a release file, verified against its signed size and sha256.

The partial file is named by the expected sha256 (``downloads/<sha256>.part``): a
resume can only ever continue the same release, and a finished file is verified
before it is renamed to ``<sha256>.zip``. Over GSM a link drops often: transport
errors resume from the bytes already on disk (a few times, with a growing pause),
and a download stopped by the user resumes on the next try. The server may ignore
the ``Range`` header (200 instead of 206): the file then starts again from zero.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx

from ipos_tui.domain.errors import DomainError
from ipos_tui.protocol import ReleaseMetadata
from ipos_tui.sync.errors import SyncError

CHUNK = 64 * 1024
#: Attempts after a broken connection before giving up (the next try resumes).
RESUME_ATTEMPTS = 5
#: Seconds over which the shown speed is averaged.
SPEED_WINDOW = 3.0


@dataclass(frozen=True)
class DownloadProgress:
    """Bytes on disk out of ``total``, and the recent speed in bytes per second."""

    done: int
    total: int
    speed: float
    resumed_from: int = 0

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.total) if self.total else 0.0


class Downloader(Protocol):
    def open_download(self, url: str, offset: int = 0) -> object: ...


class DownloadCancelled(Exception):
    """The user stopped the download; the partial file stays for a resume."""


class _Speed:
    """Bytes per second over the last :data:`SPEED_WINDOW` seconds."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._samples: list[tuple[float, int]] = []

    def start(self, done: int) -> None:
        """Where a (resumed) transfer begins: speed counts only bytes moved since."""
        self._samples = [(self._clock(), done)]

    def add(self, done: int) -> float:
        now = self._clock()
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[0][0] > SPEED_WINDOW:
            self._samples.pop(0)
        (t0, d0), (t1, d1) = self._samples[0], self._samples[-1]
        return (d1 - d0) / (t1 - t0) if t1 > t0 else 0.0


def part_path(downloads: Path, sha256: str) -> Path:
    return downloads / f"{sha256}.part"


def complete_path(downloads: Path, sha256: str) -> Path:
    return downloads / f"{sha256}.zip"


def download_release(
    client: Downloader,
    metadata: ReleaseMetadata,
    downloads: Path,
    *,
    progress: Callable[[DownloadProgress], None] = lambda p: None,
    cancelled: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Path:
    """Download ``metadata.url`` into ``downloads`` and verify it; returns the file.

    Raises ``update.err_size`` / ``update.err_sha256`` (the file is deleted: a
    tampered file must not be resumed), :class:`DownloadCancelled`, or the
    :class:`SyncError` of a connection that stayed down after the resume attempts.
    """
    downloads.mkdir(parents=True, exist_ok=True)
    done_file = complete_path(downloads, metadata.sha256)
    if done_file.exists():
        _verify(done_file, metadata)
        progress(DownloadProgress(metadata.size, metadata.size, 0.0, metadata.size))
        return done_file
    part = part_path(downloads, metadata.sha256)
    speed = _Speed(clock)
    for attempt in range(1, RESUME_ATTEMPTS + 1):
        try:
            _fetch(client, metadata, part, progress, cancelled, speed)
            break
        except SyncError as error:
            if error.key != "sync.err.offline" or attempt == RESUME_ATTEMPTS:
                raise
            sleep(min(30.0, 0.5 * 2 ** (attempt - 1)))
    _verify(part, metadata)
    os.replace(part, done_file)
    return done_file


def _fetch(client: Downloader, metadata: ReleaseMetadata, part: Path,
           progress: Callable[[DownloadProgress], None], cancelled: Callable[[], bool],
           speed: _Speed) -> None:
    offset = part.stat().st_size if part.exists() else 0
    if offset > metadata.size:
        part.unlink()
        offset = 0
    if offset == metadata.size:
        return
    with client.open_download(metadata.url, offset) as response:  # type: ignore[attr-defined]
        response: httpx.Response
        if response.status_code == 416:  # nothing after offset: the file is shorter
            part.unlink(missing_ok=True)
            raise DomainError("update.err_size", expected=metadata.size, got=offset)
        if response.status_code == 206:
            start = _range_start(response)
            if start != offset:
                raise DomainError("update.err_bad_range", detail=response.headers.get(
                    "Content-Range", ""))
        else:  # 200: the whole file again
            offset = 0
        mode = "ab" if offset else "wb"
        done = offset
        speed.start(offset)
        progress(DownloadProgress(done, metadata.size, 0.0, offset))
        with open(part, mode) as handle:
            for chunk in response.iter_bytes(CHUNK):
                if cancelled():
                    handle.flush()
                    raise DownloadCancelled
                done += len(chunk)
                if done > metadata.size:
                    handle.close()
                    part.unlink(missing_ok=True)
                    raise DomainError("update.err_size", expected=metadata.size, got=done)
                handle.write(chunk)
                progress(DownloadProgress(done, metadata.size, speed.add(done), offset))
            handle.flush()
            os.fsync(handle.fileno())


def _range_start(response: httpx.Response) -> int | None:
    value = response.headers.get("Content-Range", "")
    unit, _, rest = value.partition(" ")
    if unit.strip().lower() != "bytes":
        return None
    first = rest.partition("-")[0]
    return int(first) if first.isdigit() else None


def _verify(path: Path, metadata: ReleaseMetadata) -> None:
    """Size first (cheap), then sha256; a mismatch deletes the file."""
    size = path.stat().st_size
    if size != metadata.size:
        path.unlink(missing_ok=True)
        raise DomainError("update.err_size", expected=metadata.size, got=size)
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    if digest.hexdigest() != metadata.sha256:
        path.unlink(missing_ok=True)
        raise DomainError("update.err_sha256", expected=metadata.sha256[:12],
                          got=digest.hexdigest()[:12])
