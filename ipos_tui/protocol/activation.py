"""``POST /activate``: a terminal trades its one-time code for its identity and token."""

from __future__ import annotations

from pydantic import Field

from ipos_tui.protocol.base import WireModel


class ActivateRequest(WireModel):
    """``POST /activate``: the one-time code shown by ``terminal add`` and a device name."""

    code: str = Field(min_length=1, max_length=64)
    name: str = Field(default="", max_length=80)


class ActivateResponse(WireModel):
    """Identity of the activated terminal. ``numbers`` maps a document type to the last
    number the back office accepted from this terminal, so numbering continues after a
    re-activation (new disk, revoked token)."""

    terminal_id: int
    store_id: int
    token: str
    numbers: dict[str, int] = Field(default_factory=dict)
