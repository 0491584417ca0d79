"""``POST /activate``: a terminal trades its one-time code for its identity and token."""

from __future__ import annotations

from pydantic import Field

from ipos_tui.protocol.base import Id32, WireModel


class ActivateRequest(WireModel):
    """``POST /activate``: the one-time code shown by ``terminal add`` and a device name.

    ``terminal_id``: sent by a till that holds unsent documents, naming the terminal it
    is: a code of another terminal is then refused (``activation_other_terminal``, 409)
    before it is used up, so the till it was made for can still use it. Left out (a
    new till, or one free to move), any terminal's code is taken. Optional both ways:
    an older back office ignores it (and the till refuses after the answer, as before)."""

    code: str = Field(min_length=1, max_length=64)
    name: str = Field(default="", max_length=80)
    terminal_id: Id32 | None = None


class ActivateResponse(WireModel):
    """Identity of the activated terminal. ``numbers`` maps a document type to the last
    number the back office accepted from this terminal, so numbering continues after a
    re-activation (new disk, revoked token)."""

    terminal_id: int
    store_id: int
    token: str
    numbers: dict[str, int] = Field(default_factory=dict)
