"""Helpers for the back-office-side rows of the fault matrix (issue 18): a till that
reports what each pull did, a till database put back from an old copy, a back
office put back from an old copy, the documents of a batch as the till sends them,
and the invariant checker for a till that lost part of its own history.

The till is the :class:`test_fault_matrix.Till` of the first rows (same sale, same
injected clock and sleeps), with pulls that return their
:class:`~ipos_tui.sync.pull.PullResult` (so a test can count the full resyncs).
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from invariants import problems
from test_fault_matrix import Till

from ipos_tui.backoffice import models as bo
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.protocol import STREAMS
from ipos_tui.store.db import Terminal
from ipos_tui.sync.documents import document_payload
from ipos_tui.sync.progress import CancelToken
from ipos_tui.sync.pull import PullResult, pull_stream

UPLOAD = "/api/v1/transactions"


class OfficeTill(Till):
    """:class:`Till` with pulls that say whether the back office made them start over."""

    def pull_result(self, stream: str = "products", page_limit: int = 1000) -> PullResult:
        with self.context(page_limit) as ctx:
            return pull_stream(ctx, stream, lambda _e: None, CancelToken())

    def pull_all(self, page_limit: int = 1000) -> dict[str, PullResult]:
        """Every stream once (config, users, products), as a full sync does."""
        return {stream: self.pull_result(stream, page_limit) for stream in STREAMS}

    def payloads(self, uuids: Iterable[str]) -> list[dict[str, Any]]:
        """The wire form of these documents, exactly as the till's upload sends them."""
        wanted = list(uuids)
        details = {d.uuid: d for d in self.terminal.ledger.documents_for_upload(wanted)}
        return [document_payload(details[u]) for u in wanted]

    def post(self, uuids: Iterable[str]) -> list[dict[str, Any]]:
        """POST these documents as one batch by hand (past the till's own upload
        bookkeeping: a batch resent or sent out of order); the per-document results."""
        with self.context() as ctx:
            answer = ctx.client.post_json("/transactions", {"documents": self.payloads(uuids)})
        return list(answer["results"])

    def states(self) -> dict[str, str]:
        return dict(self.terminal.db.execute_sql(
            "SELECT uuid, upload_state FROM document").fetchall())

    def numbers(self, uuids: Iterable[str]) -> list[int]:
        wanted = list(uuids)
        found = dict(self.terminal.db.execute_sql(
            f"SELECT uuid, number FROM document WHERE uuid IN ({', '.join('?' * len(wanted))})",
            wanted).fetchall())
        return [int(found[u]) for u in wanted]


# -- a till database put back from an old copy -------------------------------------------


def copy_till_database(terminal: Terminal, dest: Path) -> Path:
    """A consistent copy of the open till database (SQLite's online backup, as a
    backup tool would take it while the till runs)."""
    source = sqlite3.connect(terminal.db_path)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return dest


def put_back_till_database(copy: Path, data_dir: Path) -> None:
    """Replace the (closed) till database in ``data_dir`` with ``copy``."""
    db = data_dir / "terminal.sqlite3"
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(copy, db)


# -- a back office put back from an old copy ---------------------------------------------


Snapshot = list[tuple[type[bo.BaseModel], list[dict[str, Any]]]]


def snapshot_office() -> Snapshot:
    """Every row of every back-office table (a backup of the whole database)."""
    return [(model, list(model.select().dicts())) for model in bo.MODELS]


def restore_office(snapshot: Snapshot) -> None:
    """Put every table back as it was in ``snapshot`` (a restore of that backup): rows
    written since are gone, rows changed since have their old values."""
    db = bo.database_proxy.obj
    with db.atomic():
        for model, _rows in reversed(snapshot):
            model.delete().execute()
        for model, rows in snapshot:
            for start in range(0, len(rows), 200):
                model.insert_many(rows[start:start + 200]).execute()


def office_rev(office: BackOffice) -> int:
    return int(bo.RevCounter.get_by_id(office.company_id).rev)


# -- the checker for a till that lost part of its history ---------------------------------


def check_restored(terminal: Terminal, office: BackOffice, *, lost: Iterable[str],
                   cursors_before: dict[str, int] | None = None) -> None:
    """The shared invariants (:func:`invariants.problems`) for a till whose database was
    put back from an old copy: the documents it finished after that copy (``lost``) are
    gone from the till but not from the back office, which must hold each of them
    exactly once. Every other problem is reported as :func:`invariants.check` does.

    The shared checker has no notion of this (it rightly flags any document of the
    till that the till does not hold); only these uuids, each held once, are excused.
    """
    lost = set(lost)
    found = [p for p in problems(terminal, office, cursors_before=cursors_before)
             if not any(p == f"{u}: in the back office (1x) but not on the till" for u in lost)]
    held = {str(u) for (u,) in bo.Transaction.select(bo.Transaction.uuid)
            .where(bo.Transaction.uuid.in_(sorted(lost))).tuples()}
    found += [f"{u}: finished before the restore, missing in the back office"
              for u in sorted(lost - held)]
    assert not found, "invariants broken:\n  " + "\n  ".join(found)
