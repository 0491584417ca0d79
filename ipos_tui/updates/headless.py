"""``ipos-tui update check|download|install`` and ``ipos-tui trust-key FILE``.

The same updater as the screen, printing one line per step. Exit codes: 0 done
(or nothing to do), 1 refused or failed (the reason is printed and logged), 2 the
install failed AND its rollback failed, 3 the terminal is not activated.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from ipos_tui.domain.errors import DomainError
from ipos_tui.i18n import t
from ipos_tui.protocol import DEFAULT_RELEASE_CHANNEL
from ipos_tui.store.db import Terminal
from ipos_tui.sync.context import SyncContext
from ipos_tui.updates.download import DownloadProgress
from ipos_tui.updates.hook import day_close_update
from ipos_tui.updates.keys import trust_key
from ipos_tui.updates.paths import UpdatePaths
from ipos_tui.updates.staging import read_staged
from ipos_tui.updates.updater import CheckResult, Updater

#: ``update_command`` asks its caller to close the terminal and run the install.
INSTALL_REQUESTED = -1


def _say(out: TextIO, text: str) -> None:
    out.write(text + "\n")
    out.flush()


def check(updater: Updater, out: TextIO) -> CheckResult:
    """Print the installed version and what the back office offers."""
    _say(out, t("update.cli_current", version=updater.current))
    found = updater.check()
    if found.status == "no_release":
        _say(out, t("update.no_release", channel=updater.channel))
    elif found.status == "up_to_date":
        _say(out, t("update.up_to_date", version=updater.current))
    elif found.metadata is not None:
        meta = found.metadata
        _say(out, t("update.cli_available", version=meta.version, size=meta.size,
                    channel=meta.channel, expires=meta.expires.strftime("%Y-%m-%d %H:%M UTC")))
        if found.status == "staged":
            _say(out, t("update.found_staged", version=meta.version))
    return found


def download(updater: Updater, out: TextIO) -> int:
    """Check, then download, verify and stage a newer release."""
    found = check(updater, out)
    if found.status != "available":
        return 0
    last = [-1]

    def progress(p: DownloadProgress) -> None:
        tenth = int(p.fraction * 10)
        if tenth != last[0]:
            last[0] = tenth
            _say(out, t("update.cli_progress", done=p.done, total=p.total, speed=int(p.speed)))

    staged = updater.download_and_stage(found, progress=progress)
    _say(out, t("update.cli_staged", version=staged.version))
    return 0


def update_command(
    terminal: Terminal,
    action: str,
    *,
    channel: str = DEFAULT_RELEASE_CHANNEL,
    out: TextIO | None = None,
    err: TextIO | None = None,
    context_factory: Callable[[Terminal], SyncContext | None] = SyncContext.for_terminal,
    force: bool = False,
) -> int:
    """``check`` / ``download``, or the checks before ``install``.

    ``install`` returns :data:`INSTALL_REQUESTED` when the staged update may be
    installed now (same rules as at day close: no unsent documents unless the
    back office allows it); the caller closes the terminal and installs.
    """
    out, err = out or sys.stdout, err or sys.stderr
    try:
        if action == "install":
            return _install_allowed(terminal, out, err, force=force)
        ctx = context_factory(terminal)
        if ctx is None:
            err.write(t("update.err_not_activated") + "\n")
            return 3
        with ctx:
            updater = Updater(terminal.data_dir, ctx.client, channel=channel)
            return download(updater, out) if action == "download" else _check_only(updater, out)
    except DomainError as error:
        err.write(t("update.refused", reason=t(error.key, **error.params)) + "\n")
        return 1


def _check_only(updater: Updater, out: TextIO) -> int:
    check(updater, out)
    return 0


def _install_allowed(terminal: Terminal, out: TextIO, err: TextIO, *, force: bool = False) -> int:
    if read_staged(terminal.data_dir) is None:
        err.write(t("update.cli_nothing_staged") + "\n")
        return 1
    started = terminal.ledger.open_day_started()
    if started is not None:
        # Updates install only at day close: documents since the last daily report.
        if not force:
            err.write(t("dayrule.update_day_open", since=started.strftime("%d.%m.%Y %H:%M")) + "\n")
            return 1
        err.write(t("dayrule.update_forced", since=started.strftime("%d.%m.%Y %H:%M")) + "\n")
    pending = terminal.ledger.pending_summary()[0]
    result = day_close_update(terminal, pending=pending)
    if result.status != "ready":
        err.write(t(result.key, **result.params) + "\n")
        return 0 if result.status == "nothing" else 1
    _say(out, t(result.key, **result.params))
    return INSTALL_REQUESTED


def install_result_text(code: int, data_dir: Path) -> str:
    """What ``ipos-tui`` prints when an install did not exec (from its journal)."""
    from ipos_tui.updates.install import last_install

    log = UpdatePaths(Path(data_dir)).log_file
    journal = last_install(data_dir) or {}
    if code == 0:
        return t("update.cli_nothing_staged")
    if code == 2:
        return t("update.cli_broken", log=log)
    if journal.get("outcome") == "refused":
        reason = t(str(journal.get("key", "update.err_io")), **journal.get("params", {}))
        return t("update.cli_refused", reason=reason)
    return t("update.cli_rolled_back", log=log)


def trust_key_command(data_dir: Path, key_file: Path, *, out: TextIO | None = None,
                      err: TextIO | None = None) -> int:
    """``ipos-tui trust-key FILE``: 0 when the key is trusted, 1 with the reason."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        key = trust_key(data_dir, key_file)
    except DomainError as error:
        err.write(t(error.key, **error.params) + "\n")
        return 1
    _say(out, t("update.key_trusted", key_id=key.key_id, path=key.path))
    return 0
