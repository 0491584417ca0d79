"""The company's PIN keys as the config stream stores them (synced PIN hashes are
keyed with them)."""

from __future__ import annotations

import json
from typing import Final

from peewee import SqliteDatabase

#: The setting row holding the company's PIN key (a key no back-office setting can have).
PIN_KEY_SETTING: Final = "@pin_key"
#: The setting row holding every PIN key by version ({"0": key, "1": key}).
PIN_KEYS_SETTING: Final = "@pin_keys"
#: Marks a synced PIN hash: argon2id over hex(HMAC-SHA256(company PIN key, PIN)).
KEYED_PIN_PREFIX: Final = "hmac:"


def pin_key(db: SqliteDatabase) -> str | None:
    """The company's PIN key (base64) from the config stream, None before it came."""
    row = db.execute_sql(
        "SELECT value FROM setting WHERE key = ?", (PIN_KEY_SETTING,)
    ).fetchone()
    return None if row is None else str(json.loads(row[0]))


def pin_keys(db: SqliteDatabase) -> dict[str, str]:
    """Every PIN key the config stream sent, by version (``{"0": base64 key}``); the
    current key alone (as version "0") from a back office before key rotation."""
    row = db.execute_sql(
        "SELECT value FROM setting WHERE key = ?", (PIN_KEYS_SETTING,)
    ).fetchone()
    keys = json.loads(row[0]) if row is not None else None
    if isinstance(keys, dict) and keys:
        return {str(v): str(k) for v, k in keys.items()}
    current = pin_key(db)
    return {} if current is None else {"0": current}
