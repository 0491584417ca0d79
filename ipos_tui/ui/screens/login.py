"""Logging in: "identyfikator + PIN", "identyfikator" or "brak logowania".

The login mode comes from the back office settings and is read each time the screen
is shown, so a changed mode applies at the next login (PRODUCT.md §3).
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Grid, Vertical
from textual.widgets import Input, Label, Static

from ...domain.errors import DomainError
from ...i18n import t
from ..widgets.code_input import CodeInput
from .base import PosScreen


class LoginScreen(PosScreen):
    #: Ctrl+Q Zakończ on the bar: the login screen is where a till is left
    SHOW_APP_KEYS = True

    BINDINGS = [
        Binding("f2", "service_menu", "keys.service_menu", id="LoginScreen.service_menu"),
        Binding("enter,ctrl+j", "next", "keys.next", key_display="Enter", id="LoginScreen.next"),
        Binding("escape", "clear", "keys.clear", id="LoginScreen.clear"),
        Binding("f1", "app.help", "keys.help", id="LoginScreen.app_help"),
    ]

    def compose_body(self) -> ComposeResult:
        self.mode = self.pos.terminal.settings.login_mode()
        with Vertical(id="login-box"):
            yield Static(t("login.title"), id="login-title", markup=False)
            if self.mode == "none":
                yield Static(t("login.press_any_key"), id="anonymous", markup=False)
            else:
                with Center():
                    with Grid():
                        yield Label(t("login.identifier"), markup=False)
                        yield CodeInput(id="identifier", max_length=16, select_on_focus=False, commands="")
                        if self.mode == "id_pin":
                            yield Label(t("login.pin"), markup=False)
                            yield CodeInput(
                                id="pin", password=True, restrict=r"[0-9]*", max_length=8, select_on_focus=False,
                                commands="",
                            )
            if self.pos.demo_hint:
                yield Static(self.pos.demo_hint, id="demo-hint", markup=False)

    def on_mount(self) -> None:
        self.reset_form()
        notice = self.pos.take_startup_notice()
        if notice:  # documents a crash left unprinted, printed at start
            self.say(notice)
        self.set_interval(1.0, self._show_lockout)

    def on_screen_resume(self) -> None:
        if self.mode != self.pos.terminal.settings.login_mode():
            self.refresh(recompose=True)
            self.call_after_refresh(self.reset_form)

    def reset_form(self) -> None:
        """Empty fields, focus on the identifier (the next cashier's turn)."""
        for field in self.query(CodeInput):
            field.value = ""
        if self.mode != "none":
            self.query_one("#identifier", CodeInput).focus()
        self.say("")
        self.refresh_top_bar()

    # -- keys -------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        if self.mode == "none" and event.key not in ("f1", "f2"):
            event.stop()
            self._login(None, None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()

    def action_next(self) -> None:
        if self.mode == "none":
            self._login(None, None)
            return
        identifier = self.query_one("#identifier", CodeInput)
        if not identifier.value.strip():
            self.say(t("login.enter_identifier"), error=True)
            identifier.focus()
            return
        if self.mode == "id_pin":
            pin = self.query_one("#pin", CodeInput)
            if self.focused is identifier or not pin.value:
                pin.focus()
                return
            self._login(identifier.value.strip(), pin.value)
        else:
            self._login(identifier.value.strip(), None)

    def action_clear(self) -> None:
        self.reset_form()

    def action_service_menu(self) -> None:
        from .menus import open_service_menu

        open_service_menu(self.pos)

    # -- logging in -------------------------------------------------------------
    def _login(self, identifier: str | None, pin: str | None) -> None:
        try:
            user = self.pos.terminal.auth.login(identifier, pin, self.pos.clock())
        except DomainError as error:
            self.say_error(error)
            if self.mode == "id_pin":
                pin_field = self.query_one("#pin", CodeInput)
                pin_field.value = ""
                if error.key in ("err.login_unknown", "err.login_inactive"):
                    self.query_one("#identifier", CodeInput).focus()
                else:
                    pin_field.focus()
            return
        self.pos.cashier = user
        self.pos.receipt_for_cashier()
        from .cash import first_screen_after_login

        self.app.push_screen(first_screen_after_login(self.pos))

    def _show_lockout(self) -> None:
        """Count the lockout down on screen while it lasts."""
        if self.mode != "id_pin" or self.app.screen is not self:
            return
        identifier = self.query_one("#identifier", CodeInput).value.strip()
        if not identifier:
            return
        remaining = self.pos.terminal.auth.lockout_remaining(identifier, self.pos.clock())
        if remaining > 0:
            self._locked = True
            self.say(t("err.login_locked", seconds=remaining), error=True)
        elif getattr(self, "_locked", False):
            self._locked = False
            self.say(t("login.lockout_over"))
