"""Settings: the back office's (catalogue) and this terminal's own (local).

Catalogue settings arrive by sync and are replaced with the catalogue; local
settings (language, console mode) belong to the device and survive any
catalogue rebuild. Values are stored as JSON so booleans and numbers round-trip.
"""

from __future__ import annotations

import json
from typing import Any, Final

from peewee import SqliteDatabase

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.scale_code import DEFAULT_SCALE_CODES, ScaleLayout, parse_layouts
from ipos_tui.store.models import Models, TerminalInfoRow
from ipos_tui.domain.records import (
    LOGIN_MODES,
    Company,
    LoginMode,
    Store,
    TerminalInfo,
)

KEY_LOGIN_MODE: Final = "login_mode"
KEY_CASH_MANAGEMENT: Final = "cash_management"
KEY_DAY_CLOSE: Final = "day_close"
KEY_DAY_CLOSE_TIME: Final = "day_close_time"
KEY_DAY_CLOSE_MODE: Final = "day_close_mode"
KEY_LARGE_AMOUNT: Final = "large_amount"
KEY_LARGE_QUANTITY: Final = "large_quantity"
#: label-scale EAN-13 layouts (see ipos_tui.domain.scale_code)
KEY_SCALE_CODES: Final = "scale_codes"
#: Above these the till asks before it takes a typed amount or quantity (a slip of
#: the finger: 1 234 kg of cheese, 5 000 zł tendered for a 50 zł receipt).
DEFAULT_LARGE_AMOUNT: Final = 100_000  # grosze: 1 000,00 zł
DEFAULT_LARGE_QUANTITY: Final = 100  # units: 100 szt., 100 kg
_LEGACY_DAY_CLOSE: Final = {"manual": "off", "automatic": "reminder"}

#: Day-close options of the back office: off, a reminder at a time, or sales
#: blocked after midnight until the daily report.
DAY_CLOSE_OPTIONS: Final = ("off", "reminder", "block")

#: What a terminal uses before its first configuration sync.
DEFAULT_LOGIN_MODE: Final[LoginMode] = "id_pin"

LOCAL_LANGUAGE: Final = "language"
LOCAL_ASCII: Final = "ascii"


def _terminal_info_sql() -> str:
    """The constant query of this terminal's identity, named after the model's columns."""
    meta = TerminalInfoRow._meta
    columns = ", ".join(
        f'"{meta.fields[name].column_name}"' for name in ("terminal_id", "name", "store_id")
    )
    return f'SELECT {columns} FROM "{meta.table_name}" LIMIT 1'


#: The identity is read on every receipt commit (inside its transaction), so it is
#: one prepared-statement-cache hit rather than an ORM query built each time.
_SELECT_TERMINAL_INFO: Final = _terminal_info_sql()


def _positive_int(value: Any, default: int) -> int:
    """``value`` if the back office sent a positive whole number, else ``default``."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default


class SettingsService:
    """Reads catalogue settings and reads/writes the terminal's local settings."""

    def __init__(self, db: SqliteDatabase, models: Models) -> None:
        self._db = db
        self._m = models

    # -- catalogue settings ---------------------------------------------------

    def get(self, key: str, default: Any = None) -> Any:
        """A catalogue setting's value, or ``default`` when the back office sent none."""
        row = self._m.setting.get_or_none(self._m.setting.key == key)
        return default if row is None else json.loads(row.value)

    def login_mode(self) -> LoginMode:
        """How cashiers log in: "id_pin", "id" or "none" (unknown → the safe "id_pin")."""
        mode = self.get(KEY_LOGIN_MODE, DEFAULT_LOGIN_MODE)
        return mode if mode in LOGIN_MODES else DEFAULT_LOGIN_MODE

    def cash_management(self) -> bool:
        """Whether shifts and opening cash are in use."""
        return bool(self.get(KEY_CASH_MANAGEMENT, False))

    def day_close(self) -> str:
        """Day-close option: "off", "reminder" or "block".

        The back office sends it as "day_close_mode"; its first versions said
        "manual" (no automation: off) and "automatic" (a reminder at the set time).
        Anything unknown is "off": the till keeps selling.
        """
        option = self.get(KEY_DAY_CLOSE_MODE, None)
        if option is None:
            option = self.get(KEY_DAY_CLOSE, "off")
        option = _LEGACY_DAY_CLOSE.get(option, option)
        return option if option in DAY_CLOSE_OPTIONS else "off"

    def day_close_time(self) -> str | None:
        """ "gg:mm" of the day-close reminder, if the back office set one."""
        value = self.get(KEY_DAY_CLOSE_TIME)
        return str(value) if value else None

    def cashier_shifts(self) -> bool:
        """Whether each cashier works in a shift even without cash management: the
        shift opens at login (no opening cash asked) and "Zamknięcie zmiany" in the
        user menu prints its report and logs out. With cash management on, shifts
        are part of it anyway (the opening cash, the count at the close)."""
        return bool(self.get("cashier_shifts", False))

    def parked_receipts(self) -> bool:
        """Whether cashiers may hold several open (parked) receipts: off hides
        "6. Paragony" and its list; the one open receipt is kept as always."""
        return bool(self.get("parked_receipts", True))

    def parked_receipts_visible(self) -> str:
        """Who sees an open (parked) receipt in "6. Paragony": "all" cashiers (the
        default: the till's receipts are the till's, PRODUCT.md §5) or only the
        cashier who opened it ("own"); anything else reads as "all"."""
        value = self.get("parked_receipts_visible", "all")
        return "own" if value == "own" else "all"

    def receipt_header(self) -> list[str]:
        """The back office's receipt header, one printed line per line of text
        (empty lines dropped; at most 10), printed above the seller block."""
        value = self.get("receipt_header", "")
        if not isinstance(value, str):
            return []
        lines = [line.strip() for line in value.replace("\\n", "\n").splitlines()]
        return [line for line in lines if line][:10]

    def large_amount(self) -> int:
        """Grosze above which a line value or the change is asked about first."""
        return _positive_int(self.get(KEY_LARGE_AMOUNT), DEFAULT_LARGE_AMOUNT)

    def large_quantity(self) -> int:
        """Units (szt., kg …) above which a quantity is asked about first."""
        return _positive_int(self.get(KEY_LARGE_QUANTITY), DEFAULT_LARGE_QUANTITY)

    def scale_layouts(self) -> dict[str, ScaleLayout]:
        """The label-scale code layouts by prefix: the back office's ``scale_codes``,
        or the Polish default when it sent none or one this till cannot read."""
        value = self.get(KEY_SCALE_CODES)
        if isinstance(value, str):
            try:
                return parse_layouts(value)
            except DomainError:
                pass
        return parse_layouts(DEFAULT_SCALE_CODES)

    def company(self) -> Company | None:
        """The company printed on receipts (None before the first sync)."""
        row = self._m.company.get_or_none()
        return None if row is None else Company(row.name, row.nip, row.address)

    def terminal_info(self) -> TerminalInfo | None:
        """This terminal's id, name and store (None until activated or seeded).

        Always read from the database, never cached: inside a write transaction
        (the ledger's commit) it is the committed identity, however it was set.
        """
        row = self._db.cursor().execute(_SELECT_TERMINAL_INFO).fetchone()
        if row is None:
            return None
        return TerminalInfo(row[0], row[1], row[2])

    def set_terminal_info(self, info: TerminalInfo) -> None:
        """Record the identity activation gave this terminal."""
        table = self._m.terminal_info
        with self._db.atomic("IMMEDIATE"):
            table.insert(
                id=1, terminal_id=info.terminal_id, name=info.name, store_id=info.store_id
            ).on_conflict(
                conflict_target=[table.id],
                preserve=[table.terminal_id, table.name, table.store_id],
            ).execute()

    def store(self) -> Store | None:
        """The store this terminal sells in (None before activation and sync)."""
        info = self.terminal_info()
        if info is None:
            return None
        row = self._m.store.get_or_none(self._m.store.id == info.store_id)
        return None if row is None else Store(row.id, row.name, row.address)

    # -- local settings -------------------------------------------------------

    def get_local(self, key: str, default: Any = None) -> Any:
        """A setting of this device (e.g. "language", "ascii"), or ``default``."""
        row = self._m.local_setting.get_or_none(self._m.local_setting.key == key)
        return default if row is None else json.loads(row.value)

    def set_local(self, key: str, value: Any) -> None:
        """Store a device setting; ``value`` must be JSON-serialisable."""
        table = self._m.local_setting
        encoded = json.dumps(value, ensure_ascii=False)
        table.insert(key=key, value=encoded).on_conflict(
            conflict_target=[table.key], preserve=[table.value]
        ).execute()
