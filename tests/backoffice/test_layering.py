"""The back office and the wire protocol stay out of the terminal's and the UI's world.

DESIGN.md: backoffice → domain only; protocol imports nothing of ours; nothing but the
UI imports Textual or Rich. Checked statically (every import statement) and at run
time (importing the server and the CLI loads none of them).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "ipos_tui"
FORBIDDEN_FOR_BACKOFFICE = ("textual", "rich", "ipos_tui.ui", "ipos_tui.terminal",
                            "ipos_tui.store", "ipos_tui.devices", "ipos_tui.till",
                            "ipos_tui.sync")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level:
            names.add("<relative>")
    return names


def _hits(names: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names
                  if any(n == f or n.startswith(f + ".") for f in forbidden))


@pytest.mark.parametrize("path", sorted((PACKAGE / "backoffice").rglob("*.py")),
                         ids=lambda p: p.name)
def test_backoffice_imports_only_domain_protocol_and_itself(path: Path) -> None:
    names = _imports(path)
    assert not _hits(names, FORBIDDEN_FOR_BACKOFFICE)
    ours = {n for n in names if n.startswith("ipos_tui")}
    # i18n: the message catalogues (a leaf: imports nothing of ours); the admin CLI
    # speaks the user's language from the same catalogues as the till.
    allowed = ("ipos_tui.backoffice", "ipos_tui.domain", "ipos_tui.protocol",
               "ipos_tui.demo.backoffice", "ipos_tui.demo.catalogue", "ipos_tui.i18n",
               "ipos_tui.fileio")
    assert all(n.startswith(allowed) for n in ours), sorted(ours)


@pytest.mark.parametrize("path", sorted((PACKAGE / "protocol").glob("*.py")),
                         ids=lambda p: p.name)
def test_protocol_imports_nothing_of_ours(path: Path) -> None:
    names = _imports(path)
    assert not [n for n in names if (n.startswith("ipos_tui")
                                     and not n.startswith("ipos_tui.protocol"))
                or n == "<relative>"]


def test_server_and_cli_load_no_ui_or_terminal_modules() -> None:
    code = (
        "import sys, ipos_tui.backoffice.api, ipos_tui.backoffice.cli, "
        "ipos_tui.demo.backoffice, ipos_tui.backoffice.csvio\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich') or "
        "m.startswith(('ipos_tui.ui', 'ipos_tui.terminal', 'ipos_tui.store', "
        "'ipos_tui.devices', 'ipos_tui.till', 'ipos_tui.sync'))]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert out.strip() == "[]"
