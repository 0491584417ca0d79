"""Signed release metadata: what ``GET /api/v1/releases/latest`` answers and the
bytes its signature covers (DESIGN.md "Wire protocol → Updates")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from pydantic import Field

from ipos_tui.protocol.base import WireModel
from ipos_tui.protocol.versions import API_PREFIX

#: ``GET /api/v1/releases/latest?channel=`` answers :class:`SignedRelease`; the files
#: are served under this path (``…/releases/files/{name}``) with HTTP Range support.
RELEASES_PATH: Final = f"{API_PREFIX}/releases"
DEFAULT_RELEASE_CHANNEL: Final = "stable"
#: Channel names: short, lowercase, safe as a directory name.
RELEASE_CHANNEL_PATTERN: Final = r"^[a-z0-9][a-z0-9_-]{0,31}$"
#: A release file name as served: the wheelhouse archive, nothing with a path.
RELEASE_FILE_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$"


class ReleaseMetadata(WireModel):
    """What a signature vouches for (DESIGN.md "Wire protocol → Updates").

    ``url`` is relative to the back office (``/api/v1/releases/files/…``) or absolute;
    ``sha256``/``size`` describe that file: a zip of the wheelhouse (the app wheel plus
    every dependency wheel). ``expires`` (UTC, ISO 8601) bounds how long a captured
    answer can be replayed to hold a terminal back.
    """

    version: str = Field(min_length=1, max_length=64)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(gt=0)
    url: str = Field(min_length=1, max_length=500)
    channel: str = Field(pattern=RELEASE_CHANNEL_PATTERN)
    expires: datetime
    published: datetime | None = None
    package: str = "ipos-tui"


class SignedRelease(WireModel):
    """``metadata`` + an Ed25519 signature over its canonical JSON.

    Canonical JSON: ``json.dumps(metadata, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False).encode("utf-8")`` of the metadata object exactly as sent (a
    verifier hashes the received object, never a re-serialised model). ``key_id``
    names the signing key (first 16 hex digits of the sha256 of the raw public key)
    so a terminal picks among keys it already trusts; it is never a key itself.
    """

    metadata: dict[str, Any]
    key_id: str = Field(pattern=r"^[0-9a-f]{16}$")
    signature: str = Field(min_length=1, max_length=200)


def canonical_json(value: Mapping[str, Any]) -> bytes:
    """The bytes a release signature covers (both sides use this one function)."""
    import json

    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def release_key_id(raw_public_key: bytes) -> str:
    """The id of an Ed25519 public key (its 32 raw bytes): 16 hex digits of its sha256."""
    import hashlib

    return hashlib.sha256(raw_public_key).hexdigest()[:16]
