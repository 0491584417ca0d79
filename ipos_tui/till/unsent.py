"""Unsent documents and the actions that could strand them (issue 18).

While documents wait for the back office, an action that would leave them behind
(activating the till for another back office, terminal or store; installing an
update) is refused unless every one of them was first written to a file with
:func:`export_unsent` (``ipos-tui export-unsent FILE``). The file has one JSON
document per line, exactly as the till posts it to the back office
(:func:`ipos_tui.sync.documents.document_payload`: the same uuids, so a document
that also arrives by sync is answered "duplicate" and stored once).

The checks themselves live where the actions are (``sync.activation``,
``updates.hook``); they ask :meth:`LedgerService.unexported_unsent
<ipos_tui.store.ledger.upload.UploadBook.unexported_unsent>`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ipos_tui.domain.errors import DomainError
from ipos_tui.fileio import write_atomic
from ipos_tui.store.db import Terminal
from ipos_tui.sync.documents import UnsupportedDocument, document_payload


def export_unsent(terminal: Terminal, path: Path | str, now: datetime | None = None) -> int:
    """Write every unsent document (pending and quarantined) to ``path`` as JSON
    lines, atomically (a reader never sees half a file; an old file is replaced
    whole), owner-only; remember the export. Returns how many were written.
    Raises DomainError ``unsent.err_export`` when the file cannot be written."""
    path = Path(path)
    last_id, uuids = terminal.ledger.unsent_snapshot()
    lines = [json.dumps(_payload(doc), ensure_ascii=False, sort_keys=True)
             for doc in terminal.ledger.documents_for_upload(uuids)]
    try:
        write_atomic(path, "".join(f"{line}\n" for line in lines), mode=0o600)
    except OSError as exc:
        raise DomainError("unsent.err_export", file=str(path), reason=exc.strerror or str(exc)) from exc
    terminal.ledger.record_unsent_export(last_id, len(lines), str(path.resolve()),
                                         now or datetime.now(UTC))
    return len(lines)


def _payload(doc: Any) -> dict[str, Any]:
    try:
        return document_payload(doc)
    except UnsupportedDocument:  # kept whole: nothing unsent may be left out of the file
        return {"uuid": doc.uuid, "type": doc.doc_type, "number": doc.number,
                "unsupported": True}


def read_export(path: Path | str) -> list[dict[str, Any]]:
    """The documents of an export file, in order (for the back office's side)."""
    text = Path(path).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


__all__ = ["export_unsent", "read_export"]
