"""``ipos-tui update health-check``: what the installer runs in a new process after
an install — the new code must open and migrate the database and reach the login
screen headless before the update is committed (:mod:`ipos_tui.updates.installer`).

It builds a whole App, so it sits above the App in the ui layers.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from .. import __version__
from ..i18n import t

if TYPE_CHECKING:
    from ..store.db import Terminal


def health_check(terminal: Terminal, *, expect_version: str | None = None) -> int:
    """Exit code 0 when this code runs as ``expect_version`` and reaches the login.

    Run by the installer in a new process after ``pip install`` (the database was
    opened and migrated by the caller). Read-only: no upload timer, no sync jobs,
    no key is pressed.
    """
    import asyncio

    from .app import create_app
    from .screens.login import LoginScreen

    if expect_version is not None and __version__ != expect_version:
        print(t("update.health_failed", reason=f"{__version__} != {expect_version}"),
              file=sys.stderr)
        return 1
    # contain_errors off: an error the till would survive by showing it is still a
    # broken release, which the installer must roll back
    app = create_app(terminal, data_dir=terminal.data_dir, upload_interval=None,
                     cursor_blink=False, contain_errors=False)

    async def reach_login() -> bool:
        async with app.run_test(headless=True, size=(80, 24)) as pilot:
            await pilot.pause()
            return any(isinstance(screen, LoginScreen) for screen in app.screen_stack)

    try:
        reached = asyncio.run(reach_login())
    except Exception as exc:  # whatever breaks in the new code is a failed health check
        print(t("update.health_failed", reason=f"{type(exc).__name__}: {exc}"), file=sys.stderr)
        return 1
    if not reached:
        print(t("update.health_failed", reason="no login screen"), file=sys.stderr)
        return 1
    print(t("update.health_ok", version=__version__, schema=terminal.schema_version))
    return 0


__all__ = ["health_check"]
