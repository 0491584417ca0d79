"""The back-office service layer: every write path of the API and of the admin CLI.

All rule checks (PRODUCT.md §7) happen here, inside the locked write transaction of
:func:`ipos_tui.backoffice.feed.writing`, so a check and the write it allows cannot be
split by another writer; the database's UNIQUE indexes back them up. Rule violations
raise :class:`~ipos_tui.domain.errors.DomainError` with a message-catalogue key.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from peewee import Database, fn

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice import security
from ipos_tui.backoffice.db import write_transaction
from ipos_tui.backoffice.feed import (
    ChangeRecorder,
    PayloadContext,
    build_changes,
    count_changes,
    read_changes,
    snapshot,
    writing,
)
from ipos_tui.backoffice.migrations import migrate
from ipos_tui.backoffice.models import utcnow
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import parse_money
from ipos_tui.domain.quantity import validate_unit_name
from ipos_tui.domain.validation import (
    MAX_BARCODES,
    product_name_key,
    validate_barcode,
    validate_barcodes,
    validate_nip,
    validate_plu,
    validate_product_name,
)
from ipos_tui.domain.vat import VAT_RATES
from ipos_tui.protocol import DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT, STREAMS

log = logging.getLogger(__name__)

ROLES = ("cashier", "manager", "owner")
PERMISSIONS = (
    "price_change",
    "free_discount",
    "returns",
    "cash_withdrawal",
    "cash_deposit",
    "void",
    "day_close",
    "reports",
    "settings",
)
PRODUCT_KINDS = ("good", "service")
PAYMENT_KINDS = ("cash", "card", "voucher", "transfer", "other")
BUILTIN_UNITS = (("szt.", 0), ("kg", 3), ("g", 0))
DEFAULT_PAYMENT_METHODS = (("cash", "Gotówka", "cash"), ("card", "Karta", "card"))
DEFAULT_CODE_TTL = timedelta(hours=24)
MAX_PRICE = 99_999_999

_PIN_RE = re.compile(r"[0-9]{4,6}")
_IDENTIFIER_RE = re.compile(r"[0-9A-Za-z]{1,20}")
_TIME_RE = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
_ZLOTY_RE = re.compile(r"[0-9]{1,6}(?:[.,][0-9]{1,2})?")


@dataclass(frozen=True)
class SettingSpec:
    """A setting the terminal knows: default and how to check/parse a value."""

    default: Any
    choices: tuple[str, ...] | None = None
    kind: type = str
    pattern: re.Pattern[str] | None = None
    #: an int of grosze, typed in złoty (parse_money)
    money: bool = False


SETTINGS: dict[str, SettingSpec] = {
    # "identifier_pin": identifier then PIN; "identifier": identifier only; "none": no
    # login (anonymous cashier) — PRODUCT.md §3. "pin" (the first default) is kept for
    # databases that hold it; terminals treat it as "identifier_pin".
    "login_mode": SettingSpec("pin", choices=("pin", "identifier_pin", "identifier", "none")),
    "cash_management": SettingSpec(True, kind=bool),
    "cashier_shifts": SettingSpec(False, kind=bool),
    # PRODUCT.md §6: "off", a "reminder" at day_close_time, or "block" sales after
    # midnight until the daily report. "manual"/"automatic" of the first versions are
    # still read by terminals (as off/reminder) but no longer set.
    "day_close_mode": SettingSpec("off", choices=("off", "reminder", "block")),
    "day_close_time": SettingSpec("23:59", pattern=_TIME_RE),
    "parked_receipts": SettingSpec(True, kind=bool),
    "receipt_header": SettingSpec(""),
    "update_with_unsent": SettingSpec(False, kind=bool),  # install app updates with unsent sales
    # the till asks before it takes a line or change above this (grosze; typed in złoty)
    "large_amount": SettingSpec(100_000, kind=int, money=True),
    # … or a quantity above this many units (szt., kg)
    "large_quantity": SettingSpec(100, kind=int),
    # a till asks again before closing a shift whose counted cash differs by more (złoty)
    "cash_difference_limit": SettingSpec("100,00", pattern=_ZLOTY_RE),
}

_TRUE = {"1", "true", "yes", "on", "tak"}
_FALSE = {"0", "false", "no", "off", "nie"}


@dataclass(frozen=True)
class TerminalAuth:
    """An authenticated terminal: whose data it may see (and what it last told us)."""

    terminal_id: int
    company_id: int
    store_id: int
    last_seen: datetime | None = field(default=None, compare=False)
    app_version: str | None = field(default=None, compare=False)
    pending_count: int | None = field(default=None, compare=False)
    protocol_version: int | None = field(default=None, compare=False)


#: A terminal's "last seen" / "last pull" rows are rewritten at most this often when
#: nothing else changed (a pull of 50 pages must not cost 100 extra commits).
CONTACT_REFRESH = timedelta(seconds=30)


def _vat_rank(letter: str) -> int:
    """Order of VAT letters by rate; exempt ("zw.") ranks below 0 %."""
    rate = VAT_RATES[letter]
    return -1 if rate is None else rate


class BackOffice:
    """One company's back office over one database (shared by API and CLI)."""

    def __init__(self, db: Database, pepper: bytes, company_id: int = 1) -> None:
        self.db = db
        self.pepper = pepper
        self.company_id = company_id
        if m.database_proxy.obj is not db:
            m.database_proxy.initialize(db)

    def for_company(self, company_id: int) -> BackOffice:
        return BackOffice(self.db, self.pepper, company_id)

    # ------------------------------------------------------------------ setup

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

    def pin_key(self) -> bytes:
        return security.company_pin_key(self.pepper, self.company_id)

    def _writing(self) -> AbstractContextManager[ChangeRecorder]:
        """The company's locked write transaction with its change recorder."""
        return writing(self.db, self.company_id)

    # ------------------------------------------------------------ stores, lists

    def add_price_list(self, name: str) -> int:
        name = name.strip()
        if not name:
            raise DomainError("err.name_empty")
        with self._writing():
            if m.PriceList.get_or_none(company=self.company_id, name=name):
                raise DomainError("err.price_list_taken", name=name)
            return m.PriceList.create(company=self.company_id, name=name).id

    def list_price_lists(self) -> list[dict[str, Any]]:
        rows = m.PriceList.select().where(m.PriceList.company == self.company_id)
        return [{"id": r.id, "name": r.name} for r in rows.order_by(m.PriceList.id)]

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

    def assign_price_list(self, store_id: int, price_list_id: int) -> None:
        """Make ``price_list_id`` the store's one active list; its terminals then reset."""
        with self._writing() as changes:
            store = self._store(store_id)
            self._price_list(price_list_id)
            store.price_list = price_list_id
            store.save()
            changes.record("store", store.id, store_id=store.id)

    def _store(self, store_id: int) -> m.Store:
        store = m.Store.get_or_none((m.Store.id == store_id) & (m.Store.company == self.company_id))
        if store is None:
            raise DomainError("err.store_unknown", store=store_id)
        return store

    def _price_list(self, price_list_id: int) -> m.PriceList:
        row = m.PriceList.get_or_none(
            (m.PriceList.id == price_list_id) & (m.PriceList.company == self.company_id)
        )
        if row is None:
            raise DomainError("err.price_list_unknown", price_list=price_list_id)
        return row

    # ------------------------------------------------------------------ settings

    def get_settings(self) -> dict[str, Any]:
        rows = m.Setting.select().where(m.Setting.company == self.company_id)
        values = {key: spec.default for key, spec in SETTINGS.items()}
        values.update({r.key: json.loads(r.value) for r in rows})
        return values

    @staticmethod
    def parse_setting(key: str, text: str) -> Any:
        """Turn a typed value into the setting's type (CLI input)."""
        spec = SETTINGS.get(key)
        if spec is None:
            raise DomainError("err.setting_unknown", setting=key)
        if spec.kind is bool:
            lowered = text.strip().lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise DomainError("err.setting_invalid", setting=key, value=text)
        if spec.money:
            value = parse_money(text)
        elif spec.kind is int:
            if not text.strip().isdigit() or len(text.strip()) > 9:
                raise DomainError("err.setting_invalid", setting=key, value=text)
            value = int(text.strip())
        else:
            return text.strip()
        if value <= 0:
            raise DomainError("err.setting_invalid", setting=key, value=text)
        return value

    def set_setting(self, key: str, value: Any) -> None:
        spec = SETTINGS.get(key)
        if spec is None:
            raise DomainError("err.setting_unknown", setting=key)
        if spec.kind is int and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
            raise DomainError("err.setting_invalid", setting=key, value=str(value))
        if not isinstance(value, spec.kind) or (
            spec.choices is not None and value not in spec.choices
        ) or (spec.pattern is not None and not spec.pattern.fullmatch(value)) or (
            isinstance(value, str) and len(value) > 200
        ):
            raise DomainError("err.setting_invalid", setting=key, value=str(value))
        with self._writing() as changes:
            m.Setting.insert(company=self.company_id, key=key, value=json.dumps(value)).on_conflict(
                conflict_target=[m.Setting.company, m.Setting.key],
                update={m.Setting.value: json.dumps(value)},
            ).execute()
            changes.record("setting", key)

    def add_payment_method(self, code: str, name: str, kind: str = "other", *,
                           gives_change: bool = False, opens_drawer: bool = False,
                           position: int = 0, active: bool = True) -> int:
        code = code.strip()
        if not code or not name.strip():
            raise DomainError("err.name_empty")
        if kind not in PAYMENT_KINDS:
            raise DomainError("err.payment_kind_invalid", kind=kind)
        with self._writing() as changes:
            if m.PaymentMethod.get_or_none(company=self.company_id, code=code):
                raise DomainError("err.payment_method_taken", code=code)
            row = m.PaymentMethod.create(
                company=self.company_id, code=code, name=name.strip(), kind=kind,
                gives_change=gives_change, opens_drawer=opens_drawer, position=position,
                active=active,
            )
            changes.record("payment_method", row.id)
            return row.id

    def update_payment_method(self, code: str, *, name: str | None = None,
                              kind: str | None = None, gives_change: bool | None = None,
                              opens_drawer: bool | None = None, position: int | None = None,
                              active: bool | None = None) -> None:
        """Change a payment method; its order on the terminal follows ``position``."""
        if kind is not None and kind not in PAYMENT_KINDS:
            raise DomainError("err.payment_kind_invalid", kind=kind)
        if name is not None and not name.strip():
            raise DomainError("err.name_empty")
        with self._writing() as changes:
            row = m.PaymentMethod.get_or_none(company=self.company_id, code=code.strip())
            if row is None:
                raise DomainError("err.payment_method_unknown", code=code)
            for attr, value in (("name", name.strip() if name else None), ("kind", kind),
                                ("gives_change", gives_change), ("opens_drawer", opens_drawer),
                                ("position", position), ("active", active)):
                if value is not None:
                    setattr(row, attr, value)
            row.save()
            changes.record("payment_method", row.id)

    def list_payment_methods(self) -> list[dict[str, Any]]:
        rows = m.PaymentMethod.select().where(m.PaymentMethod.company == self.company_id)
        return [
            {"id": r.id, "code": r.code, "name": r.name, "kind": r.kind,
             "gives_change": r.gives_change, "opens_drawer": r.opens_drawer,
             "position": r.position, "active": r.active}
            for r in rows.order_by(m.PaymentMethod.position, m.PaymentMethod.id)
        ]

    # ------------------------------------------------------------------- users

    def _check_user_fields(self, role: str | None, permissions: Iterable[str] | None,
                           pin: str | None) -> None:
        if role is not None and role not in ROLES:
            raise DomainError("err.role_invalid", role=role)
        for permission in permissions or ():
            if permission not in PERMISSIONS:
                raise DomainError("err.permission_unknown", permission=permission)
        if pin is not None and not _PIN_RE.fullmatch(pin):
            raise DomainError("err.pin_invalid")

    def add_user(self, identifier: str, name: str, pin: str, role: str = "cashier",
                 permissions: Sequence[str] = (), active: bool = True) -> int:
        identifier = identifier.strip()
        if not _IDENTIFIER_RE.fullmatch(identifier):
            raise DomainError("err.identifier_invalid", identifier=identifier)
        if not name.strip():
            raise DomainError("err.name_empty")
        self._check_user_fields(role, permissions, pin)
        pin_hash = security.hash_pin(self.pin_key(), pin)
        with self._writing() as changes:
            if m.User.get_or_none(company=self.company_id, identifier=identifier):
                raise DomainError("err.identifier_taken", identifier=identifier)
            user = m.User.create(
                company=self.company_id, identifier=identifier, name=name.strip(), role=role,
                permissions=json.dumps(sorted(set(permissions))), pin_hash=pin_hash,
                active=active,
            )
            changes.record("user", user.id)
            return user.id

    def update_user(self, identifier: str, *, name: str | None = None, pin: str | None = None,
                    role: str | None = None, permissions: Sequence[str] | None = None,
                    active: bool | None = None) -> None:
        self._check_user_fields(role, permissions, pin)
        pin_hash = security.hash_pin(self.pin_key(), pin) if pin is not None else None
        with self._writing() as changes:
            user = self._user(identifier)
            if name is not None:
                if not name.strip():
                    raise DomainError("err.name_empty")
                user.name = name.strip()
            if pin_hash is not None:
                user.pin_hash = pin_hash
            if role is not None:
                user.role = role
            if permissions is not None:
                user.permissions = json.dumps(sorted(set(permissions)))
            if active is not None:
                user.active = active
            user.save()
            changes.record("user", user.id)

    def deactivate_user(self, identifier: str) -> None:
        self.update_user(identifier, active=False)

    def _user(self, identifier: str) -> m.User:
        user = m.User.get_or_none(company=self.company_id, identifier=identifier.strip())
        if user is None:
            raise DomainError("err.user_unknown", identifier=identifier)
        return user

    def verify_user_pin(self, identifier: str, pin: str) -> bool:
        user = self._user(identifier)
        return user.active and security.verify_pin(self.pin_key(), user.pin_hash, pin)

    def list_users(self) -> list[dict[str, Any]]:
        rows = m.User.select().where(m.User.company == self.company_id).order_by(m.User.identifier)
        return [{"id": r.id, "identifier": r.identifier, "name": r.name, "role": r.role,
                 "permissions": json.loads(r.permissions), "active": r.active} for r in rows]

    # --------------------------------------------------------- units, categories

    def add_unit(self, name: str, precision: int = 0) -> int:
        name = validate_unit_name(name)
        if precision not in (0, 1, 2, 3):
            raise DomainError("err.unit_precision", precision=precision)
        with self._writing() as changes:
            if m.Unit.get_or_none(company=self.company_id, name=name):
                raise DomainError("err.unit_taken", name=name)
            unit = m.Unit.create(company=self.company_id, name=name, precision=precision)
            changes.record("unit", unit.id)
            return unit.id

    def rename_unit(self, unit_name: str, new_name: str) -> None:
        new_name = validate_unit_name(new_name)
        with self._writing() as changes:
            unit = self._unit(unit_name)
            if unit.builtin:
                raise DomainError("err.unit_builtin", name=unit.name)
            if m.Unit.get_or_none(company=self.company_id, name=new_name):
                raise DomainError("err.unit_taken", name=new_name)
            unit.name = new_name
            unit.save()
            changes.record("unit", unit.id)

    def list_units(self) -> list[dict[str, Any]]:
        rows = m.Unit.select().where(m.Unit.company == self.company_id).order_by(m.Unit.id)
        return [{"id": r.id, "name": r.name, "precision": r.precision, "builtin": r.builtin}
                for r in rows]

    def _unit(self, name: str) -> m.Unit:
        unit = m.Unit.get_or_none(company=self.company_id, name=name.strip())
        if unit is None:
            raise DomainError("err.unit_unknown", name=name)
        return unit

    def add_category(self, name: str, parent_id: int | None = None) -> int:
        name = self._category_name(name)
        with self._writing() as changes:
            if parent_id is not None:
                self._category(parent_id)
            category = m.Category.create(company=self.company_id, name=name, parent=parent_id)
            changes.record("category", category.id)
            return category.id

    def update_category(self, category_id: int, *, name: str | None = None,
                        parent_id: int | None | type[Ellipsis] = ...) -> None:
        with self._writing() as changes:
            category = self._category(category_id)
            if name is not None:
                category.name = self._category_name(name)
            if parent_id is not ...:
                self._check_no_cycle(category_id, parent_id)  # type: ignore[arg-type]
                category.parent = parent_id
            category.save()
            changes.record("category", category.id)

    def delete_category(self, category_id: int) -> None:
        """Delete a category; its products and subcategories lose it (and are re-sent)."""
        with self._writing() as changes:
            category = self._category(category_id)
            for child in m.Category.select().where(m.Category.parent == category_id):
                child.parent = None
                child.save()
                changes.record("category", child.id)
            products = m.Product.select(m.Product.id).where(m.Product.category == category_id)
            for product in products:
                changes.record("product", product.id)
            m.Product.update(category=None).where(m.Product.category == category_id).execute()
            category.delete_instance()
            changes.record("category", category_id, "delete")

    def list_categories(self) -> list[dict[str, Any]]:
        rows = m.Category.select().where(m.Category.company == self.company_id)
        return [{"id": r.id, "name": r.name, "parent_id": r.parent_id}
                for r in rows.order_by(m.Category.id)]

    @staticmethod
    def _category_name(name: str) -> str:
        cleaned = name.strip()
        if not cleaned:
            raise DomainError("err.name_empty")
        if len(cleaned) > 60:
            raise DomainError("err.name_too_long", max=60)
        return cleaned

    def _category(self, category_id: int) -> m.Category:
        row = m.Category.get_or_none(
            (m.Category.id == category_id) & (m.Category.company == self.company_id)
        )
        if row is None:
            raise DomainError("err.category_unknown", category=category_id)
        return row

    def _check_no_cycle(self, category_id: int, parent_id: int | None) -> None:
        seen = {category_id}
        while parent_id is not None:
            if parent_id in seen:
                raise DomainError("err.category_cycle", category=category_id)
            seen.add(parent_id)
            parent_id = self._category(parent_id).parent_id

    # ----------------------------------------------------------------- products

    def add_product(
        self,
        name: str,
        plu: str,
        vat: str,
        *,
        unit: str = "szt.",
        category_id: int | None = None,
        kind: str = "good",
        open_price: bool = False,
        barcodes: Sequence[str] = (),
        prices: dict[int, int] | None = None,
    ) -> int:
        """Create a product with its barcodes and prices (price list id → grosze)."""
        name = validate_product_name(name)
        plu = validate_plu(plu)
        self._check_vat(vat)
        self._check_kind(kind)
        codes = validate_barcodes(barcodes)
        for price in (prices or {}).values():
            self._check_price(price, open_price)
        with self._writing() as changes:
            unit_row = self._unit(unit)
            if category_id is not None:
                self._category(category_id)
            self._check_unique(name, plu, codes)
            product = m.Product.create(
                company=self.company_id, name=name, name_key=product_name_key(name), plu=plu,
                vat=vat, unit=unit_row.id, category=category_id, kind=kind,
                open_price=open_price,
            )
            changes.record("product", product.id)
            for code in codes:
                self._insert_barcode(changes, product.id, code)
            for list_id, price in (prices or {}).items():
                self._price_list(list_id)
                self._upsert_price(changes, list_id, product.id, price)
            return product.id

    def update_product(
        self,
        product_id: int,
        *,
        name: str | None = None,
        plu: str | None = None,
        vat: str | None = None,
        unit: str | None = None,
        category_id: int | None | type[Ellipsis] = ...,
        kind: str | None = None,
        open_price: bool | None = None,
        active: bool | None = None,
        barcodes: Sequence[str] | None = None,
    ) -> None:
        """Change a product; ``barcodes`` (if given) replaces the whole set."""
        with self._writing() as changes:
            product = self._product(product_id)
            if name is not None:
                name = validate_product_name(name)
                self._check_unique(name, None, (), exclude=product.id)
                product.name, product.name_key = name, product_name_key(name)
            if plu is not None:
                plu = validate_plu(plu)
                self._check_unique(None, plu, (), exclude=product.id)
                product.plu = plu
            if vat is not None and vat != product.vat:
                self._check_vat(vat)
                if _vat_rank(vat) > _vat_rank(product.vat):
                    raise DomainError("err.vat_raise", plu=product.plu, old=product.vat, new=vat)
                product.vat = vat
            if unit is not None:
                product.unit = self._unit(unit).id
            if category_id is not ...:
                if category_id is not None:
                    self._category(category_id)  # type: ignore[arg-type]
                product.category = category_id
            if kind is not None:
                self._check_kind(kind)
                product.kind = kind
            if open_price is not None:
                product.open_price = open_price
            if active is not None:
                product.active = active
            product.save()
            changes.record("product", product.id)
            if barcodes is not None:
                self._replace_barcodes(changes, product.id, validate_barcodes(barcodes))

    def delete_product(self, product_id: int) -> None:
        """Delete a product, its barcodes and prices, leaving tombstones for all."""
        with self._writing() as changes:
            product = self._product(product_id)
            for barcode in m.Barcode.select().where(m.Barcode.product == product_id):
                changes.record("barcode", barcode.id, "delete")
            for price in m.Price.select().where(m.Price.product == product_id):
                changes.record("price", product_id, "delete", price_list_id=price.price_list_id)
            m.Barcode.delete().where(m.Barcode.product == product_id).execute()
            m.Price.delete().where(m.Price.product == product_id).execute()
            product.delete_instance()
            changes.record("product", product_id, "delete")

    def add_barcode(self, product_id: int, code: str) -> int:
        code = validate_barcode(code)
        with self._writing() as changes:
            self._product(product_id)
            count = m.Barcode.select().where(m.Barcode.product == product_id).count()
            if count >= MAX_BARCODES:
                raise DomainError("err.barcodes_too_many", max=MAX_BARCODES)
            self._check_unique(None, None, [code])
            return self._insert_barcode(changes, product_id, code)

    def remove_barcode(self, code: str) -> None:
        with self._writing() as changes:
            row = m.Barcode.get_or_none(company=self.company_id, code=code.strip())
            if row is None:
                raise DomainError("err.barcode_unknown", code=code)
            row.delete_instance()
            changes.record("barcode", row.id, "delete")

    def set_price(self, price_list_id: int, product_id: int, price: int) -> None:
        with self._writing() as changes:
            product = self._product(product_id)
            self._price_list(price_list_id)
            self._check_price(price, product.open_price)
            self._upsert_price(changes, price_list_id, product_id, price)

    def remove_price(self, price_list_id: int, product_id: int) -> None:
        """Remove a price: the product is no longer sellable in that list's stores."""
        with self._writing() as changes:
            deleted = m.Price.delete().where(
                (m.Price.price_list == price_list_id) & (m.Price.product == product_id)
            ).execute()
            if not deleted:
                raise DomainError("err.price_unknown", product=product_id)
            changes.record("price", product_id, "delete", price_list_id=price_list_id)

    def product_by_plu(self, plu: str) -> int:
        row = m.Product.get_or_none(company=self.company_id, plu=plu.strip())
        if row is None:
            raise DomainError("err.product_unknown", product=plu)
        return row.id

    def get_product(self, product_id: int) -> dict[str, Any]:
        product = self._product(product_id)
        return self._product_dict(product)

    def list_products(self, search: str | None = None, limit: int | None = None) -> list[dict]:
        query = (m.Product.select(m.Product, m.Unit).join(m.Unit)
                 .where(m.Product.company == self.company_id).order_by(m.Product.id))
        if search:
            query = query.where(
                m.Product.name_key.contains(search.casefold()) | (m.Product.plu == search)
            )
        if limit:
            query = query.limit(limit)
        products = list(query)
        ids = [p.id for p in products]
        codes: dict[int, list[str]] = {}
        prices: dict[int, dict[int, int]] = {}
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            for b in m.Barcode.select().where(m.Barcode.product.in_(chunk)).order_by(m.Barcode.id):
                codes.setdefault(b.product_id, []).append(b.code)
            for p in m.Price.select().where(m.Price.product.in_(chunk)):
                prices.setdefault(p.product_id, {})[p.price_list_id] = p.price
        return [self._product_dict(p, codes.get(p.id, []), prices.get(p.id, {}))
                for p in products]

    def _product_dict(self, p: m.Product, codes: list[str] | None = None,
                      prices: dict[int, int] | None = None) -> dict[str, Any]:
        if codes is None:
            codes = [b.code for b in m.Barcode.select().where(m.Barcode.product == p.id)
                     .order_by(m.Barcode.id)]
        if prices is None:
            prices = {r.price_list_id: r.price
                      for r in m.Price.select().where(m.Price.product == p.id)}
        return {
            "id": p.id, "name": p.name, "plu": p.plu, "vat": p.vat, "unit": p.unit.name,
            "category_id": p.category_id, "kind": p.kind, "open_price": p.open_price,
            "active": p.active, "barcodes": codes, "prices": prices,
        }

    def _product(self, product_id: int) -> m.Product:
        row = m.Product.get_or_none(
            (m.Product.id == product_id) & (m.Product.company == self.company_id)
        )
        if row is None:
            raise DomainError("err.product_unknown", product=product_id)
        return row

    @staticmethod
    def _check_vat(vat: str) -> None:
        if vat not in VAT_RATES:
            raise DomainError("err.vat_letter", letter=vat)

    @staticmethod
    def _check_kind(kind: str) -> None:
        if kind not in PRODUCT_KINDS:
            raise DomainError("err.product_kind_invalid", kind=kind)

    @staticmethod
    def _check_price(price: int, open_price: bool) -> None:
        """Prices are gross grosze; only an open-price item may carry 0."""
        if not isinstance(price, int) or price < 0 or price > MAX_PRICE:
            raise DomainError("err.price_invalid", price=price)
        if price == 0 and not open_price:
            raise DomainError("err.price_zero")

    def _check_unique(self, name: str | None, plu: str | None, codes: Iterable[str],
                      exclude: int | None = None) -> None:
        p = m.Product
        scope = (p.company == self.company_id) & (p.id != (exclude or 0))
        if name is not None:
            clash = p.get_or_none(scope & (p.name_key == product_name_key(name)))
            if clash is not None:
                raise DomainError("err.name_taken", name=name, plu=clash.plu)
        if plu is not None:
            clash = p.get_or_none(scope & (p.plu == plu))
            if clash is not None:
                raise DomainError("err.plu_taken", plu=plu, name=clash.name)
        for code in codes:
            row = m.Barcode.get_or_none(company=self.company_id, code=code)
            if row is not None and row.product_id != exclude:
                raise DomainError("err.barcode_taken", code=code, plu=row.product.plu)

    def _insert_barcode(self, changes: ChangeRecorder, product_id: int, code: str) -> int:
        row = m.Barcode.create(company=self.company_id, product=product_id, code=code)
        changes.record("barcode", row.id)
        return row.id

    def _replace_barcodes(self, changes: ChangeRecorder, product_id: int,
                          codes: list[str]) -> None:
        existing = {b.code: b for b in m.Barcode.select().where(m.Barcode.product == product_id)}
        for code, row in existing.items():
            if code not in codes:
                row.delete_instance()
                changes.record("barcode", row.id, "delete")
        new_codes = [code for code in codes if code not in existing]
        self._check_unique(None, None, new_codes, exclude=product_id)
        for code in new_codes:
            self._insert_barcode(changes, product_id, code)

    def _upsert_price(self, changes: ChangeRecorder, price_list_id: int, product_id: int,
                      price: int) -> None:
        m.Price.insert(company=self.company_id, price_list=price_list_id, product=product_id,
                       price=price).on_conflict(
            conflict_target=[m.Price.price_list, m.Price.product],
            update={m.Price.price: price},
        ).execute()
        changes.record("price", product_id, price_list_id=price_list_id)

    # ---------------------------------------------------------------- discounts

    def add_discount(self, name: str, kind: str, value: int, scope: str = "line") -> int:
        name = name.strip()
        if not name:
            raise DomainError("err.name_empty")
        if kind not in ("percent", "amount"):
            raise DomainError("err.discount_kind_invalid", kind=kind)
        if value <= 0 or (kind == "percent" and value > 10_000):
            raise DomainError("err.discount_value_invalid", value=value)
        if scope not in ("line", "receipt"):
            raise DomainError("err.discount_scope_invalid", scope=scope)
        with self._writing() as changes:
            row = m.Discount.create(company=self.company_id, name=name, kind=kind, value=value,
                                    scope=scope)
            changes.record("discount", row.id)
            return row.id

    def list_discounts(self) -> list[dict[str, Any]]:
        rows = m.Discount.select().where(m.Discount.company == self.company_id)
        return [{"id": r.id, "name": r.name, "kind": r.kind, "value": r.value,
                 "scope": r.scope, "active": r.active} for r in rows.order_by(m.Discount.id)]

    def delete_discount(self, discount_id: int) -> None:
        with self._writing() as changes:
            deleted = m.Discount.delete().where(
                (m.Discount.id == discount_id) & (m.Discount.company == self.company_id)
            ).execute()
            if not deleted:
                raise DomainError("err.discount_unknown", discount=discount_id)
            changes.record("discount", discount_id, "delete")

    # ---------------------------------------------------------------- terminals

    def add_terminal(self, store_id: int, name: str = "",
                     ttl: timedelta = DEFAULT_CODE_TTL) -> tuple[int, str]:
        """Register a terminal of a store; returns its id and a one-time activation code."""
        with write_transaction(self.db, self.company_id):
            self._store(store_id)
            terminal = m.Terminal.create(company=self.company_id, store=store_id,
                                         name=name.strip())
            code = self._issue_code(terminal.id, ttl)
        return terminal.id, code

    def new_activation_code(self, terminal_id: int, ttl: timedelta = DEFAULT_CODE_TTL) -> str:
        """A code to re-activate a known terminal (new disk, revoked token): it keeps its id."""
        with write_transaction(self.db, self.company_id):
            self._terminal(terminal_id)
            return self._issue_code(terminal_id, ttl)

    def _issue_code(self, terminal_id: int, ttl: timedelta) -> str:
        code = security.new_activation_code()
        m.ActivationCode.create(company=self.company_id, terminal=terminal_id,
                                code_hash=security.digest(code), expires_at=utcnow() + ttl)
        return code

    def revoke_terminal(self, terminal_id: int) -> None:
        """Its token stops working at once (401); re-activation with a new code revives it."""
        with write_transaction(self.db, self.company_id):
            terminal = self._terminal(terminal_id)
            terminal.revoked = True
            terminal.token_hash = None
            terminal.save()
        log.info("terminal %s revoked", terminal_id)

    def _terminal(self, terminal_id: int) -> m.Terminal:
        row = m.Terminal.get_or_none(
            (m.Terminal.id == terminal_id) & (m.Terminal.company == self.company_id)
        )
        if row is None:
            raise DomainError("err.terminal_unknown", terminal=terminal_id)
        return row

    def list_terminals(self) -> list[dict[str, Any]]:
        terminals = list(m.Terminal.select().where(m.Terminal.company == self.company_id)
                         .order_by(m.Terminal.id))
        pulls: dict[int, dict[str, Any]] = {}
        for pull in m.TerminalPull.select().where(
            m.TerminalPull.terminal.in_([t.id for t in terminals] or [0])
        ):
            pulls.setdefault(pull.terminal_id, {})[pull.stream] = {
                "at": _iso(pull.pulled_at), "cursor": pull.cursor,
            }
        return [
            {
                "id": t.id, "store_id": t.store_id, "name": t.name,
                "status": "revoked" if t.revoked else ("active" if t.token_hash else "pending"),
                "activated_at": _iso(t.activated_at), "last_seen": _iso(t.last_seen),
                "app_version": t.app_version, "protocol_version": t.protocol_version,
                "pending_count": t.pending_count, "last_pull": pulls.get(t.id, {}),
            }
            for t in terminals
        ]

    # -------------------------------------------------------- terminal protocol

    def activate(self, code: str, name: str) -> dict[str, Any]:
        """Exchange a one-time code for a token; a known terminal keeps id and numbering."""
        code_hash = security.digest(security.normalise_code(code))
        row = m.ActivationCode.get_or_none(m.ActivationCode.code_hash == code_hash)
        if row is None:
            raise DomainError("err.activation_code_invalid")
        company_id = row.company_id
        token = security.new_token()
        with write_transaction(self.db, company_id):
            row = m.ActivationCode.get_by_id(row.id)
            if row.used_at is not None:
                raise DomainError("err.activation_code_used")
            if row.expires_at < utcnow():
                raise DomainError("err.activation_code_expired")
            row.used_at = utcnow()
            row.save()
            terminal = m.Terminal.get_by_id(row.terminal_id)
            terminal.token_hash = security.digest(token)
            terminal.revoked = False
            terminal.activated_at = utcnow()
            if name.strip():
                terminal.name = name.strip()[:80]
            terminal.save()
            numbers = self._last_numbers(terminal.id)
        log.info("terminal %s (store %s) activated as %r", terminal.id, terminal.store_id,
                 terminal.name)
        return {"terminal_id": terminal.id, "store_id": terminal.store_id, "token": token,
                "numbers": numbers}

    @staticmethod
    def _last_numbers(terminal_id: int) -> dict[str, int]:
        t = m.Transaction
        rows = (t.select(t.doc_type, fn.MAX(t.number)).where(t.terminal == terminal_id)
                .group_by(t.doc_type).tuples())
        return {doc_type: number for doc_type, number in rows}

    def authenticate(self, token: str) -> TerminalAuth | None:
        """The terminal owning ``token``, or ``None`` (unknown or revoked)."""
        row = m.Terminal.get_or_none(m.Terminal.token_hash == security.digest(token))
        if row is None or row.revoked:
            return None
        return TerminalAuth(row.id, row.company_id, row.store_id, row.last_seen,
                            row.app_version, row.pending_count, row.protocol_version)

    def record_contact(self, auth: TerminalAuth, *, app_version: str | None,
                       pending_count: int | None, protocol_version: int) -> None:
        """Remember when a terminal was last seen and what its headers said."""
        if app_version is not None:
            app_version = app_version[:40]
        unchanged = (
            auth.last_seen is not None
            and utcnow() - auth.last_seen < CONTACT_REFRESH
            and auth.protocol_version == protocol_version
            and (app_version is None or app_version == auth.app_version)
            and (pending_count is None or pending_count == auth.pending_count)
        )
        if unchanged:
            return
        with write_transaction(self.db, auth.company_id):
            fields: dict[Any, Any] = {m.Terminal.last_seen: utcnow(),
                                      m.Terminal.protocol_version: protocol_version}
            if app_version is not None:
                fields[m.Terminal.app_version] = app_version
            if pending_count is not None:
                fields[m.Terminal.pending_count] = pending_count
            m.Terminal.update(fields).where(m.Terminal.id == auth.terminal_id).execute()

    def pull(self, auth: TerminalAuth, stream: str, since: int,
             limit: int = DEFAULT_PULL_LIMIT, *, with_totals: bool = False) -> dict[str, Any]:
        """One page of a stream's changes for the terminal (see protocol.PullResponse)."""
        if stream not in STREAMS:
            raise DomainError("err.stream_unknown", stream=stream)
        limit = max(1, min(limit, MAX_PULL_LIMIT))
        with snapshot(self.db):
            store = m.Store.get_by_id(auth.store_id)
            price_list_id = store.price_list_id or 0
            counter = m.RevCounter.get_by_id(auth.company_id)
            state = m.TerminalPull.get_or_none(terminal=auth.terminal_id, stream=stream)
            list_switched = stream == "products" and (
                state is None or state.price_list_id != price_list_id)
            reset = since > 0 and (
                since < counter.horizon or since > counter.rev or list_switched)
            if reset:
                log.info("terminal %s: %s stream reset (cursor %s)", auth.terminal_id, stream,
                         since)
                since = 0
            rows, has_more = read_changes(auth.company_id, stream, since, limit,
                                          auth.store_id, price_list_id)
            ctx = PayloadContext(auth.company_id, auth.store_id, price_list_id,
                                 security.encode_key(
                                     security.company_pin_key(self.pepper, auth.company_id)))
            changes = build_changes(rows, ctx)
            totals = (count_changes(auth.company_id, stream, since, auth.store_id,
                                    price_list_id) if with_totals else None)
            # Without more to read, everything up to the snapshot's revision was seen
            # (changes of other stores/price lists included): a no-op pull advances.
            cursor = rows[-1].rev if has_more else max(since, counter.rev)
        fresh = (state is not None and has_more and utcnow() - state.pulled_at < CONTACT_REFRESH
                 and (stream != "products" or state.price_list_id == price_list_id))
        if not fresh:
            self._remember_pull(auth, stream, cursor, price_list_id)
        page = {"changes": changes, "cursor": cursor, "has_more": has_more, "reset": reset}
        if totals is not None:
            page["totals"] = totals
        return page

    def _remember_pull(self, auth: TerminalAuth, stream: str, cursor: int,
                       price_list_id: int) -> None:
        with write_transaction(self.db, auth.company_id):
            tp = m.TerminalPull
            tp.insert(terminal=auth.terminal_id, stream=stream, cursor=cursor,
                      price_list_id=price_list_id if stream == "products" else None,
                      pulled_at=utcnow()).on_conflict(
                conflict_target=[tp.terminal, tp.stream],
                update={tp.cursor: cursor, tp.pulled_at: utcnow(),
                        tp.price_list_id: price_list_id if stream == "products" else None},
            ).execute()

    def current_rev(self) -> int:
        return m.RevCounter.get_by_id(self.company_id).rev

    def purge_tombstones(self, older_than: timedelta) -> int:
        """Drop tombstones older than ``older_than``; terminals behind them get a reset."""
        cutoff = utcnow() - older_than
        entry = m.ChangeEntry
        with write_transaction(self.db, self.company_id):
            doomed = entry.select(entry.rev).where(
                (entry.company == self.company_id) & (entry.op == "delete")
                & (entry.changed_at < cutoff)
            )
            revs = [row.rev for row in doomed]
            if not revs:
                return 0
            entry.delete().where(entry.rev.in_(revs) & (entry.company == self.company_id)).execute()
            counter = m.RevCounter.get_by_id(self.company_id)
            counter.horizon = max(counter.horizon, max(revs))
            counter.save()
            return len(revs)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None



@dataclass
class ProductInput:
    """One product of a bulk import (CSV row); ``line`` is its line in the file.

    ``barcodes``/``price``/``category`` ``None`` mean "column absent: keep as is".
    """

    line: int
    name: str
    plu: str
    vat: str
    unit: str = "szt."
    price: int | None = None
    barcodes: list[str] | None = None
    category: str | None = None
    kind: str = "good"
    open_price: bool = False


class _ImportErrors:
    """Every bad row of an import, with its line number and reason."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, line: int, exc: DomainError) -> None:
        self.items.append({"line": line, "key": exc.key,
                           "params": {k: v for k, v in exc.params.items()}})

    def raise_if_any(self) -> None:
        if self.items:
            self.items.sort(key=lambda e: e["line"])
            raise DomainError("err.import_failed", count=len(self.items), errors=self.items)
