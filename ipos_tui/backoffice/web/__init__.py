"""iPOS web: the owner's back office in the browser, on the sync API's FastAPI app.

Server-rendered pages (Jinja2) under ``/``; every form works without JavaScript. The
pages call the same services (:mod:`ipos_tui.backoffice.services`) as the admin CLI, so
a rule holds in both. Sign-in, roles and CSRF live in :mod:`.auth`, per-request
language and template helpers in :mod:`.render`, form parsing in :mod:`.forms`; one
module per menu group under :mod:`.routes`.
"""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ipos_tui.backoffice.services import BackOffice

from .routes import ROUTERS


def mount_web(app: FastAPI, office: BackOffice) -> None:
    """Add iPOS web's pages and static files to ``app`` (the back office's API app)."""
    app.state.office = office
    static = resources.files(__package__).joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    for router in ROUTERS:
        app.include_router(router, include_in_schema=False)
