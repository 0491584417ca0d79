"""Applying the back office's change feed to the till's database: ``applier`` (one page,
one transaction), ``handlers`` (one per change type), ``shadow`` (resets built beside
the live tables), ``streams`` (tables and records), ``pins`` (the synced PIN keys)."""

from ipos_tui.store.feed_apply.applier import FeedApplier
from ipos_tui.store.feed_apply.handlers import setting_value
from ipos_tui.store.feed_apply.pins import (
    KEYED_PIN_PREFIX,
    PIN_KEY_SETTING,
    PIN_KEYS_SETTING,
    pin_key,
    pin_keys,
)
from ipos_tui.store.feed_apply.streams import (
    ITEM_TABLE,
    SHADOW_PREFIX,
    SHADOW_SUFFIX,
    STREAM_TABLES,
    TABLE_KEY,
    TYPE_ITEM,
    Counts,
    PageResult,
    StreamCursors,
)

__all__ = [
    "ITEM_TABLE",
    "KEYED_PIN_PREFIX",
    "PIN_KEYS_SETTING",
    "PIN_KEY_SETTING",
    "SHADOW_PREFIX",
    "SHADOW_SUFFIX",
    "STREAM_TABLES",
    "TABLE_KEY",
    "TYPE_ITEM",
    "Counts",
    "FeedApplier",
    "PageResult",
    "StreamCursors",
    "pin_key",
    "pin_keys",
    "setting_value",
]
