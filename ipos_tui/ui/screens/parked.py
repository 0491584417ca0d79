"""6. Paragony: the open (parked) receipts — open one, start a new one, delete one.

Opening or starting a receipt goes straight back to the registration screen with it,
since that is what the cashier parks a receipt for; deleting stays on the list.
Every receipt here is already stored (the registration screen writes each change),
so nothing on this screen can lose a line.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding

from ...domain.errors import DomainError
from ...domain.money import format_money
from ...i18n import t
from ...domain.authorisation import Authorisation
from ...domain.parked import MAX_PARKED, OpenReceipt, ParkedSummary
from ...domain.records import PERM_VOID
from ..dialogs.authorise import authorise_then
from ..widgets.receipt_list import fit
from .list_screen import NAVIGATION, ListScreen

_NAME_WIDTH = 24


class ParkedScreen(ListScreen):
    TITLE_KEY = "menu.parked"
    ID_PREFIX = "parked"
    BOX_TITLE_KEY = "receipt.parked_title"

    BINDINGS = [
        Binding("1", "pick(1)", "keys.choose", key_display=f"1\u2013{MAX_PARKED}", id="ParkedScreen.pick.1"),
        *(Binding(str(n), f"pick({n})", "keys.choose", show=False, id=f"ParkedScreen.pick.{n}") for n in range(2, MAX_PARKED + 1)),
        *NAVIGATION,
        Binding("enter,ctrl+j", "open", "keys.open", key_display="Enter", id="ParkedScreen.open"),
        Binding("plus,add,insert", "add", "keys.parked_add", key_display="+", id="ParkedScreen.add"),
        Binding("delete", "delete", "keys.delete", id="ParkedScreen.delete"),
        Binding("escape", "back", "keys.back", id="ParkedScreen.back"),
        Binding("f1", "app.help", "keys.help", id="ParkedScreen.app_help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.receipts: list[ParkedSummary] = []

    def header(self) -> str:
        return (
            f"  {t('receipt.col_number'):>3}  {t('receipt.col_receipt'):<{_NAME_WIDTH}} "
            f"{t('receipt.col_state'):<10} {t('receipt.col_lines'):>8} {t('receipt.col_total'):>14}"
        )

    def row(self, position: int, parked: ParkedSummary) -> str:
        name = fit(t("receipt.name", n=parked.number), _NAME_WIDTH)
        state = t("receipt.current") if parked.is_current else ""
        return (
            f"  {position:>2}.  {name:<{_NAME_WIDTH}} {fit(state, 10):<10} "
            f"{parked.line_count:>8} {format_money(parked.total):>14}"
        )

    def on_mount(self) -> None:
        self.say(t("receipt.parked_hint", name=self.pos.receipt_name))

    def load(self, select: int | None = None) -> None:
        """Re-read the list; the highlight goes to ``select`` or the current receipt."""
        self.pos.save_receipt()
        self.receipts = self.pos.parked.list_parked(self.pos.parked_owner_filter())
        if select is None:
            select = next((i for i, parked in enumerate(self.receipts) if parked.is_current), 0)
        rows = [self.row(position, parked) for position, parked in enumerate(self.receipts, 1)]
        self.rows.show_rows(rows, select)

    def highlighted(self) -> ParkedSummary | None:
        index = self.rows.highlighted
        return self.receipts[index] if self.receipts and index is not None else None

    # -- actions ------------------------------------------------------------------
    def action_pick(self, position: int) -> None:
        """A digit opens the receipt listed under that number."""
        if position > len(self.receipts):
            self.say(t("receipt.parked_none", n=position), error=True)
            return
        self.rows.highlighted = position - 1
        self.action_open()

    def action_open(self) -> None:
        chosen = self.highlighted()
        if chosen is None:
            return
        self._go_selling(lambda: self.pos.parked.switch(chosen.id))

    def action_add(self) -> None:
        cashier = self.pos.cashier
        self._go_selling(lambda: self.pos.parked.add(cashier.id if cashier is not None else None))

    def _go_selling(self, opening: Callable[[], OpenReceipt]) -> None:
        """Open the receipt ``opening()`` returns and go back to ringing it up."""
        from .registration import RegistrationScreen

        self.pos.save_receipt()
        try:
            opened = opening()
        except DomainError as error:
            self.say_error(error)
            return
        self.pos.open_receipt(opened)
        while not isinstance(self.app.screen, RegistrationScreen):
            self.app.pop_screen()

    def action_delete(self) -> None:
        """Del: delete the highlighted receipt; one with lines is confirmed first and,
        as it voids what was rung up, needs "void" (or a manager's PIN)."""
        chosen = self.highlighted()
        if chosen is None:
            return
        name = t("receipt.name", n=chosen.number)
        if chosen.line_count == 0:
            self._delete(chosen, name)
            return
        question = t(
            "receipt.parked_delete_question", name=name, n=chosen.line_count, total=format_money(chosen.total)
        )

        def answered(yes: bool | None) -> None:
            if yes:
                authorise_then(self.pos, PERM_VOID, lambda a: self._delete(chosen, name, a),
                               what=f"{t('perm.name.void').capitalize()}: {name}")

        from ..dialogs import ConfirmDialog

        self.app.push_screen(ConfirmDialog(question, default=False), answered)

    def _delete(self, chosen: ParkedSummary, name: str, authorisation: Authorisation | None = None) -> None:
        index = self.receipts.index(chosen)
        try:  # a receipt with lines thrown away counts as voided (logged with its removal)
            self.pos.open_receipt(
                self.pos.sale.delete_parked(chosen.id, self.pos.cashier, self.pos.clock(), authorisation))
        except DomainError as error:
            self.say_error(error)
            return
        self.load(max(index - 1, 0))
        self.refresh_top_bar()
        message = t("receipt.parked_deleted", name=name, current=self.pos.receipt_name)
        if authorisation is not None:
            message += " " + t("perm.by", name=authorisation.name)
        self.say(message)
