"""Line and receipt discounts: predefined ones for everybody, free ones ("Rabat
kwotowy" / "Rabat procentowy") with the "free_discount" permission — or, for a cashier
without it, marked "*" and given after a manager's identifier and PIN: the receipt
records who authorised which discount, and its printout says so."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...domain.errors import DomainError
from ...domain.money import format_money, format_percent_bp, parse_amount, parse_percent
from ...domain.receipt import Discount
from ...i18n import t
from ...domain.authorisation import Authorisation
from ...domain.records import PERM_FREE_DISCOUNT, DiscountDef
from ..dialogs import Field, FormDialog
from ..dialogs.authorise import GatedMenuScreen, authorise_then, gated
from ..widgets.menu import MenuItem

if TYPE_CHECKING:
    from .registration import RegistrationScreen


def _describe(definition: DiscountDef) -> str:
    value = format_percent_bp(definition.value) if definition.kind == "percent" else format_money(definition.value)
    return f"{definition.name} ({value})"


def open_discount_menu(screen: RegistrationScreen) -> None:
    app = screen.pos
    receipt = app.receipt
    if receipt.is_empty:
        screen.say(t("reg.no_line"), error=True)
        return

    def apply(scope: str, discount: Discount | None, authorisation: Authorisation | None = None) -> None:
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
        message = t("disc.applied", total=format_money(receipt.total)) if discount else t("disc.removed")
        if authorisation is not None and discount is not None:
            target = receipt.lines[index].name if scope == "line" and index is not None else "paragon"
            receipt.authorisations.append(authorisation.with_detail(f"{target} -{_value_text(discount)}"))
            message += " " + t("perm.by", name=authorisation.name)
        screen.show_receipt(select=index)
        screen.say(message)

    def free(scope: str, kind: str) -> None:
        app.pop_screen()
        parse = parse_amount if kind == "amount" else parse_percent
        label = "disc.amount_field" if kind == "amount" else "disc.percent_field"
        hint = t("money.hint") if kind == "amount" else t("disc.percent_hint")
        title = t(f"disc.{scope}_{kind}")

        def ask_value(authorisation: Authorisation | None) -> None:
            def done(values: dict | None) -> None:
                if values is not None:
                    try:
                        apply(scope, Discount(kind, values["value"]), authorisation)  # type: ignore[arg-type]
                    except DomainError as error:
                        screen.say_error(error)

            field = Field("value", label, max_length=12, validate=parse)
            app.push_screen(FormDialog(title, [field], hint=hint), done)

        authorise_then(app, PERM_FREE_DISCOUNT, ask_value, what=title)

    def predefined(definition: DiscountDef) -> None:
        app.pop_screen()
        apply(definition.scope, Discount(definition.kind, definition.value))

    def remove(scope: str) -> None:
        app.pop_screen()
        apply(scope, None)

    items = [
        gated(app, 1, "disc.line_amount", PERM_FREE_DISCOUNT, lambda: free("line", "amount")),
        gated(app, 2, "disc.line_percent", PERM_FREE_DISCOUNT, lambda: free("line", "percent")),
        gated(app, 3, "disc.receipt_amount", PERM_FREE_DISCOUNT, lambda: free("receipt", "amount")),
        gated(app, 4, "disc.receipt_percent", PERM_FREE_DISCOUNT, lambda: free("receipt", "percent")),
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
    app.push_screen(GatedMenuScreen("disc.menu_title", items))


def _value_text(discount: Discount) -> str:
    """"10%" or "2,00 zł" as the receipt's authorisation names the discount."""
    if discount.kind == "percent":
        return format_percent_bp(discount.value).replace("\u00a0", "").replace(" ", "")
    return format_money(discount.value).replace("\u00a0", " ").replace("\u202f", " ")
