"""End-to-end flows (a till's screens driving a real back office) run on ONE database.

Their subject is the till and the protocol between the two; the back office's own
behaviour on both databases (ingest, pulls, reports, numbering, locks) is covered by
tests/backoffice and tests/sync, which run on SQLite and on PostgreSQL. Running these
screen-driven flows twice cost about 40 s of the suite's wall time for no new check.
They use SQLite unless only PostgreSQL is selected (``IPOS_OFFICE_DB=postgres``).
"""

from __future__ import annotations

import pytest

from office_db import OfficeBackend, selected_backends


@pytest.fixture(scope="module")
def office_backend(request: pytest.FixtureRequest) -> OfficeBackend:
    if "sqlite" in selected_backends():
        return OfficeBackend("sqlite")
    return OfficeBackend("postgres", request.getfixturevalue("pg_server"))
