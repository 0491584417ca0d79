"""The line each page shows about what the tills still have to fetch:
"do pobrania przy następnej synchronizacji" until every till of the store pulled it."""

from __future__ import annotations

from fastapi import Request

from ipos_tui.backoffice.services import BackOffice, WebUser
from ipos_tui.i18n import text_in
from ipos_tui.i18n.plural import tn_in

from .render import local_time, request_language

#: The till's menu item that fetches each stream (8 → 4 → 1 / 2 / 3).
_MENU = {"config": "8 → 4 → 1", "users": "8 → 4 → 2", "products": "8 → 4 → 3"}


def delivery_note(request: Request, office: BackOffice, user: WebUser, stream: str) -> str:
    """"" when every till of the user's stores has fetched ``stream``; else which
    stores' tills will fetch it at their next synchronisation, and since when it waits."""
    language = request_language(request)
    names = {s["id"]: s["name"] for s in office.list_stores()}
    parts = []
    for item in office.delivery([stream], None if user.is_owner else user.store_ids):
        if item.pending:
            parts.append(tn_in(language, "plural.web_delivery_store", item.terminals,
                               store=names[item.store_id], behind=item.behind,
                               since=local_time(item.waiting_since)))
    if not parts:
        return ""
    return text_in(language, "web.delivery.pending", stores="; ".join(parts),
                   menu=_MENU.get(stream, ""))
