"""Transakcje → Raporty: a period's sales by day (with a chart), by product, category,
cashier and payment method, and the tills' daily reports beside the back office's sums."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pygal
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from pygal.style import Style

from ipos_tui.backoffice.services import BackOffice, WebUser
from ipos_tui.backoffice.services.sales_reports import MAX_PERIOD_DAYS
from ipos_tui.domain.document_number import document_number_text
from ipos_tui.i18n import text_in

from ..auth import Office, User
from ..render import money, render, request_language
from .transactions import (
    PeriodFilter,
    check_scope,
    filter_context,
    parse_fields,
    qty_text,
    query_values,
    shop_today,
)

router = APIRouter()

#: Product rows shown in the report page (the CSV has them all).
PRODUCTS_SHOWN = 50


# ------------------------------------------------------------------ reports

REPORTS = ("days", "products", "categories", "cashiers", "payments", "daily")


def _period(request: Request, user: WebUser, office: BackOffice, language: str
            ) -> tuple[dict[str, str], dict[str, str], int | None, date, date]:
    """The report's filters: store, and the period (default: this month to today)."""
    query = query_values(request)
    today = shop_today()
    query.setdefault("start", today.replace(day=1).isoformat())
    query.setdefault("end", today.isoformat())
    values, errors = parse_fields(PeriodFilter, query, language)
    start = values["start"] or today.replace(day=1)
    end = values["end"] or today
    if not errors:
        if end < start:
            errors["end"] = text_in(language, "web.reports.period_order")
        elif (end - start).days >= MAX_PERIOD_DAYS:
            errors["end"] = text_in(language, "web.reports.period_long", days=MAX_PERIOD_DAYS)
    if errors:  # a wrong period shows the default one under the messages
        start, end = today.replace(day=1), today
    store, _ = check_scope(office, user, values["store"], None, language, errors)
    return query, errors, store, start, end


@router.get("/reports", response_class=HTMLResponse)
def reports(request: Request, user: User, office: Office) -> Response:
    language = request_language(request)
    query, errors, store, start, end = _period(request, user, office, language)
    scope = {"store_id": store}
    days = office.tx_sales_by_day(user.store_ids, start, end, **scope)
    by = {group: office.tx_sales_by(group, user.store_ids, start, end, **scope)
          for group in ("product", "category", "cashier", "payment")}
    daily = office.tx_daily_reports(user.store_ids, start, end, **scope)
    for report in daily:
        report["number_text"] = document_number_text("daily_report", report["number"])
    csv_query = urlencode({"store": store or "", "start": start.isoformat(),
                           "end": end.isoformat()})
    return render(request, "transactions_reports.html", status_code=422 if errors else 200,
                  values=query, errors=errors, start=start, end=end, days=days,
                  net=sum(d["net"] for d in days), by=by, daily=daily,
                  products_shown=PRODUCTS_SHOWN, chart=sales_chart(days, language),
                  csv_query=csv_query, qty=qty_text, **filter_context(office, user, language))


_SCRIPT_RE = re.compile(r"<script\b.*?</script>|<!--.*?-->", re.S)


def sales_chart(days: list[dict[str, Any]], language: str) -> str:
    """Net sales per day as a bar chart: inline SVG rendered here (pygal), with no
    script and no other host (the table under it carries the same numbers)."""
    style = Style(background="#ffffff", plot_background="#ffffff", colors=("#0b5cad",),
                  font_family="system-ui, sans-serif")
    chart = pygal.Bar(
        width=900, height=320, style=style, show_legend=False, js=[], disable_xml_declaration=True,
        title=text_in(language, "web.reports.chart_title"), x_label_rotation=-45,
        show_minor_x_labels=len(days) <= 31, x_labels_major_every=max(1, len(days) // 15),
        value_formatter=lambda grosze: money(round(grosze * 100)), explicit_size=False,
        print_values=False, margin=10)
    chart.x_labels = [d["day"].strftime("%d.%m") for d in days]
    chart.add(text_in(language, "web.reports.net"), [d["net"] / 100 for d in days])
    # pygal always puts its tooltips' configuration in a <script> (the page runs none)
    # and its credits in comments
    svg = _SCRIPT_RE.sub("", chart.render(is_unicode=True))
    label = text_in(language, "web.reports.chart_title")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def _zloty(grosze: int) -> str:
    """An amount for a spreadsheet: złoty with a decimal comma, no spaces ("-1234,50")."""
    return format(Decimal(grosze).scaleb(-2), "f").replace(".", ",")


def _cell(text: str | None) -> str:
    """A name for a spreadsheet cell: one that starts like a formula ("=", "+", "-",
    "@") gets a leading apostrophe, so Excel shows it instead of running it."""
    text = text or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@router.get("/reports/{name}.csv")
def report_csv(request: Request, user: User, office: Office, name: str) -> Response:
    if name not in REPORTS:
        raise HTTPException(status_code=404)
    language = request_language(request)
    query, errors, store, start, end = _period(request, user, office, language)
    if errors:  # the page says what is wrong with the period
        return reports(request, user, office)

    def tr(key: str) -> str:
        return text_in(language, f"web.reports.{key}")

    rows: list[list[str]]
    if name == "days":
        head = [tr("col_day"), tr("col_receipts"), tr("col_receipts_total"), tr("col_returns"),
                tr("col_returns_total"), tr("col_net")]
        rows = [[d["day"].isoformat(), str(d["receipts"]), _zloty(d["receipts_total"]),
                 str(d["returns"]), _zloty(d["returns_total"]), _zloty(d["net"])]
                for d in office.tx_sales_by_day(user.store_ids, start, end, store_id=store)]
    elif name == "daily":
        head = [tr("col_day"), tr("col_terminal"), tr("col_store"), tr("col_number"),
                tr("col_receipts"), tr("col_receipts_total"), tr("col_returns"),
                tr("col_returns_total"), tr("col_net"), tr("col_office")]
        rows = [[r["day"].isoformat(), _cell(r["terminal"]), _cell(r["store"]),
                 document_number_text("daily_report", r["number"]), str(r["receipts"]),
                 _zloty(r["receipts_total"]), str(r["returns"]), _zloty(r["returns_total"]),
                 _zloty(r["total"]), _zloty(r["office_total"])]
                for r in office.tx_daily_reports(user.store_ids, start, end, store_id=store)]
    else:
        group = {"products": "product", "categories": "category", "cashiers": "cashier",
                 "payments": "payment"}[name]
        found = office.tx_sales_by(group, user.store_ids, start, end, store_id=store)
        if group == "product":
            head = [tr("col_plu"), tr("col_name"), tr("col_qty"), tr("col_value")]
            rows = [[_cell(r["plu"]), _cell(r["name"]), qty_text(r["qty"]), _zloty(r["value"])] for r in found]
        elif group == "category":
            head = [tr("col_category"), tr("col_qty"), tr("col_value")]
            rows = [[_cell(r["name"] or tr("no_category")), qty_text(r["qty"]), _zloty(r["value"])]
                    for r in found]
        elif group == "cashier":
            head = [tr("col_identifier"), tr("col_name"), tr("col_receipts"),
                    tr("col_receipts_total"), tr("col_returns"), tr("col_returns_total"),
                    tr("col_value")]
            rows = [[_cell(r["identifier"]), _cell(r["name"]), str(r["receipts"]), _zloty(r["receipts_total"]),
                     str(r["returns"]), _zloty(r["returns_total"]), _zloty(r["value"])]
                    for r in found]
        else:
            head = [tr("col_method"), tr("col_value")]
            rows = [[_cell(r["name"]), _zloty(r["value"])] for r in found]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(head)
    writer.writerows(rows)
    filename = f"{name}_{start.isoformat()}_{end.isoformat()}.csv"
    return Response(("\ufeff" + out.getvalue()).encode("utf-8"),
                    media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
