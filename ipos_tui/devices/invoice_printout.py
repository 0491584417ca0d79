"""The printed body of an invoice ("Faktura do paragonu") and of a correcting invoice
for the 40-column printer: parties, goods, the per-rate table, totals and payments.

The till's invoice use cases (:mod:`ipos_tui.till.invoices`) build the documents;
this module only lays them out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ipos_tui.devices import paper
from ipos_tui.devices.paper import PRINT_WIDTH
from ipos_tui.domain.nip import nip_text
from ipos_tui.domain.quantity import format_quantity
from ipos_tui.domain.receipt_code import ReceiptCode
from ipos_tui.domain.vat import VatTotal, letter_label
from ipos_tui.domain.records import Buyer, Company, DocumentDetail, document_number_text
from ipos_tui.store.timeutil import parse_time
from ipos_tui.store.vat_table import document_rates




def parties(company: Company | None, buyer: Buyer | None, width: int = PRINT_WIDTH) -> list[str]:
    """The seller and buyer blocks of an invoice: name, address, NIP."""
    out = ["Sprzedawca:"]
    if company is not None:
        out += paper.wrapped(company.name, width) + paper.wrapped(company.address, width)
        out.append(f"  NIP: {nip_text(company.nip)}")
    out.append("Nabywca:")
    if buyer is not None:
        out += paper.wrapped(buyer.name, width) + paper.wrapped(buyer.address, width)
        out.append(f"  NIP: {nip_text(buyer.nip)}")
    return out


def rate_table(rows: Iterable[tuple[str, int, int, int]], width: int = PRINT_WIDTH) -> list[str]:
    """Rows of (label, net, VAT, gross) under the header "Stawka Netto VAT Brutto"."""
    cell = max(8, (width - 6) // 3)

    def row(first: str, *cells: str) -> str:
        return (first[:6].ljust(6) + "".join(c.rjust(cell) for c in cells))[:width].rstrip()

    out = [row("Stawka", "Netto", "VAT", "Brutto")]
    for label, net, vat, gross in rows:
        out.append(row(label, paper.amount(net), paper.amount(vat), paper.amount(gross)))
    return out


def _per_rate_rows(vat: Mapping[str, VatTotal], rates: Mapping[str, int | None]) -> list[tuple[str, int, int, int]]:
    """Net / VAT / gross per letter, labelled with the rate the document used."""
    rows = [(f"{letter} {letter_label(letter, rates)}".rstrip(), t.net, t.vat, t.gross)
            for letter, t in sorted(vat.items())]
    totals = vat.values()
    rows.append(("Razem", sum(t.net for t in totals), sum(t.vat for t in totals),
                 sum(t.gross for t in totals)))
    return rows


def _payment_lines(detail: DocumentDetail, width: int, label: str) -> list[str]:
    out = []
    for payment in detail.payments:
        out.append(paper.fit(f"{label}: {payment.name}", paper.amount(payment.amount - payment.change), width))
    return out


def render_invoice(detail: DocumentDetail, company: Company | None, width: int = PRINT_WIDTH) -> list[str]:
    """The body of a "Faktura do paragonu": number, dates, the receipt, seller and
    buyer with NIP, the goods (gross prices, as on the receipt), net / VAT / gross per
    rate, the total and how it was paid."""
    receipt = detail.extra.get("receipt") or {}
    sold = parse_time(receipt["created_local"]) if receipt.get("created_local") else detail.created_local
    out = [f"Nr {detail.invoice_number}"[:width]]
    out.append(paper.fit("Data wystawienia:", detail.created_local.strftime("%Y-%m-%d"), width))
    out.append(paper.fit("Data sprzedaży:", sold.strftime("%Y-%m-%d"), width))
    if receipt:
        code = ReceiptCode(int(receipt["terminal_id"]), int(receipt["number"])).text
        out.append(paper.fit("Do paragonu fiskalnego:", code, width))
        out.append(paper.fit("  z dnia", sold.strftime("%Y-%m-%d %H:%M"), width))
        if receipt.get("returns"):  # what the buyer kept: the receipt less its returns
            out.append("  pomniejszonego o zwrot towaru"[:width])
    out.append("-" * width)
    out += parties(company, detail.buyer, width)
    out.append("-" * width)
    out.append(paper.fit("Nazwa / ilość x cena brutto", "Wartość", width))
    for number, line in enumerate(detail.lines, start=1):
        out.append(f"{number}. {line.name}"[:width])
        qty = format_quantity(line.qty, line.precision)
        out.append(paper.fit(f"  {qty} {line.unit} x {paper.amount(line.unit_price)}",
                        f"{paper.amount(line.value)} {line.vat_letter}", width))
        if line.discount:
            out.append(paper.fit("  w tym rabat", f"-{paper.amount(line.discount)}", width))
    out.append("-" * width)
    out += rate_table(_per_rate_rows(detail.vat, document_rates(detail.extra)), width)
    out.append("-" * width)
    out.append(paper.fit("RAZEM PLN", paper.amount(detail.total), width))
    out += _payment_lines(detail, width, "Sposób zapłaty")
    out.append("Zapłacono przy paragonie.")
    out.append("-" * width)
    out.append(paper.fit(f"Wystawił: {detail.cashier_name}", f"Kasa {detail.terminal_id}", width))
    return [line.rstrip() for line in out]


def render_correction(detail: DocumentDetail, company: Company | None, width: int = PRINT_WIDTH) -> list[str]:
    """The body of a correcting invoice: its number, the invoice corrected (number,
    dates), seller and buyer with NIP, the reason, each corrected line before / after
    / difference, net / VAT / gross per rate before, after and the difference, the
    refund and how it was paid back."""
    record = detail.extra["correction"]
    original = detail.extra.get("original") or {}
    issued = parse_time(record["invoice_date"])
    sold = parse_time(record["sale_date"])
    out = [f"Nr {detail.invoice_number}"[:width]]
    out.append(paper.fit("Data wystawienia:", detail.created_local.strftime("%Y-%m-%d"), width))
    out.append(paper.fit("Do faktury:", str(record["invoice_number"]), width))
    out.append(paper.fit("  z dnia", issued.strftime("%Y-%m-%d"), width))
    out.append(paper.fit("Data sprzedaży:", sold.strftime("%Y-%m-%d"), width))
    if original:
        code = ReceiptCode(int(original["terminal_id"]), int(original["number"])).text
        out.append(paper.fit("Paragon:", code, width))
    out.append(paper.fit("Zwrot:", document_number_text("return", detail.number), width))
    out.append("-" * width)
    out += parties(company, detail.buyer, width)
    out.append("-" * width)
    out.append(f"Przyczyna korekty: {record['reason']}"[:width])
    out.append("-" * width)
    returned = {line.original_line: line for line in detail.lines}
    for item in record["lines"]:
        line = returned.get(item["index"])
        qty_back = line.qty if line is not None else 0
        value_back = line.value if line is not None else 0
        precision, unit = int(item["precision"]), item["unit"]

        def qty(milli: int) -> str:
            return f"{format_quantity(milli, precision)} {unit}"

        out.append(f"{int(item['index']) + 1}. {item['name']}"[:width])
        out.append(paper.fit(f"  przed: {qty(item['qty_before'])}", f"{paper.amount(item['value_before'])} {item['letter']}", width))
        out.append(paper.fit(f"  po:    {qty(item['qty_before'] - qty_back)}",
                        f"{paper.amount(item['value_before'] - value_back)} {item['letter']}", width))
        out.append(paper.fit(f"  różnica: -{qty(qty_back)}", f"{paper.amount(-value_back)} {item['letter']}", width))
    out.append("-" * width)
    before: dict[str, VatTotal] = {
        letter: VatTotal(letter, int(v["gross_before"]), int(v["vat_before"]))
        for letter, v in record["rates"].items()
    }
    change = {letter: VatTotal(letter, -t.gross, -t.vat) for letter, t in detail.vat.items()}
    after = {
        letter: VatTotal(letter, t.gross + (change[letter].gross if letter in change else 0),
                         t.vat + (change[letter].vat if letter in change else 0))
        for letter, t in before.items()
    }
    for title, table in (("Przed korektą:", before), ("Po korekcie:", after), ("Różnica:", change)):
        out.append(title)
        out += rate_table(_per_rate_rows(table, document_rates(detail.extra)), width)[1 if title != "Przed korektą:" else 0:]
    out.append("-" * width)
    out.append(paper.fit("KWOTA KOREKTY PLN", paper.amount(-detail.total), width))
    out.append(paper.fit("DO ZWROTU PLN", paper.amount(detail.total), width))
    out += _payment_lines(detail, width, "Forma zwrotu")
    out.append("-" * width)
    out.append(paper.fit(f"Wystawił: {detail.cashier_name}", f"Kasa {detail.terminal_id}", width))
    out.append("")
    out.append("Podpis odbiorcy: ....................")
    return [line.rstrip() for line in out]


__all__ = ["parties", "rate_table", "render_correction", "render_invoice"]
