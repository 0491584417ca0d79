"""Ekran rejestracji: ringing up a receipt.

The code line has modes: "code" (PLU typed or EAN scanned), "name" (any fragment of
the name, or T9 digits, with a pick list), "qty"/"price" (editing the selected line,
cycled with ``#``), "weight" and "open_price" (asked before a kg or open-price item is
added). Keys follow PRODUCT.md's key table; the Input declines ``* # + /`` so the
screen runs the bound actions in typing order (see CodeInput).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from ...domain.errors import DomainError
from ...domain.money import format_money, parse_amount
from ...domain.quantity import QTY_SCALE, format_quantity, parse_quantity
from ...domain.receipt import ReceiptLine
from ...domain.scale_code import ScaleCode
from ...i18n import t
from ...domain.authorisation import Authorisation
from ...domain.records import PERM_PRICE_CHANGE, PERM_VOID, Product, document_number_text
from ..dialogs.authorise import authorise_then, needs_manager
from ..widgets.code_input import CodeInput
from ..widgets.receipt_list import PICK_FIXED, RowList, fit, header_row, line_row, name_width, pick_header, pick_row
from .base import PosScreen

#: prompt label and placeholder catalogue keys of each mode of the code line
MODES = {
    "code": ("reg.prompt_code", "reg.placeholder_code"),
    "name": ("reg.prompt_name", "reg.placeholder_name"),
    "qty": ("reg.prompt_qty", "reg.placeholder_qty"),
    "price": ("reg.prompt_price", "reg.placeholder_price"),
    "weight": ("reg.prompt_qty", "reg.placeholder_weight"),
    "open_price": ("reg.prompt_price", "reg.placeholder_open_price"),
}


class RegistrationScreen(PosScreen):
    WITH_RECEIPT = True


    BINDINGS = [
        Binding("f2", "menu", "keys.menu", id="RegistrationScreen.menu"),
        Binding("asterisk,multiply", "toggle_search", "keys.code_name", key_display="*", id="RegistrationScreen.toggle_search"),
        Binding("number_sign,slash,divide", "cycle_edit", "keys.qty_price", key_display="#", id="RegistrationScreen.cycle_edit"),
        Binding("plus,add,f12", "pay", "keys.pay", key_display="+", id="RegistrationScreen.pay"),
        Binding("delete", "void_line", "keys.void_line", priority=True, id="RegistrationScreen.void_line"),
        Binding("f4", "discount", "keys.discount", id="RegistrationScreen.discount"),
        Binding("f7", "return_goods", "ret.key_return", id="RegistrationScreen.return_goods"),
        Binding("f3", "category", "catsearch.key", id="RegistrationScreen.category"),
        Binding("escape", "cancel", "keys.cancel", id="RegistrationScreen.cancel"),
        # Enter reaches the field first (it submits); this binding puts it on the bar in
        # the modes where it is the next step, and takes numpad Enter (ctrl+j under tmux)
        Binding("enter,ctrl+j", "submit", "keys.accept", key_display="Enter", id="RegistrationScreen.submit"),
        Binding("up", "move(-1)", "keys.move", key_display="\u2191\u2193", id="RegistrationScreen.move.up"),
        Binding("f1", "app.help", "keys.help", id="RegistrationScreen.app_help"),
        Binding("down", "move(1)", "keys.move", show=False, key_display="\u2191\u2193", id="RegistrationScreen.move.down"),
        Binding("pageup", "move(-10)", "keys.move", show=False, id="RegistrationScreen.move.pageup"),
        Binding("pagedown", "move(10)", "keys.move", show=False, id="RegistrationScreen.move.pagedown"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.mode = "code"
        self.pending: Product | None = None
        self.pending_qty: int | None = None
        self.picks: list[Product] = []
        self.shown_parked_id: int | None = None
        #: the name search is narrowed to this category (and its subcategories)
        self.category_id: int | None = None
        #: a manager's consent to the price being typed (a cashier without "price_change")
        self.price_authorisation: Authorisation | None = None

    def compose_body(self) -> ComposeResult:
        with Vertical(id="receipt-box") as box:
            box.border_title = t("reg.receipt_title")
            yield Static(header_row(), id="receipt-header", markup=False)
            yield RowList(id="lines")
            yield RowList(id="picklist")
        with Horizontal(id="entry"):
            yield Label("", id="prompt", markup=False)
            yield CodeInput(id="code", max_length=40, select_on_focus=False)
            yield Static("", id="total", markup=False)

    def on_mount(self) -> None:
        self.set_mode("code")
        self.show_receipt()
        self.query_one("#code", CodeInput).focus()

    def on_screen_resume(self) -> None:
        if self.shown_parked_id != self.pos.parked_id:  # another receipt was opened meanwhile
            self.pending = None
            self.set_mode("code")
            self.query_one("#lines", RowList).highlighted = None
            self.show_receipt()
            self.say(t("reg.receipt_opened", name=self.pos.receipt_name))
        else:
            self.show_receipt()
        self.refresh_top_bar()
        self.query_one("#code", CodeInput).focus()

    # -- drawing ----------------------------------------------------------------
    @property
    def receipt(self):  # type: ignore[no-untyped-def]
        return self.pos.receipt

    @property
    def code(self) -> CodeInput:
        return self.query_one("#code", CodeInput)

    def selected_index(self) -> int | None:
        lines = self.query_one("#lines", RowList)
        if not self.receipt.lines:
            return None
        return lines.highlighted if lines.highlighted is not None else len(self.receipt.lines) - 1

    def show_receipt(self, select: int | None = None) -> None:
        """Draw the receipt after any change, storing it first if it changed.

        Every change (add, quantity, price, void, discount) ends here, so this is the
        one place that keeps the parked copy current; an unchanged receipt costs no write.
        """
        self.pos.save_receipt()
        self.shown_parked_id = self.pos.parked_id
        width = self.name_width()
        rows = [line_row(number, line, width) for number, line in enumerate(self.receipt.lines, 1)]
        lines = self.query_one("#lines", RowList)
        keep = select if select is not None else lines.highlighted
        lines.show_rows(rows, keep)
        # deposits ("kaucja") apart: the receipt's fiscal sum and the deposits under the
        # list, what the customer pays (both together) on the total line
        deposit = self.receipt.deposit_total
        self.query_one("#receipt-box").border_subtitle = (
            t("grocery.total_with_deposit", total=format_money(self.receipt.total),
              deposit=format_money(deposit)) if deposit else "")
        self.query_one("#total", Static).update(
            f"{t('grocery.payable')}  {format_money(self.receipt.payable)}"
            if deposit else f"{t('reg.total')}  {format_money(self.receipt.total)}"
        )
        self.refresh_bindings()  # F7 Zwrot comes and goes with the receipt's lines

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.refresh_bindings()  # the key bar follows the mode
        prompt_key, placeholder_key = MODES[mode]
        self.query_one("#prompt", Label).update(t(prompt_key))
        self.code.placeholder = fit(t(placeholder_key), 34)
        self.code.value = ""
        self.set_class(mode == "name", "-name-mode")
        self.show_header()
        if mode == "name":
            self.refresh_picks()
        elif mode in ("weight", "open_price") and self.pending is not None:
            key = "reg.ask_weight" if mode == "weight" else "reg.ask_price"
            self.say(t(key, name=self.pending.name, unit=self.pending.unit))

    def name_width(self, fixed: int | None = None) -> int:
        """The name column for the list's current width (wider terminals show more)."""
        row_width = self.query_one("#receipt-box").content_size.width
        return name_width(row_width, fixed) if fixed is not None else name_width(row_width)

    def show_header(self) -> None:
        header = (pick_header(self.name_width(PICK_FIXED)) if self.mode == "name"
                  else header_row(self.name_width()))
        self.query_one("#receipt-header", Static).update(header)

    def on_resize(self) -> None:
        """Columns follow the terminal's width: names get the room there is."""
        self.call_after_refresh(self._relayout)

    def _relayout(self) -> None:
        self.show_header()
        if self.mode == "name":
            self.refresh_picks()
        else:
            self.show_receipt()

    def refresh_texts(self) -> None:
        super().refresh_texts()
        self.query_one("#receipt-box").border_title = t("reg.receipt_title")
        self.set_mode(self.mode)
        self.show_receipt()

    def describe(self, line: ReceiptLine) -> str:
        g = self.pos.glyphs
        qty = f"{format_quantity(line.qty, line.precision)} {line.unit}"
        text = f"{line.name} {g.dot} {qty} {g.times} {format_money(line.unit_price)} = {format_money(line.value)}"
        if line.deposit_value:
            text += " " + t("grocery.line_deposit", deposit=format_money(line.deposit_value))
        return text

    # -- name search --------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        if self.mode == "name":
            self.refresh_picks()

    def refresh_picks(self) -> None:
        query = self.code.value.strip()
        catalog = self.pos.terminal.catalog
        if self.category_id is not None:
            self.picks = catalog.search_in_category(query, self.category_id, limit=50)
        else:
            self.picks = catalog.search(query, limit=50)
        width = self.name_width(PICK_FIXED)
        rows = [
            pick_row(product.plu, product.name, t("reg.unit_price", price=format_money(product.price, symbol=False),
                                                  unit=product.unit), width)
            if product.price
            else pick_row(product.plu, product.name, t("reg.open_price"), width)
            for product in self.picks
        ]
        self.query_one("#picklist", RowList).show_rows(rows, 0)
        if not self.picks:
            self.say(t("reg.not_found"), error=True)
        elif self.category_id is not None:
            self.say(t("catsearch.found", n=len(self.picks), category=self._category_name()))
        elif not query:
            self.say(t("reg.most_sold" if self.pos.terminal.catalog.has_sales() else "reg.alphabetical"))
        else:
            self.say(t("reg.found", n=len(self.picks)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F3 (category) belongs to the name search: offered there only."""
        if action == "category":
            return self.mode == "name"
        return True

    def _category_name(self) -> str:
        names = {c.id: c.name for c in self.pos.terminal.catalog.categories()}
        return names.get(self.category_id, "") if self.category_id is not None else ""

    def action_category(self) -> None:
        """F3: narrow the name search to a category (a numbered menu of the tree:
        1. every category, then the main ones; one with subcategories opens them)."""
        from ..dialogs import MenuScreen
        from ..widgets.menu import MenuItem

        categories = self.pos.terminal.catalog.categories()
        if not categories:
            self.say(t("catsearch.none"), error=True)
            return
        children: dict[int | None, list] = {}
        for category in categories:
            children.setdefault(category.parent_id, []).append(category)

        def choose(category_id: int | None) -> None:
            while len(self.app.screen_stack) > 1 and self.app.screen is not self:
                self.app.pop_screen()
            self.category_id = category_id
            if self.mode != "name":
                self.pending = None
                self.set_mode("name")
            else:
                self.refresh_picks()
            self.refresh_bindings()  # the key bar again shows F3 of the name search

        def items(parent: int | None) -> list[MenuItem]:
            first = (
                MenuItem(1, "catsearch.all", lambda: choose(None))
                if parent is None
                else MenuItem(1, lambda: t("catsearch.whole", category=names[parent]),
                              lambda p=parent: choose(p))
            )
            out = [first]
            for number, category in enumerate(children.get(parent, []), 2):
                if children.get(category.id):
                    action = (lambda c=category: self.app.push_screen(
                        MenuScreen("catsearch.title", items(c.id))))
                else:
                    action = lambda c=category: choose(c.id)  # noqa: E731
                out.append(MenuItem(number, lambda c=category: c.name, action))
            return out

        names = {c.id: c.name for c in categories}
        self.app.push_screen(MenuScreen("catsearch.title", items(None)))

    # -- actions ----------------------------------------------------------------
    def action_move(self, step: int) -> None:
        target = "#picklist" if self.mode == "name" else "#lines"
        self.query_one(target, RowList).move(step)

    def action_toggle_search(self) -> None:
        self.pending = None
        self.set_mode("code" if self.mode == "name" else "name")
        if self.mode == "code":
            self.say("")

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

    def action_pay(self) -> None:
        if self.receipt.is_empty:
            self.say(t("err.receipt_empty"), error=True)
            return
        if self.receipt.total <= 0:
            self.say(t("err.receipt_total_zero"), error=True)
            return
        from .reports import payment_blocked

        if payment_blocked(self.pos):
            return
        self.pending = None
        self.set_mode("code")
        from .payment import PaymentScreen

        self.app.push_screen(PaymentScreen(), self._after_payment)

    def _after_payment(self, document: object | None) -> None:
        if document is None:
            return
        from .printouts import show_printout

        self.pos.sale_finished()  # the paid slot already starts over empty (till.Sale.pay)
        self.show_receipt()
        self.refresh_top_bar()
        detail = self.pos.terminal.ledger.get_document(document.uuid)  # type: ignore[attr-defined]
        # a Faktura goes by its invoice number ("FV/K1/12/2026/0001"), not its place in the till's count
        done = t(f"reg.done_{detail.kind}",
                 number=detail.invoice_number or document_number_text(detail.doc_type, detail.number))
        if detail.change:
            done += " " + t("reg.change_given", change=format_money(detail.change))
        self.say(done)
        show_printout(self.pos, document.uuid, just_printed=True)  # type: ignore[attr-defined]

    def action_discount(self) -> None:
        from .discounts import open_discount_menu

        open_discount_menu(self)

    #: the App's keys (Ctrl+Q Zakończ) are on this screen's bar where they apply
    SHOW_APP_KEYS = True

    def show_key(self, binding: Binding) -> bool:
        """What the key bar offers in the current state; 80 columns hold only the keys
        that do something now. Every key keeps working (F7 with lines says why not)."""
        action, empty = binding.action, self.receipt.is_empty
        if self.mode == "name":
            return action in ("menu", "toggle_search", "category", "submit", "move(-1)", "cancel", "app.help")
        if self.mode != "code":  # typing a quantity, price or weight
            return action in ("cycle_edit", "submit", "cancel", "app.help")
        if action == "submit":
            return False  # Enter after a code is what everybody knows
        if action == "move(-1)":
            return len(self.receipt.lines) > 1
        if action in ("return_goods", "quit_till"):
            return empty  # a return is its own document; quitting, between receipts
        if action in ("cycle_edit", "pay", "void_line", "discount", "cancel"):
            return not empty
        return True

    def binding_label(self, binding: Binding) -> str | None:
        """What the key does next in this mode: * to names or back to codes, # through
        quantity → price → code, Enter adds the pick or takes the typed value."""
        action = binding.action
        if action == "toggle_search":
            return t("keys.to_code" if self.mode == "name" else "keys.to_name")
        if action == "cycle_edit":
            return t({"qty": "keys.to_price", "price": "keys.to_code"}.get(self.mode, "keys.to_qty"))
        if action == "submit":
            return t("keys.add" if self.mode == "name" else "keys.accept")
        if action == "cancel" and self.mode != "code":
            return t("keys.back")
        return None

    def action_return_goods(self) -> None:
        """F7: a return, taken only while no receipt is open (its own document)."""
        if not self.receipt.is_empty:
            self.say(t("ret.err.receipt_open"), error=True)
            return
        from .returns import start_return

        start_return(self)

    def action_menu(self) -> None:
        from .menus import open_user_menu

        open_user_menu(self.pos)


def _plain_money(grosze: int) -> str:
    """"3,49" for the receipt's record of a changed price (no currency, plain spaces)."""
    return format_money(grosze, symbol=False).replace("\u00a0", " ").replace("\u202f", " ")
