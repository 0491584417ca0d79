"""8 → 4 → 5. Aktualizacja aplikacji against the real back office: check, download
with a progress bar, stop and resume, staged (top bar, 7. Informacje), refusals."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from ipos_tui.backoffice.releases import keygen
from ipos_tui.sync.context import SyncContext
from ipos_tui.ui.screens.update import UpdateScreen
from ipos_tui.updates.updater import Updater

from update_support import Shop, running_shop

LOGIN = ["1", "0", "0", "1", "enter", "1", "1", "1", "1", "enter"]


def screen_text(pilot: Pilot) -> str:
    update = pilot.app.screen._compositor.render_full_update(simplify=True)
    return "\n".join("".join(strip.text for strip in row) for row in update.strips)


async def wait_for(pilot: Pilot, predicate: Callable[[], bool], tries: int = 400) -> None:
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"not reached; screen:\n{screen_text(pilot)}")


@pytest.fixture
def shop_on_demo(tmp_path: Path, demo_dir: Path) -> Iterator[Shop]:
    """The demo till activated at a real back office; closed for the app to open."""
    with running_shop(tmp_path / "shop", terminal_dir=demo_dir) as shop:
        shop.terminal.close()
        yield shop


async def open_update_screen(pilot: Pilot) -> UpdateScreen:
    await pilot.press(*LOGIN, "f2", "8", "4", "5")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, UpdateScreen))
    return pilot.app.screen  # type: ignore[return-value]


async def test_check_download_and_stage(shop_on_demo: Shop, make_app) -> None:  # type: ignore[no-untyped-def]
    shop_on_demo.publish("9.0.0")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_update_screen(pilot)
        await wait_for(pilot, lambda: screen.state == "available")
        text = screen_text(pilot)
        assert "Dostępna wersja:" in text and "9.0.0" in text
        assert "Enter Pobierz" in text
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.state == "staged")
        text = screen_text(pilot)
        assert "Wersja 9.0.0 pobrana i sprawdzona" in text
        assert "\u21939.0.0" in text.splitlines()[0]  # the top bar
        await pilot.press("escape", "escape", "escape", "7")
        await pilot.pause()
        assert "9.0.0 (instalacja przy raporcie dobowym)" in screen_text(pilot)


async def test_release_with_an_unknown_key_is_refused_on_screen(
        shop_on_demo: Shop, make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    other = keygen(tmp_path / "other")
    shop_on_demo.publish("9.0.0", key=other["private_key"])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_update_screen(pilot)
        await wait_for(pilot, lambda: screen.state == "refused")
        text = " ".join(screen_text(pilot).split())
        assert f"Odrzucono: wydanie podpisane nieznanym kluczem {other['key_id']}" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, UpdateScreen)


class GatedSource:
    """The real client, but the file arrives chunk by chunk while ``gate`` is open."""

    def __init__(self, client: Any, gate: threading.Event) -> None:
        self.client, self.gate = client, gate

    def latest_release(self, channel: str) -> dict[str, Any]:
        return self.client.latest_release(channel)

    @contextmanager
    def open_download(self, url: str, offset: int = 0) -> Iterator[Any]:
        with self.client.open_download(url, offset) as response:
            gate = self.gate

            class Slow:
                status_code = response.status_code
                headers = response.headers

                @staticmethod
                def iter_bytes(size: int) -> Iterator[bytes]:
                    for index, chunk in enumerate(response.iter_bytes(size)):
                        if index:
                            gate.wait(5)
                        yield chunk

            yield Slow()


async def test_esc_stops_the_download_and_enter_resumes_it(
        shop_on_demo: Shop, make_app) -> None:  # type: ignore[no-untyped-def]
    from update_support import fake_wheel
    from ipos_tui.backoffice.releases import publish

    wheel = fake_wheel(shop_on_demo.root / "big", "9.0.0", files={
        "ipos_tui_marker/blob.txt": "".join(f"{i:08x}" for i in range(80_000))})
    publish(shop_on_demo.store, wheel, Path(shop_on_demo.key["private_key"]), no_deps=True)
    gate = threading.Event()

    @contextmanager
    def gated(terminal):  # type: ignore[no-untyped-def]
        context = SyncContext.for_terminal(terminal)
        with context:  # type: ignore[union-attr]
            yield Updater(terminal.data_dir, GatedSource(context.client, gate))  # type: ignore[union-attr]

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*LOGIN)
        screen = UpdateScreen(updater_factory=gated)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: screen.state == "available")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.done_bytes > 0)
        assert "Esc Przerwij" in screen_text(pilot)
        await pilot.press("escape")
        gate.set()  # let the worker reach its next chunk, where it sees the stop
        await wait_for(pilot, lambda: screen.state == "stopped")
        assert "Enter Wznów" in screen_text(pilot)
        kept = screen.done_bytes
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.state == "staged")
        text = " ".join(screen_text(pilot).split())
        assert kept > 0 and "Wznowiono od" in text
        assert "Wersja 9.0.0 pobrana i sprawdzona" in text


async def test_a_refused_check_leaves_nothing_of_the_last_one_on_screen(
        shop_on_demo: Shop, make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Staged 9.0.0, then the back office offers a release signed by an unknown key:
    the screen says why it is refused and shows neither that version as available
    nor the figures of the earlier download."""
    shop_on_demo.publish("9.0.0")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_update_screen(pilot)
        await wait_for(pilot, lambda: screen.state == "available")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.state == "staged")
        assert "/s" in screen_text(pilot)  # the download's figures
        other = keygen(tmp_path / "other")
        shop_on_demo.publish("9.1.0", key=other["private_key"])
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.state == "refused")
        text = screen_text(pilot)
        (available,) = [line for line in text.splitlines() if "Dostępna wersja:" in line]
        assert "nie sprawdzono" in available and "9.0.0" not in available
        assert "/s" not in text
        assert f"nieznanym kluczem {other['key_id']}" in " ".join(text.split())
