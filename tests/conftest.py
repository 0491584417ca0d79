"""Fixtures shared by every test: a demo terminal database made once per session and
copied per test, a settable clock, and an app factory for pilot and snapshot tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

# Snapshots depend on the environment: pin what Textual reads before it is imported.
os.environ.pop("NO_COLOR", None)
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from ipos_tui.i18n import set_language  # noqa: E402
from ipos_tui.store.db import Terminal, open_terminal  # noqa: E402
from ipos_tui.demo.terminal import seed_demo  # noqa: E402
from office_db import office_backend, pg_server  # noqa: E402, F401 (fixtures: the back office on SQLite and PostgreSQL)
from terminal_support import fresh, sell  # noqa: E402, F401 (fixtures: an empty till database, a one-call sale)

WARSAW_WINTER = timezone(timedelta(hours=1))


class FakeClock:
    """A clock tests can move; the app reads local time through it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 26, 12, 4, tzinfo=WARSAW_WINTER))


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded demo terminal database, made once (argon2 hashing is slow)."""
    directory = tmp_path_factory.mktemp("demo-template")
    with open_terminal(directory) as terminal:
        seed_demo(terminal)
    return directory


@pytest.fixture
def demo_dir(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo terminal's data dir."""
    target = tmp_path / "terminal"
    shutil.copytree(demo_template, target, ignore=shutil.ignore_patterns("*.lock", "*.log"))
    return target


@pytest.fixture
def demo_terminal(demo_dir: Path) -> Iterator[Terminal]:
    with open_terminal(demo_dir) as terminal:
        yield terminal


@pytest.fixture(autouse=True)
def _polish_by_default() -> Iterator[None]:
    set_language("pl")
    yield
    set_language("pl")


@pytest.fixture
def make_app(demo_dir: Path, clock: FakeClock) -> Iterator[Callable[..., object]]:
    """Build the app on the demo terminal (tests may change settings first)."""
    from ipos_tui.ui.app import create_app

    opened: list[Terminal] = []
    apps: list[object] = []

    def factory(*, data_dir: Path | None = None, **options: object):  # type: ignore[no-untyped-def]
        for earlier in opened:  # a second app is a restart: the first one is gone
            earlier.close()
        data_dir = data_dir or demo_dir
        terminal = open_terminal(data_dir)
        opened.append(terminal)
        options.setdefault("clock", clock)
        options.setdefault("cursor_blink", False)
        options.setdefault("upload_interval", None)  # tests that upload turn it on
        app = create_app(terminal, data_dir=data_dir, **options)  # type: ignore[arg-type]
        apps.append(app)
        return app

    yield factory
    for terminal in opened:
        terminal.close()
    # The till contains unexpected errors (logged, shown, selling goes on); a test
    # that did not ask for one must not pass over one unnoticed.
    for app in apps:
        errors = app.error_guard.errors  # type: ignore[attr-defined]
        if errors and not getattr(app, "errors_expected", False):
            raise AssertionError(f"unexpected errors contained by the app: {errors!r}") from errors[0]
