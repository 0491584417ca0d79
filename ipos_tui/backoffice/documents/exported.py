"""A till's unsent documents brought on a file (``ipos-tui export-unsent``), stored as
if the till had sent them: the way out for sales of a till that can no longer reach
this back office (moved, revoked, its network gone for good).

The file is one document per line, each exactly as the till posts it; every line goes
through the same ingest as an upload, in batches, under the till's identity: stored
once (a document the till also sends later is answered "duplicate"), a rejected one
quarantined with its reason."""

from __future__ import annotations

import json
from typing import Any

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.services import BackOffice, TerminalAuth
from ipos_tui.domain.errors import DomainError
from ipos_tui.protocol.push import MAX_DOCUMENTS

from .ingest import Ingest


def read_export_lines(text: str) -> list[Any]:
    """The documents of an export file's text. Raises DomainError
    ``err.export_line_invalid`` naming the first line that is not JSON."""
    documents = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            documents.append(json.loads(line))
        except ValueError:
            raise DomainError("err.export_line_invalid", line=number) from None
    return documents


def ingest_export(office: BackOffice, terminal_id: int, documents: list[Any]) -> dict[str, Any]:
    """Store ``documents`` as terminal ``terminal_id`` of this company sent them (a
    revoked till's too: its sales are still its own). Returns how many were accepted,
    already held (duplicate) and quarantined."""
    terminal = m.Terminal.get_or_none((m.Terminal.id == terminal_id)
                                      & (m.Terminal.company == office.company_id))
    if terminal is None:
        raise DomainError("err.terminal_unknown", terminal=terminal_id)
    ingest = Ingest(office, TerminalAuth(terminal.id, office.company_id, terminal.store_id))
    counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
    for start in range(0, len(documents), MAX_DOCUMENTS):
        for result in ingest.push(documents[start:start + MAX_DOCUMENTS]):
            counts[result["status"] if result["status"] in counts else "rejected"] += 1
    return {"terminal_id": terminal.id, "documents": len(documents), **counts}


__all__ = ["ingest_export", "read_export_lines"]
