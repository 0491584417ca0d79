"""6. Paragony: several open receipts — add, switch, delete — stored as they change.

The database is read behind the app's back (a second, read-only connection) after
each kind of change, which is what a power cut would leave; a second app on the same
data is a restart. Bad input tried: a digit past the end of the list, deleting a
receipt with lines (asks; Esc keeps it).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ipos_tui.ui.dialogs import ConfirmDialog, TextViewDialog
from ipos_tui.ui.screens.parked import ParkedScreen
from ipos_tui.ui.screens.registration import RegistrationScreen

from ui_helpers import enter_code, login, screen_text, status


def stored(demo_dir: Path) -> dict[int, list[tuple[str, int, int, str | None]]]:
    """Receipt number → (PLU, qty, price, line discount kind) of each stored line."""
    conn = sqlite3.connect(f"{(demo_dir / 'terminal.sqlite3').resolve().as_uri()}?mode=ro", uri=True)
    try:
        receipts = {
            number: [
                (plu, qty, price, kind)
                for plu, qty, price, kind in conn.execute(
                    "SELECT plu, qty, unit_price, discount_kind FROM parked_line "
                    "WHERE parked_id = ? ORDER BY position",
                    (parked_id,),
                )
            ]
            for parked_id, number in conn.execute("SELECT id, number FROM parked_receipt")
        }
    finally:
        conn.close()
    return receipts


def top_bar(pilot) -> str:  # type: ignore[no-untyped-def]
    return screen_text(pilot).splitlines()[0]


async def open_list(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("f2", "6")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ParkedScreen)


async def test_menu_item_6_lists_sprzedaz_1_as_current(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        assert "Sprzedaż 1" in top_bar(pilot)
        await pilot.press("f2")
        assert "6. Paragony" in screen_text(pilot)
        await pilot.press("6")
        await pilot.pause()
        text = screen_text(pilot)
        assert "Otwarte paragony" in text
        (row,) = [line for line in text.splitlines() if "Sprzedaż 1" in line and "│" in line]
        assert "1." in row and "bieżący" in row and "0,00" in row
        assert status(pilot) == "Bieżący: Sprzedaż 1. Cyfra lub Enter otwiera paragon, + zaczyna nowy."
        keybar = text.splitlines()[-1]
        for key in ("1–9 Wybierz", "↑↓", "Enter Otwórz", "+ Nowy", "Del Usuń", "Esc Wróć", "F1 Pomoc"):
            assert key in keybar
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")
        assert isinstance(app.screen, RegistrationScreen)


async def test_park_a_receipt_serve_another_and_switch_back(make_app, demo_dir) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "1")
        await enter_code(pilot, "9")
        await open_list(pilot)
        await pilot.press("plus")
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        assert "Sprzedaż 2" in top_bar(pilot) and app.receipt.is_empty
        assert status(pilot) == "Otwarto: Sprzedaż 2."
        await enter_code(pilot, "1401")
        assert app.receipt.total == 329
        await open_list(pilot)
        rows = [line for line in screen_text(pilot).splitlines() if "Sprzedaż" in line and "│" in line]
        assert "2" in rows[0] and "9,48" in rows[0] and "bieżący" not in rows[0]
        assert "bieżący" in rows[1] and "3,29" in rows[1]
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        assert "Sprzedaż 1" in top_bar(pilot)
        assert [line.plu for line in app.receipt.lines] == ["1", "9"]
        assert "9,48" in screen_text(pilot)
    assert stored(demo_dir) == {1: [("1", 1000, 349, None), ("9", 1000, 599, None)], 2: [("1401", 1000, 329, None)]}


async def test_every_change_is_stored_at_once(make_app, demo_dir) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "1")
        await enter_code(pilot, "9")
        assert stored(demo_dir) == {1: [("1", 1000, 349, None), ("9", 1000, 599, None)]}
        await pilot.press("number_sign")
        await enter_code(pilot, "3")
        assert stored(demo_dir)[1][1] == ("9", 3000, 599, None)
        await pilot.press("number_sign", "number_sign")
        await enter_code(pilot, "5,00")
        assert stored(demo_dir)[1][1] == ("9", 3000, 500, None)
        await pilot.press("f4", "2")
        await pilot.pause()
        await enter_code(pilot, "10")
        assert stored(demo_dir)[1][1] == ("9", 3000, 500, "percent")
        await pilot.press("up", "delete")
        assert stored(demo_dir) == {1: [("9", 3000, 500, "percent")]}
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("t")
        await pilot.pause()
        assert app.receipt.is_empty
        assert stored(demo_dir) == {1: []}


async def test_open_receipts_survive_a_restart(make_app, demo_dir) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "1")
        await open_list(pilot)
        await pilot.press("plus")
        await pilot.pause()
        await enter_code(pilot, "9")
        await enter_code(pilot, "20")
        await enter_code(pilot, "1,235")  # weighed: 1,235 kg
        await pilot.press("f4", "3")
        await pilot.pause()
        await enter_code(pilot, "1,00")  # 1 zł off the whole receipt
        total = app.receipt.total
    again = make_app()
    async with again.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        assert "Sprzedaż 2" in top_bar(pilot)
        assert [line.qty for line in again.receipt.lines] == [1000, 1235]
        assert again.receipt.total == total and again.receipt.receipt_discount is not None
        await open_list(pilot)
        text = screen_text(pilot)
        assert "Sprzedaż 1" in text and "3,49" in text


async def test_paying_removes_the_parked_copy_and_keeps_the_slot(make_app, demo_dir) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "1")
        await open_list(pilot)
        await pilot.press("plus")
        await pilot.pause()
        await enter_code(pilot, "9")
        paid_id = app.parked_id
        await pilot.press("plus")
        await pilot.pause()
        await pilot.press("enter")  # empty amount: cash, exactly the total
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        await pilot.press("escape")
        assert isinstance(app.screen, RegistrationScreen)
        assert "Sprzedaż 2" in top_bar(pilot) and app.receipt.is_empty
        assert app.parked_id != paid_id
        (document,) = app.terminal.ledger.list_documents()
        assert document.total == 599
    assert stored(demo_dir) == {1: [("1", 1000, 349, None)], 2: []}


async def test_delete_asks_when_the_receipt_has_lines(make_app, demo_dir) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "1")
        await open_list(pilot)
        await pilot.press("plus")
        await pilot.pause()
        await open_list(pilot)
        await pilot.press("up", "delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "Usunąć „Sprzedaż 1”? Pozycji: 1, razem 3,49" in screen_text(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ParkedScreen) and set(stored(demo_dir)) == {1, 2}
        await pilot.press("up", "delete")
        await pilot.pause()
        await pilot.press("enter")  # Enter by habit: "nie", the receipt stays
        await pilot.pause()
        assert isinstance(app.screen, ParkedScreen) and set(stored(demo_dir)) == {1, 2}
        await pilot.press("up", "delete")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, ParkedScreen)
        assert status(pilot) == "Usunięto „Sprzedaż 1”. Bieżący: Sprzedaż 2."
        assert set(stored(demo_dir)) == {2}
        await pilot.press("delete")  # the empty current one goes without asking
        await pilot.pause()
        assert isinstance(app.screen, ParkedScreen)
        assert status(pilot) == "Usunięto „Sprzedaż 2”. Bieżący: Sprzedaż 1."
        assert stored(demo_dir) == {1: []}
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        assert "Sprzedaż 1" in top_bar(pilot) and app.receipt.is_empty
        # the receipt deleted with a line counts as voided for the daily report; the empty one not
        voids = app.terminal.db.execute_sql("SELECT line_count, total FROM receipt_void").fetchall()
        assert voids == [(1, 349)]


async def test_a_digit_past_the_list_says_so_and_help_names_the_keys(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await open_list(pilot)
        await pilot.press("4")
        await pilot.pause()
        assert isinstance(app.screen, ParkedScreen)
        assert status(pilot) == "Na liście nie ma pozycji 4."
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        help_text = str(app.screen.text)
        assert "przetrwają ponowne uruchomienie" in help_text and "Nowy" in help_text
        await pilot.press("escape")
        await pilot.press("enter")  # Enter on the current one: back to selling it
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)


async def test_english_names_follow_the_language(make_app) -> None:
    app = make_app(language="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await open_list(pilot)
        await pilot.press("plus")
        await pilot.pause()
        assert "Sale 2" in top_bar(pilot)
        assert status(pilot) == "Opened: Sale 2."
