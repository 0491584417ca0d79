"""Invoices after the sale, at 80x24, keyboard only (issue 14 item 3): a return of a
Faktura prints its correcting invoice, and "F" in 5. Transakcje issues "Faktura do
paragonu" for a receipt with the buyer's NIP (refused for other receipts)."""

from __future__ import annotations

from datetime import timedelta

from ipos_tui.ui.dialogs import ConfirmDialog, FormDialog, MenuScreen, TextViewDialog
from ipos_tui.ui.screens.payment import PaymentScreen
from ipos_tui.ui.screens.returns import ReturnScreen
from ipos_tui.ui.screens.transactions import TransactionsScreen

from ui_helpers import enter_code, login, screen_text, status, type_text


async def sell_with_document(pilot, document: str, *codes: str, name: str = "", address: str = "") -> None:  # type: ignore[no-untyped-def]
    """Ring up ``codes``, choose the document ("1" Faktura, "3" Paragon z NIP) with
    the buyer, pay exactly in cash and close the printout."""
    for code in codes:
        await enter_code(pilot, code)
    await pilot.press("plus")
    await pilot.press("f3", document)
    await pilot.pause()
    assert isinstance(pilot.app.screen, FormDialog)
    await type_text(pilot, "526-104-57-31")
    if name:
        await pilot.press("asterisk")
        await type_text(pilot, name)
        await pilot.press("enter")
        await type_text(pilot, address)
    await pilot.press("enter")
    assert isinstance(pilot.app.screen, PaymentScreen)
    await pilot.press("enter")
    await pilot.pause(0.05)
    await pilot.press("escape")


async def test_a_return_of_a_faktura_prints_its_correcting_invoice(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell_with_document(pilot, "1", "9", "9", "1", name="Firma Testowa sp. z o.o.",
                                 address="ul. Prosta 1, 00-001 Warszawa")
        await pilot.press("f7")
        await enter_code(pilot, "K1-F000001")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReturnScreen)
        assert "faktura FV/K1/11/2026/0001: zwrot z fakturą korygującą" in screen_text(pilot)
        await type_text(pilot, "1")
        await pilot.press("enter")  # one of the two jogurts
        await pilot.press("plus")
        assert isinstance(app.screen, MenuScreen)
        await pilot.press("1")  # gotówka
        await pilot.pause()
        # a return against an invoice asks why: the correcting invoice prints it
        assert isinstance(app.screen, MenuScreen)
        assert "2. Reklamacja towaru" in screen_text(pilot)
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert ("faktura korygująca do faktury FV/K1/11/2026/0001, przyczyna: Reklamacja towaru"
                in str(app.screen.question))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        lines = str(app.screen.text).splitlines()
        assert "ZWROT TOWARU" in lines[1] and "Korekta:              FK/K1/11/2026/0001" in lines
        start = lines.index("           FAKTURA KORYGUJĄCA")
        body = lines[start + 3:]
        assert body[:4] == [
            "Nr FK/K1/11/2026/0001",
            "Data wystawienia:             2026-11-26",
            "Do faktury:           FV/K1/11/2026/0001",
            "  z dnia                      2026-11-26",
        ]
        assert [
            "1. Jogurt grecki 400g",
            "  przed: 2 szt.                  11,98 C",
            "  po:    1 szt.                   5,99 C",
            "  różnica: -1 szt.               -5,99 C",
        ] == body[body.index("1. Jogurt grecki 400g"):body.index("1. Jogurt grecki 400g") + 4]
        assert "Przyczyna korekty: Reklamacja towaru" in body
        assert "  Firma Testowa sp. z o.o." in body and "Forma zwrotu: gotówka               5,99" in body
        await pilot.press("escape")
        assert status(pilot).endswith("(gotówka). Korekta FK/K1/11/2026/0001.")
        journal = app.terminal.db.execute_sql(
            "SELECT kind FROM printer_journal ORDER BY number").fetchall()
        # the Faktura itself is journaled as an invoice, then the return and its correction
        assert [kind for (kind,) in journal] == ["invoice", "return", "invoice_correction"]
        # 5. Transakcje: Enter on the return shows both printouts again
        await pilot.press("f2", "5")
        await pilot.pause()
        assert isinstance(app.screen, TransactionsScreen)
        await pilot.press("enter")
        assert isinstance(app.screen, TextViewDialog)
        again = str(app.screen.text)
        assert "ZWROT TOWARU" in again and "FAKTURA KORYGUJĄCA" in again
        assert again.index("ZWROT TOWARU") < again.index("FAKTURA KORYGUJĄCA")


async def test_faktura_do_paragonu_from_the_transaction_list(make_app, clock) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell_with_document(pilot, "3", "9")  # Paragon z NIP, 5,99
        await enter_code(pilot, "1")
        await pilot.press("plus", "enter")  # a plain paragon
        await pilot.pause(0.05)
        await pilot.press("escape")
        clock.advance(timedelta(days=2).total_seconds())
        await pilot.press("f2", "5")
        await pilot.pause()
        assert isinstance(app.screen, TransactionsScreen)
        await pilot.press("f")  # the newest row: the plain paragon
        assert status(pilot) == "Paragon K1-000002 bez NIP nabywcy: faktura tylko do paragonu z NIP."
        await pilot.press("down", "f")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        assert "Paragon K1-000001 z 2026-11-26 12:04" in screen_text(pilot)
        await type_text(pilot, "Firma Testowa sp. z o.o.")
        await pilot.press("enter")
        await type_text(pilot, "ul. Prosta 1, 00-001 Warszawa")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        lines = str(app.screen.text).splitlines()
        assert lines[:4] == [
            "           WYDRUK NIEFISKALNY",
            "                FAKTURA",
            "2026-11-28 12:04        Wydruk nr 000003",
            "----------------------------------------",
        ]
        assert lines[4:10] == [
            "Nr FV/K1/11/2026/0001",
            "Data wystawienia:             2026-11-28",
            "Data sprzedaży:               2026-11-26",
            "Do paragonu fiskalnego:        K1-000001",
            "  z dnia                2026-11-26 12:04",
            "----------------------------------------",
        ]
        await pilot.press("escape")
        assert isinstance(app.screen, TransactionsScreen)
        assert status(pilot) == "Faktura FV/K1/11/2026/0001 do paragonu K1-000001 wydrukowana (niefiskalna)."
        rows = screen_text(pilot)
        assert "FP000001" in rows and "Faktura do par." in rows
        # a second invoice for the same receipt is refused, naming the first
        await pilot.press("down", "down", "f")
        assert status(pilot) == "Do paragonu K1-000001 wystawiono już fakturę FV/K1/11/2026/0001."
        day = app.terminal.db.execute_sql(
            "SELECT count(*), sum(total) FROM document WHERE doc_type = 'receipt'").fetchone()
        assert day == (2, 599 + 349)
