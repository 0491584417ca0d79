"""What a till pulls: the change feed per stream, paged, and its housekeeping."""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice import security
from ipos_tui.backoffice.db import terminal_transaction, write_transaction
from ipos_tui.backoffice.feed import count_changes, read_changes, snapshot
from ipos_tui.backoffice.models import utcnow
from ipos_tui.backoffice.page_cache import Page, PageCache
from ipos_tui.backoffice.payloads import PayloadContext, build_changes
from ipos_tui.domain.errors import DomainError
from ipos_tui.protocol import DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT, STREAMS

from .base import ServiceBase
from .terminals import CONTACT_REFRESH, ContactUpdate, TerminalAuth
from .token_cache import TOKENS, TokenRevoked


@dataclass(frozen=True)
class PullState:
    """What a page depends on besides its cursor: the store's price list, the feed's
    revision and horizon, the PIN key version; and the terminal's last pull of the
    stream (whether it has one, its price list, when, its cursor)."""

    price_list_id: int
    rev: int
    horizon: int
    pin_key_version: int
    pulled: bool
    pulled_price_list_id: int | None
    pulled_at: datetime | None
    pulled_cursor: int | None


log = logging.getLogger(__name__)


class PullService(ServiceBase):
    """What a till pulls: the change feed per stream, paged, and its housekeeping."""

    def pull(self, auth: TerminalAuth, stream: str, since: int,
             limit: int = DEFAULT_PULL_LIMIT, *, with_totals: bool = False) -> dict[str, Any]:
        """One page of a stream's changes for the terminal (see protocol.PullResponse)."""
        pages: list[dict[str, Any]] = []

        def keep(page: dict[str, Any]) -> bytes:
            pages.append(page)
            return b""

        self.pull_rendered(auth, stream, since, limit, with_totals=with_totals, render=keep)
        return pages[0]

    def pull_rendered(self, auth: TerminalAuth, stream: str, since: int,
                      limit: int = DEFAULT_PULL_LIMIT, *, with_totals: bool = False,
                      render: Callable[[dict[str, Any]], bytes],
                      cache: PageCache | None = None, form: Hashable = None,
                      contact: ContactUpdate | None = None) -> Page:
        """One page for the terminal, as ``render`` encodes it (``form`` names the
        encoding in the cache key); from ``cache`` when another till of the store got
        the same page at the same revision of the feed. ``contact`` (what the call's
        headers told, :meth:`TerminalService.contact_update`) is written in the same
        commit as the terminal's pull cursor."""
        if stream not in STREAMS:
            raise DomainError("err.stream_unknown", stream=stream)
        limit = max(1, min(limit, MAX_PULL_LIMIT))
        with snapshot(self.db):
            state = self._pull_state(auth, stream)
            price_list_id, rev = state.price_list_id, state.rev
            list_switched = stream == "products" and (
                not state.pulled or state.pulled_price_list_id != price_list_id)
            # A cursor below the horizon is from before tombstones it needs were purged,
            # unless it is the one this terminal was last handed (a rebuild from zero
            # under way since the purge, which needs no tombstones; a purge forgets the
            # cursors it outdates). Without this exception every page of a rebuild below
            # the horizon would be answered with a reset, and the rebuild never ends.
            stale = since < state.horizon and since != state.pulled_cursor
            # A cursor past the last one this terminal was handed is one the back office
            # no longer knows it gave: it was put back from an older copy (even when
            # its revision has grown past the cursor again since, with other changes
            # under the same revisions). Every page that moves a cursor is remembered.
            forgotten = since > (state.pulled_cursor or 0)
            reset = since > 0 and (stale or forgotten or since > rev or list_switched)
            if reset:
                log.info("terminal %s: %s stream reset (cursor %s)", auth.terminal_id, stream,
                         since)
                since = 0
            version = state.pin_key_version

            def build() -> Page:
                rows, has_more = read_changes(auth.company_id, stream, since, limit,
                                              auth.store_id, price_list_id)

                def key(v: int) -> str:
                    return security.encode_key(
                        security.company_pin_key(self.pepper, auth.company_id, v))

                ctx = PayloadContext(auth.company_id, auth.store_id, price_list_id,
                                     key(version), version, key)
                page: dict[str, Any] = {"changes": build_changes(rows, ctx)}
                # Without more to read, everything up to the snapshot's revision was
                # seen (changes of other stores/price lists included): a no-op pull
                # advances.
                page["cursor"] = cursor = rows[-1].rev if has_more else max(since, rev)
                page["has_more"], page["reset"] = has_more, reset
                if with_totals:
                    page["totals"] = count_changes(auth.company_id, stream, since,
                                                   auth.store_id, price_list_id)
                return Page.make(render(page), cursor, has_more)

            if cache is None:
                built = build()
            else:
                # everything the page depends on (the terminal itself is not part of it)
                page_key = (auth.company_id, auth.store_id, price_list_id, stream, since, limit,
                            with_totals, reset, rev, version, form)
                built = cache.get_or_build(page_key, build)
        # The cursor is written whenever a page hands out a new one (the next page's
        # ``since`` is checked against it: ``stale``, ``forgotten``), else at most every
        # CONTACT_REFRESH (a no-op sync writes nothing).
        fresh = (state.pulled_at is not None and built.cursor == state.pulled_cursor
                 and utcnow() - state.pulled_at < CONTACT_REFRESH
                 and (stream != "products" or state.pulled_price_list_id == price_list_id))
        if contact is not None or not fresh:
            with terminal_transaction(self.db, auth.terminal_id):
                if contact is not None:
                    contact.write()
                if not fresh:
                    self._remember_pull(auth, stream, built.cursor, price_list_id)
            if contact is not None:
                contact.remember()
        return built

    def _pull_state(self, auth: TerminalAuth, stream: str) -> PullState:
        """What a pull page depends on, in one query (plain SQL: this runs for every page,
        the ORM's four queries cost more than the page served from the cache)."""
        db = self.db
        p = db.param
        row = db.execute_sql(
            'SELECT s.price_list_id, r.rev, r.horizon, c.pin_key_version, t.revoked,'
            ' t.token_hash, tp.price_list_id, tp.pulled_at, tp.id, tp."cursor"'
            ' FROM terminal t JOIN store s ON s.id = t.store_id'
            ' JOIN company c ON c.id = t.company_id'
            ' JOIN rev_counter r ON r.company_id = t.company_id'
            f' LEFT JOIN terminal_pull tp ON tp.terminal_id = t.id AND tp.stream = {p}'
            f' WHERE t.id = {p} AND t.company_id = {p} AND t.store_id = {p}',
            (stream, auth.terminal_id, auth.company_id, auth.store_id)).fetchone()
        if row is None or (auth.token_digest is not None
                           and (row[4] or row[5] != auth.token_digest)):
            # revoked or re-activated since its token was checked (by another worker)
            TOKENS.forget_terminal(auth.terminal_id)
            raise TokenRevoked(auth.terminal_id)
        pulled_at = m.TerminalPull.pulled_at.python_value(row[7])
        return PullState(row[0] or 0, int(row[1]), int(row[2]), int(row[3]),
                         row[8] is not None, row[6], pulled_at, row[9])

    @staticmethod
    def _remember_pull(auth: TerminalAuth, stream: str, cursor: int, price_list_id: int) -> None:
        """Inside a terminal transaction of ``auth``'s terminal."""
        tp = m.TerminalPull
        tp.insert(terminal=auth.terminal_id, stream=stream, cursor=cursor,
                  price_list_id=price_list_id if stream == "products" else None,
                  pulled_at=utcnow()).on_conflict(
            conflict_target=[tp.terminal, tp.stream],
            update={tp.cursor: cursor, tp.pulled_at: utcnow(),
                    tp.price_list_id: price_list_id if stream == "products" else None},
        ).execute()

    def current_rev(self) -> int:
        return m.RevCounter.get_by_id(self.company_id).rev

    def purge_tombstones(self, older_than: timedelta) -> int:
        """Drop tombstones older than ``older_than``; terminals behind them get a reset
        (their remembered cursors below the new horizon are forgotten: 0)."""
        cutoff = utcnow() - older_than
        entry = m.ChangeEntry
        with write_transaction(self.db, self.company_id):
            doomed = entry.select(entry.rev).where(
                (entry.company == self.company_id) & (entry.op == "delete")
                & (entry.changed_at < cutoff)
            )
            revs = [row.rev for row in doomed]
            if not revs:
                return 0
            entry.delete().where(entry.rev.in_(revs) & (entry.company == self.company_id)).execute()
            counter = m.RevCounter.get_by_id(self.company_id)
            counter.horizon = max(counter.horizon, max(revs))
            counter.save()
            tp = m.TerminalPull
            tp.update(cursor=0).where(
                (tp.cursor < counter.horizon)
                & tp.terminal.in_(m.Terminal.select(m.Terminal.id).where(
                    m.Terminal.company == self.company_id))).execute()
            return len(revs)
