"""peewee models of the back office. Every row carries its company id (multi-tenant ready).

Money is integer grosze. Uniqueness rules of PRODUCT.md §7 that a race could break
(PLU, case-insensitive name, barcode, one price per product and list, document uuid and
number) are UNIQUE indexes, so the database is the last word even if two writers check
at the same time.
"""

from ipos_tui.backoffice.models.base import (
    BaseModel,
    ChangeEntry,
    Company,
    IdField,
    RevCounter,
    SchemaVersion,
    ThrottleFailure,
    database_proxy,
    utcnow,
)
from ipos_tui.backoffice.models.catalogue import (
    Barcode,
    Category,
    Discount,
    Price,
    Product,
    Unit,
)
from ipos_tui.backoffice.models.documents import (
    NumberingIssue,
    Quarantine,
    Transaction,
    TransactionLine,
    TransactionPayment,
)
from ipos_tui.backoffice.models.shop import (
    ActivationCode,
    PaymentMethod,
    PriceList,
    Setting,
    Store,
    Terminal,
    TerminalPull,
    User,
    UserStore,
    VatRate,
    WebSession,
)

#: Every table, in creation order.
MODELS: tuple[type[BaseModel], ...] = (
    SchemaVersion,
    Company,
    RevCounter,
    ChangeEntry,
    PriceList,
    Store,
    Terminal,
    TerminalPull,
    ActivationCode,
    Setting,
    PaymentMethod,
    User,
    VatRate,
    Unit,
    Category,
    Product,
    Barcode,
    Price,
    Discount,
    Transaction,
    TransactionLine,
    TransactionPayment,
    Quarantine,
    UserStore,
    WebSession,
    NumberingIssue,
    ThrottleFailure,
)

__all__ = [
    "MODELS", "ActivationCode", "Barcode", "BaseModel", "Category", "ChangeEntry", "Company",
    "Discount", "IdField", "ThrottleFailure", "NumberingIssue", "PaymentMethod", "Price", "PriceList", "Product",
    "Quarantine", "RevCounter", "SchemaVersion", "Setting", "Store", "Terminal", "TerminalPull",
    "Transaction", "TransactionLine", "TransactionPayment", "Unit", "User", "UserStore", "VatRate",
    "WebSession", "database_proxy", "utcnow",
]
