"""Deposit returns ("zwrot kaucji"): empty bottles and cans brought back, cash paid out.

The Polish deposit system (system kaucyjny) charges a deposit on returnable packaging
with the sale (outside VAT and the fiscal total: see ``Receipt.deposit_total``) and
pays it back when the packaging comes back, with or without a purchase. A deposit
return without a purchase is a cash operation paid out of the drawer ("out", purpose
``deposit_return``, reason "N szt. x kaucja"): its own gapless number among cash
operations, uploaded to the back office like any, and printed as a non-fiscal
printout ("ZWROT KAUCJI"). It is no fiscal return (no VAT was charged on deposits).
With cash management on, it needs the open shift and enough cash in the drawer (the
drawer balance counts it, as it counts the deposits taken with sales).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final

from ipos_tui.devices import paper
from ipos_tui.devices.paper import PRINT_WIDTH
from ipos_tui.devices.printer import FiscalPrinter, JournalEntry
from ipos_tui.domain.errors import DomainError
from ipos_tui.store.ledger import DocumentDraft
from ipos_tui.domain.records import PURPOSE_DEPOSIT_RETURN, DocumentDetail, StoredDocument, User
from ipos_tui.till.cash import (
    DOC_CASH_OPERATION,
    CashService,
    DrawerState,
    check_amount,
)

if TYPE_CHECKING:
    from ipos_tui.store.db import Terminal

#: A cash operation's purpose for a deposit return.
#: Most pieces of packaging in one return, and the largest deposit per piece (grosze).
MAX_PIECES: Final = 9_999
MAX_UNIT_DEPOSIT: Final = 10_000
#: The usual deposit of a plastic bottle or a can (0,50 zł), offered first.
DEFAULT_UNIT_DEPOSIT: Final = 50
#: The title of its printout and its kind in the printer journal.
TITLE: Final = "ZWROT KAUCJI"
JOURNAL_KIND: Final = "deposit_return"


@dataclass(frozen=True)
class DepositReturn:
    """A stored deposit return, the drawer after it (None without cash management)."""

    document: StoredDocument
    pieces: int
    unit: int
    state: DrawerState | None
    printout: JournalEntry


def check_return(pieces: int, unit: int) -> int:
    """The amount to pay back for ``pieces`` at ``unit`` grosze each; DomainError
    "grocery.err_pieces" or "grocery.err_unit" for what no return can be."""
    if not 0 < pieces <= MAX_PIECES:
        raise DomainError("grocery.err_pieces", max=MAX_PIECES)
    if not 0 < unit <= MAX_UNIT_DEPOSIT:
        raise DomainError("grocery.err_unit")
    return check_amount(pieces * unit)


class DepositService:
    """Pays back deposits for returned packaging (see the module docstring)."""

    def __init__(self, terminal: Terminal, cash: CashService, printer: FiscalPrinter) -> None:
        self._terminal = terminal
        self._cash = cash
        self._printer = printer

    def pay_back(self, pieces: int, unit: int, *, cashier: User, now: datetime) -> DepositReturn:
        """Store, and then print, the return of ``pieces`` at ``unit`` grosze each.

        DomainError "cash.err_no_shift" / "cash.err_withdrawal_exceeds" with cash
        management on and no open shift / too little cash; the amount errors.
        """
        amount = check_return(pieces, unit)
        managed = self._terminal.settings.cash_management()
        draft = DocumentDraft(
            doc_type=DOC_CASH_OPERATION,
            kind="out",
            total=amount,
            extra={"purpose": PURPOSE_DEPOSIT_RETURN, "reason": reason_text(pieces, unit),
                   "pieces": pieces, "unit": unit},
        )
        ledger = self._terminal.ledger

        def enough_cash() -> None:
            if not managed:
                return
            state = self._cash.drawer()
            if amount > state.cash:
                raise DomainError("cash.err_withdrawal_exceeds", amount=amount, total=max(state.cash, 0))

        with self._terminal.db.atomic("IMMEDIATE"):
            stored = ledger.commit_document(draft, cashier=cashier, now=now, check=enough_cash)
            state = self._cash.drawer() if managed else None
        detail = ledger.get_document(stored.uuid)
        info = self._terminal.settings.terminal_info()
        body = deposit_return_body(detail, state, info.name if info else "")
        printout = self._printer.print_nonfiscal(
            JOURNAL_KIND, TITLE, body, now, document_uuid=stored.uuid, document_number=stored.number
        )
        return DepositReturn(stored, pieces, unit, state, printout)


def reason_text(pieces: int, unit: int) -> str:
    """The reason stored and sent with the cash operation: "Zwrot kaucji: 10 szt. x 0,50"."""
    return f"Zwrot kaucji: {pieces} szt. x {paper.amount(unit)}"


def deposit_return_body(detail: DocumentDetail, state: DrawerState | None, terminal_name: str) -> list[str]:
    """The lines of a deposit return's printout below its head (printed in Polish)."""
    rule = "-" * PRINT_WIDTH
    pieces = int(detail.extra.get("pieces") or 0)
    unit = int(detail.extra.get("unit") or 0)
    lines = [
        paper.fit("Operacja kasowa nr", f"{detail.number:06d}"),
        "Opakowania zwrotne (system kaucyjny)",
        paper.fit(f"  {pieces} szt. x {paper.amount(unit)}", paper.amount(detail.total)),
        rule,
        paper.fit("WYPŁACONO KLIENTOWI", paper.amount(detail.total)),
        "Kaucja poza sprzedażą i PTU",
    ]
    if state is not None:
        lines.append(paper.fit("GOTÓWKA W KASIE", paper.amount(state.cash)))
    lines.append(rule)
    lines.append(paper.fit(f"Kasjer: {detail.cashier_name}", terminal_name))
    return lines

