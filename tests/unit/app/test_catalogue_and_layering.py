"""Project-wide rules: both language catalogues carry the same keys, every key the
code asks for exists, and the layering of DESIGN.md holds (import-linter contracts
plus a run-time check that the core never imports Textual)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from ipos_tui.i18n import LANGUAGES, catalogue

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "ipos_tui"

KEY_PATTERN = re.compile(
    r"""["']((?:err|reg|pay|doc|keys|menu|login|info|tx|disc|settings|upload|help|age|receipt|cli|form|service|sync|conn|printer|card|cash|ret|update|report|day)"""
    r"""\.[A-Za-z0-9_.]*[A-Za-z0-9_])["']"""
)


def test_catalogues_have_the_same_keys() -> None:
    polish = set(catalogue("pl"))
    for language in LANGUAGES:
        keys = set(catalogue(language))
        assert keys == polish, f"{language}: missing {sorted(polish - keys)}, extra {sorted(keys - polish)}"


def test_no_catalogue_text_is_empty() -> None:
    for language in LANGUAGES:
        empty = [key for key, text in catalogue(language).items() if not text.strip()]
        assert not empty, f"{language}: empty texts {empty}"


def _keys_used_in_code() -> set[str]:
    used: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if "backoffice" in path.parts or path.stem == "backoffice":
            continue  # the back office (and the demo's seeding of it) answers in machine-readable codes
        used.update(KEY_PATTERN.findall(path.read_text("utf-8")))
    return used


def test_every_key_the_code_uses_is_in_the_catalogue() -> None:
    used = _keys_used_in_code()
    assert len(used) > 100, "the key scan found too little: the pattern is broken"
    missing = sorted(key for key in used if key not in catalogue("pl"))
    assert not missing, f"keys used in code but missing from the catalogue: {missing}"


def test_import_linter_contracts_hold() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("module", ["ipos_tui.domain.receipt", "ipos_tui.store.db", "ipos_tui.devices.printer", "ipos_tui.till.reports", "ipos_tui.protocol"])
def test_core_modules_do_not_load_textual(module: str) -> None:
    code = f"import sys, {module}; bad = [m for m in ('textual', 'rich') if m in sys.modules]; print(bad); sys.exit(bool(bad))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{module} pulls in {result.stdout}{result.stderr}"


def test_keys_built_at_run_time_exist() -> None:
    """Keys the code assembles from a value (f"sync.item.{item}" …) for every value."""
    from ipos_tui.domain.records import DOCUMENT_KINDS, LOGIN_MODES
    from ipos_tui.sync.progress import JOB_ITEMS

    built = [f"sync.state_{state}" for state in ("waiting", "running", "done", "failed")]
    built += [f"sync.item.{item}" for items in JOB_ITEMS.values() for item in items]
    built += [f"login.mode_{mode}" for mode in LOGIN_MODES]
    built += [f"settings.lang_{language}" for language in LANGUAGES]
    built += [f"upload.{state}" for state in ("pending", "sent", "quarantined")]
    built += [f"doc.{kind}" for kind in DOCUMENT_KINDS]
    built += [f"disc.{scope}_{kind}" for scope in ("line", "receipt") for kind in ("amount", "percent")]
    built += [f"disc.predefined_{scope}" for scope in ("line", "receipt")]
    missing = [key for key in built if key not in catalogue("pl")]
    assert not missing, f"run-time keys missing from the catalogue: {missing}"
