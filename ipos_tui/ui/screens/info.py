"""7. Informacje and 8. Konfiguracja → 1. Informacje o kasoterminalu."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from ... import __version__
from ...domain.validation import format_nip
from ...i18n import t
from ..widgets.topbar import format_age
from .base import PosScreen

if TYPE_CHECKING:
    from ..app import IposApp


def display_path(path: Path) -> str:
    """``path`` with the home directory written as ``~``, as support reads it out."""
    try:
        return "~/" + str(path.resolve().relative_to(Path.home().resolve()))
    except ValueError:
        return str(path)


def _staged_update(data_dir: Path) -> str:
    """The version waiting for the daily report, or "brak"."""
    from ...updates.updater import staged_version

    version = staged_version(data_dir)
    return t("update.info_staged", version=version) if version else t("info.none")


class InfoBase(PosScreen):

    BINDINGS = [
        Binding("escape,enter,ctrl+j", "back", "keys.back", key_display="Esc", id="InfoBase.back"),
        Binding("f1", "app.help", "keys.help", id="InfoBase.app_help"),
    ]

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="info-box"):
            yield Static(self.text(), id="info-text", markup=False)

    def rows(self) -> list[tuple[str, str]]:
        return []

    def text(self) -> str:
        return "\n".join(f"{t(key):<30} {value}" for key, value in self.rows())

    def refresh_texts(self) -> None:
        super().refresh_texts()
        self.query_one("#info-text", Static).update(self.text())

    def action_back(self) -> None:
        self.dismiss(None)


class InfoScreen(InfoBase):
    """What support asks first: which terminal, which version, what is unsent."""

    TITLE_KEY = "menu.information"

    def rows(self) -> list[tuple[str, str]]:
        app = self.pos
        settings = app.terminal.settings
        info = settings.terminal_info()
        count, oldest = app.terminal.ledger.pending_summary()
        unsent = str(count)
        if count and oldest is not None:
            minutes = max(int((app.clock() - oldest).total_seconds() // 60), 0)
            unsent += f" ({t('info.oldest', age=format_age(minutes))})"
        connection = app.till.sync.connection()
        store = settings.store()
        return [
            ("info.terminal", f"{info.name} (id {info.terminal_id})" if info else "-"),
            ("info.store", store.name if store else "-"),
            ("info.version", __version__),
            ("info.server", connection.server_url if connection else t("info.not_activated")),
            *_last_syncs(app),
            ("info.unsent", unsent),
            *_shift(app),
            ("info.staged_update", _staged_update(app.data_dir)),
        ]


def _shift(app: IposApp) -> list[tuple[str, str]]:
    """With cash management: the open shift and the cash the drawer should hold."""
    from ...domain.money import format_money

    if not app.terminal.settings.cash_management():
        return []
    cash = app.till.cash
    if cash.current_shift() is None:
        return [("info.shift", t("info.shift_closed"))]
    state = cash.drawer()
    return [("info.shift", t("info.shift_open", since=state.shift.started_local.strftime("%H:%M"),
                             name=state.shift.cashier_name, cash=format_money(state.cash)))]


def _last_syncs(app: IposApp) -> list[tuple[str, str]]:
    """When each domain last synced successfully (local time), or "nigdy"."""
    return [
        (f"info.last_sync_{job}", when.strftime("%Y-%m-%d %H:%M") if when else t("info.never"))
        for job, when in app.till.sync.last_syncs(app.clock().tzinfo)
    ]


class TerminalInfoScreen(InfoBase):
    TITLE_KEY = "menu.terminal_info"

    def rows(self) -> list[tuple[str, str]]:
        app = self.pos
        terminal = app.terminal
        settings = terminal.settings
        company = settings.company()
        store = settings.store()
        info = settings.terminal_info()
        return [
            ("info.terminal", f"{info.name} (id {info.terminal_id})" if info else "-"),
            ("info.company", company.name if company else "-"),
            ("info.nip", format_nip(company.nip) if company and company.nip else "-"),
            ("info.address", (company.address if company else "") or "-"),
            ("info.store", f"{store.name} (id {store.id})" if store else "-"),
            ("info.store_address", (store.address if store else "") or "-"),
            ("info.login_mode", t(f"login.mode_{settings.login_mode()}")),
            ("info.products", str(terminal.catalog.product_count())),
            ("info.version", __version__),
            ("info.schema", str(terminal.schema_version)),
            ("info.data_dir", display_path(app.data_dir)),
        ]
