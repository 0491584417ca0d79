"""8. Konfiguracja → 6. Aplikacja płatnicza: the card payments since the last settlement,
and "Rozliczenia", which settles now and prints the settlement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding

from ...domain.money import format_money
from ...i18n import t
from ...domain.card import CardTransaction
from ...domain.records import PERM_DAY_CLOSE
from ..widgets.menu import MenuItem
from .list_screen import NAVIGATION, ListScreen

if TYPE_CHECKING:
    from ..app import IposApp


def period_text(app: IposApp) -> str:
    """Count and total of the card payments since the last settlement."""
    count, total = app.till.card_app.period_totals()
    return t("card.period", n=count, total=format_money(total))


def last_settlement_text(app: IposApp) -> str:
    """Which settlement was the last one, and when."""
    last = app.till.card_app.last_settlement()
    if last is None:
        return t("card.no_settlement")
    return t("card.last_settlement", number=last.number, when=f"{last.settled_local:%Y-%m-%d %H:%M}")


class CardTransactionsScreen(ListScreen):
    """The card payments of the open period, newest first; Enter shows the receipt."""

    TITLE_KEY = "card.screen_title"
    ID_PREFIX = "card"

    BINDINGS = [
        Binding("enter,ctrl+j", "open", "keys.receipt", key_display="Enter", id="CardTransactionsScreen.open"),
        *NAVIGATION,
        Binding("escape", "back", "keys.back", id="CardTransactionsScreen.back"),
        Binding("f1", "app.help", "keys.help", id="CardTransactionsScreen.app_help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.transactions: list[CardTransaction] = []

    def header(self) -> str:
        return (
            f" {t('tx.time'):<8} {t('tx.amount'):>12}  {t('card.col_auth'):<7} {t('card.col_card'):<20} "
            f"{t('card.col_receipt'):<7} {t('card.col_state')}"
        )

    def load(self) -> None:
        self.transactions = self.pos.till.card_app.open_transactions()
        self.rows.show_rows([self.row(tx) for tx in self.transactions], 0)
        self.say(period_text(self.pos) if self.transactions else f"{t('card.empty')} {period_text(self.pos)}")
        self.box.border_subtitle = last_settlement_text(self.pos)

    def row(self, tx: CardTransaction) -> Text:
        receipt = f"{tx.receipt_number:06d}" if tx.receipt_number is not None else "-"
        state = t(f"card.state_{tx.state}")
        text = Text(no_wrap=True, overflow="crop")
        text.append(
            f" {tx.created_local:%H:%M:%S} {format_money(tx.signed_amount):>12}  {tx.auth_code:<7} "
            f"{tx.card_masked:<20} {receipt:<7} {state}",
            style="strike" if tx.state == "reversed" else "",
        )
        return text

    def action_open(self) -> None:
        index = self.rows.highlighted
        if not self.transactions or index is None:
            return
        tx = self.transactions[index]
        if tx.receipt_uuid is None:
            self.say(t("card.no_receipt"))
            return
        from .printouts import show_printout

        show_printout(self.pos, tx.receipt_uuid)


def settle_now(app: IposApp) -> None:
    """Rozliczenia: say what will be settled, ask, settle, show the printout. It ends
    the card day as the daily report does: "day_close", or a manager's PIN."""
    from ..dialogs import ConfirmDialog, TextViewDialog
    from ..dialogs.authorise import authorise_then

    def answered(yes: bool | None) -> None:
        if not yes:
            return
        settlement = app.till.card_app.settle(app.clock())
        assert settlement.printout is not None
        app.push_screen(
            TextViewDialog(t("card.settlement_title", number=settlement.number), settlement.printout.text)
        )

    def ask(_authorisation: object) -> None:
        question = t("card.settle_question", period=period_text(app), last=last_settlement_text(app))
        app.push_screen(ConfirmDialog(question), answered)

    authorise_then(app, PERM_DAY_CLOSE, ask, what=t("card.settle"))


def card_app_items(app: IposApp) -> list[MenuItem]:
    """8 → 6. Aplikacja płatnicza."""
    from ..dialogs.authorise import gated

    return [
        MenuItem(1, "card.transactions_title", lambda: app.push_screen(CardTransactionsScreen())),
        gated(app, 2, "card.settle", PERM_DAY_CLOSE, lambda: settle_now(app)),
    ]
