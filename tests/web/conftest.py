"""Fixtures of the iPOS web tests: the demo back office (made once, copied per test)
served by uvicorn on 127.0.0.1, and clients signed in as its owner."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from browser_support import launched_browser  # noqa: E402
from web_support import WebClient  # noqa: E402

from ipos_tui.backoffice.db import open_database  # noqa: E402
from ipos_tui.demo.backoffice import seed_demo  # noqa: E402
from ipos_tui.backoffice.embedded import EmbeddedServer  # noqa: E402
from ipos_tui.backoffice.services import BackOffice  # noqa: E402

PEPPER = b"web-test-pepper"


@pytest.fixture(scope="session")
def web_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo shop's back-office database, seeded once per session."""
    path = tmp_path_factory.mktemp("web-template") / "backoffice.db"
    office = BackOffice(open_database(f"sqlite:///{path}"), PEPPER)
    office.init_schema()
    seed_demo(office)
    office.db.close()
    return path


@pytest.fixture
def office(web_template: Path, tmp_path: Path) -> Iterator[BackOffice]:
    path = tmp_path / "backoffice.db"
    shutil.copy(web_template, path)
    office = BackOffice(open_database(f"sqlite:///{path}"), PEPPER)
    yield office
    office.db.close()


@pytest.fixture
def web_url(office: BackOffice) -> Iterator[str]:
    with EmbeddedServer(office) as url:
        yield url


@pytest.fixture
def client(web_url: str) -> Iterator[WebClient]:
    """A browser not signed in yet (Polish)."""
    browser = WebClient(web_url)
    yield browser
    browser.close()


@pytest.fixture
def owner(web_url: str) -> Iterator[WebClient]:
    """A browser signed in as the demo owner, 1001 / demo."""
    browser = WebClient(web_url)
    assert browser.login().status_code == 303
    yield browser
    browser.close()


@pytest.fixture
def browser() -> Iterator[object]:
    """Debian's chromium, headless, per test: playwright's sync API runs an event loop
    in this thread while it is open, and the async tests of the till need the thread's
    loop free (a session-wide browser made them fail with "Runner.run() cannot be
    called from a running event loop")."""
    with launched_browser() as launched:
        yield launched


@pytest.fixture
def page(browser: object, web_url: str) -> Iterator[object]:
    """A fresh browser tab (its own cookies) in Polish, 1280x800."""
    context = browser.new_context(locale="pl-PL", viewport={"width": 1280, "height": 800},
                                  base_url=web_url)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()
