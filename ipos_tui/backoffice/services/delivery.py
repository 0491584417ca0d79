"""What the tills have not fetched yet: for each store and stream, which of its
terminals still have changes "do pobrania przy następnej synchronizacji".

A terminal is behind on a stream when a change it would receive (of the whole company,
of its store, or of its store's price list) has a revision above the cursor of its last
pull of that stream, or when its store now sells from another price list than the one
it last pulled. Revoked and never-activated terminals don't count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from peewee import Select

from ipos_tui.backoffice import models as m
from ipos_tui.protocol import STREAMS

from .base import ServiceBase


@dataclass(frozen=True)
class Delivery:
    """One store's tills on one stream: how many still have to fetch something."""

    store_id: int
    stream: str
    terminals: int
    behind: int
    #: the oldest time a change waiting for one of them was made (None: none waits)
    waiting_since: datetime | None

    @property
    def pending(self) -> bool:
        return self.behind > 0


class DeliveryService(ServiceBase):
    """Which tills of which store have fetched the company's changes."""

    def delivery(self, streams: Iterable[str] = STREAMS,
                 store_ids: Iterable[int] | None = None) -> list[Delivery]:
        """Per store (all, or ``store_ids``) and stream: tills behind. One indexed
        query for the newest change of each store and stream, one for the tills' cursors;
        no query per till, and none that reads the whole change feed."""
        streams = tuple(streams)
        stores = {s.id: s for s in m.Store.select().where(m.Store.company == self.company_id)}
        if store_ids is not None:
            wanted = set(store_ids)
            stores = {k: v for k, v in stores.items() if k in wanted}
        terminals = list(m.Terminal.select().where(
            (m.Terminal.company == self.company_id) & (m.Terminal.revoked == False)  # noqa: E712
            & m.Terminal.token_hash.is_null(False) & m.Terminal.store.in_(list(stores) or [0])))
        pulls = {(p.terminal_id, p.stream): p for p in m.TerminalPull.select().where(
            m.TerminalPull.terminal.in_([t.id for t in terminals] or [0]))}
        result = []
        for store_id, store in stores.items():
            own = [t for t in terminals if t.store_id == store_id]
            for stream in streams:
                target = self._newest_change(stream, store) if own else 0
                behind = []
                for terminal in own:
                    pull = pulls.get((terminal.id, stream))
                    switched = (stream == "products" and pull is not None
                                and pull.price_list_id != store.price_list_id)
                    if pull is None or pull.cursor < target or switched:
                        behind.append(pull.cursor if pull is not None else 0)
                result.append(Delivery(store_id, stream, len(own), len(behind),
                                       self._oldest_change(stream, store, min(behind))
                                       if behind else None))
        return result

    def _store_changes(self, stream: str, store: m.Store) -> Select:
        """The changes of ``stream`` a till of ``store`` receives (the company's, its
        store's, its price list's), on the (company, stream, rev) index."""
        ce = m.ChangeEntry
        return ce.select(ce.rev, ce.changed_at).where(
            (ce.company == self.company_id) & (ce.stream == stream)
            & ce.store_id.in_([0, store.id]) & ce.price_list_id.in_([0, store.price_list_id or 0]))

    def _newest_change(self, stream: str, store: m.Store) -> int:
        """The revision of the newest change for the store's tills (0: none); read
        backwards along the index, so it stops at the first one whatever the feed's size."""
        row = self._store_changes(stream, store).order_by(m.ChangeEntry.rev.desc()).first()
        return row.rev if row is not None else 0

    def _oldest_change(self, stream: str, store: m.Store, after: int) -> datetime | None:
        """When the oldest change after revision ``after`` was made: the first one along
        the index (revisions are taken in time order under the write lock)."""
        row = (self._store_changes(stream, store).where(m.ChangeEntry.rev > after)
               .order_by(m.ChangeEntry.rev).first())
        return row.changed_at if row is not None else None
