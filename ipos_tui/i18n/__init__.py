"""Message catalogues: one TOML file per language, flat dotted keys.

Every user-facing string goes through :func:`t`; a test checks that all catalogues
carry the same keys, so a screen never shows a bare key in one language only.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES = ("pl", "en")
DEFAULT_LANGUAGE = "pl"

_current = DEFAULT_LANGUAGE


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@cache
def catalogue(language: str) -> dict[str, str]:
    """The flat key → text mapping of ``language``."""
    text = resources.files(__package__).joinpath(f"{language}.toml").read_text("utf-8")
    return _flatten(tomllib.loads(text))


def set_language(language: str) -> None:
    """Switch the language used by :func:`t` (``pl`` or ``en``)."""
    global _current
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    _current = language


def current_language() -> str:
    return _current


def t(key: str, /, **params: Any) -> str:
    """The text of ``key`` in the current language, with ``params`` filled in.

    A missing key falls back to Polish, then to the key itself, so a gap in a
    catalogue never crashes a till (and the catalogue test catches it first).
    """
    return text_in(_current, key, **params)


def text_in(language: str, key: str, /, **params: Any) -> str:
    """:func:`t` in a given language (a web page's, not the process's)."""
    text = catalogue(language).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def has_key(key: str) -> bool:
    return key in catalogue(DEFAULT_LANGUAGE)
