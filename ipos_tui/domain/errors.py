"""The one exception type for rule violations a user can cause."""

from __future__ import annotations

from typing import Any


class DomainError(ValueError):
    """A rule was broken by input; ``key`` names the message in the UI catalogue.

    The domain never formats user text itself: the UI looks ``key`` up in the
    catalogue of the current language and fills in ``params``.
    """

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(f"{key} {params}" if params else key)
