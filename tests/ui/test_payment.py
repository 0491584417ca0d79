"""Paying (Do zapłaty) and what a finished receipt leaves behind.

Bad input tried: cash below the total (stays open, shows what remains), a card
amount above what remains, a declined card, an invalid NIP on an invoice, an empty
buyer name, Esc after a partial payment (asks first).
"""

from __future__ import annotations

from ipos_tui.domain.money import format_money
from ipos_tui.ui.dialogs import ConfirmDialog, FormDialog, TextViewDialog
from ipos_tui.ui.screens.payment import PaymentScreen
from ipos_tui.ui.screens.registration import RegistrationScreen

from ui_helpers import enter_code, login, screen_text, status, type_text


async def ring_up(pilot, *codes: str) -> None:  # type: ignore[no-untyped-def]
    await login(pilot)
    for code in codes:
        await enter_code(pilot, code)
    await pilot.press("plus")


async def test_cash_in_grosze_shows_change_and_finishes_the_receipt(make_app, demo_dir) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ring_up(pilot, "1", "5901200000027", "9")  # 3,49 + 3,29 + 5,99 = 12,77
        assert isinstance(app.screen, PaymentScreen)
        await type_text(pilot, "2000")
        text = screen_text(pilot)
        assert "\u2192 20,00\xa0zł" in text
        (change_row,) = [row for row in text.splitlines() if "Reszta:" in row]
        assert change_row.split("Reszta:")[1].strip(" │") == format_money(723)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        printout = str(app.screen.text)
        assert "SUMA PLN" in printout and "12,77" in printout and "7,23" in printout
        await pilot.press("escape")
        assert isinstance(app.screen, RegistrationScreen)
        assert app.receipt.is_empty
        assert status(pilot) == f"Paragon nr 000001 zapisany. Reszta: {format_money(723)}"
        assert "☁ 1" in screen_text(pilot).splitlines()[0]
    (summary,) = app.terminal.ledger.list_documents() if not app.terminal.closed else [None]
    assert summary is None or summary.upload_state == "pending"
    printouts = list((demo_dir / "printouts").glob("*.txt"))
    assert len(printouts) == 1 and "7,23" in printouts[0].read_text("utf-8")


async def test_cash_below_total_leaves_the_rest_to_pay(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ring_up(pilot, "9", "9")  # 11,98
        await type_text(pilot, "1000")
        await pilot.press("enter")
        assert isinstance(app.screen, PaymentScreen)
        assert app.screen.state.remaining == 198
        assert status(pilot) == f"Przyjęto: gotówka {format_money(1000)}."
        await pilot.press("enter")  # empty amount pays what remains
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        detail = app.terminal.ledger.get_document(app.terminal.ledger.list_documents()[0].uuid)
        assert [(p.name, p.amount) for p in detail.payments] == [("gotówka", 1000), ("gotówka", 198)]


async def test_split_tender_voucher_then_card(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ring_up(pilot, "9", "9")  # 11,98
        await pilot.press("asterisk", "asterisk")  # gotówka → karta → bon
        assert "[bon]" in screen_text(pilot)
        await type_text(pilot, "500")
        await pilot.press("enter")
        await pilot.press("asterisk", "asterisk", "asterisk")  # przelew → gotówka → karta
        assert "[karta]" in screen_text(pilot)
        await type_text(pilot, "9999")
        await pilot.press("enter")
        assert status(pilot).startswith("Ta metoda nie wydaje reszty")
        await pilot.press("backspace", "backspace", "backspace", "backspace")
        await pilot.press("enter")  # the rest by card
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # the simulated terminal approves
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        detail = app.terminal.ledger.get_document(app.terminal.ledger.list_documents()[0].uuid)
        assert [(p.method, p.amount) for p in detail.payments] == [("bon", 500), ("karta", 698)]


async def test_declined_card_keeps_the_receipt_open(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ring_up(pilot, "9")
        await pilot.press("asterisk", "enter")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        assert isinstance(app.screen, PaymentScreen)
        assert status(pilot).startswith("Transakcja kartą odrzucona")
        assert app.screen.state.paid == 0
        assert app.terminal.ledger.list_documents() == []


async def test_invoice_refuses_a_bad_nip_then_takes_a_good_one(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ring_up(pilot, "9")
        await pilot.press("f3", "1")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        await type_text(pilot, "1234567890")
        await pilot.press("enter")
        assert "Nieprawidłowy NIP: „1234567890”" in screen_text(pilot)
        assert app.screen.focused.id == "field-nip"
        field = app.screen.query_one("#field-nip")
        field.value = ""
        await type_text(pilot, "526-104-57-31")
        await pilot.press("asterisk")
        await type_text(pilot, "Firma Testowa sp. z o.o.")
        await pilot.press("enter")
        await pilot.press("enter")  # address left empty
        assert "Uzupełnij pole: Adres." in screen_text(pilot)
        await type_text(pilot, "ul. Prosta 1, 00-001 Warszawa")
        await pilot.press("enter")
        assert isinstance(app.screen, PaymentScreen)
        assert "Dokument: Faktura" in screen_text(pilot)
        assert "NIP 526-104-57-31" in screen_text(pilot)
        await pilot.press("enter")
        await pilot.pause()
        detail = app.terminal.ledger.get_document(app.terminal.ledger.list_documents()[0].uuid)
        assert detail.kind == "faktura"
        assert detail.buyer.nip == "5261045731"
        assert detail.buyer.name == "Firma Testowa sp. z o.o."
        assert "5261045731" in str(app.screen.text).replace("-", "")


async def test_receipt_with_nip_asks_only_the_nip(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ring_up(pilot, "9")
        await pilot.press("f3", "3")
        await pilot.pause()
        await type_text(pilot, "5261045731")
        await pilot.press("enter")
        assert isinstance(app.screen, PaymentScreen)
        await pilot.press("enter")
        await pilot.pause()
        detail = app.terminal.ledger.get_document(app.terminal.ledger.list_documents()[0].uuid)
        assert (detail.kind, detail.buyer.nip) == ("paragon_nip", "5261045731")


async def test_escape_after_a_partial_payment_asks_first(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ring_up(pilot, "9")
        await type_text(pilot, "100")
        await pilot.press("enter", "escape")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        assert isinstance(app.screen, PaymentScreen)
        await pilot.press("escape", "enter")
        assert isinstance(app.screen, RegistrationScreen)
        assert app.receipt.total == 599
        assert app.terminal.ledger.list_documents() == []


async def test_numbers_are_gapless_across_receipts(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        for _ in range(3):
            await enter_code(pilot, "1")
            await pilot.press("plus", "enter")
            await pilot.pause()
            await pilot.press("escape")
        numbers = [doc.number for doc in app.terminal.ledger.list_documents()]
        assert numbers == [3, 2, 1]


def _make_pricey(app, price: int) -> None:  # type: ignore[no-untyped-def]
    """Product "9" costs ``price`` grosze (a sale above the NIP receipt limit)."""
    from dataclasses import replace

    product = app.terminal.catalog.find_by_code("9")
    app.terminal.catalog.upsert_products([replace(product, price=price)])


async def test_receipt_with_nip_above_450_zl_warns_and_offers_an_invoice(make_app) -> None:
    app = make_app()
    _make_pricey(app, 51234)
    async with app.run_test(size=(80, 24)) as pilot:
        await ring_up(pilot, "9")
        await pilot.press("f3", "3")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        text = app.screen.question
        assert "Paragon z NIP do 450 zł brutto" in text and "512,34\xa0zł" in text
        assert "Wystawić fakturę?" in " ".join(screen_text(pilot).split())
        await pilot.press("enter")  # yes: a Faktura, which asks name and address too
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        await type_text(pilot, "5261045731")
        await pilot.press("enter")
        await type_text(pilot, "Firma Testowa sp. z o.o.")
        await pilot.press("enter")
        await type_text(pilot, "ul. Prosta 1, 00-001 Warszawa")
        await pilot.press("enter")
        assert isinstance(app.screen, PaymentScreen)
        assert "Dokument: Faktura" in screen_text(pilot)
        await pilot.press("enter")
        await pilot.pause()
        detail = app.terminal.ledger.get_document(app.terminal.ledger.list_documents()[0].uuid)
        assert detail.kind == "faktura" and detail.invoice_number == "FV/K1/11/2026/0001"
        # the cashier is told the invoice's own number, not its place in the receipt count
        assert "Faktura nr FV/K1/11/2026/0001" in screen_text(pilot)
        assert "Faktura nr 000001" not in screen_text(pilot)


async def test_the_cashier_may_keep_the_receipt_with_nip_above_450_zl(make_app) -> None:
    app = make_app()
    _make_pricey(app, 51234)
    async with app.run_test(size=(80, 24)) as pilot:
        await ring_up(pilot, "9")
        await pilot.press("f3", "3")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # no: keep Paragon z NIP, only the NIP is asked
        await pilot.pause()
        await type_text(pilot, "5261045731")
        await pilot.press("enter")
        assert isinstance(app.screen, PaymentScreen)
        await pilot.press("enter")
        await pilot.pause()
        detail = app.terminal.ledger.get_document(app.terminal.ledger.list_documents()[0].uuid)
        assert (detail.kind, detail.invoice_number) == ("paragon_nip", None)
