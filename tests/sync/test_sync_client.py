"""The client's retry policy and error mapping, with scripted answers (httpx's
MockTransport: the policy, not the back office, is under test here)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from ipos_tui.domain.errors import DomainError
from ipos_tui.protocol import HEADER_PENDING_COUNT, HEADER_PROTOCOL_VERSION, PROTOCOL_VERSION
from ipos_tui.sync.client import MAX_DELAY, SyncClient, normalise_server_url
from ipos_tui.sync.errors import SyncError

Handler = Callable[[httpx.Request], httpx.Response]


def scripted(*answers: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    """A handler giving ``answers`` in order, recording each request."""
    seen: list[httpx.Request] = []
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler, seen


def client(handler: Handler, sleeps: list[float], attempts: int = 4) -> SyncClient:
    return SyncClient("http://bo.test", "secret", app_version="9.9", pending_count=lambda: 3,
                      transport=httpx.MockTransport(handler), sleep=sleeps.append,
                      max_attempts=attempts)


def test_headers_on_every_call_and_path_under_the_api_prefix() -> None:
    handler, seen = scripted(httpx.Response(200, json={"ok": 1}))
    assert client(handler, []).get_json("/sync/config", {"since": 5}) == {"ok": 1}
    request = seen[0]
    assert request.url.path == "/api/v1/sync/config" and request.url.params["since"] == "5"
    assert request.headers["Authorization"] == "Bearer secret"
    assert request.headers[HEADER_PROTOCOL_VERSION] == str(PROTOCOL_VERSION)
    assert request.headers[HEADER_PENDING_COUNT] == "3"
    assert "gzip" in request.headers["Accept-Encoding"]


def test_5xx_and_429_are_retried_honouring_retry_after() -> None:
    handler, seen = scripted(
        httpx.Response(503, headers={"Retry-After": "7"}),
        httpx.Response(429, headers={"Retry-After": "3600"}),
        httpx.ConnectError("refused"),
        httpx.Response(200, json={"done": True}),
    )
    sleeps: list[float] = []
    assert client(handler, sleeps).post_json("/transactions", {"documents": []}) == {"done": True}
    assert len(seen) == 4
    assert sleeps[0] == 7 and sleeps[1] == MAX_DELAY  # Retry-After, capped
    assert 0 < sleeps[2] <= MAX_DELAY  # exponential backoff with jitter


def test_backoff_grows_and_gives_up_with_the_server_error() -> None:
    handler, seen = scripted(*[httpx.Response(500) for _ in range(4)])
    sleeps: list[float] = []
    with pytest.raises(SyncError) as caught:
        client(handler, sleeps).get_json("/sync/users")
    assert (caught.value.key, caught.value.status) == ("sync.err.server", 500)
    assert len(seen) == 4 and len(sleeps) == 3
    assert 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0 and 2.0 <= sleeps[2] <= 4.0


@pytest.mark.parametrize(
    ("status", "body", "key"),
    [
        (401, {"error": "unauthorized", "message": "x"}, "sync.err.unauthorized"),
        (403, {"error": "forbidden", "message": "x"}, "sync.err.forbidden"),
        (413, {"error": "body_too_large", "message": "x"}, "sync.err.too_large"),
        (426, {"error": "protocol_too_old", "message": "x"}, "sync.err.protocol_too_old"),
        (400, {"error": "protocol_too_new", "message": "x"}, "sync.err.protocol_too_new"),
        (422, {"error": "validation", "message": "x"}, "sync.err.rejected"),
    ],
)
def test_client_errors_are_not_retried(status: int, body: dict[str, str], key: str) -> None:
    handler, seen = scripted(httpx.Response(status, json=body))
    sleeps: list[float] = []
    with pytest.raises(SyncError) as caught:
        client(handler, sleeps).post_json("/transactions", {"documents": []})
    assert (caught.value.key, caught.value.status) == (key, status)
    assert isinstance(caught.value, DomainError)
    assert len(seen) == 1 and sleeps == []


def test_an_answer_that_is_not_a_json_object_is_a_bad_response() -> None:
    handler, _ = scripted(httpx.Response(200, text="<html>proxy login</html>"))
    with pytest.raises(SyncError) as caught:
        client(handler, []).get_json("/sync/config")
    assert caught.value.key == "sync.err.bad_response"


def test_activation_is_not_retried_once_the_request_may_have_arrived() -> None:
    handler, seen = scripted(httpx.ReadTimeout("lost"))
    with pytest.raises(SyncError) as caught:
        SyncClient.activate("http://bo.test", "1234-5678-9012", app_version="1",
                            transport=httpx.MockTransport(handler), sleep=lambda _s: None)
    assert caught.value.key == "sync.err.offline" and len(seen) == 1
    assert "Authorization" not in seen[0].headers
    assert b'"code":"123456789012"' in seen[0].content.replace(b" ", b"")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("192.168.1.5:8000", "http://192.168.1.5:8000"),
        ("https://bo.example.pl/api/v1/", "https://bo.example.pl"),
        (" http://bo:80/sklep/ ", "http://bo:80/sklep"),
    ],
)
def test_server_addresses_as_typed(typed: str, expected: str) -> None:
    assert normalise_server_url(typed) == expected


@pytest.mark.parametrize("typed", ["", "ftp://x", "http://:80", "http://bo:99999"])
def test_unusable_addresses(typed: str) -> None:
    with pytest.raises(DomainError) as caught:
        normalise_server_url(typed)
    assert caught.value.key == "sync.err.url_invalid"
