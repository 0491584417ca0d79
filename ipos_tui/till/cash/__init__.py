"""Cash management: the shift of the till's drawer, its cash operations and reports."""

from ipos_tui.till.cash.service import (
    DEFAULT_DIFFERENCE_LIMIT,
    DOC_CASH_OPERATION,
    DOC_CASH_REPORT,
    KEY_DIFFERENCE_LIMIT,
    LOCAL_SKIPPED_OPENING,
    CashResult,
    CashService,
    DrawerState,
    Shift,
    ShiftCount,
    cash_printout_body,
    check_amount,
    check_reason,
    count_of,
    difference_limit,
    parse_cash_amount,
)

__all__ = [
    "DEFAULT_DIFFERENCE_LIMIT",
    "DOC_CASH_OPERATION",
    "DOC_CASH_REPORT",
    "KEY_DIFFERENCE_LIMIT",
    "LOCAL_SKIPPED_OPENING",
    "CashResult",
    "CashService",
    "DrawerState",
    "Shift",
    "ShiftCount",
    "cash_printout_body",
    "check_amount",
    "check_reason",
    "count_of",
    "difference_limit",
    "parse_cash_amount",
]
