"""Line and receipt discounts: predefined ones for everybody, free ones with a
permission ("Rabat kwotowy" / "Rabat procentowy")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.errors import DomainError
from ..domain.money import format_money, format_percent_bp, parse_amount, parse_percent
from ..domain.receipt import Discount
from ..i18n import t
from ..terminal.records import PERM_FREE_DISCOUNT, DiscountDef
from .dialogs import Field, FormDialog, MenuScreen
from .widgets.menu import MenuItem

if TYPE_CHECKING:
    from .screens.registration import RegistrationScreen


def _describe(definition: DiscountDef) -> str:
    value = format_percent_bp(definition.value) if definition.kind == "percent" else format_money(definition.value)
    return f"{definition.name} ({value})"


def open_discount_menu(screen: RegistrationScreen) -> None:
    app = screen.pos
    receipt = app.receipt
    if receipt.is_empty:
        screen.say(t("reg.no_line"), error=True)
        return

    def apply(scope: str, discount: Discount | None) -> None:
        index = screen.selected_index()
        try:
            if scope == "line":
                assert index is not None
                receipt.set_line_discount(index, discount)
            else:
                receipt.set_receipt_discount(discount)
        except DomainError as error:
            screen.say_error(error)
            return
        screen.show_receipt(select=index)
        screen.say(t("disc.applied", total=format_money(receipt.total)) if discount else t("disc.removed"))

    def free(scope: str, kind: str) -> None:
        app.pop_screen()
        if app.cashier is None or not app.cashier.can(PERM_FREE_DISCOUNT):
            screen.say(t("err.no_permission_discount"), error=True)
            return
        parse = parse_amount if kind == "amount" else parse_percent
        label = "disc.amount_field" if kind == "amount" else "disc.percent_field"
        hint = t("money.hint") if kind == "amount" else t("disc.percent_hint")

        def done(values: dict | None) -> None:
            if values is not None:
                try:
                    apply(scope, Discount(kind, values["value"]))  # type: ignore[arg-type]
                except DomainError as error:
                    screen.say_error(error)

        title = t(f"disc.{scope}_{kind}")
        app.push_screen(FormDialog(title, [Field("value", label, max_length=12, validate=parse)], hint=hint), done)

    def predefined(definition: DiscountDef) -> None:
        app.pop_screen()
        apply(definition.scope, Discount(definition.kind, definition.value))

    def remove(scope: str) -> None:
        app.pop_screen()
        apply(scope, None)

    items = [
        MenuItem(1, "disc.line_amount", lambda: free("line", "amount")),
        MenuItem(2, "disc.line_percent", lambda: free("line", "percent")),
        MenuItem(3, "disc.receipt_amount", lambda: free("receipt", "amount")),
        MenuItem(4, "disc.receipt_percent", lambda: free("receipt", "percent")),
        MenuItem(5, "disc.remove_line", lambda: remove("line")),
        MenuItem(6, "disc.remove_receipt", lambda: remove("receipt")),
    ]
    number = 7
    for scope in ("line", "receipt"):
        for definition in app.terminal.catalog.discounts(scope):
            if number > 9:
                break
            items.append(
                MenuItem(number, lambda d=definition: t(f"disc.predefined_{d.scope}", name=_describe(d)),
                         lambda d=definition: predefined(d))
            )
            number += 1
    app.push_screen(MenuScreen("disc.menu_title", items))
