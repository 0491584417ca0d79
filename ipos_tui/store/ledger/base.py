"""What every part of the ledger shares: the connection, the models and the settings."""

from __future__ import annotations

from peewee import SqliteDatabase

from ipos_tui.store.ledger.guard import NumberGuard
from ipos_tui.store.models import Models
from ipos_tui.store.settings import SettingsService


class LedgerBase:
    """The state the ledger's parts (commit, reading, upload, voids) work on."""

    def __init__(self, db: SqliteDatabase, models: Models, settings: SettingsService) -> None:
        self._db = db
        self._m = models
        self._settings = settings
        #: The numbering guard beside the database (None until started; see .guard).
        self._guard: NumberGuard | None = None
