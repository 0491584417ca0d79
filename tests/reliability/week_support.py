"""Helpers of the local-concurrency row (issue 18) and its benchmark
(``benchmarks/local_concurrency.py``): a big catalogue put straight into a real back
office, and a cashier selling through the till layer.

:func:`bulk_catalogue` writes ``count`` products, each with a price in one price list
and one barcode, and their change-feed rows, with three set-wise ``INSERT … SELECT``
statements inside the back office's own locked write transaction (the same SQL on
SQLite and PostgreSQL). The import service checks every row and takes ~40 s for
100 000 products on a busy machine; what is tested here is the till applying them,
so the rows are built the fastest way. The feed is the back office's own: the
reliability checker then compares the till's catalogue with what the back office
holds, so rows the feed would not deliver as written would fail the test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ipos_tui.backoffice import models as bo
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.domain.receipt import Payment
from ipos_tui.domain.records import User
from ipos_tui.till import Till

#: PLUs of the bulk products start above this (the shops' own products use few digits).
BULK_PLU = 3_000_000


def _sql(sql: str) -> str:
    db = bo.database_proxy.obj
    if db.param != "?":  # psycopg2's paramstyle: a literal % is written %%
        sql = sql.replace("%", "%%")
    return sql.replace("?", db.param)


def bulk_catalogue(office: BackOffice, price_list_id: int, count: int) -> int:
    """``count`` new products ("Hurt 1" …, PLU from :data:`BULK_PLU` + 1, VAT A..E,
    "szt."), each priced in ``price_list_id`` and with one 8-digit barcode, and their
    feed rows (product, price, barcode: three revisions per product, in that order).
    Returns the catalogue rows written (3 × ``count``)."""
    db = bo.database_proxy.obj
    cid = office.company_id
    numbers = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
    )
    with office._writing():  # the company's write lock: revisions stay in commit order
        (unit,) = db.execute_sql(_sql("SELECT id FROM unit WHERE company_id = ? AND name = ?"),
                                 (cid, "szt.")).fetchone()
        (base,) = db.execute_sql(_sql("SELECT rev FROM rev_counter WHERE company_id = ?"),
                                 (cid,)).fetchone()
        (first,) = db.execute_sql(_sql("SELECT coalesce(max(id), 0) FROM product")).fetchone()
        db.execute_sql(_sql(
            numbers + "INSERT INTO product (company_id, name, name_key, plu, vat, unit_id, kind,"
            " open_price, active, category_id, deposit)"
            " SELECT ?, 'Hurt ' || CAST(i AS VARCHAR(10)), 'hurt ' || CAST(i AS VARCHAR(10)),"
            " CAST(? + i AS VARCHAR(10)),"
            " CASE i % 5 WHEN 0 THEN 'A' WHEN 1 THEN 'B' WHEN 2 THEN 'C' WHEN 3 THEN 'D' ELSE 'E' END,"
            " ?, 'good', FALSE, TRUE, NULL, 0 FROM n"), (count, cid, BULK_PLU, unit))
        # the new ids are first+1 … (one statement, no other writer under the lock)
        k = "(p.id - ?)"
        db.execute_sql(_sql(
            "INSERT INTO price (company_id, price_list_id, product_id, price)"
            f" SELECT ?, ?, p.id, 100 + {k} % 9000 FROM product p WHERE p.company_id = ? AND p.id > ?"),
            (cid, price_list_id, first, cid, first))
        db.execute_sql(_sql(
            "INSERT INTO barcode (company_id, product_id, code)"
            f" SELECT ?, p.id, CAST(20000000 + {k} AS VARCHAR(13)) FROM product p"
            " WHERE p.company_id = ? AND p.id > ?"), (cid, first, cid, first))
        now = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        for type_, offset, entity, table, list_id in (
            ("product", 2, "p.id", "product p", 0),
            ("price", 1, "p.id", "product p", price_list_id),
            ("barcode", 0, "b.id", "barcode b JOIN product p ON p.id = b.product_id", 0),
        ):
            db.execute_sql(_sql(
                "INSERT INTO change_entry (company_id, stream, type, entity_id, store_id, price_list_id,"
                " op, rev, changed_at)"
                f" SELECT ?, 'products', ?, CAST({entity} AS VARCHAR(40)), 0, ?, 'upsert',"
                f" ? + 3 * {k} - ?, ? FROM {table} WHERE p.company_id = ? AND p.id > ?"),
                (cid, type_, list_id, base, first, offset, now, cid, first))
        db.execute_sql(_sql("UPDATE rev_counter SET rev = ? WHERE company_id = ?"),
                       (base + 3 * count, cid))
    return 3 * count


class Clock:
    """A till clock that moves one second each time it is read (sales in order)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@dataclass
class Cashier:
    """A cashier ringing up sales through the till layer (:class:`ipos_tui.till.Sale`),
    as the registration screen does: each code looked up, the line added, the open
    receipt saved; paid in cash with the exact amount; printed and kept."""

    till: Till
    user: User
    codes: list[str]
    clock: Any
    numbers: list[int] = field(default_factory=list)
    uuids: list[str] = field(default_factory=list)
    #: every error a sale raised, as the cashier would have seen it
    errors: list[str] = field(default_factory=list)

    def sell(self, index: int, lines: int = 3) -> bool:
        sale, till = self.till.sale, self.till
        try:
            for n in range(lines):
                product = sale.find(self.codes[(index * 7 + n * 13) % len(self.codes)])
                assert not isinstance(product, tuple)
                sale.add(sale.line(product, qty=1000))
                sale.save(self.user.id)
            total = sale.receipt.payable
            methods = {m.kind: m for m in till.terminal.catalog.payment_methods()}
            cash = methods["cash"]
            stored = sale.pay([Payment(cash.code, cash.name, total)], cashier=self.user, now=self.clock())
            till.printouts.print_document(stored.uuid, self.clock(), till.data_dir)
        except Exception as error:  # noqa: BLE001 (every failure is a finding, DomainError too)
            self.errors.append(f"{type(error).__name__}: {error}")
            return False
        self.numbers.append(stored.number)
        self.uuids.append(stored.uuid)
        return True
