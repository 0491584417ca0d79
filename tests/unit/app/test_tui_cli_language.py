"""``ipos-tui`` speaks Polish under a Polish locale and English otherwise: its help,
its subcommands' help, argparse's own messages and what the headless commands print.
``--lang`` overrides the locale.

Inputs tried: ``--help``, ``sync --help``, ``update --help``, an unknown sync job, a
missing required option, ``update check`` of a till that is not activated, under
LC_ALL / LANG set to Polish or not, with and without ``--lang``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ipos_tui.cli import tui_main
from ipos_tui.i18n import current_language, set_language


@pytest.fixture(autouse=True)
def _no_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


def help_of(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        tui_main([*argv, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def test_help_in_polish_under_a_polish_locale(monkeypatch, capsys) -> None:
    monkeypatch.setenv("LANG", "pl_PL.UTF-8")
    out = help_of(capsys)
    assert out.startswith("użycie: ipos-tui [-h] [--data-dir KATALOG] [--lang {pl,en}]")
    assert "Kasoterminal iPOS duet" in out
    assert "opcje:" in out and "pokaż tę pomoc i zakończ" in out
    assert "sklep demonstracyjny, gotowy do sprzedaży" in out
    assert "synchronizacja z zapleczem bez ekranu" in out
    assert "katalog danych kasy (baza, wydruki, dziennik)" in out
    assert "usage:" not in out and "the demo shop" not in out

    out = help_of(capsys, "sync")
    assert out.startswith("użycie: ipos-tui sync")
    assert "co zsynchronizować" in out and "wiersze jako JSON" in out
    out = help_of(capsys, "update")
    assert "check: co oferuje zaplecze" in out
    out = help_of(capsys, "activate")
    assert "--server ADRES" in out and "--code KOD" in out


def test_help_in_english_otherwise_and_lang_overrides(monkeypatch, capsys) -> None:
    monkeypatch.setenv("LANG", "C.UTF-8")
    out = help_of(capsys)
    assert out.startswith("usage: ipos-tui [-h] [--data-dir DIR]")
    assert "the demo shop, ready to sell" in out and "options:" in out
    monkeypatch.setenv("LC_ALL", "pl_PL.UTF-8")
    assert help_of(capsys, "--lang", "en").startswith("usage: ipos-tui")
    monkeypatch.setenv("LC_ALL", "en_GB.UTF-8")
    assert help_of(capsys, "--lang=pl", "sync").startswith("użycie: ipos-tui sync")


def test_usage_errors_in_the_locale_language(monkeypatch, capsys) -> None:
    monkeypatch.setenv("LC_ALL", "pl_PL.UTF-8")
    with pytest.raises(SystemExit) as done:
        tui_main(["sync", "wszystko"])
    assert done.value.code == 2
    assert "błąd: argument ZADANIE: nieprawidłowa wartość: 'wszystko' (do wyboru:" in \
        capsys.readouterr().err
    with pytest.raises(SystemExit):
        tui_main(["activate", "--code", "123"])
    assert "brakuje wymaganych argumentów: --server" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        tui_main(["demo", "--terminal", "drugi"])
    assert "„drugi” nie jest liczbą" in capsys.readouterr().err


def test_headless_messages_follow_the_locale(monkeypatch, capsys, tmp_path: Path) -> None:
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert tui_main(["update", "check", "--data-dir", str(tmp_path / "t")]) == 3
    assert "the terminal is not activated" in capsys.readouterr().err
    monkeypatch.setenv("LANG", "pl_PL.UTF-8")
    assert tui_main(["update", "check", "--data-dir", str(tmp_path / "t")]) == 3
    assert "kasa nie jest aktywowana" in capsys.readouterr().err


def test_the_callers_language_is_kept(monkeypatch, capsys, tmp_path: Path) -> None:
    set_language("pl")
    monkeypatch.setenv("LANG", "C.UTF-8")
    tui_main(["update", "check", "--data-dir", str(tmp_path / "t")])
    assert current_language() == "pl"
