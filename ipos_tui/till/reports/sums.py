"""What a report says: the sums of a day (:class:`DaySums`), a stored daily report, a
periodic report, and how the sums are added up and kept in a report's ``extra``."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ipos_tui.domain.vat import VAT_RATES, RateTotal, VatTotal, add_rate_totals
from ipos_tui.store.timeutil import parse_time


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


def sums_extra(sums: DaySums) -> dict[str, Any]:
    """The sums as a daily report stores them in its ``extra``."""
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


def daily_report_of(row: tuple[Any, ...]) -> DailyReport:
    """A stored daily report from its row (number, uuid, created_local, vat, extra,
    upload_state), also one stored before sales and returns were kept apart."""
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


__all__ = [
    "DailyReport",
    "DaySums",
    "PeriodicReport",
    "add_sums",
    "daily_report_of",
    "net_vat",
    "sums_extra",
]
