"""Transactions upload: every finished sale reaches the back office exactly once.

Exactly once rests on the protocol, not on luck: every document carries its UUID and
its gapless number, the back office stores each once and answers a repeat with
"duplicate", which the terminal treats as success. So any failure — a lost answer
after the back office committed, a killed process, a dropped link — is healed by
sending the same documents again, and the terminal marks a document sent only after
it has read the answer for it.

Two entry points:

* :func:`upload_job` — the "transactions" sync job (service menu "Wyślij zaległe
  transakcje", ``ipos-tui sync transactions``, ``sync all`` after the pulls). It
  sends every unsent document now, whatever the backoff says (someone asked), and
  retries the QUARANTINED ones too: the back office may have released them, and a
  retry costs it nothing (its quarantine refreshes the row instead of adding one).
  That is how quarantined sales are "retried after each sync".
* :func:`upload_due` — the background upload the UI runs after each finished receipt
  and on a timer (:data:`BACKGROUND_INTERVAL`). It sends pending documents only, and
  only when the link is not in backoff (:meth:`LedgerService.upload_paused_until`):
  a dead network is not hammered after every sale.

Per batch (:data:`BATCH_SIZE` documents, one ``POST /api/v1/transactions``):
accepted and duplicate → sent; rejected → quarantined with the back office's reason,
never blocking the rest. A 413 halves the batch (down to one document; a single
document still too large is quarantined locally as "too_large") and the smaller size
is kept for the rest of the run. Any other failure — after the client's own retries
of transport errors, 429 and 5xx — stops the run quietly: every document not yet
answered gets ``next_try_at`` = now + exponential backoff with jitter (at least the
server's Retry-After), and the caller gets ``False`` / an outcome saying why.

A document the back office keeps failing on (a 5xx, or the connection cut, for
its batch) never stops the queue for good. The first :data:`HOLD_AFTER_ROUNDS` - 1
failed rounds back off as above; when a batch fails the :data:`HOLD_AFTER_ROUNDS`-th
time, the run asks ``GET /health``: a back office that does not answer is an outage
(back off as usual); one that answers is failing on something in the batch, which
is then split in halves, each sent once (a piece that goes through is answered as
usual, one that fails is split again) until the document(s) it fails on are alone.
Each of those is HELD: quarantined on the till with the reason "held:<status>"
("held:offline" for a cut connection), reported with :data:`KEY_HELD`, still unsent
(☁ in 5. Transakcje, counted as unsent) and offered again, alone and after the
others, on every later sync (the runs that retry quarantined documents). A held
document that fails again stays held; one that goes through is sent.

A "uuid_conflict" answer (the back office holds other content under the same
uuid) quarantines the document like any rejection, and the stored version's
summary the answer carries is kept (``upload_conflict``) for 5. Transakcje.

Progress: one item per document, its id the number as six digits ("000123"; other
document types than receipts are prefixed with their type, see :func:`item_id`).
ItemStarted when its batch goes out; ItemDone(added=1) when accepted, ItemDone()
(all zero) when the back office already had it; ItemFailed when rejected
("sync.err.document_rejected", params number, reason) or not delivered
("sync.err.document_not_sent", params number, reason = the failure's own key plus
its params, retry_at, retry_in — see :func:`retry_params`); JobFinished at the end. A screen that wants
the "waiting" rows up front lists ``terminal.ledger.upload_queue(include_quarantined
=True)`` before starting the job.
"""

from __future__ import annotations

import logging
import random
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from pydantic import ValidationError

from ipos_tui.protocol import TransactionsResponse
from ipos_tui.sync.client import SyncError
from ipos_tui.sync.documents import UnsupportedDocument, document_payload
from ipos_tui.sync.progress import (
    JOB_TRANSACTIONS,
    CancelToken,
    ItemDone,
    ItemFailed,
    ItemStarted,
    JobFinished,
    Observer,
    null_observer,
)
from ipos_tui.store.ledger import QueuedDocument
from ipos_tui.store.timeutil import utc_text

if TYPE_CHECKING:
    from ipos_tui.sync.context import SyncContext
    from ipos_tui.store.db import Terminal

log = logging.getLogger(__name__)

TRANSACTIONS_PATH: Final = "/transactions"
#: Documents per request: ~50 receipts are ~25–60 KB of JSON, a few seconds on EDGE.
BATCH_SIZE: Final = 50
#: First wait after a failed upload round (s); doubles per round the oldest document
#: has failed, up to :data:`RETRY_MAX`.
RETRY_BASE: Final = 30.0
RETRY_MAX: Final = 15 * 60.0
#: A Retry-After above this is taken as a server mistake, not obeyed literally.
RETRY_AFTER_CAP: Final = 60 * 60.0
#: How often the UI should call :func:`upload_due` besides after each receipt (s).
BACKGROUND_INTERVAL: Final = 60.0

#: Message keys of the progress events (the UI's catalogue translates them).
KEY_REJECTED: Final = "sync.err.document_rejected"
KEY_NOT_SENT: Final = "sync.err.document_not_sent"
KEY_BAD_RESULT: Final = "sync.err.bad_response"
#: Local rejection reason of one document bigger than the back office accepts.
REASON_TOO_LARGE: Final = "too_large"
#: A batch failing (5xx or a cut connection) this many rounds is searched for the
#: document the back office fails on, which is then held (see the module docstring).
HOLD_AFTER_ROUNDS: Final = 3
#: Reason prefix of a document held by the till ("held:500", "held:offline").
HELD_PREFIX: Final = "held:"
#: Attempts per request while searching for such a document (no client retries).
PROBE_ATTEMPTS: Final = 1
#: Message key of a held document's progress event (params number, reason).
KEY_HELD: Final = "tillsync.document_held"


def is_held(reason: str | None) -> bool:
    """True for the reason of a document the till holds back itself (not the back
    office's quarantine): it is still unsent and retried at every sync."""
    return bool(reason) and reason.startswith(HELD_PREFIX)  # type: ignore[union-attr]


def held_reason(error: SyncError) -> str:
    """The reason a document is held with: the HTTP status, or "offline" for a cut."""
    return HELD_PREFIX + (str(error.status) if error.status is not None else "offline")


@dataclass
class UploadOutcome:
    """What one upload run did (for the caller; the observer saw the same per item)."""

    accepted: int = 0
    duplicate: int = 0
    #: (number, reason) of every document the back office (or the mapping) refused.
    rejected: list[tuple[int, str]] = field(default_factory=list)
    #: Documents the back office's answer did not account for (left pending).
    unanswered: int = 0
    #: (number, reason) of every document held back because the back office fails on it.
    held: list[tuple[int, str]] = field(default_factory=list)
    #: Why the run stopped early (network, server, token…); None if it did not.
    error: SyncError | None = None
    #: When the documents left unsent will be tried again (set with ``error``).
    next_try_at: datetime | None = None
    cancelled: bool = False
    #: True when the background upload did nothing because of the backoff or
    #: because another upload of this terminal was running.
    skipped: bool = False

    @property
    def sent(self) -> int:
        """Documents the back office now holds (accepted + duplicate)."""
        return self.accepted + self.duplicate

    @property
    def ok(self) -> bool:
        """True when every document got its answer, none was refused, none cancelled."""
        return (self.error is None and not self.rejected and not self.cancelled
                and not self.unanswered and not self.held)


def upload_job(ctx: SyncContext, observer: Observer, cancel: CancelToken) -> bool:
    """The "transactions" job: send every unsent document now, quarantined ones too.

    Returns True when every document ended up in the back office (or there was
    none); False when one was rejected, the run stopped on a failure, or it was
    cancelled. Never raises for network or server trouble: that is reported through
    the observer (ItemFailed with ``sync.err.document_not_sent``) and the return value.
    """
    outcome = upload(ctx, observer, cancel, include_quarantined=True, respect_backoff=False)
    return outcome.ok


def upload_due(
    ctx: SyncContext,
    observer: Observer = null_observer,
    cancel: CancelToken | None = None,
) -> UploadOutcome:
    """The background upload: pending documents, unless the link is in backoff.

    Cheap when there is nothing to do (two small queries, no network). If another
    upload of the same terminal is running, returns at once with ``skipped``.
    """
    now = ctx.clock()
    with _own_connection(ctx.terminal):
        paused_until = ctx.terminal.ledger.upload_paused_until()
    if paused_until is not None and paused_until > now:
        return UploadOutcome(skipped=True, next_try_at=paused_until)
    return upload(
        ctx,
        observer,
        cancel or CancelToken(),
        include_quarantined=False,
        respect_backoff=True,
        wait=False,
    )


def upload(
    ctx: SyncContext,
    observer: Observer,
    cancel: CancelToken,
    *,
    include_quarantined: bool,
    respect_backoff: bool,
    batch_size: int = BATCH_SIZE,
    wait: bool = True,
) -> UploadOutcome:
    """One upload run (what both entry points call); see the module docstring.

    ``wait=False`` returns ``skipped`` instead of waiting for a run in progress.
    """
    lock = _terminal_lock(ctx.terminal)
    if not lock.acquire(blocking=wait):
        return UploadOutcome(skipped=True)
    try:
        with _own_connection(ctx.terminal):
            run = _UploadRun(ctx, observer, cancel, max(1, batch_size))
            outcome = run.execute(include_quarantined=include_quarantined,
                                  respect_backoff=respect_backoff)
            if outcome.sent and outcome.error is None:  # 7. Informacje: last upload
                ctx.terminal.settings.set_local("last_sync.transactions", utc_text(ctx.clock()))
            return outcome
    finally:
        lock.release()


def backoff_delay(
    attempts: int,
    retry_after: float | None = None,
    uniform: Callable[[float, float], float] = random.uniform,
) -> float:
    """Seconds to wait after ``attempts`` failed rounds (≥ 1): exponential with jitter.

    The base doubles per round from :data:`RETRY_BASE` up to :data:`RETRY_MAX`; the
    wait is drawn from its upper half ("equal jitter"), so a shop's terminals
    recovering from one outage do not all call back in the same second. A
    Retry-After from the server is a floor (capped at :data:`RETRY_AFTER_CAP`).
    """
    exponent = min(max(attempts, 1) - 1, 20)
    base = min(RETRY_MAX, RETRY_BASE * (2**exponent))
    delay = uniform(base / 2, base)
    if retry_after is not None:
        delay = max(delay, min(max(retry_after, 0.0), RETRY_AFTER_CAP))
    return delay


def retry_params(error: SyncError, retry_at: datetime, now: datetime) -> dict[str, Any]:
    """JSON-safe message params of a document left unsent: ``reason`` (the error's own
    message key, to translate with the same params), ``retry_at`` (the machine's local
    wall time "HH:MM:SS") and ``retry_in`` (whole seconds from ``now``)."""
    return {
        "reason": error.key,
        "retry_at": retry_at.astimezone().strftime("%H:%M:%S"),
        "retry_in": max(0, round((retry_at - now).total_seconds())),
    }


def item_id(queued: QueuedDocument) -> str:
    """The progress item id of a document: a receipt's number as six digits
    ("000123"); other document types, numbered on their own, carry their type
    ("cash_operation:000004") so two rows never share an id."""
    number = f"{queued.number:06d}"
    return number if queued.doc_type == "receipt" else f"{queued.doc_type}:{number}"


# --------------------------------------------------------------------------- machinery


#: A queued document with its wire payload.
_Entry = tuple[QueuedDocument, dict[str, Any]]


class _BatchTooLarge(Exception):
    """The back office answered 413 for a batch."""


class _UploadRun:
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
                    if not _transient(exc):  # the token, the protocol: stop, keep it held
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
                if _transient(exc) and self._worn_out(part):
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
                if not _transient(exc):
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


def _transient(error: SyncError) -> bool:
    """A failure that may be the document's doing: a 5xx or a cut connection."""
    return error.status is None and error.key == "sync.err.offline" or (
        error.status is not None and error.status >= 500)


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


_LOCKS_GUARD = threading.Lock()
_LOCKS: dict[str, threading.Lock] = {}


def _terminal_lock(terminal: Terminal) -> threading.Lock:
    """One upload at a time per terminal database in this process.

    Two concurrent runs would still store each sale once (the back office sees to
    that), but they would send the same documents twice over a slow link.
    """
    key = str(terminal.db_path.resolve())
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


@contextmanager
def _own_connection(terminal: Terminal) -> Iterator[None]:
    """A database connection for this thread, closed afterwards only if opened here.

    peewee's ``connection_context`` closes the thread's connection on exit even when
    the caller had it open (the headless CLI and tests run jobs on their own thread).
    """
    opened = terminal.db.is_closed()
    if opened:
        terminal.db.connect()
    try:
        yield
    finally:
        if opened:
            terminal.db.close()
