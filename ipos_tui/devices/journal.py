"""The fiscal printer's electronic journal ("elektroniczna kopia", EJ): the exact text
of every printout, numbered gaplessly, append-only (SQLite triggers refuse deletes
and changes, as the real EJ cannot be altered), searchable by document number, date
or any fragment of the text. :class:`~ipos_tui.devices.printer.FiscalPrinter` writes
it as it prints and reads it for the screens.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final

from peewee import SqliteDatabase

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.printer import JournalEntry, PrintoutKind
from ipos_tui.domain.search import normalise
from ipos_tui.store.timeutil import local_text, parse_time, utc_text

#: The journal lists at most this many entries per query (newest first).
JOURNAL_LIMIT: Final = 500

_SELECT_ENTRY: Final = (
    "SELECT number, kind, printed_local, document_uuid, document_number, text FROM printer_journal"
)
_DATE_RE: Final = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_DOTTED_DATE_RE: Final = re.compile(r"^(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?$")


def _date_pattern(query: str) -> str | None:
    """The ``LIKE`` prefix of a typed date ("2026-11-26", "2026-11", "26.11.2026",
    "26.11"), or None when the query is not a date."""
    match = _DATE_RE.match(query)
    if match and match.group(2):
        year, month, day = match.groups()
        return f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
    match = _DOTTED_DATE_RE.match(query)
    if match:
        day, month, year = match.groups()
        return f"{year or '____'}-{int(month):02d}-{int(day):02d}"
    return None


class ElectronicJournal:
    """The printouts in the terminal database's ``printer_journal`` table."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def next_number(self) -> int:
        """The number the next printout gets."""
        row = self._db.execute_sql("SELECT coalesce(max(number), 0) + 1 FROM printer_journal").fetchone()
        return int(row[0])

    def count(self) -> int:
        """How many printouts the journal holds."""
        (count,) = self._db.execute_sql("SELECT count(*) FROM printer_journal").fetchone()
        return int(count)

    def last_printed(self) -> datetime | None:
        """When the last printout was made (local time), None before the first."""
        last = self._db.execute_sql(
            "SELECT printed_local FROM printer_journal ORDER BY number DESC LIMIT 1"
        ).fetchone()
        return parse_time(last[0]) if last else None

    def append(
        self,
        kind: PrintoutKind,
        text: str,
        now: datetime,
        *,
        document_uuid: str | None = None,
        document_number: int | None = None,
    ) -> JournalEntry:
        """Append one printout (inside the caller's write transaction)."""
        number = self.next_number()
        printed_local = local_text(now)
        self._db.execute_sql(
            "INSERT INTO printer_journal (number, kind, printed_utc, printed_local, "
            "document_uuid, document_number, text, text_norm) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (number, kind, utc_text(now), printed_local, document_uuid, document_number, text, normalise(text)),
        )
        return JournalEntry(number, kind, parse_time(printed_local), document_uuid, document_number, text)

    def search(self, query: str = "", limit: int = JOURNAL_LIMIT) -> list[JournalEntry]:
        """Printouts newest first; ``query`` finds them by number, date or text.

        Digits match a document or printout number exactly (those come first) and
        any text containing them; a date ("2026-11-26", "2026-11", "26.11.2026",
        "26.11") matches the day or month printed; anything else is a fragment of
        the text, case- and diacritics-insensitive ("zolw" finds "Żółw").
        """
        sql = _SELECT_ENTRY
        query = query.strip()
        params: list[object] = []
        order = "number DESC"
        date = _date_pattern(query)
        if date is not None:
            sql += " WHERE printed_local LIKE ?"
            params.append(date + "%")
        elif query.isdigit():
            sql += " WHERE document_number = ? OR number = ? OR instr(text_norm, ?) > 0"
            params += [int(query), int(query), query]
            order = "(document_number = ? OR number = ?) DESC, number DESC"
            params += [int(query), int(query)]
        elif query:
            sql += " WHERE instr(text_norm, ?) > 0"
            params.append(normalise(query))
        rows = self._db.execute_sql(f"{sql} ORDER BY {order} LIMIT ?", [*params, limit]).fetchall()
        return [_entry(row) for row in rows]

    def entry(self, number: int) -> JournalEntry:
        """One printout by its number; DomainError "err.printout_not_found" if none."""
        row = self._db.execute_sql(f"{_SELECT_ENTRY} WHERE number = ?", (number,)).fetchone()
        if row is None:
            raise DomainError("err.printout_not_found", number=number)
        return _entry(row)

    def printouts_of(self, document_uuid: str) -> list[JournalEntry]:
        """Every printout of one ledger document, oldest first."""
        rows = self._db.execute_sql(
            f"{_SELECT_ENTRY} WHERE document_uuid = ? ORDER BY number", (document_uuid,)
        ).fetchall()
        return [_entry(row) for row in rows]


def _entry(row: tuple[int, str, str, str | None, int | None, str]) -> JournalEntry:
    """The record of one ``_SELECT_ENTRY`` row."""
    number, kind, printed, doc_uuid, doc_number, text = row
    return JournalEntry(number, kind, parse_time(printed), doc_uuid, doc_number, text)  # type: ignore[arg-type]


__all__ = ["JOURNAL_LIMIT", "ElectronicJournal"]
