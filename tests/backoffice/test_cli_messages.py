"""``ipos-backoffice`` speaks Polish under a Polish locale and English otherwise, in
readable sentences: never a message key (``err.money_invalid``) on the screen.

Inputs tried: a price "abc", an unknown product, a missing required option, an
unknown subcommand, ``--help`` of the program and of a subcommand, under LC_ALL,
LC_MESSAGES and LANG set in each order; and every message key the back office and
the domain can raise.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from office_db import OfficeBackend

from ipos_tui.backoffice.cli import main, message
from ipos_tui.backoffice.security import SECRET_ENV
from ipos_tui.i18n import LANGUAGES, catalogue, has_key, set_language
from ipos_tui.i18n.cli import cli_texts, locale_language

PACKAGE = Path(__file__).resolve().parents[2] / "ipos_tui"
POLISH = {"LC_ALL": "pl_PL.UTF-8"}
ENGLISH = {"LC_ALL": "C.UTF-8"}


@pytest.fixture(scope="module")
def db_url(office_backend: OfficeBackend, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = office_backend.url(tmp_path_factory.mktemp('cli-messages') / 'bo.sqlite3')
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SECRET_ENV, "cli-test-secret")
        assert main(["--db", url, "init", "--demo"]) == 0
    return url


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "cli-test-secret")
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: dict[str, str],
        *argv: str) -> tuple[int, str, str]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("env", "expected"), [
    ({"LC_ALL": "pl_PL.UTF-8"}, "pl"),
    ({"LC_ALL": "pl_PL.UTF-8", "LANG": "en_US.UTF-8"}, "pl"),
    ({"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "pl_PL.UTF-8", "LANG": "pl_PL.UTF-8"}, "en"),
    ({"LC_MESSAGES": "pl_PL", "LANG": "en_US.UTF-8"}, "pl"),
    ({"LC_MESSAGES": "C", "LANG": "pl_PL.UTF-8"}, "en"),
    ({"LANG": "pl_PL.UTF-8"}, "pl"),
    ({"LANG": "pl"}, "pl"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LC_ALL": "", "LANG": "pl_PL.UTF-8"}, "pl"),  # an empty variable does not count
    ({}, "en"),
])
def test_the_locale_decides_the_language(env: dict[str, str], expected: str) -> None:
    assert locale_language(env) == expected


def test_a_bad_price_is_a_sentence_in_the_locale_language(monkeypatch, capsys,
                                                          db_url: str) -> None:
    args = ("--db", db_url, "price", "set", "--plu", "1", "--price", "abc", "--list", "1")
    code, _out, err = run(monkeypatch, capsys, POLISH, *args)
    assert code == 1
    assert err.strip() == ("ipos-backoffice: Nieprawidłowa kwota: „abc”. Podaj kwotę w "
                           "złotych z przecinkiem, np. 3,79 albo 379,00 (najwyżej 999 999,99).")
    code, _out, err = run(monkeypatch, capsys, ENGLISH, *args)
    assert code == 1
    assert "Invalid amount: “abc”" in err and "e.g. 3,79 or 379.00" in err
    assert "err." not in err and "text=" not in err
    # --json keeps the key for scripts and adds the sentence
    code, out, _err = run(monkeypatch, capsys, POLISH, *args, "--json")
    assert '"error": "err.money_invalid"' in out and "Nieprawidłowa kwota" in out


def test_lc_messages_speaks_when_lc_all_is_unset(monkeypatch, capsys, db_url: str) -> None:
    code, _out, err = run(monkeypatch, capsys, {"LC_MESSAGES": "pl_PL.UTF-8", "LANG": "C"},
                          "--db", db_url, "product", "delete", "999999")
    assert code == 1
    assert err.strip() == "ipos-backoffice: Nie ma produktu 999999."


def test_help_is_in_the_locale_language(monkeypatch, capsys) -> None:
    with pytest.raises(SystemExit) as done:
        run(monkeypatch, capsys, POLISH, "--help")
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("użycie: ipos-backoffice")
    assert "opcje:" in out and "pokaż tę pomoc i zakończ" in out
    assert "Zaplecze iPOS" in out and "ustaw cenę" not in out  # top level lists groups
    assert "usage:" not in out and "show this help" not in out

    with pytest.raises(SystemExit):
        run(monkeypatch, capsys, POLISH, "price", "set", "--help")
    out = capsys.readouterr().out
    assert "--price CENA" in out and "--list CENNIK" in out
    assert "cena brutto w złotych z przecinkiem, np. 3,79 albo 379,00" in out
    assert "-y, --yes" in out

    with pytest.raises(SystemExit):
        run(monkeypatch, capsys, ENGLISH, "price", "set", "--help")
    out = capsys.readouterr().out
    assert out.startswith("usage: ipos-backoffice price set")
    assert "--price PRICE" in out and "gross price in złoty with a decimal separator" in out


def test_usage_errors_are_in_the_locale_language(monkeypatch, capsys, db_url: str) -> None:
    with pytest.raises(SystemExit) as done:
        run(monkeypatch, capsys, POLISH, "--db", db_url, "price", "set", "--price", "3,79")
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "błąd: brakuje wymaganych argumentów: --plu" in err
    with pytest.raises(SystemExit):
        run(monkeypatch, capsys, POLISH, "--db", db_url, "cennik")
    assert "nieprawidłowa wartość: 'cennik' (do wyboru:" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run(monkeypatch, capsys, POLISH, "--db", db_url, "terminal", "revoke", "pierwszy")
    assert "„pierwszy” nie jest liczbą" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run(monkeypatch, capsys, ENGLISH, "--db", db_url, "price", "set", "--price", "3,79")
    assert "error: the following arguments are required: --plu" in capsys.readouterr().err


def test_tables_have_headers_in_the_locale_language(monkeypatch, capsys, db_url: str) -> None:
    assert main(["--db", db_url, "terminal", "add", "--store", "1"]) == 0
    code, out, _err = run(monkeypatch, capsys, POLISH, "--db", db_url, "terminal", "list")
    assert code == 0
    header = out.splitlines()[0].split()
    assert header[:3] == ["nr", "sklep", "nazwa"] and "niewysłane" in header
    code, out, _err = run(monkeypatch, capsys, POLISH, "--db", db_url, "payment-method",
                          "list")
    assert out.splitlines()[0].split()[:3] == ["kod", "nazwa", "rodzaj"]
    assert "gotówka" in out and " tak " in out  # booleans read tak/nie
    code, out, _err = run(monkeypatch, capsys, ENGLISH, "--db", db_url, "terminal", "list")
    assert "unsent" in out.splitlines()[0].split()


def test_the_language_is_restored_after_a_run(monkeypatch, capsys, db_url: str) -> None:
    """In-process callers (tests, the demo) keep their language."""
    set_language("pl")
    run(monkeypatch, capsys, ENGLISH, "--db", db_url, "store", "list")
    from ipos_tui.i18n import current_language

    assert current_language() == "pl"


def _keys_raised() -> set[str]:
    """Every message key the back office and the domain put into a DomainError."""
    pattern = re.compile(r"""["']((?:err|update|ret\.err|cli\.err)\.[a-z_]+)["']""")
    keys: set[str] = set()
    for folder in ("backoffice", "domain"):
        for path in (PACKAGE / folder).rglob("*.py"):
            keys.update(pattern.findall(path.read_text("utf-8")))
    return keys


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_error_the_back_office_raises_reads_as_a_sentence(language: str) -> None:
    keys = _keys_raised()
    assert {"err.money_invalid", "err.plu_taken", "err.csv_header",
            "update.err_key_exists", "err.name_repeated"} <= keys  # the scan works
    keys.discard("err.import_failed")  # listed row by row (test_cli.py)
    missing = sorted(k for k in keys if not (has_key(f"cli.{k}") or has_key(k)))
    assert not missing, f"no readable text for {missing}"
    with cli_texts(language):
        for key in keys:
            text = message(key, {})
            assert key not in text and "err." not in text, (key, text)


def test_cli_texts_exist_in_both_catalogues() -> None:
    from ipos_tui.backoffice.cli.commands import OneOf
    from ipos_tui.backoffice.cli.table import COMMANDS, GROUPS

    sources = [*sorted((PACKAGE / "backoffice" / "cli").glob("*.py")), PACKAGE / "i18n" / "cli.py"]
    used = set(re.findall(r"""["'](cli\.[a-z_.]+[a-z_])["']""",
                          "".join(path.read_text("utf-8") for path in sources)))

    def key(text: object, prefix: str) -> None:
        if isinstance(text, str):  # a function (a composed help) names its keys in the source
            used.add(text if "." in text else prefix + text)

    for command in COMMANDS:
        key(command.help, "cli.bo.h.")
        key(command.epilog, "cli.bo.h.")
        for item in command.args:
            for arg in item.args if isinstance(item, OneOf) else (item,):
                key(arg.help, "cli.bo.h.")
                key(arg.metavar, "cli.mv.")
    for text in GROUPS.values():
        key(text, "cli.bo.h.")
    used |= {"cli.bo.h.settings", "cli.bo.h.permissions"}  # composed with their lists
    for language in LANGUAGES:
        missing = sorted(k for k in used if k.count(".") > 1 and k not in catalogue(language))
        assert not missing, (language, missing)


def test_import_unsent_refuses_a_bad_file_in_words_and_takes_nothing_in(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_url: str,
        tmp_path: Path) -> None:
    """``transactions import-unsent``: a line that is not JSON, a file that is not
    UTF-8 text, a missing file and an unknown till are each refused with a sentence
    (exit 1 or 2), and nothing is stored from the file with the bad line."""
    uuid = "7d6f3f0e-0000-4000-8000-000000000001"
    bad = tmp_path / "bad.jsonl"
    bad.write_text(f'{{"uuid": "{uuid}", "type": "receipt"}}\n{{not json\n', encoding="utf-8")
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00junk")
    command = ("--db", db_url, "transactions", "import-unsent", "--terminal")
    code, _, err = run(monkeypatch, capsys, POLISH, *command, "1", str(bad))
    assert code == 1 and "Wiersz 2 pliku nie jest dokumentem" in err
    code, _, err = run(monkeypatch, capsys, ENGLISH, *command, "1", str(binary))
    assert code == 2 and "not UTF-8 text" in err
    code, _, err = run(monkeypatch, capsys, POLISH, *command, "1", str(tmp_path / "none"))
    assert code != 0 and "none" in err and "Traceback" not in err
    good = tmp_path / "good.jsonl"
    good.write_text(f'{{"uuid": "{uuid}", "type": "receipt"}}\n', encoding="utf-8")
    code, _, err = run(monkeypatch, capsys, POLISH, *command, "999", str(good))
    assert code == 1 and "Nie ma kasy 999" in err
    code, out, _ = run(monkeypatch, capsys, ENGLISH, "--db", db_url, "transactions", "list",
                       "--json")
    assert code == 0 and uuid not in out
