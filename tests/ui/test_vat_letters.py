"""A letter the back office added is sold only once the till's printer holds it: the
sales screen refuses the product with the reason (and the way out, the day close) and
the receipt stays as it was; after the PTU table is written it sells at the new rate."""

from __future__ import annotations

from ipos_tui.ui.screens.registration import RegistrationScreen
from ipos_tui.till import Till

from ui_helpers import enter_code, login, status


async def test_a_letter_not_yet_on_the_printer_is_refused_at_ring_up(make_app) -> None:
    app = make_app()
    terminal = app.terminal
    printer = Till(terminal).printer
    assert "F" not in printer.vat_table()  # fiscalised with the standard letters
    terminal.db.execute_sql("INSERT INTO vat_rate (letter, rate_bp) VALUES ('F', 700)")
    terminal.db.execute_sql("UPDATE product SET vat_letter = 'F' WHERE plu = '101'")
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "1")
        screen = app.screen
        assert isinstance(screen, RegistrationScreen) and len(screen.receipt.lines) == 1
        await enter_code(pilot, "101")
        assert len(screen.receipt.lines) == 1  # refused, the milk stays
        assert status(pilot).startswith("Stawki VAT F nie ma jeszcze w drukarce fiskalnej")
        assert "zamknięciu dnia" in status(pilot)
        printer.write_vat_table({"F": 700}, app.clock())
        await enter_code(pilot, "101")
        assert [line.vat_letter for line in screen.receipt.lines] == ["C", "F"]
