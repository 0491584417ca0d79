"""What the cash use cases deal in: the open shift, the drawer's count, a shift
close's count against it, the back office's difference limit, a stored result."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from ipos_tui.devices.printer import JournalEntry
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import parse_money
from ipos_tui.domain.records import DocumentDetail, StoredDocument
from ipos_tui.store.settings import SettingsService

log = logging.getLogger(__name__)

DOC_CASH_OPERATION: Final = "cash_operation"
DOC_CASH_REPORT: Final = "cash_report"
#: Catalogue setting: the largest difference at a shift close taken without a second
#: question, in złoty as the back office stores it ("100,00").
KEY_DIFFERENCE_LIMIT: Final = "cash_difference_limit"
#: That limit when the back office sets none: 100,00 zł.
DEFAULT_DIFFERENCE_LIMIT: Final = 10_000


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


__all__ = [
    "DEFAULT_DIFFERENCE_LIMIT",
    "DOC_CASH_OPERATION",
    "DOC_CASH_REPORT",
    "KEY_DIFFERENCE_LIMIT",
    "CashResult",
    "DrawerState",
    "Shift",
    "ShiftCount",
    "count_of",
    "difference_limit",
]
