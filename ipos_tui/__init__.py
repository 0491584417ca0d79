"""iPOS duet terminal (ipos-tui) and its back office (ipos-backoffice)."""

from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("ipos-tui")
except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0.0.0"
