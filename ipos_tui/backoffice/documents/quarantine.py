"""The quarantine: rejected documents kept raw with their reason, listed, and
released after an administrator's review."""

from __future__ import annotations

import json
import logging
from typing import Any

from peewee import fn

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.db import terminal_transaction
from ipos_tui.backoffice.models import utcnow
from ipos_tui.backoffice.services import BackOffice, TerminalAuth
from ipos_tui.domain.errors import DomainError

from .checks import REPEATED_NUMBER, ClosedDays, KnownNames, Rejected, parse_document
from .ingest import store_document

log = logging.getLogger(__name__)


def list_quarantine(office: BackOffice, include_released: bool = False) -> list[dict[str, Any]]:
    q = m.Quarantine
    query = q.select().where(q.company == office.company_id)
    if not include_released:
        query = query.where(q.released_at.is_null())
    return [
        {"id": r.id, "terminal_id": r.terminal_id, "uuid": r.uuid, "reason": r.reason,
         "received_at": r.received_at.isoformat(timespec="seconds") + "Z",
         "released_at": r.released_at.isoformat(timespec="seconds") + "Z"
         if r.released_at else None,
         "payload": r.payload}
        for r in query.order_by(q.id)
    ]


def release_quarantine(office: BackOffice, quarantine_id: int) -> dict[str, Any]:
    """Accept a quarantined document after an administrator's review.

    The store check is what a release overrides (e.g. a terminal moved between
    stores); the document must still parse and add up, and is still stored once. A
    "number_conflict" one (its till, put back from an old copy, sold on a number it had
    already used) is stored beside the document holding that number, as its repeat
    (``number_repeat`` 1, 2 …, warning "repeated_number:N"): both sales happened; the
    number stays held once by each, never overwritten.
    """
    q = m.Quarantine
    row = q.get_or_none((q.id == quarantine_id) & (q.company == office.company_id))
    if row is None:
        raise DomainError("err.quarantine_unknown", id=quarantine_id)
    if row.released_at is not None:
        raise DomainError("err.quarantine_released", id=quarantine_id)
    if row.terminal_id is None:
        raise DomainError("err.quarantine_unreleasable", id=quarantine_id, reason="no_terminal")
    try:
        doc = parse_document(json.loads(row.payload))
    except Rejected as rejected:
        raise DomainError("err.quarantine_unreleasable", id=quarantine_id,
                          reason=rejected.reason) from rejected
    terminal = m.Terminal.get_by_id(row.terminal_id)
    store = m.Store.get_or_none((m.Store.id == doc.store_id)
                                & (m.Store.company == office.company_id))
    auth = TerminalAuth(terminal.id, office.company_id, terminal.store_id)
    with terminal_transaction(office.db, terminal.id):
        t = m.Transaction
        held = t.get_or_none(t.uuid == str(doc.uuid))
        if held is not None and held.terminal_id != terminal.id:
            raise DomainError("err.quarantine_unreleasable", id=quarantine_id,
                              reason="uuid_conflict")
        repeat = 0
        if held is None:
            taken = (t.select(fn.MAX(t.number_repeat))
                     .where((t.terminal == terminal.id) & (t.doc_type == doc.type)
                            & (t.number == doc.number)).scalar())
            if taken is not None:
                if row.reason != "number_conflict":
                    raise DomainError("err.quarantine_unreleasable", id=quarantine_id,
                                      reason="number_conflict")
                # a sale the till made on a number it had already used (put back from
                # an old copy): it happened, so it is kept beside the other, flagged
                repeat = taken + 1
        status = "duplicate" if held else "accepted"
        doc_id = held.id if held else store_document(
            auth, doc, KnownNames.load(office.company_id, [doc]).warnings(doc)
            + ClosedDays.load(terminal.id, [doc]).warnings(doc)
            + ([f"{REPEATED_NUMBER}:{repeat}"] if repeat else []),
            store.id if store else terminal.store_id, number_repeat=repeat)
        row.released_at, row.released_as = utcnow(), doc_id
        row.save()
    log.info("quarantined item %s released as transaction %s (%s)", quarantine_id, doc_id,
             status)
    return {"id": quarantine_id, "status": status, "transaction_id": doc_id}
