"""Company and stores: the company record (with its defaults) and its stores."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.migrations import migrate
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.validation import (
    validate_nip,
)
from ipos_tui.domain.vat import VAT_RATES

from .base import ServiceBase
from .catalogue import (
    BUILTIN_UNITS,
)
from .settings import (
    DEFAULT_PAYMENT_METHODS,
    SETTINGS,
)


class CompanyService(ServiceBase):
    """Company and stores: the company record (with its defaults) and its stores."""

    def init_schema(self) -> list[int]:
        """Create or upgrade the schema (numbered migrations)."""
        return migrate(self.db)

    def has_company(self) -> bool:
        return m.Company.get_or_none(m.Company.id == self.company_id) is not None

    def create_company(
        self,
        name: str,
        nip: str | None = None,
        address: str | None = None,
        payment_methods: Sequence[tuple[str, str, str]] | None = None,
    ) -> int:
        """Create the company with VAT letters, built-in units, default settings and
        payment methods ((code, name, kind); cash and card unless given)."""
        nip_digits = validate_nip(nip) if nip else None
        if not name.strip():
            raise DomainError("err.name_empty")
        with self._writing() as changes:
            company = m.Company.create(id=self.company_id, name=name.strip(), nip=nip_digits,
                                       address=address)
            m.RevCounter.create(company=company.id)
            changes.record("company", company.id)
            changes.record("pin_key", company.id)
            for letter, rate in VAT_RATES.items():
                m.VatRate.create(company=company.id, letter=letter, rate=rate)
                changes.record("vat_rate", letter)
            for unit_name, precision in BUILTIN_UNITS:
                unit = m.Unit.create(company=company.id, name=unit_name, precision=precision,
                                     builtin=True)
                changes.record("unit", unit.id)
            for key, spec in SETTINGS.items():
                m.Setting.create(company=company.id, key=key, value=json.dumps(spec.default))
                changes.record("setting", key)
            methods = DEFAULT_PAYMENT_METHODS if payment_methods is None else payment_methods
            for position, (code, label, kind) in enumerate(methods, start=1):
                method = m.PaymentMethod.create(
                    company=company.id, code=code, name=label, kind=kind,
                    gives_change=kind == "cash", opens_drawer=kind == "cash", position=position)
                changes.record("payment_method", method.id)
        return company.id

    def update_company(self, name: str | None = None, nip: str | None = None,
                       address: str | None = None) -> None:
        """Change company data (``nip=""`` clears it); terminals get it in the config stream."""
        with self._writing() as changes:
            company = m.Company.get_by_id(self.company_id)
            if name is not None:
                company.name = name.strip() or company.name
            if nip is not None:
                company.nip = validate_nip(nip) if nip else None
            if address is not None:
                company.address = address or None
            company.save()
            changes.record("company", company.id)

    def get_company(self) -> dict[str, Any]:
        company = m.Company.get_by_id(self.company_id)
        return {"id": company.id, "name": company.name, "nip": company.nip,
                "address": company.address}

    def add_store(self, name: str, address: str | None = None,
                  price_list_id: int | None = None) -> int:
        name = name.strip()
        if not name:
            raise DomainError("err.name_empty")
        with self._writing() as changes:
            if price_list_id is not None:
                self._price_list(price_list_id)
            store = m.Store.create(company=self.company_id, name=name, address=address,
                                   price_list=price_list_id)
            changes.record("store", store.id, store_id=store.id)
            return store.id

    def list_stores(self) -> list[dict[str, Any]]:
        rows = m.Store.select().where(m.Store.company == self.company_id).order_by(m.Store.id)
        return [{"id": r.id, "name": r.name, "address": r.address,
                 "price_list_id": r.price_list_id} for r in rows]

    def _store(self, store_id: int) -> m.Store:
        store = m.Store.get_or_none((m.Store.id == store_id) & (m.Store.company == self.company_id))
        if store is None:
            raise DomainError("err.store_unknown", store=store_id)
        return store
