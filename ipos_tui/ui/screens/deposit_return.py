"""9. Zwrot kaucji (user menu): empty bottles and cans brought back, cash paid out.

The cashier counts the packaging and confirms the deposit per piece (0,50 zł offered);
the till stores a cash operation (purpose "deposit_return"), prints "ZWROT KAUCJI"
and says how much to hand over. Routine cashier work, as at a bottle machine: no
manager's PIN; the cash operation names its cashier. See ``ipos_tui.till.deposits``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...domain.errors import DomainError
from ...domain.money import format_money
from ...i18n import t
from ...till.cash import parse_cash_amount
from ...till.deposits import DEFAULT_UNIT_DEPOSIT, MAX_PIECES
from ..dialogs import Field, FormDialog, TextViewDialog

if TYPE_CHECKING:
    from ..app import IposApp


def _pieces(text: str) -> int:
    cleaned = text.strip()
    if not cleaned.isdigit() or not 0 < int(cleaned) <= MAX_PIECES:
        raise DomainError("grocery.err_pieces", max=MAX_PIECES)
    return int(cleaned)


def start_deposit_return(app: IposApp) -> None:
    """Ask the count and the deposit per piece, then pay back (see the module docstring)."""
    if app.cashier is None:
        return
    refusal = app.terminal.ledger.day_refusal(app.clock())
    if refusal is not None:  # the open day takes no more cash out: say so before asking
        _say_refusal(app, refusal)
        return
    fields = [
        Field("pieces", "grocery.pieces", restrict=r"[0-9]*", max_length=4, validate=_pieces),
        Field("unit", "grocery.unit_deposit", value=format_money(DEFAULT_UNIT_DEPOSIT, symbol=False),
              max_length=10, validate=parse_cash_amount),
    ]

    def done(values: dict | None) -> None:
        if values is None:
            return
        _pay_back(app, int(values["pieces"]), int(values["unit"]))

    app.push_screen(FormDialog(t("grocery.deposit_return"), fields), done)


def _say_refusal(app: IposApp, error: DomainError) -> None:
    """Back to selling, with why nothing was paid back on the status line."""
    from .cash_results import back_to_sales

    back_to_sales(app)
    say_error = getattr(app.screen, "say_error", None)
    if say_error is not None:
        say_error(error)


def _pay_back(app: IposApp, pieces: int, unit: int) -> None:
    from .cash_results import back_to_sales

    assert app.cashier is not None
    try:
        result = app.till.deposits.pay_back(pieces, unit, cashier=app.cashier, now=app.clock())
    except DomainError as error:
        _say_refusal(app, error)
        return
    app.till.printouts.keep(result.document.uuid, result.printout.text, app.data_dir)
    app.sale_finished()
    back_to_sales(app)
    say = getattr(app.screen, "say", None)
    if say is not None:
        say(t("grocery.paid_back", amount=format_money(result.document.total),
              number=result.document.number, pieces=pieces))
    app.push_screen(TextViewDialog(t("grocery.printout_title", number=result.document.number),
                                   result.printout.text))
