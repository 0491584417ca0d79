"""The receipt lines (and, in name mode, the pick list) as fixed-width rows.

The list never takes focus: the code input keeps it, and the screen moves the
highlight with the arrow keys.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...domain.money import format_money, format_percent_bp
from ...domain.quantity import format_quantity
from ...domain.receipt import ReceiptLine
from ...i18n import t
from ..errors import Guarded

NAME_WIDTH = 34


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis, or padded."""
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def line_row(number: int, line: ReceiptLine) -> Text:
    qty = f"{format_quantity(line.qty, line.precision)} {line.unit}"
    row = Text(no_wrap=True, overflow="crop")
    row.append(f"{number:>3} {fit(line.name, NAME_WIDTH):<{NAME_WIDTH}} {qty:>11} ")
    row.append(f"{format_money(line.unit_price, symbol=False):>9} {format_money(line.value, symbol=False):>10}  ")
    row.append(line.vat_letter)
    # the line's own discount and its share of a receipt discount, each named as what it is
    if line.line_discount:
        label = t("receipt.discount")
        if line.discount is not None and line.discount.kind == "percent":
            label += f" {format_percent_bp(line.discount.value)}"
        row.append(_discount_row(label, line.line_discount), style="italic")
    if line.receipt_discount_share:
        row.append(_discount_row(t("receipt.receipt_discount"), line.receipt_discount_share), style="italic")
    return row


def _discount_row(label: str, off: int) -> str:
    return f"\n    {label:<{NAME_WIDTH + 22}} {'-' + format_money(off, symbol=False):>10}"


def header_row() -> str:
    return (
        f"{'#':>3} {t('receipt.col_name'):<{NAME_WIDTH}} {t('receipt.col_qty'):>11} "
        f"{t('receipt.col_price'):>9} {t('receipt.col_value'):>10}  {t('receipt.col_vat')}"
    )


def pick_row(plu: str, name: str, price: str, unit: str) -> str:
    return f"{plu:>7}  {fit(name, 40):<40} {price:>12} {unit}"


def pick_header() -> str:
    return pick_row(t("reg.col_plu"), t("receipt.col_name"), t("receipt.col_price"), "")


class RowList(Guarded, OptionList, can_focus=False):
    """An OptionList the screen drives; it only shows rows and a highlight."""

    DEFAULT_CSS = """
    RowList {
        border: none;
        height: 1fr;
        padding: 0;
        background: $surface;
    }
    RowList:focus {
        border: none;
    }
    """

    def show_rows(self, rows: Sequence[Text | str], highlighted: int | None) -> None:
        self.clear_options()
        self.add_options([Option(row) for row in rows])
        if rows:
            self.highlighted = min(highlighted if highlighted is not None else len(rows) - 1, len(rows) - 1)

    def move(self, step: int) -> None:
        if self.option_count:
            current = self.highlighted if self.highlighted is not None else 0
            self.highlighted = max(0, min(self.option_count - 1, current + step))
