"""Terminals: registration, one-time activation codes, device tokens, last contact."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from peewee import fn

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice import numbering, security
from ipos_tui.backoffice.db import terminal_transaction, write_transaction
from ipos_tui.backoffice.models import utcnow
from ipos_tui.domain.errors import DomainError
from ipos_tui.protocol import NOTHING_STAGED

from .base import ServiceBase
from .token_cache import TOKENS

log = logging.getLogger(__name__)

DEFAULT_CODE_TTL = timedelta(hours=24)
#: A terminal's name (as the ``terminal`` table holds it).
MAX_TERMINAL_NAME = 80

@dataclass(frozen=True)
class TerminalAuth:
    """An authenticated terminal: whose data it may see (and what it last told us)."""

    terminal_id: int
    company_id: int
    store_id: int
    last_seen: datetime | None = field(default=None, compare=False)
    app_version: str | None = field(default=None, compare=False)
    pending_count: int | None = field(default=None, compare=False)
    protocol_version: int | None = field(default=None, compare=False)
    oldest_pending: datetime | None = field(default=None, compare=False)
    staged_version: str | None = field(default=None, compare=False)
    #: SHA-256 of the token it authenticated with (a pull checks it is still the one).
    token_digest: str | None = field(default=None, compare=False, repr=False)


#: A terminal's "last seen" / "last pull" rows are rewritten at most this often when
#: nothing else changed (a pull of 50 pages must not cost 100 extra commits).
CONTACT_REFRESH = timedelta(seconds=30)

def _status(terminal: m.Terminal) -> str:
    """``revoked``, ``active`` (holds a token) or ``pending`` (waits for activation)."""
    return "revoked" if terminal.revoked else ("active" if terminal.token_hash else "pending")


def _terminal_name(name: str, *, required: bool) -> str:
    """A terminal's name, trimmed: refused when too long, or empty where one is needed."""
    name = " ".join(str(name or "").split())
    if required and not name:
        raise DomainError("err.terminal_name_required")
    if len(name) > MAX_TERMINAL_NAME:
        raise DomainError("err.terminal_name_long", maximum=MAX_TERMINAL_NAME)
    return name


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


class TerminalService(ServiceBase):
    """Terminals: registration, one-time activation codes, device tokens, last contact."""

    def add_terminal(self, store_id: int, name: str = "",
                     ttl: timedelta = DEFAULT_CODE_TTL) -> tuple[int, str]:
        """Register a terminal of a store; returns its id and a one-time activation code."""
        name = _terminal_name(name, required=False)
        with write_transaction(self.db, self.company_id):
            self._store(store_id)
            terminal = m.Terminal.create(company=self.company_id, store=store_id, name=name)
            code = self._issue_code(terminal.id, ttl)
        return terminal.id, code

    def new_activation_code(self, terminal_id: int, ttl: timedelta = DEFAULT_CODE_TTL) -> str:
        """A code to re-activate a known terminal (new disk, revoked token): it keeps its id."""
        with write_transaction(self.db, self.company_id):
            self._terminal(terminal_id)
            return self._issue_code(terminal_id, ttl)

    def rename_terminal(self, terminal_id: int, name: str) -> None:
        """Give a terminal another name (what lists and reports call it)."""
        name = _terminal_name(name, required=True)
        with write_transaction(self.db, self.company_id):
            terminal = self._terminal(terminal_id)
            terminal.name = name
            terminal.save()

    def code_expiry(self, terminal_id: int) -> datetime | None:
        """When the newest unused activation code of a terminal expires (UTC), or None
        when it has none that still works (the codes themselves are never stored)."""
        row = (m.ActivationCode.select(m.ActivationCode.expires_at)
               .where((m.ActivationCode.terminal == terminal_id)
                      & (m.ActivationCode.company == self.company_id)
                      & m.ActivationCode.used_at.is_null()
                      & (m.ActivationCode.expires_at > utcnow()))
               .order_by(m.ActivationCode.expires_at.desc()).first())
        return row.expires_at if row else None

    def terminal_overview(self, store_ids: set[int] | frozenset[int] | None = None,
                          terminal_id: int | None = None) -> list[dict[str, Any]]:
        """The terminals of ``store_ids`` (None: every store) for the Kasoterminale
        pages: store name, status, what each last said (times as UTC datetimes) and
        its last pull per stream; ordered by store, then id."""
        t, s = m.Terminal, m.Store
        query = (t.select(t, s.name.alias("store_name")).join(s, on=(t.store == s.id))
                 .where(t.company == self.company_id).order_by(t.store, t.id))
        if store_ids is not None:
            query = query.where(t.store.in_(sorted(store_ids) or [0]))
        if terminal_id is not None:
            query = query.where(t.id == terminal_id)
        rows = list(query.objects())
        pulls: dict[int, dict[str, datetime]] = {}
        if rows:
            for pull in m.TerminalPull.select().where(
                    m.TerminalPull.terminal.in_([r.id for r in rows])):
                pulls.setdefault(pull.terminal_id, {})[pull.stream] = pull.pulled_at
        issues = numbering.issues_by_terminal([r.id for r in rows])
        return [
            {
                "id": r.id, "store_id": r.store_id, "store_name": r.store_name,
                "name": r.name, "status": _status(r), "created_at": r.created_at,
                "activated_at": r.activated_at, "last_seen": r.last_seen,
                "app_version": r.app_version, "protocol_version": r.protocol_version,
                "pending_count": r.pending_count,
                "oldest_pending": r.oldest_pending if r.pending_count else None,
                "staged_version": r.staged_version, "last_pull": pulls.get(r.id, {}),
                "numbering": issues.get(r.id, []),
            }
            for r in rows
        ]

    def _issue_code(self, terminal_id: int, ttl: timedelta) -> str:
        code = security.new_activation_code()
        m.ActivationCode.create(company=self.company_id, terminal=terminal_id,
                                code_hash=security.digest(code), expires_at=utcnow() + ttl)
        return code

    def revoke_terminal(self, terminal_id: int) -> None:
        """Its token stops working at once (401); re-activation with a new code revives it."""
        with write_transaction(self.db, self.company_id):
            terminal = self._terminal(terminal_id)
            terminal.revoked = True
            terminal.token_hash = None
            terminal.save()
        TOKENS.forget_terminal(terminal_id)
        log.info("terminal %s revoked", terminal_id)

    def clear_numbering_regressions(self, terminal_id: int) -> int:
        """Forget a till's recorded numbering regressions (the owner has seen to them);
        gaps are not cleared by hand: they go when the missing documents arrive."""
        with write_transaction(self.db, self.company_id):
            self._terminal(terminal_id)
            cleared = numbering.clear_regressions(terminal_id)
        log.info("terminal %s: %d numbering regressions cleared", terminal_id, cleared)
        return cleared

    def _terminal(self, terminal_id: int) -> m.Terminal:
        row = m.Terminal.get_or_none(
            (m.Terminal.id == terminal_id) & (m.Terminal.company == self.company_id)
        )
        if row is None:
            raise DomainError("err.terminal_unknown", terminal=terminal_id)
        return row

    def list_terminals(self) -> list[dict[str, Any]]:
        terminals = list(m.Terminal.select().where(m.Terminal.company == self.company_id)
                         .order_by(m.Terminal.id))
        pulls: dict[int, dict[str, Any]] = {}
        for pull in m.TerminalPull.select().where(
            m.TerminalPull.terminal.in_([t.id for t in terminals] or [0])
        ):
            pulls.setdefault(pull.terminal_id, {})[pull.stream] = {
                "at": _iso(pull.pulled_at), "cursor": pull.cursor,
            }
        issues = numbering.issues_by_terminal([t.id for t in terminals])
        return [
            {
                "id": t.id, "store_id": t.store_id, "name": t.name,
                "status": _status(t),
                "activated_at": _iso(t.activated_at), "last_seen": _iso(t.last_seen),
                "app_version": t.app_version, "protocol_version": t.protocol_version,
                "pending_count": t.pending_count,
                "oldest_pending": _iso(t.oldest_pending) if t.pending_count else None,
                "staged_version": t.staged_version, "last_pull": pulls.get(t.id, {}),
                "numbering": [{**issue, "since": _iso(issue["since"])}
                              for issue in issues.get(t.id, [])],
            }
            for t in terminals
        ]

    def activate(self, code: str, name: str, *, terminal_id: int | None = None) -> dict[str, Any]:
        """Exchange a one-time code for a token; a known terminal keeps id and numbering.

        ``terminal_id``: the terminal the calling till is (sent while it holds unsent
        documents); a code of another terminal is refused, ``err.activation_other_terminal``,
        and stays unused."""
        code_hash = security.digest(security.normalise_code(code))
        row = m.ActivationCode.get_or_none(m.ActivationCode.code_hash == code_hash)
        if row is None:
            raise DomainError("err.activation_code_invalid")
        company_id = row.company_id
        token = security.new_token()
        with write_transaction(self.db, company_id):
            row = m.ActivationCode.get_by_id(row.id)
            if row.used_at is not None:
                raise DomainError("err.activation_code_used")
            if row.expires_at < utcnow():
                raise DomainError("err.activation_code_expired")
            if terminal_id is not None and terminal_id != row.terminal_id:
                log.warning("activation refused: a code of terminal %s typed on terminal %s "
                            "holding unsent documents; the code stays unused",
                            row.terminal_id, terminal_id)
                raise DomainError("err.activation_other_terminal", terminal=terminal_id)
            row.used_at = utcnow()
            row.save()
            terminal = m.Terminal.get_by_id(row.terminal_id)
            terminal.token_hash = security.digest(token)
            terminal.revoked = False
            terminal.activated_at = utcnow()
            if name.strip():
                terminal.name = name.strip()[:80]
            terminal.save()
            numbers = self._last_numbers(terminal.id)
        TOKENS.forget_terminal(terminal.id)  # its previous token stops working here at once
        log.info("terminal %s (store %s) activated as %r", terminal.id, terminal.store_id,
                 terminal.name)
        return {"terminal_id": terminal.id, "store_id": terminal.store_id, "token": token,
                "numbers": numbers}

    @staticmethod
    def _last_numbers(terminal_id: int) -> dict[str, int]:
        t = m.Transaction
        rows = (t.select(t.doc_type, fn.MAX(t.number)).where(t.terminal == terminal_id)
                .group_by(t.doc_type).tuples())
        return {doc_type: number for doc_type, number in rows}

    def authenticate(self, token: str) -> TerminalAuth | None:
        """The terminal owning ``token``, or ``None`` (unknown or revoked); from this
        process's token cache when it checked the token lately (:mod:`.token_cache`)."""
        token_digest = security.digest(token)
        cached = TOKENS.get(id(self.db), token_digest)
        if cached is not None:
            return cached
        generation = TOKENS.generation
        row = m.Terminal.get_or_none(m.Terminal.token_hash == token_digest)
        if row is None or row.revoked:
            return None
        auth = TerminalAuth(row.id, row.company_id, row.store_id, row.last_seen,
                            row.app_version, row.pending_count, row.protocol_version,
                            row.oldest_pending, row.staged_version, token_digest)
        TOKENS.put(id(self.db), auth, generation)
        return auth

    def record_contact(self, auth: TerminalAuth, *, app_version: str | None,
                       pending_count: int | None, protocol_version: int,
                       oldest_pending: datetime | None = None,
                       staged_version: str | None = None) -> None:
        """Remember when a terminal was last seen and what its headers said.

        None is "not said" (kept as it was). ``oldest_pending`` (naive UTC) is kept
        only while something is unsent: a count of 0 forgets it. ``staged_version``
        :data:`~ipos_tui.protocol.NOTHING_STAGED` forgets the staged version."""
        contact = self.contact_update(
            auth, app_version=app_version, pending_count=pending_count,
            protocol_version=protocol_version, oldest_pending=oldest_pending,
            staged_version=staged_version)
        if contact is not None:
            self.write_contact(contact)

    def write_contact(self, contact: ContactUpdate) -> None:
        """Write what :meth:`contact_update` found (its own commit)."""
        with terminal_transaction(self.db, contact.auth.terminal_id):
            contact.write()
        contact.remember()

    def contact_update(self, auth: TerminalAuth, *, app_version: str | None,
                       pending_count: int | None, protocol_version: int,
                       oldest_pending: datetime | None = None,
                       staged_version: str | None = None) -> ContactUpdate | None:
        """What :meth:`record_contact` writes (None: nothing, the terminal's row says
        it all and was written within :data:`CONTACT_REFRESH`), to be written in a
        terminal transaction of the caller's (a pull's: one commit for both)."""
        if app_version is not None:
            app_version = app_version[:40]
        fields: dict[Any, Any] = {}
        if app_version is not None and app_version != auth.app_version:
            fields[m.Terminal.app_version] = app_version
        if pending_count is not None and pending_count != auth.pending_count:
            fields[m.Terminal.pending_count] = pending_count
        oldest = None if pending_count == 0 else (oldest_pending or auth.oldest_pending)
        if oldest != auth.oldest_pending:
            fields[m.Terminal.oldest_pending] = oldest
        if staged_version is not None:
            staged = None if staged_version == NOTHING_STAGED else staged_version[:64]
            if staged != auth.staged_version:
                fields[m.Terminal.staged_version] = staged
        unchanged = (
            not fields
            and auth.last_seen is not None
            and utcnow() - auth.last_seen < CONTACT_REFRESH
            and auth.protocol_version == protocol_version
        )
        if unchanged:
            return None
        fields.update({m.Terminal.last_seen: utcnow(),
                       m.Terminal.protocol_version: protocol_version})
        return ContactUpdate(id(self.db), auth, fields)


@dataclass(frozen=True)
class ContactUpdate:
    """A terminal's row as its last call's headers change it."""

    db_key: int
    auth: TerminalAuth
    fields: dict[Any, Any]

    def write(self) -> None:
        """Inside a terminal transaction of ``auth``'s terminal."""
        m.Terminal.update(self.fields).where(m.Terminal.id == self.auth.terminal_id).execute()

    def remember(self) -> None:
        """After the commit: the next call of this terminal compares with what was
        written."""
        TOKENS.update(self.db_key, replace(self.auth, **{f.name: v
                                                         for f, v in self.fields.items()}))
