"""Label-scale codes on the registration screen (issue 14, item 7).

Bad input tried: a weighed label with a wrong check digit (refused, nothing sold),
a label for a PLU the catalogue lacks, a weight label for a piece product, the
setting emptied by the back office (a 27… code is then an unknown barcode).
"""

from __future__ import annotations

from ipos_tui.domain.scale_code import with_check_digit

from ui_helpers import enter_code, login, screen_text, set_catalogue_settings, status


def _product(app, name: str):  # type: ignore[no-untyped-def]
    return next(p for p in app.terminal.catalog.search(name) if p.name == name)


async def test_weighed_label_sells_its_weight(make_app) -> None:
    app = make_app()
    gouda = _product(app, "Żółty ser Gouda")
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        code = with_check_digit(f"27{int(gouda.plu):05d}00457")
        await enter_code(pilot, code)
        line = app.receipt.lines[0]
        assert (line.name, line.qty, line.unit, line.unit_price) == ("Żółty ser Gouda", 457, "kg", 3490)
        assert line.value == 1595  # 0,457 kg x 34,90 zł = 15,9493 -> 15,95
        assert "15,95" in screen_text(pilot)
        assert status(pilot).startswith("Żółty ser Gouda")


async def test_priced_label_charges_the_label_value(make_app) -> None:
    app = make_app()
    gouda = _product(app, "Żółty ser Gouda")
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, with_check_digit(f"23{int(gouda.plu):05d}01234"))
        await enter_code(pilot, "1")
        line = app.receipt.lines[0]
        assert (line.name, line.qty, line.unit, line.unit_price, line.value) == (
            "Żółty ser Gouda", 1000, "szt.", 1234, 1234)
        assert line.vat_letter == gouda.vat_letter
        assert app.receipt.total == 1234 + app.receipt.lines[1].value
        assert "12,34" in screen_text(pilot)


async def test_wrong_check_digit_is_refused_with_the_right_digit(make_app) -> None:
    app = make_app()
    gouda = _product(app, "Żółty ser Gouda")
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        good = with_check_digit(f"27{int(gouda.plu):05d}00457")
        bad = good[:12] + str((int(good[12]) + 1) % 10)
        await enter_code(pilot, bad)
        assert app.receipt.is_empty
        assert status(pilot) == f"Kod z wagi {bad}: zła cyfra kontrolna (ma być {good[12]}), zeskanuj ponownie."
        assert app.screen.query_one("#code").value == ""


async def test_unknown_plu_and_piece_product_are_refused(make_app) -> None:
    app = make_app()
    milk = app.terminal.catalog.find_by_code("1")
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, with_check_digit("279999900457"))
        assert status(pilot) == "Kod z wagi: brak towaru o PLU 99999."
        await enter_code(pilot, with_check_digit(f"27{int(milk.plu):05d}00457"))
        assert status(pilot).startswith("Kod z wagi niesie wagę")
        assert app.receipt.is_empty


async def test_the_back_office_setting_decides(make_app) -> None:
    app = make_app()
    set_catalogue_settings(app.terminal, scale_codes="")
    gouda = _product(app, "Żółty ser Gouda")
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, with_check_digit(f"27{int(gouda.plu):05d}00457"))
        assert status(pilot) == "nie znaleziono pasującego towaru"
        assert app.receipt.is_empty
