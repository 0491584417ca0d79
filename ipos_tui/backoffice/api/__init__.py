"""The HTTP API terminals talk to (FastAPI; OpenAPI at ``/docs``), with iPOS web mounted
on the same app: the routes (:mod:`.app`), the headers terminals send (:mod:`.headers`),
error answers (:mod:`.errors`), body limits (:mod:`.limits`) and what OpenAPI says
beyond FastAPI's own (:mod:`.openapi`)."""

from ipos_tui.backoffice.api.app import create_app
from ipos_tui.backoffice.api.limits import DEFAULT_MAX_BODY, IMPORT_MAX_BODY

__all__ = ["DEFAULT_MAX_BODY", "IMPORT_MAX_BODY", "create_app"]
