"""What OpenAPI says beyond FastAPI's own: every status a route may answer (with
its headers), the headers as validated, the document models of a push, and the link
from a pull page's cursor to the next pull."""

from typing import Any

from fastapi import FastAPI

from ipos_tui.protocol import (
    API_PREFIX,
    DOCUMENT_ADAPTER,
    HEADER_OLDEST_PENDING,
    HEADER_PENDING_COUNT,
    HEADER_PROTOCOL_VERSION,
    HEADER_STAGED_VERSION,
    HEADER_TERMINAL_VERSION,
    NOTHING_STAGED,
    OLDEST_PROTOCOL_VERSION,
    PROTOCOL_VERSION,
    STAGED_VERSION_PATTERN,
    ErrorResponse,
)

#: What every call with a device token may be answered besides 200.
TERMINAL_STATUSES = (400, 401, 422, 426, 429)


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


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
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
HEADER_SCHEMAS: dict[str, dict[str, Any]] = {
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


def document_schemas_in_openapi(app: FastAPI) -> None:
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
                    if parameter.get("in") == "header" and parameter["name"] in HEADER_SCHEMAS:
                        parameter["schema"] = HEADER_SCHEMAS[parameter["name"]]
        _add_links(schema)
        batch = components.get("TransactionBatch", {}).get("properties", {})
        if "documents" in batch:
            batch["documents"]["items"] = {"$ref": "#/components/schemas/Document"}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


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
