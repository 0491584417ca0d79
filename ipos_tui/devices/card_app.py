"""The simulated payment application of the duet ("Aplikacja płatnicza").

Every card payment the payment screen takes is authorised here first: the approval
is recorded at once (amount, time, a fake authorisation code and masked card
number), before the receipt exists, as a real card terminal's would be; the
receipt's uuid and number are linked after the ledger commit. A payment withdrawn
before the receipt is finished is reversed ("anulowana"), never deleted. A return
refunded to the card is a "refund" transaction linked to the return document; it
counts against the period's payments.

"Rozliczenia" settles the period: one transaction counts and sums the approved
card payments since the last settlement, closes them into a numbered settlement,
and prints the settlement on the fiscal printer (so it is in the electronic journal
too). The daily report calls :meth:`CardApp.settle` as one of its steps.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from peewee import SqliteDatabase

from ipos_tui.devices import paper
from ipos_tui.devices.paper import PRINT_WIDTH
from ipos_tui.devices.printer import (
    FiscalPrinter,
    JournalEntry,
)
from ipos_tui.domain.card import CardKind, CardTransaction
from ipos_tui.domain.errors import DomainError
from ipos_tui.store.timeutil import local_text, parse_time, utc_text

#: A fake card number's first digits: the test BIN the card schemes publish.
_TEST_BIN: Final = "4761"
_SELECT_TRANSACTION: Final = (
    "SELECT id, created_local, amount, auth_code, card_masked, receipt_uuid, receipt_number, "
    "state, kind FROM card_transaction"
)


@dataclass(frozen=True)
class Settlement:
    """A closed card period: how many approved payments and their total."""

    number: int
    settled_local: datetime
    count: int
    total: int
    reversed_count: int
    printout: JournalEntry | None = None


def _fake_card(transaction_id: int, created_utc: str, amount: int) -> tuple[str, str]:
    """A six-digit authorisation code and a masked card number, derived from the
    transaction so a replayed test (or snapshot) sees the same ones."""
    digest = hashlib.sha256(f"{transaction_id}|{created_utc}|{amount}".encode()).hexdigest()
    digits = str(int(digest, 16))
    return digits[:6], f"{_TEST_BIN} **** **** {digits[6:10]}"


class CardApp:
    """Card payments since the last settlement, settlements, and authorisation."""

    def __init__(self, db: SqliteDatabase, printer: FiscalPrinter) -> None:
        self._db = db
        self._printer = printer

    # -- payments -------------------------------------------------------------

    def authorize(self, amount: int, now: datetime) -> CardTransaction:
        """Record an approved card payment of ``amount`` grosze (not yet on a receipt).

        Raises DomainError "err.amount_zero" for an amount that is not positive.
        """
        return self._approve(amount, now, "payment", None, None)

    def refund(self, amount: int, now: datetime, *, document_uuid: str, document_number: int) -> CardTransaction:
        """Give ``amount`` grosze back to the customer's card for a stored return.

        The return document exists already (the ledger commit comes first, as for a
        sale the receipt is linked after it), so the refund is recorded linked to it
        at once. Raises DomainError "err.amount_zero" for an amount that is not
        positive.
        """
        return self._approve(amount, now, "refund", document_uuid, document_number)

    def _approve(
        self, amount: int, now: datetime, kind: CardKind, document_uuid: str | None, document_number: int | None
    ) -> CardTransaction:
        """Record an approved card transaction (its authorisation code and masked card
        derive from its id, so the row is written first)."""
        if amount <= 0:
            raise DomainError("err.amount_zero")
        created_utc = utc_text(now)
        with self._db.atomic("IMMEDIATE"):
            cursor = self._db.execute_sql(
                "INSERT INTO card_transaction (created_utc, created_local, amount, auth_code, "
                "card_masked, state, kind, receipt_uuid, receipt_number) "
                "VALUES (?, ?, ?, '', '', 'approved', ?, ?, ?)",
                (created_utc, local_text(now), amount, kind, document_uuid, document_number),
            )
            transaction_id = int(cursor.lastrowid)
            auth_code, card = _fake_card(transaction_id, created_utc, amount)
            self._db.execute_sql(
                "UPDATE card_transaction SET auth_code = ?, card_masked = ? WHERE id = ?",
                (auth_code, card, transaction_id),
            )
        return self.transaction(transaction_id)

    def link_receipt(self, transaction_ids: Iterable[int], receipt_uuid: str, receipt_number: int) -> None:
        """Tie card payments to the receipt they paid (after the ledger commit)."""
        with self._db.atomic("IMMEDIATE"):
            self._db.cursor().executemany(
                "UPDATE card_transaction SET receipt_uuid = ?, receipt_number = ? "
                "WHERE id = ? AND receipt_uuid IS NULL",
                [(receipt_uuid, receipt_number, tid) for tid in transaction_ids],
            )

    def reverse(self, transaction_ids: Iterable[int], now: datetime) -> int:
        """Cancel approved payments that no receipt took; return how many changed."""
        changed = 0
        with self._db.atomic("IMMEDIATE"):
            for tid in transaction_ids:
                cursor = self._db.execute_sql(
                    "UPDATE card_transaction SET state = 'reversed', reversed_utc = ? "
                    "WHERE id = ? AND state = 'approved' AND receipt_uuid IS NULL",
                    (utc_text(now), tid),
                )
                changed += cursor.rowcount
        return changed

    def transaction(self, transaction_id: int) -> CardTransaction:
        """One card payment by id."""
        row = self._db.execute_sql(f"{_SELECT_TRANSACTION} WHERE id = ?", (transaction_id,)).fetchone()
        if row is None:
            raise DomainError("err.card_transaction_not_found", id=transaction_id)
        return _transaction(row)

    def open_transactions(self) -> list[CardTransaction]:
        """Card payments since the last settlement, newest first (reversed ones too)."""
        rows = self._db.execute_sql(
            f"{_SELECT_TRANSACTION} WHERE settlement_number IS NULL ORDER BY id DESC"
        ).fetchall()
        return [_transaction(row) for row in rows]

    def period_totals(self) -> tuple[int, int]:
        """Count and net total (payments − refunds) of the approved card transactions
        since the last settlement."""
        count, total = self._db.execute_sql(
            "SELECT count(*), coalesce(sum(CASE kind WHEN 'refund' THEN -amount ELSE amount END), 0) "
            "FROM card_transaction "
            "WHERE settlement_number IS NULL AND state = 'approved'"
        ).fetchone()
        return int(count), int(total)

    # -- settlements ------------------------------------------------------------

    def last_settlement(self) -> Settlement | None:
        """The newest settlement, or None before the first one."""
        row = self._db.execute_sql(
            "SELECT number, settled_local, tx_count, total, reversed_count FROM card_settlement "
            "ORDER BY number DESC LIMIT 1"
        ).fetchone()
        return None if row is None else Settlement(row[0], parse_time(row[1]), row[2], row[3], row[4])

    def settle(self, now: datetime) -> Settlement:
        """Close the period now and print the settlement (journaled); a new period starts.

        Settling an empty period is allowed (the printout says zero), as on the duet.
        """
        with self._db.atomic("IMMEDIATE"):
            previous = self.last_settlement()
            number = 1 if previous is None else previous.number + 1
            count, total = self.period_totals()
            (reversed_count,) = self._db.execute_sql(
                "SELECT count(*) FROM card_transaction "
                "WHERE settlement_number IS NULL AND state = 'reversed'"
            ).fetchone()
            self._db.execute_sql(
                "INSERT INTO card_settlement (number, settled_utc, settled_local, tx_count, total, "
                "reversed_count) VALUES (?, ?, ?, ?, ?, ?)",
                (number, utc_text(now), local_text(now), count, total, reversed_count),
            )
            self._db.execute_sql(
                "UPDATE card_transaction SET settlement_number = ? WHERE settlement_number IS NULL",
                (number,),
            )
            settlement = Settlement(number, parse_time(local_text(now)), count, total, int(reversed_count))
            body = _settlement_body(settlement, previous, self._refunds_of(number))
            printout = self._printer.print_nonfiscal("settlement", "ROZLICZENIE KART", body, now)
        return Settlement(
            settlement.number,
            settlement.settled_local,
            settlement.count,
            settlement.total,
            settlement.reversed_count,
            printout,
        )


    def _refunds_of(self, settlement_number: int) -> tuple[int, int]:
        """Count and sum of the card refunds (returns) a settlement closed."""
        count, total = self._db.execute_sql(
            "SELECT count(*), coalesce(sum(amount), 0) FROM card_transaction "
            "WHERE settlement_number = ? AND state = 'approved' AND kind = 'refund'",
            (settlement_number,),
        ).fetchone()
        return int(count), int(total)


def _settlement_body(
    settlement: Settlement, previous: Settlement | None, refunds: tuple[int, int] = (0, 0)
) -> list[str]:
    """The lines of a settlement printout below its head (with the card refunds of
    returns, already netted in the sum, when there were any)."""
    since = previous.settled_local.strftime("%Y-%m-%d %H:%M") if previous else "-"
    refund_count, refund_total = refunds
    lines = [
        paper.fit("Rozliczenie nr", f"{settlement.number:04d}", cut=False),
        paper.fit("Poprzednie rozliczenie", since, cut=False),
        paper.fit("Transakcje kartą", str(settlement.count), cut=False),
    ]
    if refund_count:
        lines.append(paper.fit(f"  w tym zwroty ({refund_count})", f"-{paper.amount(refund_total)}", cut=False))
    return [
        *lines,
        paper.fit("Suma PLN", paper.amount(settlement.total), cut=False),
        paper.fit("Anulowane", str(settlement.reversed_count), cut=False),
        "-" * PRINT_WIDTH,
        "Nowy okres rozpoczęty".center(PRINT_WIDTH).rstrip(),
    ]


def _transaction(row: tuple) -> CardTransaction:  # type: ignore[type-arg]
    """The record of one ``_SELECT_TRANSACTION`` row."""
    tid, created, amount, auth_code, card, receipt_uuid, receipt_number, state, kind = row
    return CardTransaction(
        tid, parse_time(created), amount, auth_code, card, receipt_uuid, receipt_number, state, kind
    )

