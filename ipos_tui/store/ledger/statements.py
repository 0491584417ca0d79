"""The ledger's constant SQL and the JSON of its VAT column.

The commit is the till's hot write path, so its statements are constant SQL run
on the connection's cursor (``execute``/``executemany``) rather than ORM
inserts: building the SQL in peewee made a 20-line receipt ~3x slower than the
same statements run directly. The insert statements are derived once from the
models' own table and column names, so they cannot drift from the models.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Final

from ipos_tui.domain.vat import VatTotal
from ipos_tui.store.models import DocumentLineRow, DocumentPaymentRow, DocumentRow
from ipos_tui.store.rows import LINE_ITEM_COLUMNS, insert_sql

#: SQLite's default limit of host parameters is far above this; chunks keep
#: statements short for very long uuid lists.
CHUNK: Final = 500


DOCUMENT_COLUMNS: Final = (
    "uuid",
    "doc_type",
    "number",
    "kind",
    "created_utc",
    "created_local",
    "cashier_id",
    "cashier_name",
    "store_id",
    "terminal_id",
    "total",
    "discount_total",
    "vat",
    "buyer_nip",
    "buyer_name",
    "buyer_address",
    "upload_state",
    "upload_attempts",
    "extra",
)
#: A ledger line: its document and place, the item (shared with the parked lines),
#: then what the sale made of it.
LINE_COLUMNS: Final = (
    "document_id",
    "position",
    *LINE_ITEM_COLUMNS,
    "gross",
    "line_discount",
    "receipt_discount",
    "value",
)
PAYMENT_COLUMNS: Final = ("document_id", "position", "method", "name", "amount", "change")

#: The commit's statements, built once (the parameter tuples below follow the
#: column tuples above, in order).
INSERT_DOCUMENT: Final = insert_sql(DocumentRow, DOCUMENT_COLUMNS)
INSERT_LINE: Final = insert_sql(DocumentLineRow, LINE_COLUMNS)
INSERT_PAYMENT: Final = insert_sql(DocumentPaymentRow, PAYMENT_COLUMNS)
INSERT_DRAFT: Final = insert_sql(DocumentRow, DOCUMENT_COLUMNS)
INSERT_DRAFT_LINE: Final = insert_sql(DocumentLineRow, (*LINE_COLUMNS, "original_line"))
NEXT_NUMBER: Final = (
    "INSERT INTO number_sequence (doc_type, last_number) VALUES (?, 1) "
    "ON CONFLICT (doc_type) DO UPDATE SET last_number = last_number + 1 "
    "RETURNING last_number"
)
RECORD_SALE: Final = (
    "INSERT INTO product_sales (product_id, sale_count, qty_sold) VALUES (?, 1, ?) "
    "ON CONFLICT (product_id) DO UPDATE SET sale_count = sale_count + 1, "
    "qty_sold = qty_sold + excluded.qty_sold"
)


def vat_json(vat: dict[str, VatTotal]) -> str:
    """Per-letter VAT as stored: {"A": {"gross": .., "vat": .., "net": ..}, ...}."""
    return json.dumps(
        {letter: {"gross": t.gross, "vat": t.vat, "net": t.net} for letter, t in vat.items()},
        sort_keys=True,
    )


def vat_from_json(text: str) -> dict[str, VatTotal]:
    """The VatTotal map of a stored VAT column."""
    data = json.loads(text)
    return {
        letter: VatTotal(letter, item["gross"], item["vat"])
        for letter, item in sorted(data.items())
    }


def chunks(items: list[str]) -> Iterable[list[str]]:
    """``items`` in slices of at most ``CHUNK``."""
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
