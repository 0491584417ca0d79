"""The day-close hook: the only way a staged update gets installed.

The day-close screen calls :func:`day_close_update` as its very last step, after
the daily report is stored and uploaded, so a fiscal day never spans two versions
and no ledger write follows the database backup. When it answers "ready", the app
exits with the marker ``"install-update"`` and ``ipos_tui/cli.py`` calls
:func:`run_staged_install` once the screen and the database are closed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ipos_tui import __version__
from ipos_tui.domain.errors import DomainError
from ipos_tui.updates.keys import trusted_keys
from ipos_tui.updates.staging import clear_staged, read_staged, verify_staged
from ipos_tui.updates.updatelog import update_logger
from ipos_tui.updates.version import parse_version

if TYPE_CHECKING:
    from ipos_tui.store.db import Terminal

#: The value the app returns from ``App.run()`` to have cli.py install the update.
INSTALL_MARKER = "install-update"
#: Back-office setting allowing an install while documents are still unsent.
SETTING_UPDATE_WITH_UNSENT = "update_with_unsent"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HookResult:
    """What the day-close screen shows (``t(key, **params)``) and whether to exit.

    ``status``: "nothing" (no update staged), "refused" (staged, but not now: the
    reason is in ``key``), "ready" (exit the app with :data:`INSTALL_MARKER`; the
    install runs after the app exits), "failed" (the staged files did not verify
    again and were dropped).
    """

    status: Literal["nothing", "refused", "ready", "failed"]
    key: str
    params: dict[str, Any] = field(default_factory=dict)


def day_close_update(terminal: Terminal, *, pending: int) -> HookResult:
    """Decide whether the staged update may be installed now (nothing is installed here)."""
    data_dir = Path(terminal.data_dir)
    staged = read_staged(data_dir)
    if staged is None:
        return HookResult("nothing", "update.hook_nothing", {})
    ulog = update_logger(data_dir)
    version = staged.version
    try:
        if parse_version(version) <= parse_version(__version__):
            clear_staged(data_dir)
            ulog.info("staged %s is not newer than the installed %s: dropped", version, __version__)
            return HookResult("nothing", "update.hook_nothing", {})
    except DomainError:
        clear_staged(data_dir)
        return HookResult("failed", "update.hook_failed", {"version": version,
                                                           "reason": "version"})
    allowed = bool(terminal.settings.get(SETTING_UPDATE_WITH_UNSENT, False))
    if pending > 0 and not allowed and not _all_exported(terminal):
        ulog.warning("install of %s refused: %d unsent document(s)", version, pending)
        return HookResult("refused", "update.hook_unsent", {"version": version, "count": pending})
    try:
        verify_staged(staged, trusted_keys(data_dir))
    except DomainError as error:
        clear_staged(data_dir)
        ulog.error("staged %s failed its re-check and was dropped: %s", version, error)
        return HookResult("failed", "update.hook_failed",
                          {"version": version, "reason": _reason(error)})
    from ipos_tui.updates.install import install_blocker

    blocker = install_blocker()
    if blocker is not None:
        ulog.warning("install of %s refused: %s", version, blocker.key)
        return HookResult("refused", blocker.key, {"version": version, **blocker.params})
    ulog.info("day close: %s will be installed after the app exits (pending %d)", version, pending)
    return HookResult("ready", "update.hook_ready", {"version": version, "current": __version__})


def run_staged_install(data_dir: Path) -> int:
    """Install the staged update now (the app and its database are closed).

    On success this does not return: the process is replaced by the new
    ``ipos-tui`` with the same arguments; after a failed install that was rolled
    back it is replaced by the previous version the same way (the till keeps
    selling; the journal and the update screen say what happened). It returns 0
    when nothing was staged, 1 when the install was refused before anything
    changed, 2 when even the rollback failed (the log says what to do).
    """
    from ipos_tui.updates.install import install_staged

    return install_staged(Path(data_dir))


def _all_exported(terminal: Terminal) -> bool:
    """Whether the unsent documents were all saved to a file (``ipos-tui
    export-unsent``) since the last one was made: then they are safe too."""
    ledger = terminal.ledger
    return ledger.last_unsent_export() is not None and ledger.unexported_unsent() == 0


def _reason(error: DomainError) -> str:
    from ipos_tui.i18n import t

    return t(error.key, **error.params)
