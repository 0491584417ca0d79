"""Issue 15, item 2 against the real back office (uvicorn on 127.0.0.1) and real tills:
a till gets only the staff of its store (a member who leaves the store is removed from
its tills on their next users sync), and the PIN key can be rotated with every PIN
still verifying on the till."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from ipos_tui.backoffice.services import BackOffice
from ipos_tui.domain.errors import DomainError
from ipos_tui.protocol import API_PREFIX

from sync_support import activated, demo_office, pull_all, running_server
from office_db import OfficeBackend

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone(timedelta(hours=1)))


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, office_backend: OfficeBackend) -> Iterator[tuple[BackOffice, str]]:
    office = demo_office(office_backend.url(tmp_path_factory.mktemp("bo") / "office.db"))
    office.set_setting("login_mode", "identifier_pin")
    stores = [int(s["id"]) for s in office.list_stores()]
    assert stores == [1, 2]
    office.add_user("5001", "Tylko Pierwszy", "135790", "manager", ["free_discount"])
    office.set_user_stores("5001", [1])
    office.add_user("5002", "Tylko Drugi", "2468")
    office.set_user_stores("5002", [2])
    office.add_user("5003", "Oba Sklepy", "3690")
    office.set_user_stores("5003", [1, 2])
    with running_server(office) as base:
        yield office, base


def _token(office: BackOffice, store_id: int) -> str:
    _, code = office.add_terminal(store_id, "Kasa z tokenem")
    return str(office.activate(code, "Kasa z tokenem")["token"])


def _pull_users(base: str, token: str) -> tuple[list[dict[str, object]], str]:
    """Every change of the users stream from 0 as the API sends it, and the raw text."""
    changes: list[dict[str, object]] = []
    raw = ""
    since = 0
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
        while True:
            response = client.get(f"{API_PREFIX}/sync/users", params={"since": since})
            assert response.status_code == 200, response.text
            raw += response.text
            page = response.json()
            changes += page["changes"]
            since = page["cursor"]
            if not page["has_more"]:
                return changes, raw


def test_a_store_2_token_gets_no_hash_of_store_1_staff(shop: tuple[BackOffice, str]) -> None:
    office, base = shop
    changes, raw = _pull_users(base, _token(office, 2))
    upserts = {c["data"]["identifier"]: c["data"] for c in changes if c["op"] == "upsert"}
    # its own store's, both stores' and the whole company's staff (no store: the demo's)
    assert {"5002", "5003", "1001", "1002"} <= set(upserts)
    assert "5001" not in upserts and "Tylko Pierwszy" not in raw
    store_1_only = next(u for u in office.list_staff() if u["identifier"] == "5001")
    assert {"op": "delete", "type": "user", "id": store_1_only["id"]}.items() <= next(
        c for c in changes if c["id"] == store_1_only["id"]).items()
    hash_of_5001 = office.db.execute_sql(
        "SELECT pin_hash FROM staff_user WHERE identifier = '5001'").fetchone()[0]
    assert hash_of_5001.split("$")[-1] not in raw  # not even the digest part
    # and store 1's token does get them
    changes, _ = _pull_users(base, _token(office, 1))
    identifiers = {c["data"]["identifier"] for c in changes if c["op"] == "upsert"}
    assert {"5001", "5003", "1001"} <= identifiers and "5002" not in identifiers


def test_a_member_who_leaves_a_store_is_gone_from_its_till_on_the_next_sync(
        shop: tuple[BackOffice, str], tmp_path: Path) -> None:
    office, base = shop
    office.add_user("5010", "Przenoszony", "4455")
    office.set_user_stores("5010", [2])
    till_2 = activated(office, base, tmp_path / "t2", 2)
    till_1 = activated(office, base, tmp_path / "t1", 1)
    with till_2, till_1:
        assert all(pull_all(till_2).values()) and all(pull_all(till_1).values())
        assert till_2.auth.login("5010", "4455", NOW).identifier == "5010"
        with pytest.raises(DomainError) as unknown:
            till_1.auth.login("5010", "4455", NOW)
        assert unknown.value.key == "err.login_unknown"
        with pytest.raises(DomainError):
            till_2.auth.login("5001", "135790", NOW)  # store 1's manager: not here
        # moved to store 1: store 2's till drops them, store 1's gets them
        office.set_user_stores("5010", [1])
        assert all(pull_all(till_2, streams=("users",)).values())
        assert all(pull_all(till_1, streams=("users",)).values())
        with pytest.raises(DomainError) as gone:
            till_2.auth.login("5010", "4455", NOW)
        assert gone.value.key == "err.login_unknown"
        assert till_1.auth.login("5010", "4455", NOW).identifier == "5010"
        # no store any more: company-wide staff, on every till again
        office.set_user_stores("5010", [])
        assert all(pull_all(till_2, streams=("users",)).values())
        assert till_2.auth.login("5010", "4455", NOW).identifier == "5010"


def test_after_a_pin_key_rotation_every_pin_still_verifies_on_the_till(
        shop: tuple[BackOffice, str], tmp_path: Path) -> None:
    office, base = shop
    office.add_user("5020", "Przed Rotacją", "8642")
    till = activated(office, base, tmp_path / "t", 1)
    with till:
        assert all(pull_all(till).values())
        assert till.auth.login("5020", "8642", NOW).identifier == "5020"
        old_key = till.db.execute_sql(
            "SELECT value FROM setting WHERE key = '@pin_key'").fetchone()[0]
        version = office.rotate_pin_key()
        assert version >= 1 and "5020" in office.old_key_pins()
        office.add_user("5021", "Po Rotacji", "97531")
        events: list[object] = []
        assert all(pull_all(till, events=events).values())
        new_key = till.db.execute_sql(
            "SELECT value FROM setting WHERE key = '@pin_key'").fetchone()[0]
        assert new_key != old_key
        # the rotation re-sent every member of staff of the store
        users_done = [e for e in events if getattr(e, "item", None) == "users"]
        assert users_done and users_done[-1].changed >= 1
        assert till.auth.login("5020", "8642", NOW).identifier == "5020"  # old key's PIN
        assert till.auth.login("5021", "97531", NOW).identifier == "5021"  # new key's
        assert till.auth.login("1001", "1111", NOW).identifier == "1001"  # the demo's
        with pytest.raises(DomainError) as wrong:
            till.auth.login("5021", "97530", NOW)
        assert wrong.value.key == "err.login_bad_pin"
        # a PIN set again uses the new key; the old PIN no longer opens the till
        office.update_user("5020", pin="86420")
        assert "5020" not in office.old_key_pins()
        assert all(pull_all(till, streams=("config", "users")).values())
        assert till.auth.login("5020", "86420", NOW).identifier == "5020"
        with pytest.raises(DomainError):
            till.auth.login("5020", "8642", NOW)
        assert office.verify_user_pin("5020", "86420") and office.verify_user_pin("1001", "1111")
    # a till activated only after the rotation gets the older key it still needs
    fresh = activated(office, base, tmp_path / "fresh", 2)
    with fresh:
        assert all(pull_all(fresh).values())
        assert fresh.auth.login("1002", "2222", NOW).identifier == "1002"
        assert fresh.auth.login("5021", "97531", NOW).identifier == "5021"
