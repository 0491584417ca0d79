"""The back office's sales report of one shop day, from the stored documents."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from typing import Any

from peewee import fn

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.domain.records import PURPOSE_DEPOSIT_RETURN
from ipos_tui.domain.vat import VAT_RATES, RateTotal, VatTotal, rate_totals
from ipos_tui.protocol import SALE_TYPES

from .listing import count_columns

#: Documents of a sale, and those with the returns (see protocol.SALE_TYPES).
SALES_AND_RETURNS = (*SALE_TYPES, "return")


def _per_letter(items: tuple[RateTotal, ...]) -> dict[str, VatTotal]:
    """Gross and VAT per letter, each rate's VAT computed from its own sum."""
    out: dict[str, VatTotal] = {}
    for item in items:
        before = out.get(item.letter)
        out[item.letter] = VatTotal(item.letter, item.gross + (before.gross if before else 0),
                                    item.vat + (before.vat if before else 0))
    return out


def sales_report(office: BackOffice, day: date, store_id: int | None = None) -> dict[str, Any]:
    """Sales of one shop day: receipts, returns, VAT per letter, payments, cash ops and
    the shift closes with their counted cash."""
    t, line, pay = m.Transaction, m.TransactionLine, m.TransactionPayment
    scope = (t.company == office.company_id) & (t.day == day)
    if store_id is not None:
        scope &= t.store == store_id
    counts = {doc_type: (n, total) for doc_type, n, total in t.select(
        t.doc_type, fn.COUNT(t.id), fn.SUM(t.total)).where(scope).group_by(t.doc_type).tuples()}
    # sales and returns apart per letter and rate, VAT once from each sum (as the
    # till's daily report) at the rates each document was sold at (a document of an
    # older till, without them: the company's table now); the net is their difference
    current = {r.letter: r.rate for r in m.VatRate.select().where(
        m.VatRate.company == office.company_id)}
    sold_items: list[tuple[str, int | None, int]] = []
    returned_items: list[tuple[str, int | None, int]] = []
    for doc_type, rates_json, vat, value in (
            line.select(t.doc_type, t.vat_rates, line.vat, fn.SUM(line.value))
            .join(t).where(scope & t.doc_type.in_(SALES_AND_RETURNS))
            .group_by(t.doc_type, t.vat_rates, line.vat).tuples()):
        rates = json.loads(rates_json) if rates_json else {}
        rate = rates[vat] if vat in rates else current.get(vat, VAT_RATES.get(vat))
        (returned_items if doc_type == "return" else sold_items).append((vat, rate, int(value)))
    payments: dict[str, int] = defaultdict(int)
    for doc_type, method, amount in (pay.select(t.doc_type, pay.method,
                                                fn.SUM(pay.amount - pay.change))
                                     .join(t).where(scope & t.doc_type.in_(SALES_AND_RETURNS))
                                     .group_by(t.doc_type, pay.method).tuples()):
        payments[method] += -int(amount) if doc_type == "return" else int(amount)
    cash = {"in": 0, "out": 0}
    deposits_returned = 0
    for (payload,) in t.select(t.payload).where(scope & (t.doc_type == "cash_operation")).tuples():
        data = json.loads(payload)
        cash[data["kind"]] += int(data["amount"])
        if data.get("purpose") == PURPOSE_DEPOSIT_RETURN:
            deposits_returned += int(data["amount"])
    deposits_collected = sum(
        int(json.loads(payload).get("deposit", 0))
        for (payload,) in t.select(t.payload).where(scope & t.doc_type.in_(SALE_TYPES)).tuples()
    )
    shift_closes = [
        {"terminal_id": row.terminal_id, "number": row.number,
         "cashier": json.loads(row.payload).get("cashier_name") or row.cashier_identifier,
         "created_at": row.created_at.isoformat(timespec="seconds") + "Z", "expected": row.total,
         **count_columns(row)}
        for row in t.select().where(scope & (t.doc_type == "cash_report") & (t.kind == "shift_close"))
        .order_by(t.terminal, t.number)
    ]
    vat_sold = _per_letter(rate_totals(sold_items))
    vat_returned = _per_letter(rate_totals(returned_items))
    vat = {}
    for letter in sorted(set(vat_sold) | set(vat_returned)):
        gross = (vat_sold[letter].gross if letter in vat_sold else 0) - (
            vat_returned[letter].gross if letter in vat_returned else 0)
        tax = (vat_sold[letter].vat if letter in vat_sold else 0) - (
            vat_returned[letter].vat if letter in vat_returned else 0)
        if gross or tax:
            vat[letter] = VatTotal(letter, gross, tax)
    daily_reports = [
        {"terminal_id": terminal_id, "number": number, "total": total,
         "receipts": json.loads(payload).get("receipts", 0)}
        for terminal_id, number, total, payload in t.select(t.terminal, t.number, t.total, t.payload)
        .where(scope & (t.doc_type == "daily_report")).order_by(t.terminal, t.number).tuples()
    ]
    receipts = tuple(sum(int(counts.get(kind, (0, 0))[i] or 0) for kind in SALE_TYPES) for i in (0, 1))
    invoices = counts.get("sale_invoice", (0, 0))
    returns = counts.get("return", (0, 0))
    return {
        "day": day.isoformat(), "store_id": store_id,
        # sales: receipts and Faktury sold at the tills; of them the Faktury
        "receipts": receipts[0], "receipts_total": int(receipts[1] or 0),
        "invoices": invoices[0], "invoices_total": int(invoices[1] or 0),
        "returns": returns[0], "returns_total": int(returns[1] or 0),
        "net_sales": int(receipts[1] or 0) - int(returns[1] or 0),
        "vat": {letter: {"gross": v.gross, "vat": v.vat, "net": v.net}
                for letter, v in vat.items()},
        "vat_sales": {letter: {"gross": v.gross, "vat": v.vat, "net": v.net}
                      for letter, v in vat_sold.items()},
        "vat_returns": {letter: {"gross": v.gross, "vat": v.vat, "net": v.net}
                        for letter, v in vat_returned.items()},
        "payments": dict(sorted(payments.items())),
        "cash_in": cash["in"], "cash_out": cash["out"],
        # deposits ("kaucja") apart from sales: charged with receipts, paid back in
        # cash for returned packaging (the latter are also in cash_out)
        "deposits_collected": deposits_collected, "deposits_returned": deposits_returned,
        # the shifts closed that day: expected cash, cash counted, their difference
        # (counted − expected; None where an older till did not count) and its sum
        "shift_closes": shift_closes,
        "cash_difference": sum(c["difference"] for c in shift_closes if c["difference"] is not None),
        # the terminals' own daily reports of the day, to compare with the sums above
        "daily_reports": daily_reports,
    }
