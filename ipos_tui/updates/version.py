"""Release version numbers compared the PEP 440 way (the common subset).

``packaging`` is not a runtime dependency of the app, so this parses what releases
actually use: ``N(.N)*`` with an optional pre-release (``a``/``b``/``rc`` + N), post
release (``.postN``) and dev release (``.devN``), plus an optional ``v`` prefix and an
epoch (``N!``). Local versions (``+local``) are refused: two builds that differ only
in a local label must not count as an upgrade. Anything else is refused rather than
guessed, so a downgrade can never pass for an upgrade.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering
from typing import Final

from ipos_tui.domain.errors import DomainError

_PATTERN: Final = re.compile(
    r"""^v?
    (?:(?P<epoch>\d+)!)?
    (?P<release>\d+(?:\.\d+)*)
    (?:[-_.]?(?P<pre_l>a|alpha|b|beta|rc|c|pre|preview)[-_.]?(?P<pre_n>\d+)?)?
    (?P<post_part>[-_.]?(?:post|rev|r)[-_.]?(?P<post>\d+)?)?
    (?P<dev_part>[-_.]?dev[-_.]?(?P<dev>\d+)?)?
    $""",
    re.VERBOSE | re.IGNORECASE | re.ASCII,
)

_PRE_LABELS: Final = {"a": "a", "alpha": "a", "b": "b", "beta": "b", "rc": "rc", "c": "rc",
                      "pre": "rc", "preview": "rc"}
#: Sort rank of pre-release labels; a final release ranks after every label.
_PRE_RANK: Final = {"a": 0, "b": 1, "rc": 2}
_FINAL: Final = 3


@total_ordering
@dataclass(frozen=True)
class Version:
    """A parsed version; ordering follows PEP 440 for the supported forms."""

    text: str
    epoch: int
    release: tuple[int, ...]
    pre: tuple[int, int] | None
    post: int | None
    dev: int | None

    def _key(self) -> tuple[object, ...]:
        release = list(self.release)
        while len(release) > 1 and release[-1] == 0:  # 1.0 == 1.0.0
            release.pop()
        # 1.0.dev1 < 1.0a1 < 1.0 < 1.0.post1; a dev of a pre sorts before that pre
        if self.pre is None and self.post is None and self.dev is not None:
            pre: tuple[int, int] = (-1, 0)
        elif self.pre is None:
            pre = (_FINAL, 0)
        else:
            pre = self.pre
        post = -1 if self.post is None else self.post
        dev = float("inf") if self.dev is None else self.dev
        return (self.epoch, tuple(release), pre, post, dev)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        return self.text


def parse_version(text: str) -> Version:
    """Parse ``text``; raises ``DomainError("update.err_version_invalid", version=…)``."""
    match = _PATTERN.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise DomainError("update.err_version_invalid", version=str(text))
    pre = None
    if match["pre_l"]:
        pre = (_PRE_RANK[_PRE_LABELS[match["pre_l"].lower()]], int(match["pre_n"] or 0))
    return Version(
        text=text.strip(),
        epoch=int(match["epoch"] or 0),
        release=tuple(int(part) for part in match["release"].split(".")),
        pre=pre,
        post=int(match["post"] or 0) if match["post_part"] else None,
        dev=int(match["dev"] or 0) if match["dev_part"] else None,
    )


def is_newer(candidate: str, current: str) -> bool:
    """Whether ``candidate`` is strictly newer than ``current`` (both must parse)."""
    return parse_version(candidate) > parse_version(current)
