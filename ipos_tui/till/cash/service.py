"""Cash management: the shift of the till's drawer, its cash operations and reports.

PRODUCT.md §5: with cash management on, a shift starts after login with the opening
cash ("wprowadź") or without it ("pomiń"), takes deposits ("wpłata") and withdrawals
("wypłata"), reports the cash in the drawer ("raport stanu kasy") and ends with
"zamknięcie zmiany". Every operation and report is a ledger document (its own
gapless numbering per type) uploaded like a sale.

Decisions this module makes, and why:

* **The shift belongs to the till, not to a cashier.** The drawer is one physical
  box; a cashier who locks the screen ("1. Blokada ekranu") and the next one who logs
  in continue the same shift and the same count. Only "Zamknięcie zmiany" ends it.
* **The shift is derived from the ledger**, so nothing can get out of sync with the
  documents: the shift is the run of documents after the last ``cash_report`` of kind
  ``shift_close``; it is *open* once its opening was done — an opening
  ``cash_operation`` (purpose "opening") after that close. Skipping the opening
  ("pomiń") opens the shift with 0,00 zł but stores no document (the protocol's cash
  operation needs an amount > 0), so the skip is recorded as a local setting naming
  the close it follows; a later close makes it stale by itself.
* **Cash in the drawer** = opening + cash taken on receipts (each cash tender's
  ``amount − change``, for payment methods of kind "cash") − cash refunded on returns
  + deposits − withdrawals, counting only documents of the shift. Card, voucher and
  transfer tenders never touch the drawer.
* **Permissions**: a withdrawal needs "cash_withdrawal". A deposit needs
  "cash_deposit" (the back office grants it) or "cash_withdrawal": whoever may take
  money out of the drawer may also put it in. A cashier without them may still do it
  when a manager holding the permission authorises it with their identifier and PIN
  (``authorisation``): the document records who ("Autoryzował:" on its printout).
  Reports and closing the shift need no permission — ending one's shift is every
  cashier's duty.
* **A withdrawal never exceeds the cash in the drawer**: the check runs inside the
  ledger's write transaction (``BEGIN IMMEDIATE``), so two tills' workers or a double
  key press cannot both take the same money out.
* **The shift close carries the cash counted in the drawer** ("policzono") next to
  what the ledger says should be there ("powinno być", the report's total), and the
  difference counted − expected: above 0 a surplus ("nadwyżka"), below 0 a shortage
  ("niedobór"), 0 "zgodne". The till asks once more ("czy na pewno") when the
  difference is larger than the back office's ``cash_difference_limit`` (złoty, as
  the back office takes amounts; 100,00 zł without it). The expected cash the
  cashier confirmed is checked again under the write lock, so the stored difference
  is the one that was shown.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from peewee import SqliteDatabase

from ipos_tui.devices import paper
from ipos_tui.devices.paper import PRINT_WIDTH
from ipos_tui.devices.printer import (
    FiscalPrinter,
    JournalEntry,
)
from ipos_tui.domain.authorisation import (
    Authorisation,
    authorisations_of,
    printout_lines,
    with_authorisation,
)
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import MAX_GROSZE, parse_amount, parse_money
from ipos_tui.store.ledger import DocumentDraft, LedgerService
from ipos_tui.domain.records import (
    PERM_CASH_DEPOSIT,
    PERM_CASH_WITHDRAWAL,
    DocumentDetail,
    StoredDocument,
    User,
)
from ipos_tui.store.settings import SettingsService
from ipos_tui.store.timeutil import local_text, parse_time, utc_text

log = logging.getLogger(__name__)

DOC_CASH_OPERATION: Final = "cash_operation"
DOC_CASH_REPORT: Final = "cash_report"
#: Local setting recording a skipped opening ("pomiń"): which shift close it follows.
LOCAL_SKIPPED_OPENING: Final = "cash_opening_skipped"
#: The protocol's limit of a cash operation's reason.
MAX_REASON: Final = 200
#: Catalogue setting: the largest difference at a shift close taken without a second
#: question, in złoty as the back office stores it ("100,00").
KEY_DIFFERENCE_LIMIT: Final = "cash_difference_limit"
#: That limit when the back office sets none: 100,00 zł.
DEFAULT_DIFFERENCE_LIMIT: Final = 10_000

_SPACES: Final = " \u00a0\u202f"
#: A number as an amount is written (to tell "-5,00" from "-abc").
_NUMBER_RE: Final = re.compile(rf"[0-9][0-9{_SPACES}]*(?:[.,][0-9]{{0,2}})?(?:[{_SPACES}]?(?i:zł))?")

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


# -- amounts ---------------------------------------------------------------------


def parse_cash_amount(text: str, *, allow_zero: bool = False) -> int:
    """An amount the cashier typed, in grosze: digits only are grosze as on the payment
    screen ("20000" = 200,00 zł), with a decimal comma or point złoty ("200,00", and
    "200," too).

    Raises DomainError "cash.err_amount_negative" (``text``) for a negative amount,
    "cash.err_amount_invalid" (``text``) for letters, a plus sign or more than two
    decimals, "cash.err_amount_too_large" above 999 999,99 zł and
    "cash.err_amount_zero" for 0 unless ``allow_zero`` (an opening may be 0).
    """
    cleaned = text.strip()
    if cleaned[:1] in ("-", "\u2212") and _NUMBER_RE.fullmatch(cleaned[1:].strip()):
        raise DomainError("cash.err_amount_negative", text=text)
    try:
        grosze = parse_amount(cleaned)  # the till's one money rule
    except DomainError as error:
        key = "cash.err_amount_too_large" if error.key == "err.amount_too_large" else "cash.err_amount_invalid"
        raise DomainError(key, text=text) from None
    return check_amount(grosze, allow_zero=allow_zero)


def check_amount(grosze: int, *, allow_zero: bool = False) -> int:
    """``grosze`` if it is a possible cash amount (0 only with ``allow_zero``)."""
    if grosze < 0:
        raise DomainError("cash.err_amount_invalid", text=str(grosze))
    if grosze == 0 and not allow_zero:
        raise DomainError("cash.err_amount_zero")
    if grosze > MAX_GROSZE:
        raise DomainError("cash.err_amount_too_large")
    return grosze


def check_reason(reason: str) -> str:
    """The reason as stored (stripped); DomainError "cash.err_reason_too_long" (``max``)."""
    cleaned = " ".join(reason.split())
    if len(cleaned) > MAX_REASON:
        raise DomainError("cash.err_reason_too_long", max=MAX_REASON)
    return cleaned


# -- records ---------------------------------------------------------------------


@dataclass(frozen=True)
class Shift:
    """The open shift: where it starts in the ledger and who opened it when."""

    #: documents with a greater id belong to this shift
    after_id: int
    started_utc: datetime
    started_local: datetime
    cashier_name: str
    #: the opening cash operation, or None when the opening was skipped
    opening_uuid: str | None


@dataclass(frozen=True)
class DrawerState:
    """The cash of one shift as the till counts it."""

    shift: Shift
    opening: int
    cash_sales: int
    cash_refunds: int
    deposits: int
    withdrawals: int

    @property
    def cash(self) -> int:
        """Cash that should be in the drawer now."""
        return self.opening + self.cash_sales - self.cash_refunds + self.deposits - self.withdrawals

    def report_extra(self) -> dict[str, Any]:
        """The sums a cash report stores (and sends) with the cash it states."""
        return {
            "opening": self.opening,
            "cash_sales": self.cash_sales,
            "cash_refunds": self.cash_refunds,
            "deposits": self.deposits,
            "withdrawals": self.withdrawals,
            "shift_started_at": self.shift.started_utc.isoformat(),
        }


@dataclass(frozen=True)
class ShiftCount:
    """The cash counted in the drawer at a shift close against what should be there."""

    #: cash that should be in the drawer ("powinno być"): the ledger's count
    expected: int
    #: cash the cashier counted ("policzono")
    counted: int

    @property
    def difference(self) -> int:
        """counted − expected: above 0 a surplus, below 0 a shortage."""
        return self.counted - self.expected

    @property
    def kind(self) -> str:
        """"surplus" ("nadwyżka"), "shortage" ("niedobór") or "exact" ("zgodne")."""
        if self.difference > 0:
            return "surplus"
        if self.difference < 0:
            return "shortage"
        return "exact"

    def is_large(self, limit: int) -> bool:
        """Whether the difference (either way) is larger than ``limit`` grosze."""
        return abs(self.difference) > limit


def count_of(detail: DocumentDetail) -> ShiftCount | None:
    """The count a stored shift close carries (None for a report without one)."""
    counted = detail.extra.get("counted")
    if detail.doc_type != DOC_CASH_REPORT or counted is None:
        return None
    return ShiftCount(detail.total, int(counted))


def difference_limit(settings: SettingsService) -> int:
    """The back office's ``cash_difference_limit`` in grosze (złoty text or a number of
    złoty); the default 100,00 zł when it sets none or something unreadable."""
    value = settings.get(KEY_DIFFERENCE_LIMIT)
    if value is None:
        return DEFAULT_DIFFERENCE_LIMIT
    try:
        if isinstance(value, bool):
            raise DomainError("err.money_invalid", text=str(value))
        return int(value) * 100 if isinstance(value, int) else parse_money(str(value))
    except DomainError:
        log.warning("setting %s=%r is not an amount: using %s grosze", KEY_DIFFERENCE_LIMIT, value,
                    DEFAULT_DIFFERENCE_LIMIT)
        return DEFAULT_DIFFERENCE_LIMIT


@dataclass(frozen=True)
class CashResult:
    """A stored cash document, the drawer right after it, and its printout."""

    document: StoredDocument
    state: DrawerState
    printout: JournalEntry
    cashier_name: str


# -- the service -------------------------------------------------------------------


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
        title = _TITLES[(detail.doc_type, detail.kind, str(detail.extra.get("purpose") or ""))]
        body = cash_printout_body(detail, state, self._terminal_name())
        printout = self._printer.print_nonfiscal(
            "cash", title, body, now, document_uuid=stored.uuid, document_number=stored.number
        )
        return CashResult(stored, state, printout, cashier.name)

    def _terminal_name(self) -> str:
        info = self._settings.terminal_info()
        return info.name if info is not None else ""


# -- printouts ----------------------------------------------------------------------

#: Printout titles by (document type, kind, purpose); printouts are in Polish, as the
#: fiscal printer prints them.
_TITLES: Final = {
    ("cash_operation", "in", "opening"): "STAN POCZĄTKOWY KASY",
    ("cash_operation", "in", "deposit"): "WPŁATA DO KASY",
    ("cash_operation", "in", ""): "WPŁATA DO KASY",
    ("cash_operation", "out", "withdrawal"): "WYPŁATA Z KASY",
    ("cash_operation", "out", ""): "WYPŁATA Z KASY",
    ("cash_report", "state", ""): "RAPORT STANU KASY",
    ("cash_report", "shift_close", ""): "ZAMKNIĘCIE ZMIANY",
}


#: The difference's line on a shift close's printout, by ShiftCount.kind.
_DIFFERENCE_WORDS: Final = {"surplus": "NADWYŻKA", "shortage": "NIEDOBÓR", "exact": "ZGODNE"}


def cash_printout_body(detail: DocumentDetail, state: DrawerState, terminal_name: str) -> list[str]:
    """The lines of a cash operation's or cash report's printout below its head."""
    rule = "-" * PRINT_WIDTH
    lines: list[str] = []
    if detail.doc_type == DOC_CASH_OPERATION:
        # one numbering for all cash operations (the ledger's, per document type):
        # no KP/KW prefix that would suggest two separate series
        lines.append(paper.fit("Operacja kasowa nr", f"{detail.number:06d}"))
        lines.append(paper.fit("Kwota", paper.amount(detail.total)))
        reason = str(detail.extra.get("reason") or "")
        if reason:
            lines.append("Powód: " + reason[: PRINT_WIDTH - 7])
            lines += [reason[i : i + PRINT_WIDTH] for i in range(PRINT_WIDTH - 7, len(reason), PRINT_WIDTH)]
        lines.append(rule)
        lines.append(paper.fit("GOTÓWKA W KASIE", paper.amount(state.cash)))
    else:
        extra = detail.extra
        lines.append(paper.fit("Raport nr", f"{detail.number:06d}"))
        lines.append(paper.fit("Zmiana od", parse_time(extra["shift_started_at"]).astimezone(
            detail.created_local.tzinfo).strftime("%Y-%m-%d %H:%M")))
        lines.append(rule)
        lines.append(paper.fit("Stan początkowy", paper.amount(extra["opening"])))
        lines.append(paper.fit("Sprzedaż gotówkowa", paper.amount(extra["cash_sales"])))
        lines.append(paper.fit("Zwroty gotówkowe", paper.amount(extra["cash_refunds"])))
        lines.append(paper.fit("Wpłaty", paper.amount(extra["deposits"])))
        lines.append(paper.fit("Wypłaty", paper.amount(extra["withdrawals"])))
        lines.append(rule)
        count = count_of(detail)
        if count is None:
            lines.append(paper.fit("GOTÓWKA W KASIE", paper.amount(detail.total)))
        else:
            lines.append(paper.fit("POWINNO BYĆ W KASIE", paper.amount(count.expected)))
            lines.append(paper.fit("POLICZONO", paper.amount(count.counted)))
            lines.append(paper.fit(_DIFFERENCE_WORDS[count.kind], paper.signed(count.difference)))
    lines.append(rule)
    lines.append(paper.fit(f"Kasjer: {detail.cashier_name}", terminal_name))
    lines += printout_lines(authorisations_of(detail.extra), PRINT_WIDTH)
    return lines


__all__ = [
    "DOC_CASH_OPERATION",
    "DOC_CASH_REPORT",
    "PERM_CASH_DEPOSIT",
    "CashResult",
    "CashService",
    "DrawerState",
    "Shift",
    "ShiftCount",
    "check_amount",
    "check_reason",
    "count_of",
    "difference_limit",
    "parse_cash_amount",
]
