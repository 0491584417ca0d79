"""Ringing up a receipt on the registration screen (PRODUCT.md §4).

Bad input tried: an unknown PLU, a 14-digit code, letters in a code, letters and too
many decimals in a quantity, a zero quantity, a price of 0 for an open-price item,
`#` on an empty receipt, a price change and a free discount without permission, Del
on an empty receipt, Esc on a receipt with lines (void asks first; "no" keeps it).
"""

from __future__ import annotations

from ipos_tui.domain.money import format_money
from ipos_tui.ui.dialogs import ConfirmDialog, FormDialog, MenuScreen
from ipos_tui.ui.screens.registration import RegistrationScreen

from ui_helpers import enter_code, login, screen_text, status, type_text


def names(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [line.name for line in app.receipt.lines]


async def test_sell_by_plu_and_by_ean(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "1")
        await enter_code(pilot, "5901200000027")
        assert names(app) == ["Mleko 3,2% 1l", "Mleko 2% 1l"]
        assert app.receipt.total == 349 + 329
        assert "SUMA:  6,78\xa0zł" in screen_text(pilot)
        assert status(pilot).startswith("Mleko 2% 1l")


async def test_same_item_twice_adds_to_the_quantity(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "1")
        await enter_code(pilot, "1")
        assert len(app.receipt.lines) == 1
        assert app.receipt.lines[0].qty == 2000


async def test_unknown_and_malformed_codes_say_why(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "99999")
        assert status(pilot) == "nie znaleziono pasującego towaru"
        await enter_code(pilot, "59012000000271")
        assert status(pilot).startswith("Nieprawidłowy kod: „59012000000271”")
        await enter_code(pilot, "12ab")
        assert status(pilot).startswith("Nieprawidłowy kod")
        assert app.receipt.is_empty
        assert app.screen.query_one("#code").value == ""


async def test_name_search_folds_diacritics_and_adds_the_pick(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("asterisk")
        assert "NAZWA" in screen_text(pilot)
        await type_text(pilot, "zolty ser")
        assert "Żółty ser Gouda" in screen_text(pilot)
        await pilot.press("enter")
        # a kg item asks its weight before it is added
        assert "Podaj ilość (kg)" in status(pilot)
        await type_text(pilot, "0,25")
        await pilot.press("enter")
        line = app.receipt.lines[0]
        assert (line.name, line.qty, line.unit) == ("Żółty ser Gouda", 250, "kg")


async def test_t9_digits_find_mleko_and_arrows_pick_another_match(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("asterisk")
        await type_text(pilot, "65356")
        text = screen_text(pilot)
        assert "Mleko 3,2% 1l" in text and "Mleko 2% 1l" in text
        picks = [product.name for product in app.screen.picks]
        await pilot.press("down", "enter")
        assert names(app) == [picks[1]]


async def test_empty_name_search_lists_the_most_sold_first(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        for _ in range(3):
            await enter_code(pilot, "12")
        await pilot.press("plus", "enter")  # pay exactly in cash
        await pilot.press("escape")  # close the printout
        await pilot.press("asterisk")
        assert app.screen.picks[0].plu == "12"
        assert status(pilot).startswith("Najczęściej sprzedawane")


async def test_hash_edits_quantity_then_price_with_permission(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)  # Anna Kowalska may change prices
        await enter_code(pilot, "1")
        await pilot.press("number_sign")
        assert "ILOŚĆ" in screen_text(pilot)
        await type_text(pilot, "3")
        await pilot.press("enter")
        assert app.receipt.lines[0].qty == 3000
        await pilot.press("number_sign", "number_sign")
        assert "CENA" in screen_text(pilot)
        await type_text(pilot, "2,99")
        await pilot.press("enter")
        assert app.receipt.lines[0].unit_price == 299
        assert app.receipt.total == 897


async def test_numpad_slash_works_like_hash(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "1")
        await pilot.press("slash")
        await type_text(pilot, "2")
        await pilot.press("ctrl+j")  # numpad Enter under tmux
        assert app.receipt.lines[0].qty == 2000


async def test_price_change_needs_permission(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1003", "3333")  # stażysta: no permissions
        await enter_code(pilot, "1")
        await pilot.press("number_sign", "number_sign")
        assert "Autoryzacja kierownika" in screen_text(pilot)  # the way to ask a manager
        await pilot.press("escape")  # no manager: nothing changes
        assert status(pilot) == "Bez autoryzacji kierownika – nic nie zmieniono."
        assert "KOD" in screen_text(pilot)
        assert app.receipt.lines[0].unit_price == 349


async def test_bad_quantities_are_refused_and_the_line_kept(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "1")
        await pilot.press("number_sign")
        await type_text(pilot, "2x")
        await pilot.press("enter")
        assert status(pilot) == "Nieprawidłowa ilość: „2x”."
        assert "ILOŚĆ" in screen_text(pilot)  # still editing the quantity: type it again
        await type_text(pilot, "1,5")
        await pilot.press("enter")
        assert "po przecinku" in status(pilot)
        await type_text(pilot, "0")
        await pilot.press("enter")
        assert status(pilot) == "Ilość musi być większa od zera."
        assert app.receipt.lines[0].qty == 1000


async def test_open_price_item_asks_for_a_price_and_refuses_zero(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "2601")
        assert "wpisz cenę" in status(pilot)
        assert "379 = 3,79 zł" in screen_text(pilot)  # the money rule, in the field
        await enter_code(pilot, "0")
        assert status(pilot) == "Cena musi być większa od zera."
        assert app.receipt.is_empty
        await enter_code(pilot, "12,50")
        assert names(app) == ["Towar różny"]
        assert app.receipt.total == 1250
        await enter_code(pilot, "2601")
        await enter_code(pilot, "1250")  # digits only: grosze, as on the payment screen
        assert app.receipt.total == 2 * 1250  # the same item at the same price: one line, 2 szt.
        await enter_code(pilot, "2601")
        await enter_code(pilot, "12,")  # a comma: złoty
        assert app.receipt.lines[-1].unit_price == 1200
        await enter_code(pilot, "2601")
        await enter_code(pilot, "12,345")
        assert status(pilot).startswith("Nieprawidłowa kwota: „12,345”. Same cyfry to grosze")
        assert app.receipt.total == 2 * 1250 + 1200  # nothing taken


async def test_void_line_and_nothing_to_void(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await pilot.press("delete")
        assert status(pilot) == "Paragon nie ma pozycji."
        await enter_code(pilot, "1")
        await enter_code(pilot, "2")
        await pilot.press("up", "delete")
        assert names(app) == ["Mleko 2% 1l"]
        assert status(pilot) == "Usunięto pozycję: Mleko 3,2% 1l"


async def test_void_receipt_asks_first(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "1")
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # no: keep selling
        assert names(app) == ["Mleko 3,2% 1l"]
        await pilot.press("escape", "enter")  # Esc then Enter by accident: still "nie"
        assert isinstance(app.screen, RegistrationScreen)
        assert names(app) == ["Mleko 3,2% 1l"]
        await pilot.press("escape", "t")  # only T (or 1) says "tak"
        assert app.receipt.is_empty
        assert status(pilot) == "Paragon anulowany."


async def test_predefined_line_discount_for_anybody(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1003", "3333")
        await enter_code(pilot, "9")  # Jogurt grecki 5,99
        await pilot.press("f4")
        assert isinstance(app.screen, MenuScreen)
        (number,) = [item.number for item in app.screen.items if "Rabat 10%" in item.text()]
        await pilot.press(str(number))
        assert app.receipt.total == 599 - 60
        assert "rabat 10" in screen_text(pilot)


async def test_free_discounts_need_permission(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1003", "3333")
        await enter_code(pilot, "9")
        await pilot.press("f4", "1")
        assert "Autoryzacja kierownika" in screen_text(pilot)
        await pilot.press("escape")
        assert app.receipt.total == 599


async def test_free_amount_and_receipt_percent_discounts(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1002", "2222")  # kasjer: free discounts allowed
        await enter_code(pilot, "9")
        await enter_code(pilot, "5")
        await pilot.press("f4", "1")
        assert isinstance(app.screen, FormDialog)
        await type_text(pilot, "1,00")
        await pilot.press("enter")
        assert app.receipt.total == 599 + 579 - 100
        await pilot.press("f4", "4")
        await type_text(pilot, "10")
        await pilot.press("enter")
        assert app.receipt.total == 1078 - 108
        assert sum(line.value for line in app.receipt.lines) == app.receipt.total
        assert f"SUMA:  {format_money(970)}" in screen_text(pilot)


async def test_bad_discount_value_keeps_the_form_open(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "9")
        await pilot.press("f4", "2")
        await type_text(pilot, "150")
        await pilot.press("enter")
        assert isinstance(app.screen, FormDialog)
        assert "Nieprawidłowy procent" in screen_text(pilot)
        await pilot.press("escape")
        assert app.receipt.total == 599
