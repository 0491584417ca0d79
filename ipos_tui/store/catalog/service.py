"""The catalogue as the sales screen needs it: code lookup, name search, listings and
bulk writes, joined in :class:`CatalogService` (see each part's module)."""

from __future__ import annotations

from ipos_tui.store.catalog.lookup import Lookup
from ipos_tui.store.catalog.search import Search
from ipos_tui.store.catalog.writes import BulkWrites


class CatalogService(Lookup, Search, BulkWrites):
    """Read and write access to the catalogue tables."""
