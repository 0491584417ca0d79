"""Protocol versions, the API prefix and the headers every request and answer may carry.

Versions: the back office serves :data:`PROTOCOL_VERSION` and
:data:`PREVIOUS_PROTOCOL_VERSION` on every endpoint (an old terminal must still upload
its sales and fetch the update that fixes it); anything older is answered with 426.
Version 2 added per-document ``warnings`` to the push results; a version-1 terminal
gets the same results without them. Version 3 added compact pull pages
(:class:`~ipos_tui.protocol.compact.CompactPullResponse`, see that module); they
are sent only to a caller that says ``X-Protocol-Version: 3`` (or newer) — a v1/v2
terminal, or curl without the header, gets the plain
:class:`~ipos_tui.protocol.feed.PullResponse`. Pushes, activation and lookups are the
same on every version.

Additive changes need no new version: fields a receiver does not know are ignored and
optional fields a sender leaves out take their defaults. So a receipt's ``kind`` and
``buyer`` (an invoice's or a NIP receipt's customer) are optional on every version: a
terminal that does not send them (protocol 1, or an older protocol-2 build) uploads a
plain "paragon", exactly what it printed. Likewise every document's
``authorisations`` (who allowed what the cashier may not do alone).
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import Field

from ipos_tui.protocol.base import WireModel

#: The protocol version this code speaks.
PROTOCOL_VERSION: Final = 3
#: The version before it (plain pull pages).
PREVIOUS_PROTOCOL_VERSION: Final = 2
#: The oldest version still served (DESIGN.md: the current and the previous one).
OLDEST_PROTOCOL_VERSION: Final = PREVIOUS_PROTOCOL_VERSION
#: Every version the back office accepts.
SUPPORTED_PROTOCOL_VERSIONS: Final = frozenset(
    range(OLDEST_PROTOCOL_VERSION, PROTOCOL_VERSION + 1))
#: The first version that is sent compact pull pages (:class:`CompactPullResponse`).
COMPACT_PAGES_VERSION: Final = 3

API_PREFIX: Final = "/api/v1"
HEADER_PROTOCOL_VERSION: Final = "X-Protocol-Version"
HEADER_TERMINAL_VERSION: Final = "X-Terminal-Version"
HEADER_PENDING_COUNT: Final = "X-Pending-Count"
#: UTC ISO 8601 time of the terminal's oldest unsent document ("2026-12-04T17:05:00Z");
#: sent with ``X-Pending-Count`` while anything is unsent (a count of 0 means none).
HEADER_OLDEST_PENDING: Final = "X-Oldest-Pending"
#: The app version the terminal has staged (downloaded and verified, not installed
#: yet), or :data:`NOTHING_STAGED`. A header that is absent or empty says nothing.
HEADER_STAGED_VERSION: Final = "X-Staged-Version"
NOTHING_STAGED: Final = "none"
#: What a staged version may look like (as a release's version; 64 characters at most).
STAGED_VERSION_PATTERN: Final = r"[0-9A-Za-z.!+_-]{1,64}"


class ReadyResponse(WireModel):
    """``GET /ready``: 200 when the server can serve (its database answers with the
    schema it needs), 503 with a reason otherwise."""

    status: Literal["ready", "not_ready"] = "ready"
    reason: str | None = None


class HealthResponse(WireModel):
    status: Literal["ok"] = "ok"
    protocol_version: int = PROTOCOL_VERSION
    supported_versions: list[int] = Field(
        default_factory=lambda: sorted(SUPPORTED_PROTOCOL_VERSIONS)
    )
