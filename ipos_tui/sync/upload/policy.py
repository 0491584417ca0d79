"""The upload's policy: batch size, when a failed round is tried again (exponential
backoff with jitter, Retry-After as a floor), which failures may be a document's
doing and when such a document is held, the message keys of the progress events, the
progress item id of a document, and :class:`UploadOutcome` (what a run did).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from ipos_tui.sync.errors import SyncError
from ipos_tui.store.ledger import QueuedDocument

#: Documents per request: ~50 receipts are ~25–60 KB of JSON, a few seconds on EDGE.
BATCH_SIZE: Final = 50
#: First wait after a failed upload round (s); doubles per round the oldest document
#: has failed, up to :data:`RETRY_MAX`.
RETRY_BASE: Final = 30.0
RETRY_MAX: Final = 15 * 60.0
#: A Retry-After above this is taken as a server mistake, not obeyed literally.
RETRY_AFTER_CAP: Final = 60 * 60.0
#: How often the UI should call :func:`upload_due` besides after each receipt (s).
BACKGROUND_INTERVAL: Final = 60.0

#: Message keys of the progress events (the UI's catalogue translates them).
KEY_REJECTED: Final = "sync.err.document_rejected"
KEY_NOT_SENT: Final = "sync.err.document_not_sent"
KEY_BAD_RESULT: Final = "sync.err.bad_response"
#: Local rejection reason of one document bigger than the back office accepts.
REASON_TOO_LARGE: Final = "too_large"
#: A batch failing (5xx or a cut connection) this many rounds is searched for the
#: document the back office fails on, which is then held (see
#: :mod:`ipos_tui.sync.upload`).
HOLD_AFTER_ROUNDS: Final = 3
#: Reason prefix of a document held by the till ("held:500", "held:offline").
HELD_PREFIX: Final = "held:"
#: Attempts per request while searching for such a document (no client retries).
PROBE_ATTEMPTS: Final = 1
#: Message key of a held document's progress event (params number, reason).
KEY_HELD: Final = "tillsync.document_held"


def is_held(reason: str | None) -> bool:
    """True for the reason of a document the till holds back itself (not the back
    office's quarantine): it is still unsent and retried at every sync."""
    return bool(reason) and reason.startswith(HELD_PREFIX)  # type: ignore[union-attr]


def held_reason(error: SyncError) -> str:
    """The reason a document is held with: the HTTP status, or "offline" for a cut."""
    return HELD_PREFIX + (str(error.status) if error.status is not None else "offline")


@dataclass
class UploadOutcome:
    """What one upload run did (for the caller; the observer saw the same per item)."""

    accepted: int = 0
    duplicate: int = 0
    #: (number, reason) of every document the back office (or the mapping) refused.
    rejected: list[tuple[int, str]] = field(default_factory=list)
    #: Documents the back office's answer did not account for (left pending).
    unanswered: int = 0
    #: (number, reason) of every document held back because the back office fails on it.
    held: list[tuple[int, str]] = field(default_factory=list)
    #: Why the run stopped early (network, server, token…); None if it did not.
    error: SyncError | None = None
    #: When the documents left unsent will be tried again (set with ``error``).
    next_try_at: datetime | None = None
    cancelled: bool = False
    #: True when the background upload did nothing because of the backoff or
    #: because another upload of this terminal was running.
    skipped: bool = False

    @property
    def sent(self) -> int:
        """Documents the back office now holds (accepted + duplicate)."""
        return self.accepted + self.duplicate

    @property
    def ok(self) -> bool:
        """True when every document got its answer, none was refused, none cancelled."""
        return (self.error is None and not self.rejected and not self.cancelled
                and not self.unanswered and not self.held)


def backoff_delay(
    attempts: int,
    retry_after: float | None = None,
    uniform: Callable[[float, float], float] = random.uniform,
) -> float:
    """Seconds to wait after ``attempts`` failed rounds (≥ 1): exponential with jitter.

    The base doubles per round from :data:`RETRY_BASE` up to :data:`RETRY_MAX`; the
    wait is drawn from its upper half ("equal jitter"), so a shop's terminals
    recovering from one outage do not all call back in the same second. A
    Retry-After from the server is a floor (capped at :data:`RETRY_AFTER_CAP`).
    """
    exponent = min(max(attempts, 1) - 1, 20)
    base = min(RETRY_MAX, RETRY_BASE * (2**exponent))
    delay = uniform(base / 2, base)
    if retry_after is not None:
        delay = max(delay, min(max(retry_after, 0.0), RETRY_AFTER_CAP))
    return delay


def retry_params(error: SyncError, retry_at: datetime, now: datetime) -> dict[str, Any]:
    """JSON-safe message params of a document left unsent: ``reason`` (the error's own
    message key, to translate with the same params), ``retry_at`` (the machine's local
    wall time "HH:MM:SS") and ``retry_in`` (whole seconds from ``now``)."""
    return {
        "reason": error.key,
        "retry_at": retry_at.astimezone().strftime("%H:%M:%S"),
        "retry_in": max(0, round((retry_at - now).total_seconds())),
    }


def item_id(queued: QueuedDocument) -> str:
    """The progress item id of a document: a receipt's number as six digits
    ("000123"); other document types, numbered on their own, carry their type
    ("cash_operation:000004") so two rows never share an id."""
    number = f"{queued.number:06d}"
    return number if queued.doc_type == "receipt" else f"{queued.doc_type}:{number}"


def is_transient(error: SyncError) -> bool:
    """A failure that may be the document's doing: a 5xx or a cut connection."""
    return error.status is None and error.key == "sync.err.offline" or (
        error.status is not None and error.status >= 500)
