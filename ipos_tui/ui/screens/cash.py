"""Cash management on the till (PRODUCT.md §5): the opening cash after login and
"2. Obsługa gotówki" — 1. Wpłata, 2. Wypłata, 3. Raport stanu kasy, 4. Zamknięcie
zmiany.

The rules live in :mod:`ipos_tui.till.cash`; this module and its neighbours ask for
amounts (``cash_amount``), show what the service refused in the dialog that asked
(so the cashier can correct it), print, kick the background upload as a finished sale
does, and take the cashier back to selling (``cash_results``) — or, after
"Zamknięcie zmiany" (``shift_close``), to the login screen. The opening cash is
``opening_cash``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

from ...domain.authorisation import Authorisation
from ...domain.errors import DomainError
from ...domain.money import format_money
from ...i18n import t
from ...till.cash import CashResult
from ..dialogs.authorise import GatedMenuScreen, MarkedLabel, authorise_then
from ..widgets.menu import MenuItem
from .cash_amount import AmountDialog
from .cash_results import cash_service, document_stored, refuse, show_result
from .opening_cash import OpeningCashScreen
from .shift_close import ShiftClose

if TYPE_CHECKING:
    from ..app import IposApp


def first_screen_after_login(app: IposApp) -> Screen[None]:
    """The opening-cash prompt when the till says one is due, otherwise the
    registration screen (the till opens a plain shift itself when shifts are on)."""
    from .registration import RegistrationScreen

    if cash_service(app).begin_after_login(cashier=app.cashier, now=app.clock()):
        return OpeningCashScreen(after_login=True)
    return RegistrationScreen()


def plain_shifts(app: IposApp) -> bool:
    """Shifts without cash management (the back office's "cashier_shifts" alone)."""
    return cash_service(app).plain_shifts()


def close_plain_shift(app: IposApp) -> None:
    """User menu → 2. Zamknięcie zmiany (shifts without cash management): the shift
    report (its sales in cash, refunds, no count) is stored and printed, then logout."""
    cashier = app.cashier
    assert cashier is not None
    service = cash_service(app)
    try:
        result = service.close_shift(cashier=cashier, now=app.clock())
    except DomainError as error:
        refuse(app, error)
        return
    document_stored(app, result)
    message = t("shifts.closed", number=result.document.number)
    app.call_later(show_result, app, result, app.logout, message)


# -- 2. Obsługa gotówki --------------------------------------------------------------------


def open_cash_menu(app: IposApp) -> None:
    """User menu → 2. Obsługa gotówki (with no open shift: the opening first)."""
    if cash_service(app).current_shift() is None:
        app.push_screen(OpeningCashScreen(after_login=False))
        return
    app.push_screen(GatedMenuScreen("cash.menu", cash_menu_items(app)))


def cash_menu_items(app: IposApp) -> list[MenuItem]:
    """1. Wpłata, 2. Wypłata, 3. Raport stanu kasy, 4. Zamknięcie zmiany. Wpłata and
    Wypłata are marked "*" for a cashier who needs a manager's PIN for them."""
    cashier = app.cashier
    service = cash_service(app)

    def label(which: str) -> str | MarkedLabel:
        allowed = cashier is not None and (
            service.can_deposit(cashier) if which == "deposit" else service.can_withdraw(cashier)
        )
        return f"cash.{which}" if allowed else MarkedLabel(f"cash.{which}")

    return [
        MenuItem(1, label("deposit"), lambda: _operation(app, "deposit")),
        MenuItem(2, label("withdrawal"), lambda: _operation(app, "withdrawal")),
        MenuItem(3, "cash.state_report", lambda: _state_report(app)),
        MenuItem(4, "cash.shift_close", lambda: _close_shift(app)),
    ]


def _operation(app: IposApp, which: str) -> None:
    """Wpłata / Wypłata: permission first (the cashier's, or a manager's identifier and
    PIN, recorded on the document), then the amount and an optional reason."""
    cashier = app.cashier
    assert cashier is not None
    service = cash_service(app)
    try:
        service.drawer()
    except DomainError as error:
        refuse(app, error)
        return
    allowed = service.can_deposit(cashier) if which == "deposit" else service.can_withdraw(cashier)
    if allowed:
        _ask_amount(app, which, None)
        return
    authorise_then(app, service.permission_for(which), lambda a: _ask_amount(app, which, a),
                   always=True, what=t(f"cash.{which}"))


def _ask_amount(app: IposApp, which: str, authorisation: Authorisation | None) -> None:
    """The amount and reason of a Wpłata / Wypłata, stored on Enter."""
    cashier = app.cashier
    assert cashier is not None
    service = cash_service(app)
    try:
        state = service.drawer()
    except DomainError as error:
        refuse(app, error)
        return
    operation = service.deposit if which == "deposit" else service.withdraw

    def submit(amount: int, reason: str) -> CashResult:
        return operation(amount, reason=reason, cashier=cashier, now=app.clock(), authorisation=authorisation)

    def done(result: CashResult | None) -> None:
        if result is not None:
            document_stored(app, result)
            app.call_later(show_result, app, result)

    info = t("cash.in_drawer_now", amount=format_money(state.cash))
    if authorisation is not None:
        info += " " + t("perm.by", name=authorisation.name)
    app.push_screen(AmountDialog(t(f"cash.{which}"), info, submit, with_reason=True), done)


def _state_report(app: IposApp) -> None:
    """3. Raport stanu kasy: stored, printed, shown."""
    assert app.cashier is not None
    try:
        result = cash_service(app).report_state(cashier=app.cashier, now=app.clock())
    except DomainError as error:
        refuse(app, error)
        return
    document_stored(app, result)
    show_result(app, result)


def _close_shift(app: IposApp) -> None:
    """4. Zamknięcie zmiany: the count, the summary with the difference, a second
    question for a large difference, the printed report, logout."""
    cashier = app.cashier
    assert cashier is not None
    service = cash_service(app)
    try:
        state = service.drawer()
    except DomainError as error:
        refuse(app, error)
        return
    ShiftClose(app, service, cashier, state).ask_count()
