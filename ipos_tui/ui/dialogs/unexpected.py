"""Showing an unexpected error (see :mod:`ipos_tui.ui.errors`): the traceback goes to
the log, the cashier gets a message, and a screen that failed while it was being built
is closed, since it never became usable."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from textual._context import active_message_pump
from textual.css.query import NoMatches
from textual.dom import NoScreen
from textual.screen import Screen

from ...i18n import t
from ..errors import error_message
from .text_view import ErrorDialog

if TYPE_CHECKING:
    from ..app import IposApp

log = logging.getLogger("ipos_tui.ui")


def _screen_of(node: Any) -> Screen[Any] | None:
    if isinstance(node, Screen):
        return node
    try:
        screen = node.screen
    except (NoScreen, AttributeError, NoMatches):
        return None
    return screen if isinstance(screen, Screen) else None


def broken_screen(app: IposApp, source: Any) -> Screen[Any] | None:
    """The pushed screen ``source`` belongs to when it failed while being built
    (compose or mount), so it cannot be used; None otherwise. The first screen of the
    stack (login) is never closed."""
    if source is None or getattr(source, "_is_mounted", True):
        return None
    screen = _screen_of(source)
    stack = app.screen_stack
    if screen is None or screen not in stack or screen is stack[0]:
        return None
    return screen


def report_unexpected(app: IposApp, error: BaseException, source: Any = None) -> bool:
    """Log ``error`` with its traceback and show it; True if the app goes on."""
    guard = app.error_guard
    source = source if source is not None else active_message_pump.get(None)
    if _screen_of(source) in guard.broken:
        log.warning("after its failure, %r: %r", source, error)
        return True
    log.error("unexpected error in %r", source, exc_info=(type(error), error, error.__traceback__))
    if not guard.note(error) or not app.is_running:
        return False
    if isinstance(_screen_of(source), ErrorDialog):  # the message itself failed: give up
        return False
    if isinstance(app.screen, ErrorDialog):  # one message at a time; the log has them all
        return True
    broken = broken_screen(app, source)
    if broken is not None:
        guard.broken.append(broken)

    def show() -> None:
        if isinstance(app.screen, ErrorDialog):
            return
        if broken is not None and broken in app.screen_stack:
            while app.screen is not broken:
                app.pop_screen()
            app.pop_screen()
        guard.broken[:] = [screen for screen in guard.broken if screen in app.screen_stack]
        app.push_screen(ErrorDialog(t("error.title"), error_message(error)))

    app.call_later(show)
    return True
