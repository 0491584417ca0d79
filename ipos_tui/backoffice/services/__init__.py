"""The back office's services: one module per subject, the only place for its rules.

The sync API (``api/``, ``documents/``), iPOS web (``web/``) and the admin CLI
(``cli/``) all call these; a rule checked here holds for all of them. Every check
happens inside the company's locked write transaction (:func:`..feed.writing`), so a
check and the write it allows cannot be split by another writer. Rule violations raise
:class:`~ipos_tui.domain.errors.DomainError` with a message-catalogue key.

:class:`BackOffice` is one company's view over one database, composed of the subjects.
"""

from __future__ import annotations

from .base import ServiceBase
from .catalogue import (
    MAX_PRICE,
    PRODUCT_KINDS,
    CatalogueService,
    ProductInput,
)
from .categories import BUILTIN_UNITS
from .company import CompanyService
from .delivery import Delivery, DeliveryService
from .discounts import DiscountService
from .pricelists import PriceListService
from .product_search import ProductSearchService
from .pull import PullService
from .sales_reports import SalesReportService
from .settings import PAYMENT_KINDS, SETTINGS, SettingSpec, SettingsService
from .staff import PERMISSIONS, ROLES, StaffService
from .terminals import DEFAULT_CODE_TTL, TerminalAuth, TerminalService
from .transactions import TransactionQueryService
from .web_access import WebAccessService, WebUser


class BackOffice(CompanyService, PriceListService, CatalogueService, ProductSearchService,
                 DiscountService, StaffService, SettingsService, TerminalService, PullService,
                 WebAccessService, DeliveryService, SalesReportService, TransactionQueryService,
                 ServiceBase):
    """One company's back office over one database (shared by API, web and CLI)."""


__all__ = [
    "BUILTIN_UNITS", "DEFAULT_CODE_TTL", "MAX_PRICE", "PAYMENT_KINDS", "PERMISSIONS",
    "PRODUCT_KINDS", "ROLES", "SETTINGS", "BackOffice", "Delivery", "ProductInput", "SettingSpec",
    "TerminalAuth", "WebUser",
]
