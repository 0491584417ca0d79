"""Returns ("zwrot"): goods taken back against the receipt they were sold on.

The cashier gives the receipt code (typed or scanned, see
:mod:`ipos_tui.domain.receipt_code`). A receipt of this till is read from the
ledger; one of another till of the store is asked of the back office, through a
:data:`~ipos_tui.domain.receipt_lookup.RemoteLookup` the caller supplies (the sync
layer builds one over HTTP: :func:`ipos_tui.sync.receipts.receipt_lookup`).

"Never more than sold, over all returns": what was already returned of each line
is the back office's figure (returns uploaded by any till) plus this till's own
returns the back office did not have when it answered. Which of ours it had is
decided by the upload state read BEFORE asking it: a return marked sent by then was
accepted before the question, so it is in the figure; one marked later may be
counted twice, which only ever refuses too much, never allows too much. The commit
re-reads this till's returns inside the ledger's write transaction, so two returns
cannot both take the last piece.

Money: the refund of a partial quantity of a line is the line's value scaled by
quantity with the cumulative quantity, ``f(c) = round_half_up(value × c / sold)``,
and a return of ``q`` after ``r`` already returned gets ``f(r + q) − f(r)``. Over
any sequence of returns these telescope to exactly the line's value: never more,
and the last piece takes the remainder. The back office re-checks each line as
``value == round_half_up(unit_price × qty / 1000) − discount``, so the line carries
the difference as its (proportional) discount.

The package by subject:

* :mod:`.original`: finding the original and what may still come back of it;
* :mod:`.service`: :class:`ReturnService`, the return's lines, refund and commit;
* :mod:`.printout`: the return's printout.
"""

from ipos_tui.till.returns.original import (
    OriginalFinder,
    ReturnLine,
    ReturnSource,
    require_permission,
)
from ipos_tui.till.returns.printout import RETURN_TITLE, render_return
from ipos_tui.till.returns.service import (
    DOC_RETURN,
    REFUND_KINDS,
    RETURN_KIND,
    ReturnService,
    refund_value,
)

__all__ = [
    "DOC_RETURN",
    "REFUND_KINDS",
    "RETURN_KIND",
    "RETURN_TITLE",
    "OriginalFinder",
    "ReturnLine",
    "ReturnService",
    "ReturnSource",
    "refund_value",
    "render_return",
    "require_permission",
]
