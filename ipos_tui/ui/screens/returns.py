"""The return flow ("Zwrot towaru"): receipt code → lines and quantities → refund.

Reached with F7 on the registration screen (only with an empty receipt) or with
"Z" on a receipt in 5. Transakcje. The cashier gives the receipt code (typed or
scanned); the original is looked up in a thread worker (a receipt of another till
needs the back office, which may be slow or away); then each line shows what was
sold, what was already returned and what still can be. Digits + Enter set the
quantity to give back of the highlighted line, ``*`` takes the whole rest of it,
Del clears it; ``+`` (or Enter on an empty field) asks how to refund — cash, or
card up to what the card paid — and after a tak/nie the return is stored with its
own number, printed, shown and queued for upload like a sale (the refund's steps are
in ``return_refund``).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from ...domain.errors import DomainError
from ...domain.money import format_money
from ...domain.quantity import format_quantity, parse_quantity
from ...domain.receipt_code import parse_receipt_code
from ...domain.authorisation import Authorisation
from ...i18n import t
from ...domain.records import PERM_RETURNS
from ...till.returns import ReturnLine, ReturnService, ReturnSource, refund_value
from ..widgets.code_input import CodeInput
from ..widgets.receipt_list import RowList, fit
from ..dialogs.authorise import authorise_then
from .base import PosScreen
from .list_screen import NAVIGATION
from .return_refund import ReturnDone, RefundSteps, return_error_text

NAME_WIDTH = 22


def start_return(screen: PosScreen, code: str | None = None) -> None:
    """Open the return flow from ``screen``: check the permission (a cashier without
    "returns" needs a manager's identifier and PIN, recorded on the return), ask the
    receipt code unless given, then show the original."""
    app = screen.pos
    if app.cashier is None:
        return
    refusal = app.terminal.ledger.day_refusal(app.clock())
    if refusal is not None:  # the open day takes no more returns: say so before asking
        screen.say(return_error_text(refusal), error=True)
        return
    authorise_then(app, PERM_RETURNS, lambda authorisation: _ask_code(screen, code, authorisation),
                   what=t("ret.title"))


def _ask_code(screen: PosScreen, code: str | None, authorisation: Authorisation | None) -> None:
    """The receipt code (unless given), then the return screen."""
    app = screen.pos
    if code is not None:
        app.push_screen(ReturnScreen(code, authorisation), lambda result: _returned(screen, result))
        return
    from ..dialogs import Field, FormDialog

    def answered(values: dict[str, Any] | None) -> None:
        if values:
            app.push_screen(ReturnScreen(values["code"], authorisation), lambda result: _returned(screen, result))

    own = app.terminal.settings.terminal_info()

    def check(text: str) -> str:
        parse_receipt_code(text, own.terminal_id if own is not None else None)
        return text

    field = Field("code", "ret.code_label", max_length=24, validate=check)
    app.push_screen(FormDialog(t("ret.ask_title"), [field], hint=t("ret.code_hint")), answered)


def _returned(screen: PosScreen, done: ReturnDone | None) -> None:
    """Back on the screen the flow started from: redraw, say what was stored, show
    the printout."""
    if done is None:
        return
    reload = getattr(screen, "load", None)
    if callable(reload):
        reload()
    screen.say(done.message)
    screen.refresh_top_bar()
    from ..dialogs import TextViewDialog

    screen.app.push_screen(TextViewDialog(done.title, done.printout, at_end=True))


class ReturnScreen(RefundSteps, PosScreen):
    TITLE_KEY = "ret.title"


    BINDINGS = [
        Binding("enter,ctrl+j", "accept", "ret.key_accept", key_display="Enter", id="ReturnScreen.accept"),
        Binding("asterisk,multiply", "whole", "ret.key_all", key_display="*", id="ReturnScreen.whole"),
        Binding("delete", "clear_line", "ret.key_clear", priority=True, id="ReturnScreen.clear_line"),
        Binding("plus,add,f12", "refund", "ret.key_refund", key_display="+", id="ReturnScreen.refund"),
        *NAVIGATION,
        Binding("escape", "back", "keys.back", id="ReturnScreen.back"),
        Binding("f1", "app.help", "keys.help", id="ReturnScreen.app_help"),
    ]

    def __init__(self, code: str, authorisation: Authorisation | None = None) -> None:
        super().__init__()
        self.code_text = code.strip()
        #: the manager who allowed a cashier without "returns" to take this return
        self.authorisation = authorisation
        self.source: ReturnSource | None = None
        self.picks: dict[int, int] = {}

    @property
    def service(self) -> ReturnService:
        return self.pos.till.returns

    def compose_body(self) -> ComposeResult:
        with Vertical(id="ret-box") as box:
            box.border_title = t("ret.looking_up", code=self.code_text)
            yield Static(self.header(), id="ret-header", markup=False)
            yield RowList(id="ret-lines")
        with Horizontal(id="ret-entry"):
            yield Label(t("ret.prompt_qty"), id="ret-prompt", markup=False)
            yield CodeInput(id="ret-qty", max_length=10, restrict=r"[0-9,.]*", select_on_focus=False)
            yield Static("", id="ret-total", markup=False)

    def on_mount(self) -> None:
        self.qty.placeholder = t("ret.placeholder_qty")
        self.qty.focus()
        self.say(t("ret.looking_up", code=self.code_text))
        self.run_worker(self._find, thread=True, group="return-lookup", name="return-lookup", exclusive=True,
                        exit_on_error=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Picking and refunding only once an original with something left is shown."""
        if action in _PICKING_ACTIONS:
            return self.source is not None and not self.source.fully_returned
        return True

    # -- looking the original up (worker thread) -------------------------------------

    def _find(self) -> None:
        """Find the original (here, or for an activated till at its back office);
        report to the UI thread."""
        app = self.pos
        cashier = app.cashier
        assert cashier is not None
        try:
            source = app.till.return_lookup.find(self.code_text, cashier, self.authorisation)
        except DomainError as error:
            self.post_message(self.LookedUp(None, error))
            return
        self.post_message(self.LookedUp(source, None))

    class LookedUp(Message):
        """The lookup worker's answer: the original, or why there is none."""

        def __init__(self, source: ReturnSource | None, error: DomainError | None) -> None:
            super().__init__()
            self.source = source
            self.error = error

    def on_return_screen_looked_up(self, message: LookedUp) -> None:
        if message.source is not None:
            self._found(message.source)
        elif message.error is not None:
            self._failed(message.error)

    def _failed(self, error: DomainError) -> None:
        if not self.is_attached:  # the cashier left before the answer came
            return
        self.box.border_title = t("ret.title")
        self.say(return_error_text(error), error=True)
        self.refresh_bindings()

    def _found(self, source: ReturnSource) -> None:
        if not self.is_attached:
            return
        self.source = source
        when = source.created_local.strftime("%Y-%m-%d %H:%M")
        # a Faktura sold at the till is named as such (its code: "K1-F000001")
        invoice = source.code.doc_type == "sale_invoice"
        title = t("ret.original_invoice" if invoice else "ret.original", code=source.code.text, when=when,
                  total=format_money(source.total))
        if source.remote:
            title += f" ({t('ret.from_backoffice')})"

        self.box.border_title = title
        # a return of an invoiced receipt is also a correcting invoice: said first
        notes = [] if source.invoice is None else [t("invoices2.corrects", number=source.invoice.number)]
        if not source.remote_checked:
            notes.append(t("ret.offline_note"))
        self.box.border_subtitle = " · ".join(notes)
        self.show_lines(select=next((line.index for line in source.lines if line.returnable), 0))
        if source.fully_returned:
            key = "ret.fully_returned_invoice" if source.code.doc_type == "sale_invoice" else "ret.fully_returned"
            self.say(t(key, code=source.code.text), error=True)
        else:
            self.say(t("ret.hint"))
        self.refresh_bindings()

    # -- drawing -------------------------------------------------------------------------

    @property
    def qty(self) -> CodeInput:
        return self.query_one("#ret-qty", CodeInput)

    @property
    def rows(self) -> RowList:
        return self.query_one("#ret-lines", RowList)

    @property
    def box(self) -> Vertical:
        return self.query_one("#ret-box", Vertical)

    @staticmethod
    def header() -> str:
        return (
            f"{'#':>2} {fit(t('ret.col_name'), NAME_WIDTH):<{NAME_WIDTH}} {t('ret.col_sold'):>9} "
            f"{t('ret.col_returned'):>9} {t('ret.col_returnable'):>9} {t('ret.col_back'):>9} "
            f"{t('ret.col_value'):>10}"
        )

    def row(self, item: ReturnLine) -> Text:
        line = item.line

        def qty(milli: int) -> str:
            return f"{format_quantity(milli, line.precision)} {line.unit}"

        picked = self.picks.get(item.index, 0)
        value = refund_value(line, item.returned, picked) if picked else 0
        text = Text(no_wrap=True, overflow="crop")
        text.append(
            f"{item.index + 1:>2} {fit(line.name, NAME_WIDTH):<{NAME_WIDTH}} {qty(line.qty):>9} "
            f"{qty(item.returned):>9} {qty(item.returnable):>9} ",
            style="dim" if not item.returnable else "",
        )
        if picked:
            back, amount = qty(picked), format_money(value, symbol=False)
            text.append(" " * (9 - len(back)))
            text.append(back, style="bold")
            text.append(" " * (11 - len(amount)))
            text.append(amount, style="bold")
        return text

    def refund_total(self) -> int:
        if self.source is None:
            return 0
        return sum(
            refund_value(item.line, item.returned, self.picks[item.index])
            for item in self.source.lines
            if self.picks.get(item.index)
        )

    def show_lines(self, select: int | None = None) -> None:
        if self.source is None:
            return
        keep = select if select is not None else self.rows.highlighted
        self.rows.show_rows([self.row(item) for item in self.source.lines], keep)
        self.query_one("#ret-total", Static).update(
            f"{t('ret.refund_total')}  {format_money(self.refund_total())}"
        )

    def refresh_texts(self) -> None:
        super().refresh_texts()
        self.query_one("#ret-header", Static).update(self.header())
        self.query_one("#ret-prompt", Label).update(t("ret.prompt_qty"))
        self.qty.placeholder = t("ret.placeholder_qty")
        if self.source is not None:
            self._found(self.source)

    # -- picking -----------------------------------------------------------------------

    def current(self) -> ReturnLine | None:
        index = self.rows.highlighted
        if self.source is None or index is None:
            return None
        return self.source.lines[index]

    def set_pick(self, item: ReturnLine, milli: int) -> None:
        """Give back ``milli`` of ``item`` (0 clears it); the service's rules apply."""
        if milli:
            self.service.refund_total(self.source, {item.index: milli})  # type: ignore[arg-type]
            self.picks[item.index] = milli
            value = refund_value(item.line, item.returned, milli)
            self.say(t("ret.line_set", n=item.index + 1, name=item.line.name,
                       qty=format_quantity(milli, item.line.precision), unit=item.line.unit,
                       value=format_money(value)))
        else:
            self.picks.pop(item.index, None)
            self.say(t("ret.line_cleared", n=item.index + 1, name=item.line.name))
        self.show_lines()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_accept()

    def action_accept(self) -> None:
        """Enter: the typed quantity for the highlighted line; on an empty field, go on
        to the refund."""
        item = self.current()
        text = self.qty.value.strip()
        if item is None:
            return
        if not text:
            self.action_refund()
            return
        try:
            self.set_pick(item, parse_quantity(text, item.line.precision))
        except DomainError as error:
            self.say(return_error_text(error), error=True)
            return
        finally:
            self.qty.value = ""
        if item.index < len(self.source.lines) - 1:  # type: ignore[union-attr]
            self.rows.move(1)

    def action_whole(self) -> None:
        """``*``: the whole rest of the highlighted line."""
        item = self.current()
        if item is None:
            return
        self.qty.value = ""
        if not item.returnable:
            self.say(t("ret.err.qty_too_much", name=item.line.name, qty="0",
                       returnable="0", unit=item.line.unit), error=True)
            return
        self.set_pick(item, item.returnable)

    def action_clear_line(self) -> None:
        item = self.current()
        if item is not None:
            self.qty.value = ""
            self.set_pick(item, 0)

    def action_move(self, step: int) -> None:
        self.rows.move(step)
        item = self.current()
        if item is not None:
            self.say(t("ret.line_info", n=item.index + 1, name=item.line.name, unit=item.line.unit,
                       returnable=format_quantity(item.returnable, item.line.precision)))

    def action_back(self) -> None:
        if self.qty.value:
            self.qty.value = ""
            return
        self.dismiss(None)


#: actions that need an original with something left to return
_PICKING_ACTIONS = frozenset({"accept", "whole", "clear_line", "refund"})
