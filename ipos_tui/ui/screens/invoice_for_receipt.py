""""Faktura do paragonu": an invoice for an earlier receipt, from "5. Transakcje".

``F`` on a receipt of the list: the till checks that an invoice may be issued for it
(a "Paragon z NIP" of this till, not invoiced yet, asked within the time the law
allows: see :mod:`ipos_tui.terminal.invoices`) and says why not otherwise; then asks
the buyer's name and address (the NIP is the receipt's and cannot change), stores the
invoice with the next number of the invoice series, prints it (non-fiscal: the sale
was already on the fiscal receipt) and shows the printout. Nothing is added to the
day's sales.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...domain.errors import DomainError
from ...domain.money import format_money
from ...domain.nip import nip_text
from ...i18n import t
from ...domain.records import DocumentDetail
from .base import PosScreen, error_text

if TYPE_CHECKING:
    from ..app import IposApp


def start_invoice_for_receipt(screen: PosScreen, code: str) -> None:
    """Check the receipt ``code`` and, if an invoice may be issued for it, ask the
    buyer's name and address, then issue, print and show it."""
    app: IposApp = screen.pos
    if app.cashier is None:
        return
    service = app.till.invoices
    try:
        receipt = service.find_receipt(code, app.clock())
    except DomainError as error:
        screen.say(error_text(error), error=True)
        return
    from ..dialogs import Field, FormDialog

    buyer = receipt.buyer
    assert buyer is not None  # a "Paragon z NIP" always names the buyer's NIP
    fields = [
        Field("name", "pay.buyer_name", max_length=60, value=buyer.name),
        Field("address", "pay.buyer_address", max_length=80, value=buyer.address),
    ]
    hint = t("invoices2.form_hint", code=receipt.code, when=receipt.created_local.strftime("%Y-%m-%d %H:%M"),
             total=format_money(sum(line.value for line in service.kept(receipt).lines)), nip=nip_text(buyer.nip))

    def answered(values: dict[str, Any] | None) -> None:
        if values:
            _issue(screen, receipt, values["name"], values["address"])

    app.push_screen(FormDialog(t("invoices2.title"), fields, hint=hint), answered)


def _issue(screen: PosScreen, receipt: DocumentDetail, name: str, address: str) -> None:
    app: IposApp = screen.pos
    assert app.cashier is not None
    service = app.till.invoices
    now = app.clock()
    try:
        stored = service.issue_for_receipt(receipt, name, address, cashier=app.cashier, now=now)
    except DomainError as error:
        screen.say(error_text(error), error=True)
        return
    printed = service.print_invoice(stored.uuid, now)
    app.till.printouts.keep(stored.uuid, printed.text, app.data_dir)
    app.sale_finished()  # the upload queue and the top bar's unsent count
    reload = getattr(screen, "load", None)
    if callable(reload):
        reload()
    screen.say(t("invoices2.done", number=stored.invoice_number or "", code=receipt.code))
    screen.refresh_top_bar()
    from ..dialogs import TextViewDialog

    app.push_screen(TextViewDialog(t("invoices2.title_number", number=stored.invoice_number or ""),
                                   printed.text))
