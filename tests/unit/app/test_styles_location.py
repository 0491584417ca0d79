"""The stylesheets load from an editable install (the source tree) and from a built
wheel, where hatchling force-includes the top-level styles/ as ipos_tui/styles."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from ipos_tui.ui.resources import styles_dir

ROOT = Path(__file__).resolve().parents[3]


def test_styles_found_next_to_the_package_in_a_source_tree() -> None:
    found = styles_dir()
    assert found == ROOT / "styles"
    assert (found / "app.tcss").is_file()


def test_styles_missing_everywhere_is_a_clear_error(tmp_path: Path) -> None:
    package = tmp_path / "ipos_tui"
    package.mkdir()
    try:
        styles_dir(package)
    except FileNotFoundError as error:
        assert "app.tcss" in str(error)
    else:
        raise AssertionError("styles_dir found styles where there are none")


def test_styles_load_from_an_installed_wheel(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("ipos_tui-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert "ipos_tui/styles/app.tcss" in archive.namelist()
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        timeout=300,
    )
    code = "from ipos_tui.ui.resources import styles_dir; print(styles_dir())"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()) == target / "ipos_tui" / "styles"
