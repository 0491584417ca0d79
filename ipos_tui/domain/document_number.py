"""A document's number as the till prints and lists it, and as iPOS web shows it."""

from __future__ import annotations

from typing import Final

#: The mark of each document type's own gapless series ("Z000001" is a return), so a
#: list of several types never shows two "000001" rows that mean different things.
NUMBER_PREFIXES: Final = {"receipt": "", "sale_invoice": "F", "return": "Z", "cash_operation": "KO", "cash_report": "RK",
                          "daily_report": "RD", "invoice": "FP"}


def document_number_text(doc_type: str, number: int) -> str:
    """A document's number as lists, titles and messages show it: "000012" (receipt),
    "Z000001" (return), "KO000003" (cash operation: opening, deposit, withdrawal),
    "RK000002" (cash report, shift close), "RD0001" (daily report)."""
    digits = 4 if doc_type == "daily_report" else 6
    return f"{NUMBER_PREFIXES.get(doc_type, '')}{number:0{digits}d}"
