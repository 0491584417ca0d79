"""Pulpit: the shop at a glance (stores, tills and their unsent sales)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..auth import Office, User
from ..render import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: User, office: Office) -> Response:
    stores = [s for s in office.list_stores() if user.sees_store(s["id"])]
    terminals = [t for t in office.list_terminals() if user.sees_store(t["store_id"])]
    for store in stores:
        own = [t for t in terminals if t["store_id"] == store["id"] and t["status"] == "active"]
        store["terminals"] = len(own)
        store["unsent"] = sum(t["pending_count"] or 0 for t in own)
    return render(request, "home.html", company=office.get_company(), stores=stores)
