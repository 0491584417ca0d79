"""Pull pages: the answer to ``GET /api/v1/sync/{stream}``, and its fast path.

Most pulls are well-formed pulls by a known till of a page another till of its store
already got (:mod:`ipos_tui.backoffice.page_cache`): the answer is stored bytes. For
those, FastAPI's routing, dependency solving and three worker-thread hops cost several
times what sending the bytes does, so :class:`FastPulls` answers them before the
router, in one worker-thread hop, with the same functions the route calls (the same
checks, the same contact record, the same bytes and headers). Anything it does not
recognise as such a pull (another method or path, a query or header it would have to
judge) goes on to the route unchanged, which answers it as always (422 and the like).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.to_thread
from fastapi.responses import Response

from ipos_tui.backoffice.page_cache import PageCache
from ipos_tui.backoffice.services import BackOffice, TerminalAuth
from ipos_tui.backoffice.services.terminals import ContactUpdate
from ipos_tui.protocol import (
    API_PREFIX,
    DEFAULT_PULL_LIMIT,
    HEADER_OLDEST_PENDING,
    HEADER_PENDING_COUNT,
    HEADER_PROTOCOL_VERSION,
    HEADER_STAGED_VERSION,
    HEADER_TERMINAL_VERSION,
    STREAMS,
    compact_changes,
    wants_compact_pages,
)

#: The paths of the pull route, by stream (what its path pattern accepts).
PULL_PATHS = {f"{API_PREFIX}/sync/{stream}": stream for stream in STREAMS}
#: Query values the fast path takes as they are (others go to the route to be judged).
_NUMBER = re.compile(rb"[0-9]{1,19}")
_TOTALS = {b"0": False, b"1": True, b"false": False, b"true": True}
#: Pulls answered at once by one machine's workers together (:class:`FastPulls`; each of
#: N workers takes its share, at least one); the others wait their turn. Uploads (a
#: till's sales) have the rest of the thread pool to themselves, so a herd of pulls
#: (every till of a chain opening at 8:00) never makes a sale wait behind dozens of page
#: builds fighting for the same cores. Measured with 500 tills on 2 cores: 4 in all
#: keeps the upload p99 near 0.4 s through the opening; 8 (or 4 in each of 2 or 4
#: workers) lets it climb to 3-8 s.
PULL_THREADS = 4


def pull_threads(workers: int) -> int:
    """One worker's share of :data:`PULL_THREADS` when ``workers`` serve together."""
    return max(1, PULL_THREADS // max(1, workers))
#: The request headers a pull reads (lower case, as ASGI gives them).
_READ_HEADERS = frozenset(name.lower().encode() for name in (
    "authorization", "accept-encoding", HEADER_PROTOCOL_VERSION, HEADER_TERMINAL_VERSION,
    HEADER_PENDING_COUNT, HEADER_OLDEST_PENDING, HEADER_STAGED_VERSION))


def answer_pull(office: BackOffice, page_cache: PageCache, auth: TerminalAuth, stream: str,
                since: int, limit: int, totals: bool | None, x_protocol_version: str | None,
                accept_encoding: str, contact: ContactUpdate | None = None) -> Response:
    """One page of ``stream`` for the till, gzip-compressed when it accepts that (the
    page's compressed form is made once, when the page is built). Raises
    :class:`~ipos_tui.backoffice.services.token_cache.TokenRevoked` for a till revoked
    since its token was checked. ``contact``: what the call's headers told, written in
    the commit of the till's pull cursor."""
    compact = wants_compact_pages(x_protocol_version)
    with_totals = compact if totals is None else totals

    def render(page: dict[str, Any]) -> bytes:
        if compact:
            page = compact_page(page)
        return json.dumps(page, separators=(",", ":"), ensure_ascii=False).encode()

    built = office.for_company(auth.company_id).pull_rendered(
        auth, stream, since, limit, with_totals=with_totals, render=render,
        cache=page_cache, form=compact, contact=contact)
    if built.gzipped is not None and "gzip" in accept_encoding:
        # GZipMiddleware passes a body that has its Content-Encoding on as it is
        return Response(built.gzipped, media_type="application/json",
                        headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
    return Response(built.body, media_type="application/json")


def compact_page(page: dict[str, Any]) -> dict[str, Any]:
    """A plain pull page in the protocol-3 form (empty and false parts left out)."""
    compact = compact_changes(page["changes"]) if page["changes"] else {}
    compact["cursor"] = page["cursor"]
    for flag in ("has_more", "reset"):
        if page.get(flag):
            compact[flag] = True
    if page.get("totals"):
        compact["totals"] = page["totals"]
    return compact


@dataclass(frozen=True)
class PullCall:
    """A pull as its request states it, read without judging anything but its form."""

    stream: str
    since: int
    limit: int
    totals: bool | None
    address: str
    token: str
    headers: dict[str, str]

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def read_pull(scope: dict[str, Any]) -> PullCall | None:
    """The pull ``scope`` asks for, or None where the route must judge the request
    (another path, a query value it would validate, a header given twice, a caller
    without a bearer token)."""
    if scope.get("method") != "GET" or scope.get("root_path"):
        return None
    stream = PULL_PATHS.get(scope.get("path", ""))
    if stream is None:
        return None
    query: dict[bytes, bytes] = {}
    for part in scope.get("query_string", b"").split(b"&"):
        if not part:
            continue
        name, sep, value = part.partition(b"=")
        if not sep or name in query or name not in (b"since", b"limit", b"totals"):
            return None  # anything else (escapes, repeats, other names): the route's
        query[name] = value
    since, limit, totals = 0, DEFAULT_PULL_LIMIT, None
    if b"since" in query:
        if not _NUMBER.fullmatch(query[b"since"]) or int(query[b"since"]) > 2**62:
            return None
        since = int(query[b"since"])
    if b"limit" in query:
        if not _NUMBER.fullmatch(query[b"limit"]) or int(query[b"limit"]) < 1:
            return None
        limit = int(query[b"limit"])
    if b"totals" in query:
        if query[b"totals"] not in _TOTALS:
            return None
        totals = _TOTALS[query[b"totals"]]
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", ()):
        if raw_name in _READ_HEADERS:
            name = raw_name.decode("latin-1")
            if name in headers:
                return None
            headers[name] = raw_value.decode("latin-1")
    scheme, _, credentials = headers.get("authorization", "").partition(" ")
    token = credentials.strip()
    if scheme.lower() != "bearer" or not token:
        return None  # the route answers 401 and counts it
    client = scope.get("client")
    return PullCall(stream, since, limit, totals, client[0] if client else "?", token,
                    headers)


class FastPulls:
    """ASGI middleware: a pull :func:`read_pull` recognises is answered by ``serve`` in
    a worker thread, at most ``threads`` at once (:data:`PULL_THREADS`); everything
    else goes on to ``app``. Installed inside GZipMiddleware, so answers leave as the
    route's do."""

    def __init__(self, app: Any, serve: Callable[[PullCall], Response],
                 threads: int = PULL_THREADS) -> None:
        self.app = app
        self.serve = serve
        self.threads = threads
        self._limiter: anyio.CapacityLimiter | None = None  # made in the event loop

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.threads)
        return self._limiter

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            call = read_pull(scope)
            if call is not None:
                response = await anyio.to_thread.run_sync(self.serve, call,
                                                          limiter=self.limiter)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
