"""Returns ("zwrot"): goods taken back against the receipt they were sold on."""

from ipos_tui.till.returns.service import (
    DOC_RETURN,
    RETURN_KIND,
    ReturnLine,
    ReturnService,
    ReturnSource,
    refund_value,
    render_return,
    require_permission,
)

__all__ = [
    "DOC_RETURN",
    "RETURN_KIND",
    "ReturnLine",
    "ReturnService",
    "ReturnSource",
    "refund_value",
    "render_return",
    "require_permission",
]
