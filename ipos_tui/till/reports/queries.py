"""The ledger's SQL behind the reports: the sums of the open day, the stored daily
reports, the sales by category."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from peewee import SqliteDatabase

from ipos_tui.domain.records import DOC_SALE_INVOICE
from ipos_tui.domain.vat import VAT_RATES, RateTotal, rate_totals
from ipos_tui.store.ledger import DOC_DAILY_REPORT
from ipos_tui.store.timeutil import parse_time
from ipos_tui.till.reports.sums import DailyReport, DaySums, daily_report_of

#: SQL lists of the sale types, and of the sales and returns (see records.SALE_TYPES).
_SALES: Final = "('receipt', 'sale_invoice')"
_SALES_AND_RETURNS: Final = "('receipt', 'sale_invoice', 'return')"
#: The rate a document line was sold at, from its document's snapshot: the JSON type
#: (NULL: no snapshot, a document older than it) and the value (NULL: exempt).
_RATE_TYPE: Final = "json_type(d.extra, '$.vat_rates.' || l.vat_letter)"
_RATE: Final = "json_extract(d.extra, '$.vat_rates.' || l.vat_letter)"
_SELECT_REPORTS: Final = (
    "SELECT number, uuid, created_local, vat, extra, upload_state FROM document WHERE doc_type = ?"
)


@dataclass(frozen=True)
class ReportRange:
    """Documents and voids after the previous report (exclusive lower bounds)."""

    after_document: int
    after_void: int


def report_range(db: SqliteDatabase) -> ReportRange:
    """Where the next daily report starts: after what the last one covered."""
    row = db.execute_sql(
        "SELECT extra FROM document WHERE doc_type = ? ORDER BY number DESC LIMIT 1",
        (DOC_DAILY_REPORT,),
    ).fetchone()
    extra = json.loads(row[0]) if row and row[0] else {}
    return ReportRange(int(extra.get("upto_document", 0)), int(extra.get("upto_void", 0)))


def day_sums(
    db: SqliteDatabase, bounds: ReportRange, day: date | None = None
) -> tuple[DaySums, tuple[int, int]]:
    """The sums of everything after ``bounds``, and the last document/void id seen;
    with ``day``, voids logged on a later date are left to the next report (a
    receipt voided after midnight belongs to the new day, as its sales would)."""
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


def daily_reports(db: SqliteDatabase, start: date | None = None, end: date | None = None) -> list[DailyReport]:
    """Stored daily reports (oldest first), optionally those whose day is in [start, end]."""
    query = _SELECT_REPORTS
    params: list[Any] = [DOC_DAILY_REPORT]
    if start is not None and end is not None:
        query += " AND json_extract(extra, '$.day') BETWEEN ? AND ?"
        params += [start.isoformat(), end.isoformat()]
    rows = db.execute_sql(query + " ORDER BY number", params).fetchall()
    return [daily_report_of(row) for row in rows]


def last_daily_report(db: SqliteDatabase) -> DailyReport | None:
    """The newest stored daily report, or None."""
    reports = db.execute_sql(_SELECT_REPORTS + " ORDER BY number DESC LIMIT 1", (DOC_DAILY_REPORT,)).fetchall()
    return daily_report_of(reports[0]) if reports else None


def sales_by_category(db: SqliteDatabase, start: date, end: date) -> list[tuple[str, int]]:
    """Sales less returns (grosze, after discounts) of the documents dated in
    [start, end], per the category of each line's product (the synced
    category tree; a product without one, or no longer known, is ""), by name."""
    rows = db.execute_sql(
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


def _net(rows: Iterable[tuple[str, str, int]]) -> dict[str, int]:
    """(doc_type, key, sum) rows of receipts and returns as key → receipts − returns."""
    net: dict[str, int] = defaultdict(int)
    for doc_type, key, value in rows:
        net[key] += -int(value) if doc_type == "return" else int(value)
    return net


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


__all__ = ["ReportRange", "daily_reports", "day_sums", "last_daily_report", "report_range", "sales_by_category"]
