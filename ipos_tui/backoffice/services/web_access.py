"""iPOS web access: staff passwords, sign-in with lockout, sessions, who sees which store.

The owner (``owner``) sees and changes every store; a manager (``manager``) only the
stores assigned to them; cashiers never sign in to iPOS web, whatever their password.
Passwords are stored as argon2id hashes (no pepper: unlike 4-digit PINs they are not
sent to terminals). After :data:`LOCKOUT_AFTER` wrong passwords in a row a login is
locked for :data:`LOCKOUT_FOR`; a wrong password and an unknown login get the same
answer, in about the same time.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice import security
from ipos_tui.backoffice.models import utcnow
from ipos_tui.domain.errors import DomainError

from .base import ServiceBase

#: Wrong passwords in a row that lock a login, and for how long.
LOCKOUT_AFTER = 5
LOCKOUT_FOR = timedelta(minutes=15)
#: A session ends this long after its sign-in (the browser signs in again).
SESSION_LIFETIME = timedelta(hours=10)
MIN_PASSWORD = 8
MAX_PASSWORD = 200
#: Roles that may sign in to iPOS web.
WEB_ROLES = ("owner", "manager")

_DUMMY_HASH = security.hash_password("not a password of anybody")


@dataclass(frozen=True)
class WebUser:
    """Who is signed in, and which stores they may see (``None``: every store)."""

    id: int
    company_id: int
    identifier: str
    name: str
    role: str
    store_ids: frozenset[int] | None
    csrf: str

    @property
    def is_owner(self) -> bool:
        return self.store_ids is None

    def sees_store(self, store_id: int | None) -> bool:
        return self.store_ids is None or store_id in self.store_ids


def check_password(password: str) -> None:
    """A web password's rules (length only: a passphrase beats composition rules)."""
    if len(password) < MIN_PASSWORD:
        raise DomainError("err.web_password_short", minimum=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise DomainError("err.web_password_long", maximum=MAX_PASSWORD)


class WebAccessService(ServiceBase):
    """Web passwords, stores of managers (per company); sign-in and sessions."""

    def set_web_password(self, identifier: str, password: str, *, check: bool = True) -> None:
        """Give a member of staff an iPOS web password (owners and managers only).

        ``check=False`` only for the demo shop's well-known password."""
        if check:
            check_password(password)
        user = self._user(identifier)
        if user.role not in WEB_ROLES:
            raise DomainError("err.web_role_none", identifier=user.identifier)
        password_hash = security.hash_password(password)
        with self.db.atomic():
            m.User.update(web_password_hash=password_hash, web_failed=0,
                          web_locked_until=None).where(m.User.id == user.id).execute()
            # a new password signs out every browser of the old one
            m.WebSession.delete().where(m.WebSession.user == user.id).execute()

    def set_user_stores(self, identifier: str, store_ids: list[int]) -> None:
        """The stores a member of staff works in (replaces the previous ones): a
        manager runs them in iPOS web, and only their tills get the member (their next
        users sync adds them, and removes them from the tills of stores left)."""
        user = self._user(identifier)
        for store_id in store_ids:
            self._store(store_id)
        with self._writing() as changes:
            m.UserStore.delete().where(m.UserStore.user == user.id).execute()
            for store_id in sorted(set(store_ids)):
                m.UserStore.create(user=user.id, store=store_id)
            changes.record("user", user.id)

    def save_staff(self, identifier: str, *, name: str | None = None, pin: str | None = None,
                   role: str | None = None, permissions: list[str] | None = None,
                   active: bool | None = None, web_password: str | None = None,
                   store_ids: list[int] | None = None, by: str | None = None) -> None:
        """iPOS web's Personel form: the member's data (``update_user``), a new web
        password and a manager's stores, all or nothing in one transaction."""
        if web_password is not None:
            check_password(web_password)
        with self._writing():
            self.update_user(identifier, name=name, pin=pin, role=role,
                             permissions=permissions, active=active, by=by)
            if web_password is not None:
                self.set_web_password(identifier, web_password)
            if store_ids is not None:
                self.set_user_stores(identifier, store_ids)

    def user_store_ids(self, identifier: str) -> list[int]:
        user = self._user(identifier)
        return [row.store_id for row in
                m.UserStore.select().where(m.UserStore.user == user.id).order_by(m.UserStore.store)]

    # -------------------------------------------------- sign-in (any company)

    def web_sign_in(self, login: str, password: str,
                    now: datetime | None = None) -> tuple[str, WebUser]:
        """Check a login and password; a new session's token and its user.

        Raises ``err.web_login_failed`` (wrong login or password, one message for both),
        ``err.web_locked`` (with ``minutes``) or ``err.web_role_none``."""
        now = now or utcnow()
        login = login.strip()
        candidates = list(m.User.select().where(
            (m.User.identifier == login) & m.User.web_password_hash.is_null(False)
            & (m.User.active == True)))  # noqa: E712 (peewee expression)
        if not candidates:
            security.verify_password(_DUMMY_HASH, password)  # the same time as a real check
            raise DomainError("err.web_login_failed")
        for user in candidates:
            if user.web_locked_until is not None and user.web_locked_until > now:
                minutes = max(1, int((user.web_locked_until - now).total_seconds() + 59) // 60)
                raise DomainError("err.web_locked", minutes=minutes)
        for user in candidates:
            if security.verify_password(user.web_password_hash, password):
                if user.role not in WEB_ROLES:
                    raise DomainError("err.web_role_none", identifier=user.identifier)
                m.User.update(web_failed=0, web_locked_until=None).where(
                    m.User.id == user.id).execute()
                return self._new_session(user, now)
        for user in candidates:
            failed = user.web_failed + 1
            locked = now + LOCKOUT_FOR if failed >= LOCKOUT_AFTER else None
            m.User.update(web_failed=0 if locked else failed, web_locked_until=locked).where(
                m.User.id == user.id).execute()
            if locked:
                raise DomainError("err.web_locked", minutes=LOCKOUT_FOR.seconds // 60)
        raise DomainError("err.web_login_failed")

    def _new_session(self, user: m.User, now: datetime) -> tuple[str, WebUser]:
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        with self.db.atomic():
            m.WebSession.delete().where(m.WebSession.expires_at < now).execute()
            m.WebSession.create(token_hash=security.digest(token), user=user.id, csrf=csrf,
                                created_at=now, expires_at=now + SESSION_LIFETIME)
        return token, self._web_user(user, csrf)

    def web_session(self, token: str | None, now: datetime | None = None) -> WebUser | None:
        """The signed-in user of a session cookie (None: none, expired, or no longer
        allowed: deactivated, role changed, password removed)."""
        if not token:
            return None
        now = now or utcnow()
        row = (m.WebSession.select(m.WebSession, m.User).join(m.User)
               .where(m.WebSession.token_hash == security.digest(token)).first())
        if row is None or row.expires_at <= now:
            return None
        user = row.user
        if not user.active or user.role not in WEB_ROLES or user.web_password_hash is None:
            return None
        return self._web_user(user, row.csrf)

    def web_sign_out(self, token: str | None) -> None:
        if token:
            m.WebSession.delete().where(m.WebSession.token_hash == security.digest(token)).execute()

    @staticmethod
    def _web_user(user: m.User, csrf: str) -> WebUser:
        stores = None
        if user.role != "owner":
            stores = frozenset(row.store_id for row in
                               m.UserStore.select().where(m.UserStore.user == user.id))
        return WebUser(id=user.id, company_id=user.company_id, identifier=user.identifier,
                       name=user.name, role=user.role, store_ids=stores, csrf=csrf)
