"""The API's error answers: a JSON body with a stable code (``ErrorResponse``), the
status of each refusal, and the handlers that turn exceptions into them (iPOS web's
pages get its own error pages)."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ipos_tui.backoffice.throttle import Throttled
from ipos_tui.backoffice.web.errors import error_page, is_web_request
from ipos_tui.domain.errors import DomainError
from ipos_tui.i18n import has_key, text_in
from ipos_tui.protocol import ErrorResponse

#: HTTP status of each DomainError key the API can raise (others are 422).
_STATUS_BY_KEY = {
    "err.activation_code_invalid": 401,
    "err.activation_code_expired": 401,
    "err.activation_code_used": 409,
    "err.activation_other_terminal": 409,
    "err.receipt_unknown": 404,
    "err.receipt_other_store": 403,
    "err.stream_unknown": 404,
}


class ApiError(Exception):
    """An error answer with a stable code (``ErrorResponse.error``)."""

    def __init__(self, status: int, error: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.error, self.message, self.headers = status, error, message, headers


def error_response(status: int, error: str, message: str, details: list[dict[str, Any]] | None = None,
           headers: dict[str, str] | None = None) -> JSONResponse:
    body = ErrorResponse(error=error, message=message, details=details).to_wire()
    return JSONResponse(body, status_code=status, headers=headers)


def throttled(exc: Throttled, message: str) -> ApiError:
    """The 429 answer for a throttled caller."""
    return ApiError(429, "throttled", f"{message} Try again in {exc.retry_after} s.",
                    headers={"Retry-After": str(exc.retry_after)})


def english_message(exc: DomainError) -> str:
    """A service's refusal in English words for the error body's ``message``: its
    ``err.*`` text or the admin CLI's wording of it (``cli.err.*``), never a bare key."""
    for key in (exc.key, f"cli.{exc.key}"):
        if has_key(key):
            return text_in("en", key, **exc.params)
    return f"The request was refused ({exc.key.removeprefix('err.')})."


def api_error_response(exc: ApiError) -> JSONResponse:
    """The answer to an :class:`ApiError`."""
    return error_response(exc.status, exc.error, exc.message, headers=exc.headers)


def domain_error_response(exc: DomainError) -> JSONResponse:
    """The answer to a service's refusal."""
    status = _STATUS_BY_KEY.get(exc.key, 422)
    return error_response(status, exc.key.removeprefix("err."), english_message(exc))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return api_error_response(exc)

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return domain_error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if is_web_request(request):
            return error_page(request, 422)
        details = [
            {"loc": [str(p) if not isinstance(p, int) else p for p in err.get("loc", ())],
             "msg": str(err.get("msg", "")), "type": str(err.get("type", ""))}
            for err in exc.errors()
        ]
        return error_response(422, "validation", "The request is not valid.", details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if is_web_request(request):
            return error_page(request, exc.status_code)
        code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(
            exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail), headers=exc.headers)
