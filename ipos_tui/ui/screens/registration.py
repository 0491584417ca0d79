"""Ekran rejestracji: ringing up a receipt.

The code line has modes: "code" (PLU typed or EAN scanned), "name" (any fragment of
the name, or T9 digits, with a pick list), "qty"/"price" (editing the selected line,
cycled with ``#``), "weight" and "open_price" (asked before a kg or open-price item is
added). Keys follow PRODUCT.md's key table; the Input declines ``* # + /`` so the
screen runs the bound actions in typing order (see CodeInput).

The screen is assembled from mixins by subject: the name search
(``registration_search``), adding lines (``registration_entry``) and changing or
voiding them (``registration_edit``); paying, the key bar and the menus are here.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Static

from ...domain.money import format_money
from ...domain.quantity import format_quantity
from ...domain.receipt import ReceiptLine
from ...i18n import t
from ...domain.authorisation import Authorisation
from ...domain.records import Product, document_number_text
from ..widgets.code_input import CodeInput
from ..widgets.receipt_list import PICK_FIXED, RowList, fit, header_row, line_row, name_width, pick_header
from .base import PosScreen
from .registration_edit import LineEditing
from .registration_entry import CodeEntry
from .registration_search import NameSearch

#: prompt label and placeholder catalogue keys of each mode of the code line
MODES = {
    "code": ("reg.prompt_code", "reg.placeholder_code"),
    "name": ("reg.prompt_name", "reg.placeholder_name"),
    "qty": ("reg.prompt_qty", "reg.placeholder_qty"),
    "price": ("reg.prompt_price", "reg.placeholder_price"),
    "weight": ("reg.prompt_qty", "reg.placeholder_weight"),
    "open_price": ("reg.prompt_price", "reg.placeholder_open_price"),
}


class RegistrationScreen(NameSearch, CodeEntry, LineEditing, PosScreen):
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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F3 (category) belongs to the name search: offered there only."""
        if action == "category":
            return self.mode == "name"
        return True

    # -- actions ----------------------------------------------------------------
    def action_move(self, step: int) -> None:
        target = "#picklist" if self.mode == "name" else "#lines"
        self.query_one(target, RowList).move(step)

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
