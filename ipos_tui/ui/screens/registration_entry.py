"""The registration screen's code line: a code, a picked name, a weight or an open price
becomes a receipt line (a quantity or value far beyond the usual is asked about first)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.widgets import Input

from ...domain.errors import DomainError
from ...domain.money import format_money, parse_amount
from ...domain.quantity import QTY_SCALE, format_quantity, parse_quantity
from ...domain.receipt import ReceiptLine
from ...domain.records import Product
from ...domain.scale_code import ScaleCode
from ...i18n import t
from ..widgets.receipt_list import RowList

if TYPE_CHECKING:
    # a mixin of RegistrationScreen, whose mode, receipt, code line and set_mode() it uses
    from .base import PosScreen as _Screen
else:
    _Screen = object


class CodeEntry(_Screen):
    """Adding lines on :class:`~.registration.RegistrationScreen` (a mixin)."""

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        text = self.code.value.strip()
        try:
            handler = getattr(self, f"_submit_{self.mode}")
            handler(text)
        except DomainError as error:
            self.say_error(error)
            self.code.value = ""

    def _submit_code(self, text: str) -> None:
        if not text:
            return
        self.code.value = ""
        found = self.pos.sale.find(text)  # DomainError "reg.not_found": said by action_submit
        if isinstance(found, tuple):
            self.add_label_product(*found)
        else:
            self.add_product(found)

    def add_label_product(self, product: Product, label: ScaleCode) -> None:
        """Sell a label scale's code: its weight as the quantity, or its price as the
        value of one piece (till.Sale.label_line)."""
        if not self._on_printer(product.vat_letter):
            return
        if label.kind == "weight":
            self.add_product(product, qty=label.amount)
            return
        line = self.pos.sale.label_line(product, label)
        self.confirm_unusual(line, lambda: self._add_line(line))

    def _submit_name(self, text: str) -> None:
        picks = self.query_one("#picklist", RowList)
        if not self.picks or picks.highlighted is None:
            self.say(t("reg.not_found"), error=True)
            return
        product = self.picks[picks.highlighted]
        self.set_mode("code")
        self.add_product(product)

    def add_product(self, product: Product, qty: int | None = None, price: int | None = None) -> None:
        """Add ``product``; a kg item first asks its weight, an open-price item its price."""
        if not self._on_printer(product.vat_letter):
            return
        if qty is None and product.precision > 0:
            self.pending = product
            self.set_mode("weight")
            return
        if price is None and product.price == 0:
            self.pending = product
            self.pending_qty = qty
            self.set_mode("open_price")
            return
        line = self.pos.sale.line(product, qty, price)
        if qty is None and price is None:  # the catalogue's own price, one piece
            self._add_line(line)
        else:
            self.confirm_unusual(line, lambda: self._add_line(line))

    def _on_printer(self, letter: str) -> bool:
        """Whether the printer's PTU table has ``letter`` (says why not when it lacks it:
        a letter new in the back office is written at the next day close)."""
        try:
            self.pos.sale.check_letter(letter)
        except DomainError as error:
            self.say_error(error)
            return False
        return True

    def _add_line(self, line: ReceiptLine) -> None:
        index = self.pos.sale.add(line)
        self.pending = None
        self.pending_qty = None
        self.set_mode("code")
        self.show_receipt(select=index)
        self.say(self.describe(self.receipt.lines[index]))

    def _submit_weight(self, text: str) -> None:
        assert self.pending is not None
        qty = parse_quantity(text, self.pending.precision)
        self.add_product(self.pending, qty=qty)

    def confirm_unusual(self, line: ReceiptLine, then: Callable[[], None]) -> None:
        """Run ``then`` at once, or first ask when ``line`` (as it would be) has a
        quantity or value far beyond the usual (the back office's large_quantity /
        large_amount): a slip of the finger such as 1 234 kg of cheese. "nie" leaves
        the field to retype."""
        settings = self.pos.terminal.settings
        if line.qty <= settings.large_quantity() * QTY_SCALE and line.gross <= settings.large_amount():
            then()
            return
        from ..dialogs import ConfirmDialog

        question = t(
            "reg.large_question",
            name=line.name,
            qty=f"{format_quantity(line.qty, line.precision)} {line.unit}",
            price=format_money(line.unit_price),
            value=format_money(line.gross),
        )
        mode = self.mode

        def answered(yes: bool | None) -> None:
            if yes:
                try:
                    then()
                except DomainError as error:
                    self.say_error(error)
            else:
                self.set_mode(mode)
                self.say(t("reg.large_refused"))

        self.app.push_screen(ConfirmDialog(question, default=False), answered)

    def _submit_open_price(self, text: str) -> None:
        assert self.pending is not None
        price = parse_amount(text)
        if price <= 0:
            raise DomainError("err.price_zero")
        self.add_product(self.pending, qty=self.pending_qty, price=price)
