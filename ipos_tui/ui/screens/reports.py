"""The user menu's reports: 3. Raport dobowy (zamknięcie dnia) and 4. Raporty, plus the
day-close options that reach into selling (the midnight block at payment, the
reminder at the set time).

The day close itself is :class:`~ipos_tui.ui.screens.day_close.DayCloseScreen`;
monthly and periodic reports are sums of stored daily reports
(:mod:`ipos_tui.till.reports`), shown as printed and journaled each time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from ...domain.errors import DomainError
from ...i18n import t
from ...till.reports import (
    authorised_lines,
    category_lines,
    check_period,
    parse_day,
    parse_month,
    periodic_report_body,
)
from ...domain.authorisation import Authorisation
from ...domain.records import PERM_DAY_CLOSE, PERM_REPORTS
from ..dialogs import ConfirmDialog, Field, FormDialog, MenuScreen, TextViewDialog
from ..dialogs.authorise import GatedMenuScreen, authorise_then, gated
from ..widgets.menu import MenuItem

if TYPE_CHECKING:
    from ..app import IposApp


def start_day_close(app: IposApp, *, keep_current: bool = False) -> bool:
    """Open the day close; refused (and said why) while the receipt has lines. A
    cashier without "day_close" needs a manager's identifier and PIN first (the
    report records who authorised it); returns False when refused at once.

    ``keep_current``: started from payment under the midnight block — the receipt
    being rung up is kept and paid after the report.
    """
    from .day_close import DayCloseScreen

    back_to_screen(app)
    if app.receipt.lines and not keep_current:
        say(app, t("day.err_receipt_open"), error=True)
        return False

    def start(authorisation: Authorisation | None) -> None:
        back_to_screen(app)
        app.push_screen(DayCloseScreen(keep_current=keep_current, authorisation=authorisation))

    authorise_then(app, PERM_DAY_CLOSE, start, what=t("report.menu_day_close"))
    return True


def back_to_screen(app: IposApp) -> None:
    """Close the open menus, back to the screen they were opened from."""
    while isinstance(app.screen, MenuScreen):
        app.pop_screen()


def say(app: IposApp, text: str, *, error: bool = False) -> None:
    """A message on the status line of the current full screen."""
    from .base import PosScreen

    back_to_screen(app)
    if isinstance(app.screen, PosScreen):
        app.screen.say(text, error=error)


def _month(app: IposApp, authorisation: Authorisation | None = None) -> None:
    """4 → 2. Raport miesięczny: asks the month (this month by default)."""
    today = app.clock().date()

    def done(values: dict[str, Any] | None) -> None:
        if values is not None:
            start, end = values["month"]  # validated by parse_month
            _show(app, start, end, t("report.monthly_title", month=start.strftime("%m.%Y")),
                  f"RAPORT MIESIĘCZNY {start:%m.%Y}", authorisation)

    field = Field("month", "report.month", value=today.strftime("%m.%Y"), max_length=7,
                  validate=lambda text: parse_month(text, today))
    app.push_screen(FormDialog(t("report.monthly"), [field]), done)


def _period(app: IposApp, authorisation: Authorisation | None = None) -> None:
    """4 → 3. Raport okresowy: asks the first and the last day (this month so far)."""
    today = app.clock().date()

    def done(values: dict[str, Any] | None) -> None:
        if values is None:
            return
        start, end = values["start"], values["end"]  # validated by parse_day
        try:
            check_period(start, end)
        except DomainError as error:
            from .base import error_text

            say(app, error_text(error), error=True)
            return
        title = t("report.periodic_title", start=start.strftime("%d.%m.%Y"), end=end.strftime("%d.%m.%Y"))
        _show(app, start, end, title, "RAPORT OKRESOWY", authorisation)

    fields = [
        Field("start", "report.start", value=today.replace(day=1).strftime("%d.%m.%Y"), max_length=10,
              validate=lambda text: parse_day(text, today)),
        Field("end", "report.end", value=today.strftime("%d.%m.%Y"), max_length=10, validate=lambda text: parse_day(text, today)),
    ]
    app.push_screen(FormDialog(t("report.periodic"), fields), done)


def _show(
    app: IposApp, start: date, end: date, title: str, printed_title: str,
    authorisation: Authorisation | None = None,
) -> None:
    """Sum the daily reports of [start, end], print (journal) and show the printout
    (which names the manager who authorised it, if one did)."""
    reports = app.till.reports
    report = reports.periodic(start, end)
    names = {method.code: method.name for method in app.terminal.catalog.payment_methods()}
    by_category = category_lines(reports.sales_by_category(start, end))
    reports.print_periodic(report, printed_title, app.clock(), names, authorisation, by_category)
    text = "\n".join(periodic_report_body(report, names) + by_category + authorised_lines(authorisation))
    if not report.reports:
        text = t("report.none") + "\n\n" + text
    app.push_screen(TextViewDialog(title, text))


def _reports_item(app: IposApp, show: Callable[[IposApp, Authorisation | None], None], label: str) -> None:
    """4 → 2/3: the report at once, or after a manager authorised it ("reports")."""
    authorise_then(app, PERM_REPORTS, lambda authorisation: show(app, authorisation), what=t(label))


def report_items(app: IposApp) -> list[MenuItem]:
    """4. Raporty: 1. the daily report ("day_close"), 2./3. monthly and periodic
    ("reports"); an item the cashier may not do alone is marked and asks a manager."""
    return [
        gated(app, 1, "report.menu_day_close", PERM_DAY_CLOSE, lambda: start_day_close(app)),
        gated(app, 2, "report.monthly", PERM_REPORTS, lambda: _reports_item(app, _month, "report.monthly")),
        gated(app, 3, "report.periodic", PERM_REPORTS, lambda: _reports_item(app, _period, "report.periodic")),
    ]


def open_reports(app: IposApp) -> None:
    app.push_screen(GatedMenuScreen("report.menu_reports", report_items(app)))


def payment_blocked(app: IposApp) -> bool:
    """The open fiscal day takes no more sales (it began on an earlier date, or the
    "block" option's time has passed): say why and offer the daily report. The
    ledger refuses the commit itself anyway; this warns before payment opens.

    Returns True when payment must not open now.
    """
    from .base import error_text

    refusal = app.terminal.ledger.day_refusal(app.clock())
    if refusal is None:
        return False

    def answered(yes: bool | None) -> None:
        if yes:
            start_day_close(app, keep_current=True)

    # the dialog's own wording: its Enter is the way out the status-line text names
    reason = error_text(DomainError(refusal.key.replace(".err_", ".dialog_"), **refusal.params))
    app.push_screen(ConfirmDialog(t("dayrule2.question", reason=reason)), answered)
    return True


def check_reminder(app: IposApp) -> None:
    """Under the "reminder" option: once a day after the set time, ask tak/nie
    (selling goes on either way; "tak" with an empty receipt starts the day close)."""
    from .registration import RegistrationScreen

    if not isinstance(app.screen, RegistrationScreen) or app.cashier is None:
        return
    reports = app.till.reports
    now = app.clock()
    if not reports.reminder_due(now):
        return
    reports.reminder_answered(now)

    def answered(yes: bool | None) -> None:
        if yes:
            start_day_close(app)

    at = app.terminal.settings.day_close_time() or ""
    app.push_screen(ConfirmDialog(t("day.reminder_question", time=at)), answered)

