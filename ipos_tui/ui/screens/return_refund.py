"""The return screen's refund: ``+`` asks how to refund (cash, or card up to what the
card paid; against an invoice also why, for its correcting invoice), then a tak/nie,
then the return is stored with its own number, printed and queued for upload."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...domain.errors import DomainError
from ...domain.money import format_money
from ...domain.records import PERM_RETURNS, PaymentMethod, document_number_text
from ...i18n import t
from ...till.invoices import CORRECTION_REASON, CORRECTION_REASONS
from ...till.returns import ReturnSource
from ..errors import error_text

if TYPE_CHECKING:
    from ..app import IposApp

    # a mixin of ReturnScreen, whose source, picks, service and authorisation it uses
    from .base import PosScreen as _Screen
else:
    _Screen = object

#: DomainError parameters of the return flow that carry grosze
_MONEY = frozenset({"amount", "limit", "total"})


def return_error_text(error: DomainError) -> str:
    """The message of ``error`` with every amount of the return flow shown as money."""
    params = {
        name: format_money(value) if name in _MONEY and isinstance(value, int) else value
        for name, value in error.params.items()
    }
    return error_text(DomainError(error.key, **params))


@dataclass(frozen=True)
class ReturnDone:
    """What the flow hands back: the status message and the printout to show."""

    message: str
    title: str
    printout: str


class RefundSteps(_Screen):
    """Refunding what is picked on :class:`~.returns.ReturnScreen` (a mixin)."""

    def action_refund(self) -> None:
        """``+``: choose cash or card (with its limit) for what is picked."""
        if self.source is None:
            return
        try:
            self.service.refund_total(self.source, self.picks)
        except DomainError as error:
            self.say(return_error_text(error), error=True)
            return
        from ..dialogs import MenuScreen
        from ..widgets.menu import MenuItem

        source = self.source
        items = []
        for number, method in enumerate(self.service.refund_methods(), start=1):
            label = _method_label(method, source)
            items.append(MenuItem(number, lambda label=label: label, lambda m=method: self._chosen(m)))
        self.app.push_screen(MenuScreen("ret.method_title", items))

    def _chosen(self, method: PaymentMethod) -> None:
        self.app.pop_screen()  # the method menu
        assert self.source is not None
        if self.source.invoice is None:
            self._confirm(method, CORRECTION_REASON)
            return
        # a return against an invoice: its correcting invoice says why
        from ..dialogs import MenuScreen
        from ..widgets.menu import MenuItem

        items = [
            MenuItem(number, lambda code=code: t(f"ret.reason.{code}"),
                     lambda text=text: self._reason_chosen(method, text))
            for number, (code, text) in enumerate(CORRECTION_REASONS.items(), start=1)
        ]
        self.app.push_screen(MenuScreen("ret.reason_title", items))

    def _reason_chosen(self, method: PaymentMethod, reason: str) -> None:
        self.app.pop_screen()  # the reason menu
        self._confirm(method, reason)

    def _confirm(self, method: PaymentMethod, reason: str) -> None:
        assert self.source is not None
        try:
            draft = self.service.draft(self.source, self.picks, method, reason)
        except DomainError as error:
            self.say(return_error_text(error), error=True)
            return
        from ..dialogs import ConfirmDialog

        question = t("ret.confirm", amount=format_money(draft.total), method=method.name,
                     lines=len(draft.lines), code=self.source.code.text)
        if self.source.invoice is not None:
            code = next(code for code, text in CORRECTION_REASONS.items() if text == reason)
            question += " " + t("invoices2.confirm_correction", number=self.source.invoice.number,
                                reason=t(f"ret.reason.{code}"))
        self.app.push_screen(ConfirmDialog(question), lambda yes: self._commit(method, reason) if yes else None)

    def _commit(self, method: PaymentMethod, reason: str = CORRECTION_REASON) -> None:
        """Store, print, queue the upload, show the printout; back to where we came from."""
        app: IposApp = self.pos
        assert self.source is not None and app.cashier is not None
        service = self.service
        now = app.clock()
        try:
            stored = service.commit(self.source, self.picks, method, cashier=app.cashier, now=now,
                                    authorisation=self.authorisation, reason=reason)
        except DomainError as error:
            self.say(return_error_text(error), error=True)
            return
        printed = service.print_return(stored.uuid, now)
        text = printed.text
        correction = service.print_correction(stored.uuid, now)
        if correction is not None:  # a return against an invoice: its correcting invoice
            text += "\n" + correction.text
        app.till.printouts.keep(stored.uuid, text, app.data_dir)
        app.sale_finished()
        done = t("ret.done", number=document_number_text("return", stored.number),
                 amount=format_money(stored.total), method=method.name)
        if stored.invoice_number:
            done += " " + t("invoices2.correction_done", number=stored.invoice_number)
        if self.authorisation is not None and not app.cashier.can(PERM_RETURNS):
            done += " " + t("perm.by", name=self.authorisation.name)
        self.dismiss(ReturnDone(done, document_number_text("return", stored.number), text))


def _method_label(method: PaymentMethod, source: ReturnSource) -> str:
    name = method.name.capitalize()
    if method.kind != "card":
        return t("ret.method_cash", name=name)
    if source.card_paid <= 0:
        return t("ret.method_card_none", name=name)
    return t("ret.method_card", name=name, limit=format_money(source.card_limit))
