"""Gaps and regressions of a till's document numbering (issue 15, item 5).

A till numbers each document type gaplessly, so the back office can tell when
numbers are missing. It records what it sees, per terminal and document type, in
``numbering_issue`` (the caller holds the till's write transaction, so two
batches never look at the table at the same time):

* **gap** — a document arrives numbered above the highest one held plus one: the
  numbers in between are missing since now. Only the missing range is recorded;
  each number that arrives later (a batch that lost a race with a later one, a sale
  released from quarantine) is cut out of it, and the row goes once it is filled.
  Numbers below the lowest held are never a gap: the back office cannot know where
  a till started, and an earlier batch may simply arrive after a later one.
* **regression** — a number already held arrives again for a different document
  (a till restored from an old backup numbers anew): the number is recorded,
  consecutive ones merge into one range. It stays until cleared by hand. The
  rejection tells the till the highest number held (:func:`last_number`), so its
  numbering goes on above it and only the sales made before that answer clash.
* **rollback** — a till reports (``POST /numbers``, :func:`compare`) that its last
  number is below what the back office holds: its database was put back from an old
  copy. Recorded as the range the till would have handed out again (its last + 1 to
  the highest held); the till's numbering goes on above it, so no number repeats.
  It stays until cleared by hand, with the regressions.

:func:`compare` is also how a till finds out that the back office lost documents it
had accepted (the back office put back from an old copy): it answers the highest
number held and the gaps, and the till sends again every document it holds as sent
in them.
"""

from __future__ import annotations

import logging
from datetime import datetime
from collections.abc import Callable, Iterable
from typing import Any

from peewee import fn

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.models import utcnow

log = logging.getLogger(__name__)

GAP = "gap"
REGRESSION = "regression"
ROLLBACK = "rollback"
#: The kinds an owner clears by hand once seen to (a gap goes when it is filled).
SEEN_TO = (REGRESSION, ROLLBACK)


def note_arrival(terminal_id: int, doc_type: str, number: int) -> None:
    """A document ``number`` is about to be stored: fill or open a gap.

    The usual case (the next number, or one beyond it) costs one query: a gap lies
    below a number already held, so only a number at or below the highest can fill one."""
    issue = m.NumberingIssue
    t = m.Transaction
    highest = (t.select(fn.MAX(t.number))
               .where((t.terminal == terminal_id) & (t.doc_type == doc_type)).scalar())
    if highest is not None and number <= highest:
        mine = (issue.terminal == terminal_id) & (issue.doc_type == doc_type) & (issue.kind == GAP)
        row = issue.get_or_none(mine & (issue.first <= number) & (issue.last >= number))
        if row is not None:
            _cut(row, number)
        return
    if highest is not None and number > highest + 1:
        issue.create(terminal=terminal_id, doc_type=doc_type, kind=GAP,
                     first=highest + 1, last=number - 1, seen_at=utcnow())
        log.warning("terminal %s: %s numbers %d-%d missing (got %d after %d)", terminal_id,
                    doc_type, highest + 1, number - 1, number, highest)


def _cut(row: m.NumberingIssue, number: int) -> None:
    """Take ``number`` out of the gap ``row`` (split it, shrink it or drop it)."""
    if row.first == row.last:
        row.delete_instance()
        log.info("terminal %s: %s gap at %d filled", row.terminal_id, row.doc_type, number)
        return
    if number == row.first:
        row.first = number + 1
    elif number == row.last:
        row.last = number - 1
    else:
        m.NumberingIssue.create(terminal=row.terminal_id, doc_type=row.doc_type, kind=GAP,
                                first=number + 1, last=row.last, seen_at=row.seen_at)
        row.last = number - 1
    row.save()


def note_regression(terminal_id: int, doc_type: str, number: int) -> None:
    """``number`` came again for another document: record it (merged with its neighbours)."""
    issue = m.NumberingIssue
    mine = ((issue.terminal == terminal_id) & (issue.doc_type == doc_type)
            & (issue.kind == REGRESSION))
    if issue.get_or_none(mine & (issue.first <= number) & (issue.last >= number)):
        return  # the same clash resent
    after = issue.get_or_none(mine & (issue.last == number - 1))
    if after is not None:
        after.last = number
        after.save()
    else:
        before = issue.get_or_none(mine & (issue.first == number + 1))
        if before is not None:
            before.first = number
            before.save()
        else:
            issue.create(terminal=terminal_id, doc_type=doc_type, kind=REGRESSION,
                         first=number, last=number, seen_at=utcnow())
    log.warning("terminal %s: %s number %d received again for another document "
                "(numbering went back)", terminal_id, doc_type, number)


def last_number(terminal_id: int, doc_type: str) -> int:
    """The highest number held of the till's ``doc_type`` (0 when none)."""
    t = m.Transaction
    highest = (t.select(fn.MAX(t.number))
               .where((t.terminal == terminal_id) & (t.doc_type == doc_type)).scalar())
    return int(highest or 0)


def held_numbers(terminal_id: int, doc_types: Iterable[str]) -> dict[str, int]:
    """The highest number held of each of the till's ``doc_types`` (only those held):
    one index lookup per type."""
    held = {doc_type: last_number(terminal_id, doc_type) for doc_type in doc_types}
    return {doc_type: number for doc_type, number in held.items() if number}


def missing_ranges(terminal_id: int) -> list[tuple[str, int, int]]:
    """The open gaps of the till's numbering: (doc_type, first, last), lowest first."""
    issue = m.NumberingIssue
    rows = (issue.select(issue.doc_type, issue.first, issue.last)
            .where((issue.terminal == terminal_id) & (issue.kind == GAP))
            .order_by(issue.doc_type, issue.first).tuples())
    return [(doc_type, first, last) for doc_type, first, last in rows]


def last_invoice_numbers(terminal_id: int) -> list[str]:
    """The latest invoice and correction numbers the till's documents carry (each
    series' counter goes on above them after a rollback)."""
    t = m.Transaction
    found: list[str] = []
    for column in (t.invoice_number, t.correction_number):
        value = (t.select(column).where((t.terminal == terminal_id) & column.is_null(False))
                 .order_by(t.id.desc()).limit(1).scalar())
        if value:
            found.append(value)
    return found


def note_rollback(terminal_id: int, doc_type: str, till_last: int, held: int) -> bool:
    """The till says its last ``doc_type`` is ``till_last`` while ``held`` is held:
    record the range it would have handed out again (once; True when new)."""
    issue = m.NumberingIssue
    mine = ((issue.terminal == terminal_id) & (issue.doc_type == doc_type)
            & (issue.kind == ROLLBACK))
    if issue.get_or_none(mine & (issue.first == till_last + 1) & (issue.last == held)):
        return False
    issue.create(terminal=terminal_id, doc_type=doc_type, kind=ROLLBACK,
                 first=till_last + 1, last=held, seen_at=utcnow())
    log.warning("terminal %s: %s numbering rolled back to %d while %d is held "
                "(its database was put back from an older copy)",
                terminal_id, doc_type, till_last, held)
    return True


def compare(terminal_id: int, till_numbers: dict[str, int]) -> dict[str, Any]:
    """The back office's answer to ``POST /numbers``: what it holds of the till's
    numbering (the caller records a rollback, :func:`note_rollback`, for each type the
    till is behind on)."""
    held = held_numbers(terminal_id, till_numbers)
    return {"numbers": held,
            "missing": [{"type": doc_type, "first": first, "last": last}
                        for doc_type, first, last in missing_ranges(terminal_id)],
            "invoice_numbers": last_invoice_numbers(terminal_id)}


def issues_by_terminal(terminal_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Open issues of these terminals: ``{terminal_id: [{doc_type, kind, first, last,
    count, since}]}``, gaps first, then by type and number."""
    issue = m.NumberingIssue
    found: dict[int, list[dict[str, Any]]] = {}
    if not terminal_ids:
        return found
    rows = (issue.select().where(issue.terminal.in_(terminal_ids))
            .order_by(issue.terminal, issue.kind, issue.doc_type, issue.first))
    for row in rows:
        found.setdefault(row.terminal_id, []).append({
            "doc_type": row.doc_type, "kind": row.kind, "first": row.first,
            "last": row.last, "count": row.last - row.first + 1,
            "since": _naive_utc(row.seen_at),
        })
    return found


def clear_regressions(terminal_id: int) -> int:
    """Forget the recorded regressions and rollbacks of a terminal (seen to); returns how many."""
    issue = m.NumberingIssue
    return (issue.delete().where((issue.terminal == terminal_id)
                                 & issue.kind.in_(SEEN_TO)).execute())


def _naive_utc(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite hands back text for a raw-SQL-created column
        return datetime.fromisoformat(value).replace(tzinfo=None)
    return value.replace(tzinfo=None)


def issue_text(issue: dict[str, Any], since: str, text: Callable[..., str]) -> str:
    """One issue in words ("missing receipts 800016–800099 (84) since …", one number
    alone: "… 10 since …"); ``text`` translates a message key with params (the CLI's
    ``t`` or a page's language)."""
    doc_key = f"tillsync.doc_{issue['doc_type']}"
    doc = text(doc_key)
    if doc == doc_key:  # a type without a name of its own
        doc = issue["doc_type"]
    key = f"tillsync.{issue['kind']}"
    return text(key, doc=doc, numbers=number_range(issue["first"], issue["last"]), since=since)


def number_range(first: int, last: int) -> str:
    """"21–35 (15)", or one number as itself ("10", never "10–10 (1)")."""
    return str(first) if first == last else f"{first}–{last} ({last - first + 1})"
