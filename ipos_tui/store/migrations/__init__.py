"""The till database's schema: numbered migration steps and the runner that applies them."""

from ipos_tui.store.migrations.runner import (
    MIGRATIONS,
    PRODUCT_FTS_TRIGGER_NAMES,
    PRODUCT_FTS_TRIGGERS,
    SCHEMA_VERSION,
    migrate,
    schema_version,
)

__all__ = [
    "MIGRATIONS",
    "PRODUCT_FTS_TRIGGERS",
    "PRODUCT_FTS_TRIGGER_NAMES",
    "SCHEMA_VERSION",
    "migrate",
    "schema_version",
]
