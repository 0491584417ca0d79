"""The terminal application: wires the till's use cases to the screens.

The App stays thin: it holds the :class:`~ipos_tui.till.Till` (the use cases over
the till's database and devices), the logged-in cashier, the clock and the display
mode (language, console glyphs). Screens do the work; see ``ui/screens``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from datetime import datetime
from pathlib import Path

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.scrollbar import ScrollBar, ScrollBarRender

from .. import __version__
from ..domain.receipt import Receipt
from ..i18n import set_language, t
from ..domain.parked import OpenReceipt
from ..till import Sale, Till
from ..domain.records import User
from textual.worker import Worker, WorkerState

from .background import BackgroundUpload
from .dialogs.unexpected import report_unexpected
from .errors import ErrorGuard, Guarded
from .key_order import KeysInOrder
from .recovery import Recovery
from .glyphs import CONSOLE, UNICODE, Glyphs
from .resources import styles_dir
from .widgets.topbar import format_age

if TYPE_CHECKING:  # the types the till hands out (no import of the database at run time)
    from ..store.db import Terminal
    from ..store.parked import ParkedService

KEY_NAMES = {
    "enter": "Enter",
    "escape": "Esc",
    "delete": "Del",
    "backspace": "Backspace",
    "asterisk": "*",
    "number_sign": "#",
    "plus": "+",
    "slash": "/",
    "up": "\u2191",
    "down": "\u2193",
    "left": "\u2190",
    "right": "\u2192",
    "tab": "Tab",
    "space": "Spacja",
    "pageup": "PgUp",
    "pagedown": "PgDn",
}


class ConsoleScrollBarRender(ScrollBarRender):
    """Scrollbars drawn with whole cells only: the console font has no eighth blocks."""

    VERTICAL_BARS = [" "] * 8
    HORIZONTAL_BARS = [" "] * 8


def local_now() -> datetime:
    return datetime.now().astimezone()


#: How often the day-close reminder's time is checked.
REMINDER_CHECK_SECONDS = 30.0


class IposApp(KeysInOrder, Recovery, Guarded, App[None]):
    """iPOS duet terminal."""

    #: the top bar's ☁: unsent documents and when the oldest was made; set when a
    #: sale, an upload, a download or any other work ends (:meth:`refresh_status`)
    unsent: reactive[tuple[int, datetime | None]] = reactive((0, None), init=False)
    #: the update staged for the next day close ("" when none)
    staged: reactive[str] = reactive("", init=False)

    #: each screen's own file (styles/screens/<module>.tcss), then the app-wide look
    #: (last: its rules win over a screen's of the same specificity)
    CSS_PATH = [*sorted((styles_dir() / "screens").glob("*.tcss")), styles_dir() / "app.tcss"]
    ENABLE_COMMAND_PALETTE = False
    TITLE = "iPOS"
    BINDINGS = [
        Binding("f1", "help", "keys.help", show=False, id="IposApp.help"),
        # replaces Textual's own Ctrl+Q, which quits without a word
        Binding("ctrl+q", "quit_till", "keys.quit", key_display="Ctrl+Q", priority=True, id="IposApp.quit_till"),
    ]

    def __init__(
        self,
        till: Till,
        *,
        data_dir: Path,
        clock: Callable[[], datetime] = local_now,
        language: str | None = None,
        console_mode: bool | None = None,
        demo_hint: str | None = None,
        cursor_blink: bool = True,
        upload_interval: float | None = 60.0,
        startup_jobs: tuple[str, ...] = (),
        contain_errors: bool = True,
    ) -> None:
        super().__init__()
        #: an unexpected error is logged and shown, and the till goes on (ui/errors.py)
        self.contain_errors = contain_errors
        self.error_guard = ErrorGuard()
        self.upload_interval = upload_interval
        self.startup_jobs = startup_jobs
        self.background_upload: BackgroundUpload | None = None
        #: the use cases (till/): the screens call them
        self.till = till
        #: the till's database (its settings, catalogue, ledger), as the till opened it
        self.terminal = terminal = till.terminal
        self.cursor_blink = cursor_blink
        self.data_dir = data_dir
        self.clock = clock
        self.demo_hint = demo_hint
        self.cashier: User | None = None
        #: what the start-up check printed late (shown once on the login screen)
        self.startup_notice = ""
        stored_language = terminal.settings.get_local("language", "pl")
        self.language = language or stored_language
        set_language(self.language)
        stored_console = terminal.settings.get_local("ascii", "0") == "1"
        self.console_mode = stored_console if console_mode is None else console_mode
        ScrollBar.renderer = ConsoleScrollBarRender if self.console_mode else ScrollBarRender

    # -- unexpected errors -------------------------------------------------------
    def contain_error(self, error: Exception, *, source: object = None) -> bool:
        """Log and show ``error``; True if the till goes on (see ui/errors.py)."""
        return self.contain_errors and report_unexpected(self, error, source)

    def _handle_exception(self, error: Exception) -> None:
        if not self.contain_error(error):
            if not self.contain_errors:
                logging.getLogger(__name__).error("unexpected error", exc_info=error)
            super()._handle_exception(error)

    # -- display ---------------------------------------------------------------
    @property
    def glyphs(self) -> Glyphs:
        return CONSOLE if self.console_mode else UNICODE

    def on_mount(self) -> None:
        self.set_class(self.console_mode, "-console")
        self.print_unprinted()
        self.refresh_status()
        from .screens.login import LoginScreen

        self.push_screen(LoginScreen())
        if self.needs_activation():
            from .screens.connection import ConnectionScreen

            self.push_screen(ConnectionScreen(first_start=True))
        elif self.startup_jobs and self.terminal.catalog.product_count() == 0:
            # nothing to sell yet: the first sync, row by row, until Enter
            from .screens.sync import SyncScreen

            self.push_screen(SyncScreen("sync.title_first", list(self.startup_jobs), next_step="sync.next_login"))
        elif self.startup_jobs:
            # a till that sold before pulls what changed meanwhile in the background
            self._retry_pulls(self.startup_jobs, 60.0)
        if self.upload_interval is not None:
            self.background_upload = BackgroundUpload(self, self.upload_interval)
            self.background_upload.start()
        self.set_interval(REMINDER_CHECK_SECONDS, self.check_day_close_reminder)

    def on_resize(self, event: events.Resize) -> None:
        """Size classes for the stylesheet: ``-narrow`` below 80 columns (down to 60),
        ``-wide`` from 120; lists compute their own column widths."""
        self.set_class(event.size.width < 80, "-narrow")
        self.set_class(event.size.width >= 120, "-wide")

    def check_day_close_reminder(self) -> None:
        """The day-close reminder (when the back office set one) at its time."""
        from .screens.reports import check_reminder

        check_reminder(self)

    def needs_activation(self) -> bool:
        """A terminal with no back office and nothing to sell starts with activation."""
        return self.till.sync.needs_activation()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if self.background_upload is not None:
            self.background_upload.worker_ended(event.worker)
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            # an upload, a download or an update check ended: what the top bar shows
            self.refresh_status()

    def refresh_status(self) -> None:
        """Read the unsent documents and the staged update once; the top bar follows
        (it never queries on its own)."""
        from ..updates.updater import staged_version_cached

        self.unsent = self.terminal.ledger.pending_summary()
        self.staged = staged_version_cached(self.data_dir) or ""

    def sale_finished(self) -> None:
        """A receipt was just committed: ☁ counts it, and it is sent now, in the background."""
        self.refresh_status()
        if self.background_upload is not None:
            self.background_upload.kick()

    def set_console_mode(self, enabled: bool) -> None:
        """Switch console glyphs and borders now and remember the choice."""
        self.console_mode = enabled
        self.terminal.settings.set_local("ascii", "1" if enabled else "0")
        ScrollBar.renderer = ConsoleScrollBarRender if enabled else ScrollBarRender
        self.set_class(enabled, "-console")
        self.refresh_all()

    def set_ui_language(self, language: str) -> None:
        self.language = language
        self.terminal.settings.set_local("language", language)
        set_language(language)
        self.refresh_all()

    def refresh_all(self) -> None:
        """Redraw every screen on the stack (language or glyphs changed)."""
        for screen in self.screen_stack:
            refresh_texts = getattr(screen, "refresh_texts", None)
            if refresh_texts is not None:
                refresh_texts()
            screen.refresh(layout=True)

    def get_key_display(self, binding: Binding) -> str:
        if binding.key_display:
            return binding.key_display
        key = binding.key
        if key.startswith("f") and key[1:].isdigit():
            return key.upper()
        return KEY_NAMES.get(key, key)

    # -- state shown on the top bar ----------------------------------------------
    def location_parts(self, *, with_receipt: bool = False) -> list[str]:
        settings = self.terminal.settings
        store, info = settings.store(), settings.terminal_info()
        parts = [store.name if store else "", info.name if info else ""]
        if self.cashier is not None:
            parts.append(self.cashier.name)
        if with_receipt:
            parts.append(self.receipt_name)
        return [part for part in parts if part]

    def status_text(self) -> str:
        count, oldest = self.unsent
        now = self.clock()
        text = f"{self.glyphs.cloud} {count}"
        if count and oldest is not None:
            minutes = max(int((now - oldest).total_seconds() // 60), 0)
            text += f" ({format_age(minutes)})"
        return f"{text}  {now:%H:%M}"

    # -- the open receipt (parked receipts) ------------------------------------------
    @property
    def receipt_name(self) -> str:
        """The open receipt's name on the top bar ("Sprzedaż 1"), in the UI language."""
        return t("receipt.name", n=self.receipt_number)

    @property
    def sale(self) -> Sale:
        return self.till.sale

    @property
    def receipt(self) -> Receipt:
        """The receipt being rung up."""
        return self.till.sale.receipt

    @property
    def parked(self) -> ParkedService:
        return self.till.sale.parked

    @property
    def parked_id(self) -> int:
        return self.till.sale.parked_id

    @property
    def receipt_number(self) -> int:
        return self.till.sale.number

    def open_receipt(self, opened: OpenReceipt) -> None:
        """Make ``opened`` the receipt the registration screen rings up."""
        self.till.sale.open(opened)

    def restore_receipt(self) -> None:
        """Reopen the current receipt as stored (at start, after the daily report)."""
        self.till.sale.restore()

    def save_receipt(self) -> None:
        """Store the open receipt if it changed since the last write (crash safety)."""
        self.till.sale.save(self.cashier.id if self.cashier else None)

    def parked_owner_filter(self) -> int | None:
        """The cashier whose parked receipts "6. Paragony" shows when each cashier sees
        only their own (the synced "parked_receipts_visible"), else None: all of them."""
        if self.cashier is None or self.terminal.settings.parked_receipts_visible() != "own":
            return None
        return self.cashier.id

    def receipt_for_cashier(self) -> None:
        """At login: when each cashier sees only their own parked receipts, one left
        open by another cashier is not shown to this one: they get their own (or a
        free or new one) instead."""
        self.till.sale.for_cashier(self.parked_owner_filter(), self.cashier.id if self.cashier else None)

    def new_receipt(self) -> None:
        """The current slot starts over empty (the receipt was voided)."""
        self.till.sale.start_over()

    # -- actions ---------------------------------------------------------------
    def action_help(self) -> None:
        """F1: the till's keys of the current screen, with what each does here (never
        Textual's own keys: ui/keys.py)."""
        from .dialogs import TextViewDialog
        from .keys import till_keys

        if isinstance(self.screen, TextViewDialog):
            return
        rows: dict[str, list[str]] = {}
        for key in till_keys(self.screen):
            rows.setdefault(key.description, []).append(key.display)
        intro = t(f"help.{type(self.screen).__name__}")
        lines = [intro, ""] if not intro.startswith("help.") else []
        lines += [f"{' / '.join(dict.fromkeys(keys)):<16} {what}" for what, keys in rows.items()]
        self.push_screen(TextViewDialog(t("help.title"), "\n".join(lines), wrap=True))

    def action_quit_till(self) -> None:
        """Ctrl+Q: end the program; with unsent documents it says so and asks first
        ("nie" by default). Nothing is lost either way: open receipts are stored and
        unsent documents go at the next start."""
        from .dialogs import ConfirmDialog

        count, _oldest = self.terminal.ledger.pending_summary()
        if not count:
            self.exit()
            return
        if isinstance(self.screen, ConfirmDialog):
            return
        question = t("app.quit_unsent_question", n=count, cloud=self.glyphs.cloud)
        self.push_screen(ConfirmDialog(question, default=False), lambda yes: self.exit() if yes else None)

    def logout(self) -> None:
        """Back to the login screen; the open receipt stays for the next cashier."""
        from .screens.login import LoginScreen

        self.cashier = None
        while not isinstance(self.screen, LoginScreen):
            self.pop_screen()
        self.screen.reset_form()


def create_app(terminal: Terminal, **options: Any) -> IposApp:
    """The factory the CLI, the demo and the tests use: the App on the till of the
    opened ``terminal`` (options as :class:`IposApp`)."""
    return IposApp(Till(terminal), **options)


__all__ = ["IposApp", "create_app", "__version__"]
