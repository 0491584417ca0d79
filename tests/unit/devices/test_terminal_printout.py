"""The text printout of stored documents and where it is saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from terminal_support import CASHIER, NOW, receipt_of

from ipos_tui.devices.printout import render_receipt, save_printout
from ipos_tui.domain.receipt import Discount, Payment
from ipos_tui.store.db import Terminal
from ipos_tui.domain.records import Buyer, DocumentDetail


def _commit(
    terminal: Terminal, kind: str = "paragon", buyer: Buyer | None = None
) -> DocumentDetail:
    service = terminal.catalog.search("usluga pocztowa")[0]
    receipt = receipt_of(
        terminal,
        [("1", 2000), ("201", 1234), ("1401", 3000), (service.plu, 1000)],
        receipt_discount=Discount("percent", 1000),
    )
    receipt.set_line_discount(0, Discount("amount", 100))
    change = 10000 - (receipt.total - 1000)
    payments = [Payment("bon", "bon", 1000), Payment("gotowka", "gotówka", 10000, change)]
    stored = terminal.ledger.commit_receipt(
        receipt, payments, kind=kind, buyer=buyer, cashier=CASHIER, now=NOW
    )  # type: ignore[arg-type]
    return terminal.ledger.get_document(stored.uuid)


def _render(terminal: Terminal, detail: DocumentDetail, width: int = 40) -> str:
    settings = terminal.settings
    return render_receipt(
        detail, settings.company(), settings.store(), settings.terminal_info(), width
    )


def test_receipt_layout(demo_terminal: Terminal) -> None:
    detail = _commit(demo_terminal)
    text = _render(demo_terminal, detail)
    lines = text.splitlines()
    assert all(len(line) <= 40 for line in lines)
    assert "PARAGON FISKALNY" in text and "NIP nabywcy" not in text
    assert "NIP 526-104-57-31" in text and "Sklep Centrum" in text
    assert "2026-11-26 12:04" in text and "Nr: 000001" in text
    assert "Mleko 3,2% 1l" in lines
    assert any(line.startswith("  2 szt. x 3,49") and line.endswith("6,98 C") for line in lines)
    assert any(line.startswith("  1,234 kg x 4,99") and line.endswith("6,16 C") for line in lines)
    assert any(line.strip().startswith("Rabat") and line.endswith("-1,00") for line in lines)
    assert "PTU A 23%" in text and "PTU C 5%" in text and "SPRZEDAŻ ZWOLNIONA E" in text
    assert "PTU E" not in text
    suma = next(line for line in lines if line.startswith("SUMA PLN"))
    assert suma.endswith(f"{detail.total // 100},{detail.total % 100:02d}")
    assert any(
        line.startswith("Reszta")
        and line.endswith(f"{detail.change // 100},{detail.change % 100:02d}")
        for line in lines
    )
    assert "Kod: K1-000001" in text and "Kasjer: Anna Kowalska" in text and "Kasa 1" in text


@pytest.mark.parametrize("width", [32, 40, 48])
def test_every_line_fits_the_paper(demo_terminal: Terminal, width: int) -> None:
    text = _render(demo_terminal, _commit(demo_terminal), width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert "Warszawa" in text  # long addresses wrap instead of being cut


def test_receipt_with_nip_and_invoice(demo_terminal: Terminal) -> None:
    nip_receipt = _render(demo_terminal, _commit(demo_terminal, "paragon_nip", Buyer("5261045731")))
    assert "PARAGON FISKALNY" in nip_receipt and "NIP nabywcy: 526-104-57-31" in nip_receipt
    invoice = _render(
        demo_terminal,
        _commit(demo_terminal, "faktura", Buyer("5261045731", "Firma Test", "ul. Prosta 1")),
    )
    assert "FAKTURA" in invoice and "Nabywca:" in invoice and "Firma Test" in invoice
    assert "NIP: 526-104-57-31" in invoice and "Nr: F000001" in invoice
    # the invoice's own number and its sale and issue dates (issue 14, item 3)
    lines = invoice.splitlines()
    assert "Nr FV/K1/11/2026/0001" in [line.strip() for line in lines]
    assert "Data sprzedaży:" in invoice and "Data wystawienia:" in invoice
    assert any(line.startswith("Data wystawienia:") and line.endswith("2026-11-26") for line in lines)
    assert "FV/" not in nip_receipt
    # net / VAT / gross per rate and their sums, in 40 columns
    assert any(line.split()[:4] == ["Stawka", "Netto", "VAT", "Brutto"] for line in lines)
    razem = next(line for line in lines if line.startswith("Razem"))
    assert all(len(line) <= 40 for line in lines)
    net, vat, gross = razem.split()[1:]
    to_grosze = lambda text: int(text.replace(",", "").replace("-", ""))  # noqa: E731
    assert to_grosze(net) + to_grosze(vat) == to_grosze(gross)
    assert "Razem" not in nip_receipt


def test_reprint_is_identical_after_catalogue_changes(demo_terminal: Terminal) -> None:
    detail = _commit(demo_terminal)
    first = _render(demo_terminal, detail)
    demo_terminal.catalog.delete_products([1])
    assert _render(demo_terminal, demo_terminal.ledger.get_document(detail.uuid)) == first


def test_save_printout(demo_terminal: Terminal, tmp_path: Path) -> None:
    detail = _commit(demo_terminal)
    text = _render(demo_terminal, detail)
    path = save_printout(tmp_path, detail, text)
    assert path == tmp_path / "printouts" / "receipt-000001.txt"
    assert path.read_text("utf-8") == text
    assert list(path.parent.iterdir()) == [path]


def _with_header(terminal: Terminal, header: object) -> None:
    import dataclasses

    from ipos_tui.demo.terminal import demo_snapshot

    snapshot = demo_snapshot()
    settings = {**snapshot.settings, "receipt_header": header}
    terminal.catalog.replace_all(dataclasses.replace(snapshot, settings=settings))


def test_receipt_header_lines_print_first_centred_and_cut_to_the_paper(
    demo_terminal: Terminal,
) -> None:
    long = "Zapraszamy codziennie od 6:00 do 22:00 oprócz niedziel i świąt"
    _with_header(demo_terminal, f"  Dziękujemy za zakupy  \n\n{long}")
    settings = demo_terminal.settings
    assert settings.receipt_header() == ["Dziękujemy za zakupy", long]
    detail = _commit(demo_terminal)
    text = render_receipt(
        detail, settings.company(), settings.store(), settings.terminal_info(),
        header_lines=settings.receipt_header(),
    )
    lines = text.splitlines()
    assert all(len(line) <= 40 for line in lines)
    assert lines[0].strip() == "Dziękujemy za zakupy"
    assert lines[0].startswith("  ")  # centred
    assert lines[1] == long[:40]
    assert "NIP 526-104-57-31" in lines[3] or "NIP 526-104-57-31" in text.split(long[:40])[1]


def test_no_receipt_header_prints_the_seller_first(demo_terminal: Terminal) -> None:
    _with_header(demo_terminal, "")
    assert demo_terminal.settings.receipt_header() == []
    _with_header(demo_terminal, 12)  # a malformed value prints nothing, never fails
    assert demo_terminal.settings.receipt_header() == []
    detail = _commit(demo_terminal)
    company = demo_terminal.settings.company()
    assert company is not None
    text = _render(demo_terminal, detail)
    assert text.splitlines()[0].strip() == company.name[:40]
