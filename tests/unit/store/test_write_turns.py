"""Write turns (store/write_turns.py): a foreground writer waiting goes before a
background one; a background writer lets a sale's next transaction pass; nobody waits
for a turn longer than the busy timeout; a failed BEGIN or COMMIT gives the turn back."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from ipos_tui.store.write_turns import BACKGROUND_MAX_WAIT_S, TerminalDatabase, WriteTurns


def test_a_waiting_foreground_writer_goes_before_a_background_one() -> None:
    turns = WriteTurns(timeout_s=5)
    assert turns.take(foreground=False)  # a page applying
    order: list[str] = []

    def background() -> None:
        assert turns.take(foreground=False)
        order.append("background")
        turns.give_back(False)

    def foreground() -> None:
        assert turns.take(foreground=True)
        order.append("foreground")
        turns.give_back(True)

    waiting_bg = threading.Thread(target=background)
    waiting_bg.start()
    time.sleep(0.05)
    waiting_fg = threading.Thread(target=foreground)
    waiting_fg.start()
    time.sleep(0.05)
    turns.give_back(False)  # the page commits: the cashier's sale goes first
    waiting_bg.join(5)
    waiting_fg.join(5)
    assert order == ["foreground", "background"]


def test_a_background_writer_waits_a_moment_after_a_foreground_commit_but_not_long() -> None:
    turns = WriteTurns(timeout_s=5)
    assert turns.take(foreground=True)
    turns.give_back(True)
    started = time.monotonic()
    assert turns.take(foreground=False)
    waited = time.monotonic() - started
    turns.give_back(False)
    assert 0.01 < waited < BACKGROUND_MAX_WAIT_S + 0.2


def test_a_turn_not_had_within_the_timeout_is_given_up() -> None:
    turns = WriteTurns(timeout_s=0.1)
    assert turns.take(foreground=False)
    started = time.monotonic()
    assert turns.take(foreground=True) is False  # SQLite's own lock decides then
    assert 0.09 < time.monotonic() - started < 2


def test_the_database_takes_and_gives_back_turns(tmp_path: Path) -> None:
    db = TerminalDatabase(str(tmp_path / "t.sqlite3"), timeout=1)
    db.connect()
    db.execute_sql("CREATE TABLE t (x INTEGER)")
    with db.atomic("IMMEDIATE"):
        db.execute_sql("INSERT INTO t VALUES (1)")
        assert db.turns._busy
        with db.atomic():  # a savepoint: no second turn
            db.execute_sql("INSERT INTO t VALUES (2)")
    assert not db.turns._busy
    with pytest.raises(RuntimeError), db.atomic("IMMEDIATE"):
        db.execute_sql("INSERT INTO t VALUES (3)")
        raise RuntimeError
    assert not db.turns._busy
    with db.atomic():  # a deferred transaction takes no turn
        assert not db.turns._busy
    assert db.execute_sql("SELECT count(*) FROM t").fetchone()[0] == 2
    # another connection holds the write lock: BEGIN IMMEDIATE fails, the turn comes back
    other = TerminalDatabase(str(tmp_path / "t.sqlite3"), timeout=0.05)
    other.connect()
    other.execute_sql("BEGIN IMMEDIATE")
    with pytest.raises(Exception, match="locked"), db.atomic("IMMEDIATE"):
        pass
    assert not db.turns._busy
    other.execute_sql("ROLLBACK")
    with db.atomic("IMMEDIATE"):
        db.execute_sql("INSERT INTO t VALUES (4)")
    assert not db.turns._busy
    db.close()
    other.close()
