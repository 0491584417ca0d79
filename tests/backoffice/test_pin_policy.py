"""Issue 15, item 2: PINs of 4–8 digits; who may give free discounts or change prices
needs 6–8 unless the owner allows shorter ones (setting short_pins_privileged); the
PIN key rotation from the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ipos_tui.backoffice.cli import main
from ipos_tui.backoffice.db import open_database
from ipos_tui.backoffice.security import SECRET_ENV
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.domain.errors import DomainError
from office_db import OfficeBackend


@pytest.fixture
def office(tmp_path: Path, office_backend: OfficeBackend) -> BackOffice:
    office = BackOffice(open_database(office_backend.url(tmp_path / 'o.sqlite3')), b"pepper")
    office.init_schema()
    office.create_company("Sklep")
    return office


def test_service_refuses_short_pins_for_privileged_staff(office: BackOffice) -> None:
    with pytest.raises(DomainError) as short:
        office.add_user("1", "Kierownik", "1234", "manager", ["free_discount"])
    assert short.value.key == "err.pin_short_privileged"
    with pytest.raises(DomainError) as long:
        office.add_user("1", "Kierownik", "123456789", "manager", ["free_discount"])
    assert long.value.key == "err.pin_invalid"
    office.add_user("1", "Kierownik", "12345678", "manager", ["free_discount"])
    assert office.verify_user_pin("1", "12345678")
    office.add_user("2", "Kasjer", "1234")  # no privilege: 4 digits are fine
    with pytest.raises(DomainError) as grant:  # granting it with a 4-digit PIN
        office.update_user("2", permissions=["price_change"])
    assert grant.value.key == "err.pin_short_privileged"
    office.update_user("2", pin="123456", permissions=["price_change"])
    office.set_setting("short_pins_privileged", True)
    office.add_user("3", "Zastępca", "4321", "manager", ["price_change"])
    assert office.verify_user_pin("3", "4321")


def test_cli_refuses_a_short_privileged_pin_and_rotates_the_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(SECRET_ENV, "policy-secret")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert main(["--db", url, "init", "--company", "Sklep"]) == 0
    assert main(["--db", url, "user", "add", "--identifier", "7", "--name", "Ewa",
                 "--pin", "1234", "--permissions", "free_discount"]) == 1
    assert "at least 6 digits" in capsys.readouterr().err
    assert main(["--db", url, "user", "add", "--identifier", "7", "--name", "Ewa",
                 "--pin", "123456", "--permissions", "free_discount"]) == 0
    capsys.readouterr()
    assert main(["--db", url, "user", "rotate-pin-key", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result == {"pin_key_version": 1, "old_key_pins": ["7"]}
    office = BackOffice(open_database(url), b"policy-secret")
    assert office.verify_user_pin("7", "123456")  # still verifies after the rotation
