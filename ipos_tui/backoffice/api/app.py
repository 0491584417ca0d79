"""The HTTP API terminals talk to (FastAPI; OpenAPI at ``/docs``).

Thin: it authenticates, checks the protocol version, records the terminal's headers
and calls the service layer the admin CLI uses too. Bad input is always a 4xx with a
machine-readable body (:class:`ipos_tui.protocol.ErrorResponse`), never a 5xx.

No ``from __future__ import annotations`` here: FastAPI resolves the annotations of
the dependency functions defined inside :func:`create_app` at run time.
"""

import json
import re
from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from ipos_tui.backoffice.documents.ingest import Ingest
from ipos_tui.backoffice.releases import ReleaseStore, default_releases_dir
from ipos_tui.backoffice.security import digest, normalise_code
from ipos_tui.backoffice.services import BackOffice, TerminalAuth
from ipos_tui.backoffice.throttle import Throttle, Throttled
from ipos_tui.backoffice.web import mount_web
from ipos_tui.backoffice.web.errors import error_page, install_web_errors, is_web_request
from ipos_tui.domain.errors import DomainError
from ipos_tui.i18n import has_key, text_in
from ipos_tui.protocol import (
    API_PREFIX,
    DEFAULT_PULL_LIMIT,
    DOCUMENT_ADAPTER,
    HEADER_OLDEST_PENDING,
    HEADER_PENDING_COUNT,
    HEADER_PROTOCOL_VERSION,
    HEADER_STAGED_VERSION,
    HEADER_TERMINAL_VERSION,
    NOTHING_STAGED,
    STAGED_VERSION_PATTERN,
    OLDEST_PROTOCOL_VERSION,
    PROTOCOL_VERSION,
    ActivateRequest,
    ActivateResponse,
    CompactPullResponse,
    ErrorResponse,
    HealthResponse,
    PullResponse,
    ReceiptLookupResponse,
    compact_changes,
    wants_compact_pages,
    DEFAULT_RELEASE_CHANNEL,
    RELEASE_CHANNEL_PATTERN,
    RELEASE_FILE_PATTERN,
    RELEASES_PATH,
    SignedRelease,
    TransactionBatch,
    TransactionsResponse,
)

#: Largest request body accepted (a push batch of ~1000 receipts fits).
DEFAULT_MAX_BODY = 2 * 1024 * 1024
#: Largest upload of iPOS web's CSV import page (a file of 100k products fits).
IMPORT_MAX_BODY = 20 * 1024 * 1024
#: Paths whose body may be larger than ``max_body`` (path → limit).
LARGE_BODY_PATHS = {"/import": IMPORT_MAX_BODY}

#: HTTP status of each DomainError key the API can raise (others are 422).
_STATUS_BY_KEY = {
    "err.activation_code_invalid": 401,
    "err.activation_code_expired": 401,
    "err.activation_code_used": 409,
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


def _error(status: int, error: str, message: str, details: list[dict[str, Any]] | None = None,
           headers: dict[str, str] | None = None) -> JSONResponse:
    body = ErrorResponse(error=error, message=message, details=details).to_wire()
    return JSONResponse(body, status_code=status, headers=headers)


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
                    response = _error(413, "body_too_large",
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


_DIGITS = re.compile(r"[0-9]{1,40}")
_VERSION_DIGITS = re.compile(r"[0-9]{1,9}")
_STAGED_VERSION = re.compile(STAGED_VERSION_PATTERN)


def _pending_count(header: str | None) -> int | None:
    """The terminal's unsent documents as its ``X-Pending-Count`` header says (None:
    not said, also when empty); 422 for anything but (ASCII) digits."""
    if header is None or not header.strip():
        return None
    if not _DIGITS.fullmatch(header.strip()):
        raise ApiError(422, "header_invalid", f"{HEADER_PENDING_COUNT} must be a number")
    return min(int(header), 2**31 - 1)


def _oldest_pending(header: str | None) -> datetime | None:
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


def _staged_version(header: str | None) -> str | None:
    """The version the terminal has staged (``X-Staged-Version``), ``NOTHING_STAGED``,
    or None: not said (absent or empty); 422 for anything that is no version."""
    if header is None or not header.strip():
        return None
    if not _STAGED_VERSION.fullmatch(header.strip()):
        raise ApiError(422, "header_invalid",
                       f"{HEADER_STAGED_VERSION} must be a version or {NOTHING_STAGED!r}")
    return header.strip()


#: The device token (``Authorization: Bearer …``), documented as a security scheme.
_BEARER = HTTPBearer(auto_error=False, scheme_name="DeviceToken",
                     description="The token a terminal got at activation.")

#: Activation refusals that count as a failed guess for the throttle.
_ACTIVATION_FAILURES = frozenset(
    {"err.activation_code_invalid", "err.activation_code_expired", "err.activation_code_used"})


def client_address(request: Request) -> str:
    """The caller's address as uvicorn reports it (behind a proxy it trusts, the
    forwarded one)."""
    return request.client.host if request.client else "?"


def throttled(exc: Throttled, message: str) -> ApiError:
    """The 429 answer for a throttled caller."""
    return ApiError(429, "throttled", f"{message} Try again in {exc.retry_after} s.",
                    headers={"Retry-After": str(exc.retry_after)})


def create_app(office: BackOffice, *, max_body: int = DEFAULT_MAX_BODY,
               releases_dir: FilePath | None = None,
               throttle: Throttle | None = None) -> FastAPI:
    """The ASGI app serving ``office`` (one database; companies found by token).

    ``releases_dir``: the app releases served to terminals (default: ``releases/``
    beside the SQLite database, see :mod:`ipos_tui.backoffice.releases`).
    ``throttle``: the failure counters of activation, device tokens and web sign-in
    (default: :data:`~ipos_tui.backoffice.throttle.DEFAULT_LIMITS`, the real clock)."""
    app = FastAPI(
        title="iPOS back office",
        version=str(PROTOCOL_VERSION),
        description="Sync API for iPOS terminals: activation, change feed pulls, "
        "transaction push, receipt lookup.",
    )
    throttle = throttle or Throttle()
    app.state.throttle = throttle  # iPOS web's sign-in counts its failures here too
    _install_error_handlers(app)
    install_web_errors(app)
    mount_web(app, office)
    app.add_middleware(GZipMiddleware, minimum_size=800, compresslevel=6)
    app.add_middleware(BodyLimit, max_body=max_body, larger=LARGE_BODY_PATHS)

    def protocol_version(
        x_protocol_version: Annotated[str | None, Header(alias=HEADER_PROTOCOL_VERSION)] = None,
    ) -> int:
        """The caller's protocol version; absent or empty: this one."""
        if x_protocol_version is None or not x_protocol_version.strip():
            return PROTOCOL_VERSION
        if not _VERSION_DIGITS.fullmatch(x_protocol_version.strip()):
            raise ApiError(422, "protocol_version_invalid",
                           f"{HEADER_PROTOCOL_VERSION} must be a number")
        version = int(x_protocol_version)
        if version < OLDEST_PROTOCOL_VERSION:
            raise ApiError(426, "protocol_too_old",
                           f"Protocol {version} is no longer served; update the terminal "
                           f"(supported: {OLDEST_PROTOCOL_VERSION}-{PROTOCOL_VERSION}).",
                           headers={"Upgrade": f"ipos-protocol/{PROTOCOL_VERSION}"})
        if version > PROTOCOL_VERSION:
            raise ApiError(400, "protocol_too_new",
                           f"This back office speaks protocol {PROTOCOL_VERSION} at most.")
        return version

    def terminal(
        request: Request,
        version: Annotated[int, Depends(protocol_version)],
        bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)] = None,
        x_terminal_version: Annotated[str | None, Header(alias=HEADER_TERMINAL_VERSION)] = None,
        x_pending_count: Annotated[str | None, Header(alias=HEADER_PENDING_COUNT)] = None,
        x_oldest_pending: Annotated[str | None, Header(alias=HEADER_OLDEST_PENDING)] = None,
        x_staged_version: Annotated[str | None, Header(alias=HEADER_STAGED_VERSION)] = None,
    ) -> TerminalAuth:
        address = client_address(request)
        try:
            throttle.check([("token_address", address)], address)
        except Throttled as exc:
            raise throttled(exc, "Too many requests with a bad terminal token from this "
                            "address.") from None
        token = bearer.credentials.strip() if bearer is not None else ""
        auth = office.authenticate(token) if token else None
        if auth is None:
            throttle.failed([("token_address", address)], address)
            raise ApiError(401, "unauthorized", "Unknown or revoked terminal token.",
                           headers={"WWW-Authenticate": "Bearer"})
        pending, oldest = _pending_count(x_pending_count), _oldest_pending(x_oldest_pending)
        staged = _staged_version(x_staged_version)
        office.record_contact(auth, app_version=x_terminal_version, pending_count=pending,
                              protocol_version=version, oldest_pending=oldest,
                              staged_version=staged)
        return auth

    @app.get("/health", response_model=HealthResponse)
    def health() -> HealthResponse:
        return HealthResponse()

    @app.post(f"{API_PREFIX}/activate", response_model=ActivateResponse,
              responses=_responses(400, 401, 409, 413, 422, 426, 429))
    def activate(request: Request, body: ActivateRequest,
                 _version: Annotated[int, Depends(protocol_version)]) -> ActivateResponse:
        """Exchange a one-time activation code for the terminal's identity and token.

        Wrong codes are throttled (429 with Retry-After) per client address, per code
        and over all callers together."""
        address = client_address(request)
        # the code's digest, never the code itself, is a key (and goes to the log)
        checks = [("activation_total", "*"), ("activation_address", address),
                  ("activation_code", digest(normalise_code(body.code))[:16])]
        try:
            throttle.check(checks, address)
        except Throttled as exc:
            raise throttled(exc, "Too many wrong activation codes.") from None
        try:
            return ActivateResponse(**office.activate(body.code, body.name))
        except DomainError as exc:
            if exc.key in _ACTIVATION_FAILURES:
                throttle.failed(checks, address)
            raise

    @app.get(f"{API_PREFIX}/sync/{{stream}}", response_model=None,
             responses={200: {"model": PullResponse | CompactPullResponse},
                        **_responses(*_TERMINAL_STATUSES)})
    def pull(
        auth: Annotated[TerminalAuth, Depends(terminal)],
        stream: Annotated[str, Path(pattern="^(config|users|products)$")],
        x_protocol_version: Annotated[str | None, Header(alias=HEADER_PROTOCOL_VERSION)] = None,
        since: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1)] = DEFAULT_PULL_LIMIT,
        totals: Annotated[bool | None, Query()] = None,
    ) -> Response:
        """One page of a stream's changes after ``since`` (limit is capped); with
        totals also how many changes per type remain (for progress bars): when asked
        with ``totals=1``, and on compact pages (protocol ≥ 3, only for a caller whose
        header asks for it) unless ``totals=0``."""
        compact = wants_compact_pages(x_protocol_version)
        with_totals = compact if totals is None else totals
        page = office.for_company(auth.company_id).pull(auth, stream, since, limit,
                                                        with_totals=with_totals)
        if compact:
            page = _compact_page(page)
        body = json.dumps(page, separators=(",", ":"), ensure_ascii=False).encode()
        return Response(body, media_type="application/json")

    @app.post(f"{API_PREFIX}/transactions", response_model=TransactionsResponse,
              response_model_exclude_none=True, responses=_responses(*_TERMINAL_STATUSES, 413))
    def push(
        body: TransactionBatch,
        auth: Annotated[TerminalAuth, Depends(terminal)],
        _version: Annotated[int, Depends(protocol_version)],  # refuses unsupported versions
        x_pending_count: Annotated[str | None, Header(alias=HEADER_PENDING_COUNT)] = None,
    ) -> dict[str, Any]:
        """Store a batch of documents exactly once; one result per document. The
        terminal's unsent count is recorded as it will be after this answer (its
        header counted the batch as unsent)."""
        ingest = Ingest(office.for_company(auth.company_id), auth)
        return {"results": ingest.push(body.documents,
                                       pending_before=_pending_count(x_pending_count))}

    @app.get(f"{API_PREFIX}/receipts/{{terminal_id}}/{{number}}",
             response_model=ReceiptLookupResponse, response_model_exclude_none=True,
             responses=_responses(*_TERMINAL_STATUSES, 403, 404))
    def receipt(
        auth: Annotated[TerminalAuth, Depends(terminal)],
        terminal_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
        number: Annotated[int, Path(ge=1, le=2_147_483_647)],
        type: Annotated[Literal["receipt", "sale_invoice"], Query()] = "receipt",  # noqa: A002
    ) -> dict[str, Any]:
        """A receipt of the caller's store (``type=sale_invoice``: a Faktura sold at a
        till, numbered in its own series), for a return."""
        return Ingest(office.for_company(auth.company_id), auth).lookup_receipt(
            terminal_id, number, type)

    releases = ReleaseStore(FilePath(releases_dir) if releases_dir is not None
                            else default_releases_dir(office.db))
    app.state.releases = releases  # the Aktualizacje page lists them
    _release_routes(app, releases, terminal)
    _document_schemas_in_openapi(app)
    return app


def _release_routes(app: FastAPI, releases: ReleaseStore, terminal: Any) -> None:
    """Signed release metadata and the release files (HTTP Range: downloads resume)."""

    @app.get(f"{RELEASES_PATH}/latest", response_model=SignedRelease,
             responses=_responses(*_TERMINAL_STATUSES, 404))
    def latest_release(
        _auth: Annotated[TerminalAuth, Depends(terminal)],
        channel: Annotated[str, Query(pattern=RELEASE_CHANNEL_PATTERN)] = DEFAULT_RELEASE_CHANNEL,
    ) -> JSONResponse:
        """The channel's latest release: metadata + Ed25519 signature over its canonical
        JSON, exactly as published (the terminal verifies the bytes it receives)."""
        signed = releases.latest(channel)
        if signed is None:
            raise ApiError(404, "release_none", f"No release is published on channel {channel}.")
        return JSONResponse(signed)

    @app.get(f"{RELEASES_PATH}/files/{{name}}", response_class=FileResponse,
             responses={206: {"description": "Partial content (Range)",
                              "content": {"application/zip": {}}},
                        416: {"description": "Range not satisfiable (offset at or past "
                              "the end of the file)"},
                        **_responses(*_TERMINAL_STATUSES, 404)})
    def release_file(
        _auth: Annotated[TerminalAuth, Depends(terminal)],
        name: Annotated[str, Path(pattern=RELEASE_FILE_PATTERN)],
    ) -> FileResponse:
        """A release file; ``Range: bytes=N-`` resumes an interrupted download (206)."""
        path = releases.file(name)
        if path is None:
            raise ApiError(404, "release_file_unknown", f"No release file {name}.")
        return FileResponse(path, media_type="application/zip")


#: What every call with a device token may be answered besides 200.
_TERMINAL_STATUSES = (400, 401, 422, 426, 429)

_STATUS_TEXT = {
    400: "Protocol version newer than this back office speaks (protocol_too_new)",
    401: "Missing, unknown or revoked device token (unauthorized), or a wrong, expired "
         "activation code",
    403: "Another store's receipt",
    404: "Not found",
    409: "Activation code already used",
    413: "Request body too large (body_too_large)",
    422: "Invalid request: body, parameter or header (validation, header_invalid, "
         "protocol_version_invalid), or a refused document",
    426: "Protocol version no longer served (protocol_too_old); see the Upgrade header",
    429: "Too many failures from this address or with this code (throttled); wait "
         "Retry-After seconds",
}
_STATUS_HEADERS = {
    401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    426: {"Upgrade": {"description": "The protocol to upgrade to",
                      "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds to wait before trying again",
                          "schema": {"type": "string", "pattern": "^[0-9]+$"}}},
}


def _responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI answers of a route besides 200: the JSON error body with its headers."""
    answers: dict[int | str, dict[str, Any]] = {}
    for status in sorted(set(statuses)):
        answer: dict[str, Any] = {"model": ErrorResponse, "description": _STATUS_TEXT[status]}
        if status in _STATUS_HEADERS:
            answer["headers"] = _STATUS_HEADERS[status]
        answers[status] = answer
    return answers


#: OpenAPI schemas of the headers a terminal sends, as they are validated: each may
#: be absent, and an empty value is taken as absent ("not said").
_HEADER_SCHEMAS: dict[str, dict[str, Any]] = {
    HEADER_PROTOCOL_VERSION: {
        "type": "string", "pattern": r"^([0-9]{1,9})?$",
        "description": "Protocol version of the caller (default and empty: the newest). "
                       f"Below {OLDEST_PROTOCOL_VERSION}: 426; above {PROTOCOL_VERSION}: "
                       "400. Pulls get compact pages from 3 on."},
    HEADER_TERMINAL_VERSION: {
        "type": "string", "description": "App version of the terminal (recorded; free text, "
                                         "40 characters kept)."},
    HEADER_PENDING_COUNT: {
        "type": "string", "pattern": r"^([0-9]{1,40})?$",
        "description": "Documents the terminal has not sent yet (empty: not said)."},
    HEADER_OLDEST_PENDING: {
        "type": "string",
        "pattern": r"^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}"
                   r"(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$",
        "description": "UTC ISO 8601 time of the oldest unsent document (empty: not said; "
                       "an impossible date is 422)."},
    HEADER_STAGED_VERSION: {
        "type": "string", "pattern": f"^({STAGED_VERSION_PATTERN})?$",
        "description": f"App version staged for install, or {NOTHING_STAGED!r} "
                       "(empty: not said)."},
}


def _compact_page(page: dict[str, Any]) -> dict[str, Any]:
    """A plain pull page in the protocol-3 form (empty and false parts left out)."""
    compact = compact_changes(page["changes"]) if page["changes"] else {}
    compact["cursor"] = page["cursor"]
    for flag in ("has_more", "reset"):
        if page.get(flag):
            compact[flag] = True
    if page.get("totals"):
        compact["totals"] = page["totals"]
    return compact


def _document_schemas_in_openapi(app: FastAPI) -> None:
    """Show the document models in OpenAPI: the route takes ``list[Any]`` on purpose
    (each item is parsed alone, so one bad document never fails the batch)."""
    default_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = default_openapi()
        documents = DOCUMENT_ADAPTER.json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(documents.pop("$defs", {}))
        components["Document"] = documents
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                for parameter in operation.get("parameters", []):
                    if parameter.get("in") == "header" and parameter["name"] in _HEADER_SCHEMAS:
                        parameter["schema"] = _HEADER_SCHEMAS[parameter["name"]]
        _add_links(schema)
        batch = components.get("TransactionBatch", {}).get("properties", {})
        if "documents" in batch:
            batch["documents"]["items"] = {"$ref": "#/components/schemas/Document"}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def english_message(exc: DomainError) -> str:
    """A service's refusal in English words for the error body's ``message``: its
    ``err.*`` text or the admin CLI's wording of it (``cli.err.*``), never a bare key."""
    for key in (exc.key, f"cli.{exc.key}"):
        if has_key(key):
            return text_in("en", key, **exc.params)
    return f"The request was refused ({exc.key.removeprefix('err.')})."


def _add_links(schema: dict[str, Any]) -> None:
    """OpenAPI links (what a stateful client follows): a pull page's ``cursor`` is the
    next pull's ``since`` on the same stream."""
    pull = schema.get("paths", {}).get(f"{API_PREFIX}/sync/{{stream}}", {}).get("get")
    if pull is None or "200" not in pull.get("responses", {}):
        return
    pull["responses"]["200"]["links"] = {"NextPage": {
        "operationId": pull["operationId"],
        "parameters": {"stream": "$request.path.stream", "since": "$response.body#/cursor"},
        "description": "The next page (or the next pull) of the same stream."}}


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.error, exc.message, headers=exc.headers)

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        status = _STATUS_BY_KEY.get(exc.key, 422)
        code = exc.key.removeprefix("err.")
        return _error(status, code, english_message(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if is_web_request(request):
            return error_page(request, 422)
        details = [
            {"loc": [str(p) if not isinstance(p, int) else p for p in err.get("loc", ())],
             "msg": str(err.get("msg", "")), "type": str(err.get("type", ""))}
            for err in exc.errors()
        ]
        return _error(422, "validation", "The request is not valid.", details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if is_web_request(request):
            return error_page(request, exc.status_code)
        code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(
            exc.status_code, "http_error")
        return _error(exc.status_code, code, str(exc.detail), headers=exc.headers)
