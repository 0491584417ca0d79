"""Schemathesis against the real back office's OpenAPI schema (uvicorn on 127.0.0.1).

Cases are generated from the schema for every operation of the sync API (stateless),
then as sequences following the schema's links (stateful), with a valid device token
of a demo-shop terminal. Each answer must be no server error and conform to the
schema: a documented status code, the documented content type, a body valid against
the documented response schema, the documented headers. Fixed budget and seed
(``derandomize``), so the run is the same every time and takes seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from backoffice_support import build_shop, make_receipt, new_office, running_server
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ipos_tui.backoffice.throttle import Limit, Limits, Throttle
from office_db import OfficeBackend

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]
#: Examples per operation (stateless) and the stateful run's budget.
MAX_EXAMPLES = 40
STATEFUL_EXAMPLES = 15

#: Generous limits: the run sends many bad tokens on purpose (429 is documented and
#: conforms too, but it would hide the other answers).
NO_THROTTLE = Limits(**{name: Limit(100_000, 60) for name in Limits.__dataclass_fields__})


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, office_backend: OfficeBackend) -> Iterator[tuple[str, str, int]]:
    """The back office with a small shop, one activated terminal (token) and one of
    its receipts stored: (base URL, token, terminal id)."""
    office = new_office(office_backend.url(Path(tmp_path_factory.mktemp("st")) / "bo.sqlite3"))
    shop = build_shop(office)
    with running_server(office, throttle=Throttle(NO_THROTTLE)) as base:
        _, code = office.add_terminal(shop.store1, "Kasa schematu")
        body = httpx.post(f"{base}/api/v1/activate", json={"code": code}).json()
        token, terminal_id = body["token"], body["terminal_id"]
        pushed = httpx.post(f"{base}/api/v1/transactions",
                            headers={"Authorization": f"Bearer {token}"},
                            json={"documents": [make_receipt(shop.store1, 1)]})
        assert pushed.json()["results"][0]["status"] == "accepted"
        yield base, token, terminal_id


def _schema(base: str) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    return schema.include(path_regex=r"^/(api/v1/|health)")


def test_stateless_every_operation_conforms(served: tuple[str, str, int]) -> None:
    base, token, _ = served
    schema = _schema(base)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {
        "/health", "/api/v1/activate", "/api/v1/sync/{stream}", "/api/v1/transactions",
        "/api/v1/receipts/{terminal_id}/{number}", "/api/v1/releases/latest",
        "/api/v1/releases/files/{name}"}
    headers = {"Authorization": f"Bearer {token}"}
    statuses: dict[str, set[int]] = {}
    for operation in operations:
        @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None,
                  database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            response = case.call(base_url=base, headers=headers)
            statuses.setdefault(operation.label, set()).add(response.status_code)
            case.validate_response(response, checks=CHECKS)

        run()
    # the run reached the operations behind the token, not only their refusals
    assert 200 in statuses["GET /api/v1/sync/{stream}"]
    assert 200 in statuses["POST /api/v1/transactions"]
    assert all(500 > s for found in statuses.values() for s in found)


def test_wrong_tokens_and_headers_conform_too(served: tuple[str, str, int]) -> None:
    """The refusals a generated token or header gets are documented answers too."""
    base, token, _ = served
    schema = _schema(base)
    operation = schema["/api/v1/sync/{stream}"]["GET"]
    seen: set[int] = set()

    @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(),
           auth=st.sampled_from([f"Bearer {token}", "Bearer nope", "Basic x", ""]),
           version=st.sampled_from(["", "1", "2", "3", "99", "x"]))
    def run(case: schemathesis.Case, auth: str, version: str) -> None:
        response = case.call(base_url=base, headers={"Authorization": auth,
                                                     "X-Protocol-Version": version})
        seen.add(response.status_code)
        case.validate_response(response, checks=CHECKS)

    run()
    assert {200, 400, 401, 426} <= seen


def test_stateful_sequences_conform(served: tuple[str, str, int]) -> None:
    base, token, _ = served
    schema = _schema(base)
    machine = schema.as_state_machine()

    class Machine(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, object]:
            return {"base_url": base, "headers": {"Authorization": f"Bearer {token}"}}

        def validate_response(self, response: object, case: schemathesis.Case,
                              **kwargs: object) -> None:
            case.validate_response(response, checks=CHECKS)

    Machine.run(settings=settings(max_examples=STATEFUL_EXAMPLES, derandomize=True,
                                  deadline=None, database=None, stateful_step_count=5,
                                  suppress_health_check=list(HealthCheck)))
