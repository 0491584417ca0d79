"""The install after day close, step by step, with pip and the health check scripted.

What runs for real: staging from the real back office, re-verification, the SQLite
backup, the ledger fingerprint, the restore, the journal and the log. What is
scripted: the three child processes (pip install, the health check of the new code,
the rollback's pip and version probe) — the same steps with real pip and real
wheels run in test_update_real_wheels.py.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from ipos_tui.updates import install
from ipos_tui.updates.commands import CommandResult
from ipos_tui.updates.install import EXIT_BROKEN, EXIT_ROLLED_BACK, install_staged
from ipos_tui.updates.paths import UpdatePaths, read_json
from ipos_tui.updates.staging import read_staged

from update_support import Shop, fake_wheel


class Children:
    """Scripted child processes: what each kind of command answers, and a log."""

    def __init__(self, *, pip: int = 0, health: int = 0, rollback: int = 0,
                 during_health: Callable[[], None] | None = None) -> None:
        self.codes = {"pip": pip, "health": health, "rollback": rollback}
        self.during_health = during_health
        self.commands: list[list[str]] = []

    def kind(self, command: Sequence[str]) -> str:
        if "health-check" in command:
            return "health"
        if "--force-reinstall" in command:
            return "rollback"
        if "-c" in command:
            return "probe"
        return "pip"

    def __call__(self, command: Sequence[str], timeout: float) -> CommandResult:
        self.commands.append(list(command))
        kind = self.kind(command)
        if kind == "probe":
            return CommandResult(0, "0.1.0")
        if kind == "health" and self.during_health is not None:
            self.during_health()
        return CommandResult(self.codes[kind], f"{kind} output")

    def kinds(self) -> list[str]:
        return [self.kind(c) for c in self.commands]


def stage(shop: Shop, version: str = "0.2.0") -> Path:
    """Publish and stage ``version``; keep a wheelhouse of the running 0.1.0; close the
    terminal (the app has exited when the install runs)."""
    shop.publish(version)
    with shop.updater() as updater:
        updater.download_and_stage(updater.check())
    data_dir = shop.terminal.data_dir
    fake_wheel(UpdatePaths(data_dir).wheelhouse("0.1.0"), "0.1.0")
    shop.terminal.close()
    return data_dir


def run_install(data_dir: Path, children: Children) -> tuple[int, list[tuple[str, str]]]:
    restarts: list[tuple[str, str]] = []
    code = install_staged(data_dir, run=children, python="/opt/python",
                          restart=lambda python, version: restarts.append((python, version)),
                          environment_check=lambda: None)
    return code, restarts


def user_version(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "terminal.sqlite3") as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate_like_a_new_version(data_dir: Path) -> None:
    """What a newer release's first start does: a schema step the old app cannot read."""
    with sqlite3.connect(data_dir / "terminal.sqlite3") as conn:
        conn.execute("CREATE TABLE new_feature (id INTEGER PRIMARY KEY)")
        conn.execute("PRAGMA user_version = 99")


def test_healthy_install_commits_and_restarts(shop: Shop) -> None:
    data_dir = stage(shop)
    staged_dir = read_staged(data_dir).directory  # type: ignore[union-attr]
    children = Children()
    code, restarts = run_install(data_dir, children)
    assert restarts == [("/opt/python", "0.2.0")]
    assert code == 0
    pip, health = children.commands
    assert pip == ["/opt/python", "-P", "-m", "pip", "install", "--no-index", "--find-links",
                   str(staged_dir), "--disable-pip-version-check", "--no-input",
                   "ipos-tui==0.2.0"]
    assert health[:6] == ["/opt/python", "-P", "-m", "ipos_tui.cli", "update", "health-check"]
    assert health[-2:] == ["--expect-version", "0.2.0"]
    paths = UpdatePaths(data_dir)
    assert read_staged(data_dir) is None
    assert (paths.wheelhouse("0.2.0") / "ipos_tui-0.2.0-py3-none-any.whl").exists()
    assert (paths.wheelhouse("0.1.0") / "ipos_tui-0.1.0-py3-none-any.whl").exists()
    assert len(list(paths.backups.glob("terminal-0.1.0-*.sqlite3"))) == 1
    journal = read_json(paths.journal)
    assert journal["outcome"] == "installed" and journal["to"] == "0.2.0"
    assert [s["phase"] for s in journal["steps"]] == [
        "verify", "keep_wheelhouse", "backup", "pip_install", "health_check"]


def test_failed_health_check_rolls_back_and_restores_the_database(shop: Shop) -> None:
    data_dir = stage(shop)
    before = user_version(data_dir)
    children = Children(health=1, during_health=lambda: migrate_like_a_new_version(data_dir))
    code, restarts = run_install(data_dir, children)
    assert code == EXIT_ROLLED_BACK
    assert restarts == [("/opt/python", "0.1.0")]  # back to selling on the old version
    assert children.kinds() == ["pip", "health", "rollback", "probe"]
    rollback = children.commands[2]
    assert rollback[-1].endswith("ipos_tui-0.1.0-py3-none-any.whl")
    assert "--no-index" in rollback and "--no-deps" in rollback
    assert user_version(data_dir) == before  # the old app can open it again
    journal = read_json(UpdatePaths(data_dir).journal)
    assert journal["outcome"] == "rolled_back"
    assert journal["reason"] == "health_check" and journal["database"] == "restored"
    assert read_staged(data_dir) is None
    log = UpdatePaths(data_dir).log_file.read_text("utf-8")
    assert "failed at health_check" in log and "database restored" in log


def test_ledger_written_after_the_backup_keeps_the_database(shop: Shop) -> None:
    data_dir = stage(shop)

    def new_version_sells() -> None:
        migrate_like_a_new_version(data_dir)
        with sqlite3.connect(data_dir / "terminal.sqlite3") as conn:
            conn.execute("INSERT INTO number_sequence (doc_type, last_number) VALUES ('x', 7)")

    code, _ = run_install(data_dir, Children(health=1, during_health=new_version_sells))
    assert code == EXIT_ROLLED_BACK
    assert user_version(data_dir) == 99  # not rolled back over a ledger write
    assert read_json(UpdatePaths(data_dir).journal)["database"] == "kept"
    backups = list(UpdatePaths(data_dir).backups.glob("*.sqlite3"))
    assert len(backups) == 1  # the copy stays for support


def test_failed_pip_rolls_back_without_a_health_check(shop: Shop) -> None:
    data_dir = stage(shop)
    children = Children(pip=1)
    code, restarts = run_install(data_dir, children)
    assert (code, restarts) == (EXIT_ROLLED_BACK, [("/opt/python", "0.1.0")])
    assert children.kinds() == ["pip", "rollback", "probe"]
    assert read_json(UpdatePaths(data_dir).journal)["reason"] == "pip"


def test_failed_rollback_is_reported_loudly(shop: Shop) -> None:
    data_dir = stage(shop)
    code, restarts = run_install(data_dir, Children(pip=1, rollback=1))
    assert (code, restarts) == (EXIT_BROKEN, [])
    assert read_json(UpdatePaths(data_dir).journal)["outcome"] == "rollback_failed"
    assert "ROLLBACK FAILED" in UpdatePaths(data_dir).log_file.read_text("utf-8")


def test_wheel_changed_after_staging_is_never_installed(shop: Shop) -> None:
    data_dir = stage(shop)
    staged = read_staged(data_dir)
    assert staged is not None
    wheel = staged.directory / staged.app_wheel
    wheel.write_bytes(wheel.read_bytes() + b"\0")
    children = Children()
    code, restarts = run_install(data_dir, children)
    assert (code, restarts, children.commands) == (EXIT_ROLLED_BACK, [], [])
    journal = read_json(UpdatePaths(data_dir).journal)
    assert journal["outcome"] == "refused" and journal["key"] == "update.err_staged_changed"
    assert read_staged(data_dir) is None


def test_install_refuses_while_the_database_is_open(shop: Shop) -> None:
    shop.publish("0.2.0")
    with shop.updater() as updater:
        updater.download_and_stage(updater.check())
    fake_wheel(UpdatePaths(shop.terminal.data_dir).wheelhouse("0.1.0"), "0.1.0")
    children = Children()
    code, _ = run_install(shop.terminal.data_dir, children)  # terminal still open
    assert code == EXIT_ROLLED_BACK and children.commands == []
    journal = read_json(UpdatePaths(shop.terminal.data_dir).journal)
    assert journal["key"] == "update.err_db_in_use"
    assert read_staged(shop.terminal.data_dir) is not None  # kept for the next day close


def test_editable_install_is_refused_before_anything_changes(
        shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = stage(shop)
    monkeypatch.setattr(install, "is_editable", lambda project: project == "ipos-tui")
    children = Children()
    code = install_staged(data_dir, run=children, restart=lambda *a: None)
    assert code == EXIT_ROLLED_BACK and children.commands == []
    assert read_json(UpdatePaths(data_dir).journal)["key"] == "update.err_editable"
    assert read_staged(data_dir) is not None  # a regular install may still take it


def test_nothing_staged_is_exit_0(tmp_path: Path) -> None:
    assert install_staged(tmp_path, run=Children(), restart=lambda *a: None) == 0


def test_kept_wheelhouse_gains_what_the_new_release_would_replace(shop: Shop,
                                                                  tmp_path: Path) -> None:
    """A dependency the release changes (httpx here) is packed from the installed one
    into the kept wheelhouse, and is the version a rollback would put back."""
    from importlib.metadata import version

    extra = tmp_path / "extra"
    fake_wheel(extra, "99.0", project="httpx")
    shop.publish("0.2.0", wheelhouse_from=extra, no_deps=False)
    with shop.updater() as updater:
        staged = updater.download_and_stage(updater.check())
    assert "httpx-99.0-py3-none-any.whl" in staged.wheels
    data_dir = shop.terminal.data_dir
    fake_wheel(UpdatePaths(data_dir).wheelhouse("0.1.0"), "0.1.0")
    shop.terminal.close()
    code, restarts = run_install(data_dir, Children(pip=1))
    assert code == EXIT_ROLLED_BACK
    kept = sorted(p.name for p in UpdatePaths(data_dir).wheelhouse("0.1.0").glob("*.whl"))
    assert kept == [f"httpx-{version('httpx')}-py3-none-any.whl", "ipos_tui-0.1.0-py3-none-any.whl"]


def test_pip_of_the_install_reads_no_pip_configuration(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pip.conf or PIP_* variable of the machine (find-links, an index, ``user``)
    must not change where the install takes its wheels from or installs to."""
    import sys

    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\nfind-links = /somewhere/else\n[install]\nuser = true\n", "utf-8")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(conf))
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    seen = install.run_command([sys.executable, "-m", "pip", "config", "list"], 120.0)
    assert seen.returncode == 0, seen.output
    assert "no-input='1'" in seen.output  # what the installer sets does reach pip
    for setting in ("find-links", "index-url", "user"):
        assert setting not in seen.output
