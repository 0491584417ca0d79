"""``ipos-backoffice vat list`` / ``vat set``: the VAT (PTU) table by the fiscal
printer's rules (letters A–G, 0–99,99 % or "zw."), refusals in Polish and English."""

from __future__ import annotations

import json

import pytest

from ipos_tui.backoffice.cli import main
from ipos_tui.backoffice.security import SECRET_ENV


@pytest.fixture()
def db_url(tmp_path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(SECRET_ENV, "cli-test-secret")
    monkeypatch.setenv("LC_ALL", "pl_PL.UTF-8")
    url = f"sqlite:///{tmp_path / 'bo.sqlite3'}"
    assert main(["--db", url, "init"]) == 0
    return url


def cli(capsys: pytest.CaptureFixture[str], db_url: str, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--db", db_url, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def rates(capsys: pytest.CaptureFixture[str], db_url: str) -> dict[str, int | None]:
    code, out, _ = cli(capsys, db_url, "vat", "list", "--json")
    assert code == 0
    return {row["letter"]: row["rate_bp"] for row in json.loads(out)}


def test_list_shows_the_default_table(capsys, db_url) -> None:
    assert rates(capsys, db_url) == {"A": 2300, "B": 800, "C": 500, "D": 0, "E": None}
    code, out, _ = cli(capsys, db_url, "vat", "list")
    assert code == 0
    assert "23%" in out and "zw." in out


@pytest.mark.parametrize(("letter", "typed", "stored"), [
    ("C", "0", 0), ("c", "5,5", 550), ("F", "99.99", 9999), ("G", "zw.", None),
    ("A", "23 %", 2300),
])
def test_set_changes_or_adds_a_letter(capsys, db_url, letter, typed, stored) -> None:
    code, out, _ = cli(capsys, db_url, "vat", "set", letter, typed)
    assert code == 0, out
    assert "po najbliższym raporcie dobowym" in out
    assert rates(capsys, db_url)[letter.upper()] == stored


@pytest.mark.parametrize(("letter", "typed", "message"), [
    ("H", "5", "Nieznana stawka VAT: H"),
    ("C", "-1", "Nieprawidłowa stawka VAT litery C: -1"),
    ("C", "100", "Nieprawidłowa stawka VAT litery C: 100"),
    ("C", "5,555", "Nieprawidłowa stawka VAT litery C"),
    ("C", "pięć", "Nieprawidłowa stawka VAT litery C"),
])
def test_refusals_leave_the_table_alone(capsys, db_url, letter, typed, message) -> None:
    before = rates(capsys, db_url)
    code, out, err = cli(capsys, db_url, "vat", "set", letter, typed)
    assert code != 0
    assert message in out + err
    assert rates(capsys, db_url) == before


def test_refusal_in_english(capsys, db_url, monkeypatch) -> None:
    monkeypatch.setenv("LC_ALL", "en_GB.UTF-8")
    code, out, err = cli(capsys, db_url, "vat", "set", "C", "100")
    assert code != 0
    assert "C" in out + err and "99" in out + err
    assert "Nieprawidłowa" not in out + err
