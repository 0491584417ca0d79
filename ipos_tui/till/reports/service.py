"""The report use cases of one till: the open day's sums, making (storing and printing)
the daily report, periodic reports of the stored ones, and the day-close options."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Final

from ipos_tui.devices.printer import FiscalPrinter, JournalEntry
from ipos_tui.domain.authorisation import Authorisation, with_authorisation
from ipos_tui.domain.fiscal_day import open_day_of
from ipos_tui.domain.records import User
from ipos_tui.store.ledger import DOC_DAILY_REPORT, DocumentDraft
from ipos_tui.store.timeutil import local_text, parse_time
from ipos_tui.till.reports import queries
from ipos_tui.till.reports.periods import check_period
from ipos_tui.till.reports.printouts import (
    authorised_lines,
    daily_report_body,
    periodic_report_body,
)
from ipos_tui.till.reports.sums import (
    DailyReport,
    DaySums,
    PeriodicReport,
    add_sums,
    sums_extra,
)

if TYPE_CHECKING:
    from ipos_tui.store.db import Terminal

#: The local setting remembering the day the reminder was last answered.
REMINDER_ANSWERED: Final = "day_close_reminded"


class ReportService:
    """Daily reports of one terminal, and the sums of stored ones."""

    def __init__(self, terminal: Terminal, printer: FiscalPrinter) -> None:
        self._terminal = terminal
        self._db = terminal.db
        self._printer = printer

    # -- the open day -------------------------------------------------------------

    def open_day(self) -> DaySums:
        """What the next daily report would say now."""
        sums, _upto = queries.day_sums(self._db, queries.report_range(self._db))
        return sums

    def open_day_started(self) -> datetime | None:
        """Local time of the first document not yet in a daily report (None: nothing)."""
        return self._terminal.ledger.open_day_started()

    def make_daily_report(
        self, cashier: User, now: datetime, authorisation: Authorisation | None = None
    ) -> tuple[DailyReport, JournalEntry]:
        """Sum the open day, store the report (uploaded like a sale) and print it.

        Sums and report are one write transaction; the printout follows (the journal
        is the printer's, not the ledger's: a report is stored even if printing fails,
        and can be reprinted from the ledger). ``authorisation``: the manager who
        allowed a cashier without "day_close" (stored and printed with the report).
        """
        ledger = self._terminal.ledger
        with self._db.atomic("IMMEDIATE"):
            bounds = queries.report_range(self._db)
            started = ledger.open_day_started()
            day = _report_day(started, now)
            sums, (upto_document, upto_void) = queries.day_sums(
                self._db, bounds, day if started is not None else None
            )
            extra = sums_extra(sums)
            extra.update({"day": day.isoformat(), "upto_document": upto_document, "upto_void": upto_void})
            extra = with_authorisation(extra, authorisation)
            stored = ledger.commit_document(
                DocumentDraft(DOC_DAILY_REPORT, "daily", sums.total, dict(sums.vat), extra=extra),
                cashier=cashier,
                now=now,
            )
        report = DailyReport(stored.number, stored.uuid, day, stored.created_local, sums)
        names = {method.code: method.name for method in self._terminal.catalog.payment_methods()}
        printout = self._printer.print_fiscal_report(
            "daily_report", f"RAPORT DOBOWY nr {report.number:04d}",
            daily_report_body(report, names) + authorised_lines(authorisation), now,
            document_uuid=report.uuid, document_number=report.number,
        )
        return report, printout

    # -- stored reports ---------------------------------------------------------

    def daily_reports(self, start: date | None = None, end: date | None = None) -> list[DailyReport]:
        """Stored daily reports (oldest first), optionally those whose day is in [start, end]."""
        return queries.daily_reports(self._db, start, end)

    def last_daily_report(self) -> DailyReport | None:
        return queries.last_daily_report(self._db)

    def periodic(self, start: date, end: date) -> PeriodicReport:
        """The sums of the daily reports of [start, end] (stores nothing)."""
        check_period(start, end)
        reports = tuple(self.daily_reports(start, end))
        return PeriodicReport(start, end, reports, add_sums(report.sums for report in reports))

    def sales_by_category(self, start: date, end: date) -> list[tuple[str, int]]:
        """Sales less returns (grosze, after discounts) of the documents dated in
        [start, end], per the category of each line's product (the synced
        category tree; a product without one, or no longer known, is ""), by name."""
        check_period(start, end)
        return queries.sales_by_category(self._db, start, end)

    def print_periodic(
        self,
        report: PeriodicReport,
        title: str,
        now: datetime,
        method_names: Mapping[str, str] | None = None,
        authorisation: Authorisation | None = None,
        extra_lines: Sequence[str] = (),
    ) -> JournalEntry:
        """Print (and journal) a monthly or periodic report; any number of times
        (``authorisation``: the manager who allowed a cashier without "reports";
        ``extra_lines``: e.g. :func:`category_lines`)."""
        return self._printer.print_fiscal_report(
            "periodic_report", title,
            periodic_report_body(report, method_names) + list(extra_lines) + authorised_lines(authorisation),
            now,
        )

    # -- day-close options --------------------------------------------------------

    def blocked(self, now: datetime) -> date | None:
        """The open day that refuses new sales at ``now`` until its daily report (its
        first document is of an earlier date, or the "block" option's time has
        passed); None when selling may go on. The ledger refuses the commit itself;
        screens ask this to warn before payment."""
        if self._terminal.ledger.day_refusal(now) is None:
            return None
        started = self.open_day_started()
        return started.date() if started is not None else None

    def reminder_due(self, now: datetime) -> bool:
        """Under the "reminder" option: the set time has passed today, the day has
        documents, and the cashier has not answered the reminder today."""
        settings = self._terminal.settings
        if settings.day_close() != "reminder":
            return False
        at = settings.day_close_time()
        local = parse_time(local_text(now))
        if not at or local.strftime("%H:%M") < at:
            return False
        if settings.get_local(REMINDER_ANSWERED, "") == local.date().isoformat():
            return False
        return self.open_day_started() is not None

    def reminder_answered(self, now: datetime) -> None:
        """The cashier answered today's reminder (asked again tomorrow)."""
        self._terminal.settings.set_local(REMINDER_ANSWERED, parse_time(local_text(now)).date().isoformat())


def _report_day(started: datetime | None, now: datetime) -> date:
    """The fiscal day a report closes: the local day of its first document (the
    ledger keeps every document of an open day on that day, so a report made after
    midnight closes the day of its sales), else today."""
    return open_day_of(started, parse_time(local_text(now)))


__all__ = ["REMINDER_ANSWERED", "ReportService"]
