"""One JSON line per request (structured access log), for a log collector to read.

Each line: ``ts`` (UTC, ISO 8601), ``method``, ``path`` (without the query string:
it may name a receipt code or a search), ``status``, ``ms`` (time to the end of the
answer), ``bytes`` (the answer's body as sent), ``client`` (the address uvicorn reports),
``pid`` (which worker), ``app_version`` (the ``X-Terminal-Version`` a till sends, when
it does). Nothing secret is logged: no token, no query, no body.
"""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import UTC, datetime
from typing import Any

from ipos_tui.protocol import HEADER_TERMINAL_VERSION

log = logging.getLogger("ipos_backoffice.access")

_TERMINAL_HEADER = HEADER_TERMINAL_VERSION.lower().encode()


class AccessLog:
    """Pure ASGI middleware (it does not buffer the body, unlike BaseHTTPMiddleware)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        answer = {"status": 500, "bytes": 0}

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
            elif message["type"] == "http.response.body":
                answer["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            client = scope.get("client")
            record = {
                "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "method": scope.get("method"),
                "path": scope.get("path"),
                "status": answer["status"],
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "bytes": answer["bytes"],
                "client": client[0] if client else None,
                "pid": os.getpid(),
            }
            for name, value in scope.get("headers", ()):
                if name == _TERMINAL_HEADER:
                    record["app_version"] = value.decode("latin-1")[:40]
            log.info(json.dumps(record, ensure_ascii=False))
