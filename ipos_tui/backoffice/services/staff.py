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


class StaffService(ServiceBase):
    """Staff: users, roles, permissions and PINs (stored as argon2id hashes)."""

    def _check_user_fields(self, role: str | None, permissions: Iterable[str] | None,
                           pin: str | None) -> None:
        if role is not None and role not in ROLES:
            raise DomainError("err.role_invalid", role=role)
        for permission in permissions or ():
            if permission not in PERMISSIONS:
                raise DomainError("err.permission_unknown", permission=permission)
        if pin is not None and not _PIN_RE.fullmatch(pin):
            raise DomainError("err.pin_invalid")

    def add_user(self, identifier: str, name: str, pin: str, role: str = "cashier",
                 permissions: Sequence[str] = (), active: bool = True) -> int:
        identifier = identifier.strip()
        if not _IDENTIFIER_RE.fullmatch(identifier):
            raise DomainError("err.identifier_invalid", identifier=identifier)
        if not name.strip():
            raise DomainError("err.name_empty")
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
                    active: bool | None = None) -> None:
        self._check_user_fields(role, permissions, pin)
        pin_hash = security.hash_pin(self.pin_key(), pin) if pin is not None else None
        with self._writing() as changes:
            user = self._user(identifier)
            if name is not None:
                if not name.strip():
                    raise DomainError("err.name_empty")
                user.name = name.strip()
            if pin_hash is not None:
                user.pin_hash = pin_hash
            if role is not None:
                user.role = role
            if permissions is not None:
                user.permissions = json.dumps(sorted(set(permissions)))
            if active is not None:
                user.active = active
            user.save()
            changes.record("user", user.id)

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
        return [{"id": r.id, "identifier": r.identifier, "name": r.name, "role": r.role,
                 "permissions": json.loads(r.permissions), "active": r.active} for r in rows]
