"""No screen brings the till down: an unexpected error is logged and shown.

Textual ends the app on any exception a handler lets through, and the message loop
that ran the handler stops for good. A till must not: the receipt being rung up, the
parked receipts and the ledger are safe in the database, and the cashier needs the
till back, not a traceback. So:

* :class:`Guarded` (mixed into the App, every screen and our widgets) catches what a
  message handler, an action or a key raises, before Textual's loop would stop;
* :func:`report_unexpected` (also called from ``IposApp._handle_exception`` for the
  paths Textual guards itself: timers, result callbacks, compose) writes the
  traceback to the log (``ipos-tui.log`` in the data dir) and shows a message; a
  screen that failed while it was being built is closed, since it never became usable.

An error while the error message itself is shown, or a burst of them, ends the app
as Textual would (a loop of dialogs helps nobody).
"""

from __future__ import annotations

import logging
import time
from asyncio import CancelledError
from typing import TYPE_CHECKING, Any

from textual._context import active_message_pump
from textual.css.query import NoMatches
from textual.dom import NoScreen
from textual.message import Message
from textual.screen import Screen

from ..i18n import t

if TYPE_CHECKING:
    from .app import IposApp

log = logging.getLogger("ipos_tui.ui")

#: More unexpected errors than this within BURST_SECONDS end the app (a loop of errors).
BURST_LIMIT = 5
BURST_SECONDS = 10.0


class Guarded:
    """Mixin for message pumps: an exception in a handler is reported, and the pump
    goes on with its next message instead of stopping."""

    async def _dispatch_message(self, message: Message) -> None:
        try:
            await super()._dispatch_message(message)  # type: ignore[misc]
        except CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - the point is to catch everything
            app = getattr(self, "app", None)
            contain = getattr(app, "contain_error", None)
            if contain is None or not contain(error, source=self):
                raise


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


def error_message(error: BaseException) -> str:
    """What the cashier reads: what happened, that nothing is lost, where details are."""
    detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return t("error.unexpected", detail=detail[:200])


class ErrorGuard:
    """The App's record of unexpected errors: counts bursts, keeps them for tests."""

    def __init__(self) -> None:
        self.errors: list[BaseException] = []
        self._recent: list[float] = []
        #: screens that failed while being built, closed after the message (their
        #: later errors are consequences, logged but not shown again)
        self.broken: list[Screen[Any]] = []

    def note(self, error: BaseException) -> bool:
        """Record ``error``; False when errors come in a burst (the app should end)."""
        self.errors.append(error)
        now = time.monotonic()
        self._recent = [moment for moment in self._recent if now - moment < BURST_SECONDS] + [now]
        return len(self._recent) <= BURST_LIMIT


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
    from .dialogs.text_view import ErrorDialog

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
