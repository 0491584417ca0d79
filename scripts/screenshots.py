"""Regenerate screenshots/*.svg from the real app, in the same states the snapshot
tests use (tests/ui/screen_states.py).

    python scripts/screenshots.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "ui"))

from ipos_tui.store.db import open_terminal  # noqa: E402
from ipos_tui.demo.terminal import seed_demo  # noqa: E402
from ipos_tui.ui.app import create_app  # noqa: E402
from screen_states import STATES  # noqa: E402

SHOTS = {
    "login": "login",
    "registration": "registration_basket",
    "name-search": "registration_name_search",
    "payment": "payment_cash_change",
    "printout": "printout",
    "user-menu": "user_menu",
    "transactions": "transactions",
    "console-mode": "registration_console",
    "sync-products": "sync_products_done",
    "sync-running": "sync_products_running",
    "day-close-offline": "day_close_network_down",
    "monthly-report": "monthly_report",
    "return": "return_picked",
    "cash-menu": "cash_menu",
    "update-staged": "update_staged",
    "opening-cash": "cash_opening",
    "manager-authorisation": "authorise_wrong_pin",
    "narrow-60x20": "registration_basket_60x20",
    "wide-132x43": "registration_basket_132x43",
}
NOW = datetime(2026, 11, 26, 12, 4, tzinfo=timezone(timedelta(hours=1)))


async def shoot(name: str, state_name: str, template: Path, target: Path) -> None:
    state = STATES[state_name]
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = Path(scratch) / "terminal"
        data_dir.mkdir()
        for file in template.glob("terminal.sqlite3*"):
            (data_dir / file.name).write_bytes(file.read_bytes())
        with open_terminal(data_dir) as terminal:
            if state.setup is not None:
                state.setup(terminal)
            app = create_app(terminal, data_dir=data_dir, clock=lambda: NOW, cursor_blink=False,
                             upload_interval=None, **state.options)
            async with app.run_test(size=state.size) as pilot:
                await pilot.press(*state.keys)
                await pilot.pause()
                if state.after is not None:
                    await state.after(pilot)
                app.save_screenshot(f"{name}.svg", str(target))
    print(f"screenshots/{name}.svg  <- {state_name}")


def main() -> None:
    target = ROOT / "screenshots"
    target.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        template = Path(scratch)
        with open_terminal(template) as terminal:
            seed_demo(terminal)
        for name, state_name in SHOTS.items():
            asyncio.run(shoot(name, state_name, template, target))


if __name__ == "__main__":
    main()
