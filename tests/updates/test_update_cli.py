"""The command lines: ``ipos-backoffice release keygen|publish|list`` and
``ipos-tui trust-key``, ``ipos-tui update check|download|install|health-check``."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from ipos_tui import __version__
from ipos_tui.backoffice.cli import main as backoffice
from ipos_tui.backoffice.security import SECRET_ENV
from ipos_tui.cli import tui_main
from ipos_tui.updates import install
from ipos_tui.updates.keys import trusted_keys
from ipos_tui.updates.staging import read_staged
from ipos_tui.till import Till

from update_support import Shop, fake_wheel


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(SECRET_ENV, "update-cli-secret")
    url = f"sqlite:///{tmp_path / 'bo' / 'office.sqlite3'}"
    assert backoffice(["--db", url, "init"]) == 0
    return url


@pytest.fixture(autouse=True)
def _polish_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command lines speak the locale's language: these tests read Polish."""
    monkeypatch.setenv("LC_ALL", "pl_PL.UTF-8")


def json_out(capsys: pytest.CaptureFixture[str]) -> object:
    return json.loads(capsys.readouterr().out)


def test_keygen_then_publish_then_list(db_url: str, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert backoffice(["--db", db_url, "release", "keygen", "--out", str(tmp_path / "k"),
                       "--json"]) == 0
    made = json_out(capsys)
    assert stat.S_IMODE(Path(made["private_key"]).stat().st_mode) == 0o600  # type: ignore[index]
    assert backoffice(["--db", db_url, "release", "keygen", "--out", str(tmp_path / "k")]) == 1
    assert "Klucz" in (err := capsys.readouterr().err) and "już istnieje" in err
    assert "update.err" not in err
    wheel = fake_wheel(tmp_path / "dist", "0.5.0")
    assert backoffice(["--db", db_url, "release", "publish", str(wheel), "--key",
                       made["private_key"], "--no-deps", "--expires-days", "7",  # type: ignore[index]
                       "--json"]) == 0
    published = json_out(capsys)
    meta = published["metadata"]  # type: ignore[index]
    assert (meta["version"], meta["channel"]) == ("0.5.0", "stable")
    served = tmp_path / "bo" / "releases" / "files" / meta["url"].rsplit("/", 1)[-1]
    assert served.stat().st_size == meta["size"]
    assert backoffice(["--db", db_url, "release", "list", "--json"]) == 0
    (row,) = json_out(capsys)  # type: ignore[misc]
    assert (row["version"], row["latest"], row["key_id"]) == ("0.5.0", True, made["key_id"])  # type: ignore[index]


def test_publish_refuses_an_incomplete_wheelhouse(db_url: str, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    backoffice(["--db", db_url, "release", "keygen", "--out", str(tmp_path / "k")])
    wheel = fake_wheel(tmp_path / "dist", "0.5.0", requires=("some-dependency-nobody-has>=1",))
    (tmp_path / "empty").mkdir()
    capsys.readouterr()
    assert backoffice(["--db", db_url, "release", "publish", str(wheel), "--key",
                       str(tmp_path / "k" / "release.key"), "--wheelhouse-from",
                       str(tmp_path / "empty")]) == 1
    err = capsys.readouterr().err
    assert "Komplet pakietów jest niepełny" in err and "update.err" not in err
    assert not (tmp_path / "bo" / "releases" / "stable" / "latest.json").exists()


def test_publish_refuses_a_wheel_of_another_project(db_url: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    backoffice(["--db", db_url, "release", "keygen", "--out", str(tmp_path / "k")])
    wheel = fake_wheel(tmp_path / "dist", "1.0", project="something_else")
    assert backoffice(["--db", db_url, "release", "publish", str(wheel), "--key",
                       str(tmp_path / "k" / "release.key"), "--no-deps"]) == 1
    err = capsys.readouterr().err
    assert "Nieprawidłowy pakiet aplikacji" in err and "update.err" not in err


def test_trust_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ipos_tui.backoffice.releases import keygen

    made = keygen(tmp_path / "k")
    data_dir = tmp_path / "terminal"
    assert tui_main(["trust-key", made["public_key"], "--data-dir", str(data_dir)]) == 0
    assert f"Klucz {made['key_id']} dodany do zaufanych" in capsys.readouterr().out
    assert made["key_id"] in trusted_keys(data_dir)
    assert tui_main(["trust-key", made["private_key"], "--data-dir", str(data_dir)]) == 1
    assert "to nie jest klucz publiczny Ed25519" in capsys.readouterr().err


def test_trust_key_for_the_demo_dir_reaches_its_tills(tmp_path: Path) -> None:
    """``ipos-tui demo --data-dir DIR`` then ``ipos-tui trust-key --data-dir DIR FILE``."""
    from ipos_tui.backoffice.releases import keygen
    from ipos_tui.demo.server import DemoBackOffice

    made = keygen(tmp_path / "k")
    shop = DemoBackOffice(tmp_path / "shop")
    shop.root.mkdir()
    shop.db_path.write_bytes(b"")
    shop.url_file.write_text("http://127.0.0.1:1\n", "utf-8")
    assert tui_main(["trust-key", "--data-dir", str(shop.root), made["public_key"]]) == 0
    assert made["key_id"] in trusted_keys(shop.root / "terminal-2")


def test_update_check_download_install_from_the_command_line(
        shop: Shop, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    shop.publish("9.1.0")
    data_dir = str(shop.terminal.data_dir)
    shop.terminal.close()
    capsys.readouterr()
    assert tui_main(["update", "check", "--data-dir", data_dir]) == 0
    out = capsys.readouterr().out
    assert f"Zainstalowana wersja: {__version__}" in out and "Dostępna wersja: 9.1.0" in out
    assert tui_main(["update", "download", "--data-dir", data_dir]) == 0
    out = capsys.readouterr().out
    assert "Wersja 9.1.0 pobrana i sprawdzona" in out
    assert read_staged(Path(data_dir)).version == "9.1.0"  # type: ignore[union-attr]
    monkeypatch.setattr(install, "is_editable", lambda project: True)
    assert tui_main(["update", "install", "--data-dir", data_dir]) == 1
    assert "instalacja edytowalna" in capsys.readouterr().err
    assert read_staged(Path(data_dir)) is not None


def test_update_check_of_a_terminal_not_activated(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert tui_main(["update", "check", "--data-dir", str(tmp_path / "t")]) == 3
    assert "kasa nie jest aktywowana" in capsys.readouterr().err


def test_health_check_reaches_the_login_screen(demo_dir: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert tui_main(["update", "health-check", "--data-dir", str(demo_dir),
                     "--expect-version", __version__]) == 0
    assert "ekran logowania osiągnięty" in capsys.readouterr().out
    assert tui_main(["update", "health-check", "--data-dir", str(demo_dir),
                     "--expect-version", "99.0"]) == 1


def test_data_dir_before_the_command_is_kept(tmp_path: Path) -> None:
    """``ipos-tui --data-dir X trust-key F`` must not fall back to the default dir."""
    from ipos_tui.backoffice.releases import keygen

    made = keygen(tmp_path / "k")
    data_dir = tmp_path / "terminal"
    assert tui_main(["--data-dir", str(data_dir), "trust-key", made["public_key"]]) == 0
    assert made["key_id"] in trusted_keys(data_dir)


def test_app_returning_the_marker_runs_the_install_after_it_closed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """cli.py's side of the day-close contract: "install-update" → run_staged_install."""
    import ipos_tui.cli as cli
    from ipos_tui.updates import hook

    calls: list[Path] = []
    monkeypatch.setattr(hook, "run_staged_install", lambda data_dir: calls.append(data_dir) or 1)
    assert cli._after_app(None, tmp_path) == 0
    assert cli._after_app("install-update", tmp_path) == 1
    assert calls == [tmp_path]


def test_headless_install_refuses_with_the_fiscal_day_open_unless_forced(
        shop: Shop, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 14 item 5: ``update install`` only at day close; ``--force`` warns."""
    from datetime import datetime

    from ipos_tui.domain.records import User

    shop.publish("9.1.0")
    data_dir = str(shop.terminal.data_dir)
    now = datetime.now().astimezone()
    manager = User(1, "1001", "Anna Kowalska", "kierownik", frozenset({"cash_deposit"}))
    assert Till(shop.terminal).cash.open_shift(10_000, cashier=manager, now=now) is not None
    shop.terminal.close()
    assert tui_main(["update", "download", "--data-dir", data_dir]) == 0
    capsys.readouterr()
    monkeypatch.setattr(install, "is_editable", lambda project: True)
    assert tui_main(["update", "install", "--data-dir", data_dir]) == 1
    err = capsys.readouterr().err
    assert "Dzień fiskalny jest otwarty" in err and "3. Raport dobowy (zamknięcie dnia)" in err
    assert "instalacja edytowalna" not in err  # refused before the installer was asked
    assert read_staged(Path(data_dir)) is not None
    assert tui_main(["update", "install", "--force", "--data-dir", data_dir]) == 1
    err = capsys.readouterr().err
    # forced past the day rule; the usual rule (no unsent documents) still applies
    assert "UWAGA: dzień fiskalny jest otwarty" in err and "niewysłanych dokumentów" in err
