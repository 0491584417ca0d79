"""The day-close hook decides, installs nothing: nothing staged, unsent documents
(unless the owner allows), a staged file that changed, an obsolete staged version,
and "ready" when everything holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ipos_tui.i18n import t
from ipos_tui.updates import install
from ipos_tui.updates.hook import day_close_update
from ipos_tui.updates.staging import read_staged

from update_support import Shop


def stage(shop: Shop, version: str = "0.2.0", current: str = "0.1.0") -> None:
    shop.publish(version)
    with shop.updater(current=current) as updater:
        updater.download_and_stage(updater.check())


def allow_unsent(shop: Shop, allowed: bool) -> None:
    """The back-office setting as a config sync stores it."""
    shop.terminal.db.execute_sql(
        "INSERT INTO setting (key, value) VALUES ('update_with_unsent', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (json.dumps(allowed),))


@pytest.fixture
def regular_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests run from an editable install, which the hook rightly refuses."""
    monkeypatch.setattr(install, "install_blocker", lambda: None)


def test_nothing_staged(shop: Shop) -> None:
    result = day_close_update(shop.terminal, pending=0)
    assert (result.status, result.key) == ("nothing", "update.hook_nothing")


def test_unsent_documents_hold_the_install_back(shop: Shop, regular_install: None) -> None:
    stage(shop)
    result = day_close_update(shop.terminal, pending=3)
    assert result.status == "refused"
    assert (result.key, result.params) == ("update.hook_unsent", {"version": "0.2.0", "count": 3})
    assert "3" in t(result.key, **result.params)
    assert read_staged(shop.terminal.data_dir) is not None  # waits for the next day close


def test_owner_may_allow_an_install_with_unsent_documents(shop: Shop,
                                                          regular_install: None) -> None:
    stage(shop)
    allow_unsent(shop, True)
    result = day_close_update(shop.terminal, pending=3)
    assert (result.status, result.key) == ("ready", "update.hook_ready")
    assert result.params == {"version": "0.2.0", "current": "0.1.0"}


def test_ready_when_all_is_sent(shop: Shop, regular_install: None) -> None:
    stage(shop)
    assert day_close_update(shop.terminal, pending=0).status == "ready"


def test_editable_install_is_refused_at_day_close(shop: Shop,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    stage(shop)
    monkeypatch.setattr(install, "is_editable", lambda project: True)
    result = day_close_update(shop.terminal, pending=0)
    assert (result.status, result.key) == ("refused", "update.err_editable")


def test_changed_staged_file_fails_and_is_dropped(shop: Shop, regular_install: None) -> None:
    stage(shop)
    staged = read_staged(shop.terminal.data_dir)
    assert staged is not None
    (staged.directory / "extra-1.0-py3-none-any.whl").write_bytes(b"not from the release")
    result = day_close_update(shop.terminal, pending=0)
    assert result.status == "failed" and result.key == "update.hook_failed"
    assert "extra" in result.params["reason"] or result.params["reason"]
    assert read_staged(shop.terminal.data_dir) is None


def test_staged_version_not_newer_than_the_running_app_is_dropped(shop: Shop) -> None:
    stage(shop, version="0.1.0", current="0.0.1")  # staged by an older build
    result = day_close_update(shop.terminal, pending=0)
    assert result.status == "nothing"
    assert read_staged(shop.terminal.data_dir) is None


def test_hook_result_messages_exist_in_both_languages(shop: Shop, tmp_path: Path) -> None:
    from ipos_tui.i18n import catalogue

    for key in ("update.hook_nothing", "update.hook_unsent", "update.hook_failed",
                "update.hook_ready"):
        assert key in catalogue("pl") and key in catalogue("en")


def test_the_back_office_setting_reaches_the_hook_by_sync(shop: Shop,
                                                          regular_install: None) -> None:
    from ipos_tui.sync.context import SyncContext
    from ipos_tui.sync.progress import CancelToken
    from ipos_tui.sync.pull import pull_stream

    stage(shop)
    assert day_close_update(shop.terminal, pending=1).status == "refused"
    shop.office.set_setting("update_with_unsent", True)
    context = SyncContext.for_terminal(shop.terminal, sleep=lambda _s: None)
    assert context is not None
    with context:
        assert pull_stream(context, "config", lambda _e: None, CancelToken()).ok
    assert day_close_update(shop.terminal, pending=1).status == "ready"
