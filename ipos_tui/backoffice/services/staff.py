"""Staff: users, roles, permissions and PINs (stored as argon2id hashes)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice import security
from ipos_tui.domain.errors import DomainError

from .base import ServiceBase

ROLES = ("cashier", "manager", "owner")

PERMISSIONS = (
    "price_change",
    "free_discount",
    "returns",
    "cash_withdrawal",
    "cash_deposit",
    "void",
    "day_close",
    "reports",
    "settings",
)

_PIN_RE = re.compile(r"[0-9]{4,8}")

#: Permissions whose holders need a PIN of at least :data:`PRIVILEGED_PIN_MIN` digits
#: (unless the setting ``short_pins_privileged`` allows shorter ones): a 4-digit PIN
#: falls to an offline guess in seconds to whoever holds a till's copy of its hash.
PRIVILEGED_PERMISSIONS = frozenset({"free_discount", "price_change"})
PRIVILEGED_PIN_MIN = 6
SHORT_PINS_SETTING = "short_pins_privileged"

_IDENTIFIER_RE = re.compile(r"[0-9A-Za-z]{1,20}")

#: The longest name of a member of staff (the column's size).
MAX_NAME = 80


def check_identifier(identifier: str) -> str:
    """A login identifier: 1–20 digits or letters (``err.identifier_invalid``)."""
    identifier = identifier.strip()
    if not _IDENTIFIER_RE.fullmatch(identifier):
        raise DomainError("err.identifier_invalid", identifier=identifier)
    return identifier


def check_name(name: str) -> str:
    """A member of staff's name: not empty, at most :data:`MAX_NAME` characters."""
    if not name.strip():
        raise DomainError("err.name_empty")
    if len(name.strip()) > MAX_NAME:
        raise DomainError("err.name_too_long", max=MAX_NAME)
    return name.strip()


def check_role(role: str) -> str:
    if role not in ROLES:
        raise DomainError("err.role_invalid", role=role)
    return role


def check_permissions(permissions: Iterable[str]) -> list[str]:
    for permission in permissions:
        if permission not in PERMISSIONS:
            raise DomainError("err.permission_unknown", permission=permission)
    return sorted(set(permissions))


def check_pin(pin: str) -> str:
    """A PIN: 4 to 8 digits (``err.pin_invalid``)."""
    if not _PIN_RE.fullmatch(pin):
        raise DomainError("err.pin_invalid")
    return pin


class StaffService(ServiceBase):
    """Staff: users, roles, permissions and PINs (stored as argon2id hashes)."""

    def _check_user_fields(self, role: str | None, permissions: Iterable[str] | None,
                           pin: str | None) -> None:
        if role is not None:
            check_role(role)
        check_permissions(permissions or ())
        if pin is not None:
            check_pin(pin)

    def short_pins_allowed(self) -> bool:
        """Whether the owner allows PINs under 6 digits for privileged staff."""
        row = m.Setting.get_or_none(company=self.company_id, key=SHORT_PINS_SETTING)
        return row is not None and json.loads(row.value) is True

    def _check_pin_policy(self, identifier: str, permissions: Iterable[str],
                          digits: int | None) -> None:
        """Refuse (``err.pin_short_privileged``) a PIN of ``digits`` digits for one who
        holds a privileged permission, unless the owner allows short PINs. ``None``: a
        PIN set before lengths were kept (nothing to check)."""
        if digits is None or digits >= PRIVILEGED_PIN_MIN:
            return
        if PRIVILEGED_PERMISSIONS.isdisjoint(permissions) or self.short_pins_allowed():
            return
        raise DomainError("err.pin_short_privileged", identifier=identifier,
                          minimum=PRIVILEGED_PIN_MIN)

    def add_user(self, identifier: str, name: str, pin: str, role: str = "cashier",
                 permissions: Sequence[str] = (), active: bool = True) -> int:
        identifier = check_identifier(identifier)
        check_name(name)
        self._check_user_fields(role, permissions, pin)
        self._check_pin_policy(identifier, permissions, len(pin))
        version = self.pin_key_version()
        pin_hash = security.hash_pin(self.pin_key(version), pin)
        with self._writing() as changes:
            if m.User.get_or_none(company=self.company_id, identifier=identifier):
                raise DomainError("err.identifier_taken", identifier=identifier)
            user = m.User.create(
                company=self.company_id, identifier=identifier, name=name.strip(), role=role,
                permissions=json.dumps(sorted(set(permissions))), pin_hash=pin_hash,
                active=active, pin_key_version=version, pin_digits=len(pin),
            )
            changes.record("user", user.id)
            return user.id

    def update_user(self, identifier: str, *, name: str | None = None, pin: str | None = None,
                    role: str | None = None, permissions: Sequence[str] | None = None,
                    active: bool | None = None, by: str | None = None) -> None:
        """Change a member of staff. ``by``: the identifier of who makes the change (a
        person cannot deactivate themselves). The company always keeps an active owner:
        deactivating or demoting the last one is refused (``err.last_owner``)."""
        if name is not None:
            check_name(name)
        self._check_user_fields(role, permissions, pin)
        version = self.pin_key_version()
        pin_hash = security.hash_pin(self.pin_key(version), pin) if pin is not None else None
        with self._writing() as changes:
            user = self._user(identifier)
            self._check_pin_policy(
                user.identifier,
                json.loads(user.permissions) if permissions is None else permissions,
                len(pin) if pin is not None else user.pin_digits)
            if active is False and user.active and by is not None \
                    and by.strip() == user.identifier:
                raise DomainError("err.deactivate_self")
            if name is not None:
                user.name = name.strip()
            if pin_hash is not None and pin is not None:
                if user.pin_key_version != version:
                    changes.record("pin_key", self.company_id)  # fewer old keys to send
                user.pin_hash, user.pin_key_version, user.pin_digits = pin_hash, version, len(pin)
            was_owner = user.active and user.role == "owner"
            if role is not None:
                user.role = role
            if permissions is not None:
                user.permissions = json.dumps(sorted(set(permissions)))
            if active is not None:
                user.active = active
            if was_owner and not (user.active and user.role == "owner") \
                    and not self._other_active_owner(user.id):
                raise DomainError("err.last_owner", identifier=user.identifier)
            user.save()
            changes.record("user", user.id)

    def _other_active_owner(self, user_id: int) -> bool:
        return m.User.select().where(
            (m.User.company == self.company_id) & (m.User.id != user_id)
            & (m.User.role == "owner") & (m.User.active == True)  # noqa: E712 (peewee)
        ).exists()

    def deactivate_user(self, identifier: str) -> None:
        self.update_user(identifier, active=False)

    def _user(self, identifier: str) -> m.User:
        user = m.User.get_or_none(company=self.company_id, identifier=identifier.strip())
        if user is None:
            raise DomainError("err.user_unknown", identifier=identifier)
        return user

    def verify_user_pin(self, identifier: str, pin: str) -> bool:
        user = self._user(identifier)
        return user.active and security.verify_pin(
            self.pin_key(user.pin_key_version), user.pin_hash, pin)

    def rotate_pin_key(self) -> int:
        """A new PIN key for the company (its new version). Tills get it, and every
        member of staff again, on their next sync; PINs set from now on use it, the
        others keep working under the key they were set with until they are changed."""
        with self._writing() as changes:
            company = m.Company.get_by_id(self.company_id)
            company.pin_key_version = int(company.pin_key_version) + 1
            company.save()
            changes.record("pin_key", self.company_id)
            for user in m.User.select(m.User.id).where(m.User.company == self.company_id):
                changes.record("user", user.id)
            return int(company.pin_key_version)

    def old_key_pins(self) -> list[str]:
        """Identifiers of active staff whose PIN was set under an older key (after a
        rotation: the PINs still to change)."""
        version = self.pin_key_version()
        return [u.identifier for u in m.User.select(m.User.identifier).where(
            (m.User.company == self.company_id) & (m.User.active == True)  # noqa: E712
            & (m.User.pin_key_version != version)).order_by(m.User.identifier)]

    def list_users(self) -> list[dict[str, Any]]:
        rows = m.User.select().where(m.User.company == self.company_id).order_by(m.User.identifier)
        return [self._user_row(r) for r in rows]

    @staticmethod
    def _user_row(r: m.User) -> dict[str, Any]:
        return {"id": r.id, "identifier": r.identifier, "name": r.name, "role": r.role,
                "permissions": json.loads(r.permissions), "active": r.active}

    def list_staff(self) -> list[dict[str, Any]]:
        """:meth:`list_users` and, for iPOS web's Personel, whether each has a web
        password and the stores a manager runs (``store_ids``)."""
        rows = m.User.select().where(m.User.company == self.company_id).order_by(m.User.identifier)
        stores: dict[int, list[int]] = {}
        for link in (m.UserStore.select(m.UserStore.user, m.UserStore.store)
                     .join(m.User).where(m.User.company == self.company_id)
                     .order_by(m.UserStore.store)):
            stores.setdefault(link.user_id, []).append(link.store_id)
        return [{**self._user_row(r), "web_password": r.web_password_hash is not None,
                 "store_ids": stores.get(r.id, [])} for r in rows]

    def get_staff(self, identifier: str) -> dict[str, Any]:
        """One member of staff as :meth:`list_staff` shows them (``err.user_unknown``)."""
        user = self._user(identifier)
        return {**self._user_row(user), "web_password": user.web_password_hash is not None,
                "store_ids": [row.store_id for row in m.UserStore.select().where(
                    m.UserStore.user == user.id).order_by(m.UserStore.store)]}
