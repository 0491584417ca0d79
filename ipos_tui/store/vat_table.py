"""The VAT rates in force on the till, and the rates each document kept.

The rates in force are the ones the till last wrote to its fiscal printer's PTU table
(:mod:`ipos_tui.devices.printer`), never the table synced from the back office:
synced rates wait in the catalogue until the next day close writes them to the
printer right after the daily report (the day's totals are zero then). Before the
printer was ever used, it is the table the printer would take on first use (the
catalogue's rates, or the standard Polish ones).

Every committed receipt and return keeps the rates of the letters it used in its
``extra`` (``"vat_rates": {"A": 2300, "E": null}``); printouts, returns of it and
reports compute from that snapshot, so a reprint or a report made after a rate
change says what was sold. Documents stored before the snapshot existed were
computed with the standard table (:data:`ipos_tui.domain.vat.VAT_RATES`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from peewee import SqliteDatabase

from ipos_tui.domain.vat import PTU_LETTERS, VAT_RATES

#: Key of a document's ``extra`` holding the rates it used (letter → basis points).
RATES_KEY: Final = "vat_rates"


def effective_rates(db: SqliteDatabase) -> dict[str, int | None]:
    """The rates the till sells at now: letter → basis points (None = exempt).

    The printer's PTU table once it has one; before its first use the table it will
    be initialised with (the catalogue's rates, else the standard ones).
    """
    if db.execute_sql("SELECT 1 FROM printer_state WHERE id = 1").fetchone():
        rows = db.execute_sql("SELECT letter, rate_bp FROM printer_vat ORDER BY letter").fetchall()
        return {letter: rate for letter, rate in rows}
    rows = db.execute_sql("SELECT letter, rate_bp FROM vat_rate ORDER BY letter").fetchall()
    initial = {letter: rate for letter, rate in rows if letter in PTU_LETTERS}
    return initial or dict(VAT_RATES)


def snapshot(rates: Mapping[str, int | None], letters: Iterable[str]) -> dict[str, int | None]:
    """The rates of ``letters`` as a document keeps them (letters the table lacks left out)."""
    return {letter: rates[letter] for letter in sorted(set(letters)) if letter in rates}


def document_rates(extra: Mapping[str, Any]) -> dict[str, int | None]:
    """The rates a stored document used: its snapshot, or the standard table for a
    document stored before documents kept their rates."""
    kept = extra.get(RATES_KEY)
    if isinstance(kept, Mapping):
        return {str(letter): (None if rate is None else int(rate)) for letter, rate in kept.items()}
    return dict(VAT_RATES)


__all__ = ["RATES_KEY", "document_rates", "effective_rates", "snapshot"]
