"""The till's catalogue: code lookup, name search, listings and bulk writes."""

from ipos_tui.store.catalog.service import (
    SEARCH_CANDIDATES,
    SEARCH_LIMIT,
    TRIGRAM_MIN,
    CatalogService,
    fts_phrase,
)

__all__ = ["SEARCH_CANDIDATES", "SEARCH_LIMIT", "TRIGRAM_MIN", "CatalogService", "fts_phrase"]
