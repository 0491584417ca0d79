"""8 → 3. Połączenie and the first start of a terminal that was never activated.

Bad input tried: Esc on the first-start screen (refused: nothing to sell yet), an
address that is not one, an empty code, a back office that does not answer (closed
port), a connection test without activation.
"""

from __future__ import annotations

from ipos_tui.ui.dialogs import FormDialog
from ipos_tui.ui.screens.connection import ConnectionScreen

from ui_helpers import login, screen_text, status, type_text


async def wait_status(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(200):
        await pilot.pause(0.02)
        if text in status(pilot):
            return
    raise AssertionError(f"status never said {text!r}: {status(pilot)!r}")


async def test_first_start_asks_for_activation_and_will_not_leave(make_app, tmp_path) -> None:
    app = make_app(data_dir=tmp_path / "fresh")
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, ConnectionScreen)
        assert "nie jest aktywowany" in screen_text(pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, ConnectionScreen)
        assert "naciśnij 1" in status(pilot)


async def test_activation_form_refuses_a_bad_address_and_an_empty_code(make_app, tmp_path) -> None:
    app = make_app(data_dir=tmp_path / "fresh")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        field = app.screen.query_one("#field-server")
        field.value = ""
        await type_text(pilot, "ftp://x")
        await pilot.press("enter")
        assert "Nieprawidłowy adres zaplecza" in screen_text(pilot) or "nieprawidłowy adres" in screen_text(pilot)
        field.value = ""
        await type_text(pilot, "http://127.0.0.1:9")
        await pilot.press("enter", "enter")
        assert "Uzupełnij pole: Kod aktywacyjny" in screen_text(pilot)


async def test_dead_back_office_is_reported_and_nothing_is_stored(make_app, tmp_path) -> None:
    app = make_app(data_dir=tmp_path / "fresh")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1")
        await pilot.pause()
        app.screen.query_one("#field-server").value = "http://127.0.0.1:9"
        app.screen.query_one("#field-code").value = "123456789012"
        app.screen.query_one("#field-code").focus()
        await pilot.press("enter", "enter")
        assert isinstance(app.screen, ConnectionScreen)
        await wait_status(pilot, "brak połączenia z zapleczem")
        assert "nie jest aktywowany" in screen_text(pilot)


async def test_connection_test_without_activation(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("f2", "8", "3")
        await pilot.pause()
        assert isinstance(app.screen, ConnectionScreen)
        await pilot.press("2")
        await wait_status(pilot, "nie jest aktywowany")
        await pilot.press("escape")
        assert not isinstance(app.screen, ConnectionScreen)


async def test_throttled_activation_says_how_long_to_wait(make_app, tmp_path) -> None:
    """A back office that throttles wrong codes (429 + Retry-After): the status says so
    in Polish with the wait, nothing is stored, and the till does not retry."""
    import httpx

    from ipos_tui.backoffice.db import open_database
    from ipos_tui.backoffice.embedded import EmbeddedServer
    from ipos_tui.backoffice.services import BackOffice
    from ipos_tui.backoffice.throttle import Limit, Limits, Throttle

    office = BackOffice(open_database(f"sqlite:///{tmp_path / 'bo.db'}"), b"pepper")
    office.init_schema()
    office.create_company("Sklep", nip="5260250995")
    throttle = Throttle(Limits(activation_address=Limit(1, 600)))
    with EmbeddedServer(office, throttle=throttle) as url:
        assert httpx.post(f"{url}/api/v1/activate", json={"code": "ZLY"}).status_code == 401
        app = make_app(data_dir=tmp_path / "fresh")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("1")
            await pilot.pause()
            app.screen.query_one("#field-server").value = url
            app.screen.query_one("#field-code").value = "123456789012"
            app.screen.query_one("#field-code").focus()
            await pilot.press("enter", "enter")
            await wait_status(pilot, "zbyt wiele błędnych kodów aktywacyjnych")
            assert "10 min" in status(pilot)
            assert isinstance(app.screen, ConnectionScreen)
            assert "nie jest aktywowany" in screen_text(pilot)
        assert throttle.failures("activation_address", "127.0.0.1") == 1  # no retries counted
