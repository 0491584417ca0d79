"""kill -9 of a terminal process in the middle of applying a pull: the restart resumes
from the last committed page and ends identical to the back office — both for a
first sync (built in the shadow tables) and for an incremental pull (live tables)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from office_db import OfficeBackend

from ipos_tui.backoffice.services import BackOffice
from ipos_tui.store.db import open_terminal
from ipos_tui.store.feed_apply import FeedApplier

from sync_support import (
    activated,
    assert_name_index_matches,
    demo_office,
    first_store,
    office_catalogue,
    pull_all,
    running_server,
    terminal_catalogue,
)

#: The child: pulls the products stream in pages of 5, a little slowly (a GSM link),
#: so the parent can kill it between — or during — page commits.
CHILD = """
import sys, time
from pathlib import Path
from ipos_tui.sync.context import SyncContext
from ipos_tui.sync.progress import CancelToken, ItemProgress
from ipos_tui.sync.pull import pull_stream
from ipos_tui.store.db import open_terminal

def slow(event):
    if isinstance(event, ItemProgress):
        time.sleep(0.005)

terminal = open_terminal(Path(sys.argv[1]))
ctx = SyncContext.for_terminal(terminal, page_limit=5)
result = pull_stream(ctx, "products", slow, CancelToken())
sys.exit(0 if result.ok else 1)
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, office_backend: OfficeBackend) -> Iterator[tuple[BackOffice, str]]:
    office = demo_office(office_backend.url(tmp_path_factory.mktemp("bo") / "office.db"))
    with running_server(office) as base:
        yield office, base


def _cursor(db_path: Path, key: str) -> int | None:
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    try:
        row = conn.execute("SELECT cursor FROM sync_cursor WHERE stream = ?", (key,)).fetchone()
        return None if row is None else int(row[0])
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()


def _kill_when(data_dir: Path, key: str, moved_past: int | None, pages: int) -> None:
    """Start the child and kill -9 it once cursor ``key`` moved ``pages`` times past
    ``moved_past``; fails if the child finished first (nothing was interrupted)."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(data_dir)])
    db_path = data_dir / "terminal.sqlite3"
    seen: list[int] = []
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline and child.poll() is None:
            value = _cursor(db_path, key)
            if value is not None and value != moved_past and (not seen or seen[-1] != value):
                seen.append(value)
            if len(seen) >= pages:
                os.kill(child.pid, signal.SIGKILL)
                break
            time.sleep(0.001)
        assert child.wait(timeout=10) == -signal.SIGKILL, "the child finished before the kill"
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def test_kill_during_first_sync_resumes_from_the_shadow(
    shop: tuple[BackOffice, str], tmp_path: Path
) -> None:
    office, base = shop
    store = first_store(office)
    data_dir = tmp_path / "t"
    with activated(office, base, data_dir, store) as terminal:
        assert pull_all(terminal, streams=("config", "users")) == {"config": True,
                                                                   "users": True}
    _kill_when(data_dir, "products:shadow", None, pages=3)
    with open_terminal(data_dir) as terminal:
        cursors = FeedApplier(terminal.db).cursors("products")
        assert cursors.shadow is not None and cursors.live is None
        assert terminal.catalog.product_count() == 0, "nothing half-built is on sale"
        assert all(pull_all(terminal).values())
        assert terminal_catalogue(terminal) == office_catalogue(office, store)
        assert FeedApplier(terminal.db).cursors("products").shadow is None
        assert_name_index_matches(terminal)


def test_kill_during_incremental_pull_resumes_from_the_last_page(
    shop: tuple[BackOffice, str], tmp_path: Path
) -> None:
    office, base = shop
    store = first_store(office)
    data_dir = tmp_path / "t"
    with activated(office, base, data_dir, store) as terminal:
        assert all(pull_all(terminal).values())
        start = FeedApplier(terminal.db).cursors("products").live
        rows = terminal_catalogue(terminal)["products"]
    price_list = next(s["price_list_id"] for s in office.list_stores() if s["id"] == store)
    for pid, row in list(rows.items())[:200]:
        office.set_price(price_list, pid, row[7] + 3)
        office.update_product(pid, name=f"{row[1][:30]} v2")
    _kill_when(data_dir, "products", start, pages=3)
    with open_terminal(data_dir) as terminal:
        live = FeedApplier(terminal.db).cursors("products").live
        assert live is not None and live > start
        assert all(pull_all(terminal).values())
        assert terminal_catalogue(terminal) == office_catalogue(office, store)
        renamed = next(iter(rows))
        assert terminal.catalog.product(renamed).name.endswith(" v2")
        assert [p.id for p in terminal.catalog.search(
            terminal.catalog.product(renamed).name)][:1] == [renamed]
        assert_name_index_matches(terminal)
