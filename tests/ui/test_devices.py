"""8. Konfiguracja → 5. Drukarka fiskalna and 6. Aplikacja płatnicza, and the payment
screen's card payments going through the payment application.

Bad input tried: a search nothing matches, Enter on an empty journal, a card payment
withdrawn with Esc (reversed, not settled), Esc on the settlement question.
"""

from __future__ import annotations

from ipos_tui.ui.dialogs import ConfirmDialog, MenuScreen, TextViewDialog
from ipos_tui.ui.screens.card_app import CardTransactionsScreen
from ipos_tui.ui.screens.payment import PaymentScreen
from ipos_tui.ui.screens.printer import JournalScreen, PrinterStateScreen, VatTableScreen
from ipos_tui.ui.screens.registration import RegistrationScreen

from ui_helpers import enter_code, login, screen_text, status, type_text


async def sell(pilot, *codes: str, card: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Ring up ``codes`` and pay the whole amount in cash (or by an approved card)."""
    for code in codes:
        await enter_code(pilot, code)
    await pilot.press("plus")
    if card:
        await pilot.press("asterisk", "enter")  # karta, the whole amount
        assert isinstance(pilot.app.screen, ConfirmDialog)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, TextViewDialog)
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(pilot.app.screen, RegistrationScreen)


async def open_configuration(pilot, item: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("f2", "8")
    await pilot.pause()
    await pilot.press(item)
    await pilot.pause()


async def test_configuration_lists_printer_and_card_app_but_not_before_login(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2", "1")  # service menu → Konfiguracja
        await pilot.pause()
        assert "5. Drukarka fiskalna" not in screen_text(pilot)
        await pilot.press("escape", "escape")
        await login(pilot)
        await pilot.press("f2", "8")
        await pilot.pause()
        text = screen_text(pilot)
        assert "5. Drukarka fiskalna" in text and "6. Aplikacja płatnicza" in text
        assert "1–6" in text


async def test_every_receipt_is_journaled_and_found_by_number_date_and_text(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot, "1")
        await sell(pilot, "9")  # Jogurt grecki
        printer = app.till.printer
        documents = {doc.number: doc.uuid for doc in app.terminal.ledger.list_documents()}
        assert [(e.number, e.document_number, e.document_uuid) for e in printer.journal()] == [
            (2, 2, documents[2]), (1, 1, documents[1]),
        ]
        await open_configuration(pilot, "5")
        assert isinstance(app.screen, MenuScreen)
        await pilot.press("3")
        await pilot.pause()
        assert isinstance(app.screen, JournalScreen)
        assert status(pilot) == "Wydruków: 2. Wpisz nr, datę lub tekst, aby szukać."
        rows = [row for row in screen_text(pilot).splitlines() if "Dokument fiskalny" in row]
        assert len(rows) == 2 and "000002" in rows[0] and "SUMA PLN" in rows[0]
        await type_text(pilot, "jogurt")
        await pilot.pause()
        assert app.screen.entries and [e.document_number for e in app.screen.entries] == [2]
        assert status(pilot).startswith("Znaleziono: 1")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        assert "Jogurt grecki" in app.screen.text and "EJ 000002" in app.screen.text
        assert app.screen.title_text.startswith("Wydruk nr 000002")
        await pilot.press("escape")
        await pilot.press("asterisk")  # all again
        await pilot.pause()
        assert len(app.screen.entries) == 2
        await type_text(pilot, "26.11.2026")
        await pilot.pause()
        assert len(app.screen.entries) == 2
        await pilot.press("asterisk", *"1")
        await pilot.pause()
        assert [e.document_number for e in app.screen.entries][0] == 1
        await pilot.press("asterisk", *"zzzz")
        await pilot.pause()
        assert app.screen.entries == []
        assert status(pilot) == "Nic nie pasuje. * pokazuje wszystkie wydruki."
        await pilot.press("enter")  # nothing to open: stays
        assert isinstance(app.screen, JournalScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, MenuScreen)


async def test_printed_file_is_the_journaled_text(make_app, demo_dir) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot, "1")
        (entry,) = app.till.printer.journal()
    (saved,) = (demo_dir / "printouts").glob("*.txt")
    assert saved.read_text("utf-8") == entry.text


async def test_vat_table_and_state_screens(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot, "1")
        await open_configuration(pilot, "5")
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, VatTableScreen)
        text = screen_text(pilot)
        mleko_letter = app.terminal.catalog.find_by_code("1").vat_letter  # type: ignore[union-attr]
        (row,) = [line for line in text.splitlines() if line.startswith(f"│ {mleko_letter} ")]
        assert "tak" in row
        assert "Stawki zgodne z zapleczem." in text
        await pilot.press("escape", "2")
        await pilot.pause()
        assert isinstance(app.screen, PrinterStateScreen)
        text = screen_text(pilot)
        assert "IPD 00000001" in text
        assert [line for line in text.splitlines() if "Liczba wydruków:" in line][0].split()[-2] == "1"


async def test_card_payment_goes_through_the_card_app_and_settles(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot, "9", card=True)  # 5,99 by card
        (tx,) = app.till.card_app.open_transactions()
        receipt = app.terminal.ledger.list_documents()[0]
        assert (tx.amount, tx.state, tx.receipt_uuid, tx.receipt_number) == (599, "approved", receipt.uuid, 1)
        await open_configuration(pilot, "6")
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, CardTransactionsScreen)
        text = screen_text(pilot)
        assert tx.auth_code in text and tx.card_masked in text and "000001" in text
        assert status(pilot) == "Od ostatniego rozliczenia: transakcji 1, suma 5,99\xa0zł."
        assert app.screen.query_one("#card-box").border_subtitle == "Nie było jeszcze rozliczenia"
        await pilot.press("enter")  # the receipt it paid
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog) and "SUMA PLN" in app.screen.text
        await pilot.press("escape", "escape", "2")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # not now
        assert app.till.card_app.last_settlement() is None
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        assert app.screen.title_text == "Rozliczenie nr 0001"
        assert "Transakcje kartą                       1" in app.screen.text
        assert app.till.card_app.open_transactions() == []
        kinds = [e.kind for e in app.till.printer.journal()]
        assert kinds == ["settlement", "receipt"]
        await pilot.press("escape", "1")
        await pilot.pause()
        assert status(pilot).startswith("Brak transakcji kartą. Od ostatniego rozliczenia: transakcji 0")
        subtitle = app.screen.query_one("#card-box").border_subtitle
        assert subtitle == "Ostatnie rozliczenie: nr 1, 2026-11-26 12:04"


async def test_withdrawn_card_payment_is_reversed(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "9")
        await enter_code(pilot, "9")  # 11,98
        await pilot.press("plus", "asterisk", *"500", "enter")  # 5,00 by card
        await pilot.press("enter")  # approved
        await pilot.pause()
        assert isinstance(app.screen, PaymentScreen) and app.screen.card_ids
        await pilot.press("escape")  # withdraw the payments
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        (tx,) = app.till.card_app.open_transactions()
        assert (tx.amount, tx.state, tx.receipt_uuid) == (500, "reversed", None)
        assert app.till.card_app.period_totals() == (0, 0)


async def test_declined_card_records_nothing(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "9")
        await pilot.press("plus", "asterisk", "enter", "escape")  # declined
        await pilot.pause()
        assert app.till.card_app.open_transactions() == []
