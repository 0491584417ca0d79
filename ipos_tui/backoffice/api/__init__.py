"""The HTTP API terminals talk to (FastAPI; OpenAPI at ``/docs``), with iPOS web mounted
on the same app."""

from ipos_tui.backoffice.api.app import DEFAULT_MAX_BODY, IMPORT_MAX_BODY, create_app

__all__ = ["DEFAULT_MAX_BODY", "IMPORT_MAX_BODY", "create_app"]
