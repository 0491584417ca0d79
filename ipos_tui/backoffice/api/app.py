"""The HTTP API terminals talk to (FastAPI; OpenAPI at ``/docs``).

Thin: it authenticates, checks the protocol version, records the terminal's headers
and calls the service layer the admin CLI uses too. Bad input is always a 4xx with a
machine-readable body (:class:`ipos_tui.protocol.ErrorResponse`), never a 5xx.

No ``from __future__ import annotations`` here: FastAPI resolves the annotations of
the dependency functions defined inside :func:`create_app` at run time.
"""

from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, Path, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.middleware.gzip import GZipMiddleware

from ipos_tui.backoffice.documents.ingest import Ingest
from ipos_tui.backoffice.page_cache import PageCache
from ipos_tui.backoffice.releases import ReleaseStore, default_releases_dir
from ipos_tui.backoffice.security import digest, normalise_code
from ipos_tui.backoffice.services import BackOffice, TerminalAuth
from ipos_tui.backoffice.services.terminals import ContactUpdate
from ipos_tui.backoffice.services.token_cache import TokenRevoked
from ipos_tui.backoffice.throttle import Throttle, Throttled
from ipos_tui.backoffice.web import mount_web
from ipos_tui.backoffice.web.errors import install_web_errors
from ipos_tui.domain.errors import DomainError
from ipos_tui.protocol import (
    API_PREFIX,
    DEFAULT_PULL_LIMIT,
    DEFAULT_RELEASE_CHANNEL,
    HEADER_OLDEST_PENDING,
    HEADER_PENDING_COUNT,
    HEADER_PROTOCOL_VERSION,
    HEADER_STAGED_VERSION,
    HEADER_TERMINAL_VERSION,
    OLDEST_PROTOCOL_VERSION,
    PROTOCOL_VERSION,
    RELEASE_CHANNEL_PATTERN,
    RELEASE_FILE_PATTERN,
    RELEASES_PATH,
    ActivateRequest,
    ActivateResponse,
    CompactPullResponse,
    HealthResponse,
    NumbersRequest,
    NumbersResponse,
    PullResponse,
    ReadyResponse,
    ReceiptLookupResponse,
    SignedRelease,
    TransactionBatch,
    TransactionsResponse,
)

from .access_log import AccessLog
from .errors import (
    ApiError,
    api_error_response,
    domain_error_response,
    install_error_handlers,
    throttled,
)
from .headers import (
    VERSION_DIGITS,
    client_address,
    oldest_pending,
    pending_count,
    staged_version,
)
from .limits import DEFAULT_MAX_BODY, LARGE_BODY_PATHS, BodyLimit
from .openapi import TERMINAL_STATUSES, document_schemas_in_openapi, responses
from .pulls import PULL_THREADS, FastPulls, PullCall, answer_pull

#: The device token (``Authorization: Bearer …``), documented as a security scheme.
_BEARER = HTTPBearer(auto_error=False, scheme_name="DeviceToken",
                     description="The token a terminal got at activation.")


#: Activation refusals that count as a failed guess for the throttle.
_ACTIVATION_FAILURES = frozenset(
    {"err.activation_code_invalid", "err.activation_code_expired", "err.activation_code_used"})


def create_app(office: BackOffice, *, max_body: int = DEFAULT_MAX_BODY,
               releases_dir: FilePath | None = None,
               throttle: Throttle | None = None, access_log: bool = False,
               page_cache: PageCache | None = None, fast_pulls: bool = True,
               pull_threads: int = PULL_THREADS) -> FastAPI:
    """The ASGI app serving ``office`` (one database; companies found by token).

    ``releases_dir``: the app releases served to terminals (default: ``releases/``
    beside the SQLite database, see :mod:`ipos_tui.backoffice.releases`).
    ``throttle``: the failure counters of activation, device tokens and web sign-in
    (default: :data:`~ipos_tui.backoffice.throttle.DEFAULT_LIMITS`, the real clock).
    ``access_log``: one JSON line per request (:mod:`.access_log`), as ``serve`` runs it.
    ``page_cache``: pull pages built once for every till of a store (default: a new one).
    ``fast_pulls``: answer well-formed pulls before the router (:mod:`.pulls`); off, the
    route answers every pull (the same answers: tests compare the two).
    ``pull_threads``: pulls this process answers at once (:func:`.pulls.pull_threads`)."""
    app = FastAPI(
        title="iPOS back office",
        version=str(PROTOCOL_VERSION),
        description="Sync API for iPOS terminals: activation, change feed pulls, "
        "transaction push, receipt lookup.",
    )
    throttle = throttle or Throttle()
    page_cache = page_cache if page_cache is not None else PageCache()
    app.state.page_cache = page_cache
    app.state.throttle = throttle  # iPOS web's sign-in counts its failures here too
    install_error_handlers(app)
    install_web_errors(app)
    mount_web(app, office)

    def protocol_version(
        x_protocol_version: Annotated[str | None, Header(alias=HEADER_PROTOCOL_VERSION)] = None,
    ) -> int:
        """The caller's protocol version; absent or empty: this one."""
        if x_protocol_version is None or not x_protocol_version.strip():
            return PROTOCOL_VERSION
        if not VERSION_DIGITS.fullmatch(x_protocol_version.strip()):
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

    def unauthorized(address: str) -> ApiError:
        """The 401 of an unknown or revoked token (a failure the throttle counts)."""
        throttle.failed([("token_address", address)], address)
        return ApiError(401, "unauthorized", "Unknown or revoked terminal token.",
                        headers={"WWW-Authenticate": "Bearer"})

    def known_terminal(address: str, token: str, version: int, x_terminal_version: str | None,
                       x_pending_count: str | None, x_oldest_pending: str | None,
                       x_staged_version: str | None) -> tuple[TerminalAuth, ContactUpdate | None]:
        """The till of ``token`` (401 otherwise) and what its headers change in its row
        (422 for a header that is not valid)."""
        try:
            throttle.check([("token_address", address)], address)
        except Throttled as exc:
            raise throttled(exc, "Too many requests with a bad terminal token from this "
                            "address.") from None
        auth = office.authenticate(token) if token else None
        if auth is None:
            raise unauthorized(address)
        pending, oldest = pending_count(x_pending_count), oldest_pending(x_oldest_pending)
        staged = staged_version(x_staged_version)
        return auth, office.contact_update(
            auth, app_version=x_terminal_version, pending_count=pending,
            protocol_version=version, oldest_pending=oldest, staged_version=staged)

    def terminal(
        request: Request,
        version: Annotated[int, Depends(protocol_version)],
        bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)] = None,
        x_terminal_version: Annotated[str | None, Header(alias=HEADER_TERMINAL_VERSION)] = None,
        x_pending_count: Annotated[str | None, Header(alias=HEADER_PENDING_COUNT)] = None,
        x_oldest_pending: Annotated[str | None, Header(alias=HEADER_OLDEST_PENDING)] = None,
        x_staged_version: Annotated[str | None, Header(alias=HEADER_STAGED_VERSION)] = None,
    ) -> TerminalAuth:
        token = bearer.credentials.strip() if bearer is not None else ""
        auth, contact = known_terminal(client_address(request), token, version,
                                       x_terminal_version, x_pending_count, x_oldest_pending,
                                       x_staged_version)
        if contact is not None:
            office.write_contact(contact)
        return auth

    def pull_page(auth: TerminalAuth, address: str, stream: str, since: int, limit: int,
                  totals: bool | None, x_protocol_version: str | None, accept_encoding: str,
                  contact: ContactUpdate | None = None) -> Response:
        try:
            return answer_pull(office, page_cache, auth, stream, since, limit, totals,
                               x_protocol_version, accept_encoding, contact)
        except TokenRevoked:
            raise unauthorized(address) from None

    def fast_pull(call: PullCall) -> Response:
        """What the pull route answers ``call`` (the checks of its dependencies, in
        their order), without FastAPI's machinery."""
        try:
            version = protocol_version(call.header(HEADER_PROTOCOL_VERSION))
            auth, contact = known_terminal(
                call.address, call.token, version, call.header(HEADER_TERMINAL_VERSION),
                call.header(HEADER_PENDING_COUNT), call.header(HEADER_OLDEST_PENDING),
                call.header(HEADER_STAGED_VERSION))
            # what the headers told is written with the pull's cursor: one commit
            return pull_page(auth, call.address, call.stream, call.since, call.limit,
                             call.totals, call.header(HEADER_PROTOCOL_VERSION),
                             call.header("accept-encoding") or "", contact)
        except ApiError as exc:
            return api_error_response(exc)
        except DomainError as exc:
            return domain_error_response(exc)

    if fast_pulls:
        # inside GZip, outside the router
        app.add_middleware(FastPulls, serve=fast_pull, threads=pull_threads)
    app.add_middleware(GZipMiddleware, minimum_size=800, compresslevel=6)
    app.add_middleware(BodyLimit, max_body=max_body, larger=LARGE_BODY_PATHS)
    if access_log:
        app.add_middleware(AccessLog)  # the outermost: it times and sizes what is sent

    @app.get("/health", response_model=HealthResponse)
    def health() -> HealthResponse:
        """Liveness: the process answers (it does not touch the database)."""
        return HealthResponse()

    @app.get("/ready", response_model=ReadyResponse, responses={503: {"model": ReadyResponse}})
    def ready() -> Any:
        """Readiness, for a load balancer: the database answers and its schema is the
        one this server needs (503 otherwise, with the reason)."""
        reason = office.not_ready_reason()
        if reason is None:
            return ReadyResponse()
        return JSONResponse(ReadyResponse(status="not_ready", reason=reason).model_dump(),
                            status_code=503)

    @app.post(f"{API_PREFIX}/activate", response_model=ActivateResponse,
              responses=responses(400, 401, 409, 413, 422, 426, 429))
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
            return ActivateResponse(**office.activate(body.code, body.name,
                                                      terminal_id=body.terminal_id))
        except DomainError as exc:
            if exc.key in _ACTIVATION_FAILURES:
                throttle.failed(checks, address)
            raise

    @app.get(f"{API_PREFIX}/sync/{{stream}}", response_model=None,
             responses={200: {"model": PullResponse | CompactPullResponse},
                        **responses(*TERMINAL_STATUSES)})
    def pull(
        request: Request,
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
        return pull_page(auth, client_address(request), stream, since, limit, totals,
                         x_protocol_version, request.headers.get("Accept-Encoding", ""))

    @app.post(f"{API_PREFIX}/transactions", response_model=TransactionsResponse,
              response_model_exclude_none=True, responses=responses(*TERMINAL_STATUSES, 413))
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
                                       pending_before=pending_count(x_pending_count))}

    @app.post(f"{API_PREFIX}/numbers", response_model=NumbersResponse,
              responses=responses(*TERMINAL_STATUSES))
    def numbers(
        body: NumbersRequest,
        auth: Annotated[TerminalAuth, Depends(terminal)],
        _version: Annotated[int, Depends(protocol_version)],
    ) -> dict[str, Any]:
        """Compare the till's numbering with what the back office holds of it: the
        highest number per type, the gaps, the latest invoice numbers. A till behind
        them (put back from an old copy) is recorded as a rollback and goes on above
        them; documents it holds as sent that are missing here (the back office put
        back from an old copy) it sends again."""
        return Ingest(office.for_company(auth.company_id), auth).compare_numbers(body.numbers)

    @app.get(f"{API_PREFIX}/receipts/{{terminal_id}}/{{number}}",
             response_model=ReceiptLookupResponse, response_model_exclude_none=True,
             responses=responses(*TERMINAL_STATUSES, 403, 404))
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
    document_schemas_in_openapi(app)
    return app


def _release_routes(app: FastAPI, releases: ReleaseStore, terminal: Any) -> None:
    """Signed release metadata and the release files (HTTP Range: downloads resume)."""

    @app.get(f"{RELEASES_PATH}/latest", response_model=SignedRelease,
             responses=responses(*TERMINAL_STATUSES, 404))
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
                        **responses(*TERMINAL_STATUSES, 404)})
    def release_file(
        _auth: Annotated[TerminalAuth, Depends(terminal)],
        name: Annotated[str, Path(pattern=RELEASE_FILE_PATTERN)],
    ) -> FileResponse:
        """A release file; ``Range: bytes=N-`` resumes an interrupted download (206)."""
        path = releases.file(name)
        if path is None:
            raise ApiError(404, "release_file_unknown", f"No release file {name}.")
        return FileResponse(path, media_type="application/zip")
