"""What the cash screens share: the titles and list labels of cash documents, what
happens after the till stored one (its printout kept and shown, the upload sent, back
to selling) or refused it, and the drawer's sums as text rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ...domain.errors import DomainError
from ...domain.money import format_money
from ...i18n import t
from ...till.cash import CashResult, CashService, DrawerState, ShiftCount
from ..dialogs import TextViewDialog

if TYPE_CHECKING:
    from ..app import IposApp


#: printout dialog titles by (document type, kind, purpose)
_TITLE_KEYS = {
    ("cash_operation", "in", "opening"): "cash.opening_title",
    ("cash_operation", "in", "deposit"): "cash.deposit",
    ("cash_operation", "out", "withdrawal"): "cash.withdrawal",
    ("cash_report", "state", ""): "cash.state_report",
    ("cash_report", "shift_close", ""): "cash.shift_close",
}


#: list labels of cash documents by (document type, kind)
_LABEL_KEYS = {
    ("cash_operation", "in"): "cash.list_in",
    ("cash_operation", "out"): "cash.list_out",
    ("cash_report", "state"): "cash.list_state",
    ("cash_report", "shift_close"): "cash.list_close",
}


def cash_document_label(doc_type: str, kind: str) -> str | None:
    """"Wpłata", "Wypłata", "Stan kasy", "Koniec zmiany" for a cash document in a
    list, short enough for its column (an opening is a "Wpłata"); None for other types."""
    key = _LABEL_KEYS.get((doc_type, kind))
    return None if key is None else t(key)


def cash_service(app: IposApp) -> CashService:
    """The till's cash service (cheap to build: it holds no state of its own)."""
    return app.till.cash


def document_title(result: CashResult) -> str:
    """"Stan początkowy kasy", "Wpłata", "Wypłata", … of a stored cash document."""
    doc = result.document
    purpose = ""
    if doc.doc_type == "cash_operation":
        purpose = {"in": "deposit", "out": "withdrawal"}[doc.kind]
        if result.state.shift.opening_uuid == doc.uuid:
            purpose = "opening"
    return t(_TITLE_KEYS[(doc.doc_type, doc.kind, purpose)])


def document_stored(app: IposApp, result: CashResult) -> None:
    """A cash document was committed: keep its printout, send it now."""
    app.till.printouts.keep(result.document.uuid, result.printout.text, app.data_dir)
    app.sale_finished()


def back_to_sales(app: IposApp) -> None:
    """Close the menus and dialogs above the registration screen."""
    from .registration import RegistrationScreen

    while len(app.screen_stack) > 1 and not isinstance(app.screen, RegistrationScreen):
        app.pop_screen()


def show_result(
    app: IposApp, result: CashResult, then: Callable[[], None] | None = None, message: str | None = None
) -> None:
    """Back to selling, with what was stored on the status line (``message``, or the
    cash in the drawer) and the printout on top (Enter/Esc closes it)."""
    back_to_sales(app)
    title = document_title(result)
    say = getattr(app.screen, "say", None)
    if say is not None:
        say(message or t("cash.done", title=title, number=result.document.number,
                         cash=format_money(result.state.cash)))

    def closed(_answer: object) -> None:
        if then is not None:
            then()

    printout_title = t("cash.printout_title", title=title, number=result.document.number)
    app.push_screen(TextViewDialog(printout_title, result.printout.text), closed)


def refuse(app: IposApp, error: DomainError) -> None:
    """Back to selling with the reason on the status line."""
    back_to_sales(app)
    say_error = getattr(app.screen, "say_error", None)
    if say_error is not None:
        say_error(error)


def drawer_rows(state: DrawerState) -> list[tuple[str, str]]:
    """The shift's start and its sums, as (label, value) rows."""
    return [
        (t("cash.shift_from"), f"{state.shift.started_local:%Y-%m-%d %H:%M}"),
        (t("cash.opening"), format_money(state.opening)),
        (t("cash.cash_sales"), format_money(state.cash_sales)),
        (t("cash.cash_refunds"), format_money(state.cash_refunds)),
        (t("cash.deposits"), format_money(state.deposits)),
        (t("cash.withdrawals"), format_money(state.withdrawals)),
    ]


def rows_text(rows: list[tuple[str, str]]) -> str:
    return "\n".join(f"{label:<24}{value:>16}" for label, value in rows)


def drawer_text(state: DrawerState) -> str:
    """The shift's counts, one per line, ending with the cash in the drawer."""
    return rows_text([*drawer_rows(state), (t("cash.in_drawer"), format_money(state.cash))])


def difference_text(count: ShiftCount) -> str:
    """"niedobór 12,00 zł", "nadwyżka 12,00 zł" or "zgodne" (for a sentence)."""
    if count.kind == "exact":
        return t("cash.exact_text")
    return t(f"cash.{count.kind}_text", amount=format_money(abs(count.difference)))


def count_rows(count: ShiftCount) -> list[tuple[str, str]]:
    """Powinno być, Policzono and the difference ("Niedobór 12,00 zł" …) as rows."""
    return [
        (t("cash.expected"), format_money(count.expected)),
        (t("cash.counted"), format_money(count.counted)),
        (t(f"cash.{count.kind}"), format_money(abs(count.difference))),
    ]
