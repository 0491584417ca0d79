"""The bodies of the daily and periodic report printouts (fixed Polish, as printed)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from ipos_tui.devices import paper
from ipos_tui.devices.paper import PRINT_WIDTH
from ipos_tui.domain.authorisation import Authorisation, printout_lines
from ipos_tui.domain.vat import RateTotal
from ipos_tui.till.reports.sums import DailyReport, DaySums, PeriodicReport


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


def category_lines(rows: Sequence[tuple[str, int]], none_label: str = "Bez kategorii") -> list[str]:
    """The "sales by category" section of a periodic report (empty without sales)."""
    if not rows:
        return []
    lines = ["-" * 40, "SPRZEDAŻ WG KATEGORII"]
    for name, total in rows:
        lines.append(paper.fit((name or none_label)[:26], paper.amount(total)))
    return lines


__all__ = [
    "authorised_lines",
    "category_lines",
    "daily_report_body",
    "periodic_report_body",
    "sums_body",
]
