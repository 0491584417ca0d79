"""The headers a terminal sends with each call, read as they are validated: each may be
absent, and an empty value is taken as absent ("not said"); anything else that is not
valid is a 422."""

import re
from datetime import UTC, datetime

from fastapi import Request

from ipos_tui.protocol import (
    HEADER_OLDEST_PENDING,
    HEADER_PENDING_COUNT,
    HEADER_STAGED_VERSION,
    NOTHING_STAGED,
    STAGED_VERSION_PATTERN,
)

from .errors import ApiError

_DIGITS = re.compile(r"[0-9]{1,40}")
VERSION_DIGITS = re.compile(r"[0-9]{1,9}")
_STAGED_VERSION = re.compile(STAGED_VERSION_PATTERN)


def pending_count(header: str | None) -> int | None:
    """The terminal's unsent documents as its ``X-Pending-Count`` header says (None:
    not said, also when empty); 422 for anything but (ASCII) digits."""
    if header is None or not header.strip():
        return None
    if not _DIGITS.fullmatch(header.strip()):
        raise ApiError(422, "header_invalid", f"{HEADER_PENDING_COUNT} must be a number")
    return min(int(header), 2**31 - 1)


def oldest_pending(header: str | None) -> datetime | None:
    """The UTC time (naive, as stored) of the terminal's oldest unsent document, from
    ``X-Oldest-Pending`` (ISO 8601; without an offset it is UTC). None: not said
    (absent or empty); 422 for anything else that is not such a time."""
    if header is None or not header.strip():
        return None
    try:
        if len(header) > 40:
            raise ValueError(header[:40])
        value = datetime.fromisoformat(header.strip())
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        raise ApiError(422, "header_invalid",
                       f"{HEADER_OLDEST_PENDING} must be an ISO 8601 time "
                       "(e.g. 2026-12-04T17:05:00Z)") from None
    return value


def staged_version(header: str | None) -> str | None:
    """The version the terminal has staged (``X-Staged-Version``), ``NOTHING_STAGED``,
    or None: not said (absent or empty); 422 for anything that is no version."""
    if header is None or not header.strip():
        return None
    if not _STAGED_VERSION.fullmatch(header.strip()):
        raise ApiError(422, "header_invalid",
                       f"{HEADER_STAGED_VERSION} must be a version or {NOTHING_STAGED!r}")
    return header.strip()


def client_address(request: Request) -> str:
    """The caller's address as uvicorn reports it (behind a proxy it trusts, the
    forwarded one)."""
    return request.client.host if request.client else "?"
