"""What the cashier reads when something fails: a refusal (:func:`error_text` of a
:class:`~ipos_tui.domain.errors.DomainError`) or an unexpected error.

No screen brings the till down: an unexpected error is logged and shown.

Textual ends the app on any exception a handler lets through, and the message loop
that ran the handler stops for good. A till must not: the receipt being rung up, the
parked receipts and the ledger are safe in the database, and the cashier needs the
till back, not a traceback. So:

* :class:`Guarded` (mixed into the App, every screen and our widgets) catches what a
  message handler, an action or a key raises, before Textual's loop would stop;
* :func:`~ipos_tui.ui.dialogs.unexpected.report_unexpected` (also called from
  ``IposApp._handle_exception`` for the paths Textual guards itself: timers, result
  callbacks, compose) writes the traceback to the log (``ipos-tui.log`` in the data dir) and shows a message; a
  screen that failed while it was being built is closed, since it never became usable.

An error while the error message itself is shown, or a burst of them, ends the app
as Textual would (a loop of dialogs helps nobody).
"""

from __future__ import annotations

import time
from asyncio import CancelledError
from typing import Any

from textual.message import Message
from textual.screen import Screen

from ..domain.errors import DomainError
from ..domain.money import format_money
from ..i18n import t

#: DomainError parameters that carry grosze and are shown as money
MONEY_PARAMS = frozenset({"remaining", "total", "amount"})

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


def error_text(error: DomainError) -> str:
    """The message of ``error`` in the UI language, with grosze shown as money."""
    params = {
        name: format_money(value) if name in MONEY_PARAMS and isinstance(value, int) else value
        for name, value in error.params.items()
    }
    return t(error.key, **params)


def error_message(error: BaseException) -> str:
    """What the cashier reads: what happened, that nothing is lost, where details are.
    A write that failed on a full disk or a read-only data directory, whichever
    screen made it, is said in those words."""
    from ..till.sale import storage_error

    told = storage_error(error)
    if told is not None:
        return error_text(told)
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
