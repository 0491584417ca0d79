"""The whole update with real wheels, real pip and a real back office.

The project is built twice more from a copy of this source tree with bumped
versions (and once as a broken release whose login screen cannot open). The
terminal is a throwaway venv holding the current version; its dependencies are
the development environment's, linked in without the app (so nothing touches the
network and the dev install is never modified). The newer release is published
with its dependency wheelhouse, downloaded and staged by the terminal, installed
by the day-close installer (``install_staged`` run by the venv's own Python:
backup, pip --no-index, health check, exec of the new ``ipos-tui``), and the
terminal then reports the new version — to us and to the back office — with its
ledger intact. The broken release is rolled back to the working one.
"""

from __future__ import annotations

import os
import re
import shutil
import site
import subprocess
import sys
import tomllib
from datetime import datetime
from importlib.metadata import distribution
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from ipos_tui.backoffice.releases import publish
from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine
from ipos_tui.store.db import open_terminal
from ipos_tui.updates.paths import UpdatePaths, read_json
from ipos_tui.updates.wheelpack import repack

from update_support import running_shop

ROOT = Path(__file__).resolve().parents[2]
BROKEN_LOGIN = '''

def _broken_release(self):  # appended by the update test: this release cannot log in
    raise RuntimeError("broken release")


LoginScreen.compose_body = _broken_release
'''


def project_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]


def bumped(version: str, minor: int) -> str:
    major, rest = version.split(".", 1)
    return f"{major}.{int(rest.split('.')[0]) + minor}.0"


def build_wheel(version: str, work: Path, *, broken: bool = False) -> Path:
    """A wheel of this source tree as ``version`` (pip wheel, no network)."""
    source = work / f"src-{version}"
    shutil.copytree(ROOT / "ipos_tui", source / "ipos_tui",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copytree(ROOT / "styles", source / "styles")
    shutil.copy2(ROOT / "README.md", source / "README.md")
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    text = re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', text, count=1)
    (source / "pyproject.toml").write_text(text, "utf-8")
    if broken:
        with open(source / "ipos_tui" / "ui" / "screens" / "login.py", "a", encoding="utf-8") as f:
            f.write(BROKEN_LOGIN)
    out = work / "dist"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(out), str(source)], cwd=work)
    (wheel,) = out.glob(f"ipos_tui-{version}-*.whl")
    return wheel


def dependency_wheels(out: Path) -> Path:
    """Wheels of every runtime dependency of ipos-tui (extras included), packed from
    this environment."""
    seen: set[tuple[str, str]] = set()
    todo = [(str(r), "") for r in distribution("ipos-tui").requires or []]
    while todo:
        text, extra = todo.pop()
        requirement = Requirement(text)
        if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = requirement.name.lower().replace("_", "-")
        for wanted in ["", *sorted(requirement.extras)]:
            if (name, wanted) in seen:
                continue
            if not any(n == name for n, _ in seen):
                repack(name, out)
            seen.add((name, wanted))
            todo.extend((str(r), wanted) for r in distribution(name).requires or [])
    return out


def terminal_venv(work: Path) -> Path:
    """A venv without the app whose other packages come from this environment."""
    venv = work / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=work)
    linked = work / "dev-site-packages"
    linked.mkdir()
    for folder in site.getsitepackages():
        for entry in Path(folder).iterdir():
            name = entry.name
            if name.endswith(".pth") or name == "__pycache__" or \
                    name.lower().startswith(("ipos_tui", "_ipos_tui", "__editable__")):
                continue
            if not (linked / name).exists():
                (linked / name).symlink_to(entry)
    (purelib,) = venv.glob("lib/python*/site-packages")
    (purelib / "zz_dev_dependencies.pth").write_text(f"{linked}\n", "utf-8")
    return venv / "bin" / "python"


def run(command: list[str], *, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_INDEX_URL")}
    env["PIP_NO_INDEX"] = "1"  # belt and braces: nothing here may reach the network
    env["HOME"] = str(cwd / "home")  # a default data dir, if ever used, is a throwaway
    env.pop("XDG_DATA_HOME", None)
    env["LC_ALL"] = "pl_PL.UTF-8"  # the command line speaks the locale's language; read Polish
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    if check and done.returncode != 0:
        pytest.fail(f"{command[:4]} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def installed(python: Path, work: Path) -> str:
    return run([str(python), "-P", "-c", "import ipos_tui; print(ipos_tui.__version__, "
                "ipos_tui.__file__)"], cwd=work).stdout.strip()


INSTALL = ("import sys; from pathlib import Path; from ipos_tui.updates.install import "
           "install_staged; sys.exit(install_staged(Path(sys.argv[1]), argv=['--version']))")


def sell_one(terminal) -> str:  # type: ignore[no-untyped-def]
    product = terminal.catalog.find_by_code("1")
    receipt = Receipt()
    receipt.add_line(ReceiptLine(plu=product.plu, name=product.name, unit=product.unit,
                                 precision=product.precision, unit_price=product.price,
                                 qty=1000, vat_letter=product.vat_letter,
                                 product_id=product.id))
    now = datetime.now().astimezone()
    cashier = terminal.auth.login("1001", "1111", now)
    return terminal.ledger.commit_receipt(receipt, [Payment("gotowka", "gotówka", receipt.total)],
                                          cashier=cashier, now=now).uuid


def ledger(data_dir: Path) -> list[tuple[str, int]]:
    with open_terminal(data_dir) as terminal:
        return [(d.uuid, d.number) for d in terminal.ledger.list_documents()]


def test_update_installs_at_day_close_and_a_broken_one_rolls_back(
        tmp_path: Path, demo_dir: Path) -> None:
    current = project_version()
    newer, broken = bumped(current, 1), bumped(current, 2)
    work = tmp_path / "work"
    work.mkdir()
    old_wheel = build_wheel(current, work)
    new_wheel = build_wheel(newer, work)
    broken_wheel = build_wheel(broken, work, broken=True)
    deps = dependency_wheels(work / "deps")
    python = terminal_venv(work)
    run([str(python), "-P", "-m", "pip", "install", "--no-deps", "--no-index", "-q",
         str(old_wheel)], cwd=work)
    assert installed(python, work).startswith(f"{current} {work / 'venv'}")

    with running_shop(tmp_path / "shop", terminal_dir=demo_dir) as shop:
        sold = sell_one(shop.terminal)
        before = ledger_rows = [(d.uuid, d.number) for d in shop.terminal.ledger.list_documents()]
        assert sold in {uuid for uuid, _ in ledger_rows}
        publish(shop.store, new_wheel, Path(shop.key["private_key"]), wheelhouse_from=deps)
        with shop.updater(current=current) as updater:
            staged = updater.download_and_stage(updater.check())
        assert staged.version == newer and len(staged.wheels) > 20  # app + dependencies
        shop.terminal.close()  # the app has exited after the day close

        done = run([str(python), "-P", "-c", INSTALL, str(demo_dir)], cwd=work, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"ipos-tui {newer}" in done.stdout  # the exec'd new app said its version
        assert installed(python, work).startswith(newer)
        assert ledger(demo_dir) == before
        journal = read_json(UpdatePaths(demo_dir).journal)
        assert journal["outcome"] == "installed" and journal["to"] == newer
        check = run([str(python), "-P", "-m", "ipos_tui.cli", "update", "check",
                     "--data-dir", str(demo_dir)], cwd=work)
        assert f"Zainstalowana wersja: {newer}" in check.stdout
        assert f"Masz najnowszą wersję ({newer})" in check.stdout
        assert shop.office.list_terminals()[0]["app_version"] == newer

        publish(shop.store, broken_wheel, Path(shop.key["private_key"]), wheelhouse_from=deps)
        with open_terminal(demo_dir) as terminal:
            shop.terminal = terminal
            with shop.updater(current=newer) as updater:
                updater.download_and_stage(updater.check())
        done = run([str(python), "-P", "-c", INSTALL, str(demo_dir)], cwd=work, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"ipos-tui {newer}" in done.stdout  # the working version was exec'd again
        assert installed(python, work).startswith(newer)
        journal = read_json(UpdatePaths(demo_dir).journal)
        assert (journal["outcome"], journal["reason"], journal["database"]) == (
            "rolled_back", "health_check", "restored")
        assert "broken release" in journal["output"]
        assert ledger(demo_dir) == before
        healthy = run([str(python), "-P", "-m", "ipos_tui.cli", "update", "health-check",
                       "--data-dir", str(demo_dir), "--expect-version", newer], cwd=work)
        assert healthy.returncode == 0
