"""Applying the back office's change feed to the till's database (see ``applier``)."""

from ipos_tui.store.feed_apply.applier import (
    ITEM_TABLE,
    KEYED_PIN_PREFIX,
    PIN_KEY_SETTING,
    PIN_KEYS_SETTING,
    SHADOW_PREFIX,
    SHADOW_SUFFIX,
    STREAM_TABLES,
    TABLE_KEY,
    TYPE_ITEM,
    Counts,
    FeedApplier,
    PageResult,
    StreamCursors,
    pin_key,
    pin_keys,
    setting_value,
)

__all__ = [
    "ITEM_TABLE",
    "KEYED_PIN_PREFIX",
    "PIN_KEY_SETTING",
    "PIN_KEYS_SETTING",
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
