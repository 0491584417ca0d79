"""Company and stores: the company record (with its defaults) and its stores."""

from __future__ import annotations

from contextlib import suppress

import json
from collections.abc import Sequence
from typing import Any

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.migrations import migrate
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.validation import (
    validate_nip,
)
from ipos_tui.domain.vat import VAT_RATES, check_vat_rate

from .base import ServiceBase
from .categories import BUILTIN_UNITS
from .settings import (
    DEFAULT_PAYMENT_METHODS,
    SETTINGS,
)


#: The longest company or store name, and address (the columns' lengths).
NAME_MAX = 120
ADDRESS_MAX = 200


def _name(name: str) -> str:
    name = name.strip()
    if not name:
        raise DomainError("err.name_empty")
    if len(name) > NAME_MAX:
        raise DomainError("err.name_too_long", max=NAME_MAX)
    return name


def _address(address: str | None) -> str | None:
    """An address as stored: trimmed, None when blank; refused when too long."""
    address = (address or "").strip()
    if len(address) > ADDRESS_MAX:
        raise DomainError("err.address_too_long", max=ADDRESS_MAX)
    return address or None


class CompanyService(ServiceBase):
    """Company and stores: the company record (with its defaults) and its stores."""

    def init_schema(self) -> list[int]:
        """Create or upgrade the schema (numbered migrations)."""
        return migrate(self.db)

    def not_ready_reason(self) -> str | None:
        """None when the database answers with the schema this back office needs and
        the company exists; else a short reason (for ``GET /ready``)."""
        from peewee import DatabaseError, InterfaceError

        from ipos_tui.backoffice.migrations import LATEST_VERSION, current_version

        try:
            version = current_version(self.db)
            has_company = version == LATEST_VERSION and self.has_company()
        except (DatabaseError, InterfaceError) as exc:
            # a broken connection is dropped so that the next call connects again
            if not self.db.in_transaction():
                with suppress(DatabaseError, InterfaceError):
                    self.db.close()
            return f"database: {type(exc).__name__}"
        if version != LATEST_VERSION:
            return f"schema {version}, this server needs {LATEST_VERSION}"
        if not has_company:
            return "no company (ipos-backoffice init)"
        return None

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
        name, address = _name(name), _address(address)
        with self._writing() as changes:
            company = m.Company.create(id=self.company_id, name=name, nip=nip_digits,
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
        """Change company data (``nip=""`` or ``address=""`` clears it; the name can't be
        empty); terminals get it in the config stream."""
        new_name = _name(name) if name is not None else None
        nip_digits = (validate_nip(nip) if nip.strip() else None) if nip is not None else None
        new_address = _address(address)
        with self._writing() as changes:
            company = m.Company.get_by_id(self.company_id)
            if new_name is not None:
                company.name = new_name
            if nip is not None:
                company.nip = nip_digits
            if address is not None:
                company.address = new_address
            company.save()
            changes.record("company", company.id)

    def list_vat_rates(self) -> list[dict[str, Any]]:
        """The VAT (PTU) letters and their rates in basis points (``None`` = exempt)."""
        return [{"letter": row.letter, "rate_bp": row.rate}
                for row in m.VatRate.select().where(m.VatRate.company == self.company_id)
                .order_by(m.VatRate.letter)]

    def set_vat_rate(self, letter: str, rate_bp: int | None) -> dict[str, Any]:
        """Set (or add) a PTU letter's rate, by the fiscal printer's rules: letters A-G,
        0-99,99 % in basis points or ``None`` for exempt ("zw."). Tills get it with the
        next sync and write it to their printer at their next day close."""
        letter = check_vat_rate(letter, rate_bp)
        with self._writing() as changes:
            row = m.VatRate.get_or_none((m.VatRate.company == self.company_id)
                                        & (m.VatRate.letter == letter))
            if row is None:
                m.VatRate.create(company=self.company_id, letter=letter, rate=rate_bp)
            elif row.rate != rate_bp:
                row.rate = rate_bp
                row.save()
            changes.record("vat_rate", letter)
        return {"letter": letter, "rate_bp": rate_bp}

    def get_company(self) -> dict[str, Any]:
        company = m.Company.get_by_id(self.company_id)
        return {"id": company.id, "name": company.name, "nip": company.nip,
                "address": company.address}

    def add_store(self, name: str, address: str | None = None,
                  price_list_id: int | None = None) -> int:
        name, address = _name(name), _address(address)
        with self._writing() as changes:
            if price_list_id is not None:
                self._price_list(price_list_id)
            store = m.Store.create(company=self.company_id, name=name, address=address,
                                   price_list=price_list_id)
            changes.record("store", store.id, store_id=store.id)
            return store.id

    def update_store(self, store_id: int, *, name: str | None = None,
                     address: str | None = None) -> None:
        """Rename a store and/or change its address (``address=""`` clears it); its
        terminals get it in the config stream (the receipt header shows both)."""
        new_name = _name(name) if name is not None else None
        new_address = _address(address)
        with self._writing() as changes:
            store = self._store(store_id)
            if new_name is not None:
                store.name = new_name
            if address is not None:
                store.address = new_address
            store.save()
            changes.record("store", store.id, store_id=store.id)

    def get_store(self, store_id: int) -> dict[str, Any]:
        store = self._store(store_id)
        return {"id": store.id, "name": store.name, "address": store.address,
                "price_list_id": store.price_list_id}

    def list_stores(self) -> list[dict[str, Any]]:
        rows = m.Store.select().where(m.Store.company == self.company_id).order_by(m.Store.id)
        return [{"id": r.id, "name": r.name, "address": r.address,
                 "price_list_id": r.price_list_id} for r in rows]

    def _store(self, store_id: int) -> m.Store:
        store = m.Store.get_or_none((m.Store.id == store_id) & (m.Store.company == self.company_id))
        if store is None:
            raise DomainError("err.store_unknown", store=store_id)
        return store
