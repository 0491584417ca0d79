"""The drawer's and the day's documents: cash operations, cash reports (state and shift
close) and the daily report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, Strict

from ipos_tui.protocol.base import NonNegativeGrosze, SignedGrosze, VatLetter
from ipos_tui.protocol.documents import DocumentBase


class CashOperationDocument(DocumentBase):
    """Cash put into ("in") or taken out of ("out") the drawer.

    ``purpose`` says why: the shift's opening cash, a deposit ("wpłata") or a
    withdrawal ("wypłata"); left out it reads as a plain deposit or withdrawal.
    """

    type: Literal["cash_operation"] = "cash_operation"
    kind: Literal["in", "out"]
    amount: Annotated[int, Strict(), Field(gt=0, le=99_999_999_999)]
    reason: str | None = Field(default=None, max_length=200)
    purpose: Literal["opening", "deposit", "withdrawal", "deposit_return"] | None = None


class CashReportDocument(DocumentBase):
    """The drawer's cash as the terminal counts it: a cash-state report ("raport stanu
    kasy", kind "state") or the end of a shift ("zamknięcie zmiany", kind
    "shift_close"). ``cash`` = opening + cash sales − cash refunds + deposits −
    withdrawals since the shift opened.

    A shift close may carry the cash the cashier counted in the drawer (``counted``)
    and ``difference`` = counted − cash (above 0 a surplus, "nadwyżka"; below 0 a
    shortage, "niedobór"). Both are optional and left out by tills that do not count
    (such a close is accepted as before); :meth:`count_problem` says what the back
    office rejects.
    """

    type: Literal["cash_report"] = "cash_report"
    kind: Literal["state", "shift_close"]
    cash: SignedGrosze
    opening: NonNegativeGrosze = 0
    cash_sales: SignedGrosze = 0
    cash_refunds: NonNegativeGrosze = 0
    deposits: NonNegativeGrosze = 0
    withdrawals: NonNegativeGrosze = 0
    shift_started_at: datetime | None = None
    counted: NonNegativeGrosze | None = None
    difference: SignedGrosze | None = None

    def count_problem(self) -> str | None:
        """Why the count cannot be right, as a rejection reason, or ``None``: a count on
        a report other than a shift close ("malformed:counted:not_shift_close"), a
        difference without a count ("malformed:counted:missing") or one that is not
        counted − cash ("difference_mismatch"). A count without its difference is
        complete: the difference follows from it."""
        if self.counted is None:
            return None if self.difference is None else "malformed:counted:missing"
        if self.kind != "shift_close":
            return "malformed:counted:not_shift_close"
        if self.difference is not None and self.difference != self.counted - self.cash:
            return "difference_mismatch"
        return None


class DailyReportDocument(DocumentBase):
    """The daily report ("raport dobowy") of one fiscal day; ``number`` is its running
    number. ``total`` is the day's net sales (receipts − returns); ``vat_totals``
    holds the net GROSS per VAT letter (as receipts do), ``vat_amounts`` the VAT in
    it; ``payments`` the net amount per payment method."""

    type: Literal["daily_report"] = "daily_report"
    day: date
    receipts: int = Field(ge=0, le=2_147_483_647)
    total: SignedGrosze
    vat_totals: dict[VatLetter, SignedGrosze] = Field(default_factory=dict)
    vat_amounts: dict[VatLetter, SignedGrosze] = Field(default_factory=dict)
    receipts_total: NonNegativeGrosze = 0
    returns: int = Field(default=0, ge=0, le=2_147_483_647)
    returns_total: NonNegativeGrosze = 0
    payments: dict[str, SignedGrosze] = Field(default_factory=dict)
    cash_in: NonNegativeGrosze = 0
    cash_out: NonNegativeGrosze = 0
    voids: int = Field(default=0, ge=0, le=2_147_483_647)
    voids_total: NonNegativeGrosze = 0
    first_receipt_at: datetime | None = None
    last_receipt_at: datetime | None = None
    #: deposits ("kaucja"): charged with the day's receipts, paid back in cash
    deposits_collected: NonNegativeGrosze = 0
    deposits_returned: NonNegativeGrosze = 0
    #: of the sales (``receipts``), the Faktury: their count and total (left out when 0)
    invoices: int = Field(default=0, ge=0, le=100_000_000, strict=True)
    invoices_total: NonNegativeGrosze = 0
