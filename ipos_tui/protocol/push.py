"""``POST /transactions``: the batch of documents a terminal pushes and the result of
each (accepted, duplicate or rejected, with what the back office already holds)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final, Literal

from pydantic import Field, TypeAdapter

from ipos_tui.protocol.base import WireModel
from ipos_tui.protocol.cash import (
    CashOperationDocument,
    CashReportDocument,
    DailyReportDocument,
)
from ipos_tui.protocol.sales import (
    InvoiceDocument,
    ReceiptDocument,
    ReturnDocument,
    SaleInvoiceDocument,
)

Document = Annotated[
    ReceiptDocument
    | SaleInvoiceDocument
    | ReturnDocument
    | InvoiceDocument
    | CashOperationDocument
    | CashReportDocument
    | DailyReportDocument,
    Field(discriminator="type"),
]
#: Parses one pushed document (a dict) into its model.
DOCUMENT_ADAPTER: Final[TypeAdapter[Any]] = TypeAdapter(Document)


#: The most documents one ``POST /transactions`` may carry.
MAX_DOCUMENTS: Final = 1000


class TransactionBatch(WireModel):
    """``POST /transactions``. Items are parsed one by one, so one malformed document
    is rejected on its own and never blocks the rest of the batch."""

    documents: list[Any] = Field(max_length=MAX_DOCUMENTS)


ItemStatus = Literal["accepted", "duplicate", "rejected"]


class StoredLine(WireModel):
    """One line of a stored document as a ``uuid_conflict`` answer sums it up."""

    name: str
    qty: int
    value: int


#: Lines a ``uuid_conflict`` answer lists at most (``line_count`` says how many there are).
STORED_LINES_MAX: Final = 30


class StoredSummary(WireModel):
    """What the back office already holds under a uuid the terminal sent again with
    other content (``reason`` "uuid_conflict"), so the till can show both versions:
    its number, total (a cash operation's amount, a cash report's cash), line count
    and the first :data:`STORED_LINES_MAX` lines. Added in this release as an optional
    field of :class:`TransactionResult`: an older till ignores it."""

    type: str
    number: int
    total: int
    created_at: datetime | None = None
    line_count: int = 0
    lines: list[StoredLine] = Field(default_factory=list)


class TransactionResult(WireModel):
    """Outcome of one pushed document, in request order (``index``).

    "duplicate" is success for the terminal (the document is already stored).
    "rejected" comes with a machine-readable ``reason``; the payload is kept in the
    back office's quarantine. ``warnings`` (protocol ≥ 2) say what the back office
    could not match, e.g. "unknown_product:123", while still accepting the sale.
    """

    index: int
    uuid: str | None = None
    status: ItemStatus
    reason: str | None = None
    warnings: list[str] | None = None
    #: With reason "uuid_conflict" for a document of the same till: the stored version.
    stored: StoredSummary | None = None
    #: With reason "number_conflict" (the till numbers anew what the back office holds,
    #: e.g. restored from an old backup): the highest number of this document type the
    #: back office holds from the till; the till's numbering goes on above it.
    last_number: int | None = None


class TransactionsResponse(WireModel):
    results: list[TransactionResult]


#: ``POST /numbers`` (under the API prefix): a till compares its numbering with the
#: back office's.
NUMBERS_PATH: Final = "/numbers"


class NumbersRequest(WireModel):
    """``POST /numbers``: the last number the till has handed out of each document type
    (0: none yet). The back office records a rollback for a type the till is behind on."""

    numbers: dict[Annotated[str, Field(pattern=r"^[a-z][a-z_]{0,39}$")],
                  Annotated[int, Field(ge=0, le=2**31 - 1)]] = Field(max_length=32)


class MissingRange(WireModel):
    """Numbers of one document type below the highest held that the back office lacks."""

    type: str
    first: int
    last: int


class NumbersResponse(WireModel):
    """What the back office holds of the calling till's numbering: the highest number of
    each document type the till named (types with none left out), the gaps below them,
    and the latest invoice and correction numbers. A till behind ``numbers`` was put back
    from an old copy and goes on above them; a till holding as sent a document the back
    office lacks (above ``numbers``, or in ``missing``) sends it again: the back office
    was put back from an old copy."""

    numbers: dict[str, int] = Field(default_factory=dict)
    missing: list[MissingRange] = Field(default_factory=list)
    invoice_numbers: list[str] = Field(default_factory=list)
