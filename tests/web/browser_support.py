"""A real browser for iPOS web tests: Debian's chromium driven by playwright.

Never ``playwright install`` (it downloads browser builds from a host this project
cannot rely on); the system's ``/usr/bin/chromium`` is used. Where it is missing the
browser tests skip, except under ``.ci/run`` (``IPOS_REQUIRE_BROWSER=1``), where they
fail: CI installs the Debian package, so a missing browser there is a broken CI.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

#: Flags that keep chromium off the network (updates, sync, safe browsing) and quiet.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@contextmanager
def launched_browser() -> Iterator[Any]:
    """A headless chromium (skips, or fails in CI, when there is none)."""
    path = chromium_path()
    if path is None:
        message = "Debian's chromium is not installed (apt-get install chromium; .ci/run does)"
        if os.environ.get("IPOS_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page: Any, base: str, login: str = "1001", password: str = "demo") -> None:
    """Sign in the way a person does: the form, typed, the button."""
    page.goto(f"{base}/login")
    page.get_by_label("Login (identyfikator)").fill(login)
    page.get_by_label("Hasło").fill(password)
    page.get_by_role("button", name="Zaloguj").click()
