"""The shared base of the per-subject services: one company over one database."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Self

from peewee import Database

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice import security
from ipos_tui.backoffice.feed import (
    ChangeRecorder,
    writing,
)


class ServiceBase:
    """The shared base of the per-subject services: one company over one database."""

    def __init__(self, db: Database, pepper: bytes, company_id: int = 1) -> None:
        self.db = db
        self.pepper = pepper
        self.company_id = company_id
        if m.database_proxy.obj is not db:
            m.database_proxy.initialize(db)

    def for_company(self, company_id: int) -> Self:
        """The same services for another company of the database."""
        return type(self)(self.db, self.pepper, company_id)

    def pin_key(self) -> bytes:
        return security.company_pin_key(self.pepper, self.company_id)

    def _writing(self) -> AbstractContextManager[ChangeRecorder]:
        """The company's locked write transaction with its change recorder."""
        return writing(self.db, self.company_id)
