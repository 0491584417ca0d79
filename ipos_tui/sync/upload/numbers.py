"""The till's numbering against the back office's (``POST /numbers``), before uploading.

Two restores from old copies break exactly-once in ways no upload answer shows:

* **the till's database put back**: the till would hand out again numbers the back
  office already holds (each such sale quarantined "number_conflict" when it arrives).
  The back office answers the highest number it holds of each type (and the latest
  invoice numbers); the till raises its counters above them before it numbers another
  document, and the back office records the rollback for the owner.
* **the back office's database put back**: sales it had accepted are gone there while
  the till holds them as sent. It answers its highest numbers and its gaps; the till
  queues again every document it holds as sent above or inside them, and they are
  stored once (their uuids are new to it).

Asked at the first upload after the till starts (a restore means a restart), then at
most every :data:`CHECK_INTERVAL` seconds. A failed request is asked again at the next
upload; a back office without the call (404: older) is not asked again.
"""

from __future__ import annotations

import logging
import threading
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Final

from ipos_tui.protocol import NUMBERS_PATH, NumbersResponse
from ipos_tui.sync.errors import SyncError

if TYPE_CHECKING:
    from ipos_tui.store.db import Terminal
    from ipos_tui.sync.context import SyncContext

log = logging.getLogger(__name__)

#: Seconds between two comparisons of a running till (the first upload after a start
#: always compares; so does one whose clock went back).
CHECK_INTERVAL: Final = 600.0

_GUARD = threading.Lock()
#: Per open terminal (a restore means it was opened again): when it was last compared
#: (the sync clock), or None when its back office does not know the call.
_CHECKED: weakref.WeakKeyDictionary[Terminal, datetime | None] = weakref.WeakKeyDictionary()


@dataclass
class NumbersOutcome:
    """What one comparison changed on the till."""

    #: doc type (or invoice series) -> (the till's last number, the back office's)
    raised: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: (doc type, number) of each document queued again
    resent: list[tuple[str, int]] = field(default_factory=list)


def compare_numbers_when_due(ctx: SyncContext) -> NumbersOutcome | None:
    """:func:`compare_numbers` unless done within :data:`CHECK_INTERVAL` (None then,
    or when the request failed: it is asked again at the next upload)."""
    key, now = ctx.terminal, ctx.clock()
    with _GUARD:
        if key in _CHECKED:
            last = _CHECKED[key]
            if last is None or 0 <= (now - last).total_seconds() < CHECK_INTERVAL:
                return None
    try:
        outcome = compare_numbers(ctx)
    except SyncError as exc:
        if exc.status == 404:  # a back office older than the call
            with _GUARD:
                _CHECKED[key] = None
        else:
            log.info("numbering not compared with the back office (%s)", exc.key)
        return None
    with _GUARD:
        _CHECKED[key] = now
    return outcome


def compare_numbers(ctx: SyncContext) -> NumbersOutcome:
    """Tell the back office the till's last numbers; go on above what it holds and
    queue again what it lost (see the module docstring). Raises SyncError."""
    ledger = ctx.terminal.ledger
    connection = ctx.connection
    if connection is None:  # deactivated meanwhile: nothing to compare
        return NumbersOutcome()
    mine = ledger.numbers_in_use()
    data = ctx.client.post_json(NUMBERS_PATH, {"numbers": mine})
    try:
        answer = NumbersResponse.model_validate(data)
    except ValueError as exc:
        raise SyncError("sync.err.bad_response", detail=str(exc)[:200]) from exc
    outcome = NumbersOutcome()
    for doc_type, held in answer.numbers.items():
        if doc_type in mine and held > mine[doc_type]:
            ledger.raise_number_floor(doc_type, held)
            outcome.raised[doc_type] = (mine[doc_type], held)
            log.warning("numbering of %s went back to %d while the back office holds %d "
                        "(the till's database was put back from an older copy): it goes "
                        "on from %d", doc_type, mine[doc_type], held, held + 1)
    for invoice_number in answer.invoice_numbers:
        ledger.raise_invoice_floor(invoice_number)
    outcome.resent = ledger.resend_lost(
        connection.terminal_id, answer.numbers, [(r.type, r.first, r.last) for r in answer.missing],
        [doc_type for doc_type, last in mine.items() if last])
    if outcome.resent:
        log.warning("the back office lacks %d documents this till holds as sent (it was "
                    "put back from an older copy): sending them again: %s",
                    len(outcome.resent), ", ".join(f"{t} {n}" for t, n in outcome.resent[:20]))
    return outcome


def forget_comparisons() -> None:
    """Compare again at the next upload of every terminal (tests; a new activation)."""
    with _GUARD:
        _CHECKED.clear()
