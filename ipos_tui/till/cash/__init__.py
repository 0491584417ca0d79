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

The package by subject:

* :mod:`.records`: the shift, the drawer's count, a shift close's count, a result;
* :mod:`.amounts`: amounts and reasons as the cashier types them;
* :mod:`.printouts`: the printouts of cash operations and reports;
* :mod:`.service`: :class:`CashService`, the use cases over the ledger and printer.
"""

from ipos_tui.domain.records import PERM_CASH_DEPOSIT
from ipos_tui.till.cash.amounts import (
    MAX_REASON,
    check_amount,
    check_reason,
    parse_cash_amount,
)
from ipos_tui.till.cash.printouts import cash_printout_body, cash_title
from ipos_tui.till.cash.records import (
    DEFAULT_DIFFERENCE_LIMIT,
    DOC_CASH_OPERATION,
    DOC_CASH_REPORT,
    KEY_DIFFERENCE_LIMIT,
    CashResult,
    DrawerState,
    Shift,
    ShiftCount,
    count_of,
    difference_limit,
)
from ipos_tui.till.cash.service import LOCAL_SKIPPED_OPENING, CashService

__all__ = [
    "DEFAULT_DIFFERENCE_LIMIT",
    "DOC_CASH_OPERATION",
    "DOC_CASH_REPORT",
    "KEY_DIFFERENCE_LIMIT",
    "LOCAL_SKIPPED_OPENING",
    "MAX_REASON",
    "PERM_CASH_DEPOSIT",
    "CashResult",
    "CashService",
    "DrawerState",
    "Shift",
    "ShiftCount",
    "cash_printout_body",
    "cash_title",
    "check_amount",
    "check_reason",
    "count_of",
    "difference_limit",
    "parse_cash_amount",
]
