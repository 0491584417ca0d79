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

from peewee import fn

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
        """Per store (all, or ``store_ids``) and stream: tills behind. One query for the
        newest change of each scope, one for the tills' cursors; no query per till."""
        streams = tuple(streams)
        stores = {s.id: s for s in m.Store.select().where(m.Store.company == self.company_id)}
        if store_ids is not None:
            wanted = set(store_ids)
            stores = {k: v for k, v in stores.items() if k in wanted}
        ce = m.ChangeEntry
        newest: dict[tuple[str, int, int], int] = {}
        for stream, store_id, list_id, rev in (
            ce.select(ce.stream, ce.store_id, ce.price_list_id, fn.MAX(ce.rev))
            .where((ce.company == self.company_id) & ce.stream.in_(list(streams)))
            .group_by(ce.stream, ce.store_id, ce.price_list_id).tuples()
        ):
            newest[(stream, store_id, list_id)] = rev
        terminals = list(m.Terminal.select().where(
            (m.Terminal.company == self.company_id) & (m.Terminal.revoked == False)  # noqa: E712
            & m.Terminal.token_hash.is_null(False) & m.Terminal.store.in_(list(stores) or [0])))
        pulls = {(p.terminal_id, p.stream): p for p in m.TerminalPull.select().where(
            m.TerminalPull.terminal.in_([t.id for t in terminals] or [0]))}
        result = []
        for store_id, store in stores.items():
            own = [t for t in terminals if t.store_id == store_id]
            for stream in streams:
                target = max((rev for (s, sid, lid), rev in newest.items()
                              if s == stream and sid in (0, store_id)
                              and lid in (0, store.price_list_id or 0)), default=0)
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

    def _oldest_change(self, stream: str, store: m.Store, after: int) -> datetime | None:
        ce = m.ChangeEntry
        return (ce.select(fn.MIN(ce.changed_at))
                .where((ce.company == self.company_id) & (ce.stream == stream)
                       & (ce.rev > after) & ce.store_id.in_([0, store.id])
                       & ce.price_list_id.in_([0, store.price_list_id or 0]))
                .scalar())
