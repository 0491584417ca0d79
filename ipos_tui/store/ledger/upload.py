"""The upload bookkeeping: which documents the back office still has to accept,
when to try again, and what it answered."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ipos_tui.domain.records import DocumentDetail, UploadState
from ipos_tui.store.ledger.reading import Reading
from ipos_tui.store.ledger.statements import chunks
from ipos_tui.store.timeutil import parse_time, utc_text

#: The local setting recording the last export of the unsent documents to a file:
#: ``{"last_id": …, "count": …, "file": …, "at": …}`` (every document not yet sent
#: with an id up to ``last_id`` is in that file).
UNSENT_EXPORT_KEY = "unsent_export"

#: The unsent count (kept by triggers: migration 13) and the oldest unsent document's
#: time (one index lookup per unsent state): neither walks the outbox, which after a
#: week offline holds 50 000 documents.
_PENDING_SUMMARY = (
    "SELECT (SELECT unsent FROM outbox_count WHERE id = 1), min("
    "coalesce(p.oldest, q.oldest), coalesce(q.oldest, p.oldest)) FROM "
    "(SELECT min(created_utc) AS oldest FROM document WHERE upload_state = 'pending') AS p, "
    "(SELECT min(created_utc) AS oldest FROM document WHERE upload_state = 'quarantined') AS q"
)


@dataclass(frozen=True)
class QueuedDocument:
    """An unsent document as the upload queue lists it (without lines or payments)."""

    uuid: str
    doc_type: str
    number: int
    upload_state: UploadState
    upload_attempts: int
    #: Why it is quarantined (the back office's reason, or the till's own "held:…").
    reject_reason: str | None = None


class UploadBook(Reading):
    """Upload state of the stored documents."""

    def pending_summary(self) -> tuple[int, datetime | None]:
        """How many documents are not yet accepted by the back office, and the oldest's UTC time."""
        count, oldest = self._db.execute_sql(_PENDING_SUMMARY).fetchone()
        return int(count), (parse_time(oldest) if oldest else None)

    def documents_to_upload(
        self, now: datetime, limit: int = 100, *, include_quarantined: bool = False
    ) -> list[DocumentDetail]:
        """Unsent documents due for an upload attempt, oldest first.

        Quarantined ones are retried after each sync (the back office may have
        released them), so the sync engine asks for them explicitly.
        """
        states = ("pending", "quarantined") if include_quarantined else ("pending",)
        table = self._m.document
        query = (
            table.select()
            .where(
                table.upload_state.in_(states)
                & (table.next_try_at.is_null() | (table.next_try_at <= utc_text(now)))
            )
            .order_by(table.id)
            .limit(limit)
        )
        return [self._detail(row) for row in query]

    def mark_sent(self, uuids: Iterable[str], now: datetime | None = None) -> int:
        """Record that the back office accepted (or already had) these documents."""
        sent_at = utc_text(now or datetime.now(UTC))
        table = self._m.document
        changed = 0
        with self._db.atomic("IMMEDIATE"):
            for chunk in chunks(list(uuids)):
                changed += (
                    table.update(
                        upload_state="sent", sent_at=sent_at, reject_reason=None, next_try_at=None
                    )
                    .where(table.uuid.in_(chunk))
                    .execute()
                )
        return changed

    def mark_quarantined(self, doc_uuid: str, reason: str) -> None:
        """Record that the back office rejected a document (kept there in quarantine)."""
        table = self._m.document
        with self._db.atomic("IMMEDIATE"):
            table.update(
                upload_state="quarantined",
                reject_reason=reason,
                upload_attempts=table.upload_attempts + 1,
            ).where(table.uuid == doc_uuid).execute()

    def mark_retry(self, uuids: Iterable[str], next_try_at: datetime) -> None:
        """Count a failed upload attempt and set when to try these documents again."""
        table = self._m.document
        with self._db.atomic("IMMEDIATE"):
            for chunk in chunks(list(uuids)):
                table.update(
                    upload_attempts=table.upload_attempts + 1, next_try_at=utc_text(next_try_at)
                ).where(table.uuid.in_(chunk) & (table.upload_state != "sent")).execute()

    def upload_queue(
        self, now: datetime | None = None, *, include_quarantined: bool = False
    ) -> list[QueuedDocument]:
        """Every unsent document to offer the back office, oldest first (light rows).

        With ``now``, only documents whose ``next_try_at`` has passed (the
        background upload respects the backoff); without it, all of them (the
        cashier asked to send now). Quarantined documents come too when asked:
        the back office may have released them, and a retry costs it nothing.
        """
        states = ("pending", "quarantined") if include_quarantined else ("pending",)
        sql = (
            "SELECT uuid, doc_type, number, upload_state, upload_attempts, reject_reason "
            "FROM document "
            f"WHERE upload_state IN ({', '.join('?' for _ in states)})"
        )
        params: list[object] = list(states)
        if now is not None:
            sql += " AND (next_try_at IS NULL OR next_try_at <= ?)"
            params.append(utc_text(now))
        rows = self._db.execute_sql(sql + " ORDER BY id", params).fetchall()
        return [QueuedDocument(*row) for row in rows]

    def documents_for_upload(self, uuids: Sequence[str]) -> list[DocumentDetail]:
        """The whole documents named by ``uuids``, in that order (unknown ones skipped).

        Three queries per chunk instead of three per document: draining a backlog
        of thousands of sales must not be dominated by reading them back.
        """
        details: dict[str, DocumentDetail] = {}
        for chunk in chunks(list(uuids)):
            rows = list(self._m.document.select().where(self._m.document.uuid.in_(chunk)))
            lines, payments = self._lines_and_payments([row.id for row in rows])
            for row in rows:
                details[row.uuid] = self._detail_from(
                    row, lines.get(row.id, ()), payments.get(row.id, ())
                )
        return [details[doc_uuid] for doc_uuid in uuids if doc_uuid in details]

    def apply_upload_results(
        self,
        sent: Iterable[str],
        rejected: Iterable[tuple[str, str]],
        now: datetime,
    ) -> None:
        """Record one batch's answers in ONE transaction: ``sent`` uuids (accepted or
        duplicate) and ``rejected`` (uuid, reason) pairs, which become quarantined.

        A quarantined document loses any ``next_try_at``: it is retried when the
        sync engine asks for quarantined documents, not on the backoff clock.
        """
        sent_at = utc_text(now)
        table = self._m.document
        with self._db.atomic("IMMEDIATE"):
            for chunk in chunks(list(sent)):
                table.update(
                    upload_state="sent", sent_at=sent_at, reject_reason=None, next_try_at=None
                ).where(table.uuid.in_(chunk)).execute()
            for doc_uuid, reason in rejected:
                table.update(
                    upload_state="quarantined",
                    reject_reason=reason,
                    next_try_at=None,
                    upload_attempts=table.upload_attempts + 1,
                ).where((table.uuid == doc_uuid) & (table.upload_state != "sent")).execute()

    def resend_lost(self, terminal_id: int, held: dict[str, int],
                    missing: Iterable[tuple[str, int, int]],
                    doc_types: Iterable[str]) -> list[tuple[str, int]]:
        """Queue again every document of ``doc_types`` (made as ``terminal_id``: a till
        activated anew as another keeps the old one's) held as sent that the back office
        lacks: numbered above ``held`` (its highest of the type; none held: all of them)
        or inside a ``missing`` (type, first, last) range. It was put back from an old
        copy; the documents go again under their own uuids, so each is stored once.
        Returns (type, number) of each, in one transaction."""
        ranges: dict[str, list[tuple[int, int]]] = {}
        for doc_type, first, last in missing:
            ranges.setdefault(doc_type, []).append((first, last))
        found: list[tuple[str, int]] = []
        with self._db.atomic("IMMEDIATE"):
            for doc_type in doc_types:
                where = "number > ?"
                params: list[object] = [held.get(doc_type, 0)]
                for first, last in ranges.get(doc_type, ()):
                    where += " OR number BETWEEN ? AND ?"
                    params += [first, last]
                rows = self._db.execute_sql(
                    "SELECT id, number FROM document WHERE upload_state = 'sent' "
                    f"AND terminal_id = ? AND doc_type = ? AND ({where}) ORDER BY id",
                    [terminal_id, doc_type, *params]).fetchall()
                for chunk in chunks([row_id for row_id, _ in rows]):
                    self._db.execute_sql(
                        "UPDATE document SET upload_state = 'pending', sent_at = NULL, "
                        "next_try_at = NULL, upload_attempts = 0 "
                        f"WHERE id IN ({', '.join('?' for _ in chunk)})", chunk)
                found += [(doc_type, number) for _, number in rows]
        return found

    def record_upload_conflict(self, doc_uuid: str, remote: dict[str, Any],
                               now: datetime) -> None:
        """Keep what the back office holds under ``doc_uuid`` (its "uuid_conflict"
        answer's summary) to show next to the till's own version."""
        with self._db.atomic("IMMEDIATE"):
            self._db.execute_sql(
                "INSERT OR REPLACE INTO upload_conflict (document_uuid, remote, seen_utc) "
                "VALUES (?, ?, ?)", (doc_uuid, json.dumps(remote, ensure_ascii=False),
                                     utc_text(now)))

    def upload_conflicts(self, uuids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The back office's versions recorded for these documents (uuid -> summary)."""
        found: dict[str, dict[str, Any]] = {}
        for chunk in chunks(list(uuids)):
            rows = self._db.execute_sql(
                "SELECT document_uuid, remote FROM upload_conflict WHERE document_uuid IN "
                f"({', '.join('?' for _ in chunk)})", chunk).fetchall()
            for doc_uuid, remote in rows:
                try:
                    found[doc_uuid] = json.loads(remote)
                except ValueError:
                    continue
        return found

    def upload_paused_until(self) -> datetime | None:
        """The latest ``next_try_at`` of the pending documents (None if none is set).

        Backoff belongs to the link, not to one document: while it lies in the
        future the background upload waits, also for sales made after the failure.
        """
        row = self._db.execute_sql(
            "SELECT max(next_try_at) FROM document WHERE upload_state = 'pending'"
        ).fetchone()
        return parse_time(row[0]) if row and row[0] else None

    # -- the export of unsent documents (the way out of a guarded action) ------------

    def unsent_snapshot(self) -> tuple[int, list[str]]:
        """The newest document id and the uuids of every unsent document up to it
        (oldest first), read in one transaction: what an export writes."""
        with self._db.atomic():
            last_id = int(self._db.execute_sql(
                "SELECT coalesce(max(id), 0) FROM document").fetchone()[0])
            rows = self._db.execute_sql(
                "SELECT uuid FROM document WHERE upload_state != 'sent' AND id <= ? ORDER BY id",
                (last_id,)).fetchall()
        return last_id, [str(row[0]) for row in rows]

    def record_unsent_export(self, last_id: int, count: int, file: str, now: datetime) -> None:
        """Remember that the unsent documents up to ``last_id`` were exported to ``file``."""
        self._settings.set_local(UNSENT_EXPORT_KEY, {
            "last_id": last_id, "count": count, "file": file, "at": utc_text(now)})

    def last_unsent_export(self) -> dict[str, Any] | None:
        """What :meth:`record_unsent_export` stored last (None: never exported)."""
        value = self._settings.get_local(UNSENT_EXPORT_KEY)
        return value if isinstance(value, dict) else None

    def unexported_unsent(self) -> int:
        """How many unsent documents are in no export file (0: nothing is unsent, or
        everything unsent was exported). Documents are only appended and a sent one
        never becomes unsent again, so an export covers every unsent document up to
        the newest id it saw."""
        export = self.last_unsent_export() or {}
        try:
            last_id = int(export.get("last_id", 0))
        except (TypeError, ValueError):
            last_id = 0
        return int(self._db.execute_sql(
            "SELECT count(*) FROM document WHERE upload_state != 'sent' AND id > ?",
            (last_id,)).fetchone()[0])
