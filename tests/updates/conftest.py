"""Fixtures of the update tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from update_support import Shop, running_shop


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    """A real back office on 127.0.0.1 and a terminal that trusts its release key."""
    with running_shop(tmp_path) as value:
        yield value
