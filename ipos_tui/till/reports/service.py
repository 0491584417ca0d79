"""Daily, monthly and periodic reports, and the day-close rules that depend on them.

A **daily report** ("raport dobowy") closes the fiscal day: it sums every ledger
document stored since the previous report (receipts, returns, cash operations) and
every receipt voided since, and is itself a ledger document ("daily_report", its own
gapless running number) uploaded like a sale. The sums are taken and the report is
stored in ONE write transaction, so a sale finished on another thread lands either in
this report or in the next one, never in both or neither. Which documents a report
covered is kept with it (the last document id and void id), so the next report starts
exactly there, whatever the clock says.

Sales and returns are kept apart per VAT letter and rate: the gross of each is
summed per letter at the rate each document used (its snapshot, see
:mod:`ipos_tui.store.vat_table`) and the VAT computed once from each sum, as the
fiscal printer does; a return corrects its original's VAT, at the original's rate.
No letter goes negative; the net (sales − returns) is the summary, and what the
report stores in its VAT column and uploads (net gross and VAT per letter), as the
back office's ``report sales`` computes it from the same documents.

**Monthly and periodic reports** sum the stored daily reports whose day falls in the
range; they store nothing and change nothing, so they can be printed any number of
times.

**The fiscal day** (domain/fiscal_day.py, enforced by the ledger inside every commit):
a report never mixes two calendar days. Once the open day's first document is of an
earlier date, sales, returns and cash operations are refused until the daily report
is made; the report is dated by that day.

**Day-close options** (from the back office): "off"; "reminder" at "gg:mm" (a tak/nie
question, selling goes on); "block": from "gg:mm" on, a day begun before that time
takes no more sales until its report.
"""

from __future__ import annotations

import calendar
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

from ipos_tui.devices import paper
from ipos_tui.devices.paper import PRINT_WIDTH
from ipos_tui.devices.printer import FiscalPrinter, JournalEntry
from ipos_tui.domain.authorisation import (
    Authorisation,
    printout_lines,
    with_authorisation,
)
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.fiscal_day import open_day_of
from ipos_tui.domain.vat import (
    VAT_RATES,
    RateTotal,
    VatTotal,
    add_rate_totals,
    rate_totals,
)
from ipos_tui.store.ledger import DAY_SUMMED_TYPES, DOC_DAILY_REPORT, DocumentDraft
from ipos_tui.domain.records import DOC_SALE_INVOICE, User
from ipos_tui.store.timeutil import local_text, parse_time

if TYPE_CHECKING:
    from ipos_tui.store.db import Terminal

#: Ledger types a daily report sums.
_SUMMED_TYPES: Final = DAY_SUMMED_TYPES
#: The local setting remembering the day the reminder was last answered.
REMINDER_ANSWERED: Final = "day_close_reminded"
_SELECT_REPORTS: Final = (
    "SELECT number, uuid, created_local, vat, extra, upload_state FROM document WHERE doc_type = ?"
)
#: A periodic report covers at most this many days (a few years: bad input guard).
MAX_PERIOD_DAYS: Final = 3 * 366


@dataclass(frozen=True)
class DaySums:
    """What a daily report says (and a periodic report adds up)."""

    #: the sales: receipts and Faktury sold at the till together
    receipts: int = 0
    receipts_total: int = 0
    #: of them, the Faktury (each numbered in its own series)
    invoices: int = 0
    invoices_total: int = 0
    returns: int = 0
    returns_total: int = 0
    #: gross and VAT of the sales per letter and rate (never negative)
    vat_sales: tuple[RateTotal, ...] = ()
    #: gross and VAT of the returns per letter and rate (positive: what went back)
    vat_returns: tuple[RateTotal, ...] = ()
    payments: dict[str, int] = field(default_factory=dict)
    cash_in: int = 0
    cash_out: int = 0
    voids: int = 0
    voids_total: int = 0
    first_receipt_at: datetime | None = None
    last_receipt_at: datetime | None = None
    #: deposits ("kaucja") apart from sales: charged with receipts (outside their
    #: totals and VAT) and paid back for returned packaging (also in cash_out)
    deposits_collected: int = 0
    deposits_returned: int = 0

    @property
    def total(self) -> int:
        """Net sales: receipts minus returns."""
        return self.receipts_total - self.returns_total

    @property
    def vat(self) -> dict[str, VatTotal]:
        """The net per letter (sales − returns, gross and VAT): the summary, and what a
        daily report stores and uploads."""
        return net_vat(self.vat_sales, self.vat_returns)

    @property
    def vat_total(self) -> int:
        """Net VAT: the sales' VAT minus the returns'."""
        return sum(item.vat for item in self.vat_sales) - sum(item.vat for item in self.vat_returns)

    @property
    def is_empty(self) -> bool:
        return not (self.receipts or self.returns or self.cash_in or self.cash_out or self.voids)


@dataclass(frozen=True)
class DailyReport:
    """A stored daily report: its running number, day and sums."""

    number: int
    uuid: str
    day: date
    created_local: datetime
    sums: DaySums
    upload_state: str = "pending"


@dataclass(frozen=True)
class PeriodicReport:
    """Sums of the daily reports whose day lies in [start, end]."""

    start: date
    end: date
    reports: tuple[DailyReport, ...]
    sums: DaySums

    @property
    def first_number(self) -> int | None:
        return self.reports[0].number if self.reports else None

    @property
    def last_number(self) -> int | None:
        return self.reports[-1].number if self.reports else None


@dataclass(frozen=True)
class _Range:
    """Documents and voids after the previous report (exclusive lower bounds)."""

    after_document: int
    after_void: int


def month_range(year: int, month: int) -> tuple[date, date]:
    """First and last day of a month; DomainError "report.err_month_invalid" otherwise."""
    if not 1 <= month <= 12 or not 2000 <= year <= 2999:
        raise DomainError("report.err_month_invalid")
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def parse_month(text: str, today: date) -> tuple[date, date]:
    """The month typed as "mm.rrrr", "mm/rrrr", "rrrr-mm" or just "mm" (this year)."""
    cleaned = text.strip().replace("/", ".").replace("-", ".")
    parts = [part for part in cleaned.split(".") if part]
    if not parts or not all(part.isdigit() for part in parts) or len(parts) > 2:
        raise DomainError("report.err_month_invalid")
    if len(parts) == 1:
        return month_range(today.year, int(parts[0]))
    first, second = parts
    if len(first) == 4:
        return month_range(int(first), int(second))
    return month_range(int(second), int(first))


def parse_day(text: str, today: date) -> date:
    """A day typed as "dd.mm.rrrr", "dd.mm" (this year) or "rrrr-mm-dd"."""
    cleaned = text.strip()
    try:
        if "-" in cleaned:
            return date.fromisoformat(cleaned)
        parts = cleaned.split(".")
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            return date(today.year, int(parts[1]), int(parts[0]))
        if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        pass
    raise DomainError("report.err_date_invalid", text=cleaned)


def check_period(start: date, end: date) -> None:
    """A period runs forwards and is not absurdly long."""
    if end < start:
        raise DomainError("report.err_period_reversed")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise DomainError("report.err_period_too_long", days=MAX_PERIOD_DAYS)


class ReportService:
    """Daily reports of one terminal, and the sums of stored ones."""

    def __init__(self, terminal: Terminal, printer: FiscalPrinter) -> None:
        self._terminal = terminal
        self._db = terminal.db
        self._printer = printer

    # -- the open day -------------------------------------------------------------

    def _range(self) -> _Range:
        row = self._db.execute_sql(
            "SELECT extra FROM document WHERE doc_type = ? ORDER BY number DESC LIMIT 1",
            (DOC_DAILY_REPORT,),
        ).fetchone()
        extra = json.loads(row[0]) if row and row[0] else {}
        return _Range(int(extra.get("upto_document", 0)), int(extra.get("upto_void", 0)))

    def open_day(self) -> DaySums:
        """What the next daily report would say now."""
        sums, _upto = self._sums(self._range())
        return sums

    def open_day_started(self) -> datetime | None:
        """Local time of the first document not yet in a daily report (None: nothing)."""
        return self._terminal.ledger.open_day_started()

    def _sums(self, bounds: _Range, day: date | None = None) -> tuple[DaySums, tuple[int, int]]:
        """The sums of everything after ``bounds``, and the last document/void id seen;
        with ``day``, voids logged on a later date are left to the next report (a
        receipt voided after midnight belongs to the new day, as its sales would)."""
        db = self._db
        after = bounds.after_document
        (upto_document,) = db.execute_sql("SELECT coalesce(max(id), 0) FROM document").fetchone()
        if day is None:
            (upto_void,) = db.execute_sql("SELECT coalesce(max(id), 0) FROM receipt_void").fetchone()
        else:
            (upto_void,) = db.execute_sql(
                "SELECT coalesce(max(id), 0) FROM receipt_void WHERE substr(created_local, 1, 10) <= ?",
                (day.isoformat(),),
            ).fetchone()
        upto_document = max(int(upto_document), after)
        upto_void = max(int(upto_void), bounds.after_void)
        window = "d.id > ? AND d.id <= ?"
        counts = {
            doc_type: (int(n), int(total or 0))
            for doc_type, n, total in db.execute_sql(
                f"SELECT d.doc_type, count(*), sum(d.total) FROM document d WHERE {window} "
                f"GROUP BY d.doc_type",
                (after, upto_document),
            )
        }
        first, last = (
            db.execute_sql(
                f"SELECT d.created_local FROM document d WHERE {window} AND d.doc_type IN {_SALES} "
                f"ORDER BY d.created_utc {direction}, d.id {direction} LIMIT 1",
                (after, upto_document),
            ).fetchone()
            for direction in ("ASC", "DESC")
        )
        vat_sales, vat_returns = _split_vat(db.execute_sql(
            f"SELECT d.doc_type, l.vat_letter, {_RATE_TYPE}, {_RATE}, sum(l.value) FROM document_line l "
            f"JOIN document d ON d.id = l.document_id "
            f"WHERE {window} AND d.doc_type IN {_SALES_AND_RETURNS} "
            f"GROUP BY d.doc_type, l.vat_letter, {_RATE_TYPE}, {_RATE}",
            (after, upto_document),
        ))
        payments = _net(db.execute_sql(
            f"SELECT d.doc_type, p.method, sum(p.amount - p.change) FROM document_payment p "
            f"JOIN document d ON d.id = p.document_id "
            f"WHERE {window} AND d.doc_type IN {_SALES_AND_RETURNS} GROUP BY d.doc_type, p.method",
            (after, upto_document),
        ))
        cash = dict(
            db.execute_sql(
                f"SELECT d.kind, sum(d.total) FROM document d WHERE {window} "
                f"AND d.doc_type = 'cash_operation' GROUP BY d.kind",
                (after, upto_document),
            ).fetchall()
        )
        deposits_collected, deposits_returned = db.execute_sql(
            f"SELECT coalesce(sum(CASE WHEN d.doc_type IN {_SALES} "
            f"THEN json_extract(d.extra, '$.deposit.total') END), 0), "
            f"coalesce(sum(CASE WHEN d.doc_type = 'cash_operation' "
            f"AND json_extract(d.extra, '$.purpose') = 'deposit_return' THEN d.total END), 0) "
            f"FROM document d WHERE {window} AND d.extra IS NOT NULL "
            f"AND d.doc_type IN ('receipt', 'sale_invoice', 'cash_operation')",
            (after, upto_document),
        ).fetchone()
        voids, voids_total = db.execute_sql(
            "SELECT count(*), coalesce(sum(total), 0) FROM receipt_void WHERE id > ? AND id <= ?",
            (bounds.after_void, upto_void),
        ).fetchone()
        invoices = counts.get(DOC_SALE_INVOICE, (0, 0))
        receipts = counts.get("receipt", (0, 0))
        returns = counts.get("return", (0, 0))
        sums = DaySums(
            receipts=receipts[0] + invoices[0],
            receipts_total=receipts[1] + invoices[1],
            invoices=invoices[0],
            invoices_total=invoices[1],
            returns=returns[0],
            returns_total=returns[1],
            vat_sales=vat_sales,
            vat_returns=vat_returns,
            payments={method: value for method, value in sorted(payments.items()) if value},
            cash_in=int(cash.get("in") or 0),
            cash_out=int(cash.get("out") or 0),
            voids=int(voids),
            voids_total=int(voids_total),
            first_receipt_at=parse_time(first[0]) if first else None,
            last_receipt_at=parse_time(last[0]) if last else None,
            deposits_collected=int(deposits_collected),
            deposits_returned=int(deposits_returned),
        )
        return sums, (upto_document, upto_void)

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
            bounds = self._range()
            started = ledger.open_day_started()
            day = _report_day(started, now)
            sums, (upto_document, upto_void) = self._sums(bounds, day if started is not None else None)
            extra = _sums_extra(sums)
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
        query = _SELECT_REPORTS
        params: list[Any] = [DOC_DAILY_REPORT]
        if start is not None and end is not None:
            query += " AND json_extract(extra, '$.day') BETWEEN ? AND ?"
            params += [start.isoformat(), end.isoformat()]
        rows = self._db.execute_sql(query + " ORDER BY number", params).fetchall()
        return [_daily_report(row) for row in rows]

    def last_daily_report(self) -> DailyReport | None:
        reports = self._db.execute_sql(
            _SELECT_REPORTS + " ORDER BY number DESC LIMIT 1", (DOC_DAILY_REPORT,)
        ).fetchall()
        return _daily_report(reports[0]) if reports else None

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
        rows = self._db.execute_sql(
            "SELECT coalesce(c.name, ''), "
            "sum(CASE WHEN d.doc_type = 'return' THEN -l.value ELSE l.value END) "
            "FROM document_line l JOIN document d ON d.id = l.document_id "
            "LEFT JOIN product p ON p.id = l.product_id "
            "LEFT JOIN category c ON c.id = p.category_id "
            f"WHERE d.doc_type IN {_SALES_AND_RETURNS} "
            "AND substr(d.created_local, 1, 10) BETWEEN ? AND ? "
            "GROUP BY coalesce(c.name, '') ORDER BY coalesce(c.name, '') = '', coalesce(c.name, '')",
            (start.isoformat(), end.isoformat()),
        ).fetchall()
        return [(str(name), int(total)) for name, total in rows if total]

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



# -- sums -----------------------------------------------------------------------


#: SQL lists of the sale types, and of the sales and returns (see records.SALE_TYPES).
_SALES: Final = "('receipt', 'sale_invoice')"
_SALES_AND_RETURNS: Final = "('receipt', 'sale_invoice', 'return')"


def _net(rows: Iterable[tuple[str, str, int]]) -> dict[str, int]:
    """(doc_type, key, sum) rows of receipts and returns as key → receipts − returns."""
    net: dict[str, int] = defaultdict(int)
    for doc_type, key, value in rows:
        net[key] += -int(value) if doc_type == "return" else int(value)
    return net


#: The rate a document line was sold at, from its document's snapshot: the JSON type
#: (NULL: no snapshot, a document older than it) and the value (NULL: exempt).
_RATE_TYPE: Final = "json_type(d.extra, '$.vat_rates.' || l.vat_letter)"
_RATE: Final = "json_extract(d.extra, '$.vat_rates.' || l.vat_letter)"


def _split_vat(
    rows: Iterable[tuple[str, str, str | None, int | None, int]],
) -> tuple[tuple[RateTotal, ...], tuple[RateTotal, ...]]:
    """(doc_type, letter, rate type, rate, gross) rows as the sales and the returns per
    letter and rate; a line without a snapshot was sold at the standard table's rate."""
    sales: list[tuple[str, int | None, int]] = []
    returns: list[tuple[str, int | None, int]] = []
    for doc_type, letter, rate_type, rate, value in rows:
        rate_bp = VAT_RATES.get(letter) if rate_type is None else (None if rate is None else int(rate))
        (returns if doc_type == "return" else sales).append((letter, rate_bp, int(value)))
    return rate_totals(sales), rate_totals(returns)


def net_vat(sales: Iterable[RateTotal], returns: Iterable[RateTotal]) -> dict[str, VatTotal]:
    """Sales − returns per letter (gross and VAT), letters with nothing left out."""
    gross: dict[str, int] = defaultdict(int)
    vat: dict[str, int] = defaultdict(int)
    for items, sign in ((sales, 1), (returns, -1)):
        for item in items:
            gross[item.letter] += sign * item.gross
            vat[item.letter] += sign * item.vat
    return {
        letter: VatTotal(letter, gross[letter], vat[letter])
        for letter in sorted(gross) if gross[letter] or vat[letter]
    }


def add_sums(items: Iterable[DaySums]) -> DaySums:
    """Field-by-field sum of daily sums (a periodic report); VAT as the dailies said,
    sales and returns apart per letter and rate."""
    total: dict[str, Any] = defaultdict(int)
    sales: list[tuple[RateTotal, ...]] = []
    returns: list[tuple[RateTotal, ...]] = []
    payments: dict[str, int] = defaultdict(int)
    firsts: list[datetime] = []
    lasts: list[datetime] = []
    for sums in items:
        for name in ("receipts", "receipts_total", "invoices", "invoices_total", "returns",
                     "returns_total", "cash_in", "cash_out",
                     "voids", "voids_total", "deposits_collected", "deposits_returned"):
            total[name] += getattr(sums, name)
        sales.append(sums.vat_sales)
        returns.append(sums.vat_returns)
        for method, value in sums.payments.items():
            payments[method] += value
        if sums.first_receipt_at:
            firsts.append(sums.first_receipt_at)
        if sums.last_receipt_at:
            lasts.append(sums.last_receipt_at)
    return DaySums(
        **{name: int(value) for name, value in total.items()},
        vat_sales=add_rate_totals(*sales),
        vat_returns=add_rate_totals(*returns),
        payments=dict(sorted(payments.items())),
        first_receipt_at=min(firsts) if firsts else None,
        last_receipt_at=max(lasts) if lasts else None,
    )


def _report_day(started: datetime | None, now: datetime) -> date:
    """The fiscal day a report closes: the local day of its first document (the
    ledger keeps every document of an open day on that day, so a report made after
    midnight closes the day of its sales), else today."""
    return open_day_of(started, parse_time(local_text(now)))


def _sums_extra(sums: DaySums) -> dict[str, Any]:
    return {
        "receipts": sums.receipts,
        "receipts_total": sums.receipts_total,
        **({"invoices": sums.invoices, "invoices_total": sums.invoices_total} if sums.invoices else {}),
        "returns": sums.returns,
        "returns_total": sums.returns_total,
        "payments": sums.payments,
        "cash_in": sums.cash_in,
        "cash_out": sums.cash_out,
        "voids": sums.voids,
        "voids_total": sums.voids_total,
        "vat_sales": _rate_records(sums.vat_sales),
        "vat_returns": _rate_records(sums.vat_returns),
        "first_receipt_at": sums.first_receipt_at.isoformat() if sums.first_receipt_at else None,
        "last_receipt_at": sums.last_receipt_at.isoformat() if sums.last_receipt_at else None,
        **({"deposits_collected": sums.deposits_collected, "deposits_returned": sums.deposits_returned}
           if sums.deposits_collected or sums.deposits_returned else {}),
    }


def _rate_records(items: Iterable[RateTotal]) -> list[dict[str, Any]]:
    return [{"letter": i.letter, "rate": i.rate_bp, "gross": i.gross, "vat": i.vat} for i in items]


def _rate_items(records: Iterable[Mapping[str, Any]]) -> tuple[RateTotal, ...]:
    return tuple(
        RateTotal(str(r["letter"]), None if r.get("rate") is None else int(r["rate"]), int(r["gross"]),
                  int(r["vat"]))
        for r in records
    )


def _legacy_split(vat: Mapping[str, VatTotal]) -> tuple[tuple[RateTotal, ...], tuple[RateTotal, ...]]:
    """A report stored before sales and returns were kept apart: its net per letter, at
    the standard rates it was made with (a negative letter counted as returns)."""
    sales = tuple(RateTotal(v.letter, VAT_RATES.get(v.letter), v.gross, v.vat) for v in vat.values() if v.gross > 0)
    returns = tuple(RateTotal(v.letter, VAT_RATES.get(v.letter), -v.gross, -v.vat)
                    for v in vat.values() if v.gross < 0)
    return sales, returns


def _daily_report(row: tuple[Any, ...]) -> DailyReport:
    number, doc_uuid, created_local, vat_json, extra_json, upload_state = row
    extra = json.loads(extra_json) if extra_json else {}
    vat = {
        letter: VatTotal(letter, int(item["gross"]), int(item["vat"]))
        for letter, item in json.loads(vat_json).items()
    } if vat_json else {}
    if "vat_sales" in extra:
        vat_sales, vat_returns = _rate_items(extra["vat_sales"]), _rate_items(extra.get("vat_returns") or ())
    else:
        vat_sales, vat_returns = _legacy_split(dict(sorted(vat.items())))
    sums = DaySums(
        receipts=int(extra.get("receipts", 0)),
        receipts_total=int(extra.get("receipts_total", 0)),
        invoices=int(extra.get("invoices", 0)),
        invoices_total=int(extra.get("invoices_total", 0)),
        returns=int(extra.get("returns", 0)),
        returns_total=int(extra.get("returns_total", 0)),
        vat_sales=vat_sales,
        vat_returns=vat_returns,
        payments={k: int(v) for k, v in (extra.get("payments") or {}).items()},
        cash_in=int(extra.get("cash_in", 0)),
        cash_out=int(extra.get("cash_out", 0)),
        voids=int(extra.get("voids", 0)),
        voids_total=int(extra.get("voids_total", 0)),
        first_receipt_at=parse_time(extra["first_receipt_at"]) if extra.get("first_receipt_at") else None,
        last_receipt_at=parse_time(extra["last_receipt_at"]) if extra.get("last_receipt_at") else None,
        deposits_collected=int(extra.get("deposits_collected", 0)),
        deposits_returned=int(extra.get("deposits_returned", 0)),
    )
    return DailyReport(int(number), doc_uuid, date.fromisoformat(extra["day"]), parse_time(created_local),
                       sums, upload_state)


# -- printouts --------------------------------------------------------------------


def _time(moment: datetime | None) -> str:
    return moment.strftime("%H:%M") if moment else "--:--"


def sums_body(sums: DaySums, method_names: Mapping[str, str] | None = None) -> list[str]:
    """The common part of daily and periodic printouts (fixed Polish, as printed)."""
    names = method_names or {}
    # a Faktura is a sale numbered in its own series: counted apart from the receipts
    lines = [
        paper.fit(f"Paragony: {sums.receipts - sums.invoices}", paper.amount(sums.receipts_total - sums.invoices_total)),
        *([paper.fit(f"Faktury: {sums.invoices}", paper.amount(sums.invoices_total))] if sums.invoices else []),
        paper.fit(f"Zwroty: {sums.returns}", paper.amount(sums.returns_total)),
        paper.fit(f"Anulowane paragony: {sums.voids}", paper.amount(sums.voids_total)),
        "-" * PRINT_WIDTH,
        "Sprzedaż wg stawek PTU:",
        *_rate_lines(sums.vat_sales),
        paper.fit("Sprzedaż brutto", paper.amount(sum(i.gross for i in sums.vat_sales))),
        paper.fit("Sprzedaż podatek", paper.amount(sum(i.vat for i in sums.vat_sales))),
    ]
    if sums.vat_returns:
        lines += [
            "Zwroty wg stawek PTU:",
            *_rate_lines(sums.vat_returns),
            paper.fit("Zwroty brutto", paper.amount(sum(i.gross for i in sums.vat_returns))),
            paper.fit("Zwroty podatek", paper.amount(sum(i.vat for i in sums.vat_returns))),
        ]
    lines += [
        "-" * PRINT_WIDTH,
        "Razem (sprzedaż - zwroty):",
        paper.fit("RAZEM BRUTTO", paper.amount(sums.total)),
        paper.fit("RAZEM PODATEK", paper.amount(sums.vat_total)),
        paper.fit("RAZEM NETTO", paper.amount(sums.total - sums.vat_total)),
        "-" * PRINT_WIDTH,
        "Płatności:",
    ]
    for method, value in sums.payments.items():
        lines.append(paper.fit(f"- {names.get(method, method)}", paper.amount(value)))
    if not sums.payments:
        lines.append(paper.fit("- brak", paper.amount(0)))
    lines += [
        paper.fit("Wpłaty do kasy", paper.amount(sums.cash_in)),
        paper.fit("Wypłaty z kasy", paper.amount(sums.cash_out)),
    ]
    if sums.deposits_collected or sums.deposits_returned:  # outside sales and VAT
        lines += [
            "-" * PRINT_WIDTH,
            "Kaucje (poza sprzedażą i PTU):",
            paper.fit("Kaucje pobrane", paper.amount(sums.deposits_collected)),
            paper.fit("Kaucje zwrócone", paper.amount(sums.deposits_returned)),
        ]
    return lines


def _rate_lines(items: Iterable[RateTotal]) -> list[str]:
    """Gross and tax of each letter and rate (an empty section says "brak")."""
    lines: list[str] = []
    for item in items:
        lines.append(paper.fit(f"PTU {item.letter} {item.label} brutto", paper.amount(item.gross)))
        lines.append(paper.fit(f"PTU {item.letter} podatek", paper.amount(item.vat)))
    return lines or [paper.fit("- brak", paper.amount(0))]


def daily_report_body(report: DailyReport, method_names: Mapping[str, str] | None = None) -> list[str]:
    sums = report.sums
    return [
        paper.fit("Dzień", report.day.strftime("%d.%m.%Y")),
        paper.fit("Pierwszy / ostatni paragon", f"{_time(sums.first_receipt_at)} / {_time(sums.last_receipt_at)}"),
        "-" * PRINT_WIDTH,
        *sums_body(sums, method_names),
    ]


def authorised_lines(authorisation: Authorisation | None) -> list[str]:
    """"Autoryzował: …" below a report a manager authorised (nothing otherwise)."""
    if authorisation is None:
        return []
    return ["-" * PRINT_WIDTH, *printout_lines([authorisation.with_detail("")], PRINT_WIDTH)]


def periodic_report_body(report: PeriodicReport, method_names: Mapping[str, str] | None = None) -> list[str]:
    numbers = (
        f"{report.first_number:04d} - {report.last_number:04d}" if report.reports else "brak"
    )
    return [
        paper.fit("Od", report.start.strftime("%d.%m.%Y")),
        paper.fit("Do", report.end.strftime("%d.%m.%Y")),
        paper.fit(f"Raporty dobowe: {len(report.reports)}", numbers),
        "-" * PRINT_WIDTH,
        *sums_body(report.sums, method_names),
    ]


__all__ = [
    "DOC_DAILY_REPORT",
    "DailyReport",
    "DaySums",
    "PeriodicReport",
    "ReportService",
    "add_sums",
    "authorised_lines",
    "check_period",
    "month_range",
    "parse_day",
    "parse_month",
]


def category_lines(rows: Sequence[tuple[str, int]], none_label: str = "Bez kategorii") -> list[str]:
    """The "sales by category" section of a periodic report (empty without sales)."""
    if not rows:
        return []
    lines = ["-" * 40, "SPRZEDAŻ WG KATEGORII"]
    for name, total in rows:
        lines.append(paper.fit((name or none_label)[:26], paper.amount(total)))
    return lines
