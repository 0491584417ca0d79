"""Issue 15 items 3 and 6, issue 14 item 8, against a real uvicorn back office:
throttling of guessing (429 + Retry-After, an injected clock instead of sleeping),
readable English error messages with the code the till translates, and money and
quantities that are true integers on the wire."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from backoffice_support import TerminalClient, build_shop, make_receipt, new_office, running_server
from pydantic import ValidationError

from ipos_tui.backoffice.throttle import Limit, Limits, Throttle
from ipos_tui.protocol import DATA_MODELS, DOCUMENT_ADAPTER, ReceiptLookupResponse
from office_db import OfficeBackend


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


LIMITS = Limits(activation_address=Limit(5, 600), activation_code=Limit(4, 600),
                activation_total=Limit(8, 600), token_address=Limit(6, 300))


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, office_backend: OfficeBackend):
    return build_shop(new_office(office_backend.url(Path(tmp_path_factory.mktemp("hard")) / "bo.sqlite3")))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def base(shop, clock: Clock) -> Iterator[str]:
    with running_server(shop.office, throttle=Throttle(LIMITS, clock=clock)) as url:
        yield url


def _activate(base: str, code: str, address: str = "10.0.0.1") -> httpx.Response:
    # uvicorn trusts X-Forwarded-For from 127.0.0.1: each test address is its own caller
    return httpx.post(f"{base}/api/v1/activate", json={"code": code, "name": "Kasa"},
                      headers={"X-Forwarded-For": address})


def test_wrong_activation_codes_are_throttled_per_address(shop, base, clock, caplog) -> None:
    caplog.set_level(logging.INFO, logger="ipos_tui.backoffice.throttle")
    for i in range(LIMITS.activation_address.count):
        assert _activate(base, f"WRONG{i:04d}").status_code == 401
    refused = _activate(base, "WRONG9999")
    assert refused.status_code == 429
    assert refused.json()["error"] == "throttled"
    assert 0 < int(refused.headers["Retry-After"]) <= 600
    assert "Too many wrong activation codes" in refused.json()["message"]
    _, code = shop.office.add_terminal(shop.store1, "Kasa 2")
    assert _activate(base, code).status_code == 429  # even the right code, while blocked
    assert _activate(base, code, address="10.0.0.2").status_code == 200  # another address
    # the counters are logged with the client address
    assert "activation_address 10.0.0.1 5/5/600" in caplog.text
    assert "refused" in caplog.text and "10.0.0.1" in caplog.text
    clock.now += int(refused.headers["Retry-After"])
    _, code = shop.office.add_terminal(shop.store1, "Kasa 3")
    assert _activate(base, code).status_code == 200


def test_activation_is_throttled_per_code_and_over_all_addresses(shop, base, clock) -> None:
    _, code = shop.office.add_terminal(shop.store1, "Kasa")
    assert _activate(base, code, "10.1.0.1").status_code == 200
    for i in range(LIMITS.activation_code.count):  # the used code, from ever new addresses
        assert _activate(base, code, f"10.1.1.{i}").status_code == 409
    assert _activate(base, code, "10.1.2.1").status_code == 429
    # every caller's wrong codes add up: distributed guessing stops too
    for i in range(LIMITS.activation_total.count - LIMITS.activation_code.count):
        assert _activate(base, f"GUESS{i}", f"10.2.0.{i}").status_code == 401
    _, fresh = shop.office.add_terminal(shop.store1, "Kasa")
    blocked = _activate(base, fresh, "10.3.0.1")
    assert blocked.status_code == 429 and blocked.headers["Retry-After"]
    clock.now += 601
    assert _activate(base, fresh, "10.3.0.1").status_code == 200


def test_bad_tokens_are_throttled_per_address(shop, base, clock) -> None:
    _, code = shop.office.add_terminal(shop.store1, "Kasa")
    good = TerminalClient.activate(base, code)
    try:
        def pull(token: str, address: str) -> httpx.Response:
            return httpx.get(f"{base}/api/v1/sync/config",
                             headers={"Authorization": f"Bearer {token}",
                                      "X-Forwarded-For": address})

        token = good.http.headers["Authorization"].split()[1]
        for _ in range(LIMITS.token_address.count):
            assert pull("bad-token", "10.9.0.1").status_code == 401
        refused = pull("bad-token", "10.9.0.1")
        assert refused.status_code == 429 and refused.json()["error"] == "throttled"
        wait = int(refused.headers["Retry-After"])
        assert 0 < wait <= 300
        assert pull(token, "10.9.0.1").status_code == 429
        assert pull(token, "10.9.0.2").status_code == 200  # other addresses go on
        assert pull(token, "10.9.0.1").status_code == 429  # good requests are not counted
        clock.now += wait
        assert pull(token, "10.9.0.1").status_code == 200
    finally:
        good.close()


def test_many_good_tills_from_one_address_are_never_throttled(shop, base) -> None:
    """Only failures count: a shop activating and syncing many tills is never slowed."""
    for _ in range(LIMITS.activation_address.count + 3):
        _, code = shop.office.add_terminal(shop.store1, "Kasa")
        till = TerminalClient.activate(base, code)
        for _ in range(3):
            till.pull("config")
        till.close()


def test_error_messages_are_english_with_the_code(shop, base) -> None:
    wrong = _activate(base, "NOPE", "10.5.0.1").json()
    assert wrong == {"error": "activation_code_invalid", "message": "Invalid activation code."}
    _, code = shop.office.add_terminal(shop.store1, "Kasa")
    till = TerminalClient.activate(base, code)
    try:
        used = _activate(base, code, "10.5.0.2").json()
        assert used["error"] == "activation_code_used"
        assert used["message"] == "This activation code has already been used."
        missing = till.http.get(f"/api/v1/receipts/{till.terminal_id}/999").json()
        assert missing["error"] == "receipt_unknown"
        assert "err." not in missing["message"] and missing["message"][0].isupper()
        for response in (till.http.get("/api/v1/sync/config", headers={"Authorization": ""}),
                         till.http.get("/api/v1/nothing"),
                         till.http.get("/api/v1/sync/x"),
                         till.http.get("/api/v1/sync/config",
                                       headers={"X-Protocol-Version": "99"})):
            body = response.json()
            assert response.status_code >= 400 and body["error"] and "err." not in body["message"]
            assert body["message"][0].isupper(), body
    finally:
        till.close()


def test_empty_optional_headers_are_not_said(shop, base) -> None:
    _, code = shop.office.add_terminal(shop.store1, "Kasa")
    till = TerminalClient.activate(base, code)
    try:
        for header in ("X-Protocol-Version", "X-Pending-Count", "X-Oldest-Pending",
                       "X-Staged-Version", "X-Terminal-Version"):
            assert till.http.get("/api/v1/sync/config", headers={header: ""}).status_code == 200
        assert till.http.get("/api/v1/sync/config",
                             headers={"X-Protocol-Version": "٣".encode()}).status_code == 422
    finally:
        till.close()


def test_openapi_documents_statuses_and_headers(base) -> None:
    schema = httpx.get(f"{base}/openapi.json").json()
    pull = schema["paths"]["/api/v1/sync/{stream}"]["get"]
    assert {"200", "400", "401", "422", "426", "429"} <= set(pull["responses"])
    assert "Retry-After" in pull["responses"]["429"]["headers"]
    activate = schema["paths"]["/api/v1/activate"]["post"]["responses"]
    assert {"401", "409", "413", "429"} <= set(activate)
    headers = {p["name"]: p["schema"] for p in pull["parameters"] if p["in"] == "header"}
    assert headers["X-Protocol-Version"]["pattern"] == "^([0-9]{1,9})?$"
    assert "DeviceToken" in schema["components"]["securitySchemes"]


# ------------------------------------------------------------------ strict wire money

LOOSE = ["12", 12.0, True]


@pytest.mark.parametrize("loose", LOOSE, ids=["string", "float", "bool"])
@pytest.mark.parametrize("field", ["unit_price", "qty", "value", "total", "amount"])
def test_loose_money_and_quantities_are_refused_by_the_back_office(shop, base, field,
                                                                  loose) -> None:
    """A pushed document is parsed on its own (one bad document never fails the batch):
    a loose number is refused as malformed, with the field and pydantic's strict-int
    error, and quarantined; the good document beside it is stored."""
    _, code = shop.office.add_terminal(shop.store1, "Kasa")
    till = TerminalClient.activate(base, code)
    try:
        bad = make_receipt(till.store_id, 1, price=1000)
        if field == "amount":
            bad["payments"][0]["amount"] = loose
        elif field == "total":
            bad["total"] = loose
        else:
            bad["lines"][0][field] = loose
        good = make_receipt(till.store_id, 2)
        results = till.push([bad, good])
        assert results[0]["status"] == "rejected"
        assert results[0]["reason"].startswith("malformed:")
        assert results[0]["reason"].endswith(":int_type")
        assert results[1]["status"] == "accepted"
    finally:
        till.close()


@pytest.mark.parametrize("loose", LOOSE, ids=["string", "float", "bool"])
def test_loose_ints_are_refused_by_the_shared_models(loose) -> None:
    receipt = make_receipt(1, 1, price=1200)
    receipt["vat_totals"]["A"] = loose
    with pytest.raises(ValidationError):
        DOCUMENT_ADAPTER.validate_python(receipt)
    with pytest.raises(ValidationError):  # also as JSON text
        DOCUMENT_ADAPTER.validate_json(
            __import__("json").dumps(receipt))
    # the till's side: a price or discount in a pull page, a receipt lookup's quantities
    with pytest.raises(ValidationError):
        DATA_MODELS["price"].model_validate({"product_id": 1, "price": loose})
    with pytest.raises(ValidationError):
        DATA_MODELS["discount"].model_validate({"name": "R", "kind": "amount", "value": loose})
    with pytest.raises(ValidationError):
        ReceiptLookupResponse.model_validate({
            "terminal_id": 1, "number": 1, "store_id": 1, "receipt": make_receipt(1, 1),
            "returned": {"0": loose}})
    # true integers pass, a JSON key of returned lines is still a string
    assert DATA_MODELS["price"].model_validate({"product_id": 1, "price": 12}).price == 12
    lookup = ReceiptLookupResponse.model_validate({
        "terminal_id": 1, "number": 1, "store_id": 1, "receipt": make_receipt(1, 1),
        "returned": {"0": 1000}})
    assert lookup.returned == {0: 1000}


def test_limits_are_configurable_from_the_cli() -> None:
    from ipos_tui.backoffice.cli import build_parser

    args = build_parser().parse_args(["serve", "--throttle", "token_address=5/60, login_name=3/120"])
    assert args.throttle.token_address == Limit(5, 60)
    assert args.throttle.login_name == Limit(3, 120)
    assert args.throttle.activation_address == Limits().activation_address
    assert build_parser().parse_args(["serve"]).throttle == Limits()
    for bad in ("nothing=1/2", "token_address=x/60", "token_address=0/60"):
        with pytest.raises(ValueError):
            Limits.parse(bad)
