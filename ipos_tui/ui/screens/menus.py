"""The menu trees of PRODUCT.md §2, as data for the one numbered-menu widget.

Items whose work belongs to features not built yet are left out (``visible=False``)
and the others keep their fixed numbers, as on the duet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...domain.errors import DomainError
from ...i18n import t
from ...domain.records import PERM_DAY_CLOSE, PERM_REPORTS
from ..dialogs import Field, FormDialog, MenuScreen
from ..dialogs.authorise import GatedMenuScreen, gated, needs_manager
from ..widgets.menu import MenuItem

if TYPE_CHECKING:
    from ..app import IposApp

SERVICE_PASSWORD = "SERVIS"


def _lock(app: IposApp) -> None:
    """1. Blokada ekranu; with unsent transactions it says so and asks first."""
    count, _oldest = app.terminal.ledger.pending_summary()
    if not count:
        app.logout()
        return
    from ..dialogs import ConfirmDialog

    def answered(yes: bool | None) -> None:
        if yes:
            app.logout()

    app.push_screen(ConfirmDialog(t("menu.lock_unsent_question", n=count, cloud=app.glyphs.cloud)), answered)



def _transactions(app: IposApp) -> None:
    from .transactions import TransactionsScreen

    app.push_screen(TransactionsScreen())


def _parked(app: IposApp) -> None:
    from .parked import ParkedScreen

    app.push_screen(ParkedScreen())


def _information(app: IposApp) -> None:
    from .info import InfoScreen

    app.push_screen(InfoScreen())


def _terminal_information(app: IposApp) -> None:
    from .info import TerminalInfoScreen

    app.push_screen(TerminalInfoScreen())


def settings_items(app: IposApp) -> list[MenuItem]:
    """8. Konfiguracja → 2. Ustawienia: each item toggles a setting and shows its value."""

    def toggle_language() -> None:
        app.set_ui_language("en" if app.language == "pl" else "pl")

    def toggle_console() -> None:
        app.set_console_mode(not app.console_mode)

    return [
        MenuItem(1, lambda: t("settings.language", value=t(f"settings.lang_{app.language}")), toggle_language),
        MenuItem(
            2,
            lambda: t("settings.console", value=t("settings.on" if app.console_mode else "settings.off")),
            toggle_console,
        ),
    ]


def _connection(app: IposApp) -> None:
    from .connection import ConnectionScreen

    app.push_screen(ConnectionScreen())


def _sync(app: IposApp, title_key: str, jobs: list[str]) -> None:
    from .sync import SyncScreen

    app.push_screen(SyncScreen(title_key, jobs))


PULLS = ["config", "users", "products"]


def sync_items(app: IposApp) -> list[MenuItem]:
    """8 → 4. Synchronizacja: each item syncs one domain, as on the duet."""
    return [
        MenuItem(1, "menu.sync_config", lambda: _sync(app, "menu.sync_config", ["config"])),
        MenuItem(2, "menu.sync_users", lambda: _sync(app, "menu.sync_users", ["users"])),
        MenuItem(3, "menu.sync_products", lambda: _sync(app, "menu.sync_products", ["products"])),
        MenuItem(4, "menu.sync_transactions", lambda: _sync(app, "menu.sync_transactions", ["transactions"])),
        MenuItem(5, "update.menu_item", lambda: _update(app)),
    ]


def _update(app: IposApp) -> None:
    from .update import UpdateScreen

    app.push_screen(UpdateScreen())


def configuration_items(app: IposApp, *, service: bool = False) -> list[MenuItem]:
    """8. Konfiguracja; in the service menu (before login) Synchronizacja runs every pull."""
    if service:
        sync = MenuItem(4, "menu.sync", lambda: _sync(app, "menu.sync", PULLS))
    else:
        sync = MenuItem(4, "menu.sync", lambda: app.push_screen(MenuScreen("menu.sync", sync_items(app))))
    return [
        MenuItem(1, "menu.terminal_info", lambda: _terminal_information(app)),
        MenuItem(2, "menu.settings", lambda: app.push_screen(MenuScreen("menu.settings", settings_items(app)))),
        MenuItem(3, "menu.connection", lambda: _connection(app)),
        sync,
        MenuItem(5, "menu.printer", lambda: _printer(app), visible=not service),
        MenuItem(6, "menu.card_app", lambda: _card_app(app), visible=not service),
    ]


def _printer(app: IposApp) -> None:
    """8 → 5. Drukarka fiskalna: PTU table, state, electronic journal."""
    from .printer import printer_items

    app.push_screen(MenuScreen("menu.printer", printer_items(app)))


def _card_app(app: IposApp) -> None:
    """8 → 6. Aplikacja płatnicza: card transactions, Rozliczenia ("day_close")."""
    from .card_app import card_app_items

    app.push_screen(GatedMenuScreen("menu.card_app", card_app_items(app)))


def _day_close(app: IposApp) -> None:
    """3. Raport dobowy (zamknięcie dnia)."""
    from .reports import start_day_close

    start_day_close(app)


def _reports(app: IposApp) -> None:
    """4. Raporty: daily, monthly, periodic."""
    from .reports import open_reports

    open_reports(app)


def _cash(app: IposApp) -> None:
    """2. Obsługa gotówki: deposits, withdrawals, cash report, end of shift."""
    from .cash import open_cash_menu

    open_cash_menu(app)


def _plain_shift_close(app: IposApp) -> None:
    """2. Zamknięcie zmiany, when shifts are on without cash management."""
    from .cash import close_plain_shift

    close_plain_shift(app)


def user_menu_items(app: IposApp) -> list[MenuItem]:
    """Menu użytkownika (F2 on the registration screen).

    What a cashier may not do alone stays on offer, marked "*": choosing it asks for
    a manager's identifier and PIN (ui/dialogs/authorise.py) — 3. Raport dobowy
    ("day_close"), and 4. Raporty when none of its reports is the cashier's own. Inside
    the submenus the same holds per item; viewing (transactions, information, the
    printer's journal, sync pulls) is open to everybody.
    """
    from .cash import plain_shifts

    reports = PERM_DAY_CLOSE if needs_manager(app, PERM_REPORTS) else PERM_REPORTS
    return [
        MenuItem(1, "menu.lock", lambda: _lock(app)),
        MenuItem(2, "cash.menu", lambda: _cash(app), visible=app.terminal.settings.cash_management()),
        MenuItem(2, "cash.shift_close", lambda: _plain_shift_close(app), visible=plain_shifts(app)),
        gated(app, 3, "report.menu_day_close", PERM_DAY_CLOSE, lambda: _day_close(app)),
        gated(app, 4, "report.menu_reports", reports, lambda: _reports(app)),
        MenuItem(5, "menu.transactions", lambda: _transactions(app)),
        MenuItem(
            6, "menu.parked", lambda: _parked(app),
            visible=app.terminal.settings.parked_receipts(),
        ),
        MenuItem(7, "menu.information", lambda: _information(app)),
        MenuItem(
            8,
            "menu.configuration",
            lambda: app.push_screen(MenuScreen("menu.configuration", configuration_items(app))),
        ),
        # routine cashier work (packaging counted at the till, as bottle machines do):
        # no manager needed; the cash operation names its cashier
        MenuItem(9, "grocery.deposit_return", lambda: _deposit_return(app)),
    ]


def _deposit_return(app: IposApp) -> None:
    """9. Zwrot kaucji: packaging brought back without a purchase, cash paid out."""
    from .deposit_return import start_deposit_return

    start_deposit_return(app)


def open_user_menu(app: IposApp) -> None:
    app.push_screen(GatedMenuScreen("menu.user", user_menu_items(app)))


def _service_tools(app: IposApp) -> None:
    """2. Serwis: asks the service password first."""

    def check(text: str) -> str:
        if text.strip().upper() != SERVICE_PASSWORD:
            raise DomainError("err.service_password")
        return text

    def done(values: dict | None) -> None:
        if values is not None:
            items = [MenuItem(1, "menu.transactions", lambda: _service_transactions(app))]
            app.push_screen(MenuScreen("menu.service_tools", items))

    field = Field("password", "service.password", password=True, max_length=16, validate=check)
    app.push_screen(FormDialog(t("menu.service_tools"), [field]), done)


def _service_transactions(app: IposApp) -> None:
    """Serwis → Transakcje: the list, and sending what is pending."""
    items = [
        MenuItem(1, "menu.transaction_list", lambda: _transactions(app)),
        MenuItem(2, "menu.send_pending", lambda: _sync(app, "menu.send_pending", ["transactions"])),
    ]
    app.push_screen(MenuScreen("menu.transactions", items))


def service_menu_items(app: IposApp) -> list[MenuItem]:
    """Menu serwisowe (F2 on the login screen)."""
    return [
        MenuItem(
            1,
            "menu.configuration",
            lambda: app.push_screen(MenuScreen("menu.configuration", configuration_items(app, service=True))),
        ),
        MenuItem(2, "menu.service_tools", lambda: _service_tools(app)),
    ]


def open_service_menu(app: IposApp) -> None:
    app.push_screen(MenuScreen("menu.service", service_menu_items(app)))
