"""Applying the back office's change feed to the catalogue tables (no network here).

Why this shape:

* **One page, one transaction.** A page of changes and the stream's cursor commit
  together (``BEGIN IMMEDIATE``), with ``executemany`` per change type, so a crash
  (even ``kill -9``) resumes from the last committed page and the catalogue is
  always a state "as of revision X".
* **Resets build beside the live tables.** A stream rebuilt from zero (first sync,
  price-list switch, a restored back office) goes into ``shadow_*`` copies of its
  tables with their own cursor (``<stream>:shadow``); the page that completes it
  swaps the copies into the live tables in the same transaction. Until then the
  old catalogue keeps selling. Shadow tables are cloned from the live tables' own
  DDL, so they always match the current schema.
* **A new catalogue shape rebuilds once.** :data:`FEED_VERSION` is the shape of the
  catalogue this release builds from the feed; the swap that completes a rebuild
  records it per stream (``local_setting`` "feed_version.<stream>", in the same
  transaction). A stream built with an older one (:meth:`FeedApplier.outdated`) is
  rebuilt from zero by the next pull, exactly once, as any reset.
* **Entities arrive in any order** (no foreign keys): a price may come before its
  product, a barcode before its product. The sales row of a product is derived:
  its unit name and precision from ``unit`` (by the wire's unit id), its price from
  ``price`` (this store's list), and it is sellable (``active``) only when the back
  office lists it (``listed``) AND it has a price in this store's list — a product
  without a price here must not be sold at 0 zł.
* **Unique codes move between entities** (a PLU, barcode or identifier handed from
  one product/user to another): the feed sends each entity's latest state, so a
  page may bring the new holder before the old one lets go. The old holder gets a
  placeholder (``#<id>``, never typable as a code) until its own change arrives.
* Receipts are never touched: ledger lines carry their own copies.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any, Final

from peewee import SqliteDatabase
from pydantic import ValidationError

from ipos_tui.domain.errors import DomainError
from ipos_tui.protocol import DATA_MODELS
from ipos_tui.store.feed_apply.handlers import APPLY_ORDER, HANDLERS
from ipos_tui.store.feed_apply.shadow import create_shadow, swap
from ipos_tui.store.feed_apply.streams import (
    ITEM_TABLE,
    SHADOW_PREFIX,
    SHADOW_SUFFIX,
    STREAM_TABLES,
    TYPE_ITEM,
    Change,
    Counts,
    Names,
    PageResult,
    StreamCursors,
)

#: The shape of the catalogue this release builds from the feed. Raise it with a
#: release that needs every stream pulled again (a schema step adding a column the feed
#: fills, a change type the till now understands, a feed whose payloads changed):
#: each stream built with an older one is rebuilt from zero once. A till that has
#: never recorded one holds the catalogue of version 1.
FEED_VERSION: Final = 1
#: ``local_setting`` key (+ stream) of the version a stream's catalogue was built with.
FEED_VERSION_KEY: Final = "feed_version."


def parse(raw: Mapping[str, Any]) -> Change:
    """A wire change with its payload parsed by the protocol's model."""
    try:
        op, type_, wire_id = raw["op"], raw["type"], raw["id"]
        data = None
        if op == "upsert":
            data = DATA_MODELS[type_].model_validate(raw.get("data") or {})
        elif op != "delete":
            raise KeyError(op)
    except (KeyError, TypeError, ValidationError) as exc:
        raise DomainError("sync.err.bad_response", detail=str(exc)[:200]) from exc
    return Change(op, type_, wire_id, data)


class FeedApplier:
    """Applies pull pages of the three streams to one terminal database."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def cursors(self, stream: str) -> StreamCursors:
        """The stream's committed live and shadow cursors (None = none yet)."""
        rows = dict(
            self._db.execute_sql(
                "SELECT stream, cursor FROM sync_cursor WHERE stream IN (?, ?)",
                (stream, stream + SHADOW_SUFFIX),
            ).fetchall()
        )
        live, shadow = rows.get(stream), rows.get(stream + SHADOW_SUFFIX)
        return StreamCursors(
            None if live is None else int(live), None if shadow is None else int(shadow)
        )

    def feed_version(self, stream: str) -> int:
        """The :data:`FEED_VERSION` the stream's live catalogue was built with."""
        row = self._db.execute_sql(
            "SELECT value FROM local_setting WHERE key = ?", (FEED_VERSION_KEY + stream,)
        ).fetchone()
        if row is None:
            return 1
        try:
            return int(json.loads(row[0]))
        except (TypeError, ValueError):
            return 0  # unreadable: rebuild

    def outdated(self, stream: str) -> bool:
        """Whether this release must rebuild the stream from zero (a newer catalogue
        shape than the one its live tables were built with)."""
        return self.feed_version(stream) < FEED_VERSION

    def shadow_ready(self, stream: str) -> bool:
        """Whether every shadow table of an unfinished reset of ``stream`` exists."""
        names = [SHADOW_PREFIX + table for table in STREAM_TABLES[stream]]
        marks = ", ".join("?" * len(names))
        (found,) = self._db.execute_sql(
            f"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ({marks})",
            names,
        ).fetchone()
        return int(found) == len(names)

    def apply_page(
        self,
        stream: str,
        changes: Sequence[Mapping[str, Any]],
        cursor: int,
        *,
        shadow: bool,
        restart_shadow: bool = False,
        finish: bool = False,
    ) -> PageResult:
        """Apply one page and store its cursor, all in ONE transaction.

        ``shadow``: the page belongs to a reset being built in the shadow tables;
        ``restart_shadow`` empties them first (the page starts from zero);
        ``finish`` (the reset's last page) swaps them into the live tables and makes
        ``cursor`` the live cursor. Payloads are validated before anything is written.
        """
        if stream not in STREAM_TABLES:
            raise DomainError("sync.err.bad_response", detail=f"stream {stream}")
        parsed = [parse(raw) for raw in changes]
        by_type: dict[str, list[Change]] = {}
        for change in parsed:
            if change.type not in HANDLERS:
                continue  # a newer back office's type this terminal cannot use
            by_type.setdefault(change.type, []).append(change)
        result = PageResult()
        for change in parsed:
            item = TYPE_ITEM.get(change.type)
            if item is not None:
                result.received[item] = result.received.get(item, 0) + 1
        with self._db.atomic("IMMEDIATE"):
            cur = self._db.cursor()
            if restart_shadow:
                for table in STREAM_TABLES[stream]:
                    create_shadow(cur, table)
            names = Names(shadow)
            for type_ in APPLY_ORDER:
                if type_ in by_type:
                    counts = HANDLERS[type_](cur, names, by_type[type_])
                    if not shadow:
                        result.counts.setdefault(TYPE_ITEM[type_], Counts()).add(counts)
            if shadow and finish:
                swapped = swap(cur, stream)
                result.counts = {
                    item: swapped[table] for item, table in ITEM_TABLE.items() if table in swapped
                }
                result.swapped = True
                self._set_cursor(cur, stream, cursor)
                cur.execute("DELETE FROM sync_cursor WHERE stream = ?", (stream + SHADOW_SUFFIX,))
                cur.execute(
                    "INSERT INTO local_setting (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (FEED_VERSION_KEY + stream, json.dumps(FEED_VERSION)),
                )
            elif shadow:
                self._set_cursor(cur, stream + SHADOW_SUFFIX, cursor)
            else:
                self._set_cursor(cur, stream, cursor)
        return result

    def forget(self) -> None:
        """Drop every cursor and unfinished shadow: the next pulls rebuild from zero.

        Used when the terminal is activated for another back office or identity.
        """
        with self._db.atomic("IMMEDIATE"):
            cur = self._db.cursor()
            cur.execute("DELETE FROM sync_cursor")
            for tables in STREAM_TABLES.values():
                for table in tables:
                    cur.execute(f'DROP TABLE IF EXISTS "{SHADOW_PREFIX}{table}"')

    @staticmethod
    def _set_cursor(cur: sqlite3.Cursor, key: str, cursor: int) -> None:
        cur.execute(
            "INSERT INTO sync_cursor (stream, cursor) VALUES (?, ?) "
            "ON CONFLICT (stream) DO UPDATE SET cursor = excluded.cursor",
            (key, str(int(cursor))),
        )
