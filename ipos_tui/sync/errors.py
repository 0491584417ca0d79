"""What a failed call to the back office means: :class:`SyncError` (with the message
key the UI translates) and how an HTTP answer becomes one — which answers are worth
retrying, how long ``Retry-After`` asks to wait, the back office's error codes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final

import httpx

from ipos_tui.domain.errors import DomainError

#: Error codes of the back office's activation endpoint → our message keys.
_ACTIVATION_KEYS: Final = {
    "activation_code_invalid": "sync.err.code_invalid",
    "activation_code_expired": "sync.err.code_expired",
    "activation_code_used": "sync.err.code_used",
    "activation_other_terminal": "sync.err.code_other_terminal",
}


class SyncError(DomainError):
    """A call to the back office failed; ``key`` names the message for the user.

    ``status`` is the HTTP status (None for network failures), ``retry_after`` the
    seconds the server asked to wait (429/503), ``code`` the back office's
    machine-readable error code when it sent one.
    """

    def __init__(
        self,
        key: str,
        status: int | None = None,
        retry_after: float | None = None,
        **params: Any,
    ) -> None:
        super().__init__(key, **params)
        self.status = status
        self.retry_after = retry_after
        self.code: str | None = params.get("code")


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header (delta or HTTP date), None if absent/bad."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def _error_code(response: httpx.Response) -> str | None:
    """The ``error`` field of the back office's JSON error body, if any."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return None
    code = body.get("error") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


#: The back office's code for a caller throttled after too many failures (429 with
#: Retry-After): retrying before Retry-After is pointless, so it is not retried at once.
THROTTLED: Final = "throttled"


def error_for(response: httpx.Response) -> SyncError:
    """The SyncError a non-retryable (or finally failed) answer stands for.

    The back office's error body carries ``error`` (a stable code, translated here into
    our catalogue's key) and ``message`` (English, for people reading logs and curl);
    the message is never shown to a cashier."""
    status = response.status_code
    code = _error_code(response)
    retry_after = retry_after_seconds(response)
    if status == 429 and code == THROTTLED:
        activation = response.request.url.path.endswith("/activate")
        minutes = max(1, int((retry_after or 60) + 59) // 60)
        return SyncError("sync.throttle.activation" if activation else "sync.throttle.token",
                         status=status, retry_after=retry_after, code=code, minutes=minutes)
    if code in _ACTIVATION_KEYS:
        return SyncError(_ACTIVATION_KEYS[code], status=status, code=code)
    if status == 401:
        return SyncError("sync.err.unauthorized", status=status, code=code)
    if status == 403:
        return SyncError("sync.err.forbidden", status=status, code=code)
    if status == 413:
        return SyncError("sync.err.too_large", status=status, code=code)
    if status == 426:
        return SyncError("sync.err.protocol_too_old", status=status, code=code)
    if code == "protocol_too_new":
        return SyncError("sync.err.protocol_too_new", status=status, code=code)
    if status == 429:
        return SyncError("sync.err.busy", status=status, retry_after=retry_after, code=code)
    if status >= 500:
        return SyncError("sync.err.server", status=status, retry_after=retry_after)
    return SyncError("sync.err.rejected", status=status, code=code or str(status))


def is_retryable(status: int) -> bool:
    """429 and 5xx may heal by themselves: worth another attempt."""
    return status == 429 or status >= 500


def is_throttled(response: httpx.Response) -> bool:
    """The back office's throttle after too many failures (429, code "throttled"): it
    lasts minutes, so Retry-After is honoured by not asking again now (the upload loop
    comes back then; an activation says how long to wait)."""
    return response.status_code == 429 and _error_code(response) == THROTTLED
