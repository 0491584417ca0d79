"""The cash use cases of one till: the shift (open, skip, close with a count), deposits
and withdrawals, cash reports; each stored in the ledger and printed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Final

from peewee import SqliteDatabase

from ipos_tui.devices.printer import FiscalPrinter
from ipos_tui.domain.authorisation import Authorisation, with_authorisation
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.records import PERM_CASH_DEPOSIT, PERM_CASH_WITHDRAWAL, User
from ipos_tui.store.ledger import DocumentDraft, LedgerService
from ipos_tui.store.settings import SettingsService
from ipos_tui.store.timeutil import local_text, parse_time, utc_text
from ipos_tui.till.cash.amounts import check_amount, check_reason
from ipos_tui.till.cash.printouts import cash_printout_body, cash_title
from ipos_tui.till.cash.records import (
    DOC_CASH_OPERATION,
    DOC_CASH_REPORT,
    CashResult,
    DrawerState,
    Shift,
    ShiftCount,
    difference_limit,
)

#: Local setting recording a skipped opening ("pomiń"): which shift close it follows.
LOCAL_SKIPPED_OPENING: Final = "cash_opening_skipped"

_LAST_CLOSE_SQL: Final = (
    "SELECT id, uuid FROM document WHERE doc_type = 'cash_report' AND kind = 'shift_close' "
    "ORDER BY id DESC LIMIT 1"
)
_OPENING_SQL: Final = (
    "SELECT id, created_utc, created_local, cashier_name, uuid FROM document "
    "WHERE doc_type = 'cash_operation' AND id > ? "
    "AND json_extract(extra, '$.purpose') = 'opening' ORDER BY id LIMIT 1"
)
_OPERATIONS_SQL: Final = (
    "SELECT "
    "coalesce(sum(CASE WHEN kind = 'in' AND json_extract(extra, '$.purpose') = 'opening' "
    "THEN total END), 0), "
    "coalesce(sum(CASE WHEN kind = 'in' AND coalesce(json_extract(extra, '$.purpose'), '') "
    "!= 'opening' THEN total END), 0), "
    "coalesce(sum(CASE WHEN kind = 'out' THEN total END), 0) "
    "FROM document WHERE doc_type = 'cash_operation' AND id > ?"
)
#: Cash documents are few and found through the doc_type index; the tenders of a
#: shift are read by id from the shift's start (``+doc_type`` keeps SQLite off that
#: index there, which would visit every receipt ever sold).
_TENDERS_SQL: Final = (
    "SELECT d.doc_type, coalesce(sum(p.amount - p.change), 0) "
    "FROM document d JOIN document_payment p ON p.document_id = d.id "
    "WHERE d.id > ? AND +d.doc_type IN ('receipt', 'sale_invoice', 'return') "
    "AND p.method IN (SELECT code FROM payment_method WHERE kind = 'cash') "
    "GROUP BY d.doc_type"
)
_LAST_DOCUMENT_SQL: Final = "SELECT coalesce(max(id), 0) FROM document"


class CashService:
    """Opens and closes the till's shift and stores its cash operations and reports."""

    def __init__(
        self, db: SqliteDatabase, settings: SettingsService, ledger: LedgerService, printer: FiscalPrinter
    ) -> None:
        self._db = db
        self._settings = settings
        self._ledger = ledger
        self._printer = printer

    # -- reading ----------------------------------------------------------------

    def current_shift(self) -> Shift | None:
        """The open shift, or None when none was opened since the last close."""
        close_id, close_uuid = self._last_close()
        row = self._db.execute_sql(_OPENING_SQL, (close_id,)).fetchone()
        if row is not None:
            doc_id, created_utc, created_local, cashier_name, doc_uuid = row
            return Shift(doc_id - 1, parse_time(created_utc), parse_time(created_local), cashier_name, doc_uuid)
        skipped = self._settings.get_local(LOCAL_SKIPPED_OPENING)
        if isinstance(skipped, dict) and skipped.get("after_close") == close_uuid:
            return Shift(
                int(skipped["after_id"]),
                parse_time(skipped["started_utc"]),
                parse_time(skipped["started_local"]),
                str(skipped.get("cashier_name", "")),
                None,
            )
        return None

    def drawer(self) -> DrawerState:
        """The cash of the open shift; DomainError "cash.err_no_shift" without one."""
        shift = self.current_shift()
        if shift is None:
            raise DomainError("cash.err_no_shift")
        opening, deposits, withdrawals = self._db.execute_sql(_OPERATIONS_SQL, (shift.after_id,)).fetchone()
        tenders = dict(self._db.execute_sql(_TENDERS_SQL, (shift.after_id,)).fetchall())
        return DrawerState(
            shift=shift,
            opening=int(opening),
            cash_sales=int(tenders.get("receipt", 0)) + int(tenders.get("sale_invoice", 0)),
            cash_refunds=int(tenders.get("return", 0)),
            deposits=int(deposits),
            withdrawals=int(withdrawals),
        )

    @staticmethod
    def can_deposit(user: User) -> bool:
        """Whether ``user`` may put cash into the drawer (see the module docstring)."""
        return user.can(PERM_CASH_DEPOSIT) or user.can(PERM_CASH_WITHDRAWAL)

    @staticmethod
    def can_withdraw(user: User) -> bool:
        """Whether ``user`` may take cash out of the drawer."""
        return user.can(PERM_CASH_WITHDRAWAL)

    @staticmethod
    def permission_for(which: str) -> str:
        """The permission a manager's authorisation needs for "deposit" or "withdrawal"."""
        return PERM_CASH_DEPOSIT if which == "deposit" else PERM_CASH_WITHDRAWAL

    def _allowed(self, which: str, cashier: User, authorisation: Authorisation | None) -> bool:
        """The cashier may, or a manager authorised it with a permission that allows it."""
        allowed = self.can_deposit if which == "deposit" else self.can_withdraw
        if allowed(cashier):
            return True
        if authorisation is None:
            return False
        return authorisation.permission == self.permission_for(which) or (
            which == "deposit" and authorisation.permission == PERM_CASH_WITHDRAWAL
        )

    # -- the shift ----------------------------------------------------------------

    def open_shift(self, amount: int, *, cashier: User, now: datetime) -> CashResult | None:
        """Open the shift with ``amount`` of opening cash ("wprowadź").

        An amount of 0 is the same as skipping ("pomiń"): the shift opens with
        0,00 zł and no document (returns None). Raises DomainError
        "cash.err_shift_open" when a shift is already open, and the amount errors
        of :func:`check_amount`.
        """
        check_amount(amount, allow_zero=True)
        if amount == 0:
            self._skip_opening(cashier, now)
            return None
        draft = DocumentDraft(
            doc_type=DOC_CASH_OPERATION, kind="in", total=amount, extra={"purpose": "opening", "reason": ""}
        )
        return self._commit(draft, cashier, now, self._refuse_open_shift)

    def plain_shifts(self) -> bool:
        """Shifts without cash management (the back office's "cashier_shifts" alone)."""
        return self._settings.cashier_shifts() and not self._settings.cash_management()

    def begin_after_login(self, *, cashier: User | None, now: datetime) -> bool:
        """What a login starts. True: the opening cash must be asked first (cash
        management on and no shift open). Otherwise, with shifts on, a shift is opened
        now when none is (no opening cash asked), and False: selling may begin."""
        if self._settings.cash_management() and self.current_shift() is None:
            return True
        if self._settings.cashier_shifts() and cashier is not None and self.current_shift() is None:
            try:
                self.skip_opening(cashier=cashier, now=now)
            except DomainError:  # opened meanwhile: the shift is there either way
                pass
        return False

    def skip_opening(self, *, cashier: User, now: datetime) -> None:
        """"Pomiń": open the shift with 0,00 zł of opening cash (no document)."""
        self.open_shift(0, cashier=cashier, now=now)

    def _skip_opening(self, cashier: User, now: datetime) -> None:
        with self._db.atomic("IMMEDIATE"):
            self._refuse_open_shift()
            _close_id, close_uuid = self._last_close()
            (last_id,) = self._db.execute_sql(_LAST_DOCUMENT_SQL).fetchone()
            self._settings.set_local(
                LOCAL_SKIPPED_OPENING,
                {
                    "after_close": close_uuid,
                    "after_id": int(last_id),
                    "started_utc": utc_text(now),
                    "started_local": local_text(now),
                    "cashier_name": cashier.name,
                },
            )

    def close_shift(
        self, *, cashier: User, now: datetime, counted: int | None = None, expected: int | None = None
    ) -> CashResult:
        """"Zamknięcie zmiany": store and print the shift's final cash report; the
        next login starts a new shift. DomainError "cash.err_no_shift" without one.

        ``counted``: the cash counted in the drawer (0 allowed), stored and printed
        with its difference from the expected cash. ``expected``: the expected cash
        the cashier was shown; when the drawer no longer holds that (DomainError
        "cash.err_drawer_changed", ``total`` = the cash now) nothing is stored.
        """
        if counted is not None:
            check_amount(counted, allow_zero=True)

        def checked() -> DrawerState:
            state = self.drawer()
            if expected is not None and state.cash != expected:
                raise DomainError("cash.err_drawer_changed", total=state.cash)
            return state

        return self._report("shift_close", cashier, now, counted=counted, check=checked)

    def difference_limit(self) -> int:
        """The difference above which a shift close asks again (grosze)."""
        return difference_limit(self._settings)

    # -- operations ----------------------------------------------------------------

    def deposit(
        self,
        amount: int,
        *,
        reason: str = "",
        cashier: User,
        now: datetime,
        authorisation: Authorisation | None = None,
    ) -> CashResult:
        """"Wpłata": cash put into the drawer (``authorisation``: the manager who
        allowed a cashier without the permission). DomainError
        "cash.err_no_permission_deposit", "cash.err_no_shift" and the amount errors."""
        if not self._allowed("deposit", cashier, authorisation):
            raise DomainError("cash.err_no_permission_deposit")
        check_amount(amount)
        extra = {"purpose": "deposit", "reason": check_reason(reason)}
        draft = DocumentDraft(
            doc_type=DOC_CASH_OPERATION,
            kind="in",
            total=amount,
            extra=with_authorisation(extra, None if self.can_deposit(cashier) else authorisation),
        )
        return self._commit(draft, cashier, now, self.drawer)

    def withdraw(
        self,
        amount: int,
        *,
        reason: str = "",
        cashier: User,
        now: datetime,
        authorisation: Authorisation | None = None,
    ) -> CashResult:
        """"Wypłata": cash taken out of the drawer, never more than is in it (checked
        under the ledger's write lock); ``authorisation`` as for :meth:`deposit`.
        DomainError "cash.err_no_permission_withdrawal", "cash.err_no_shift",
        "cash.err_withdrawal_exceeds" (``amount``, ``total`` = the cash in the drawer)
        and the amount errors."""
        if not self._allowed("withdrawal", cashier, authorisation):
            raise DomainError("cash.err_no_permission_withdrawal")
        check_amount(amount)
        extra = {"purpose": "withdrawal", "reason": check_reason(reason)}
        draft = DocumentDraft(
            doc_type=DOC_CASH_OPERATION,
            kind="out",
            total=amount,
            extra=with_authorisation(extra, None if self.can_withdraw(cashier) else authorisation),
        )

        def enough_cash() -> DrawerState:
            state = self.drawer()
            if amount > state.cash:
                raise DomainError("cash.err_withdrawal_exceeds", amount=amount, total=max(state.cash, 0))
            return state

        return self._commit(draft, cashier, now, enough_cash)

    def report_state(self, *, cashier: User, now: datetime) -> CashResult:
        """"Raport stanu kasy": store and print the cash of the shift so far."""
        return self._report("state", cashier, now)

    # -- internals --------------------------------------------------------------------

    def _last_close(self) -> tuple[int, str]:
        """Id and uuid of the last shift close (0 and "" before the first)."""
        row = self._db.execute_sql(_LAST_CLOSE_SQL).fetchone()
        return (0, "") if row is None else (int(row[0]), str(row[1]))

    def _refuse_open_shift(self) -> None:
        """DomainError "cash.err_shift_open" when the shift is already open."""
        if self.current_shift() is not None:
            raise DomainError("cash.err_shift_open")

    def _report(
        self,
        kind: str,
        cashier: User,
        now: datetime,
        *,
        counted: int | None = None,
        check: Callable[[], DrawerState] | None = None,
    ) -> CashResult:
        """Store a cash report counted inside the write transaction, so the cash it
        states is exactly the ledger's at the moment it gets its number (and the
        difference of a count is taken from that same number)."""

        def draft(state: DrawerState | None) -> DocumentDraft:
            assert state is not None
            extra = state.report_extra()
            if counted is not None:
                extra["counted"] = counted
                extra["difference"] = ShiftCount(state.cash, counted).difference
            return DocumentDraft(doc_type=DOC_CASH_REPORT, kind=kind, total=state.cash, extra=extra)

        return self._commit(draft, cashier, now, check or self.drawer)

    def _commit(
        self,
        draft: DocumentDraft | Callable[[DrawerState | None], DocumentDraft],
        cashier: User,
        now: datetime,
        check: Callable[[], DrawerState | None],
    ) -> CashResult:
        """Check, build and commit in ONE write transaction, then print.

        ``check`` runs under the lock (what it counted cannot change before the
        document is stored) and returns the drawer it saw; a report's draft is built
        from that count. The ledger's own transaction nests in this one as a
        savepoint. The drawer after the document is counted in the same
        transaction (a report leaves it as it was; a closed shift has no drawer).
        """
        with self._db.atomic("IMMEDIATE"):
            before = check()
            resolved = draft(before) if callable(draft) else draft
            stored = self._ledger.commit_document(resolved, cashier=cashier, now=now)
            state = before if resolved.doc_type == DOC_CASH_REPORT and before is not None else self.drawer()
        detail = self._ledger.get_document(stored.uuid)
        body = cash_printout_body(detail, state, self._terminal_name())
        printout = self._printer.print_nonfiscal(
            "cash", cash_title(detail), body, now, document_uuid=stored.uuid, document_number=stored.number
        )
        return CashResult(stored, state, printout, cashier.name)

    def _terminal_name(self) -> str:
        info = self._settings.terminal_info()
        return info.name if info is not None else ""


__all__ = ["LOCAL_SKIPPED_OPENING", "CashService"]
