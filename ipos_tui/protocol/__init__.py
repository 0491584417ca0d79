"""The wire protocol between a terminal and the back office (JSON over HTTP, ``/api/v1``).

One package shared by both sides so they cannot drift apart: the back office builds its
responses from these models (or from dicts a test checks against them) and the
terminal's sync engine parses them with the same models. It imports nothing of ours.

By subject (every public name is re-exported here: ``from ipos_tui.protocol import X``):

* :mod:`.versions` — protocol versions, ``/api/v1``, the headers, :class:`HealthResponse`, :class:`ReadyResponse`;
* :mod:`.base` — :class:`WireModel` and the checked integer types (ids, grosze, thousandths);
* :mod:`.activation` — ``POST /activate``;
* :mod:`.feed` — the change feeds: streams, change types, the plain pull page;
* :mod:`.payloads` — each change type's payload (config, users, catalogue), :data:`DATA_MODELS`;
* :mod:`.compact` — the compact pull page of protocol 3 and its codec;
* :mod:`.documents` — what every pushed document shares (header, lines, payments, buyer …);
* :mod:`.sales` — receipts, Faktury, returns, invoices, the receipt lookup;
* :mod:`.cash` — cash operations, cash reports, the daily report;
* :mod:`.push` — ``POST /transactions``: the batch, :data:`DOCUMENT_ADAPTER`, per-document results;
* :mod:`.errors` — the body of every 4xx answer;
* :mod:`.releases` — signed release metadata and the bytes its signature covers.
"""

from ipos_tui.protocol.activation import (
    ActivateRequest,
    ActivateResponse,
)
from ipos_tui.protocol.base import (
    Id32,
    NonNegativeGrosze,
    SignedGrosze,
    StrictWireInt,
    Thousandths,
    VatLetter,
    WireModel,
)
from ipos_tui.protocol.cash import (
    CashOperationDocument,
    CashReportDocument,
    DailyReportDocument,
)
from ipos_tui.protocol.compact import (
    DELETE_ROW,
    PAGE_FIELDS,
    PAGE_ID_FIELDS,
    CompactPullResponse,
    compact_changes,
    expand_groups,
    wants_compact_pages,
)
from ipos_tui.protocol.documents import (
    DOCUMENT_TYPES,
    SALE_TYPES,
    Authorisation,
    Buyer,
    DocumentBase,
    DocumentLine,
    DocumentPayment,
    DocumentRates,
    DocumentType,
    OriginalReceipt,
)
from ipos_tui.protocol.errors import (
    ErrorDetail,
    ErrorResponse,
)
from ipos_tui.protocol.feed import (
    DEFAULT_PULL_LIMIT,
    MAX_PULL_LIMIT,
    STREAM_TYPES,
    STREAMS,
    Change,
    PullResponse,
    Stream,
)
from ipos_tui.protocol.payloads import (
    DATA_MODELS,
    BarcodeData,
    CategoryData,
    CompanyData,
    DiscountData,
    PaymentMethodData,
    PinKeyData,
    PriceData,
    ProductData,
    SettingData,
    StoreData,
    UnitData,
    UserData,
    VatRateData,
)
from ipos_tui.protocol.push import (
    DOCUMENT_ADAPTER,
    STORED_LINES_MAX,
    Document,
    ItemStatus,
    StoredLine,
    StoredSummary,
    NUMBERS_PATH,
    MissingRange,
    NumbersRequest,
    NumbersResponse,
    TransactionBatch,
    TransactionResult,
    TransactionsResponse,
)
from ipos_tui.protocol.releases import (
    DEFAULT_RELEASE_CHANNEL,
    RELEASE_CHANNEL_PATTERN,
    RELEASE_FILE_PATTERN,
    RELEASES_PATH,
    ReleaseMetadata,
    SignedRelease,
    canonical_json,
    release_key_id,
)
from ipos_tui.protocol.sales import (
    BUYER_FIELDS_REQUIRED,
    RECEIPT_KINDS,
    DepositLine,
    InvoiceDocument,
    InvoiceOfReceipt,
    ReceiptDocument,
    ReceiptKind,
    ReceiptLookupResponse,
    ReturnDocument,
    SaleInvoiceDocument,
)
from ipos_tui.protocol.versions import (
    API_PREFIX,
    COMPACT_PAGES_VERSION,
    HEADER_OLDEST_PENDING,
    HEADER_PENDING_COUNT,
    HEADER_PROTOCOL_VERSION,
    HEADER_STAGED_VERSION,
    HEADER_TERMINAL_VERSION,
    NOTHING_STAGED,
    OLDEST_PROTOCOL_VERSION,
    PREVIOUS_PROTOCOL_VERSION,
    PROTOCOL_VERSION,
    STAGED_VERSION_PATTERN,
    SUPPORTED_PROTOCOL_VERSIONS,
    HealthResponse,
    ReadyResponse,
)

__all__ = [
    "API_PREFIX",
    "BUYER_FIELDS_REQUIRED",
    "COMPACT_PAGES_VERSION",
    "DATA_MODELS",
    "DEFAULT_PULL_LIMIT",
    "DEFAULT_RELEASE_CHANNEL",
    "DELETE_ROW",
    "DOCUMENT_ADAPTER",
    "DOCUMENT_TYPES",
    "HEADER_OLDEST_PENDING",
    "HEADER_PENDING_COUNT",
    "HEADER_PROTOCOL_VERSION",
    "HEADER_STAGED_VERSION",
    "HEADER_TERMINAL_VERSION",
    "MAX_PULL_LIMIT",
    "NOTHING_STAGED",
    "OLDEST_PROTOCOL_VERSION",
    "PAGE_FIELDS",
    "PAGE_ID_FIELDS",
    "PREVIOUS_PROTOCOL_VERSION",
    "PROTOCOL_VERSION",
    "RECEIPT_KINDS",
    "RELEASES_PATH",
    "RELEASE_CHANNEL_PATTERN",
    "RELEASE_FILE_PATTERN",
    "SALE_TYPES",
    "STAGED_VERSION_PATTERN",
    "STORED_LINES_MAX",
    "STREAMS",
    "STREAM_TYPES",
    "SUPPORTED_PROTOCOL_VERSIONS",
    "ActivateRequest",
    "ActivateResponse",
    "Authorisation",
    "BarcodeData",
    "Buyer",
    "CashOperationDocument",
    "CashReportDocument",
    "CategoryData",
    "Change",
    "CompactPullResponse",
    "CompanyData",
    "DailyReportDocument",
    "DepositLine",
    "DiscountData",
    "Document",
    "DocumentBase",
    "DocumentLine",
    "DocumentPayment",
    "DocumentRates",
    "DocumentType",
    "ErrorDetail",
    "ErrorResponse",
    "HealthResponse",
    "ReadyResponse",
    "Id32",
    "InvoiceDocument",
    "InvoiceOfReceipt",
    "ItemStatus",
    "NonNegativeGrosze",
    "OriginalReceipt",
    "PaymentMethodData",
    "PinKeyData",
    "PriceData",
    "ProductData",
    "PullResponse",
    "ReceiptDocument",
    "ReceiptKind",
    "ReceiptLookupResponse",
    "ReleaseMetadata",
    "ReturnDocument",
    "SaleInvoiceDocument",
    "SettingData",
    "SignedGrosze",
    "SignedRelease",
    "StoreData",
    "StoredLine",
    "StoredSummary",
    "Stream",
    "StrictWireInt",
    "Thousandths",
    "NUMBERS_PATH",
    "MissingRange",
    "NumbersRequest",
    "NumbersResponse",
    "TransactionBatch",
    "TransactionResult",
    "TransactionsResponse",
    "UnitData",
    "UserData",
    "VatLetter",
    "VatRateData",
    "WireModel",
    "canonical_json",
    "compact_changes",
    "expand_groups",
    "release_key_id",
    "wants_compact_pages",
]
