"""The registration screen's changes to the receipt: ``#`` through quantity and price
of the selected line (a price change may need a manager), Delete voids a line, Esc
the whole receipt (asks first)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ...domain.authorisation import Authorisation
from ...domain.money import format_money, parse_amount
from ...domain.quantity import parse_quantity
from ...domain.records import PERM_PRICE_CHANGE, PERM_VOID
from ...i18n import t
from ..dialogs.authorise import authorise_then, needs_manager
from ..widgets.receipt_list import RowList

if TYPE_CHECKING:
    # a mixin of RegistrationScreen, whose mode, receipt, code line and set_mode() it uses
    from .base import PosScreen as _Screen
else:
    _Screen = object


class LineEditing(_Screen):
    """Changing and voiding lines on :class:`~.registration.RegistrationScreen` (a mixin)."""

    def _submit_qty(self, text: str) -> None:
        index = self.selected_index()
        if index is None or not text:
            self.set_mode("code")
            return
        line = self.receipt.lines[index]
        qty = parse_quantity(text, line.precision)
        self.confirm_unusual(replace(line, qty=qty), lambda: self._edit_line(index, qty=qty))

    def _submit_price(self, text: str) -> None:
        index = self.selected_index()
        if index is None or not text:
            self.price_authorisation = None
            self.set_mode("code")
            return
        line = self.receipt.lines[index]
        price = parse_amount(text)
        authorisation = self.price_authorisation
        self.confirm_unusual(replace(line, unit_price=price),
                             lambda: self._edit_line(index, price=price, authorisation=authorisation))

    def _edit_line(
        self, index: int, *, qty: int | None = None, price: int | None = None,
        authorisation: Authorisation | None = None,
    ) -> None:
        """Give line ``index`` its new quantity or price (after # and Enter); a price a
        manager authorised is recorded on the receipt with who did."""
        line = self.receipt.lines[index]
        old_price = line.unit_price
        if qty is not None:
            self.receipt.set_quantity(index, qty)
        if price is not None:
            self.receipt.set_price(index, price)
            self.price_authorisation = None
            if authorisation is not None:
                detail = f"{line.name} {_plain_money(old_price)} -> {_plain_money(price)}"
                self.receipt.authorisations.append(authorisation.with_detail(detail))
        self.set_mode("code")
        self.show_receipt(select=index)
        message = self.describe(self.receipt.lines[index])
        if price is not None and authorisation is not None:
            message += " " + t("perm.by", name=authorisation.name)
        self.say(message)

    def action_cycle_edit(self) -> None:
        """``#``: quantity → price → back to the code. The price needs "price_change":
        a cashier without it gets the manager's dialog first (Esc: back to the code,
        nothing changed); the price typed then is recorded as authorised by them."""
        if self.selected_index() is None:
            self.say(t("reg.no_line"), error=True)
            return
        self.price_authorisation = None
        if self.mode in ("code", "name"):
            self.set_mode("qty")
        elif self.mode == "qty":
            if not needs_manager(self.pos, PERM_PRICE_CHANGE):
                self.set_mode("price")
            else:
                index = self.selected_index()
                assert index is not None
                self.set_mode("code")
                what = f"{t('perm.name.price_change').capitalize()}: {self.receipt.lines[index].name}"
                authorise_then(self.pos, PERM_PRICE_CHANGE, lambda a: self._price_authorised(index, a), what=what)
                return
        else:
            self.set_mode("code")
        if self.mode in ("qty", "price"):
            index = self.selected_index()
            assert index is not None
            self.say(f"{index + 1}. {self.describe(self.receipt.lines[index])}")

    def _price_authorised(self, index: int, authorisation: Authorisation | None) -> None:
        """A manager allowed a price change of line ``index``: type the new price."""
        if index >= len(self.receipt.lines):
            return
        self.query_one("#lines", RowList).highlighted = index
        self.set_mode("price")
        self.price_authorisation = authorisation
        if authorisation is not None:
            self.say(t("perm.price_authorised", name=authorisation.name))

    def action_void_line(self) -> None:
        index = self.selected_index()
        if index is None:
            self.say(t("reg.no_line"), error=True)
            return
        line = self.receipt.lines[index]
        self.receipt.void_line(index)
        self.set_mode("code")
        self.show_receipt(select=min(index, len(self.receipt.lines) - 1) if self.receipt.lines else None)
        self.say(t("reg.line_voided", name=line.name))

    def action_cancel(self) -> None:
        """Esc: clear the field, leave a mode, or void the open receipt (asks first)."""
        if self.code.value:
            self.code.value = ""
            return
        if self.mode != "code":
            self.pending = None
            self.set_mode("code")
            self.say("")
            return
        if self.receipt.is_empty:
            return
        from ..dialogs import ConfirmDialog

        question = t(
            "reg.void_receipt_question",
            n=len(self.receipt.lines),
            total=format_money(self.receipt.total),
        )

        def void(authorisation: Authorisation | None) -> None:
            if self.pos.cashier is not None:
                self.pos.sale.void(self.pos.cashier, self.pos.clock(), authorisation)
            else:
                self.pos.new_receipt()
            self.show_receipt()
            message = t("reg.receipt_voided")
            if authorisation is not None:
                message += " " + t("perm.by", name=authorisation.name)
            self.say(message)

        def answered(yes: bool | None) -> None:
            if yes:  # a cashier without "void" needs a manager now (Esc: the receipt stays)
                authorise_then(self.pos, PERM_VOID, void, what=t("perm.name.void").capitalize())

        self.app.push_screen(ConfirmDialog(question, default=False), answered)


def _plain_money(grosze: int) -> str:
    """"3,49" for the receipt's record of a changed price (no currency, plain spaces)."""
    return format_money(grosze, symbol=False).replace("\u00a0", " ").replace("\u202f", " ")
