"""The printout of a return (non-fiscal, in Polish): which receipt, what came back,
the refund, and the customer's signature."""

from __future__ import annotations

from typing import Final

from ipos_tui.devices import paper
from ipos_tui.devices.paper import PRINT_WIDTH
from ipos_tui.domain.authorisation import authorisations_of, printout_lines
from ipos_tui.domain.quantity import format_quantity
from ipos_tui.domain.receipt_code import ReceiptCode
from ipos_tui.domain.records import DocumentDetail, document_number_text
from ipos_tui.domain.vat import letter_label
from ipos_tui.store.vat_table import document_rates

#: The title of a return printout.
RETURN_TITLE: Final = "ZWROT TOWARU"


def render_return(detail: DocumentDetail, width: int = PRINT_WIDTH) -> list[str]:
    """The body of a return printout: which receipt, what came back, the refund."""
    original = detail.extra.get("original") or {}
    out = [paper.fit(f"Zwrot nr {document_number_text('return', detail.number)}", detail.created_local.strftime("%Y-%m-%d %H:%M"), width)]
    if original:
        code = ReceiptCode(int(original["terminal_id"]), int(original["number"]),
                           str(original.get("type", "receipt")))
        out.append(paper.fit("Do paragonu", code.text, width))
    if detail.invoice_number:
        out.append(paper.fit("Korekta:", detail.invoice_number, width))
    out.append("-" * width)
    for line in detail.lines:
        qty = format_quantity(line.qty, line.precision)
        out.append(line.name[:width])
        out.append(paper.fit(f"  {qty} {line.unit} x {paper.amount(line.unit_price)}",
                        f"-{paper.amount(line.gross)} {line.vat_letter}", width))
        if line.line_discount:
            out.append(paper.fit("  Rabat", f"+{paper.amount(line.line_discount)}", width - 2))
    out.append("-" * width)
    rates = document_rates(detail.extra)
    for letter, total in detail.vat.items():
        label = letter_label(letter, rates)
        out.append(paper.fit(f"ZWROT {letter} {label}".rstrip(), f"-{paper.amount(total.gross)}", width))
        if total.vat:
            out.append(paper.fit(f"  w tym PTU {letter}", f"-{paper.amount(total.vat)}", width))
    out.append(paper.fit("DO ZWROTU PLN", paper.amount(detail.total), width))
    for payment in detail.payments:
        out.append(paper.fit(f"Zwrot: {payment.name}", paper.amount(payment.amount - payment.change), width))
    out.append("-" * width)
    out.append(paper.fit(f"Kasjer: {detail.cashier_name}", f"Kasa {detail.terminal_id}", width))
    out += printout_lines(authorisations_of(detail.extra), width)
    out.append("")
    out.append("Podpis klienta: ....................")
    return [line.rstrip() for line in out]


__all__ = ["RETURN_TITLE", "render_return"]
