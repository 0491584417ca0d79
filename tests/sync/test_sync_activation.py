"""Activation and the client's failures against the real back office on 127.0.0.1:
wrong/used/expired codes, re-activation that keeps numbering, a revoked token, the
headers the back office records, a back office that is down."""

from __future__ import annotations

import logging
import stat
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ipos_tui import __version__
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.sync.activation import activate
from ipos_tui.sync.client import SyncClient
from ipos_tui.sync.errors import SyncError
from ipos_tui.sync.context import SyncContext, connection_of
from ipos_tui.sync.progress import CancelToken, ItemFailed, JobFinished
from ipos_tui.sync.pull import config_job, pull_stream
from ipos_tui.store.db import open_terminal
from ipos_tui.store.feed_apply import FeedApplier

from sync_support import activated, demo_office, first_store, pull_all, running_server
from office_db import OfficeBackend


def no_sleep(_seconds: float) -> None:
    """Retries in tests do not wait."""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, office_backend: OfficeBackend) -> Iterator[tuple[BackOffice, str]]:
    office = demo_office(office_backend.url(tmp_path_factory.mktemp("bo") / "office.db"))
    with running_server(office) as base:
        yield office, base


def closed_port_url() -> str:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("case", ["invalid", "used", "expired"])
def test_bad_codes_say_why_and_store_nothing(
    shop: tuple[BackOffice, str], tmp_path: Path, case: str
) -> None:
    office, base = shop
    store = first_store(office)
    if case == "invalid":
        code = "000000000000"
    elif case == "used":
        _, code = office.add_terminal(store, "Kasa")
        with open_terminal(tmp_path / "other") as other:
            activate(other, base, code, sleep=no_sleep)
    else:
        _, code = office.add_terminal(store, "Kasa", ttl=timedelta(seconds=-1))
    with open_terminal(tmp_path / "t") as terminal:
        with pytest.raises(SyncError) as caught:
            activate(terminal, base, code, sleep=no_sleep)
        assert caught.value.key == f"sync.err.code_{case}"
        assert connection_of(terminal) is None
        assert terminal.settings.terminal_info() is None


def test_activation_stores_identity_locally_and_keeps_the_token_secret(
    shop: tuple[BackOffice, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    office, base = shop
    store = first_store(office)
    terminal_id, code = office.add_terminal(store, "Kasa 7")
    caplog.set_level(logging.DEBUG)
    with open_terminal(tmp_path / "t") as terminal:
        # A code typed with spaces/dashes and an address typed without http:// work.
        grouped = "-".join(code[i:i + 4] for i in range(0, len(code), 4))
        connection = activate(terminal, base.removeprefix("http://") + "/api/v1/", grouped,
                              "Kasa przy oknie", sleep=no_sleep)
        assert (connection.terminal_id, connection.store_id) == (terminal_id, store)
        assert connection.server_url == base
        assert connection_of(terminal) == connection
        info = terminal.settings.terminal_info()
        assert (info.terminal_id, info.name, info.store_id) == (terminal_id, "Kasa przy oknie",
                                                                 store)
        assert connection.token not in repr(connection)
        assert connection.token not in caplog.text
        assert stat.S_IMODE(terminal.db_path.stat().st_mode) == 0o600
        # A catalogue rebuild does not lose the connection.
        assert all(pull_all(terminal).values())
        office.assign_price_list(store, office.list_stores()[1]["price_list_id"])
        try:
            assert all(pull_all(terminal).values())
        finally:
            office.assign_price_list(store, office.list_stores()[0]["price_list_id"])
        assert connection_of(terminal) == connection


def _receipt(store_id: int, number: int) -> dict[str, object]:
    return {
        "type": "receipt", "uuid": str(uuid.uuid4()), "number": number, "store_id": store_id,
        "created_at": datetime(2026, 11, 27, 10, 0, tzinfo=UTC).isoformat(),
        "lines": [{"name": "Chleb", "plu": "1", "vat": "C", "unit_price": 500, "qty": 1000,
                   "value": 500}],
        "payments": [{"method": "cash", "amount": 500}], "total": 500, "vat_totals": {"C": 500},
    }


def test_reactivation_on_a_new_disk_continues_numbering(
    shop: tuple[BackOffice, str], tmp_path: Path
) -> None:
    office, base = shop
    store = first_store(office)
    with activated(office, base, tmp_path / "old", store) as old:
        terminal_id = connection_of(old).terminal_id
        ctx = SyncContext.for_terminal(old, sleep=no_sleep)
        with ctx:
            answer = ctx.client.post_json("/transactions", {"documents": [_receipt(store, 41)]})
        assert answer["results"][0]["status"] == "accepted"
    code = office.new_activation_code(terminal_id)
    with open_terminal(tmp_path / "new") as new:
        connection = activate(new, base, code, sleep=no_sleep)
        assert connection.terminal_id == terminal_id
        assert new.ledger.last_number("receipt") == 41


def test_revoked_token_fails_with_unauthorized_and_reactivation_resumes(
    shop: tuple[BackOffice, str], tmp_path: Path
) -> None:
    office, base = shop
    with activated(office, base, tmp_path / "t", first_store(office)) as terminal:
        assert all(pull_all(terminal).values())
        cursor = FeedApplier(terminal.db).cursors("products").live
        terminal_id = connection_of(terminal).terminal_id
        office.revoke_terminal(terminal_id)
        events: list[object] = []
        ctx = SyncContext.for_terminal(terminal, sleep=no_sleep)
        with ctx:
            assert config_job(ctx, events.append, CancelToken()) is False
        failures = [e for e in events if isinstance(e, ItemFailed)]
        assert failures and {e.key for e in failures} == {"sync.err.unauthorized"}
        assert events[-1] == JobFinished("config", False)
        activate(terminal, base, office.new_activation_code(terminal_id), sleep=no_sleep)
        # Same back office, terminal and store: the cursors stay, the next pull is small.
        assert FeedApplier(terminal.db).cursors("products").live == cursor
        assert all(pull_all(terminal).values())


def test_every_call_reports_version_and_pending_count(
    shop: tuple[BackOffice, str], tmp_path: Path
) -> None:
    office, base = shop
    with activated(office, base, tmp_path / "t", first_store(office)) as terminal:
        terminal_id = connection_of(terminal).terminal_id
        ctx = SyncContext.for_terminal(terminal, sleep=no_sleep)
        ctx.client = SyncClient(ctx.client.base_url, connection_of(terminal).token,
                                app_version=__version__, pending_count=lambda: 17)
        with ctx:
            assert pull_stream(ctx, "config", lambda _e: None, CancelToken()).ok
    seen = next(t for t in office.list_terminals() if t["id"] == terminal_id)
    assert (seen["app_version"], seen["pending_count"]) == (__version__, 17)


def test_back_office_down_fails_quickly_with_offline(
    shop: tuple[BackOffice, str], tmp_path: Path
) -> None:
    office, base = shop
    url = closed_port_url()
    with open_terminal(tmp_path / "a") as fresh:
        with pytest.raises(SyncError) as caught:
            activate(fresh, url, "123412341234", sleep=no_sleep)
        assert caught.value.key == "sync.err.offline"
    with activated(office, base, tmp_path / "t", first_store(office)) as terminal:
        connection = connection_of(terminal)
        ctx = SyncContext(terminal, SyncClient(url, connection.token, app_version="t",
                                               sleep=no_sleep, max_attempts=3))
        events: list[object] = []
        started = time.monotonic()
        with ctx:
            result = pull_stream(ctx, "products", events.append, CancelToken())
        assert time.monotonic() - started < 2.0
        assert not result.ok and result.error_key == "sync.err.offline"
        assert {e.key for e in events if isinstance(e, ItemFailed)} == {"sync.err.offline"}
        # Nothing was written: no cursor, no half-built shadow.
        cursors = FeedApplier(terminal.db).cursors("products")
        assert (cursors.live, cursors.shadow) == (None, None)


def test_not_activated_has_no_context(tmp_path: Path) -> None:
    with open_terminal(tmp_path / "t") as terminal:
        assert SyncContext.for_terminal(terminal) is None
