"""The simulated devices: fiscal printer (PTU table, state, electronic journal) and the
payment application (card payments, settlements).

Bad input tried: raising a used letter's rate (schodek podatkowy), a letter the
printer lacks, a rate of 100 %, a zero card amount, reversing a payment a receipt
already took, deleting or editing a journaled printout, settling an empty period.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from peewee import IntegrityError
from terminal_support import NOW

from ipos_tui.devices.printer import FiscalPrinter, rate_label
from ipos_tui.domain.errors import DomainError
from ipos_tui.i18n import LANGUAGES, catalogue
from ipos_tui.domain.records import TerminalInfo
from ipos_tui.store.db import Terminal, open_terminal
from ipos_tui.till import Till

STANDARD = {"A": 2300, "B": 800, "C": 500, "D": 0, "E": None}


def print_sale(printer: FiscalPrinter, number: int, text: str, letters: str = "A", minutes: int = 0) -> None:
    printer.print_receipt(
        text, document_uuid=f"uuid-{number}", document_number=number, letters=letters,
        now=NOW + timedelta(minutes=minutes),
    )


def test_first_use_takes_the_catalogue_rates_and_a_serial(demo_terminal: Terminal) -> None:
    printer = Till(demo_terminal).printer
    catalogue_rates = {rate.letter: rate.rate_bp for rate in demo_terminal.catalog.vat_rates()}
    assert printer.vat_table() == catalogue_rates == STANDARD
    state = printer.state()
    info = demo_terminal.settings.terminal_info()
    assert info is not None and state.serial == f"IPD {info.terminal_id:08d}"
    assert (state.printouts, state.last_printout, state.vat_table_date, state.vat_table_writes) == (0, None, None, 0)
    assert printer.used_letters() == set()


def test_a_fresh_terminal_printer_starts_with_the_polish_rates(fresh: Terminal) -> None:
    assert Till(fresh).printer.vat_table() == STANDARD
    assert Till(fresh).printer.state().serial == "IPD 00000000"


def test_a_receipt_printout_is_journaled_with_the_printer_footer(demo_terminal: Terminal) -> None:
    printer = Till(demo_terminal).printer
    print_sale(printer, 7, "PARAGON FISKALNY\nMleko 3,49 C\n", letters="CA")
    print_sale(printer, 8, "PARAGON FISKALNY\nChleb 5,99 C\n", letters="C", minutes=5)
    first, second = reversed(printer.journal())
    assert (first.number, second.number) == (1, 2)
    assert first.kind == "receipt" and first.document_uuid == "uuid-7" and first.document_number == 7
    assert first.text.endswith("EJ 000001                   IPD 00000001\n")
    assert "Mleko 3,49 C" in first.text
    state = printer.state()
    assert state.printouts == 2 and state.last_printout == NOW + timedelta(minutes=5)
    assert printer.used_letters() == {"A", "C"}
    assert [e.number for e in printer.printouts_of("uuid-8")] == [2]
    assert printer.entry(2) == second
    with pytest.raises(DomainError) as caught:
        printer.entry(3)
    assert caught.value.key == "err.printout_not_found" and caught.value.params == {"number": 3}


def test_the_journal_is_append_only(demo_terminal: Terminal) -> None:
    print_sale(Till(demo_terminal).printer, 1, "PARAGON\n")
    with pytest.raises(IntegrityError, match="never deleted"):
        demo_terminal.db.execute_sql("DELETE FROM printer_journal")
    with pytest.raises(IntegrityError, match="never changes"):
        demo_terminal.db.execute_sql("UPDATE printer_journal SET text = 'forged'")
    assert Till(demo_terminal).printer.journal()[0].text.startswith("PARAGON")


def test_journal_search_by_number_date_and_text(demo_terminal: Terminal) -> None:
    printer = Till(demo_terminal).printer
    print_sale(printer, 12, "PARAGON\nŻółw pluszowy 20,00 A\n")
    print_sale(printer, 3, "PARAGON\nMleko 3,49 C\nNr 000012 w tekście\n", minutes=60 * 24)
    print_sale(printer, 4, "PARAGON\nChleb 5,99 C\n", minutes=60 * 24 + 1)
    assert [e.number for e in printer.journal()] == [3, 2, 1]
    # digits: the document (or printout) with that number first, then text matches
    assert [e.document_number for e in printer.journal("12")] == [12, 3]
    assert [e.document_number for e in printer.journal("3")] == [4, 3]  # printout 3 is document 4
    assert [e.document_number for e in printer.journal("2026-11-26")] == [12]
    assert [e.document_number for e in printer.journal("2026-11-27")] == [4, 3]
    assert [e.document_number for e in printer.journal("2026-11")] == [4, 3, 12]
    assert [e.document_number for e in printer.journal("27.11.2026")] == [4, 3]
    assert [e.document_number for e in printer.journal("26.11")] == [12]
    assert [e.document_number for e in printer.journal("zolw")] == [12]
    assert [e.document_number for e in printer.journal("CHLEB")] == [4]
    assert printer.journal("nic takiego") == []
    assert len(printer.journal("", limit=2)) == 2


def test_pending_change_marks_only_raises_of_used_letters(demo_terminal: Terminal) -> None:
    printer = Till(demo_terminal).printer
    assert printer.pending_vat_change(STANDARD) is None
    assert printer.pending_vat_change({"A": 2300}) is None  # letters not named keep their rate
    print_sale(printer, 1, "PARAGON\n", letters="AB")
    change = printer.pending_vat_change({"A": 2500, "B": 700, "C": 800, "E": 0, "F": 1000})
    assert change is not None
    summary = {c.letter: (c.old_bp, c.new_bp, c.is_new, c.blocked) for c in change.changes}
    assert summary == {
        "A": (2300, 2500, False, True),  # used and raised: schodek podatkowy
        "B": (800, 700, False, False),  # used, lowered
        "C": (500, 800, False, False),  # raised but never printed
        "E": (None, 0, False, False),  # exempt to 0 % on an unused letter
        "F": (None, 1000, True, False),  # a new letter
    }
    assert [c.letter for c in change.blocked] == ["A"]
    assert change.writable() == {"B": 700, "C": 800, "E": 0, "F": 1000}


def test_write_refuses_a_schodek_and_writes_nothing(demo_terminal: Terminal) -> None:
    printer = Till(demo_terminal).printer
    print_sale(printer, 1, "PARAGON\n", letters="E")
    with pytest.raises(DomainError) as caught:
        printer.write_vat_table({"B": 700, "E": 2300}, NOW)  # exempt to 23 % raises E
    assert caught.value.key == "err.vat_schodek" and caught.value.params == {"letters": "E"}
    assert printer.vat_table() == STANDARD
    assert printer.state().printouts == 1 and printer.state().vat_table_writes == 0


def test_write_changes_the_table_and_prints_it(demo_terminal: Terminal) -> None:
    printer = Till(demo_terminal).printer
    print_sale(printer, 1, "PARAGON\n", letters="A")
    later = NOW + timedelta(hours=10)
    printout = printer.write_vat_table({"A": 2200, "F": 550}, later)
    assert printout is not None and printout.kind == "vat_table" and printout.number == 2
    assert printer.vat_table() == {**STANDARD, "A": 2200, "F": 550}
    assert "PTU A                                22%" in printout.text
    assert "PTU F                               5,5%" in printout.text
    assert printer.used_letters() == {"A"}  # a lowered letter stays tied to its goods
    state = printer.state()
    assert state.vat_table_date == later and state.vat_table_writes == 1 and state.printouts == 2
    assert printer.write_vat_table({"A": 2200}, later) is None  # nothing to change: no printout
    assert printer.state().printouts == 2


@pytest.mark.parametrize(
    ("rates", "key"),
    [({"H": 2300}, "err.vat_letter"), ({"A": 10_000}, "err.vat_rate_invalid"), ({"B": -1}, "err.vat_rate_invalid")],
)
def test_bad_rates_are_refused(demo_terminal: Terminal, rates: dict[str, int], key: str) -> None:
    with pytest.raises(DomainError) as caught:
        Till(demo_terminal).printer.write_vat_table(rates, NOW)
    assert caught.value.key == key
    assert Till(demo_terminal).printer.vat_table() == STANDARD


def test_rate_labels() -> None:
    assert [rate_label(r) for r in (2300, 550, 0, None, 805)] == ["23%", "5,5%", "0%", "zw.", "8,05%"]


def test_card_payments_are_recorded_linked_and_reversed(demo_terminal: Terminal) -> None:
    cards = Till(demo_terminal).card_app
    first = cards.authorize(1234, NOW)
    second = cards.authorize(500, NOW + timedelta(minutes=1))
    assert first.state == "approved" and first.receipt_uuid is None
    assert len(first.auth_code) == 6 and first.auth_code.isdigit()
    assert first.card_masked.startswith("4761 **** **** ") and first.card_masked[-4:].isdigit()
    cards.link_receipt([first.id], "receipt-uuid", 17)
    assert cards.reverse([first.id, second.id], NOW) == 1  # a receipt's payment is not reversible
    newest, oldest = cards.open_transactions()
    assert (newest.id, newest.state) == (second.id, "reversed")
    assert (oldest.receipt_uuid, oldest.receipt_number, oldest.state) == ("receipt-uuid", 17, "approved")
    assert cards.period_totals() == (1, 1234)
    with pytest.raises(DomainError) as caught:
        cards.authorize(0, NOW)
    assert caught.value.key == "err.amount_zero"


def test_settle_closes_the_period_and_prints_the_settlement(demo_terminal: Terminal) -> None:
    cards = Till(demo_terminal).card_app
    for amount in (1000, 2550):
        cards.authorize(amount, NOW)
    cards.reverse([cards.authorize(700, NOW).id], NOW)
    assert cards.last_settlement() is None
    settlement = cards.settle(NOW + timedelta(hours=8))
    assert (settlement.number, settlement.count, settlement.total, settlement.reversed_count) == (1, 2, 3550, 1)
    assert settlement.printout is not None and settlement.printout.kind == "settlement"
    assert "Transakcje kartą                       2" in settlement.printout.text
    assert "Suma PLN                           35,50" in settlement.printout.text
    assert cards.open_transactions() == [] and cards.period_totals() == (0, 0)
    journal = Till(demo_terminal).printer.journal()
    assert [e.kind for e in journal] == ["settlement"]
    cards.authorize(99, NOW + timedelta(hours=9))
    second = cards.settle(NOW + timedelta(hours=10))
    assert (second.number, second.count, second.total) == (2, 1, 99)
    assert "Poprzednie rozliczenie  2026-11-26 20:04" in (second.printout.text if second.printout else "")
    empty = cards.settle(NOW + timedelta(hours=11))
    assert (empty.number, empty.count, empty.total) == (3, 0, 0)
    last = cards.last_settlement()
    assert last is not None and last.number == 3


def test_devices_survive_a_restart(demo_dir: Path) -> None:
    with open_terminal(demo_dir) as terminal:
        print_sale(Till(terminal).printer, 5, "PARAGON\n", letters="B")
        Till(terminal).card_app.authorize(300, NOW)
    with open_terminal(demo_dir) as terminal:
        assert Till(terminal).printer.state().printouts == 1
        assert Till(terminal).printer.used_letters() == {"B"}
        assert Till(terminal).card_app.period_totals() == (1, 300)


def test_one_tills_printer_lives_as_long_as_the_till(fresh: Terminal) -> None:
    """The till builds its printer once, before the terminal is activated: first used
    after activation it takes the activated serial, and it stays initialised (and
    right) in a worker thread's own connection and after the database is reopened."""
    till = Till(fresh)
    fresh.settings.set_terminal_info(TerminalInfo(42, "Kasa 42", 1))
    assert till.printer.state().serial == "IPD 00000042"
    with fresh.db.connection_context():
        print_sale(till.printer, 1, "PARAGON\n")
    fresh.db.close()
    fresh.db.connect()
    assert till.printer.state().printouts == 1 and till.printer.vat_table() == STANDARD
    assert till.card_app.authorize(100, NOW).amount == 100
    assert Till(fresh).printer.state().serial == "IPD 00000042"


def test_device_messages_exist_in_every_language() -> None:
    """Every key the device screens and services name (the project-wide key scan does
    not know the printer./card. prefixes) is in both catalogues."""
    root = Path(__file__).resolve().parents[3] / "ipos_tui"
    sources = [root / "devices" / "printer.py", root / "devices" / "card_app.py",
               root / "ui" / "screens" / "printer.py", root / "ui" / "screens" / "card_app.py"]
    pattern = re.compile(r"""["']((?:printer|card|err|menu|keys|help)\.[A-Za-z_]+)["']""")
    used = {key for path in sources for key in pattern.findall(path.read_text("utf-8"))}
    used |= {"card.state_approved", "card.state_reversed", "help.JournalScreen", "help.CardTransactionsScreen"}
    assert len(used) > 50
    for language in LANGUAGES:
        missing = sorted(key for key in used if not catalogue(language).get(key))
        assert not missing, f"{language}: {missing}"
