"""The body of every 4xx answer."""

from __future__ import annotations

from pydantic import Field

from ipos_tui.protocol.base import WireModel


class ErrorDetail(WireModel):
    loc: list[str | int] = Field(default_factory=list)
    msg: str
    type: str


class ErrorResponse(WireModel):
    """Body of every 4xx answer: ``error`` is a stable machine-readable code (the key
    the terminal translates into its own catalogue's text, e.g. "activation_code_used"),
    ``message`` the same in readable English (for logs, curl and admins), ``details``
    what failed validation."""

    error: str
    message: str
    details: list[ErrorDetail] | None = None
