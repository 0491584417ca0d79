"""This till's returns of one original document (a receipt, or a Faktura), as stored.

A return names its original in ``extra["original"]`` (``terminal_id``, ``number``
and, for anything but a receipt, ``type``). The return flow (what may still come
back, what a card may still get) and the "Faktura do paragonu" (what the buyer kept)
both read the returns of one original through these two queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from peewee import SqliteDatabase

_OF_ORIGINAL: Final = (
    "WHERE d.doc_type = 'return' AND json_extract(d.extra, '$.original.terminal_id') = ? "
    "AND json_extract(d.extra, '$.original.number') = ? "
    "AND coalesce(json_extract(d.extra, '$.original.type'), 'receipt') = ?"
)
_RETURN_LINES: Final = (
    "SELECT d.uuid, d.upload_state, l.original_line, l.qty, l.value FROM document d "
    "JOIN document_line l ON l.document_id = d.id " + _OF_ORIGINAL
)
_REFUNDS: Final = (
    "SELECT d.uuid, p.method, p.amount - p.change FROM document d "
    "JOIN document_payment p ON p.document_id = d.id " + _OF_ORIGINAL
)


@dataclass(frozen=True)
class ReturnedLine:
    """One line of a return: which return, its upload state, the original's line
    index it takes back (0-based; None for a line stored without one), the
    milli-units and the grosze refunded."""

    uuid: str
    upload_state: str
    original_line: int | None
    qty: int
    value: int


@dataclass(frozen=True)
class Refund:
    """One payment of a return: which return, the method code, what was paid back."""

    uuid: str
    method: str
    amount: int


def returned_lines(
    db: SqliteDatabase, terminal_id: int, number: int, doc_type: str = "receipt"
) -> list[ReturnedLine]:
    """The lines of this till's returns of document ``number`` of ``terminal_id``
    (of type ``doc_type``)."""
    rows = db.execute_sql(_RETURN_LINES, (terminal_id, number, doc_type)).fetchall()
    return [
        ReturnedLine(str(uuid), str(state), None if index is None else int(index), int(qty), int(value))
        for uuid, state, index, qty, value in rows
    ]


def refunds(db: SqliteDatabase, terminal_id: int, number: int, doc_type: str = "receipt") -> list[Refund]:
    """The payments of this till's returns of document ``number`` of ``terminal_id``
    (of type ``doc_type``)."""
    rows = db.execute_sql(_REFUNDS, (terminal_id, number, doc_type)).fetchall()
    return [Refund(str(uuid), str(method), int(amount)) for uuid, method, amount in rows]


__all__ = ["Refund", "ReturnedLine", "refunds", "returned_lines"]
