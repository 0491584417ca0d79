"""The printouts of cash operations and cash reports (non-fiscal, in Polish)."""

from __future__ import annotations

from typing import Final

from ipos_tui.devices import paper
from ipos_tui.devices.paper import PRINT_WIDTH
from ipos_tui.domain.authorisation import authorisations_of, printout_lines
from ipos_tui.domain.records import DocumentDetail
from ipos_tui.store.timeutil import parse_time
from ipos_tui.till.cash.records import DOC_CASH_OPERATION, DrawerState, count_of

#: Printout titles by (document type, kind, purpose); printouts are in Polish, as the
#: fiscal printer prints them.
TITLES: Final = {
    ("cash_operation", "in", "opening"): "STAN POCZĄTKOWY KASY",
    ("cash_operation", "in", "deposit"): "WPŁATA DO KASY",
    ("cash_operation", "in", ""): "WPŁATA DO KASY",
    ("cash_operation", "out", "withdrawal"): "WYPŁATA Z KASY",
    ("cash_operation", "out", ""): "WYPŁATA Z KASY",
    ("cash_report", "state", ""): "RAPORT STANU KASY",
    ("cash_report", "shift_close", ""): "ZAMKNIĘCIE ZMIANY",
}


#: The difference's line on a shift close's printout, by ShiftCount.kind.
_DIFFERENCE_WORDS: Final = {"surplus": "NADWYŻKA", "shortage": "NIEDOBÓR", "exact": "ZGODNE"}


def cash_title(detail: DocumentDetail) -> str:
    """The printout title of a stored cash operation or cash report."""
    return TITLES[(detail.doc_type, detail.kind, str(detail.extra.get("purpose") or ""))]


def cash_printout_body(detail: DocumentDetail, state: DrawerState, terminal_name: str) -> list[str]:
    """The lines of a cash operation's or cash report's printout below its head."""
    rule = "-" * PRINT_WIDTH
    lines: list[str] = []
    if detail.doc_type == DOC_CASH_OPERATION:
        # one numbering for all cash operations (the ledger's, per document type):
        # no KP/KW prefix that would suggest two separate series
        lines.append(paper.fit("Operacja kasowa nr", f"{detail.number:06d}"))
        lines.append(paper.fit("Kwota", paper.amount(detail.total)))
        reason = str(detail.extra.get("reason") or "")
        if reason:
            lines.append("Powód: " + reason[: PRINT_WIDTH - 7])
            lines += [reason[i : i + PRINT_WIDTH] for i in range(PRINT_WIDTH - 7, len(reason), PRINT_WIDTH)]
        lines.append(rule)
        lines.append(paper.fit("GOTÓWKA W KASIE", paper.amount(state.cash)))
    else:
        extra = detail.extra
        lines.append(paper.fit("Raport nr", f"{detail.number:06d}"))
        lines.append(paper.fit("Zmiana od", parse_time(extra["shift_started_at"]).astimezone(
            detail.created_local.tzinfo).strftime("%Y-%m-%d %H:%M")))
        lines.append(rule)
        lines.append(paper.fit("Stan początkowy", paper.amount(extra["opening"])))
        lines.append(paper.fit("Sprzedaż gotówkowa", paper.amount(extra["cash_sales"])))
        lines.append(paper.fit("Zwroty gotówkowe", paper.amount(extra["cash_refunds"])))
        lines.append(paper.fit("Wpłaty", paper.amount(extra["deposits"])))
        lines.append(paper.fit("Wypłaty", paper.amount(extra["withdrawals"])))
        lines.append(rule)
        count = count_of(detail)
        if count is None:
            lines.append(paper.fit("GOTÓWKA W KASIE", paper.amount(detail.total)))
        else:
            lines.append(paper.fit("POWINNO BYĆ W KASIE", paper.amount(count.expected)))
            lines.append(paper.fit("POLICZONO", paper.amount(count.counted)))
            lines.append(paper.fit(_DIFFERENCE_WORDS[count.kind], paper.signed(count.difference)))
    lines.append(rule)
    lines.append(paper.fit(f"Kasjer: {detail.cashier_name}", terminal_name))
    lines += printout_lines(authorisations_of(detail.extra), PRINT_WIDTH)
    return lines


__all__ = ["TITLES", "cash_printout_body", "cash_title"]
