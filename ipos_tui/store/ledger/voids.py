"""The void log: receipts voided with lines on them (the daily report counts them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ipos_tui.domain.authorisation import Authorisation
from ipos_tui.domain.receipt import Receipt
from ipos_tui.domain.records import User
from ipos_tui.store.ledger.base import LedgerBase
from ipos_tui.store.timeutil import local_text, parse_time, utc_text


@dataclass(frozen=True)
class VoidRecord:
    """One voided receipt of the void log: who voided what, and who authorised it."""

    created_local: datetime
    cashier_name: str
    line_count: int
    total: int
    authorised_by_id: int | None = None
    authorised_by_name: str | None = None


class Voids(LedgerBase):
    """Logs and lists voided receipts."""

    def record_void(
        self, receipt: Receipt, cashier: User, now: datetime, authorisation: Authorisation | None = None
    ) -> None:
        """Log a receipt voided with lines on it (the daily report counts them)."""
        self.record_voided(len(receipt.lines), receipt.total, cashier, now, authorisation)

    def record_voided(
        self,
        line_count: int,
        total: int,
        cashier: User,
        now: datetime,
        authorisation: Authorisation | None = None,
    ) -> None:
        """Log a voided receipt of ``line_count`` lines worth ``total`` (nothing for an
        empty one): Esc on the sales screen, or an open receipt deleted in 6. Paragony.
        ``authorisation``: the manager who allowed a cashier without "void" to do it."""
        if line_count <= 0:
            return
        with self._db.atomic("IMMEDIATE"):
            self._db.execute_sql(
                "INSERT INTO receipt_void (created_utc, created_local, cashier_id, cashier_name, "
                "line_count, total, authorised_by_id, authorised_by_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    utc_text(now), local_text(now), cashier.id, cashier.name, line_count, total,
                    authorisation.user_id if authorisation else None,
                    authorisation.name if authorisation else None,
                ),
            )

    def voids(self, limit: int = 100) -> list[VoidRecord]:
        """The voided receipts logged, newest first."""
        rows = self._db.execute_sql(
            "SELECT created_local, cashier_name, line_count, total, authorised_by_id, authorised_by_name "
            "FROM receipt_void ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [VoidRecord(parse_time(row[0]), row[1], row[2], row[3], row[4], row[5]) for row in rows]
