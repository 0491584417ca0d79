"""One upload run over the queue: documents out in batches (``POST /transactions``),
the back office's answers into the ledger, 413 halving the batch, and the search for
a document the back office keeps failing on (see :mod:`ipos_tui.sync.upload`).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from pydantic import ValidationError

from ipos_tui.protocol import TransactionsResponse
from ipos_tui.sync.documents import UnsupportedDocument, document_payload
from ipos_tui.sync.errors import SyncError
from ipos_tui.sync.progress import (
    JOB_TRANSACTIONS,
    CancelToken,
    ItemDone,
    ItemFailed,
    ItemStarted,
    JobFinished,
    Observer,
)
from ipos_tui.sync.upload.policy import (
    HOLD_AFTER_ROUNDS,
    KEY_BAD_RESULT,
    KEY_HELD,
    KEY_NOT_SENT,
    KEY_REJECTED,
    PROBE_ATTEMPTS,
    REASON_TOO_LARGE,
    UploadOutcome,
    backoff_delay,
    held_reason,
    is_held,
    is_transient,
    item_id,
    retry_params,
)
from ipos_tui.store.ledger import QueuedDocument

if TYPE_CHECKING:
    from ipos_tui.sync.context import SyncContext

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

TRANSACTIONS_PATH: Final = "/transactions"


#: A queued document with its wire payload.
_Entry = tuple[QueuedDocument, dict[str, Any]]


class _BatchTooLarge(Exception):
    """The back office answered 413 for a batch."""


class UploadRun:
    """One pass over the upload queue: batches out, answers into the ledger."""

    def __init__(
        self, ctx: SyncContext, observer: Observer, cancel: CancelToken, batch_size: int
    ) -> None:
        self.ctx = ctx
        self.ledger = ctx.terminal.ledger
        self.observer = observer
        self.cancel = cancel
        self.batch_size = batch_size
        self.outcome = UploadOutcome()

    def execute(self, *, include_quarantined: bool, respect_backoff: bool) -> UploadOutcome:
        """Send the queue batch by batch until done, cancelled or the link fails."""
        now = self.ctx.clock() if respect_backoff else None
        listed = self.ledger.upload_queue(now, include_quarantined=include_quarantined)
        held = [queued for queued in listed if is_held(queued.reject_reason)]
        queue = deque(queued for queued in listed if not is_held(queued.reject_reason))
        while queue and self.outcome.error is None:
            if self.cancel.cancelled:
                self.outcome.cancelled = True
                break
            batch = [queue.popleft() for _ in range(min(self.batch_size, len(queue)))]
            leftover = self._send_batch(batch)
            if self.outcome.error is not None:
                self._postpone([*leftover, *queue])
        if held and self.outcome.error is None and not self.outcome.cancelled:
            self._retry_held(held)
        self.observer(JobFinished(JOB_TRANSACTIONS, self.outcome.ok))
        return self.outcome

    def _retry_held(self, held: list[QueuedDocument]) -> None:
        """Offer the held documents again, each alone, after everything else: one
        that goes through is sent, one the back office still fails on stays held."""
        for queued in held:
            if self.cancel.cancelled:
                self.outcome.cancelled = True
                return
            self.observer(ItemStarted(JOB_TRANSACTIONS, item_id(queued), 1))
            for entry in self._payloads([queued]):
                try:
                    self._post([entry], attempts=PROBE_ATTEMPTS)
                except _BatchTooLarge:
                    self._reject_locally(queued, REASON_TOO_LARGE)
                except SyncError as exc:
                    if not is_transient(exc):  # the token, the protocol: stop, keep it held
                        self.outcome.error = exc
                        self.observer(ItemFailed(JOB_TRANSACTIONS, item_id(queued), KEY_HELD,
                                                 {"number": queued.number,
                                                  "reason": queued.reject_reason or ""}))
                        return
                    self._hold(queued, exc)

    def _send_batch(self, batch: list[QueuedDocument]) -> list[QueuedDocument]:
        """Send ``batch`` (halving it on 413); return the documents left unanswered."""
        for queued in batch:
            self.observer(ItemStarted(JOB_TRANSACTIONS, item_id(queued), 1))
        pending = deque(self._payloads(batch))
        while pending:
            part = [pending.popleft() for _ in range(min(self.batch_size, len(pending)))]
            try:
                self._post(part)
            except _BatchTooLarge:
                if len(part) == 1:
                    self._reject_locally(part[0][0], REASON_TOO_LARGE)
                    continue
                self.batch_size = max(1, len(part) // 2)
                log.info("upload: 413 for %d documents, batches of %d now",
                         len(part), self.batch_size)
                pending.extendleft(reversed(part))
            except SyncError as exc:
                if is_transient(exc) and self._worn_out(part):
                    unsent = self._isolate(part, exc)
                    if self.outcome.error is None:
                        continue
                    return [queued for queued, _ in (*unsent, *pending)]
                self.outcome.error = exc
                return [queued for queued, _ in (*part, *pending)]
        return []

    @staticmethod
    def _worn_out(part: list[_Entry]) -> bool:
        """True when this failure is the :data:`HOLD_AFTER_ROUNDS`-th of the batch."""
        return max(queued.upload_attempts for queued, _ in part) + 1 >= HOLD_AFTER_ROUNDS

    def _server_answers(self) -> bool:
        """Whether the back office answers at all (``GET /health``, asked once)."""
        try:
            self.ctx.client.health(attempts=PROBE_ATTEMPTS)
        except SyncError:
            return False
        return True

    def _isolate(self, part: list[_Entry], error: SyncError) -> list[_Entry]:
        """Find the document(s) of ``part`` the back office keeps failing on and hold
        them; send the rest. Returns what is left unanswered when the back office
        turns out to be down (``outcome.error`` set then), else []."""
        if not self._server_answers():
            self.outcome.error = error
            return part
        log.warning("upload: the back office answers but fails on a batch of %d documents "
                    "(%s, %s rounds): looking for the document it fails on", len(part),
                    error.key, HOLD_AFTER_ROUNDS)
        todo: deque[list[_Entry]] = deque(_halves(part) if len(part) > 1 else [part])
        while todo:
            piece = todo.popleft()
            try:
                self._post(piece, attempts=PROBE_ATTEMPTS)
            except _BatchTooLarge:
                if len(piece) == 1:
                    self._reject_locally(piece[0][0], REASON_TOO_LARGE)
                else:
                    todo.extend(_halves(piece))
            except SyncError as exc:
                if not is_transient(exc):
                    self.outcome.error = exc
                    return [entry for rest in (piece, *todo) for entry in rest]
                if len(piece) > 1:
                    todo.extend(_halves(piece))
                elif self._server_answers():
                    self._hold(piece[0][0], exc)
                else:  # the link went down meanwhile: not this document's fault
                    self.outcome.error = exc
                    return [entry for rest in (piece, *todo) for entry in rest]
        return []

    def _hold(self, queued: QueuedDocument, error: SyncError) -> None:
        """Hold back a document the back office fails on (quarantined on the till,
        still unsent, offered again alone at every later sync)."""
        reason = held_reason(error)
        log.warning("upload: document %s held (%s): the back office fails on it",
                    queued.number, reason)
        self.ledger.apply_upload_results((), [(queued.uuid, reason)], self.ctx.clock())
        self.outcome.held.append((queued.number, reason))
        self.observer(ItemFailed(JOB_TRANSACTIONS, item_id(queued), KEY_HELD,
                                 {"number": queued.number, "reason": reason}))

    def _payloads(self, batch: list[QueuedDocument]) -> list[_Entry]:
        """Load ``batch`` and map it to the wire, once per run: a document without a
        wire form is quarantined locally here and never sent."""
        details = {doc.uuid: doc for doc in self.ledger.documents_for_upload(
            [queued.uuid for queued in batch])}
        entries: list[_Entry] = []
        for queued in batch:
            detail = details.get(queued.uuid)
            if detail is None:  # listed, then gone: the ledger never deletes, so a bug
                log.error("upload: document %s vanished from the ledger", queued.uuid)
                continue
            try:
                entries.append((queued, document_payload(detail)))
            except UnsupportedDocument as exc:
                self._reject_locally(queued, exc.reason)
        return entries

    def _post(self, part: list[_Entry], attempts: int | None = None) -> None:
        """POST one batch and record every answer (raises on a failed request)."""
        try:
            answer = self.ctx.client.post_json(
                TRANSACTIONS_PATH, {"documents": [payload for _, payload in part]},
                attempts=attempts)
        except SyncError as exc:
            if exc.status == 413:
                raise _BatchTooLarge from exc
            raise
        self._apply([queued for queued, _ in part], answer)

    def _apply(self, sent: list[QueuedDocument], answer: dict[str, Any]) -> None:
        """Write one batch's results to the ledger (one transaction), then report them."""
        results = _results_by_index(answer)
        done: list[str] = []
        refused: list[tuple[str, str]] = []
        unanswered: list[QueuedDocument] = []
        events: list[object] = []
        for index, queued in enumerate(sent):
            result = results.get(index)
            item = item_id(queued)
            if result is None or (result.uuid is not None and result.uuid != queued.uuid):
                unanswered.append(queued)
                events.append(ItemFailed(JOB_TRANSACTIONS, item, KEY_BAD_RESULT,
                                         {"number": queued.number}))
            elif result.status == "rejected":
                reason = result.reason or "rejected"
                if reason == "uuid_conflict" and result.stored is not None:
                    self.ledger.record_upload_conflict(
                        queued.uuid, result.stored.model_dump(mode="json", exclude_none=True),
                        self.ctx.clock())
                if reason == "number_conflict" and result.last_number is not None:
                    # numbering went back (a restored backup): never hand out again a
                    # number the back office holds
                    self.ledger.raise_number_floor(queued.doc_type, result.last_number)
                refused.append((queued.uuid, reason))
                self.outcome.rejected.append((queued.number, reason))
                events.append(ItemFailed(JOB_TRANSACTIONS, item, KEY_REJECTED,
                                         {"number": queued.number, "reason": reason}))
            else:
                done.append(queued.uuid)
                accepted = result.status == "accepted"
                self.outcome.accepted += accepted
                self.outcome.duplicate += not accepted
                events.append(ItemDone(JOB_TRANSACTIONS, item, added=int(accepted)))
        self.ledger.apply_upload_results(done, refused, self.ctx.clock())
        if unanswered:
            self.outcome.unanswered += len(unanswered)
            log.warning("upload: %d documents without a matching result", len(unanswered))
            self.ledger.mark_retry([q.uuid for q in unanswered], self._retry_at(unanswered))
        for event in events:
            self.observer(event)

    def _reject_locally(self, queued: QueuedDocument, reason: str) -> None:
        """Quarantine a document the back office cannot take as it is (never blocks)."""
        log.warning("upload: document %s quarantined locally (%s)", queued.number, reason)
        self.ledger.apply_upload_results((), [(queued.uuid, reason)], self.ctx.clock())
        self.outcome.rejected.append((queued.number, reason))
        self.observer(ItemFailed(JOB_TRANSACTIONS, item_id(queued), KEY_REJECTED,
                                 {"number": queued.number, "reason": reason}))

    def _postpone(self, unsent: Sequence[QueuedDocument]) -> None:
        """After a failed round: set every unanswered document's next try, report them."""
        error = self.outcome.error
        if error is None or not unsent:
            return
        retry_at = self._retry_at(unsent, error.retry_after)
        self.ledger.mark_retry([queued.uuid for queued in unsent], retry_at)
        self.outcome.next_try_at = retry_at
        log.info("upload stopped (%s); %d documents wait until %s",
                 error.key, len(unsent), retry_at.isoformat())
        params = {**error.params, **retry_params(error, retry_at, self.ctx.clock())}
        for queued in unsent:
            self.observer(ItemFailed(JOB_TRANSACTIONS, item_id(queued), KEY_NOT_SENT,
                                     {"number": queued.number, **params}))

    def _retry_at(self, unsent: Sequence[QueuedDocument],
                  retry_after: float | None = None) -> datetime:
        """When to try again: backoff on the most-failed document's round count."""
        rounds = max(queued.upload_attempts for queued in unsent) + 1
        return self.ctx.clock() + timedelta(seconds=backoff_delay(rounds, retry_after))



def _halves(part: list[_Entry]) -> list[list[_Entry]]:
    middle = len(part) // 2
    return [part[:middle], part[middle:]]


def _results_by_index(answer: dict[str, Any]) -> dict[int, Any]:
    """The back office's per-document results keyed by request index ({} if garbled)."""
    try:
        parsed = TransactionsResponse.model_validate(answer)
    except ValidationError:
        log.warning("upload: the back office's answer is not a TransactionsResponse")
        return {}
    return {result.index: result for result in parsed.results}
