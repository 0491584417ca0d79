"""8. Konfiguracja → 3. Połączenie: which back office, activation, connection test,
and a new address for the same back office.

Also the first screen of a terminal that was never activated. Activation and the
test talk to the network, so they run in thread workers; the screen stays live.

Looking and testing are open to everybody. Changing where the till belongs is not:
re-activating an activated till and changing the back office's address always take
the identifier and PIN of a user holding "settings" (also from the service menu,
before anybody logged in, and also for a kierownik: it is a confirmation). Only the
first activation of a till that knows nobody who could authorise it goes without.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from textual import work
from textual.message import Message
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from ...domain.authorisation import Authorisation
from ...domain.errors import DomainError
from ...i18n import t
from ...domain.records import PERM_SETTINGS
from ...till.syncing import PULLS, normalise_server_url
from ..dialogs.authorise import authorise_then
from .base import PosScreen, error_text

log = logging.getLogger(__name__)

class ConnectionScreen(PosScreen):
    TITLE_KEY = "menu.connection"


    BINDINGS = [
        Binding("1", "activate", "keys.activate", id="ConnectionScreen.activate"),
        Binding("2", "test", "keys.test_connection", id="ConnectionScreen.test"),
        Binding("3", "address", "perm.key_address", id="ConnectionScreen.address"),
        Binding("escape", "back", "keys.back", id="ConnectionScreen.back"),
        Binding("f1", "app.help", "keys.help", id="ConnectionScreen.app_help"),
    ]

    def __init__(self, *, first_start: bool = False) -> None:
        super().__init__()
        self.first_start = first_start

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="conn-box"):
            yield Static(self.text(), id="conn-text", markup=False)

    def on_mount(self) -> None:
        if self.first_start:
            self.say(t("conn.first_start"))

    def text(self) -> str:
        connection = self.pos.till.sync.connection()
        if connection is None:
            rows = [("conn.state", t("conn.not_activated"))]
        else:
            rows = [
                ("conn.state", t("conn.activated")),
                ("conn.server", connection.server_url),
                ("conn.terminal", f"{connection.name} (id {connection.terminal_id})"),
                ("conn.store", str(connection.store_id)),
            ]
        lines = [f"{t(key):<26} {value}" for key, value in rows]
        return "\n".join([*lines, "", t("perm.conn_help")])

    def refresh_texts(self) -> None:
        super().refresh_texts()
        self.query_one("#conn-text", Static).update(self.text())

    # -- activation ---------------------------------------------------------------
    def _with_manager(self, then: Callable[[Authorisation | None], None], what: str) -> None:
        """Run ``then`` after a manager's PIN ("settings"), or at once on a till that was
        never activated and knows nobody who could give it."""
        terminal = self.pos.terminal
        if self.pos.till.sync.connection() is None and not terminal.auth.anyone_holds(PERM_SETTINGS):
            then(None)
            return
        authorise_then(self.pos, PERM_SETTINGS, then, what=what, always=True)

    def action_activate(self) -> None:
        self._with_manager(self._ask_activation, t("conn.activation"))

    def _ask_activation(self, authorisation: Authorisation | None) -> None:
        from ..dialogs import Field, FormDialog

        if authorisation is not None:
            log.info("activation authorised by %s (%s)", authorisation.name, authorisation.identifier)
        connection = self.pos.till.sync.connection()
        fields = [
            Field("server", "conn.server", value=connection.server_url if connection else "http://",
                  max_length=200, validate=normalise_server_url),
            Field("code", "conn.code", max_length=20),
            Field("name", "conn.name", value=connection.name if connection else "", max_length=40, required=False),
        ]

        def done(values: dict | None) -> None:
            if values is not None:
                self.say(t("conn.activating"))
                self._activate(values["server"], values["code"], values.get("name") or "")

        self.app.push_screen(FormDialog(t("conn.activation"), fields), done)

    class Answered(Message):
        """A worker's answer for the status line."""

        def __init__(self, text: str, *, error: bool = False) -> None:
            super().__init__()
            self.text = text
            self.error = error

    class Activated(Message):
        """The activation worker succeeded: the till is now this store's."""

        def __init__(self, name: str, store_id: int) -> None:
            super().__init__()
            self.name = name
            self.store_id = store_id

    def on_connection_screen_answered(self, message: Answered) -> None:
        self.say(message.text, error=message.error)

    def on_connection_screen_activated(self, message: Activated) -> None:
        self._activated(message.name, message.store_id)

    @work(thread=True, group="activation", name="activation", exclusive=True, exit_on_error=False)
    def _activate(self, server: str, code: str, name: str) -> None:
        try:
            connection = self.pos.till.sync.activate(server, code, name)
        except DomainError as error:
            self.post_message(self.Answered(error_text(error), error=True))
            return
        self.post_message(self.Activated(connection.name, connection.store_id))

    def _activated(self, name: str, store_id: int) -> None:
        from .sync import SyncScreen

        self.query_one("#conn-text", Static).update(self.text())
        self.refresh_top_bar()
        self.say(t("conn.activated_as", name=name, store=store_id))
        next_step = "sync.next_login" if self.first_start else None
        self.app.push_screen(SyncScreen("sync.title_first", list(PULLS), next_step=next_step), self._after_first_sync)

    def _after_first_sync(self, _result: object) -> None:
        if self.first_start and self.pos.terminal.catalog.product_count():
            self.dismiss(None)

    # -- a new address ----------------------------------------------------------------
    def action_address(self) -> None:
        """3: the same back office at another address (a moved server, the demo's new
        port); the till stays activated with its token. Needs a manager's PIN."""
        if self.pos.till.sync.connection() is None:
            self.say(t("perm.address_not_activated"), error=True)
            return
        authorise_then(self.pos, PERM_SETTINGS, self._ask_address, what=t("perm.address_title"), always=True)

    def _ask_address(self, authorisation: Authorisation | None) -> None:
        from ..dialogs import Field, FormDialog

        connection = self.pos.till.sync.connection()
        if connection is None or authorisation is None:
            return
        field = Field("server", "perm.address_field", value=connection.server_url, max_length=200,
                      validate=normalise_server_url)

        def done(values: dict | None) -> None:
            if values is not None:
                self._change_address(values["server"], authorisation)

        self.app.push_screen(FormDialog(t("perm.address_title"), [field], hint=t("perm.address_hint")), done)

    def _change_address(self, url: str, authorisation: Authorisation) -> None:
        """Store the new address (nothing else of the connection changes), then test it."""
        connection = self.pos.till.sync.change_address(url)
        if connection is None:
            return
        if connection.server_url == url:
            self.say(t("perm.address_same"))
            return
        log.info("back office address changed from %s to %s, authorised by %s (%s)",
                 connection.server_url, url, authorisation.name, authorisation.identifier)
        self.query_one("#conn-text", Static).update(self.text())
        self.say(t("perm.address_changed", url=url, name=authorisation.name))
        self._test()

    # -- connection test ------------------------------------------------------------
    def action_test(self) -> None:
        self.say(t("conn.testing"))
        self._test()

    @work(thread=True, group="connection-test", name="connection-test", exclusive=True, exit_on_error=False)
    def _test(self) -> None:
        try:
            elapsed = self.pos.till.sync.test_connection()
        except DomainError as error:
            self.post_message(self.Answered(error_text(error), error=True))
            return
        if elapsed is None:
            self.post_message(self.Answered(t("conn.not_activated"), error=True))
            return
        self.post_message(self.Answered(t("conn.test_ok", ms=elapsed)))

    def action_back(self) -> None:
        if self.first_start and self.pos.terminal.catalog.product_count() == 0:
            self.say(t("conn.first_start"), error=True)
            return
        self.dismiss(None)
