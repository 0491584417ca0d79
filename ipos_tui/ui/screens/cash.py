"""Cash management on the till (PRODUCT.md §5): the opening cash after login and
"2. Obsługa gotówki" — 1. Wpłata, 2. Wypłata, 3. Raport stanu kasy, 4. Zamknięcie
zmiany.

The rules live in :mod:`ipos_tui.terminal.cash`; this module asks for amounts, shows
what the service refused in the dialog that asked (so the cashier can correct it),
prints, kicks the background upload as a finished sale does, and takes the cashier
back to selling — or, after "Zamknięcie zmiany", to the login screen.

"Zamknięcie zmiany" asks first for the cash counted in the drawer, without showing
what should be there (a blind count), then shows both and the difference
("nadwyżka" / "niedobór" / "zgodne") and asks to close; Esc there goes back to the
count with the typed amount kept. A difference above the back office's limit asks
once more, with "nie" as the answer Enter gives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, Static

from ...domain.authorisation import Authorisation
from ...domain.errors import DomainError
from ...domain.money import format_money
from ...i18n import t
from ...till.cash import (
    CashResult,
    CashService,
    DrawerState,
    ShiftCount,
    parse_cash_amount,
)
from ..dialogs import TextViewDialog
from ..dialogs.authorise import GatedMenuScreen, MarkedLabel, authorise_then
from ..widgets.code_input import CodeInput, run_command
from ..widgets.keybar import KeyBar
from ..widgets.menu import MenuItem, NumberedMenu
from .base import PosScreen, error_text
from ..errors import Guarded

if TYPE_CHECKING:
    from ...domain.records import User
    from ..app import IposApp

_ResultT = TypeVar("_ResultT")
#: Characters of a well-formed amount; anything else is refused as soon as it is typed.
_AMOUNT_CHARS = frozenset("0123456789 ,.\u00a0złZŁ")

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


def first_screen_after_login(app: IposApp) -> Screen[None]:
    """The opening-cash prompt when cash management is on and no shift is open,
    otherwise the registration screen."""
    from .registration import RegistrationScreen

    settings = app.terminal.settings
    if settings.cash_management() and cash_service(app).current_shift() is None:
        return OpeningCashScreen(after_login=True)
    if settings.cashier_shifts() and app.cashier is not None:
        _open_plain_shift(app)
    return RegistrationScreen()


def plain_shifts(app: IposApp) -> bool:
    """Shifts without cash management (the back office's "cashier_shifts" alone)."""
    settings = app.terminal.settings
    return settings.cashier_shifts() and not settings.cash_management()


def _open_plain_shift(app: IposApp) -> None:
    """A shift without cash management opens at login, with no opening cash asked."""
    service = cash_service(app)
    if service.current_shift() is None and app.cashier is not None:
        try:
            service.skip_opening(cashier=app.cashier, now=app.clock())
        except DomainError:  # opened meanwhile: the shift is there either way
            pass


def close_plain_shift(app: IposApp) -> None:
    """User menu → 2. Zamknięcie zmiany (shifts without cash management): the shift
    report (its sales in cash, refunds, no count) is stored and printed, then logout."""
    cashier = app.cashier
    assert cashier is not None
    service = cash_service(app)
    try:
        result = service.close_shift(cashier=cashier, now=app.clock())
    except DomainError as error:
        _refuse(app, error)
        return
    _stored(app, result)
    message = t("shifts.closed", number=result.document.number)
    app.call_later(_show_result, app, result, app.logout, message)


# -- the amount dialog ---------------------------------------------------------------


class AmountDialog(Guarded, ModalScreen[_ResultT], Generic[_ResultT]):
    """Asks for an amount (and, for deposits and withdrawals, an optional reason) and
    runs ``submit`` on Enter: a refusal (too much, no permission, a bad amount) is
    shown here and the dialog stays open with what was typed; what ``submit`` returns
    (a stored document, or the counted amount of a shift close) closes it.

    The field takes any character, so letters or a minus sign get a message instead of
    vanishing (a "-5" silently read as 0,05 zł would be worse than an error)."""


    BINDINGS = [
        Binding("enter,ctrl+j", "accept", "cash.key_confirm", key_display="Enter", id="AmountDialog.accept"),
        Binding("asterisk,tab,multiply", "next_field", "cash.key_reason", key_display="*", id="AmountDialog.next_field"),
        Binding("escape", "cancel", "keys.cancel", id="AmountDialog.cancel"),
    ]

    def __init__(
        self,
        title: str,
        info: str,
        submit: Callable[[int, str], _ResultT],
        *,
        allow_zero: bool = False,
        with_reason: bool = False,
        label_key: str = "cash.amount",
        hint_key: str = "cash.amount_hint",
        accept_key: str = "cash.key_confirm",
        initial: str = "",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.info = info
        self.submit = submit
        self.allow_zero = allow_zero
        self.with_reason = with_reason
        self.label_key = label_key
        self.hint_key = hint_key
        self.accept_key = accept_key
        self.initial = initial
        #: True once ``submit`` stored nothing and returned None (a skipped opening)
        self.done_without_document = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            if self.info:
                yield Static(self.info, id="info", markup=False)
            with Grid():
                yield Label(t(self.label_key), markup=False)
                yield CodeInput(self.initial, id="amount", select_on_focus=False, commands="*")
                if self.with_reason:
                    yield Label(t("cash.reason"), markup=False)
                    yield CodeInput(id="reason", max_length=200, select_on_focus=False, commands="*")
            yield Static(t(self.hint_key), id="hint", markup=False)
            yield Static("", id="preview", markup=False)
            yield Static("", id="error", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#amount", CodeInput).focus()

    def binding_label(self, binding: Binding) -> str | None:
        return t(self.accept_key) if binding.action == "accept" else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_field":
            return self.with_reason
        return True

    async def on_code_input_command(self, message: CodeInput.Command) -> None:
        await run_command(self, message)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "amount":
            return
        preview = self.query_one("#preview", Static)
        error = self.query_one("#error", Static)
        error.update("")
        try:
            amount = parse_cash_amount(event.value, allow_zero=self.allow_zero)
        except DomainError as refused:
            preview.update("")
            if not set(event.value) <= _AMOUNT_CHARS:  # a letter or a sign: say so at once
                error.update(error_text(refused))
            return
        preview.update(t("cash.preview", amount=format_money(amount)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_accept()

    def action_next_field(self) -> None:
        fields = list(self.query(CodeInput))
        index = fields.index(self.focused) if self.focused in fields else -1
        fields[(index + 1) % len(fields)].focus()

    def action_accept(self) -> None:
        amount_field = self.query_one("#amount", CodeInput)
        reason = self.query_one("#reason", CodeInput).value if self.with_reason else ""
        try:
            amount = parse_cash_amount(amount_field.value, allow_zero=self.allow_zero)
            result = self.submit(amount, reason)
        except DomainError as error:
            self.query_one("#error", Static).update(error_text(error))
            amount_field.focus()
            return
        self.done_without_document = result is None
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)


# -- after a stored document ---------------------------------------------------------------


def _title(result: CashResult) -> str:
    """"Stan początkowy kasy", "Wpłata", "Wypłata", … of a stored cash document."""
    doc = result.document
    purpose = ""
    if doc.doc_type == "cash_operation":
        purpose = {"in": "deposit", "out": "withdrawal"}[doc.kind]
        if result.state.shift.opening_uuid == doc.uuid:
            purpose = "opening"
    return t(_TITLE_KEYS[(doc.doc_type, doc.kind, purpose)])


def _stored(app: IposApp, result: CashResult) -> None:
    """A cash document was committed: keep its printout, send it now."""
    app.till.printouts.keep(result.document.uuid, result.printout.text, app.data_dir)
    app.sale_finished()


def _back_to_sales(app: IposApp) -> None:
    """Close the menus and dialogs above the registration screen."""
    from .registration import RegistrationScreen

    while len(app.screen_stack) > 1 and not isinstance(app.screen, RegistrationScreen):
        app.pop_screen()


def _show_result(
    app: IposApp, result: CashResult, then: Callable[[], None] | None = None, message: str | None = None
) -> None:
    """Back to selling, with what was stored on the status line (``message``, or the
    cash in the drawer) and the printout on top (Enter/Esc closes it)."""
    _back_to_sales(app)
    title = _title(result)
    say = getattr(app.screen, "say", None)
    if say is not None:
        say(message or t("cash.done", title=title, number=result.document.number,
                         cash=format_money(result.state.cash)))

    def closed(_answer: object) -> None:
        if then is not None:
            then()

    printout_title = t("cash.printout_title", title=title, number=result.document.number)
    app.push_screen(TextViewDialog(printout_title, result.printout.text), closed)


def _refuse(app: IposApp, error: DomainError) -> None:
    """Back to selling with the reason on the status line."""
    _back_to_sales(app)
    say_error = getattr(app.screen, "say_error", None)
    if say_error is not None:
        say_error(error)


def _drawer_rows(state: DrawerState) -> list[tuple[str, str]]:
    """The shift's start and its sums, as (label, value) rows."""
    return [
        (t("cash.shift_from"), f"{state.shift.started_local:%Y-%m-%d %H:%M}"),
        (t("cash.opening"), format_money(state.opening)),
        (t("cash.cash_sales"), format_money(state.cash_sales)),
        (t("cash.cash_refunds"), format_money(state.cash_refunds)),
        (t("cash.deposits"), format_money(state.deposits)),
        (t("cash.withdrawals"), format_money(state.withdrawals)),
    ]


def _rows_text(rows: list[tuple[str, str]]) -> str:
    return "\n".join(f"{label:<24}{value:>16}" for label, value in rows)


def drawer_text(state: DrawerState) -> str:
    """The shift's counts, one per line, ending with the cash in the drawer."""
    return _rows_text([*_drawer_rows(state), (t("cash.in_drawer"), format_money(state.cash))])


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


# -- the opening cash ------------------------------------------------------------------


class OpeningCashScreen(PosScreen):
    """"Stan początkowy kasy": 1. Wprowadź (type the cash in the drawer) or 2. Pomiń
    (start with 0,00 zł). After login Esc logs out again; opened from the menu (cash
    management switched on during a shift) Esc goes back."""


    BINDINGS = [
        Binding("escape", "leave", "cash.key_logout", id="OpeningCashScreen.leave"),
        Binding("f1", "app.help", "keys.help", id="OpeningCashScreen.app_help"),
    ]

    def __init__(self, *, after_login: bool) -> None:
        super().__init__()
        self.after_login = after_login

    def compose_body(self) -> ComposeResult:
        with Vertical(id="opening-box") as box:
            box.border_title = t("cash.opening_title")
            yield Static(t("cash.opening_text"), id="opening-text", markup=False)
            yield NumberedMenu(
                [MenuItem(1, "cash.enter", self.action_enter), MenuItem(2, "cash.skip", self.action_skip)]
            )

    def on_mount(self) -> None:
        self.query_one(NumberedMenu).focus()

    def binding_label(self, binding: Binding) -> str | None:
        if binding.action == "leave" and not self.after_login:
            return t("keys.back")
        return None

    def on_numbered_menu_chosen(self, event: NumberedMenu.Chosen) -> None:
        event.stop()
        event.item.action()

    def action_enter(self) -> None:
        """1. Wprowadź: the amount dialog; the document opens the shift."""
        app = self.pos
        assert app.cashier is not None
        cashier = app.cashier

        def submit(amount: int, _reason: str) -> CashResult | None:
            return cash_service(app).open_shift(amount, cashier=cashier, now=app.clock())

        dialog = AmountDialog(t("cash.opening_title"), t("cash.opening_info"), submit, allow_zero=True)

        def done(result: CashResult | None) -> None:
            if result is not None:
                _stored(app, result)
                app.call_later(self._opened, result)
            elif dialog.done_without_document:
                app.call_later(self._opened, None)

        app.push_screen(dialog, done)

    def action_skip(self) -> None:
        """2. Pomiń: the shift opens with 0,00 zł and no document."""
        app = self.pos
        assert app.cashier is not None
        try:
            cash_service(app).skip_opening(cashier=app.cashier, now=app.clock())
        except DomainError as error:
            self.say_error(error)
            return
        self.app.call_later(self._opened, None)

    async def _opened(self, result: CashResult | None) -> None:
        """The shift is open: sell (with the opening printout shown, if any)."""
        app = self.pos
        if self.after_login:
            from .registration import RegistrationScreen

            registration = RegistrationScreen()
            await app.switch_screen(registration)
        else:
            _back_to_sales(app)
            registration = app.screen
        if result is not None:
            _show_result(app, result)
        else:
            say = getattr(registration, "say", None)
            if say is not None:
                say(t("cash.opening_skipped"))

    def action_leave(self) -> None:
        if self.after_login:
            self.pos.logout()
        else:
            self.dismiss(None)


# -- 2. Obsługa gotówki --------------------------------------------------------------------


def open_cash_menu(app: IposApp) -> None:
    """User menu → 2. Obsługa gotówki (with no open shift: the opening first)."""
    if cash_service(app).current_shift() is None:
        app.push_screen(OpeningCashScreen(after_login=False))
        return
    app.push_screen(GatedMenuScreen("cash.menu", cash_menu_items(app)))


def cash_menu_items(app: IposApp) -> list[MenuItem]:
    """1. Wpłata, 2. Wypłata, 3. Raport stanu kasy, 4. Zamknięcie zmiany. Wpłata and
    Wypłata are marked "*" for a cashier who needs a manager's PIN for them."""
    cashier = app.cashier
    service = cash_service(app)

    def label(which: str) -> str | MarkedLabel:
        allowed = cashier is not None and (
            service.can_deposit(cashier) if which == "deposit" else service.can_withdraw(cashier)
        )
        return f"cash.{which}" if allowed else MarkedLabel(f"cash.{which}")

    return [
        MenuItem(1, label("deposit"), lambda: _operation(app, "deposit")),
        MenuItem(2, label("withdrawal"), lambda: _operation(app, "withdrawal")),
        MenuItem(3, "cash.state_report", lambda: _state_report(app)),
        MenuItem(4, "cash.shift_close", lambda: _close_shift(app)),
    ]


def _operation(app: IposApp, which: str) -> None:
    """Wpłata / Wypłata: permission first (the cashier's, or a manager's identifier and
    PIN, recorded on the document), then the amount and an optional reason."""
    cashier = app.cashier
    assert cashier is not None
    service = cash_service(app)
    try:
        service.drawer()
    except DomainError as error:
        _refuse(app, error)
        return
    allowed = service.can_deposit(cashier) if which == "deposit" else service.can_withdraw(cashier)
    if allowed:
        _ask_amount(app, which, None)
        return
    authorise_then(app, service.permission_for(which), lambda a: _ask_amount(app, which, a),
                   always=True, what=t(f"cash.{which}"))


def _ask_amount(app: IposApp, which: str, authorisation: Authorisation | None) -> None:
    """The amount and reason of a Wpłata / Wypłata, stored on Enter."""
    cashier = app.cashier
    assert cashier is not None
    service = cash_service(app)
    try:
        state = service.drawer()
    except DomainError as error:
        _refuse(app, error)
        return
    operation = service.deposit if which == "deposit" else service.withdraw

    def submit(amount: int, reason: str) -> CashResult:
        return operation(amount, reason=reason, cashier=cashier, now=app.clock(), authorisation=authorisation)

    def done(result: CashResult | None) -> None:
        if result is not None:
            _stored(app, result)
            app.call_later(_show_result, app, result)

    info = t("cash.in_drawer_now", amount=format_money(state.cash))
    if authorisation is not None:
        info += " " + t("perm.by", name=authorisation.name)
    app.push_screen(AmountDialog(t(f"cash.{which}"), info, submit, with_reason=True), done)


def _state_report(app: IposApp) -> None:
    """3. Raport stanu kasy: stored, printed, shown."""
    assert app.cashier is not None
    try:
        result = cash_service(app).report_state(cashier=app.cashier, now=app.clock())
    except DomainError as error:
        _refuse(app, error)
        return
    _stored(app, result)
    _show_result(app, result)


def _close_shift(app: IposApp) -> None:
    """4. Zamknięcie zmiany: the count, the summary with the difference, a second
    question for a large difference, the printed report, logout."""
    cashier = app.cashier
    assert cashier is not None
    service = cash_service(app)
    try:
        state = service.drawer()
    except DomainError as error:
        _refuse(app, error)
        return
    ShiftClose(app, service, cashier, state).ask_count()


class ShiftClose:
    """The steps of one shift close, keeping what the cashier typed between them."""

    def __init__(self, app: IposApp, service: CashService, cashier: User, state: DrawerState) -> None:
        self.app = app
        self.service = service
        self.cashier = cashier
        self.state = state
        self.limit = service.difference_limit()
        #: the count as typed, shown again when the cashier goes back to correct it
        self.typed = ""
        self.count: ShiftCount | None = None

    def ask_count(self) -> None:
        """The count form; Esc leaves the shift open and nothing stored."""
        shift = self.state.shift
        info = t("cash.count_info", start=f"{shift.started_local:%Y-%m-%d %H:%M}", cashier=shift.cashier_name)
        dialog: AmountDialog[int] = AmountDialog(
            t("cash.count_title"), info, self._counted, allow_zero=True, label_key="cash.count_label",
            hint_key="cash.count_hint", accept_key="cash.key_next", initial=self.typed,
        )
        self.app.push_screen(dialog, self._after_count)

    def _counted(self, amount: int, _reason: str) -> int:
        screen = self.app.screen
        if isinstance(screen, AmountDialog):
            self.typed = screen.query_one("#amount", CodeInput).value
        return amount

    def _after_count(self, counted: int | None) -> None:
        if counted is None:
            return
        self.count = ShiftCount(self.state.cash, counted)
        self.app.push_screen(ShiftCloseSummary(self.state, self.count, self.limit), self._after_summary)

    def _after_summary(self, close: bool | None) -> None:
        assert self.count is not None
        if not close:
            self.ask_count()
        elif self.count.is_large(self.limit):
            self.app.push_screen(LargeDifferenceDialog(self.count, self.limit), self._after_large)
        else:
            self._close()

    def _after_large(self, sure: bool | None) -> None:
        if sure:
            self._close()
        else:
            self.ask_count()

    def _close(self) -> None:
        app, count = self.app, self.count
        assert count is not None
        try:
            result = self.service.close_shift(
                cashier=self.cashier, now=app.clock(), counted=count.counted, expected=count.expected
            )
        except DomainError as error:
            app.call_later(_refuse, app, error)
            return
        _stored(app, result)
        message = t("cash.close_done", number=result.document.number, counted=format_money(count.counted),
                    difference=difference_text(count))
        app.call_later(_show_result, app, result, app.logout, message)


class ShiftCloseSummary(Guarded, ModalScreen[bool]):
    """The shift's sums, what should be in the drawer, what was counted and the
    difference; Enter closes the shift, Esc goes back to the count."""


    BINDINGS = [
        Binding("enter,ctrl+j", "answer(True)", "cash.key_close", key_display="Enter", id="ShiftCloseSummary.answer.enter"),
        Binding("escape", "answer(False)", "cash.key_correct", id="ShiftCloseSummary.answer.escape"),
    ]

    def __init__(self, state: DrawerState, count: ShiftCount, limit: int) -> None:
        super().__init__()
        self.state = state
        self.count = count
        self.limit = limit

    def compose(self) -> ComposeResult:
        rows = count_rows(self.count)
        with Vertical() as box:
            box.border_title = t("cash.shift_close")
            yield Static(_rows_text(_drawer_rows(self.state)), id="sums", markup=False)
            yield Static("\u2500" * 40, id="rule", markup=False)
            yield Static(_rows_text(rows[:2]), id="count", markup=False)
            yield Static(_rows_text(rows[2:]), id="difference", classes=self.count.kind, markup=False)
            if self.count.is_large(self.limit):
                yield Static(t("cash.large_note", limit=format_money(self.limit)), id="large", markup=False)
            yield Static(t("cash.close_confirm"), id="question", markup=False)
        yield KeyBar()

    def action_answer(self, close: bool) -> None:
        self.dismiss(close)


class LargeDifferenceDialog(Guarded, ModalScreen[bool]):
    """"Czy na pewno?" for a difference above the limit: 1. Nie (where Enter starts),
    2. Tak; Esc is "nie"."""


    BINDINGS = [Binding("escape", "answer(False)", "keys.no", id="LargeDifferenceDialog.answer.escape")]

    def __init__(self, count: ShiftCount, limit: int) -> None:
        super().__init__()
        self.count = count
        self.limit = limit

    def compose(self) -> ComposeResult:
        text = t("cash.large_question", difference=difference_text(self.count), limit=format_money(self.limit))
        with Vertical() as box:
            box.border_title = t("cash.large_title")
            yield Static(text, id="sure-text", markup=False)
            yield NumberedMenu([
                MenuItem(1, "cash.large_no", lambda: self.action_answer(False)),
                MenuItem(2, "cash.large_yes", lambda: self.action_answer(True)),
            ])
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(NumberedMenu).focus()

    def on_numbered_menu_chosen(self, event: NumberedMenu.Chosen) -> None:
        event.stop()
        event.item.action()

    def action_answer(self, sure: bool) -> None:
        self.dismiss(sure)
