"""The terminal's HTTP client for the back office (httpx, one shared connection pool).

Why one class: every call must carry the same headers (token, protocol version, app
version, pending count — the back office records them per terminal) and follow the
same retry policy, and a pooled keep-alive client is ~25× faster than a client per
request. Retries cover what can heal by itself — transport errors, 429 and 5xx —
with exponential backoff and jitter, honouring ``Retry-After`` (capped); everything
else becomes a :class:`~ipos_tui.sync.errors.SyncError` at once, with a message-catalogue key the UI
translates.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Final
from urllib.parse import urlsplit

import httpx

from ipos_tui.domain.errors import DomainError
from ipos_tui.protocol import (
    API_PREFIX,
    HEADER_OLDEST_PENDING,
    HEADER_PENDING_COUNT,
    HEADER_PROTOCOL_VERSION,
    HEADER_STAGED_VERSION,
    HEADER_TERMINAL_VERSION,
    NOTHING_STAGED,
    PROTOCOL_VERSION,
    ActivateRequest,
    ActivateResponse,
    ReceiptLookupResponse,
)
from ipos_tui.sync.errors import (
    SyncError,
    error_for,
    is_retryable,
    is_throttled,
    retry_after_seconds,
)

log = logging.getLogger(__name__)

#: A default is required (connect/read alone raise ValueError); GSM links are slow.
TIMEOUT: Final = httpx.Timeout(10.0, connect=5.0)
#: First backoff delay (s); doubles per attempt, plus up to the same again of jitter.
BACKOFF_BASE: Final = 0.5
#: Longest wait between two attempts, whatever Retry-After asks (s).
MAX_DELAY: Final = 30.0


def normalise_server_url(url: str) -> str:
    """``url`` as ``scheme://host[:port]`` (+ path prefix), without ``/api/v1`` or "/".

    Cashiers type addresses by hand: "192.168.1.5:8000" gets "http://" and a pasted
    ".../api/v1/" loses its suffix. Anything without a host raises
    ``sync.err.url_invalid``.
    """
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DomainError("sync.err.url_invalid", url=url)
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise DomainError("sync.err.url_invalid", url=url) from None
    path = parts.path.rstrip("/")
    if path.endswith(API_PREFIX):
        path = path[: -len(API_PREFIX)]
    return f"{parts.scheme}://{parts.netloc}{path}"


class SyncClient:
    """Calls the back office for one terminal with one pooled ``httpx.Client``.

    ``pending_count`` is asked on every call (the number of unsent documents goes
    into ``X-Pending-Count``); ``pending_summary``, when given, instead (count and
    the oldest's time, which also goes into ``X-Oldest-Pending``), and
    ``staged_version`` (``X-Staged-Version``: the update staged, or "none"). ``transport`` and ``sleep`` are for tests (a
    closed port, a no-op sleep). Paths are relative to ``/api/v1`` unless they
    already start with ``/api/``. Close it (or use ``with``) when done.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        app_version: str,
        pending_count: Callable[[], int] = lambda: 0,
        pending_summary: Callable[[], tuple[int, datetime | None]] | None = None,
        staged_version: Callable[[], str | None] | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 4,
        timeout: httpx.Timeout = TIMEOUT,
    ) -> None:
        self.base_url = normalise_server_url(base_url)
        self._token = token
        self._app_version = app_version
        self._pending_count = pending_count
        self._pending_summary = pending_summary
        self._staged_version = staged_version
        self._sleep = sleep
        self.max_attempts = max(1, max_attempts)
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            headers={"Accept-Encoding": "gzip"},
        )
        # GSM links are paid by the byte: drop what the back office never reads
        # (HTTP/1.1 keeps the connection alive without saying so).
        for name in ("User-Agent", "Accept", "Connection"):
            self._http.headers.pop(name, None)

    # -- public calls ---------------------------------------------------------

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """GET ``path`` and return its JSON object (retrying what may heal)."""
        return self._call("GET", path, params=params, body=None, idempotent=True)

    def post_json(self, path: str, body: Any, *, attempts: int | None = None) -> dict[str, Any]:
        """POST ``body`` as JSON and return the JSON object answered.

        Transport errors are retried too: every POST of the protocol is idempotent
        (documents carry their UUIDs; a repeat is answered "duplicate"). ``attempts``
        overrides :attr:`max_attempts` for this call (the upload's search for a
        document the back office fails on asks once per probe).
        """
        return self._call("POST", path, params=None, body=body, idempotent=True,
                          attempts=attempts)

    def lookup_receipt(
        self, terminal_id: int, number: int, doc_type: str = "receipt"
    ) -> ReceiptLookupResponse:
        """``GET /receipts/{terminal_id}/{number}``: a receipt of this store (``doc_type``
        "sale_invoice": a Faktura, asked with ``?type=``), for a return, with what the
        back office knows was already returned of each line.

        The back office answers 404 for an unknown receipt or another store's (SyncError
        with that ``status``).
        """
        params = None if doc_type == "receipt" else {"type": doc_type}
        data = self.get_json(f"/receipts/{int(terminal_id)}/{int(number)}", params)
        try:
            return ReceiptLookupResponse.model_validate(data)
        except ValueError as exc:
            raise SyncError("sync.err.bad_response", detail=str(exc)[:200]) from exc

    def health(self, *, attempts: int | None = None) -> dict[str, Any]:
        """``GET /health`` (no token needed): whether the back office answers."""
        return self._call("GET", "/health", params=None, body=None, idempotent=True,
                          attempts=attempts)

    @classmethod
    def activate(
        cls,
        base_url: str,
        code: str,
        name: str = "",
        *,
        app_version: str,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 4,
        terminal_id: int | None = None,
    ) -> ActivateResponse:
        """Exchange a one-time activation code for the terminal's identity and token
        (``terminal_id``: the terminal this till is, when only its own code may do).

        Only failures before the request left (connect errors), 429 and 5xx are
        retried: a code is single-use, so a lost answer must not be retried into
        "code already used".
        """
        clean = "".join(code.split()).replace("-", "")
        request = ActivateRequest(code=clean or code, name=name[:80], terminal_id=terminal_id)
        with cls(base_url, None, app_version=app_version, transport=transport,
                 sleep=sleep, max_attempts=max_attempts) as client:
            data = client._call("POST", "/activate", params=None,
                                body=request.to_wire(), idempotent=False)
        try:
            return ActivateResponse.model_validate(data)
        except ValueError as exc:
            raise SyncError("sync.err.bad_response", detail=str(exc)[:200]) from exc

    def latest_release(self, channel: str) -> dict[str, Any]:
        """``GET /api/v1/releases/latest?channel=``: the signed release metadata as sent.

        Returned as the raw JSON object: its signature covers the bytes as received,
        so it must be verified before any model parses it.
        """
        return self.get_json("/releases/latest", params={"channel": channel})

    @contextmanager
    def open_download(self, url: str, offset: int = 0) -> Iterator[httpx.Response]:
        """Stream a release file from byte ``offset`` (a ``Range`` request when > 0).

        ``url`` is a path of the back office or an absolute URL; the token is sent only
        to the back office itself. The response is 200 (whole file), 206 (from
        ``offset``) or 416 (``offset`` at or past the end); other answers raise
        :class:`SyncError` as every other call does, transport errors
        ``sync.err.offline`` (the caller resumes).
        """
        same_origin = not urlsplit(url).scheme or url.startswith(self.base_url + "/")
        headers = self._headers() if same_origin else {}
        headers["Accept-Encoding"] = "identity"  # byte offsets are of the file itself
        if offset > 0:
            headers["Range"] = f"bytes={offset}-"
        target = self._url(url) if not urlsplit(url).scheme else url
        try:
            with self._http.stream("GET", target, headers=headers) as response:
                if not (response.is_success or response.status_code == 416):
                    response.read()
                    raise error_for(response)
                yield response
        except httpx.TransportError as exc:
            raise SyncError("sync.err.offline", server=self.base_url,
                            detail=type(exc).__name__) from exc

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- machinery --------------------------------------------------------------

    def _url(self, path: str) -> str:
        if path.startswith("/api/") or path == "/health":
            return path
        return API_PREFIX + (path if path.startswith("/") else "/" + path)

    def _headers(self) -> dict[str, str]:
        headers = {
            HEADER_PROTOCOL_VERSION: str(PROTOCOL_VERSION),
            HEADER_TERMINAL_VERSION: self._app_version,
        }
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
            if self._pending_summary is not None:
                count, oldest = self._pending_summary()
                if count > 0 and oldest is not None:
                    headers[HEADER_OLDEST_PENDING] = (
                        oldest.astimezone(UTC).isoformat(timespec="seconds")
                        .replace("+00:00", "Z"))
            else:
                count = self._pending_count()
            headers[HEADER_PENDING_COUNT] = str(max(0, int(count)))
            if self._staged_version is not None:
                headers[HEADER_STAGED_VERSION] = self._staged_version() or NOTHING_STAGED
        return headers

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None,
        body: Any,
        idempotent: bool,
        attempts: int | None = None,
    ) -> dict[str, Any]:
        url = self._url(path)
        tries = self.max_attempts if attempts is None else max(1, attempts)
        for attempt in range(1, tries + 1):
            last = attempt == tries
            try:
                response = self._http.request(
                    method, url, params=params, json=body, headers=self._headers()
                )
            except httpx.TransportError as exc:
                if last or not (idempotent or isinstance(exc, httpx.ConnectError)):
                    raise SyncError("sync.err.offline", server=self.base_url,
                                    detail=type(exc).__name__) from exc
                log.info("%s %s: %s, retry %d", method, url, type(exc).__name__, attempt)
                self._sleep(self._delay(attempt, None))
                continue
            if response.is_success:
                return self._json(response)
            if is_retryable(response.status_code) and not last and not is_throttled(response):
                log.info("%s %s: HTTP %d, retry %d", method, url, response.status_code, attempt)
                self._sleep(self._delay(attempt, retry_after_seconds(response)))
                continue
            raise error_for(response)
        raise AssertionError("unreachable: the last attempt returns or raises")

    @staticmethod
    def _delay(attempt: int, retry_after: float | None) -> float:
        """Backoff before attempt ``attempt + 1``: Retry-After if given, else
        exponential with full jitter; never above :data:`MAX_DELAY`."""
        if retry_after is not None:
            return min(MAX_DELAY, max(0.0, retry_after))
        base = BACKOFF_BASE * (2 ** (attempt - 1))
        return min(MAX_DELAY, base + random.uniform(0.0, base))

    @staticmethod
    def _json(response: httpx.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except (ValueError, UnicodeDecodeError) as exc:
            raise SyncError("sync.err.bad_response", status=response.status_code,
                            detail="not JSON") from exc
        if not isinstance(data, dict):
            raise SyncError("sync.err.bad_response", status=response.status_code,
                            detail="not an object")
        return data
