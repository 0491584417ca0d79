"""Where the stylesheets live, installed or in a source tree."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def styles_dir(package_dir: Path = _PACKAGE_DIR) -> Path:
    """The ``styles`` directory: inside the package in a wheel, beside it otherwise.

    The wheel force-includes the top-level ``styles/`` as ``ipos_tui/styles``; an
    editable install or a source checkout imports ``ipos_tui`` from the tree, where the
    directory sits next to the package instead.
    """
    for candidate in (package_dir / "styles", package_dir.parent / "styles"):
        if (candidate / "app.tcss").is_file():
            return candidate
    raise FileNotFoundError(f"no styles/app.tcss in or next to {package_dir}")
