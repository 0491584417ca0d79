"""The admin CLI, called in-process through ``main(argv)`` on a demo database."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from office_db import OfficeBackend
from backoffice_support import make_receipt

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.cli import main
from ipos_tui.backoffice.db import open_database
from ipos_tui.backoffice.documents.ingest import Ingest
from ipos_tui.backoffice.security import SECRET_ENV
from ipos_tui.backoffice.services import BackOffice


@pytest.fixture(scope="module")
def db_url(office_backend: OfficeBackend, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = office_backend.url(tmp_path_factory.mktemp('cli') / 'cli.sqlite3')
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SECRET_ENV, "cli-test-secret")
        assert main(["--db", url, "init", "--demo"]) == 0
    return url


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "cli-test-secret")
    # the CLI speaks the locale's language; tests that read Polish set their own
    monkeypatch.setenv("LC_ALL", "C.UTF-8")


def run(capsys: pytest.CaptureFixture[str], db_url: str, *argv: str,
        code: int = 0) -> Any:
    """Run with --json (after the subcommand, as users may type it) and parse stdout."""
    capsys.readouterr()
    assert main(["--db", db_url, *argv, "--json"]) == code
    out = capsys.readouterr().out
    return json.loads(out) if out.strip() else None


def office(db_url: str) -> BackOffice:
    return BackOffice(open_database(db_url), b"cli-test-secret")


def test_demo_shop_is_realistic(capsys, db_url: str) -> None:
    products = run(capsys, db_url, "product", "list")
    assert len(products) >= 300
    assert set(Counter(p["vat"] for p in products)) == {"A", "B", "C", "D", "E"}
    assert any(p["unit"] == "kg" for p in products)
    assert any(p["open_price"] for p in products)
    assert all(p["category_id"] for p in products)
    assert sum(1 for p in products if p["barcodes"]) > 300
    differ = [p for p in products if p["prices"].get("1") != p["prices"].get("2")]
    assert len(differ) > 300  # the second store's list is dearer
    stores = run(capsys, db_url, "store", "list")
    assert [s["price_list_id"] for s in stores] == [1, 2]
    users = {u["identifier"]: u for u in run(capsys, db_url, "user", "list")}
    assert set(users) == {"1001", "1002", "1003", "1004"} and not users["1004"]["active"]
    assert len({tuple(u["permissions"]) for u in users.values()}) >= 3
    assert office(db_url).verify_user_pin("1002", "2222")
    methods = [pm["code"] for pm in office(db_url).list_payment_methods()]
    assert methods == ["gotowka", "karta", "bon", "przelew"]
    assert m.Company.get_by_id(1).name == "Handel Centrum sp. z o.o."
    assert office(db_url).get_settings()["login_mode"] == "identifier_pin"


def test_init_demo_twice_is_refused(capsys, db_url: str) -> None:
    result = run(capsys, db_url, "init", "--demo", code=1)
    assert result["error"] == "err.demo_not_empty"


def test_terminal_add_list_revoke(capsys, db_url: str) -> None:
    added = run(capsys, db_url, "terminal", "add", "--store", "1", "--name", "Kasa 1")
    assert len(added["code"]) == 12 and added["code"].isdigit()
    listed = {t["id"]: t for t in run(capsys, db_url, "terminal", "list")}
    assert listed[added["terminal_id"]]["status"] == "pending"
    activation = office(db_url).activate(added["code"], "Kasa 1")
    assert run(capsys, db_url, "terminal", "list")[0]["status"] == "active"
    code = run(capsys, db_url, "terminal", "code", str(added["terminal_id"]))["code"]
    assert code != added["code"]
    run(capsys, db_url, "terminal", "revoke", str(added["terminal_id"]))
    assert office(db_url).authenticate(activation["token"]) is None
    assert run(capsys, db_url, "terminal", "add", "--store", "9", code=1)["error"] == \
        "err.store_unknown"


def test_product_lifecycle(capsys, db_url: str) -> None:
    added = run(capsys, db_url, "product", "add", "--name", "Bułka kajzerka", "--plu", "7001",
                "--vat", "C", "--price", "0,89", "--list", "1", "--barcode", "2700100")
    assert (added["prices"], added["barcodes"]) == ({"1": 89}, ["2700100"])
    updated = run(capsys, db_url, "product", "update", "7001", "--name", "Bułka duża",
                  "--price", "1,09", "--list", "2", "--no-barcodes")
    assert updated["name"] == "Bułka duża" and updated["barcodes"] == []
    assert updated["prices"] == {"1": 89, "2": 109}
    run(capsys, db_url, "price", "set", "--plu", "7001", "--price", "0.99", "--list", "1")
    assert run(capsys, db_url, "product", "list", "--search", "7001")[0]["prices"]["1"] == 99
    error = run(capsys, db_url, "product", "update", "7001", "--vat", "A", code=1)
    assert error["error"] == "err.vat_raise"
    run(capsys, db_url, "product", "delete", "7001")
    assert run(capsys, db_url, "product", "list", "--search", "7001") == []
    assert run(capsys, db_url, "product", "delete", "7001", code=1)["error"] == \
        "err.product_unknown"


def test_product_rule_errors_exit_1(capsys, db_url: str) -> None:
    bad = run(capsys, db_url, "product", "add", "--name", "Mleko 3,2% 1L", "--plu", "7002",
              "--vat", "C", code=1)
    assert bad["error"] == "err.name_taken"
    bad = run(capsys, db_url, "product", "add", "--name", "Nowy", "--plu", "0702", "--vat", "C",
              code=1)
    assert bad["error"] == "err.plu_invalid"
    bad = run(capsys, db_url, "price", "set", "--plu", "1", "--price", "abc", "--list", "1",
              code=1)
    assert bad["error"] == "err.money_invalid"


def test_price_without_list_needs_a_choice(capsys, db_url: str) -> None:
    capsys.readouterr()
    assert main(["--db", db_url, "price", "set", "--plu", "1", "--price", "1,00"]) == 2
    assert "--list" in capsys.readouterr().err


def test_pricelist_assign_and_users_and_settings(capsys, db_url: str) -> None:
    new_list = run(capsys, db_url, "pricelist", "add", "Promocja")["price_list_id"]
    run(capsys, db_url, "pricelist", "assign", str(new_list), "--store", "2")
    assert run(capsys, db_url, "store", "list")[1]["price_list_id"] == new_list
    run(capsys, db_url, "pricelist", "assign", "2", "--store", "2")
    run(capsys, db_url, "user", "add", "--identifier", "1010", "--name", "Kasia", "--pin",
        "5555", "--permissions", "returns,void")
    run(capsys, db_url, "user", "update", "1010", "--role", "manager", "--pin", "6666")
    assert office(db_url).verify_user_pin("1010", "6666")
    run(capsys, db_url, "user", "deactivate", "1010")
    users = {u["identifier"]: u for u in run(capsys, db_url, "user", "list")}
    assert users["1010"]["role"] == "manager" and not users["1010"]["active"]
    assert run(capsys, db_url, "settings", "set", "login_mode", "pin") == {"login_mode": "pin"}
    assert run(capsys, db_url, "settings", "get", "login_mode") == {"login_mode": "pin"}
    assert run(capsys, db_url, "settings", "set", "day_close_time", "24:00", code=1)["error"] \
        == "err.setting_invalid"


CSV_GOOD = (
    "Nazwa;PLU;Stawka VAT;Jednostka;Cena;Kody kreskowe;Kategoria;Typ;Cena otwarta\n"
    "Ser żółty plastry;8001;C;szt.;7,49;5901234123457;Sery;towar;nie\n"
    "Orzechy włoskie;8002;C;kg;39,90;;Bakalie;towar;nie\n"
    "Usługa pakowania;8003;A;szt.;2,00;;;usługa;nie\n"
)


def test_import_csv_all_or_nothing_with_line_numbers(capsys, db_url: str,
                                                      tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV_GOOD + "Zła<nazwa;8004;A;szt.;1,00;;;towar;nie\n"
                   "Dobry;0805;A;szt.;1,00;;;towar;nie\n"
                   "Kod zły;8006;A;szt.;1,00;5901234123458;;towar;nie\n"
                   "Ser żółty PLASTRY;8007;C;szt.;1,00;;;towar;nie\n"
                   "Bez VAT;8008;Q;szt.;1,00;;;towar;nie\n"
                   "Cena zła;8009;A;szt.;abc;;;towar;nie\n", encoding="utf-8")
    error = run(capsys, db_url, "import-csv", str(bad), "--list", "1", code=1)
    assert error["error"] == "err.import_failed"
    assert [(e["line"], e["key"]) for e in error["params"]["errors"]] == [
        (5, "err.name_chars"), (6, "err.plu_invalid"), (7, "err.barcode_invalid"),
        (8, "err.name_repeated"), (9, "err.vat_letter"), (10, "err.money_invalid")]
    assert run(capsys, db_url, "product", "list", "--search", "8001") == []
    capsys.readouterr()
    assert main(["--db", db_url, "import-csv", str(bad), "--list", "1"]) == 1
    err = capsys.readouterr().err
    assert "line 5: Character not allowed in a name: “<”." in err
    assert "err." not in err

    good = tmp_path / "good.csv"
    good.write_text("\ufeff" + CSV_GOOD, encoding="utf-8")
    assert run(capsys, db_url, "import-csv", str(good), "--list", "1") == {
        "created": 3, "updated": 0}
    cheese = run(capsys, db_url, "product", "list", "--search", "8001")[0]
    assert (cheese["prices"], cheese["barcodes"]) == ({"1": 749}, ["5901234123457"])
    service = run(capsys, db_url, "product", "list", "--search", "8003")[0]
    assert service["kind"] == "service"


def test_export_then_import_round_trips(capsys, db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "export.csv"
    result = run(capsys, db_url, "export-csv", str(out), "--list", "1")
    assert result["rows"] >= 300
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("Nazwa;PLU;Stawka VAT")
    assert run(capsys, db_url, "import-csv", str(out), "--list", "1") == {
        "created": 0, "updated": result["rows"]}
    out2 = tmp_path / "again.csv"
    run(capsys, db_url, "export-csv", str(out2), "--list", "1")
    assert out2.read_text(encoding="utf-8") == text


def test_transactions_quarantine_and_report(capsys, db_url: str) -> None:
    svc = office(db_url)
    terminal_id, code = svc.add_terminal(1)
    auth = svc.authenticate(svc.activate(code, "k")["token"])
    other = make_receipt(2, 3, price=500)
    ok = [make_receipt(1, n, price=1000 + n) for n in (1, 2)]
    ingest = Ingest(svc, auth)
    statuses = [r["status"] for r in ingest.push([*ok, other])]
    assert statuses == ["accepted", "accepted", "rejected"]
    listed = run(capsys, db_url, "transactions", "list", "--terminal", str(terminal_id))
    assert sorted(t["number"] for t in listed) == [1, 2]
    quarantined = run(capsys, db_url, "transactions", "quarantine", "list")
    mine = [q for q in quarantined if q["terminal_id"] == terminal_id]
    assert [q["reason"] for q in mine] == ["other_store"]
    released = run(capsys, db_url, "transactions", "quarantine", "release", str(mine[0]["id"]))
    assert released["status"] == "accepted"
    assert run(capsys, db_url, "transactions", "quarantine", "list") == [
        q for q in quarantined if q["terminal_id"] != terminal_id]
    again = run(capsys, db_url, "transactions", "quarantine", "release", str(mine[0]["id"]),
                code=1)
    assert again["error"] == "err.quarantine_released"
    report = run(capsys, db_url, "report", "sales", "--day", "2026-11-27", "--store", "1")
    assert report["receipts"] >= 2 and report["receipts_total"] >= 2003
    assert report["vat"]["A"]["gross"] == report["receipts_total"]
    assert report["payments"]["cash"] == report["receipts_total"]
    store2 = run(capsys, db_url, "report", "sales", "--day", "2026-11-27", "--store", "2")
    assert store2["receipts"] == 1 and store2["receipts_total"] == 500


def test_company_data(capsys, db_url: str) -> None:
    result = run(capsys, db_url, "company", "set", "--nip", "PL 526-104-57-31",
                 "--address", "ul. Nowa 1, Warszawa")
    assert (result["nip"], result["address"]) == ("5261045731", "ul. Nowa 1, Warszawa")
    assert run(capsys, db_url, "company", "set", "--nip", "123", code=1)["error"] == \
        "err.nip_invalid"


def test_payment_methods_and_discounts(capsys, db_url: str) -> None:
    methods = run(capsys, db_url, "payment-method", "add", "blik", "--name", "BLIK",
                  "--kind", "other", "--position", "5")
    assert methods[-1]["code"] == "blik"
    methods = run(capsys, db_url, "payment-method", "update", "blik", "--position", "0",
                  "--inactive")
    assert methods[0]["code"] == "blik" and methods[0]["active"] is False
    assert run(capsys, db_url, "payment-method", "update", "czek", "--active",
               code=1)["error"] == "err.payment_method_unknown"
    added = run(capsys, db_url, "discount", "add", "--name", "Rabat 15%", "--percent", "15",
                "--scope", "receipt")
    listed = {d["id"]: d for d in run(capsys, db_url, "discount", "list")}
    assert listed[added["discount_id"]]["value"] == 1500
    run(capsys, db_url, "discount", "delete", str(added["discount_id"]))
    assert added["discount_id"] not in {d["id"] for d in run(capsys, db_url, "discount", "list")}


def test_db_option_is_accepted_after_the_subcommand(capsys, db_url: str) -> None:
    capsys.readouterr()
    assert main(["store", "list", "--db", db_url, "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_text_output_and_uninitialised_database(capsys, tmp_path: Path, db_url: str) -> None:
    # Self-contained under xdist: the terminal list has a row whichever tests ran before.
    assert main(["--db", db_url, "terminal", "add", "--store", "1"]) == 0
    capsys.readouterr()
    assert main(["--db", db_url, "terminal", "list"]) == 0
    assert "last_seen" in capsys.readouterr().out.splitlines()[0]
    empty = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert main(["--db", empty, "product", "list"]) == 2
    assert "init" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["--db", db_url, "product", "add", "--plu", "1"])
    assert info.value.code == 2


def test_default_database_and_secret_live_in_user_dirs(tmp_path: Path, monkeypatch,
                                                        capsys) -> None:
    monkeypatch.delenv(SECRET_ENV)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert main(["init", "--company", "Domyślna"]) == 0
    database = tmp_path / "data" / "ipos-backoffice" / "backoffice.sqlite3"
    secret = tmp_path / "config" / "ipos-backoffice" / "secret.key"
    assert database.exists()
    assert secret.stat().st_mode & 0o777 == 0o600
    assert main(["user", "add", "--identifier", "7", "--name", "Ala", "--pin", "2468"]) == 0
    again = BackOffice(open_database(f"sqlite:///{database}"),
                       secret.read_text().strip().encode())
    assert again.verify_user_pin("7", "2468")
    capsys.readouterr()


def test_unit_add_rename_list(capsys, db_url: str) -> None:
    added = run(capsys, db_url, "unit", "add", "opak.", "--precision", "0")
    assert added["name"] == "opak."
    units = {u["name"]: u for u in run(capsys, db_url, "unit", "list")}
    assert units["opak."]["precision"] == 0 and not units["opak."]["builtin"]
    assert "kg" in units and units["kg"]["builtin"]
    assert run(capsys, db_url, "unit", "add", "opak.", code=1)["error"] == "err.unit_taken"
    run(capsys, db_url, "unit", "rename", "opak.", "op.")
    names = {u["name"] for u in run(capsys, db_url, "unit", "list")}
    assert "op." in names and "opak." not in names
    assert run(capsys, db_url, "unit", "rename", "kg", "kilo", code=1)["error"] == \
        "err.unit_builtin"
    assert run(capsys, db_url, "unit", "rename", "nic", "x", code=1)["error"] == \
        "err.unit_unknown"


def test_category_update_and_delete(capsys, db_url: str) -> None:
    top = run(capsys, db_url, "category", "add", "Chemia CLI")["category_id"]
    child = run(capsys, db_url, "category", "add", "Proszki CLI", "--parent", str(top))[
        "category_id"]
    updated = run(capsys, db_url, "category", "update", str(child), "--name", "Proszki")
    assert updated == {"id": child, "name": "Proszki", "parent_id": top}
    assert run(capsys, db_url, "category", "update", str(child), "--no-parent")[
        "parent_id"] is None
    assert run(capsys, db_url, "category", "update", str(top), "--name", "Proszki",
               code=1)["error"]
    product = run(capsys, db_url, "product", "add", "--name", "Proszek CLI", "--plu", "7301",
                  "--vat", "A", "--category", str(top))
    assert product
    run(capsys, db_url, "category", "delete", str(top))
    assert top not in {c["id"] for c in run(capsys, db_url, "category", "list")}
    listed = {p["plu"]: p for p in run(capsys, db_url, "product", "list", "--search", "Proszek CLI")}
    assert listed["7301"]["category_id"] is None
    assert run(capsys, db_url, "category", "delete", str(top), code=1)["error"]


def test_terminal_rename(capsys, db_url: str) -> None:
    terminal = run(capsys, db_url, "terminal", "add", "--store", "1")["terminal_id"]
    assert run(capsys, db_url, "terminal", "rename", str(terminal), "Kasa przy wejściu") == \
        {"terminal_id": terminal, "name": "Kasa przy wejściu"}
    names = {r["id"]: r["name"] for r in run(capsys, db_url, "terminal", "list")}
    assert names[terminal] == "Kasa przy wejściu"
    assert run(capsys, db_url, "terminal", "rename", str(terminal), " ", code=1)["error"] == \
        "err.terminal_name_required"
    assert run(capsys, db_url, "terminal", "rename", "999", "X", code=1)["error"]


@pytest.mark.parametrize("url", ["shop.sqlite3", "/var/lib/ipos/shop.sqlite3", "mysql://u@h/db",
                                 "sqlite3:///shop.db", ""])
def test_a_db_that_is_not_a_database_url_is_refused_in_words(
        url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """``--db`` given a bare path, another database's URL or a typo: exit 2 with what to
    type instead (it was a traceback from peewee's URL parser); nothing is created."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LC_ALL", "pl_PL.UTF-8")
    assert main(["--db", url, "init"]) == 2
    err = capsys.readouterr().err
    assert f"--db: „{url}” nie jest adresem bazy zaplecza" in err
    assert "sqlite:///" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
