"""One rule for money typed on the till, and questions before the unusual.

Every money field reads digits only as grosze (2000 = 20,00 zł) and a comma or point
as złoty (20, = 20,00 zł), and says so in its hint. A quantity, line value or change
far beyond the usual (the back office's large_quantity / large_amount) is asked about
first, with "nie" the default. A discount may never take the whole receipt.

Tried: 1 234 kg of cheese, a price of 5 000 zł typed with #, 5 000 zł tendered for a
3,49 zł receipt, "20," tendered, "12,345" and "abc" tendered, F4 3 99999 (more than the
total), F4 1 200 (2,00 zł, not 200 zł).
"""

from __future__ import annotations

from ipos_tui.ui.dialogs import ConfirmDialog, FormDialog
from ipos_tui.ui.screens.payment import PaymentScreen
from ipos_tui.ui.screens.registration import RegistrationScreen

from ui_helpers import enter_code, login, screen_text, set_catalogue_settings, status, type_text


async def weigh_cheese(pilot, weight: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("asterisk")
    await type_text(pilot, "zolty ser")
    await pilot.press("enter")
    await enter_code(pilot, weight)


async def test_a_huge_weight_is_asked_about_and_nie_is_the_default(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await weigh_cheese(pilot, "1234")
        assert isinstance(app.screen, ConfirmDialog)
        text = screen_text(pilot)
        assert "1234,000 kg" in text and "43 066,60" in text.replace("\u00a0", " ")
        await pilot.press("enter")  # Enter: "nie"
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        assert app.receipt.is_empty
        assert status(pilot) == "Nie dodano – wpisz poprawną wartość."
        await enter_code(pilot, "1,234")  # the weight it should have been: still asking for it
        assert app.receipt.lines[0].qty == 1234 and app.receipt.total == 4307


async def test_a_huge_weight_is_taken_when_confirmed(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await weigh_cheese(pilot, "120")
        await pilot.press("t")
        await pilot.pause()
        assert app.receipt.lines[0].qty == 120_000


async def test_the_limits_come_from_the_back_office(make_app) -> None:
    app = make_app()
    set_catalogue_settings(app.terminal, large_quantity=1000, large_amount=10_000_000)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await weigh_cheese(pilot, "120")  # 120 kg is usual in this shop
        assert isinstance(app.screen, RegistrationScreen)
        assert app.receipt.lines[0].qty == 120_000


async def test_a_huge_price_typed_with_hash_is_asked_about(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "1")
        await pilot.press("number_sign", "number_sign")
        assert "379 = 3,79 zł" in screen_text(pilot)
        await enter_code(pilot, "5000,00")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert app.receipt.lines[0].unit_price == 349
        await enter_code(pilot, "379")  # still in the price field: digits are grosze
        assert app.receipt.lines[0].unit_price == 379


async def pay_screen(pilot) -> None:  # type: ignore[no-untyped-def]
    await enter_code(pilot, "1")
    await pilot.press("plus")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PaymentScreen)


async def test_payment_takes_zloty_with_a_comma_and_says_the_rule(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pay_screen(pilot)
        text = screen_text(pilot)
        assert "Kwota:" in text and "2000 = 20,00 zł · 20, = 20 zł" in text
        await type_text(pilot, "20,")
        assert "20,00" in screen_text(pilot)  # the preview
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")  # the printout
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        assert "Reszta: 16,51" in status(pilot)


async def test_payment_refuses_bad_amounts_with_the_rule(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pay_screen(pilot)
        await type_text(pilot, "12,345")
        await pilot.press("enter")
        assert status(pilot).startswith("Nieprawidłowa kwota: „12,345”. Same cyfry to grosze (2000 = 20,00 zł)")
        assert isinstance(app.screen, PaymentScreen) and not app.screen.state.payments
        await pilot.press("ctrl+u")
        await type_text(pilot, "abc")  # letters cannot even be typed
        assert app.screen.query_one("#tendered").value == ""


async def test_a_huge_change_is_asked_about(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pay_screen(pilot)
        await type_text(pilot, "500000")  # 5 000,00 zł for 3,49 zł: meant 50,00?
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "4 996,51" in screen_text(pilot).replace("\u00a0", " ")
        await pilot.press("enter")  # nie
        await pilot.pause()
        assert isinstance(app.screen, PaymentScreen) and not app.screen.state.payments
        await type_text(pilot, "5000")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")  # the printout
        await pilot.pause()
        assert "Reszta: 46,51" in status(pilot)


async def test_receipt_discount_above_the_total_is_refused(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "9")  # 5,99
        await pilot.press("f4", "3")
        assert isinstance(app.screen, FormDialog)
        assert "2000 = 20,00 zł" in screen_text(pilot)  # the hint
        await type_text(pilot, "99999,")
        await pilot.press("enter")
        await pilot.pause()
        assert app.receipt.total == 599
        assert status(pilot).startswith("Rabat nie może objąć całej wartości (5,99")
        await pilot.press("f4", "3")
        await type_text(pilot, "200")  # grosze: 2,00 zł off, not 200 zł
        await pilot.press("enter")
        await pilot.pause()
        assert app.receipt.total == 399


async def test_line_shows_its_own_discount_and_its_share_of_the_receipt_discount_apart(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "9")  # 5,99
        await pilot.press("f4", "2")
        await type_text(pilot, "10")
        await pilot.press("enter")
        await pilot.press("f4", "3")
        await type_text(pilot, "1,")
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(pilot)
        assert "rabat 10" in text and "-0,60" in text
        assert "rabat na paragon" in text and "-1,00" in text
        assert app.receipt.total == 599 - 60 - 100


async def test_a_receipt_at_zero_says_why_it_cannot_be_paid(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "9")
        await enter_code(pilot, "1")
        await pilot.press("f4", "3")
        await type_text(pilot, "5,")  # 5 zł off 9,48 zł
        await pilot.press("enter")
        await pilot.press("up", "delete")  # the 5,99 line goes: the discount now takes all
        await pilot.press("plus")
        await pilot.pause()
        assert isinstance(app.screen, RegistrationScreen)
        assert status(pilot).startswith("Paragon na 0,00 zł nie może być wydrukowany")
