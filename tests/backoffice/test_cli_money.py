"""Money typed into ``ipos-backoffice``: złoty with a decimal separator, and a question
before a price changes more than 5 times either way.

Inputs tried: ``--price 379`` / ``379 zł`` (bare digits: refused with how to type it),
``3,79`` / ``3.79`` / ``3,5`` / ``379,00`` (złoty), ``--amount 2`` and ``2,00`` for a
discount; price jumps of ×108 up and ×1/7 down, exactly ×5 (no question), confirmed
with ``--yes``, refused without a terminal, answered "nie" and "tak" on a real
pseudo-terminal; a CSV whose row changes a price ×100, and a CSV price in bare digits
(its documented format, still accepted).
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from office_db import OfficeBackend

from ipos_tui.backoffice.cli import main
from ipos_tui.backoffice.security import SECRET_ENV

HOW_TO_TYPE = "podaj cenę w złotych z przecinkiem, np. 3,79 albo 379,00"


@pytest.fixture(scope="module")
def db_url(office_backend: OfficeBackend, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = office_backend.url(tmp_path_factory.mktemp('cli-money') / 'bo.sqlite3')
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SECRET_ENV, "cli-test-secret")
        assert main(["--db", url, "init", "--demo"]) == 0
    return url


@pytest.fixture(autouse=True)
def _polish(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "cli-test-secret")
    monkeypatch.setenv("LC_ALL", "pl_PL.UTF-8")


def cli(capsys: pytest.CaptureFixture[str], db_url: str, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--db", db_url, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def price(capsys: pytest.CaptureFixture[str], db_url: str, plu: str, list_id: int = 1) -> int:
    code, out, _ = cli(capsys, db_url, "product", "list", "--search", plu, "--json")
    assert code == 0
    product = next(p for p in json.loads(out) if p["plu"] == plu)
    return int(product["prices"][str(list_id)])


def test_bare_digits_are_refused_with_how_to_type_the_price(capsys, db_url: str) -> None:
    before = price(capsys, db_url, "1")
    for typed in ("379", "379 zł", " 1 379 "):
        code, _out, err = cli(capsys, db_url, "price", "set", "--plu", "1", "--price", typed,
                              "--list", "1")
        assert code == 1, typed
        assert HOW_TO_TYPE in err and "err." not in err
    assert price(capsys, db_url, "1") == before
    code, _out, err = cli(capsys, db_url, "product", "add", "--name", "Bułka grahamka",
                          "--plu", "7101", "--vat", "C", "--price", "129", "--list", "1")
    assert code == 1 and HOW_TO_TYPE in err
    code, _out, err = cli(capsys, db_url, "discount", "add", "--name", "Rabat 2", "--amount", "2")
    assert code == 1 and "podaj kwotę w złotych z przecinkiem, np. 2,00" in err
    code, out, _err = cli(capsys, db_url, "discount", "add", "--name", "Rabat 2", "--amount",
                          "2,00", "--json")
    assert code == 0
    assert json.loads(cli(capsys, db_url, "discount", "list", "--json")[1])[-1]["value"] == 200


@pytest.mark.parametrize(("typed", "grosze"), [("3,79", 379), ("3.79", 379), ("3,5", 350),
                                               ("3,49 zł", 349)])
def test_a_price_with_a_separator_is_zloty(capsys, db_url: str, typed: str, grosze: int) -> None:
    code, _out, err = cli(capsys, db_url, "price", "set", "--plu", "2", "--price", typed,
                          "--list", "1")
    assert code == 0, err
    assert price(capsys, db_url, "2") == grosze


def test_a_price_jump_is_refused_without_a_terminal_and_taken_with_yes(
        capsys, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert price(capsys, db_url, "3") == 319
    code, _out, err = cli(capsys, db_url, "price", "set", "--plu", "3", "--price", "319,00",
                          "--list", "1")
    assert code == 1
    assert ("Cena PLU 3 w cenniku 1 zmieniłaby się o ponad 5 razy: 3,19 zł → 319,00 zł "
            "(100 razy więcej). Nic nie zmieniono;") in err
    assert "--yes" in err
    assert price(capsys, db_url, "3") == 319
    code, _out, err = cli(capsys, db_url, "price", "set", "--plu", "3", "--price", "319,00",
                          "--list", "1", "--yes")
    assert code == 0, err
    assert price(capsys, db_url, "3") == 31900
    # down is asked about too (319,00 → 45,00 is 7 times less)
    code, _out, err = cli(capsys, db_url, "price", "set", "--plu", "3", "--price", "45,00",
                          "--list", "1")
    assert code == 1 and "7,1 razy mniej" in err
    assert price(capsys, db_url, "3") == 31900
    # exactly 5 times is not a jump
    code, _out, err = cli(capsys, db_url, "price", "set", "--plu", "3", "--price", "63,80",
                          "--list", "1")
    assert code == 0, err
    # the English wording
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    code, _out, err = cli(capsys, db_url, "price", "set", "--plu", "3", "--price", "3,19",
                          "--list", "1")
    assert code == 1 and "would change more than 5 times: 63,80 zł → 3,19 zł (20 times less)" \
        in err


def test_product_update_with_a_price_jump_changes_nothing(capsys, db_url: str) -> None:
    code, _out, err = cli(capsys, db_url, "product", "update", "4", "--name", "Mleko bez laktozy",
                          "--price", "459,00", "--list", "1")
    assert code == 1 and "zmieniłaby się o ponad 5 razy" in err
    code, out, _err = cli(capsys, db_url, "product", "list", "--search", "Mleko bez laktozy 1l",
                          "--json")
    assert [p["plu"] for p in json.loads(out)] == ["4"]  # the name did not change either
    assert price(capsys, db_url, "4") == 459


def ask_in_a_terminal(db_url: str, plu: str, new_price: str, answer: str) -> tuple[int, str]:
    """Run ``price set`` with a pseudo-terminal as stdin/stdout/stderr, answer the
    question when it appears; the exit code and everything the terminal showed."""
    master, slave = pty.openpty()
    env = {**os.environ, SECRET_ENV: "cli-test-secret", "LC_ALL": "pl_PL.UTF-8"}
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; from ipos_tui.backoffice.cli import main; "
         "sys.exit(main(sys.argv[1:]))", "--db", db_url, "price", "set", "--plu", plu,
         "--price", new_price, "--list", "1"],
        stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    shown = b""
    deadline = time.monotonic() + 60
    answered = False
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                shown += chunk
            if not answered and b"[tak/nie]" in shown:
                os.write(master, answer.encode() + b"\n")
                answered = True
            if process.poll() is not None and not ready:
                break
        code = process.wait(timeout=30)
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
    return code, shown.decode("utf-8", "replace")


def test_a_terminal_is_asked_tak_or_nie(capsys, db_url: str) -> None:
    assert price(capsys, db_url, "5") == 579
    code, shown = ask_in_a_terminal(db_url, "5", "579,00", "nie")
    assert "Cena PLU 5 w cenniku 1 zmieni się o ponad 5 razy: 5,79 zł → 579,00 zł" in shown
    assert "[tak/nie]" in shown
    assert code == 1 and "Nie potwierdzono – nic nie zmieniono." in shown
    assert price(capsys, db_url, "5") == 579
    code, shown = ask_in_a_terminal(db_url, "5", "579,00", "tak")
    assert code == 0, shown
    assert "Cena 5 w cenniku 1: 579,00 zł" in shown
    assert price(capsys, db_url, "5") == 57900


def export(capsys: pytest.CaptureFixture[str], db_url: str, path: Path) -> list[str]:
    code, _out, err = cli(capsys, db_url, "export-csv", str(path), "--list", "1")
    assert code == 0, err
    return path.read_text("utf-8").splitlines()


def with_price(lines: list[str], plu: str, new_price: str) -> tuple[list[str], int]:
    """The CSV lines with ``plu``'s Cena replaced; and that row's line number."""
    changed = list(lines)
    for index, line in enumerate(lines):
        cells = line.split(";")
        if cells[1] == plu:
            cells[4] = new_price
            changed[index] = ";".join(cells)
            return changed, index + 1
    raise AssertionError(plu)


def test_import_csv_asks_before_price_jumps(capsys, db_url: str, tmp_path: Path) -> None:
    lines = export(capsys, db_url, tmp_path / "export.csv")
    changed, line = with_price(lines, "6", "299,00")
    changed, _ = with_price(changed, "7", "4,59")  # an ordinary change in the same file
    jumpy = tmp_path / "jumpy.csv"
    jumpy.write_text("\n".join(changed) + "\n", "utf-8")

    code, _out, err = cli(capsys, db_url, "import-csv", str(jumpy), "--list", "1")
    assert code == 1
    assert "Ceny produktów w cenniku 1 zmieniłyby się o ponad 5 razy (1):" in err
    assert f"wiersz {line}: PLU 6 2,99 zł → 299,00 zł (100 razy więcej)" in err
    assert "Nic nie zaimportowano" in err
    assert (price(capsys, db_url, "6"), price(capsys, db_url, "7")) == (299, 449)

    code, out, err = cli(capsys, db_url, "import-csv", str(jumpy), "--list", "1", "--yes")
    assert code == 0, err
    assert (price(capsys, db_url, "6"), price(capsys, db_url, "7")) == (29900, 459)


def test_import_csv_keeps_its_documented_price_formats(capsys, db_url: str,
                                                      tmp_path: Path) -> None:
    """The file format is not the command line: "4" in Cena is 4,00 zł as documented."""
    lines = export(capsys, db_url, tmp_path / "export.csv")
    changed, _ = with_price(lines, "8", "4")
    plain = tmp_path / "plain.csv"
    plain.write_text("\n".join(changed) + "\n", "utf-8")
    code, _out, err = cli(capsys, db_url, "import-csv", str(plain), "--list", "1")
    assert code == 0, err
    assert price(capsys, db_url, "8") == 400
