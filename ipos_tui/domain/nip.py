"""A NIP (Polish tax number) as a printout or a screen shows it: the one lenient
formatter of the printouts (:mod:`ipos_tui.devices`) and the screens alike."""

from __future__ import annotations

from ipos_tui.domain.validation import format_nip


def nip_text(digits: str) -> str:
    """A NIP as printed ("526-104-57-31"); anything malformed is shown as given
    (a printout or a screen must not fail on a malformed catalogue value)."""
    try:
        return format_nip(digits)
    except ValueError:
        return digits


__all__ = ["nip_text"]
