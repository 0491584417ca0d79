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

    def pin_key_version(self) -> int:
        """The company's current PIN key version (0 before any rotation)."""
        company = m.Company.get_or_none(m.Company.id == self.company_id)
        return 0 if company is None else int(company.pin_key_version)

    def pin_key(self, version: int | None = None) -> bytes:
        """The company's PIN key of ``version`` (None: the current one)."""
        if version is None:
            version = self.pin_key_version()
        return security.company_pin_key(self.pepper, self.company_id, version)

    def _writing(self) -> AbstractContextManager[ChangeRecorder]:
        """The company's locked write transaction with its change recorder."""
        return writing(self.db, self.company_id)
