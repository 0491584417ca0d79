"""Settings the tills fetch (login mode, cash, day close, …) and payment methods."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from collections.abc import Mapping
from typing import Any

from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.feed import ChangeRecorder
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import parse_money
from ipos_tui.domain.scale_code import DEFAULT_SCALE_CODES, normalise_layouts

from .base import ServiceBase

PAYMENT_KINDS = ("cash", "card", "voucher", "transfer", "other")

DEFAULT_PAYMENT_METHODS = (("cash", "Gotówka", "cash"), ("card", "Karta", "card"))

_TIME_RE = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")

_ZLOTY_RE = re.compile(r"[0-9]{1,6}(?:[.,][0-9]{1,2})?")

_PAYMENT_CODE_RE = re.compile(r"[0-9A-Za-z_-]{1,40}")

#: The longest name of a payment method (the column's size).
MAX_PAYMENT_NAME = 40

@dataclass(frozen=True)
class SettingSpec:
    """A setting the terminal knows: default and how to check/parse a value."""

    default: Any
    choices: tuple[str, ...] | None = None
    kind: type = str
    pattern: re.Pattern[str] | None = None
    #: an int of grosze, typed in złoty (parse_money)
    money: bool = False
    #: a text value's own check and normal form (raises DomainError)
    normalise: Any = None

SETTINGS: dict[str, SettingSpec] = {
    # "identifier_pin": identifier then PIN; "identifier": identifier only; "none": no
    # login (anonymous cashier) — PRODUCT.md §3. "pin" (the first default) is kept for
    # databases that hold it; terminals treat it as "identifier_pin".
    "login_mode": SettingSpec("pin", choices=("pin", "identifier_pin", "identifier", "none")),
    # members of staff who may give free discounts or change prices may have PINs
    # shorter than 6 digits only if the owner allows it (issue 15)
    "short_pins_privileged": SettingSpec(False, kind=bool),
    "cash_management": SettingSpec(True, kind=bool),
    "cashier_shifts": SettingSpec(False, kind=bool),
    # PRODUCT.md §6: "off", a "reminder" at day_close_time, or "block" sales from
    # day_close_time until the daily report. Whatever the option, a till never takes
    # a sale into a day begun on an earlier date (issue 14: no report mixes two days).
    # "manual"/"automatic" of the first versions are still read by terminals (as
    # off/reminder) but no longer set.
    "day_close_mode": SettingSpec("off", choices=("off", "reminder", "block")),
    "day_close_time": SettingSpec("23:59", pattern=_TIME_RE),
    "parked_receipts": SettingSpec(True, kind=bool),
    # who sees a parked receipt in the till's "6. Paragony": every cashier ("all") or
    # only the one who opened it ("own")
    "parked_receipts_visible": SettingSpec("all", choices=("own", "all")),
    "receipt_header": SettingSpec(""),
    "update_with_unsent": SettingSpec(False, kind=bool),  # install app updates with unsent sales
    # the till asks before it takes a line or change above this (grosze; typed in złoty)
    "large_amount": SettingSpec(100_000, kind=int, money=True),
    # … or a quantity above this many units (szt., kg)
    "large_quantity": SettingSpec(100, kind=int),
    # a till asks again before closing a shift whose counted cash differs by more (złoty)
    "cash_difference_limit": SettingSpec("100,00", pattern=_ZLOTY_RE),
    # label scales' EAN-13 layouts per prefix (ipos_tui.domain.scale_code): 27-29 weight
    # in grams, 23-24 price in grosze by default; empty: no label codes
    "scale_codes": SettingSpec(DEFAULT_SCALE_CODES, normalise=normalise_layouts),
}



class SettingsRefused(DomainError):
    """Settings saved together (:meth:`SettingsService.set_settings`) refused: nothing
    was saved; ``errors`` holds each refused setting's own refusal."""

    def __init__(self, errors: dict[str, DomainError]) -> None:
        super().__init__("err.settings_refused", count=len(errors))
        self.errors = errors


_TRUE = {"1", "true", "yes", "on", "tak"}

_FALSE = {"0", "false", "no", "off", "nie"}


class SettingsService(ServiceBase):
    """Settings the tills fetch (login mode, cash, day close, …) and payment methods."""

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
        elif spec.normalise is not None:
            return spec.normalise(text)
        else:
            return text.strip()
        if value <= 0:
            raise DomainError("err.setting_invalid", setting=key, value=text)
        return value

    @classmethod
    def parse_settings(cls, texts: Mapping[str, str]) -> dict[str, Any]:
        """Several typed values (a form's), each parsed and checked; every refused one
        is named in one :class:`SettingsRefused`."""
        values: dict[str, Any] = {}
        errors: dict[str, DomainError] = {}
        for key, text in texts.items():
            try:
                values[key] = cls.parse_setting(key, text)
                cls.check_setting(key, values[key])
            except DomainError as exc:
                errors[key] = exc
        if errors:
            raise SettingsRefused(errors)
        return values

    @staticmethod
    def check_setting(key: str, value: Any) -> None:
        """Refuse a value the setting cannot take (``err.setting_unknown`` / ``_invalid``)."""
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
        if spec.normalise is not None and spec.normalise(value) != value:
            raise DomainError("err.setting_invalid", setting=key, value=str(value))

    def set_setting(self, key: str, value: Any) -> None:
        self.check_setting(key, value)
        with self._writing() as changes:
            self._store_setting(changes, key, value)

    def set_settings(self, values: Mapping[str, Any]) -> list[str]:
        """Save several settings in one transaction, all or nothing: when any value is
        refused, :class:`SettingsRefused` names every refused one and nothing is saved.
        Only the values that differ from the current ones reach the tills' feed; the
        keys of those are returned."""
        errors: dict[str, DomainError] = {}
        for key, value in values.items():
            try:
                self.check_setting(key, value)
            except DomainError as exc:
                errors[key] = exc
        if errors:
            raise SettingsRefused(errors)
        with self._writing() as changes:
            current = self.get_settings()
            changed = [key for key, value in values.items()
                       if json.dumps(current[key]) != json.dumps(value)]
            for key in changed:
                self._store_setting(changes, key, values[key])
            return changed

    def _store_setting(self, changes: ChangeRecorder, key: str, value: Any) -> None:
        m.Setting.insert(company=self.company_id, key=key, value=json.dumps(value)).on_conflict(
            conflict_target=[m.Setting.company, m.Setting.key],
            update={m.Setting.value: json.dumps(value)},
        ).execute()
        changes.record("setting", key)

    @staticmethod
    def _check_payment_name(name: str) -> None:
        if not name.strip():
            raise DomainError("err.name_empty")
        if len(name.strip()) > MAX_PAYMENT_NAME:
            raise DomainError("err.name_too_long", max=MAX_PAYMENT_NAME)

    def add_payment_method(self, code: str, name: str, kind: str = "other", *,
                           gives_change: bool = False, opens_drawer: bool = False,
                           position: int | None = 0, active: bool = True) -> int:
        """A new payment method; ``position=None`` puts it last on the tills."""
        code = code.strip()
        if not code:
            raise DomainError("err.name_empty")
        if not _PAYMENT_CODE_RE.fullmatch(code):
            raise DomainError("err.payment_code_invalid", code=code)
        self._check_payment_name(name)
        if kind not in PAYMENT_KINDS:
            raise DomainError("err.payment_kind_invalid", kind=kind)
        with self._writing() as changes:
            if m.PaymentMethod.get_or_none(company=self.company_id, code=code):
                raise DomainError("err.payment_method_taken", code=code)
            if position is None:
                last = (m.PaymentMethod.select(m.PaymentMethod.position)
                        .where(m.PaymentMethod.company == self.company_id)
                        .order_by(m.PaymentMethod.position.desc()).first())
                position = 0 if last is None else last.position + 1
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
        if name is not None:
            self._check_payment_name(name)
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

    def move_payment_method(self, code: str, step: int) -> None:
        """Move a payment method one place up (``step=-1``) or down (``+1``) in the
        tills' order; the methods are numbered 1, 2, … in that order afterwards (only
        those whose number changes go to the tills). At either end nothing changes."""
        if step not in (-1, 1):
            raise DomainError("err.payment_move_invalid")
        with self._writing() as changes:
            rows = list(m.PaymentMethod.select()
                        .where(m.PaymentMethod.company == self.company_id)
                        .order_by(m.PaymentMethod.position, m.PaymentMethod.id))
            index = next((i for i, r in enumerate(rows) if r.code == code.strip()), None)
            if index is None:
                raise DomainError("err.payment_method_unknown", code=code)
            other = index + step
            if 0 <= other < len(rows):
                rows[index], rows[other] = rows[other], rows[index]
            for position, row in enumerate(rows, start=1):
                if row.position != position:
                    row.position = position
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
