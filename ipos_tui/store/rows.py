"""From records to rows and back: constant INSERT statements derived from the models,
and the one conversion of a receipt line's item columns shared by the ledger's
``document_line`` and the open receipts' ``parked_line``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any, Final

from peewee import Model

from ipos_tui.store.models import ReceiptLineColumns


def insert_sql(model: type[Model], columns: Sequence[str]) -> str:
    """Constant ``INSERT INTO <table> (<columns>) VALUES (?, ...)`` of ``model``.

    Table and column names come from the model, and the check runs once at
    import: a column the model does not have, or a NOT NULL column left out of
    ``columns``, fails loudly instead of producing a statement that drifted
    from the schema.
    """
    meta = model._meta
    unknown = [name for name in columns if name not in meta.fields]
    if unknown:
        raise ValueError(f"{meta.table_name} has no columns {unknown}")
    missing = [
        field.name
        for field in meta.sorted_fields
        if not (field.primary_key or field.null or field.name in columns)
    ]
    if missing:
        raise ValueError(f"insert into {meta.table_name} leaves out NOT NULL {missing}")
    names = ", ".join(f'"{meta.fields[name].column_name}"' for name in columns)
    marks = ", ".join("?" for _ in columns)
    return f'INSERT INTO "{meta.table_name}" ({names}) VALUES ({marks})'


#: The item columns of every stored receipt line (ledger and parked), in the order the
#: inserts list them: the fields :class:`~ipos_tui.store.models.ReceiptLineColumns`
#: declares, which a domain ``ReceiptLine`` and a stored ``DocumentLine`` both carry
#: under the same names.
LINE_ITEM_COLUMNS: Final = (
    "product_id",
    "plu",
    "name",
    "unit",
    "precision",
    "unit_price",
    "qty",
    "vat_letter",
)
if set(LINE_ITEM_COLUMNS) != set(ReceiptLineColumns._meta.fields) - {"id"}:
    raise RuntimeError("LINE_ITEM_COLUMNS must name the fields of ReceiptLineColumns")

#: The item values of a line (a ``ReceiptLine`` or a ``DocumentLine``), in
#: :data:`LINE_ITEM_COLUMNS` order, for an insert's parameters.
line_item_values: Final[Callable[[Any], tuple[Any, ...]]] = attrgetter(*LINE_ITEM_COLUMNS)


def line_item_fields(row: ReceiptLineColumns) -> dict[str, Any]:
    """The item fields of a stored line row, as keyword arguments of a domain line."""
    return {name: getattr(row, name) for name in LINE_ITEM_COLUMNS}
