"""Service-layer rules (PRODUCT.md §7) and change-feed bookkeeping, without HTTP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from backoffice_support import PEPPER, ean13, new_office

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.migrations import LATEST_VERSION, current_version, migrate
from ipos_tui.backoffice.services import BackOffice, TerminalAuth
from ipos_tui.domain.errors import DomainError
from office_db import OfficeBackend


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory, office_backend: OfficeBackend) -> BackOffice:
    office = new_office(office_backend.url(Path(tmp_path_factory.mktemp("svc")) / "svc.sqlite3"))
    office.add_price_list("Podstawowy")
    office.add_store("Sklep", price_list_id=1)
    return office


_counter = iter(range(10_000, 99_999))


def _plu() -> str:
    return str(next(_counter))


def _raises(key: str, call: Callable[[], object]) -> DomainError:
    with pytest.raises(DomainError) as info:
        call()
    assert info.value.key == key, info.value
    return info.value


# ------------------------------------------------------------- product rules


@pytest.mark.parametrize(("name", "key"), [
    ("", "err.name_empty"),
    ("x" * 41, "err.name_too_long"),
    ("Piwo <jasne>", "err.name_chars"),
    ("Sok; jabłkowy", "err.name_chars"),
])
def test_product_name_rules(office: BackOffice, name: str, key: str) -> None:
    _raises(key, lambda: office.add_product(name, _plu(), "A"))


def test_name_with_polish_letters_and_marks_is_fine(office: BackOffice) -> None:
    pid = office.add_product("Żółć gęślą 0,5% 1/2", _plu(), "A")
    assert office.get_product(pid)["name"] == "Żółć gęślą 0,5% 1/2"


def test_names_are_unique_case_insensitively(office: BackOffice) -> None:
    office.add_product("Chleb Wiejski", _plu(), "C")
    error = _raises("err.name_taken", lambda: office.add_product("CHLEB wiejski", _plu(), "C"))
    assert error.params["name"] == "CHLEB wiejski"


@pytest.mark.parametrize("plu", ["0123", "12a", "", "1234567890", "-5"])
def test_plu_rules(office: BackOffice, plu: str) -> None:
    _raises("err.plu_invalid", lambda: office.add_product(f"Produkt plu {plu!r}"[:30]
                                                          .replace("'", "").replace("-", ""),
                                                          plu, "A"))


def test_plu_is_unique(office: BackOffice) -> None:
    plu = _plu()
    office.add_product("Pierwszy z PLU", plu, "A")
    _raises("err.plu_taken", lambda: office.add_product("Drugi z PLU", plu, "A"))
    pid = office.add_product("Trzeci z PLU", _plu(), "A")
    _raises("err.plu_taken", lambda: office.update_product(pid, plu=plu))


def test_barcode_rules(office: BackOffice) -> None:
    _raises("err.barcode_invalid", lambda: office.add_product("Zły EAN", _plu(), "A",
                                                              barcodes=["5901234123458"]))
    _raises("err.barcode_invalid", lambda: office.add_product("Za krótki", _plu(), "A",
                                                              barcodes=["12345"]))
    pid = office.add_product("Kody sklepowe", _plu(), "A",
                             barcodes=["123456", "1234567", "96385074", ean13(77)])
    assert office.get_product(pid)["barcodes"] == ["123456", "1234567", "96385074", ean13(77)]
    _raises("err.barcode_taken", lambda: office.add_product("Cudzy kod", _plu(), "A",
                                                            barcodes=["123456"]))
    _raises("err.barcodes_too_many", lambda: office.add_product(
        "Jedenaście kodów", _plu(), "A", barcodes=[ean13(1000 + i) for i in range(11)]))
    pid = office.add_product("Dziesięć kodów", _plu(), "A",
                             barcodes=[ean13(2000 + i) for i in range(10)])
    _raises("err.barcodes_too_many", lambda: office.add_barcode(pid, ean13(3000)))


def test_update_replaces_barcodes(office: BackOffice) -> None:
    pid = office.add_product("Wymiana kodów", _plu(), "A", barcodes=[ean13(400), ean13(401)])
    office.update_product(pid, barcodes=[ean13(401), ean13(402)])
    assert office.get_product(pid)["barcodes"] == [ean13(401), ean13(402)]


@pytest.mark.parametrize("name", ["kg2", "opak 6", ""])
def test_unit_names_contain_no_digits(office: BackOffice, name: str) -> None:
    with pytest.raises(DomainError) as info:
        office.add_unit(name)
    assert info.value.key in {"err.unit_digits", "err.unit_empty"}


def test_builtin_units_exist_and_product_needs_known_unit(office: BackOffice) -> None:
    assert [u["name"] for u in office.list_units()][:3] == ["szt.", "kg", "g"]
    _raises("err.unit_unknown", lambda: office.add_product("Bez jednostki", _plu(), "A",
                                                           unit="beczka"))


def test_every_product_has_a_known_vat_letter(office: BackOffice) -> None:
    _raises("err.vat_letter", lambda: office.add_product("Bez VAT", _plu(), "F"))
    _raises("err.vat_letter", lambda: office.add_product("Pusty VAT", _plu(), ""))


def test_raising_the_vat_letter_is_refused_lowering_is_fine(office: BackOffice) -> None:
    pid = office.add_product("Schodek", _plu(), "B")
    error = _raises("err.vat_raise", lambda: office.update_product(pid, vat="A"))
    assert (error.params["old"], error.params["new"]) == ("B", "A")
    office.update_product(pid, vat="C")
    office.update_product(pid, vat="E")
    _raises("err.vat_raise", lambda: office.update_product(pid, vat="D"))


def test_prices(office: BackOffice) -> None:
    pid = office.add_product("Z ceną", _plu(), "A", prices={1: 100})
    _raises("err.price_zero", lambda: office.set_price(1, pid, 0))
    _raises("err.price_invalid", lambda: office.set_price(1, pid, -5))
    _raises("err.price_list_unknown", lambda: office.set_price(99, pid, 100))
    open_price = office.add_product("Towar różny test", _plu(), "A", open_price=True,
                                    prices={1: 0})
    assert office.get_product(open_price)["prices"] == {1: 0}


def test_kind_and_categories(office: BackOffice) -> None:
    _raises("err.product_kind_invalid", lambda: office.add_product("Zły typ", _plu(), "A",
                                                                   kind="thing"))
    root = office.add_category("Korzeń")
    child = office.add_category("Liść", root)
    _raises("err.category_cycle", lambda: office.update_category(root, parent_id=child))
    _raises("err.category_unknown", lambda: office.add_category("Sierota", 9999))


def test_deleted_ids_are_never_reused(office: BackOffice) -> None:
    pid = office.add_product("Ulotny", _plu(), "A")
    office.delete_product(pid)
    assert office.add_product("Następca", _plu(), "A") > pid


# ------------------------------------------------------------- users, settings


def test_users_rules_and_pin_hash_with_pepper(office: BackOffice) -> None:
    _raises("err.pin_invalid", lambda: office.add_user("2001", "Ewa", "12"))
    _raises("err.pin_invalid", lambda: office.add_user("2001", "Ewa", "12ab"))
    _raises("err.role_invalid", lambda: office.add_user("2001", "Ewa", "1234", role="boss"))
    _raises("err.permission_unknown",
            lambda: office.add_user("2001", "Ewa", "1234", permissions=["fly"]))
    _raises("err.identifier_invalid", lambda: office.add_user("20 01", "Ewa", "1234"))
    office.add_user("2001", "Ewa", "1234", role="manager", permissions=["returns"])
    _raises("err.identifier_taken", lambda: office.add_user("2001", "Ewa 2", "1234"))
    assert office.verify_user_pin("2001", "1234")
    assert not office.verify_user_pin("2001", "4321")
    stolen = m.User.get(identifier="2001").pin_hash
    assert "1234" not in stolen and stolen.startswith("$argon2id$")
    other_pepper = BackOffice(office.db, b"another-secret")
    assert not other_pepper.verify_user_pin("2001", "1234")
    office.deactivate_user("2001")
    assert not office.verify_user_pin("2001", "1234")
    assert PEPPER  # the module office uses the test pepper


def test_settings_are_checked(office: BackOffice) -> None:
    _raises("err.setting_unknown", lambda: office.set_setting("colour", "red"))
    _raises("err.setting_invalid", lambda: office.set_setting("login_mode", "face"))
    _raises("err.setting_invalid", lambda: office.set_setting("day_close_time", "25:00"))
    _raises("err.setting_invalid", lambda: office.set_setting("cash_management", "yes"))
    _raises("err.setting_invalid", lambda: office.parse_setting("cash_management", "maybe"))
    office.set_setting("day_close_time", "22:30")
    office.set_setting("cash_management", office.parse_setting("cash_management", "tak"))
    assert office.get_settings()["day_close_time"] == "22:30"
    assert office.get_settings()["cash_management"] is True


# ------------------------------------------------------------- terminals, feed


def test_activation_errors(office: BackOffice) -> None:
    _raises("err.activation_code_invalid", lambda: office.activate("nope", ""))
    _, code = office.add_terminal(1, ttl=timedelta(seconds=-1))
    _raises("err.activation_code_expired", lambda: office.activate(code, ""))
    _raises("err.store_unknown", lambda: office.add_terminal(999))


def test_pull_limit_is_capped_and_paging_covers_everything(office: BackOffice) -> None:
    terminal_id, code = office.add_terminal(1)
    token = office.activate(code, "k")["token"]
    auth = office.authenticate(token)
    assert auth == TerminalAuth(terminal_id, 1, 1)
    page = office.pull(auth, "products", 0, limit=10**9)
    assert len(page["changes"]) <= 2000
    _raises("err.stream_unknown", lambda: office.pull(auth, "secrets", 0))


def test_migrations_are_idempotent_and_refuse_a_newer_schema(office: BackOffice) -> None:
    assert current_version(office.db) == LATEST_VERSION
    assert migrate(office.db) == []
    m.SchemaVersion.create(version=LATEST_VERSION + 1)
    try:
        _raises("err.schema_too_new", lambda: migrate(office.db))
    finally:
        m.SchemaVersion.delete().where(m.SchemaVersion.version > LATEST_VERSION).execute()


@pytest.mark.parametrize(("url", "path"), [
    ("sqlite:///shop.db", "shop.db"),
    ("sqlite:////var/lib/ipos/shop.db", "/var/lib/ipos/shop.db"),
    ("sqlite:///:memory:", ":memory:"),
    ("postgresql://u@h/db", None),
])
def test_sqlite_urls(url: str, path: str | None) -> None:
    from ipos_tui.backoffice.db import sqlite_path

    assert sqlite_path(url) == path


def test_a_changed_vat_rate_reaches_the_products_stream(office: BackOffice) -> None:
    terminal_id, code = office.add_terminal(1)
    auth = office.authenticate(office.activate(code, "k")["token"])
    since = office.pull(auth, "products", 0, limit=10**9)["cursor"]
    office.set_vat_rate("C", 0)
    page = office.pull(auth, "products", since, limit=10**9)
    vat = [c for c in page["changes"] if c["type"] == "vat_rate"]
    assert [(c["id"], (c.get("data") or {}).get("rate")) for c in vat] == [("C", 0)]
    _raises("err.vat_letter", lambda: office.set_vat_rate("H", 500))
    _raises("err.vat_rate_invalid", lambda: office.set_vat_rate("C", 10_000))
