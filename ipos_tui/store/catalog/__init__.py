"""The till's catalogue: code lookup, name search, listings and bulk writes."""

from ipos_tui.store.catalog.search import (
    SEARCH_CANDIDATES,
    SEARCH_LIMIT,
    TRIGRAM_MIN,
    fts_phrase,
)
from ipos_tui.store.catalog.service import CatalogService

__all__ = ["SEARCH_CANDIDATES", "SEARCH_LIMIT", "TRIGRAM_MIN", "CatalogService", "fts_phrase"]
