"""The return flow at 80x24, keyboard only: F7 on an empty receipt or Z in 5.
Transakcje, the receipt code, lines with sold / returned / returnable, quantities,
refund in cash or to card up to its limit, the printout, the list entry.

Bad input tried: F7 with an open receipt, a cashier without the permission, an
unknown and a malformed code, more than can be returned, a card refund for a
receipt paid in cash, Z on a return row.
"""

from __future__ import annotations

from ipos_tui.ui.dialogs import ConfirmDialog, FormDialog, MenuScreen, TextViewDialog
from ipos_tui.ui.screens.registration import RegistrationScreen
from ipos_tui.ui.screens.returns import ReturnScreen
from ipos_tui.ui.screens.transactions import TransactionsScreen

from ui_helpers import enter_code, login, screen_text, status, type_text


async def sell(pilot, *codes: str, card: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Ring up ``codes`` and pay exactly (cash, or by approved card); close the printout."""
    for code in codes:
        await enter_code(pilot, code)
    await pilot.press("plus")
    if card:
        await pilot.press("asterisk", "enter")
        await pilot.pause(0.05)
    await pilot.press("enter")
    await pilot.pause(0.05)
    await pilot.press("escape")


async def open_return(pilot, code: str) -> ReturnScreen:  # type: ignore[no-untyped-def]
    await pilot.press("f7")
    assert isinstance(pilot.app.screen, FormDialog)
    await enter_code(pilot, code)
    screen = pilot.app.screen
    assert isinstance(screen, ReturnScreen)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def test_return_part_of_a_receipt_in_cash(make_app, demo_dir) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot, "9", "9", "1")  # 2 × Jogurt grecki (merged), Mleko
        screen = await open_return(pilot, "K1-000001")
        text = screen_text(pilot)
        assert "Paragon K1-000001" in text and "Jogurt grecki" in text
        assert screen.source is not None and [l.returnable for l in screen.source.lines] == [2000, 1000]
        await type_text(pilot, "1")
        await pilot.press("enter")  # 1 jogurt; the highlight moves to Mleko
        assert "zwrot 1 szt. = 5,99" in status(pilot)
        await pilot.press("asterisk")  # the whole Mleko line
        assert "DO ZWROTU:  9,48\xa0zł" in screen_text(pilot)
        await pilot.press("plus")
        assert isinstance(app.screen, MenuScreen)
        await pilot.press("1")  # gotówka
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "Zwrócić 9,48\xa0zł (gotówka)?" in str(app.screen.question)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        printout = str(app.screen.text)
        assert "ZWROT TOWARU" in printout and "Do paragonu" in printout and "K1-000001" in printout
        await pilot.press("escape")
        assert isinstance(app.screen, RegistrationScreen)
        assert status(pilot) == "Zwrot nr Z000001 zapisany: 9,48\xa0zł (gotówka)."
        assert "☁ 2" in screen_text(pilot).splitlines()[0]
        doc = app.terminal.ledger.find_by_number(1, "return")
        assert doc is not None and doc.total == 948 and doc.payments[0].method == "gotowka"
        assert [(line.original_line, line.qty) for line in doc.lines] == [(0, 1000), (1, 1000)]
        # again: only the second jogurt is left
        screen = await open_return(pilot, "1")
        assert [line.returnable for line in screen.source.lines] == [1000, 0]  # type: ignore[union-attr]
        await type_text(pilot, "2")
        await pilot.press("enter")
        assert "najwyżej 1 szt." in status(pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, RegistrationScreen)
    assert (demo_dir / "printouts" / "return-000001.txt").exists()


async def test_f7_is_refused_with_an_open_receipt_or_without_permission(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1003", "3333")  # stażysta: no "returns"
        await pilot.press("f7")
        assert "Autoryzacja kierownika" in screen_text(pilot)  # a manager's PIN first
        await pilot.press("escape")
        assert isinstance(app.screen, RegistrationScreen)
        assert status(pilot) == "Bez autoryzacji kierownika – nic nie zmieniono."
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        assert "F7 Zwrot" in screen_text(pilot).splitlines()[-1]
        await enter_code(pilot, "1")
        await pilot.pause()
        assert "Zwrot" not in screen_text(pilot).splitlines()[-1]  # not offered while selling
        await pilot.press("f7")
        assert isinstance(app.screen, RegistrationScreen)
        assert status(pilot).startswith("Najpierw zakończ albo anuluj bieżący paragon")  # says why
        await pilot.press("escape", "t")  # void the receipt: F7 is back
        await pilot.pause()
        assert "F7 Zwrot" in screen_text(pilot).splitlines()[-1]


async def test_unknown_and_malformed_codes(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await open_return(pilot, "K1-000042")
        assert status(pilot) == "Nie znaleziono paragonu K1-000042. Sprawdź kod na paragonie."
        await pilot.press("plus")  # nothing to refund: nothing happens
        assert isinstance(app.screen, ReturnScreen)
        assert "Forma zwrotu" not in screen_text(pilot)  # no picking keys without an original
        await pilot.press("escape")
        await pilot.press("f7")
        await enter_code(pilot, "Kx-1")  # refused in the form, which stays open
        assert isinstance(app.screen, FormDialog)
        assert "„Kx-1” nie jest kodem paragonu" in screen_text(pilot)


async def test_card_refund_only_up_to_the_card_amount(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot, "1")  # cash
        await sell(pilot, "9", card=True)  # card
        await open_return(pilot, "K1-1")
        await pilot.press("asterisk", "plus")
        assert "Karta – niedostępna" in screen_text(pilot)
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, ReturnScreen)
        assert status(pilot).startswith("Na kartę można zwrócić najwyżej 0,00")
        await pilot.press("escape")
        await open_return(pilot, "K1-2")
        await pilot.press("asterisk", "plus")
        assert "Karta (do 5,99\xa0zł)" in screen_text(pilot)
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")
        assert status(pilot) == "Zwrot nr Z000001 zapisany: 5,99\xa0zł (karta)."
    refund = app.till.card_app.open_transactions()[0]
    assert (refund.kind, refund.amount) == ("refund", 599)


async def test_return_from_the_transaction_list(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot, "1", "1")
        await pilot.press("f2", "5")
        await pilot.pause()
        assert isinstance(app.screen, TransactionsScreen)
        await pilot.press("z")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReturnScreen)
        await pilot.press("asterisk", "enter")  # empty Enter: on to the refund
        assert isinstance(app.screen, MenuScreen)
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")
        assert isinstance(app.screen, TransactionsScreen)
        rows = screen_text(pilot)
        assert "Z000001" in rows and "Zwrot" in rows and "-6,98" in rows
        await pilot.press("z")  # the highlighted row is the return itself
        assert status(pilot).startswith("To jest zwrot")
        await pilot.press("enter")
        assert isinstance(app.screen, TextViewDialog) and "ZWROT TOWARU" in str(app.screen.text)


async def test_another_tills_receipt_needs_the_connection(make_app, demo_dir) -> None:
    """A till whose back office does not answer: a receipt of another till cannot be
    returned and the cashier is told why; one of this till still can."""
    from ipos_tui.store.connection import Connection, ConnectionStore
    from ipos_tui.store.db import open_terminal

    with open_terminal(demo_dir) as terminal:
        with terminal.db.atomic():
            ConnectionStore(terminal.db, terminal.models).save(
                Connection("http://127.0.0.1:9", 1, 1, "token", "Kasa 1"))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await sell(pilot, "1")
        await open_return(pilot, "K7-000012")
        assert status(pilot).startswith("Paragon K7-000012 jest z innej kasy – do zwrotu potrzebne jest połączenie")
        await pilot.press("escape")
        screen = await open_return(pilot, "K1-000001")
        assert screen.source is not None and not screen.source.remote_checked
        assert "zwroty na innych kasach nie są uwzględnione" in screen_text(pilot)
