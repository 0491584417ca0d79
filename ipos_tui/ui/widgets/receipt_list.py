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

#: The name column's width at 80 columns; the lists give the name whatever the
#: terminal has beyond the fixed columns (see name_width).
NAME_WIDTH = 34
#: Cells of a receipt row besides the name: number, quantity, price, value, the VAT
#: column's header and one for the list's scrollbar when the lines overflow.
LINE_FIXED = 44
#: Cells of a search result besides the name: PLU, the price with its unit, scrollbar.
PICK_FIXED = 29


def name_width(row_width: int, fixed: int = LINE_FIXED) -> int:
    """The name column of a list ``row_width`` cells wide (at least 12)."""
    return max(row_width - fixed, 12) if row_width > 0 else NAME_WIDTH


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis, or padded."""
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def fit_name(name: str, width: int) -> str:
    """A product name cut to ``width`` keeping its pack size ("Serek homogeniz… 150g"):
    the last word stays when it has a digit, which is what tells two packs apart."""
    if len(name) <= width:
        return name
    head, _space, size = name.rpartition(" ")
    if head and any(ch.isdigit() for ch in size) and len(size) <= width // 2:
        return f"{head[: width - len(size) - 2].rstrip()}\u2026 {size}"
    return fit(name, width)


def line_row(number: int, line: ReceiptLine, width: int = NAME_WIDTH) -> Text:
    """One receipt line; ``width`` is the name column's."""
    qty = f"{format_quantity(line.qty, line.precision)} {line.unit}"
    row = Text(no_wrap=True, overflow="crop")
    row.append(f"{number:>3} {fit_name(line.name, width):<{width}} {qty:>11} ")
    row.append(f"{format_money(line.unit_price, symbol=False):>10} {format_money(line.value, symbol=False):>10}  ")
    row.append(line.vat_letter)
    # the line's own discount and its share of a receipt discount, each named as what it is
    if line.line_discount:
        label = t("receipt.discount")
        if line.discount is not None and line.discount.kind == "percent":
            label += f" {format_percent_bp(line.discount.value)}"
        row.append(_discount_row(label, line.line_discount, width), style="italic")
    if line.receipt_discount_share:
        row.append(_discount_row(t("receipt.receipt_discount"), line.receipt_discount_share, width), style="italic")
    return row


def _discount_row(label: str, off: int, width: int) -> str:
    return f"\n    {fit(label, width + 23):<{width + 23}} {'-' + format_money(off, symbol=False):>10}"


def header_row(width: int = NAME_WIDTH) -> str:
    return (
        f"{'#':>3} {t('receipt.col_name'):<{width}} {t('receipt.col_qty'):>11} "
        f"{t('receipt.col_price'):>10} {t('receipt.col_value'):>10}  {t('receipt.col_vat')}"
    )


def pick_row(plu: str, name: str, price: str, width: int = NAME_WIDTH + 15) -> Text:
    """One search result: PLU, name and the price with its unit ("34,90 zł/kg")."""
    return Text(f"{plu:>7}  {fit_name(name, width):<{width}} {price:>18}", no_wrap=True, overflow="crop")


def pick_header(width: int = NAME_WIDTH + 15) -> Text:
    return pick_row(t("reg.col_plu"), t("receipt.col_name"), t("receipt.col_price"), width)


class RowList(Guarded, OptionList, can_focus=False):
    """An OptionList the screen drives; it only shows rows and a highlight."""

    DEFAULT_CSS = """
    RowList {
        border: none;
        height: 1fr;
        padding: 0;
        background: $surface;
        scrollbar-size-vertical: 1;
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
