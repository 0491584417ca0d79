"""Shadow tables: a reset of a stream is built beside the live tables and swapped in
by the page that completes it."""

from __future__ import annotations

import re
import sqlite3

from ipos_tui.store.feed_apply.streams import (
    SHADOW_PREFIX,
    STREAM_TABLES,
    TABLE_KEY,
    Counts,
)
from ipos_tui.store.migrations import PRODUCT_FTS_TRIGGER_NAMES, PRODUCT_FTS_TRIGGERS

_CREATE_TABLE = re.compile(r'^CREATE TABLE\s+"?(\w+)"?', re.IGNORECASE)
_CREATE_INDEX = re.compile(
    r'^CREATE (UNIQUE )?INDEX\s+"?(\w+)"?\s+ON\s+"?(\w+)"?', re.IGNORECASE
)


def create_shadow(cur: sqlite3.Cursor, table: str) -> None:
    """(Re)create an empty ``shadow_<table>`` from the live table's own DDL."""
    shadow = SHADOW_PREFIX + table
    cur.execute(f'DROP TABLE IF EXISTS "{shadow}"')
    (sql,) = cur.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    cur.execute(_CREATE_TABLE.sub(f'CREATE TABLE "{shadow}"', sql, count=1))
    indexes = cur.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table,),
    ).fetchall()
    for (index_sql,) in indexes:
        cur.execute(
            _CREATE_INDEX.sub(
                lambda m: f'CREATE {m.group(1) or ""}INDEX "{SHADOW_PREFIX}{m.group(2)}" '
                f'ON "{shadow}"',
                index_sql,
                count=1,
            )
        )


def _columns(cur: sqlite3.Cursor, table: str) -> list[str]:
    return [row[1] for row in cur.execute(f'PRAGMA table_info("{table}")')]


def _swap_counts(cur: sqlite3.Cursor, table: str) -> Counts:
    """Difference between the live table and its shadow copy, row by key."""
    shadow = SHADOW_PREFIX + table
    key = TABLE_KEY[table]
    differs = " OR ".join(f's."{c}" IS NOT l."{c}"' for c in _columns(cur, table) if c != key)
    (added,) = cur.execute(
        f'SELECT count(*) FROM "{shadow}" s WHERE NOT EXISTS '
        f'(SELECT 1 FROM "{table}" l WHERE l."{key}" = s."{key}")'
    ).fetchone()
    (removed,) = cur.execute(
        f'SELECT count(*) FROM "{table}" l WHERE NOT EXISTS '
        f'(SELECT 1 FROM "{shadow}" s WHERE s."{key}" = l."{key}")'
    ).fetchone()
    (changed,) = cur.execute(
        f'SELECT count(*) FROM "{shadow}" s JOIN "{table}" l ON l."{key}" = s."{key}" '
        f"WHERE {differs or '0'}"
    ).fetchone()
    return Counts(int(added), int(changed), int(removed))


def swap(cur: sqlite3.Cursor, stream: str) -> dict[str, Counts]:
    """Replace the stream's live tables with their shadows; returns counts per table.

    The product table's FTS triggers are dropped for the copy and the trigram index
    rebuilt once (far faster than row by row), all inside the caller's transaction.
    """
    counts: dict[str, Counts] = {}
    tables = STREAM_TABLES[stream]
    if "product" in tables:
        for name in PRODUCT_FTS_TRIGGER_NAMES:
            cur.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in tables:
        counts[table] = _swap_counts(cur, table)
        columns = ", ".join(f'"{c}"' for c in _columns(cur, table))
        cur.execute(f'DELETE FROM "{table}"')
        cur.execute(
            f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "{SHADOW_PREFIX}{table}"'
        )
        cur.execute(f'DROP TABLE "{SHADOW_PREFIX}{table}"')
    if "product" in tables:
        cur.execute("INSERT INTO product_fts (product_fts) VALUES ('rebuild')")
        for statement in PRODUCT_FTS_TRIGGERS:
            cur.execute(statement)
    return counts
