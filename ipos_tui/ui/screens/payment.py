"""Do zapłaty: tendering the open receipt, then writing it to the ledger.

Amounts follow the till's one money rule (digits only are grosze, 2000 = 20,00 zł; a
comma or point makes złoty, 20, = 20 zł). Cash may exceed what is left (change);
other methods may not. ``*`` moves to the next method in the back office's order;
F3 picks the document (Paragon, Faktura, Paragon z NIP). When the payments cover the
total the receipt is committed in one transaction and the screen returns it.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from ...domain.errors import DomainError
from ...domain.money import format_money, parse_amount
from ...domain.receipt import PaymentState
from ...domain.validation import format_nip, validate_nip
from ...i18n import t
from ...domain.records import Buyer, PaymentMethod
from .printouts import kind_label
from ..widgets.code_input import CodeInput
from .base import PosScreen

#: The most a receipt with the buyer's NIP may be for (gross, grosze): above it the
#: buyer gets an invoice (Polish rules: 450 zł / 100 EUR).
NIP_RECEIPT_LIMIT = 45_000

class PaymentScreen(PosScreen):
    WITH_RECEIPT = True


    BINDINGS = [
        Binding("asterisk,multiply", "next_method", "keys.method", key_display="*", id="PaymentScreen.next_method"),
        Binding("f3", "document", "keys.document", id="PaymentScreen.document"),
        Binding("enter,ctrl+j", "accept", "keys.accept_payment", key_display="Enter", id="PaymentScreen.accept"),
        Binding("escape", "back", "keys.back", id="PaymentScreen.back"),
        Binding("f1", "app.help", "keys.help", id="PaymentScreen.app_help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.methods: list[PaymentMethod] = []
        self.method_index = 0
        self.kind = "paragon"
        self.buyer: Buyer | None = None
        #: card payments the payment application approved for this receipt
        self.card_ids: list[int] = []

    def compose_body(self) -> ComposeResult:
        self.methods = self.pos.terminal.catalog.payment_methods()
        # the customer pays the fiscal total and the deposits ("kaucja") with it
        self.state = PaymentState(self.pos.receipt.payable)
        with Vertical(id="pay-box") as box:
            box.border_title = t("pay.title")
            with Horizontal(classes="row"):
                yield Label(t("pay.to_pay"), classes="caption", markup=False)
                yield Label("", id="to-pay", classes="amount", markup=False)
                yield Label("", id="document", markup=False)
            with Horizontal(classes="row"):
                yield Label(t("pay.paid"), classes="caption", markup=False)
                yield Label("", id="paid", classes="amount", markup=False)
                yield Label("", id="buyer", markup=False)
            with Horizontal(classes="row"):
                yield Label(t("pay.remaining"), classes="caption", markup=False)
                yield Label("", id="remaining", classes="amount", markup=False)
                yield Label("", id="deposit", markup=False)
            with Horizontal(classes="row", id="methods-row"):
                yield Label(t("pay.method"), classes="caption", markup=False)
                yield Static("", id="methods", markup=False)
            with Horizontal(id="amount-row"):
                yield Label(t("pay.amount"), classes="caption", markup=False)
                yield CodeInput(id="tendered", restrict=r"[0-9.,]*", max_length=12, select_on_focus=False, commands="*")
                yield Static("", id="preview", markup=False)
            yield Static(t("money.short_hint"), id="amount-hint", markup=False)
            with Horizontal(classes="row"):
                yield Label(t("pay.change"), classes="caption", markup=False)
                yield Label("", id="change", classes="amount", markup=False)
            yield Static("", id="paid-list", markup=False)

    def on_mount(self) -> None:
        if not self.methods:
            self.say(t("err.no_payment_methods"), error=True)
        self.redraw()
        self.query_one("#tendered", CodeInput).focus()

    # -- drawing ----------------------------------------------------------------
    @property
    def method(self) -> PaymentMethod | None:
        return self.methods[self.method_index] if self.methods else None

    def typed_amount(self) -> int | None:
        text = self.query_one("#tendered", CodeInput).value
        if not text:
            return None
        try:
            return parse_amount(text)
        except DomainError:
            return None

    def redraw(self) -> None:
        state = self.state
        self.query_one("#to-pay", Label).update(format_money(state.total))
        self.query_one("#paid", Label).update(format_money(state.paid))
        self.query_one("#remaining", Label).update(format_money(state.remaining))
        deposit = self.pos.receipt.deposit_total
        self.query_one("#deposit", Label).update(
            t("grocery.pay_deposit", deposit=format_money(deposit)) if deposit else "")
        self.query_one("#document", Label).update(f"{t('pay.document')}: {kind_label(self.kind)}")
        buyer = f"NIP {format_nip(self.buyer.nip)}" if self.buyer is not None else ""
        self.query_one("#buyer", Label).update(buyer)
        methods = Text(no_wrap=True, overflow="ellipsis")
        for index, method in enumerate(self.methods):
            if index == self.method_index:
                methods.append(f"[{method.name}]", style="bold reverse")
            else:
                methods.append(f" {method.name} ")
            methods.append(" ")
        self.query_one("#methods", Static).update(methods)
        amount = self.typed_amount()
        arrow = self.pos.glyphs.arrow
        self.query_one("#preview", Static).update(f"{arrow} {format_money(amount)}" if amount is not None else "")
        change = 0
        if amount is not None and self.method is not None and self.method.allows_change:
            change = max(amount - state.remaining, 0)
        self.query_one("#change", Label).update(format_money(change))
        paid = "; ".join(f"{p.name} {format_money(p.amount)}" for p in state.payments)
        self.query_one("#paid-list", Static).update(f"{t('pay.payments')}: {paid}" if paid else "")

    def refresh_texts(self) -> None:
        self.refresh(recompose=True)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.redraw()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_accept()

    # -- actions ----------------------------------------------------------------
    def action_next_method(self) -> None:
        if self.methods:
            self.method_index = (self.method_index + 1) % len(self.methods)
            self.redraw()

    def action_accept(self) -> None:
        if self.state.is_complete:  # paid in full, but storing it failed (a full disk): again
            self._finish()
            return
        method = self.method
        if method is None:
            self.say(t("err.no_payment_methods"), error=True)
            return
        amount = self.typed_amount()
        if amount is None:
            text = self.query_one("#tendered", CodeInput).value
            if text:
                try:
                    parse_amount(text)
                except DomainError as error:
                    self.say_error(error)
                return
            amount = self.state.remaining
        if method.kind == "card":
            self._card_payment(method, amount)
            return
        change = amount - self.state.remaining if method.allows_change else 0
        if change > self.pos.terminal.settings.large_amount():
            from ..dialogs import ConfirmDialog

            question = t("pay.large_change_question", amount=format_money(amount), change=format_money(change))

            def answered(yes: bool | None) -> None:
                if yes:
                    self._add_payment(method, amount)
                else:
                    self.query_one("#tendered", CodeInput).value = ""
                    self.say(t("pay.large_change_refused"))

            self.app.push_screen(ConfirmDialog(question, default=False), answered)
            return
        self._add_payment(method, amount)

    def _card_payment(self, method: PaymentMethod, amount: int) -> None:
        """The simulated card terminal: the trainer approves or declines."""
        if amount > self.state.remaining:
            self.say_error(DomainError("err.pay_exceeds", remaining=self.state.remaining))
            return
        refusal = self.pos.terminal.ledger.day_refusal(self.pos.clock())
        if refusal is not None:  # the sale could not be stored: take no card money for it
            self.say_error(refusal)
            return
        from ..dialogs import ConfirmDialog

        def answered(approved: bool | None) -> None:
            if not approved:
                self.say(t("pay.card_declined"), error=True)
                return
            cards = self.pos.till.card_app
            transaction = cards.authorize(amount, self.pos.clock())
            self.card_ids.append(transaction.id)
            if not self._add_payment(method, amount):
                cards.reverse([transaction.id], self.pos.clock())
                self.card_ids.remove(transaction.id)

        self.app.push_screen(
            ConfirmDialog(t("pay.card_question", amount=format_money(amount))), answered
        )

    def _add_payment(self, method: PaymentMethod, amount: int) -> bool:
        """Take a tender; False (and the reason on the status line) if refused."""
        try:
            payment = self.state.add(method.code, method.name, amount, allows_change=method.allows_change)
        except DomainError as error:
            self.say_error(error)
            return False
        self.query_one("#tendered", CodeInput).value = ""
        self.redraw()
        if self.state.is_complete:
            self._finish()
        else:
            self.say(t("pay.accepted", name=payment.name, amount=format_money(payment.amount)))
        return True

    def _finish(self) -> None:
        from .printouts import print_document

        app = self.pos
        assert app.cashier is not None
        try:
            # one transaction: the document, its open copy gone, the cards tied to it
            stored = app.sale.pay(
                self.state.payments,
                kind=self.kind,
                buyer=self.buyer,
                cashier=app.cashier,
                now=app.clock(),
                card_ids=self.card_ids,
            )
        except DomainError as error:
            self.say_error(error)
            return
        print_document(app, stored.uuid)
        self.dismiss(stored)

    def action_document(self) -> None:
        from ..dialogs import MenuScreen
        from ..widgets.menu import MenuItem

        def choose(kind: str) -> None:
            self.app.pop_screen()
            if kind == "paragon":
                self.kind, self.buyer = "paragon", None
                self.redraw()
            elif kind == "paragon_nip" and self.state.total > NIP_RECEIPT_LIMIT:
                self._offer_invoice()
            else:
                self._ask_buyer(kind)

        items = [
            MenuItem(1, "doc.faktura", lambda: choose("faktura")),
            MenuItem(2, "doc.paragon", lambda: choose("paragon")),
            MenuItem(3, "doc.paragon_nip", lambda: choose("paragon_nip")),
        ]
        self.app.push_screen(MenuScreen("pay.document_menu", items))

    def _offer_invoice(self) -> None:
        """A receipt with the buyer's NIP stands for an invoice only up to 450 zł gross:
        above it, warn and offer a Faktura (the cashier may still keep Paragon z NIP)."""
        from ..dialogs import ConfirmDialog

        def answered(invoice: bool | None) -> None:
            self._ask_buyer("faktura" if invoice else "paragon_nip")

        question = t("invoice.nip_receipt_over_limit", total=format_money(self.state.total))
        self.app.push_screen(ConfirmDialog(question), answered)

    def _ask_buyer(self, kind: str) -> None:
        from ..dialogs import Field, FormDialog

        nip = Field("nip", "pay.buyer_nip", max_length=16, validate=validate_nip,
                    value=self.buyer.nip if self.buyer else "")
        fields = [nip]
        if kind == "faktura":
            fields += [
                Field("name", "pay.buyer_name", max_length=60, value=self.buyer.name if self.buyer else ""),
                Field("address", "pay.buyer_address", max_length=80, value=self.buyer.address if self.buyer else ""),
            ]

        def done(values: dict | None) -> None:
            if values is None:
                return
            self.kind = kind
            self.buyer = Buyer(nip=values["nip"], name=values.get("name") or "", address=values.get("address") or "")
            self.redraw()
            self.query_one("#tendered", CodeInput).focus()

        self.app.push_screen(FormDialog(kind_label(kind), fields), done)

    def action_back(self) -> None:
        if not self.state.payments:
            self.dismiss(None)
            return
        from ..dialogs import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                if self.card_ids:  # no receipt took them: the card app cancels them
                    self.pos.till.card_app.reverse(self.card_ids, self.pos.clock())
                self.dismiss(None)

        self.app.push_screen(ConfirmDialog(t("pay.cancel_payments_question")), answered)
