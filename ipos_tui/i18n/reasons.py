"""A back office's rejection of an uploaded document, in words (on the till's sync
screen and in iPOS web's Kwarantanna alike)."""

from __future__ import annotations

from . import has_key, t, text_in


def reject_reason_text(reason: str, language: str | None = None) -> str:
    """A back office's rejection code ("other_store", "malformed:lines.0.qty:missing")
    in words (in ``language``, else the till's); a code this till does not know yet
    stays as it came."""
    word, _, detail = reason.partition(":")
    if word == "line_mismatch" and detail.isdigit():
        detail = str(int(detail) + 1)  # the back office counts lines from 0, a cashier from 1
    # the till's own: a document it stopped sending because the back office fails on it
    key = "tillsync.reason_held" if word == "held" else f"upload.reason.{word}"
    if word == "held" and detail == "offline":
        key = "tillsync.reason_held_cut"
    if not has_key(key):
        return reason
    text = t(key, detail=detail) if language is None else text_in(language, key, detail=detail)
    return text if detail else text.replace(" ()", "")
