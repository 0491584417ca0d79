"""Request body limits: 413 for a body over the limit, declared or streamed."""

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ipos_tui.backoffice.web.errors import error_page, is_web_request

from .errors import error_response

#: Largest request body accepted (a push batch of ~1000 receipts fits).
DEFAULT_MAX_BODY = 2 * 1024 * 1024
#: Largest upload of iPOS web's CSV import page (a file of 100k products fits).
IMPORT_MAX_BODY = 20 * 1024 * 1024
#: Paths whose body may be larger than ``max_body`` (path → limit).
LARGE_BODY_PATHS = {"/import": IMPORT_MAX_BODY}


class BodyTooLarge(StarletteHTTPException):
    """Raised while reading a body that outgrows the limit (turned into a JSON 413)."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="Request body too large")


class BodyLimit:
    """413 for bodies over the limit: at once for a declared Content-Length, and while
    reading for bodies without one (chunked). The sync API answers with our JSON error
    body, iPOS web's pages with the "Za duży plik" page. ``larger`` gives a path its own,
    larger limit (the CSV import of 100k products); every other path keeps ``max_body``."""

    def __init__(self, app: Any, max_body: int, larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_body = max_body
        self.larger = larger or {}

    def limit_for(self, path: str) -> int:
        return max(self.max_body, self.larger.get(path, 0))

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            limit = self.limit_for(scope.get("path", ""))
            length = dict(scope.get("headers") or []).get(b"content-length", b"")
            if length.isdigit() and int(length) > limit:
                request = Request(scope)
                if is_web_request(request):
                    response: Response = error_page(request, 413)
                else:
                    response = error_response(413, "body_too_large",
                                      f"Request body over {limit} bytes; send smaller batches.")
                await response(scope, receive, send)
                return
            received = 0

            async def limited_receive() -> Any:
                nonlocal received
                message = await receive()
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
                return message

            await self.app(scope, limited_receive, send)
            return
        await self.app(scope, receive, send)
