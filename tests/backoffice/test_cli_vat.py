"""``ipos-backoffice vat list`` / ``vat set``: the VAT (PTU) table by the fiscal
printer's rules (letters A–G, 0–99,99 % or "zw."), refusals in Polish and English."""

from __future__ import annotations

import json

import pytest
from office_db import OfficeBackend

from ipos_tui.backoffice.cli import main
from ipos_tui.backoffice.security import SECRET_ENV


@pytest.fixture()
def db_url(tmp_path, monkeypatch: pytest.MonkeyPatch, office_backend: OfficeBackend) -> str:
    monkeypatch.setenv(SECRET_ENV, "cli-test-secret")
    monkeypatch.setenv("LC_ALL", "pl_PL.UTF-8")
    url = office_backend.url(tmp_path / 'bo.sqlite3')
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


def test_report_sales_keeps_sales_and_returns_per_letter_apart(capsys, db_url) -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from backoffice_support import make_receipt

    from ipos_tui.backoffice.db import open_database
    from ipos_tui.backoffice.documents.ingest import Ingest
    from ipos_tui.backoffice.services import BackOffice

    office = BackOffice(open_database(db_url), b"cli-test-secret")
    store = office.list_stores()[0]["id"] if office.list_stores() else office.add_store("Sklep 1")
    _terminal_id, code = office.add_terminal(store)
    auth = office.authenticate(office.activate(code, "k")["token"])
    sale = make_receipt(store, 1, price=1000)
    back = {**make_receipt(store, 1, price=400), "type": "return",
            "original": {"terminal_id": _terminal_id, "number": 1}}
    back["payments"] = [{"method": "cash", "amount": 400}]
    assert [r["status"] for r in Ingest(office, auth).push([sale, back])] == ["accepted", "accepted"]
    code_, out, _ = cli(capsys, db_url, "report", "sales", "--day", "2026-11-27", "--store", str(store))
    assert code_ == 0
    lines = [line.strip() for line in out.splitlines()]
    # 10,00 zł at 23 % holds 1,87 VAT; 4,00 zł holds 0,75; the net 6,00 zł: 1,12
    assert "sprzedaż A: brutto 10,00  VAT 1,87" in lines, out
    assert "zwroty A: brutto 4,00  VAT 0,75" in lines, out
    assert any(line.startswith("VAT A: brutto 6,00") and "VAT 1,12" in line for line in lines), out
    report = json.loads(cli(capsys, db_url, "report", "sales", "--day", "2026-11-27", "--json")[1])
    assert report["vat_sales"]["A"] == {"gross": 1000, "vat": 187, "net": 813}
    assert report["vat_returns"]["A"] == {"gross": 400, "vat": 75, "net": 325}
    assert report["vat"]["A"] == {"gross": 600, "vat": 112, "net": 488}
