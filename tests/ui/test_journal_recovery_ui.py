"""A receipt committed just before a crash is printed when the till starts again
(issue 14, item 4): the journal gets it once, the login screen says so, and the
next start prints nothing more."""

from __future__ import annotations

from pathlib import Path

from ui_helpers import status

from ipos_tui.domain.receipt import Payment
from ipos_tui.store.db import open_terminal
from ipos_tui.ui.screens.login import LoginScreen
from ipos_tui.till import Till


def crash_after_commit(demo_dir: Path, clock) -> str:  # type: ignore[no-untyped-def]
    """Commit a sale as the payment screen does, and die before printing it."""
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "unit" / "terminal"))
    from terminal_support import CASHIER, receipt_of

    with open_terminal(demo_dir) as terminal:
        for _ in range(11):  # eleven printed as usual before
            receipt = receipt_of(terminal, [("1", 1000)])
            stored = terminal.ledger.commit_receipt(receipt, [Payment("gotowka", "gotówka", receipt.total)],
                                                    cashier=CASHIER, now=clock())
            Till(terminal).printer.print_receipt("...", document_uuid=stored.uuid, document_number=stored.number,
                                               letters=(), now=clock())
        receipt = receipt_of(terminal, [("101", 2000)])
        stored = terminal.ledger.commit_receipt(receipt, [Payment("gotowka", "gotówka", receipt.total)],
                                                cashier=CASHIER, now=clock())
        return stored.uuid


async def test_the_receipt_a_crash_left_unprinted_is_printed_at_start(make_app, demo_dir: Path, clock) -> None:
    uuid = crash_after_commit(demo_dir, clock)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        assert status(pilot) == "Wydrukowano 1 zaległy dokument: Paragon nr 000012."
        (entry,) = app.till.printer.printouts_of(uuid)
        assert entry.kind == "receipt" and entry.document_number == 12 and "Chleb" in entry.text
    assert (demo_dir / "printouts" / "receipt-000012.txt").exists()
    again = make_app()  # started once more: nothing left to print, nothing said
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert status(pilot) == ""
        assert len(again.till.printer.printouts_of(uuid)) == 1


async def test_the_notice_in_english(make_app, demo_dir: Path, clock) -> None:
    crash_after_commit(demo_dir, clock)
    app = make_app(language="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert status(pilot) == "Printed 1 document left unprinted: Receipt no. 000012."
