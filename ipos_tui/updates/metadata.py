"""Verifying signed release metadata on the terminal (the back office signs it in
:mod:`ipos_tui.backoffice.releases`).

The signature covers the canonical JSON of the metadata object exactly as sent
(:func:`ipos_tui.protocol.canonical_json`). Verification goes from what proves
nothing to what proves everything: the envelope's shape, then the key (must be one
the terminal already trusts), then the signature over the received bytes, and only
then the signed fields (channel, expiry, version).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from ipos_tui.domain.errors import DomainError
from ipos_tui.protocol import ReleaseMetadata, SignedRelease, canonical_json
from ipos_tui.updates.keys import TrustedKey
from ipos_tui.updates.version import parse_version


def verify_signed(
    signed: Any,
    trusted: Mapping[str, TrustedKey],
    *,
    channel: str,
    now: datetime | None = None,
) -> ReleaseMetadata:
    """The metadata of ``signed`` once its signature, channel and expiry check out.

    Refusals (``DomainError``): ``update.err_bad_metadata`` (shape),
    ``update.err_unknown_key`` (no trusted key with that id),
    ``update.err_signature`` (signature does not match), ``update.err_channel``,
    ``update.err_expired``, ``update.err_version_invalid``. The version comparison
    with the installed app is the caller's (:func:`check_newer`).
    """
    try:
        envelope = SignedRelease.model_validate(signed)
        signature = base64.b64decode(envelope.signature, validate=True)
    except (ValidationError, ValueError, binascii.Error) as exc:
        raise DomainError("update.err_bad_metadata", detail=_short(exc)) from None
    key = trusted.get(envelope.key_id)
    if key is None:
        raise DomainError("update.err_unknown_key", key_id=envelope.key_id)
    if not key.verify(signature, canonical_json(envelope.metadata)):
        raise DomainError("update.err_signature", key_id=envelope.key_id)
    try:
        metadata = ReleaseMetadata.model_validate(envelope.metadata)
    except ValidationError as exc:
        raise DomainError("update.err_bad_metadata", detail=_short(exc)) from None
    parse_version(metadata.version)
    if metadata.package != "ipos-tui":
        raise DomainError("update.err_bad_metadata", detail=f"package {metadata.package}")
    if metadata.channel != channel:
        raise DomainError("update.err_channel", channel=metadata.channel, expected=channel)
    moment = now or datetime.now(UTC)
    expires = metadata.expires if metadata.expires.tzinfo else metadata.expires.replace(tzinfo=UTC)
    if expires <= moment:
        raise DomainError("update.err_expired", version=metadata.version,
                          expires=expires.strftime("%Y-%m-%d %H:%M UTC"))
    return metadata


def check_newer(version: str, current: str) -> None:
    """Refuse a version that is not strictly newer than the installed one.

    ``update.err_same_version`` for the installed version itself,
    ``update.err_downgrade`` for an older one.
    """
    candidate, installed = parse_version(version), parse_version(current)
    if candidate == installed:
        raise DomainError("update.err_same_version", version=version)
    if candidate < installed:
        raise DomainError("update.err_downgrade", version=version, current=current)


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
