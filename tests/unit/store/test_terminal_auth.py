"""Login in every mode, inactive users, the persisted lockout, and PIN storage."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from terminal_support import NOW

from ipos_tui.domain.errors import DomainError
from ipos_tui.store.auth import LOCKOUT_SECONDS, MAX_FAILURES, hash_pin, verify_pin
from ipos_tui.store.db import DB_FILENAME, Terminal, open_terminal
from ipos_tui.demo.terminal import demo_snapshot
from ipos_tui.domain.records import ANONYMOUS_USER, CatalogueSnapshot, UserAccount

SECRET_PIN = "739182"


def _set_mode(terminal: Terminal, mode: str) -> None:
    terminal.db.execute_sql(
        "INSERT INTO setting (key, value) VALUES ('login_mode', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (json.dumps(mode),),
    )


def _error(terminal: Terminal, identifier: str | None, pin: str | None, now=NOW) -> DomainError:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as caught:
        terminal.auth.login(identifier, pin, now)
    return caught.value


def test_id_pin_mode(demo_terminal: Terminal) -> None:
    assert demo_terminal.settings.login_mode() == "id_pin"
    user = demo_terminal.auth.login(" 1001 ", "1111", NOW)
    assert (user.id, user.name, user.role) == (1, "Anna Kowalska", "właściciel")
    assert user.can("price_change") and user.can("returns") and user.can("cash_withdrawal")
    cashier = demo_terminal.auth.login("1002", "2222", NOW)
    assert cashier.can("free_discount") and not cashier.can("price_change")
    trainee = demo_terminal.auth.login("1003", "3333", NOW)
    assert trainee.permissions == frozenset()
    assert _error(demo_terminal, "1001", None).key == "err.login_pin_required"
    assert _error(demo_terminal, "", "1111").key == "err.login_id_required"
    unknown = _error(demo_terminal, "9999", "1111")
    assert (unknown.key, unknown.params) == ("err.login_unknown", {"identifier": "9999"})


def test_inactive_user_is_refused_in_every_mode_that_names_a_user(demo_terminal: Terminal) -> None:
    error = _error(demo_terminal, "1004", "4444")
    assert (error.key, error.params) == ("err.login_inactive", {"name": "Piotr Zieliński"})
    _set_mode(demo_terminal, "id")
    assert _error(demo_terminal, "1004", None).key == "err.login_inactive"


def test_id_mode_needs_no_pin(demo_terminal: Terminal) -> None:
    _set_mode(demo_terminal, "id")
    assert demo_terminal.auth.login("1002", None, NOW).name == "Jan Nowak"
    assert demo_terminal.auth.login("1002", "wrong", NOW).name == "Jan Nowak"
    assert _error(demo_terminal, "9999", None).key == "err.login_unknown"


def test_none_mode_sells_as_the_anonymous_cashier(demo_terminal: Terminal) -> None:
    _set_mode(demo_terminal, "none")
    user = demo_terminal.auth.login(None, None, NOW)
    assert user == ANONYMOUS_USER
    # without a login nobody can be restricted: what everybody could do before the
    # till checked it stays allowed; a manager's permissions need a manager's PIN
    assert (user.id, user.name, user.permissions) == (0, "kasjer anonimowy", {"void", "day_close", "reports"})
    assert not user.can("price_change") and not user.can("settings")


def test_unknown_mode_falls_back_to_id_pin(demo_terminal: Terminal) -> None:
    _set_mode(demo_terminal, "bogus")
    assert demo_terminal.settings.login_mode() == "id_pin"
    assert _error(demo_terminal, "1001", None).key == "err.login_pin_required"


def test_lockout_after_five_wrong_pins_persists_and_expires(
    demo_dir: Path, demo_terminal: Terminal
) -> None:
    errors = [
        _error(demo_terminal, "1002", "0000", NOW + timedelta(seconds=i))
        for i in range(MAX_FAILURES)
    ]
    assert [(e.key, e.params) for e in errors[:-1]] == [
        ("err.login_bad_pin", {"attempts_left": left}) for left in (4, 3, 2, 1)
    ]
    locked_at = NOW + timedelta(seconds=MAX_FAILURES - 1)
    assert (errors[-1].key, errors[-1].params) == ("err.login_locked", {"seconds": LOCKOUT_SECONDS})
    # Even the right PIN is refused while locked; other users are not affected.
    during = _error(demo_terminal, "1002", "2222", locked_at + timedelta(seconds=10))
    assert (during.key, during.params) == ("err.login_locked", {"seconds": 20})
    assert demo_terminal.auth.login("1001", "1111", locked_at).id == 1

    demo_terminal.close()  # a restart does not lift the lock
    with open_terminal(demo_dir) as again:
        assert again.auth.lockout_remaining("1002", locked_at + timedelta(seconds=10.5)) == 20
        assert (
            _error(again, "1002", "2222", locked_at + timedelta(seconds=29)).key
            == "err.login_locked"
        )
        after = locked_at + timedelta(seconds=LOCKOUT_SECONDS)
        assert again.auth.lockout_remaining("1002", after) == 0
        assert again.auth.login("1002", "2222", after).name == "Jan Nowak"
        assert again.auth.failures("1002") == 0


def test_success_resets_the_count_and_an_expired_lock_starts_a_new_series(
    demo_terminal: Terminal,
) -> None:
    for _ in range(3):
        _error(demo_terminal, "1003", "1")
    demo_terminal.auth.login("1003", "3333", NOW)
    assert _error(demo_terminal, "1003", "1").params == {"attempts_left": 4}
    for _ in range(4):
        _error(demo_terminal, "1003", "1")
    after = NOW + timedelta(seconds=LOCKOUT_SECONDS + 1)
    assert _error(demo_terminal, "1003", "1", after).params == {"attempts_left": 4}


def test_pin_is_stored_only_as_an_argon2id_hash(tmp_path: Path) -> None:
    with open_terminal(tmp_path) as terminal:
        base = demo_snapshot()
        account = UserAccount(9, "4242", "Ewa Test", "kasjer", hash_pin(SECRET_PIN))
        terminal.catalog.replace_all(CatalogueSnapshot(**{**base.__dict__, "users": (account,)}))
        stored = terminal.db.execute_sql(
            "SELECT pin_hash FROM user WHERE identifier = '4242'"
        ).fetchone()[0]
        assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        assert terminal.auth.login("4242", SECRET_PIN, NOW).name == "Ewa Test"
        terminal.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    for path in tmp_path.iterdir():
        if path.name.startswith(DB_FILENAME):
            assert SECRET_PIN.encode() not in path.read_bytes(), path


def test_hashes_are_salted_and_malformed_hashes_never_match() -> None:
    first, second = hash_pin("1234"), hash_pin("1234")
    assert first != second
    assert verify_pin(first, "1234") and verify_pin(second, "1234")
    assert not verify_pin(first, "1235")
    assert not verify_pin("", "1234")
    assert not verify_pin("not a hash", "1234")
