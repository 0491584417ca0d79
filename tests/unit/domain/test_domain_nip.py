"""The NIP as printouts and screens show it (domain/nip.py): in groups, and never
an error for something malformed in the catalogue."""

from __future__ import annotations

from ipos_tui.domain.nip import nip_text


def test_a_nip_is_shown_in_groups() -> None:
    assert nip_text("1234563218") == "123-456-32-18"


def test_a_malformed_nip_is_shown_not_refused() -> None:
    assert nip_text("12-34") == "123-4--"
    assert nip_text("") == "---"
