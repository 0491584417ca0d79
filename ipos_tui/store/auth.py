"""Cashier login by identifier and PIN, with a lockout that survives a restart.

PINs are stored only as argon2id hashes (per-hash salt built in). A 4-digit PIN
falls to an offline brute force whatever the KDF, so the real defence is online:
after :data:`MAX_FAILURES` consecutive wrong PINs the identifier is locked for
:data:`LOCKOUT_SECONDS`, and the counter lives in the database, so switching the
terminal off and on does not reset it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import re
from datetime import datetime, timedelta
from typing import Final

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from peewee import SqliteDatabase

from ipos_tui.domain.authorisation import Authorisation
from ipos_tui.domain.errors import DomainError
from ipos_tui.store.feed_apply import KEYED_PIN_PREFIX, pin_key, pin_keys
from ipos_tui.store.models import Models, UserRow
from ipos_tui.domain.records import ANONYMOUS_USER, User
from ipos_tui.store.settings import SettingsService
from ipos_tui.store.timeutil import parse_time, to_utc, utc_text

#: Consecutive wrong PINs that lock an identifier.
MAX_FAILURES: Final = 5
#: How long the lock lasts.
LOCKOUT_SECONDS: Final = 30

#: argon2id with the OWASP minimum (19 MiB, 2 passes): ~50 ms on a till's CPU.
_HASHER: Final = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=Type.ID)


def hash_pin(pin: str) -> str:
    """argon2id hash of ``pin`` (a fresh random salt each call)."""
    return _HASHER.hash(pin)


def verify_pin(pin_hash: str, pin: str, pin_key: str | None = None,
               pin_keys: dict[str, str] | None = None) -> bool:
    """Whether ``pin`` matches ``pin_hash``; a missing or malformed hash never does.

    Hashes synced from the back office (prefix ``hmac:``) are argon2id over
    hex(HMAC-SHA256(company PIN key, PIN)): the key (from the config stream) is a
    secret the hash alone does not reveal, so a copied database does not give the
    PINs away to a brute force. Without the key such a hash never matches. After a
    key rotation a hash made with an older key names it (``hmac:k<version>:``) and is
    checked with that key of ``pin_keys`` (version → base64 key); a hash naming no
    version is of the current key (``pin_key``; the other known keys are tried too
    while a sync is half done).
    Locally made hashes (demo, tests) are argon2id over the PIN itself.
    """
    if not pin_hash:
        return False
    if not pin_hash.startswith(KEYED_PIN_PREFIX):
        return _verify(pin_hash, pin)
    pin_hash = pin_hash[len(KEYED_PIN_PREFIX) :]
    keys = dict(pin_keys or {})
    match = _VERSIONED.match(pin_hash)
    if match:
        candidates = [keys.get(match.group(1))]
        pin_hash = pin_hash[match.end() :]
    else:
        candidates = [pin_key, *(k for k in keys.values() if k != pin_key)]
    for candidate in candidates:
        if not candidate:
            continue
        try:
            key = base64.b64decode(candidate, validate=True)
        except (binascii.Error, ValueError):
            continue
        if _verify(pin_hash, hmac.new(key, pin.encode(), hashlib.sha256).hexdigest()):
            return True
    return False


_VERSIONED: Final = re.compile(r"k([0-9]{1,9}):")


def _verify(pin_hash: str, material: str) -> bool:
    try:
        return bool(_HASHER.verify(pin_hash, material))
    except (VerificationError, InvalidHashError):
        return False


def _user(row: UserRow) -> User:
    """The UI-facing User of a catalogue row (without its hash)."""
    permissions = frozenset(str(p) for p in json.loads(row.permissions or "[]"))
    return User(row.id, row.identifier, row.name, row.role, permissions)


class AuthService:
    """Logs cashiers in according to the back office's login mode."""

    def __init__(self, db: SqliteDatabase, models: Models, settings: SettingsService) -> None:
        self._db = db
        self._m = models
        self._settings = settings

    hash_pin = staticmethod(hash_pin)

    def login(self, identifier: str | None, pin: str | None, now: datetime) -> User:
        """The user who may sell now, or a DomainError saying why not.

        "none" mode returns the anonymous cashier; "id" needs a known, active
        identifier; "id_pin" also needs its PIN and counts wrong ones.
        """
        mode = self._settings.login_mode()
        if mode == "none":
            return ANONYMOUS_USER
        ident, row = self._active_user(identifier)
        if mode == "id":
            return _user(row)
        self._check_pin(row, ident, pin, now)
        return _user(row)

    def _active_user(self, identifier: str | None) -> tuple[str, UserRow]:
        """The typed identifier (stripped) and its active user's row, or DomainError
        "err.login_id_required", "err.login_unknown" or "err.login_inactive"."""
        ident = (identifier or "").strip()
        if not ident:
            raise DomainError("err.login_id_required")
        row = self._m.user.get_or_none(self._m.user.identifier == ident)
        if row is None:
            raise DomainError("err.login_unknown", identifier=ident)
        if not row.active:
            raise DomainError("err.login_inactive", name=row.name)
        return ident, row

    def _check_pin(self, row: UserRow, ident: str, pin: str | None, now: datetime) -> None:
        """``pin`` is ``row``'s, or DomainError "err.login_locked", "err.login_pin_required"
        or "err.login_bad_pin" (a wrong PIN counts towards the lockout; a right one
        clears the count). Login and a manager's authorisation check alike."""
        remaining = self.lockout_remaining(ident, now)
        if remaining > 0:
            raise DomainError("err.login_locked", seconds=remaining)
        if not pin:
            raise DomainError("err.login_pin_required")
        if not verify_pin(row.pin_hash, pin, pin_key(self._db), pin_keys(self._db)):
            raise self._record_failure(ident, now)
        self._m.login_failure.delete().where(self._m.login_failure.identifier == ident).execute()

    def authorise(self, identifier: str | None, pin: str | None, permission: str,
                  now: datetime) -> Authorisation:
        """A manager's consent to one action needing ``permission``: the identifier and
        PIN of an active user holding it, checked as a login is (whatever the login
        mode: an authorisation always takes a PIN), wrong PINs counting towards the
        same lockout. Raises DomainError "err.login_id_required", "err.login_unknown",
        "err.login_inactive", "err.login_locked", "err.login_pin_required",
        "err.login_bad_pin" or "perm.err_not_allowed" (``name``, ``permission``: the
        PIN was right, the user does not hold the permission)."""
        ident, row = self._active_user(identifier)
        self._check_pin(row, ident, pin, now)
        user = _user(row)
        if not user.can(permission):
            raise DomainError("perm.err_not_allowed", name=user.name, permission=permission)
        return Authorisation(permission, user.id, user.identifier, user.name, to_utc(now))

    def anyone_holds(self, permission: str) -> bool:
        """Whether an active user of the catalogue holds ``permission`` (a till that
        knows nobody who could authorise something need not ask: its first activation)."""
        row = self._db.execute_sql(
            "SELECT 1 FROM user, json_each(CASE WHEN json_valid(user.permissions) "
            "THEN user.permissions ELSE '[]' END) AS held "
            "WHERE user.active AND held.value = ? LIMIT 1",
            (permission,),
        ).fetchone()
        return row is not None

    def lockout_remaining(self, identifier: str, now: datetime) -> int:
        """Whole seconds (rounded up) until ``identifier`` may try again; 0 if not locked."""
        row = self._m.login_failure.get_or_none(
            self._m.login_failure.identifier == identifier.strip()
        )
        if row is None or row.locked_until_utc is None:
            return 0
        left = (parse_time(row.locked_until_utc) - to_utc(now)).total_seconds()
        return max(0, math.ceil(left))

    def failures(self, identifier: str) -> int:
        """Consecutive wrong PINs recorded for ``identifier`` (for diagnostics)."""
        row = self._m.login_failure.get_or_none(
            self._m.login_failure.identifier == identifier.strip()
        )
        return 0 if row is None else int(row.failures)

    def _record_failure(self, ident: str, now: datetime) -> DomainError:
        """Count one wrong PIN (locking at the limit) and return the error to raise.

        The error is returned, not raised, so the counter's transaction commits.
        """
        table = self._m.login_failure
        with self._db.atomic("IMMEDIATE"):
            row = table.get_or_none(table.identifier == ident)
            failures = 0 if row is None else int(row.failures)
            if row is not None and row.locked_until_utc is not None:
                failures = 0  # the previous lock has expired: a fresh series starts
            failures += 1
            locked_until = None
            if failures >= MAX_FAILURES:
                locked_until = utc_text(to_utc(now) + timedelta(seconds=LOCKOUT_SECONDS))
            table.insert(
                identifier=ident, failures=failures, locked_until_utc=locked_until
            ).on_conflict(
                conflict_target=[table.identifier],
                preserve=[table.failures, table.locked_until_utc],
            ).execute()
        if locked_until is not None:
            return DomainError("err.login_locked", seconds=LOCKOUT_SECONDS)
        return DomainError("err.login_bad_pin", attempts_left=MAX_FAILURES - failures)
