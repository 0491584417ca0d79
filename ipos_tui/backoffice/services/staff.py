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

_PIN_RE = re.compile(r"[0-9]{4,6}")

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
    """A PIN: 4 to 6 digits (``err.pin_invalid``)."""
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

    def add_user(self, identifier: str, name: str, pin: str, role: str = "cashier",
                 permissions: Sequence[str] = (), active: bool = True) -> int:
        identifier = check_identifier(identifier)
        check_name(name)
        self._check_user_fields(role, permissions, pin)
        pin_hash = security.hash_pin(self.pin_key(), pin)
        with self._writing() as changes:
            if m.User.get_or_none(company=self.company_id, identifier=identifier):
                raise DomainError("err.identifier_taken", identifier=identifier)
            user = m.User.create(
                company=self.company_id, identifier=identifier, name=name.strip(), role=role,
                permissions=json.dumps(sorted(set(permissions))), pin_hash=pin_hash,
                active=active,
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
        pin_hash = security.hash_pin(self.pin_key(), pin) if pin is not None else None
        with self._writing() as changes:
            user = self._user(identifier)
            if active is False and user.active and by is not None \
                    and by.strip() == user.identifier:
                raise DomainError("err.deactivate_self")
            if name is not None:
                user.name = name.strip()
            if pin_hash is not None:
                user.pin_hash = pin_hash
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
        return user.active and security.verify_pin(self.pin_key(), user.pin_hash, pin)

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
