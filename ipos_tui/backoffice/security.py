"""Secrets of the back office: terminal tokens, activation codes, PIN hashes.

Tokens and activation codes are random and long enough that a fast hash (SHA-256) is
the right way to store them: the database never holds one that could be replayed.

PINs are 4–8 digits (at least 6 for roles that may give free discounts or change
prices, unless the owner allows shorter ones), brute-forceable offline whatever the KDF, so they are hashed with
a server secret (a pepper kept outside the database: the ``IPOS_BACKOFFICE_SECRET``
environment variable or a 0600 file in the user config directory). Terminals must
verify PINs offline, so each company gets a key derived from the pepper (HMAC), sent
only to its authenticated terminals in the config stream; a stolen database or backup
alone does not reveal PINs. ``pin_hash = argon2id(hex(HMAC-SHA256(company key, PIN)))``.

The key can be rotated (a new version derived from the same pepper): PINs set from then
on use the new key; a hash made with an older key keeps working (tills receive the
older keys still in use) until that member's PIN is next set.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

import platformdirs
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ipos_tui.backoffice.db import APP_NAME

SECRET_ENV = "IPOS_BACKOFFICE_SECRET"
SECRET_FILE = "secret.key"

#: Activation codes are digits (typed on a terminal keypad); 12 of them keep guessing
#: hopeless within a code's lifetime even at thousands of attempts per second.
ACTIVATION_CODE_DIGITS = 12

#: argon2id cost: OWASP's minimum (19 MiB, 2 passes, 1 lane); ~30 ms on the test box.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


def load_pepper(config_dir: Path | None = None) -> bytes:
    """The server secret: from the environment, else from (or newly into) a 0600 file."""
    from_env = os.environ.get(SECRET_ENV)
    if from_env:
        return from_env.encode()
    directory = config_dir or Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    path = directory / SECRET_FILE
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def company_pin_key(pepper: bytes, company_id: int, version: int = 0) -> bytes:
    """Key of one company's PINs (of a key ``version``: 0 is the first, each rotation
    adds one), derived from the pepper (never the pepper itself)."""
    label = f"ipos-pin-key:{company_id}" + (f":v{version}" if version else "")
    return hmac.new(pepper, label.encode(), hashlib.sha256).digest()


def encode_key(key: bytes) -> str:
    return base64.b64encode(key).decode()


def _pin_material(key: bytes, pin: str) -> str:
    return hmac.new(key, pin.encode(), hashlib.sha256).hexdigest()


def hash_pin(key: bytes, pin: str) -> str:
    """argon2id hash (per-hash salt) of the keyed PIN."""
    return _HASHER.hash(_pin_material(key, pin))


def verify_pin(key: bytes, pin_hash: str, pin: str) -> bool:
    try:
        return bool(_HASHER.verify(pin_hash, _pin_material(key, pin)))
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A bearer token for a terminal (256 bits)."""
    return secrets.token_urlsafe(32)


def new_activation_code() -> str:
    """A code the installer types on the terminal (digits only)."""
    return "".join(secrets.choice("0123456789") for _ in range(ACTIVATION_CODE_DIGITS))


def group_code(code: str) -> str:
    """How a code is shown to people: "1234-5678-9012" (dashes are ignored on entry)."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(code: str) -> str:
    """Codes may be typed with spaces or dashes ("12345-67890")."""
    return "".join(ch for ch in code if ch.isalnum())


def digest(secret: str) -> str:
    """SHA-256 hex of a token or code: what the database stores."""
    return hashlib.sha256(secret.encode()).hexdigest()


def hash_password(password: str) -> str:
    """argon2id hash (per-hash salt) of an iPOS web password."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return bool(_HASHER.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False
