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

By subject: :mod:`.jobs` (the entry points, one run at a time per terminal),
:mod:`.policy` (batch size, backoff, which documents are held, the outcome) and
:mod:`.sender` (one run: batches out, the back office's answers into the ledger).
"""

from ipos_tui.sync.upload.jobs import (
    upload,
    upload_due,
    upload_job,
)
from ipos_tui.sync.upload.policy import (
    BACKGROUND_INTERVAL,
    BATCH_SIZE,
    HELD_PREFIX,
    HOLD_AFTER_ROUNDS,
    KEY_BAD_RESULT,
    KEY_HELD,
    KEY_NOT_SENT,
    KEY_REJECTED,
    PROBE_ATTEMPTS,
    REASON_TOO_LARGE,
    RETRY_AFTER_CAP,
    RETRY_BASE,
    RETRY_MAX,
    UploadOutcome,
    backoff_delay,
    held_reason,
    is_held,
    is_transient,
    item_id,
    retry_params,
)
from ipos_tui.sync.upload.sender import (
    TRANSACTIONS_PATH,
    UploadRun,
)

__all__ = [
    "BACKGROUND_INTERVAL",
    "BATCH_SIZE",
    "HELD_PREFIX",
    "HOLD_AFTER_ROUNDS",
    "KEY_BAD_RESULT",
    "KEY_HELD",
    "KEY_NOT_SENT",
    "KEY_REJECTED",
    "PROBE_ATTEMPTS",
    "REASON_TOO_LARGE",
    "RETRY_AFTER_CAP",
    "RETRY_BASE",
    "RETRY_MAX",
    "TRANSACTIONS_PATH",
    "UploadOutcome",
    "UploadRun",
    "backoff_delay",
    "held_reason",
    "is_held",
    "is_transient",
    "item_id",
    "retry_params",
    "upload",
    "upload_due",
    "upload_job",
]
