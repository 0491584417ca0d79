"""The opening cash after login (cash management on, no shift open): type the cash in
the drawer or start with 0,00 zł."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from ...domain.errors import DomainError
from ...i18n import t
from ...till.cash import CashResult
from ..widgets.menu import MenuItem, NumberedMenu
from .base import PosScreen
from .cash_amount import AmountDialog
from .cash_results import back_to_sales, cash_service, document_stored, show_result


class OpeningCashScreen(PosScreen):
    """"Stan początkowy kasy": 1. Wprowadź (type the cash in the drawer) or 2. Pomiń
    (start with 0,00 zł). After login Esc logs out again; opened from the menu (cash
    management switched on during a shift) Esc goes back."""


    BINDINGS = [
        Binding("escape", "leave", "cash.key_logout", id="OpeningCashScreen.leave"),
        Binding("f1", "app.help", "keys.help", id="OpeningCashScreen.app_help"),
    ]

    def __init__(self, *, after_login: bool) -> None:
        super().__init__()
        self.after_login = after_login

    def compose_body(self) -> ComposeResult:
        with Vertical(id="opening-box") as box:
            box.border_title = t("cash.opening_title")
            yield Static(t("cash.opening_text"), id="opening-text", markup=False)
            yield NumberedMenu(
                [MenuItem(1, "cash.enter", self.action_enter), MenuItem(2, "cash.skip", self.action_skip)]
            )

    def on_mount(self) -> None:
        self.query_one(NumberedMenu).focus()

    def binding_label(self, binding: Binding) -> str | None:
        if binding.action == "leave" and not self.after_login:
            return t("keys.back")
        return None

    def on_numbered_menu_chosen(self, event: NumberedMenu.Chosen) -> None:
        event.stop()
        event.item.action()

    def action_enter(self) -> None:
        """1. Wprowadź: the amount dialog; the document opens the shift."""
        app = self.pos
        assert app.cashier is not None
        cashier = app.cashier

        def submit(amount: int, _reason: str) -> CashResult | None:
            return cash_service(app).open_shift(amount, cashier=cashier, now=app.clock())

        dialog = AmountDialog(t("cash.opening_title"), t("cash.opening_info"), submit, allow_zero=True)

        def done(result: CashResult | None) -> None:
            if result is not None:
                document_stored(app, result)
                app.call_later(self._opened, result)
            elif dialog.done_without_document:
                app.call_later(self._opened, None)

        app.push_screen(dialog, done)

    def action_skip(self) -> None:
        """2. Pomiń: the shift opens with 0,00 zł and no document."""
        app = self.pos
        assert app.cashier is not None
        try:
            cash_service(app).skip_opening(cashier=app.cashier, now=app.clock())
        except DomainError as error:
            self.say_error(error)
            return
        self.app.call_later(self._opened, None)

    async def _opened(self, result: CashResult | None) -> None:
        """The shift is open: sell (with the opening printout shown, if any)."""
        app = self.pos
        if self.after_login:
            from .registration import RegistrationScreen

            registration = RegistrationScreen()
            await app.switch_screen(registration)
        else:
            back_to_sales(app)
            registration = app.screen
        if result is not None:
            show_result(app, result)
        else:
            say = getattr(registration, "say", None)
            if say is not None:
                say(t("cash.opening_skipped"))

    def action_leave(self) -> None:
        if self.after_login:
            self.pos.logout()
        else:
            self.dismiss(None)
