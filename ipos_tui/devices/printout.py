"""Plain-text printouts of stored documents, laid out like a Polish fiscal receipt.

The terminal has no fiscal printer in this build: the "print" is this text,
shown in the preview and saved under ``<data dir>/printouts/``. It is rendered
from the stored document only (never from the live catalogue), so a reprint is
identical to the first print whatever changed since.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from ipos_tui.devices import paper
from ipos_tui.domain.authorisation import authorisations_of, printout_lines
from ipos_tui.domain.document_number import document_number_text
from ipos_tui.domain.nip import nip_text
from ipos_tui.domain.quantity import format_quantity
from ipos_tui.domain.receipt_code import barcode, scan_digits
from ipos_tui.domain.vat import EXEMPT_LABEL, letter_label
from ipos_tui.fileio import write_atomic
from ipos_tui.domain.records import (
    Company,
    DocumentDetail,
    DocumentLine,
    Store,
    TerminalInfo,
)
from ipos_tui.store.vat_table import document_rates

PRINTOUT_DIR: Final = "printouts"
_TITLES: Final = {
    "paragon": "PARAGON FISKALNY",
    "paragon_nip": "PARAGON FISKALNY",
    "faktura": "FAKTURA",
}


def _header(
    detail: DocumentDetail,
    company: Company | None,
    store: Store | None,
    width: int,
    header_lines: Sequence[str] = (),
) -> list[str]:
    """The back office's header lines, seller block, date and number, title, buyer block."""
    out: list[str] = []
    for text in header_lines:  # each line centred, cut to the paper (never wrapped)
        text = " ".join(text.split())[:width]
        if text:
            out.append(text.center(width).rstrip())
    if company is not None:
        out += paper.centred(company.name, width) + paper.centred(company.address, width)
        out += paper.centred(f"NIP {nip_text(company.nip)}", width)
    if store is not None:
        out += paper.centred(store.name, width)
        if store.address and (company is None or store.address != company.address):
            out += paper.centred(store.address, width)
    out.append(
        # a Faktura's number in its own series is marked ("Nr: F000001")
        paper.fit(detail.created_local.strftime("%Y-%m-%d %H:%M"),
             f"Nr: {document_number_text(detail.doc_type, detail.number)}", width)
    )
    out += paper.centred(_TITLES.get(detail.kind, "PARAGON"), width)
    if detail.invoice_number:
        # an invoice's own number, and its dates (sale and issue: the same day at the till)
        out += paper.centred(f"Nr {detail.invoice_number}", width)
        day = detail.created_local.strftime("%Y-%m-%d")
        out.append(paper.fit("Data sprzedaży:", day, width))
        out.append(paper.fit("Data wystawienia:", day, width))
    buyer = detail.buyer
    if buyer is not None and detail.kind == "paragon_nip":
        out.append(f"NIP nabywcy: {nip_text(buyer.nip)}"[:width])
    elif buyer is not None and detail.invoice_number:
        # an invoice names both parties with their NIP under their labels
        from ipos_tui.devices.invoice_printout import parties

        out += parties(company, buyer, width)
    elif buyer is not None:
        out.append("Nabywca:")
        for text in (buyer.name, buyer.address):
            out += textwrap.wrap(text, width)
        out.append(f"NIP: {nip_text(buyer.nip)}"[:width])
    return out


def _line(line: DocumentLine, width: int) -> list[str]:
    """One sold item: name, then "qty unit x price   gross letter", then its discount."""
    qty = format_quantity(line.qty, line.precision)
    out = [line.name[:width]]
    out.append(
        paper.fit(
            f"  {qty} {line.unit} x {paper.amount(line.unit_price)}",
            f"{paper.amount(line.gross)} {line.vat_letter}",
            width,
        )
    )
    if line.line_discount:
        out.append(paper.fit("  Rabat", f"-{paper.amount(line.line_discount)}", width - 2))
    return out


def _totals(detail: DocumentDetail, width: int) -> list[str]:
    """Receipt discount, taxable sales and PTU per letter, SUMA PTU, SUMA PLN."""
    out: list[str] = []
    receipt_discount = sum(line.receipt_discount for line in detail.lines)
    if receipt_discount:
        out.append(paper.fit("Rabat od paragonu", f"-{paper.amount(receipt_discount)}", width))
    rates = document_rates(detail.extra)  # the rates it was sold at, whatever changed since
    for letter, total in detail.vat.items():
        label = letter_label(letter, rates)
        if label == EXEMPT_LABEL:
            out.append(paper.fit(f"SPRZEDAŻ ZWOLNIONA {letter}", paper.amount(total.gross), width))
            continue
        out.append(paper.fit(f"SPRZEDAŻ OPODATKOWANA {letter}", paper.amount(total.gross), width))
        out.append(paper.fit(f"PTU {letter} {label}", paper.amount(total.vat), width))
    out.append(paper.fit("SUMA PTU", paper.amount(sum(t.vat for t in detail.vat.values())), width))
    out.append(paper.fit("SUMA PLN", paper.amount(detail.total), width))
    if detail.invoice_number:
        out += _invoice_rates(detail, width)
    return out


def _invoice_rates(detail: DocumentDetail, width: int) -> list[str]:
    """An invoice's net / VAT / gross per rate, and their sums (one line per rate)."""
    columns = ("Stawka", "Netto", "VAT", "Brutto")
    cell = max(8, (width - 6) // 3)

    def row(first: str, *amounts: str) -> str:
        return (first[:6].ljust(6) + "".join(a.rjust(cell) for a in amounts))[:width]

    out = ["-" * width, row(*columns)]
    rates = document_rates(detail.extra)
    for letter, total in detail.vat.items():
        out.append(row(f"{letter} {letter_label(letter, rates)}", paper.amount(total.net), paper.amount(total.vat),
                       paper.amount(total.gross)))
    totals = detail.vat.values()
    out.append(row("Razem", paper.amount(sum(t.net for t in totals)), paper.amount(sum(t.vat for t in totals)),
                   paper.amount(sum(t.gross for t in totals))))
    return out


def _deposits(detail: DocumentDetail, width: int) -> list[str]:
    """The deposits ("kaucja") charged with the sale, apart from the fiscal part (no
    VAT, not in SUMA PLN), and what the customer paid: SUMA PLN + deposits."""
    deposit = detail.extra.get("deposit")
    if not deposit:
        return []
    out = ["-" * width, "KAUCJA (opakowania zwrotne, poza VAT)"[:width]]
    for item in deposit["lines"]:
        out.append(str(item["name"])[:width])
        out.append(paper.fit(f"  {item['qty']} szt. x {paper.amount(item['unit'])}", paper.amount(item["value"]), width))
    out.append(paper.fit("KAUCJA RAZEM", paper.amount(deposit["total"]), width))
    out.append(paper.fit("DO ZAPŁATY", paper.amount(detail.total + deposit["total"]), width))
    return out


def _payments(detail: DocumentDetail, width: int) -> list[str]:
    """Tenders as handed over, then the change (an invoice says how it was paid)."""
    out = ["Sposób zapłaty:"] if detail.invoice_number else []
    out += [
        paper.fit(payment.name.capitalize(), paper.amount(payment.amount), width)
        for payment in detail.payments
    ]
    if detail.change:
        out.append(paper.fit("Reszta", paper.amount(detail.change), width))
    if detail.invoice_number:
        out.append("Zapłacono w całości.")
    return out


def render_receipt(
    detail: DocumentDetail,
    company: Company | None,
    store: Store | None,
    terminal_info: TerminalInfo | None,
    width: int = 40,
    header_lines: Sequence[str] = (),
) -> str:
    """The printout of a stored document as text lines of at most ``width`` characters;
    ``header_lines`` (the synced receipt header) are printed first, centred."""
    rule = "-" * width
    lines = _header(detail, company, store, width, header_lines)
    lines.append(rule)
    for item in detail.lines:
        lines += _line(item, width)
    lines.append(rule)
    lines += _totals(detail, width)
    lines += _deposits(detail, width)
    lines.append(rule)
    lines += _payments(detail, width)
    lines.append(rule)
    terminal_name = (
        terminal_info.name if terminal_info is not None else f"Kasa {detail.terminal_id}"
    )
    lines.append(paper.fit(f"Kasjer: {detail.cashier_name}", terminal_name, width))
    lines += printout_lines(authorisations_of(detail.extra), width)
    lines.append(paper.fit(f"Kod: {detail.code}", detail.created_local.strftime("%H:%M:%S"), width))
    lines += _code_barcode(detail, width)
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _code_barcode(detail: DocumentDetail, width: int) -> list[str]:
    """The receipt code as a barcode, with the digits a scanner types under it: the
    return key reads either (see :mod:`ipos_tui.domain.receipt_code`)."""
    if detail.terminal_id <= 0 or detail.number <= 0:
        return []
    return [
        barcode(detail.terminal_id, detail.number, detail.doc_type).center(width).rstrip(),
        scan_digits(detail.terminal_id, detail.number, detail.doc_type).center(width).rstrip(),
    ]


def printout_path(data_dir: Path, detail: DocumentDetail) -> Path:
    """Where a stored document's printout is kept: ``data_dir/printouts/<type>-<number>.txt``."""
    return Path(data_dir) / PRINTOUT_DIR / f"{detail.doc_type}-{detail.number:06d}.txt"


def save_printout(data_dir: Path, detail: DocumentDetail, text: str) -> Path:
    """Write ``text`` to :func:`printout_path` atomically; return the path.

    A reprint overwrites the same file; a crash mid-write never leaves half a printout.
    """
    path = printout_path(data_dir, detail)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text)
    return path
