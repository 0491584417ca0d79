"""The receipt code as printed, typed and scanned, and its console-safe barcode."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.receipt_code import (
    ReceiptCode,
    barcode,
    parse_receipt_code,
    read_barcode,
    scan_digits,
)
from ipos_tui.domain.records import document_code

GLYPHS = Path(__file__).resolve().parents[2] / "data" / "linux-console-glyphs.txt"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("K3-000012", ReceiptCode(3, 12)),
        ("k3-12", ReceiptCode(3, 12)),
        ("3-12", ReceiptCode(3, 12)),
        (" K12 - 7 ", ReceiptCode(12, 7)),
        ("3/12", ReceiptCode(3, 12)),
        ("12", ReceiptCode(1, 12)),  # a bare number is a receipt of this till
        (scan_digits(3, 12), ReceiptCode(3, 12)),
        (scan_digits(123, 4_567_890), ReceiptCode(123, 4_567_890)),
        # a Faktura sold at the till: its own numbering, marked "F" (digits: a leading 0)
        ("K3-F000012", ReceiptCode(3, 12, "sale_invoice")),
        ("k3-f12", ReceiptCode(3, 12, "sale_invoice")),
        ("F12", ReceiptCode(1, 12, "sale_invoice")),
        (scan_digits(3, 12, "sale_invoice"), ReceiptCode(3, 12, "sale_invoice")),
    ],
)
def test_typed_and_scanned_forms(text: str, expected: ReceiptCode) -> None:
    assert parse_receipt_code(text, own_terminal=1) == expected


@pytest.mark.parametrize("text", ["", "K", "abc", "K3-", "K3-12a", "KX-12", "K0-12", "K3-0", "0",
                                  "3-12-1", "1234567890", "K3-FF12", "F", "F0", "K3-F0", "0130000124"])
def test_bad_codes_are_refused_with_the_code(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_receipt_code(text, own_terminal=1)
    assert caught.value.key == "ret.err.code_invalid"
    assert caught.value.params == {"code": text.strip()}


def test_a_bare_number_needs_to_know_the_till() -> None:
    with pytest.raises(DomainError):
        parse_receipt_code("12")


def test_a_misread_digit_or_swap_is_refused() -> None:
    good = scan_digits(3, 12)
    wrong_digit = good[:-2] + str((int(good[-2]) + 1) % 10) + good[-1]
    assert good == "130000123"
    swapped = "130000213"  # neighbours 1 and 2 swapped
    for bad in (wrong_digit, swapped):
        with pytest.raises(DomainError):
            parse_receipt_code(bad, own_terminal=1)


def test_text_form_matches_the_ledger_code() -> None:
    assert ReceiptCode(3, 12).text == document_code(3, 12) == "K3-000012"
    assert ReceiptCode(3, 12, "sale_invoice").text == document_code(3, 12, "sale_invoice") == "K3-F000012"


def test_a_fakturas_code_never_reads_as_the_receipt_of_the_same_number() -> None:
    receipt, invoice = scan_digits(3, 12), scan_digits(3, 12, "sale_invoice")
    assert invoice == "0" + receipt
    assert parse_receipt_code(read_barcode(barcode(3, 12, "sale_invoice"))) == ReceiptCode(3, 12, "sale_invoice")
    assert parse_receipt_code(read_barcode(barcode(3, 12))) == ReceiptCode(3, 12)


@given(st.integers(1, 99_999), st.integers(1, 99_999_999), st.sampled_from(["receipt", "sale_invoice"]))
def test_the_barcode_reads_back_to_the_scan_form(terminal: int, number: int, doc_type: str) -> None:
    row = barcode(terminal, number, doc_type)
    digits = read_barcode(row)
    assert digits == scan_digits(terminal, number, doc_type)
    assert parse_receipt_code(digits, own_terminal=1) == ReceiptCode(terminal, number, doc_type)
    assert len(row) <= 40


def test_the_barcode_uses_console_glyphs_only() -> None:
    allowed = set(GLYPHS.read_text("utf-8").splitlines()[3])
    row = barcode(7, 123_456)
    assert set(row) <= allowed
    assert len(set(row)) >= 3  # a real pattern, not one repeated glyph


def test_a_damaged_barcode_is_not_read() -> None:
    row = barcode(3, 12)
    for damaged in (row[1:], row[:-1], row[:5] + "x" + row[6:], row[:4] + row[5] + row[4] + row[6:]):
        if damaged == row:
            continue
        with pytest.raises(DomainError):
            read_barcode(damaged)


def test_every_receipt_prints_its_code_as_text_and_as_a_barcode(demo_terminal, sell) -> None:  # type: ignore[no-untyped-def]
    from ipos_tui.devices.printout import render_receipt

    stored = sell([("1", 1000)])
    detail = demo_terminal.ledger.get_document(stored.uuid)
    settings = demo_terminal.settings
    text = render_receipt(detail, settings.company(), settings.store(), settings.terminal_info())
    lines = text.splitlines()
    assert any(line.startswith(f"Kod: {stored.code}") for line in lines)
    (bars,) = [line for line in lines if line.strip().startswith("\u2503")]
    scanned = read_barcode(bars)
    assert scanned in text  # the digits are printed under the bars, as on an EAN label
    assert parse_receipt_code(scanned, own_terminal=99) == ReceiptCode(stored.terminal_id, stored.number)
