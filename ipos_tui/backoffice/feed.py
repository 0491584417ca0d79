"""The change feed: revision allocation inside write transactions, and paged reads.

Each entity has one row in ``change_entry`` holding the revision and kind of its
latest change ("upsert", or "delete" — a tombstone). A write moves the row to a new
revision, so a pull from ``since`` returns every entity whose latest state is newer
than ``since``, in revision order, once. Revisions are taken from the company's
counter inside the write transaction, which holds the database's write lock (see
:func:`ipos_tui.backoffice.db.write_transaction`): the revision order is the commit
order, and a reader that saw revision N has seen every change up to N. What each change
carries to a till is :mod:`ipos_tui.backoffice.payloads`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from peewee import Database

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.db import is_postgres, write_transaction
from ipos_tui.backoffice.models import utcnow
from ipos_tui.protocol import STREAM_TYPES

#: Stream of each change type.
TYPE_STREAM: dict[str, str] = {
    type_: stream for stream, types in STREAM_TYPES.items() for type_ in types
}
#: Types whose wire id is a string (the others are ints).
STRING_ID_TYPES = frozenset({"setting", "vat_rate"})



@dataclass(frozen=True)
class PendingChange:
    type: str
    entity_id: str
    op: str
    store_id: int
    price_list_id: int


@dataclass
class ChangeRecorder:
    """Collects the changes of one write transaction and gives each a fresh revision."""

    company_id: int
    _pending: dict[tuple[str, str, int], tuple[int, PendingChange]] = field(default_factory=dict)
    _rev: int | None = None

    def record(
        self,
        type_: str,
        entity_id: int | str,
        op: str = "upsert",
        *,
        store_id: int = 0,
        price_list_id: int = 0,
    ) -> int:
        """Note that an entity changed; returns the revision it got."""
        if self._rev is None:
            counter = m.RevCounter.get_by_id(self.company_id)
            self._rev = counter.rev
        self._rev += 1
        change = PendingChange(type_, str(entity_id), op, store_id, price_list_id)
        self._pending[(type_, str(entity_id), price_list_id)] = (self._rev, change)
        return self._rev

    def flush(self) -> None:
        """Write the change rows and the counter (still inside the transaction)."""
        if self._rev is None:
            return
        now = utcnow()
        rows = [
            (self.company_id, TYPE_STREAM[change.type], change.type, change.entity_id,
             change.store_id, change.price_list_id, change.op, rev, now)
            for rev, change in sorted(self._pending.values(), key=lambda item: item[0])
        ]
        executemany(
            "change_entry",
            ("company_id", "stream", "type", "entity_id", "store_id", "price_list_id", "op",
             "rev", "changed_at"),
            rows,
            "ON CONFLICT (company_id, type, entity_id, price_list_id) DO UPDATE SET"
            " stream = excluded.stream, op = excluded.op, rev = excluded.rev,"
            " store_id = excluded.store_id, changed_at = excluded.changed_at",
        )
        m.RevCounter.update(rev=self._rev).where(
            m.RevCounter.company == self.company_id
        ).execute()
        self._pending.clear()


def executemany(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                suffix: str = "") -> None:
    """Plain ``INSERT … VALUES`` through the DB-API's executemany, for bulk writes.

    Building the same statement through the ORM costs several times more than running
    it (STACK.md); the SQL is the same on SQLite and PostgreSQL.
    """
    if not rows:
        return
    db = m.database_proxy.obj
    marks = ", ".join([db.param] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) {suffix}"
    cursor = db.cursor()
    for start in range(0, len(rows), 5000):
        cursor.executemany(sql, rows[start : start + 5000])


@contextmanager
def writing(db: Database, company_id: int) -> Iterator[ChangeRecorder]:
    """A locked write transaction whose recorded changes commit with it."""
    with write_transaction(db, company_id):
        recorder = ChangeRecorder(company_id)
        yield recorder
        recorder.flush()


@contextmanager
def snapshot(db: Database) -> Iterator[None]:
    """A read transaction seeing one consistent state (several SELECTs, one snapshot)."""
    with db.atomic():
        # SQLite (WAL): a deferred transaction takes its snapshot at the first read.
        if is_postgres(db):
            db.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


@dataclass(frozen=True)
class ChangeRow:
    type: str
    entity_id: str
    op: str
    rev: int


def read_changes(
    company_id: int,
    stream: str,
    since: int,
    limit: int,
    store_id: int,
    price_list_id: int,
) -> tuple[list[ChangeRow], bool]:
    """Up to ``limit`` change rows after ``since`` visible to a store/price list.

    Plain SQL: this is the hot path of every pull (the ORM's row objects cost more
    than the query).
    """
    db = m.database_proxy.obj
    p = db.param
    cursor = db.execute_sql(
        "SELECT type, entity_id, op, rev FROM change_entry"
        f" WHERE company_id = {p} AND stream = {p} AND rev > {p}"
        f" AND store_id IN (0, {p}) AND price_list_id IN (0, {p})"
        f" ORDER BY rev LIMIT {p}",
        (company_id, stream, since, store_id, price_list_id, limit + 1),
    )
    rows = [ChangeRow(*row) for row in cursor.fetchall()]
    return rows[:limit], len(rows) > limit


def count_changes(company_id: int, stream: str, since: int, store_id: int,
                  price_list_id: int) -> dict[str, int]:
    """Change rows per type after ``since`` visible to a store/price list (the work a
    pull from ``since`` still has to do; a terminal shows it as n/N)."""
    db = m.database_proxy.obj
    p = db.param
    cursor = db.execute_sql(
        "SELECT type, count(*) FROM change_entry"
        f" WHERE company_id = {p} AND stream = {p} AND rev > {p}"
        f" AND store_id IN (0, {p}) AND price_list_id IN (0, {p})"
        " GROUP BY type",
        (company_id, stream, since, store_id, price_list_id),
    )
    return {str(type_): int(count) for type_, count in cursor.fetchall()}
