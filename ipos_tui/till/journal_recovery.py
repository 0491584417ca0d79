"""Nothing committed goes unprinted (issue 14, item 4).

A document is durable the moment the ledger commits it; its printout follows. A
crash (or a power cut, or kill -9) between the two leaves a stored sale that the
printer never printed and its electronic journal never holds. At start the till
looks for every ledger document without a journal entry (``printer_journal.
document_uuid``) and prints it now, in the order the documents were committed,
with its normal printout, so the journal is complete again; the caller tells the
cashier what was printed.

The printout's file in the data dir (``printouts/``) is written after the printer
journaled it: a crash between the two leaves a printed document without its file.
Only the document printed last can be in that state, so the start-up check writes
that one's file from the journal when it is missing (nothing is printed again).

Documents committed before this check existed (a till updated from an older
version) are left alone: the migration that introduced it records the last
document id then present (local setting :data:`RECOVERY_AFTER_KEY`), and only
later documents are looked at.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ipos_tui.devices.printer import JournalEntry
from ipos_tui.devices.printout import printout_path, render_receipt, save_printout
from ipos_tui.domain.authorisation import authorisations_of
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.records import DocumentDetail

if TYPE_CHECKING:
    from ipos_tui.store.db import Terminal
    from ipos_tui.till import Till

_log = logging.getLogger(__name__)

#: Local setting: documents with an id up to this one predate the check.
RECOVERY_AFTER_KEY: Final = "journal_recovery_after"
_LAST_JOURNALED: Final = (
    "SELECT document_uuid FROM printer_journal WHERE document_uuid IS NOT NULL"
    " ORDER BY number DESC LIMIT 1"
)
_UNPRINTED: Final = (
    "SELECT d.uuid FROM document d WHERE d.id > ? AND NOT EXISTS "
    "(SELECT 1 FROM printer_journal j WHERE j.document_uuid = d.uuid) ORDER BY d.id"
)


@dataclass(frozen=True)
class Recovered:
    """One document printed late: what it is and its journal entry."""

    detail: DocumentDetail
    entry: JournalEntry


@dataclass(frozen=True)
class RecoveryResult:
    """What the start-up check printed, and what it could not print (with why)."""

    printed: tuple[Recovered, ...] = ()
    failed: tuple[tuple[DocumentDetail, str], ...] = field(default_factory=tuple)

    @property
    def nothing(self) -> bool:
        return not (self.printed or self.failed)


def unprinted(terminal: Terminal) -> list[str]:
    """The uuids of committed documents with no journal entry, in commit order."""
    after = int(terminal.settings.get_local(RECOVERY_AFTER_KEY, 0) or 0)
    return [row[0] for row in terminal.db.execute_sql(_UNPRINTED, (after,)).fetchall()]


def print_unprinted(till: Till, now: datetime, data_dir: Path | None = None) -> RecoveryResult:
    """Print every committed document the journal lacks (see the module docstring) on
    ``till``'s printer;
    each printout is also written to ``data_dir`` as after a normal sale. A document
    whose printout fails is reported in ``failed`` and tried again at the next start."""
    printed: list[Recovered] = []
    failed: list[tuple[DocumentDetail, str]] = []
    terminal = till.terminal
    if data_dir is not None:
        keep_last_printout(till, data_dir)
    for doc_uuid in unprinted(terminal):
        detail = terminal.ledger.get_document(doc_uuid)
        printer = _PRINTERS.get(detail.doc_type)
        if printer is None:  # a kind of document this version does not print
            continue
        try:
            entry = printer(till, detail, now)
        except (DomainError, OSError, ValueError, KeyError) as error:
            _log.exception("printing document %s %s late failed", detail.doc_type, detail.number)
            failed.append((detail, str(getattr(error, "key", "") or error)))
            continue
        if data_dir is not None:
            save_printout(data_dir, detail, entry.text)
        printed.append(Recovered(detail, entry))
    return RecoveryResult(tuple(printed), tuple(failed))


def keep_last_printout(till: Till, data_dir: Path) -> Path | None:
    """Write the file of the document printed last from its journal entries when a
    crash left it missing (see the module docstring); the path written, or None."""
    row = till.terminal.db.execute_sql(_LAST_JOURNALED).fetchone()
    if row is None:
        return None
    try:
        detail = till.terminal.ledger.get_document(row[0])
    except DomainError:  # a printout of something the ledger does not hold
        return None
    if printout_path(data_dir, detail).exists():
        return None
    latest = {entry.kind: entry for entry in till.printer.printouts_of(detail.uuid)}
    text = "\n".join(entry.text for entry in sorted(latest.values(), key=lambda e: e.number))
    _log.warning("the printout file of %s %s was missing: written from the journal",
                 detail.doc_type, detail.number)
    return save_printout(data_dir, detail, text)


# -- each document's normal printout ---------------------------------------------------


def _receipt(till: Till, detail: DocumentDetail, now: datetime) -> JournalEntry:
    settings = till.terminal.settings
    text = render_receipt(detail, settings.company(), settings.store(), settings.terminal_info(),
                          header_lines=settings.receipt_header())
    return till.printer.print_receipt(
        text, document_uuid=detail.uuid, document_number=detail.number, letters=detail.vat.keys(), now=now,
        kind="invoice" if detail.invoice_number else "receipt",  # a Faktura sold at the till
    )


def _return(till: Till, detail: DocumentDetail, now: datetime) -> JournalEntry:
    service = till.returns
    entry = service.print_return(detail.uuid, now)
    service.print_correction(detail.uuid, now)  # a return against an invoice: its correction
    return entry


def _invoice(till: Till, detail: DocumentDetail, now: datetime) -> JournalEntry:
    return till.invoices.print_invoice(detail.uuid, now)


def _terminal_name(terminal: Terminal) -> str:
    info = terminal.settings.terminal_info()
    return info.name if info is not None else ""


def _cash(till: Till, detail: DocumentDetail, now: datetime) -> JournalEntry:
    from ipos_tui.till import cash as cash_module
    from ipos_tui.till import deposits

    service = till.cash
    try:
        state = service.drawer()  # a crash right after the document: the drawer it left
    except DomainError:
        state = None
    name = _terminal_name(till.terminal)
    if detail.extra.get("purpose") == deposits.PURPOSE_DEPOSIT_RETURN:
        body = deposits.deposit_return_body(detail, state, name)
        return till.printer.print_nonfiscal(
            deposits.JOURNAL_KIND, deposits.TITLE, body, now,
            document_uuid=detail.uuid, document_number=detail.number,
        )
    title = cash_module.cash_title(detail)
    if state is not None or detail.doc_type == cash_module.DOC_CASH_REPORT:
        # a report states the cash it counted itself; an operation the drawer after it
        body = cash_module.cash_printout_body(detail, state or _NoDrawer(), name)  # type: ignore[arg-type]
    else:
        # no open shift to count: the body without the "cash in the drawer" line
        body = [line for line in cash_module.cash_printout_body(detail, _NoDrawer(), name)  # type: ignore[arg-type]
                if not line.startswith("GOTÓWKA W KASIE")]
    return till.printer.print_nonfiscal(
        "cash", title, body, now, document_uuid=detail.uuid, document_number=detail.number
    )


class _NoDrawer:
    """Stands in for a drawer that cannot be counted (its line is left out)."""

    cash = 0


def _daily_report(till: Till, detail: DocumentDetail, now: datetime) -> JournalEntry:
    from ipos_tui.till import reports

    service = till.reports
    (report,) = [item for item in service.daily_reports() if item.uuid == detail.uuid]
    names = {method.code: method.name for method in till.terminal.catalog.payment_methods()}
    authorised = authorisations_of(detail.extra)
    return till.printer.print_fiscal_report(
        "daily_report", f"RAPORT DOBOWY nr {report.number:04d}",
        reports.daily_report_body(report, names)
        + reports.authorised_lines(authorised[0] if authorised else None),
        now, document_uuid=report.uuid, document_number=report.number,
    )


_PRINTERS: Final[dict[str, Callable[[Till, DocumentDetail, datetime], JournalEntry]]] = {
    "receipt": _receipt,
    "sale_invoice": _receipt,  # a Faktura sold at the till
    "return": _return,
    "invoice": _invoice,
    "cash_operation": _cash,
    "cash_report": _cash,
    "daily_report": _daily_report,
}


__all__ = ["RECOVERY_AFTER_KEY", "Recovered", "RecoveryResult", "keep_last_printout", "print_unprinted",
           "unprinted"]
