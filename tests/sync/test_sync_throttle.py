"""The till against a throttling back office (real uvicorn, injected clock): a clear
Polish message with the wait, and Retry-After honoured (no retries in the meantime)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from ipos_tui.backoffice.db import open_database
from ipos_tui.backoffice.embedded import EmbeddedServer
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.backoffice.throttle import Limit, Limits, Throttle
from ipos_tui.i18n import set_language, t
from ipos_tui.store.db import open_terminal
from ipos_tui.sync.activation import activate
from ipos_tui.sync.client import SyncClient
from ipos_tui.sync.errors import SyncError
from ipos_tui.sync.headless import activate_command
from office_db import OfficeBackend


class Clock:
    now = 5000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def served(tmp_path: Path, office_backend: OfficeBackend) -> Iterator[tuple[BackOffice, str, Clock, int]]:
    office = BackOffice(open_database(office_backend.url(tmp_path / 'bo.db')), b"pepper")
    office.init_schema()
    office.create_company("Sklep", nip="5260250995")
    store = office.add_store("Sklep 1", price_list_id=office.add_price_list("Cennik"))
    clock = Clock()
    limits = Limits(activation_address=Limit(3, 600), token_address=Limit(3, 120))
    with EmbeddedServer(office, throttle=Throttle(limits, clock=clock)) as url:
        yield office, url, clock, store


def test_activation_429_gives_a_polish_message_and_is_not_retried(served, tmp_path) -> None:
    office, url, clock, store = served
    with open_terminal(tmp_path / "till") as terminal:
        for _ in range(3):
            with pytest.raises(SyncError) as wrong:
                activate(terminal, url, "ZLYKOD123", sleep=lambda _s: None)
            assert wrong.value.key == "sync.err.code_invalid"
        sleeps: list[float] = []
        with pytest.raises(SyncError) as refused:
            activate(terminal, url, "ZLYKOD123", sleep=sleeps.append)
        error = refused.value
        assert (error.key, error.status, error.code) == ("sync.throttle.activation", 429,
                                                          "throttled")
        assert error.retry_after == 600 and sleeps == []  # Retry-After honoured: no retry
        assert t(error.key, **error.params) == (
            "zbyt wiele błędnych kodów aktywacyjnych – zaplecze przyjmie kolejną próbę "
            "za 10 min")
        err = io.StringIO()
        _, code = office.add_terminal(store, "Kasa 1")
        assert activate_command(terminal, url, code, out=io.StringIO(), err=err) == 1
        assert "zbyt wiele błędnych kodów aktywacyjnych" in err.getvalue()
        set_language("en")
        assert "too many wrong activation codes" in t(error.key, **error.params)
        set_language("pl")
        clock.now += 600  # after the window the right code works
        assert activate(terminal, url, code, sleep=lambda _s: None).store_id == store


def test_bad_token_429_is_not_hammered(served) -> None:
    _, url, clock, _ = served
    sleeps: list[float] = []
    with SyncClient(url, "revoked", app_version="1", sleep=sleeps.append) as till:
        for _ in range(3):
            with pytest.raises(SyncError) as unauthorized:
                till.get_json("/sync/config")
            assert unauthorized.value.key == "sync.err.unauthorized"
        with pytest.raises(SyncError) as refused:
            till.get_json("/sync/config")
    assert refused.value.key == "sync.throttle.token" and refused.value.retry_after == 120
    assert sleeps == []
    assert "ponowienie później" in t(refused.value.key, **refused.value.params)
