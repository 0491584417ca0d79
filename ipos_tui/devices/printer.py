"""The simulated fiscal printer of the duet: PTU table, fiscal memory, electronic journal.

The duet is a card terminal and a fiscal printer in one device. This build has no
real printer, so this service plays its part against the terminal database:

* its **PTU (VAT) table**: letters A–G and their rates, initialised from the
  catalogue's VAT rates the first time the printer is used; a changed table is
  written later (by the daily report, after the cashier confirms); what a change
  would do, and the "schodek podatkowy" rule, are in :mod:`ipos_tui.devices.ptu_table`;
* its **state**: serial number and fiscal-memory counters (printouts, the last
  printout's time, when the PTU table was last written and how many times);
* its **electronic journal** ("elektroniczna kopia", EJ,
  :mod:`ipos_tui.devices.journal`): the exact text of every printout, numbered
  gaplessly, append-only, searchable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from peewee import SqliteDatabase

from ipos_tui.devices import paper
from ipos_tui.devices.journal import JOURNAL_LIMIT, ElectronicJournal
from ipos_tui.devices.paper import PRINT_WIDTH
from ipos_tui.devices.ptu_table import VatTableChange, check_rates, vat_table_change
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.printer import PRINTER_LETTERS, JournalEntry, PrintoutKind, rate_label
from ipos_tui.domain.vat import VAT_RATES
from ipos_tui.store.timeutil import parse_time, utc_text


@dataclass(frozen=True)
class PrinterState:
    """What the printer's fiscal memory tells about it."""

    serial: str
    printouts: int
    last_printout: datetime | None
    vat_table_date: datetime | None
    vat_table_writes: int


def _printout_number(number: int) -> str:
    """The printer's own running number of a printout, named so it is not taken for
    the number of the document printed (which the body gives: "Zwrot nr Z000001")."""
    return f"Wydruk nr {number:06d}"


def _frame(
    title: str, moment: datetime, number_text: str, width: int = PRINT_WIDTH, *, fiscal: bool = False
) -> list[str]:
    """The head of a printout: centred title, then date and number (a non-fiscal one
    says so on top)."""
    date = moment.strftime("%Y-%m-%d %H:%M")
    head = [] if fiscal else ["WYDRUK NIEFISKALNY".center(width).rstrip()]
    return [
        *head,
        title.center(width).rstrip(),
        paper.fit(date, number_text, width, cut=False),
        "-" * width,
    ]


class FiscalPrinter:
    """The simulated fiscal printer, on the terminal database (its own tables only)."""

    def __init__(
        self, db: SqliteDatabase, initial_rates: Callable[[], Iterable[tuple[str, int | None]]] = tuple
    ) -> None:
        """``initial_rates`` gives the catalogue's (letter, rate) pairs; it is asked
        once, when the printer is first used (the standard Polish rates if empty)."""
        self._db = db
        self._initial_rates = initial_rates
        self._initialised = False
        #: the electronic journal: every printout's text, numbered gaplessly
        self._ej = ElectronicJournal(db)

    # -- initialisation -------------------------------------------------------

    def _ready(self) -> None:
        """Fiscalise the printer on first use: serial number and the first PTU table.

        The serial comes from the terminal id (0 before activation) and, as on a real
        printer, never changes afterwards.
        """
        if self._initialised:
            return
        if not self._db.execute_sql("SELECT 1 FROM printer_state WHERE id = 1").fetchone():
            rates = dict(self._initial_rates()) or VAT_RATES
            with self._db.atomic("IMMEDIATE"):
                if not self._db.execute_sql("SELECT 1 FROM printer_state WHERE id = 1").fetchone():
                    terminal = self._db.execute_sql(
                        "SELECT terminal_id FROM terminal_info WHERE id = 1"
                    ).fetchone()
                    self._db.execute_sql(
                        "INSERT INTO printer_state (id, serial, vat_table_utc, vat_table_writes) "
                        "VALUES (1, ?, NULL, 0)",
                        (f"IPD {int(terminal[0]) if terminal else 0:08d}",),
                    )
                    self._db.cursor().executemany(
                        "INSERT INTO printer_vat (letter, rate_bp, used) VALUES (?, ?, 0)",
                        sorted((k, v) for k, v in rates.items() if k in PRINTER_LETTERS),
                    )
        self._initialised = True

    # -- state and PTU table ----------------------------------------------------

    def state(self) -> PrinterState:
        """Serial number and the fiscal-memory counters."""
        self._ready()
        serial, vat_utc, writes = self._db.execute_sql(
            "SELECT serial, vat_table_utc, vat_table_writes FROM printer_state WHERE id = 1"
        ).fetchone()
        return PrinterState(
            serial=serial,
            printouts=self._ej.count(),
            last_printout=self._ej.last_printed(),
            vat_table_date=parse_time(vat_utc) if vat_utc else None,
            vat_table_writes=int(writes),
        )

    def vat_table(self) -> dict[str, int | None]:
        """The printer's PTU table: letter → rate in basis points (None = exempt)."""
        self._ready()
        rows = self._db.execute_sql("SELECT letter, rate_bp FROM printer_vat ORDER BY letter")
        return {letter: rate for letter, rate in rows.fetchall()}

    def used_letters(self) -> set[str]:
        """Letters a receipt was printed with (their rates may no longer go up)."""
        self._ready()
        rows = self._db.execute_sql("SELECT letter FROM printer_vat WHERE used = 1").fetchall()
        return {row[0] for row in rows}

    def pending_vat_change(
        self, catalog_rates: Mapping[str, int | None] | Iterable[tuple[str, int | None]]
    ) -> VatTableChange | None:
        """What writing the catalogue's rates would change, or None when nothing would.

        Letters the catalogue does not name keep their rate (a printer letter is never
        deleted). Each raise of a used letter is marked ``blocked``.
        """
        wanted = dict(catalog_rates.items() if isinstance(catalog_rates, Mapping) else catalog_rates)
        check_rates(wanted)
        return vat_table_change(self.vat_table(), self.used_letters(), wanted)

    def write_vat_table(
        self, rates: Mapping[str, int | None], now: datetime, note: Iterable[str] = ()
    ) -> JournalEntry | None:
        """Write ``rates`` into the PTU table and print the change (journaled).

        Letters not named keep their rate. Returns the printout, or None when nothing
        changed. Raises DomainError "err.vat_schodek" (param ``letters``) when a used
        letter's rate would go up, and "err.vat_letter" / "err.vat_rate_invalid" for a
        letter the printer lacks or a rate outside 0–99,99 %; then nothing is written.
        ``note``: lines printed under the table (the day close names the daily report it
        follows, the day's totals being zero).
        """
        change = self.pending_vat_change(rates)
        if change is None:
            return None
        if change.blocked:
            raise DomainError(
                "err.vat_schodek", letters=", ".join(c.letter for c in change.blocked)
            )
        with self._db.atomic("IMMEDIATE"):
            self._db.cursor().executemany(
                "INSERT INTO printer_vat (letter, rate_bp, used) VALUES (?, ?, 0) "
                "ON CONFLICT (letter) DO UPDATE SET rate_bp = excluded.rate_bp",
                [(c.letter, c.new_bp) for c in change.changes],
            )
            self._db.execute_sql(
                "UPDATE printer_state SET vat_table_utc = ?, "
                "vat_table_writes = vat_table_writes + 1 WHERE id = 1",
                (utc_text(now),),
            )
            return self._ej.append("vat_table", self._vat_text(change, now, note), now)

    def _vat_text(self, change: VatTableChange, now: datetime, note: Iterable[str] = ()) -> str:
        """The printout of a PTU table change: old and new rate of every letter."""
        lines = _frame("ZMIANA STAWEK PTU", now, _printout_number(self._ej.next_number()))
        table = self.vat_table()
        for letter in sorted(table):
            lines.append(f"PTU {letter}".ljust(PRINT_WIDTH - 8) + rate_label(table[letter]).rjust(8))
        extra = [line[:PRINT_WIDTH] for line in note]
        if extra:
            lines += ["-" * PRINT_WIDTH, *extra]
        return "\n".join(lines) + "\n"

    # -- printing and the electronic journal -------------------------------------

    def print_receipt(
        self, text: str, *, document_uuid: str, document_number: int, letters: Iterable[str], now: datetime,
        kind: PrintoutKind = "receipt",
    ) -> JournalEntry:
        """Print a fiscal document: journal its text (with the printer's footer) and
        mark its VAT letters as used. Returns the journaled printout.

        A receipt is stored in the ledger before it is printed, so the printer never
        refuses one; a letter missing from its table is simply not marked.
        """
        self._ready()
        with self._db.atomic("IMMEDIATE"):
            serial = self._db.execute_sql("SELECT serial FROM printer_state WHERE id = 1").fetchone()[0]
            footer = f"EJ {self._ej.next_number():06d}".ljust(PRINT_WIDTH - len(serial)) + serial
            self._db.cursor().executemany(
                "UPDATE printer_vat SET used = 1 WHERE letter = ?", [(letter,) for letter in set(letters)]
            )
            return self._ej.append(
                kind,  # "invoice" for a Faktura sold at the till
                text.rstrip("\n") + "\n" + footer + "\n",
                now,
                document_uuid=document_uuid,
                document_number=document_number,
            )

    def print_nonfiscal(
        self,
        kind: PrintoutKind,
        title: str,
        body: list[str],
        now: datetime,
        *,
        document_uuid: str | None = None,
        document_number: int | None = None,
    ) -> JournalEntry:
        """Print (and journal) a non-fiscal printout such as a card settlement; one that
        belongs to a ledger document (a return) names it, so a reprint finds it."""
        return self._print(kind, title, body, now, False, document_uuid, document_number)

    def print_fiscal_report(
        self,
        kind: PrintoutKind,
        title: str,
        body: list[str],
        now: datetime,
        *,
        document_uuid: str | None = None,
        document_number: int | None = None,
    ) -> JournalEntry:
        """Print (and journal) a fiscal report (the daily report, a periodic report),
        with the printer's serial number at the foot as on its fiscal printouts."""
        return self._print(kind, title, body, now, True, document_uuid, document_number)

    def _print(
        self,
        kind: PrintoutKind,
        title: str,
        body: list[str],
        now: datetime,
        fiscal: bool,
        document_uuid: str | None,
        document_number: int | None,
    ) -> JournalEntry:
        self._ready()
        with self._db.atomic("IMMEDIATE"):
            number = self._ej.next_number()
            lines = [*_frame(title, now, _printout_number(number), fiscal=fiscal), *body]
            if fiscal:
                serial = self._db.execute_sql("SELECT serial FROM printer_state WHERE id = 1").fetchone()[0]
                lines += ["-" * PRINT_WIDTH, f"EJ {number:06d}".ljust(PRINT_WIDTH - len(serial)) + serial]
            return self._ej.append(
                kind, "\n".join(lines) + "\n", now, document_uuid=document_uuid, document_number=document_number
            )

    def journal(self, query: str = "", limit: int = JOURNAL_LIMIT) -> list[JournalEntry]:
        """Printouts newest first; ``query`` finds them by number, date or text
        (:meth:`ipos_tui.devices.journal.ElectronicJournal.search`)."""
        return self._ej.search(query, limit)

    def entry(self, number: int) -> JournalEntry:
        """One printout by its number; DomainError "err.printout_not_found" if none."""
        return self._ej.entry(number)

    def printouts_of(self, document_uuid: str) -> list[JournalEntry]:
        """Every printout of one ledger document, oldest first."""
        return self._ej.printouts_of(document_uuid)
