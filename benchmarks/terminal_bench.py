"""Terminal database benchmark: ipos_tui.store against raw sqlite3, in one run.

Run ``python benchmarks/terminal_bench.py [--products 300000] [--quick]``. It is a
measuring script, not a test: it asserts nothing about time, it prints a table.

Every operation is done twice on the same data in the same process: once through
the terminal's own API (``open_terminal(...).catalog`` / ``.ledger``) and once with
plain ``sqlite3`` on a second database file built from the terminal's own migration
DDL (same tables, indexes, FTS5 trigram index and triggers) and opened with the
terminal's own pragmas (WAL, ``synchronous=FULL``). The raw side is meant as an
honest lower bound of the same work, not a straw man:

* load: the same Product objects; both sides derive ``name_norm``/``name_t9`` inside
  the timing with the same domain functions, insert with ``executemany`` in one
  transaction and rebuild the trigram index once; the product rows of both
  databases are compared after the load and after the sync pages;
* code lookup: the same codes and the same lookup rule (a code of barcode length
  is tried as a barcode first, then as a PLU), returning the same product;
* name search: the same queries, normalised on both sides; raw is the bare FTS5
  ``MATCH ... LIMIT 50`` (no ordering), the least any any-fragment search can do;
* receipt commit: the same Receipt objects; raw runs the same statements with the
  same values (document, lines, payment, the gapless number and the local sales
  statistics, which the terminal writes in the same transaction) in one
  ``BEGIN IMMEDIATE`` transaction; the stored documents, lines and payments of both
  databases are compared row by row afterwards (all but the uuid).

"Ours" is the production code only (``catalog.*``, ``ledger.commit_receipt``). The
raw side is plain ``sqlite3`` with its own SQL written out here: from the terminal's
package it takes only the schema (the migrations and pragmas) and the domain
functions both sides share (normalisation, T9, VAT totals), never the store's
statements or row builders, so it stays a lower bound whatever the store does.

Ours and raw alternate sample by sample, so machine noise hits both alike. Both
database files live in one temporary directory (``--dir`` picks its parent: it
must be on the disk the terminal would use, not tmpfs, or fsync costs nothing).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import math
import os
import platform
import pstats
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine
from ipos_tui.domain.search import normalise, t9, t9_of_normalised
from ipos_tui.domain.validation import (
    CHECKED_BARCODE_LENGTHS,
    IN_STORE_BARCODE_LENGTHS,
    MAX_NAME_LENGTH,
    MAX_PLU_DIGITS,
)
from ipos_tui.store.db import PRAGMAS, Terminal, open_terminal
from ipos_tui.store.migrations import MIGRATIONS, PRODUCT_FTS_TRIGGER_NAMES, PRODUCT_FTS_TRIGGERS
from ipos_tui.domain.records import (
    Barcode,
    CatalogueSnapshot,
    PaymentMethod,
    Product,
    TerminalInfo,
    Unit,
    User,
    VatRate,
)
from ipos_tui.store.vat_table import effective_rates

# -- targets of issue 3 ----------------------------------------------------------

LOOKUP_P95_MS: Final = 2.0
SEARCH_P95_MS: Final = 20.0
COMMIT_P99_MS: Final = 50.0
COMMIT_MAX_RATIO: Final = 2.0

SEARCH_LIMIT: Final = 50
RECEIPT_LINES: Final = 20
PAGE_SIZE: Final = 1000
_BARCODE_LENGTHS: Final = CHECKED_BARCODE_LENGTHS | IN_STORE_BARCODE_LENGTHS
_POLISH_LETTERS: Final = frozenset("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")

CASHIER: Final = User(id=1, identifier="1001", name="Anna Kowalska", role="kasjer")
TERMINAL: Final = TerminalInfo(terminal_id=1, name="Kasa 1", store_id=1)
CASH: Final = PaymentMethod("gotowka", "gotówka", "cash", True, 1)

# -- a realistic Polish catalogue ---------------------------------------------------

# fmt: off
#: (name stem, VAT letter, sold by weight).
_STEMS: Final = (
    ("Mleko", "C", False), ("Jogurt", "C", False), ("Ser żółty", "C", False),
    ("Twaróg", "C", False), ("Masło", "C", False), ("Śmietana", "C", False),
    ("Kefir", "C", False), ("Maślanka", "C", False), ("Chleb", "C", False),
    ("Bułka", "C", False), ("Rogal", "C", False), ("Kiełbasa", "C", True),
    ("Szynka", "C", True), ("Polędwica", "C", True), ("Boczek", "C", True),
    ("Parówki", "C", False), ("Pasztet", "C", False), ("Filet z kurczaka", "C", True),
    ("Filet z indyka", "C", True), ("Schab", "C", True), ("Łosoś", "C", True),
    ("Śledź", "C", False), ("Makaron", "C", False), ("Ryż", "C", False),
    ("Kasza gryczana", "C", False), ("Mąka", "C", False), ("Cukier", "C", False),
    ("Sól", "C", False), ("Olej", "C", False), ("Ketchup", "C", False),
    ("Musztarda", "C", False), ("Majonez", "C", False), ("Dżem", "C", False),
    ("Miód", "C", False), ("Herbata", "C", False), ("Kawa", "C", False),
    ("Sok", "C", False), ("Woda mineralna", "C", False), ("Czekolada", "C", False),
    ("Ciastka", "C", False), ("Wafle", "C", False), ("Chipsy", "C", False),
    ("Orzeszki", "C", False), ("Lody", "C", False), ("Pierogi", "C", False),
    ("Gołąbki", "C", False), ("Żurek", "C", False), ("Barszcz", "C", False),
    ("Ogórki kiszone", "C", False), ("Pomidory", "C", True), ("Ziemniaki", "C", True),
    ("Jabłka", "C", True), ("Gruszki", "C", True), ("Cebula", "C", True),
    ("Marchew", "C", True), ("Pieczarki", "C", True), ("Śliwki", "C", True),
    ("Piwo", "A", False), ("Wino", "A", False), ("Wódka", "A", False),
    ("Płyn do naczyń", "A", False), ("Proszek do prania", "A", False),
    ("Szampon", "A", False), ("Mydło", "A", False), ("Pasta do zębów", "A", False),
    ("Papier toaletowy", "A", False), ("Ręczniki papierowe", "A", False),
    ("Gazeta", "B", False), ("Tygodnik", "B", False), ("Kanapka", "B", False),
)
_DESCRIPTORS: Final = (
    "naturalny", "śmietankowy", "truskawkowy", "czekoladowy", "wiejski", "tradycyjny",
    "domowy", "pełnoziarnisty", "żytni", "razowy", "wędzony", "pikantny", "łagodny",
    "słodki", "kwaśny", "bezglutenowy", "ekologiczny", "light", "extra", "premium",
    "świeży", "mrożony", "gazowany", "niegazowany", "jabłkowy", "pomarańczowy",
    "wiśniowy", "malinowy", "śliwkowy", "miętowy", "cytrynowy", "waniliowy",
    "orzechowy", "kokosowy", "miodowy", "góralski", "mazurski", "kaszubski", "śląski",
    "krakowski", "żywiecki", "łowicki", "złoty", "biały", "czarny", "zielony",
    "czerwony", "ciemny", "jasny", "pszenny", "3,2%", "2%", "0%", "klasyczny",
)
_BRANDS: Final = (
    "Łaciate", "Mlekovita", "Piątnica", "Zott", "Sokołów", "Morliny", "Krakus",
    "Tarczyński", "Łowicz", "Pudliszki", "Kamis", "Prymat", "Winiary", "Żywiec",
    "Tyskie", "Okocim", "Wedel", "Goplana", "Wawel", "Mieszko", "Lajkonik",
    "Bakalland", "Kupiec", "Melvit", "Sante", "Tymbark", "Hortex", "Cisowianka",
    "Nałęczowianka", "Muszynianka", "Ludwik", "Pollena", "Ziaja", "Mokate",
    "Społem", "Gryf", "Graal", "Koral", "Bielmar", "Kujawski", "Smakowita",
    "Dawtona", "Kotlin", "Roleski", "Agros", "Jutrzenka", "Śnieżka", "Łomża",
    "Żubr", "Gród", "Biały Jeleń", "Mazowsze", "Podlasie", "Bieszczady",
)
_SIZES: Final = (
    "1 l", "0,5 l", "500 ml", "330 ml", "750 ml", "1,5 l", "6x1,5 l", "100 g",
    "125 g", "150 g", "200 g", "250 g", "300 g", "400 g", "500 g", "900 g", "1 kg",
    "2 kg", "10 szt.", "4 szt.", "80 g", "0,7 l",
)
# fmt: on
_NAME_SPACE: Final = len(_STEMS) * len(_DESCRIPTORS) * len(_BRANDS) * len(_SIZES)


def _coprime_stride(modulus: int, start: int) -> int:
    """The first number from ``start`` up that shares no factor with ``modulus``.

    Stepping by it visits every residue once, which scatters consecutive ids over
    the whole name space (and over the EAN space) without repeats.
    """
    stride = start
    while math.gcd(stride, modulus) != 1:
        stride += 1
    return stride


_NAME_STRIDE: Final = _coprime_stride(_NAME_SPACE, 7_919_003)
_EAN_STRIDE: Final = _coprime_stride(10**9, 104_729)


def _fit(words: list[str]) -> str:
    """Join ``words`` into a printable name of at most MAX_NAME_LENGTH characters.

    Drops the descriptor (second word group) first, as a back office would
    abbreviate, and cuts at a word boundary only as the last resort.
    """
    name = " ".join(words)
    if len(name) > MAX_NAME_LENGTH and len(words) > 3:
        name = " ".join([words[0], *words[2:]])
    if len(name) > MAX_NAME_LENGTH:
        name = name[:MAX_NAME_LENGTH].rsplit(" ", 1)[0]
    return name


def product_name(index: int) -> tuple[str, str, bool]:
    """Name, VAT letter and by-weight flag of the ``index``-th generated product."""
    k = (index * _NAME_STRIDE) % _NAME_SPACE
    k, size = divmod(k, len(_SIZES))
    k, brand = divmod(k, len(_BRANDS))
    stem, descriptor = divmod(k, len(_DESCRIPTORS))
    stem_name, vat, weighed = _STEMS[stem]
    words = [stem_name, _DESCRIPTORS[descriptor], _BRANDS[brand]]
    if not weighed:
        words.append(_SIZES[size])
    return _fit(words), vat, weighed


def ean13(body12: str) -> str:
    """``body12`` followed by its EAN-13 check digit."""
    odd = sum(int(digit) for digit in body12[0::2])
    even = sum(int(digit) for digit in body12[1::2])
    return body12 + str((10 - (odd + 3 * even) % 10) % 10)


def product_eans(product_id: int) -> list[str]:
    """The EAN-13 codes of a product: one Polish (590), every 10th a second, imported."""
    body = f"{(product_id * _EAN_STRIDE) % 10**9:09d}"
    codes = [ean13("590" + body)]
    if product_id % 10 == 0:
        codes.append(ean13("400" + body))
    return codes


@dataclass(frozen=True)
class Catalogue:
    """The generated products and barcodes (the same objects feed both sides)."""

    products: tuple[Product, ...]
    barcodes: tuple[Barcode, ...]


def make_catalogue(count: int, seed: int) -> Catalogue:
    """``count`` products with PLUs 1..count, realistic names, prices and EANs."""
    rng = random.Random(seed)
    products: list[Product] = []
    barcodes: list[Barcode] = []
    for product_id in range(1, count + 1):
        name, vat, weighed = product_name(product_id)
        products.append(
            Product(
                id=product_id,
                plu=str(product_id),
                name=name,
                unit="kg" if weighed else "szt.",
                precision=3 if weighed else 0,
                vat_letter=vat,
                price=rng.randint(99, 19_999),
                category_id=1 + product_id % 40,
            )
        )
        barcodes.extend(Barcode(code, product_id) for code in product_eans(product_id))
    return Catalogue(tuple(products), tuple(barcodes))


def snapshot_of(catalogue: Catalogue) -> CatalogueSnapshot:
    """The catalogue as the terminal's full-replacement input."""
    return CatalogueSnapshot(
        payment_methods=(CASH,),
        vat_rates=(VatRate("A", 2300), VatRate("B", 800), VatRate("C", 500)),
        units=(Unit("szt.", 0), Unit("kg", 3)),
        products=catalogue.products,
        barcodes=catalogue.barcodes,
    )


# -- measuring -------------------------------------------------------------------


def percentile(samples: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of ``samples`` (pct in 0..100)."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def elapsed_ms(action: Callable[..., object], *args: Any) -> float:
    """Wall time of one call ``action(*args)`` in milliseconds."""
    start = time.perf_counter_ns()
    action(*args)
    return (time.perf_counter_ns() - start) / 1e6


def paired(
    items: Sequence[Any], ours: Callable[[Any], object], raw: Callable[[Any], object]
) -> tuple[list[float], list[float]]:
    """Time ``ours(item)`` and ``raw(item)`` for every item, alternating who goes first."""
    ours_ms: list[float] = []
    raw_ms: list[float] = []
    gc.collect()
    for index, item in enumerate(items):
        if index % 2:
            raw_ms.append(elapsed_ms(raw, item))
            ours_ms.append(elapsed_ms(ours, item))
        else:
            ours_ms.append(elapsed_ms(ours, item))
            raw_ms.append(elapsed_ms(raw, item))
    return ours_ms, raw_ms


@dataclass(frozen=True)
class Target:
    """A goal of the issue: ours' tail at most ``tail_ms`` and, when ``ratio`` is set,
    ours at most ``ratio`` x raw at the median AND at the tail (a tail-only ratio
    would let a constant overhead hide behind fsync noise)."""

    tail_ms: float
    ratio: float | None = None

    def describe(self, tail_pct: int) -> str:
        text = f"p{tail_pct} <= {self.tail_ms:g} ms"
        return text + (f", <= {self.ratio:g}x raw" if self.ratio is not None else "")

    def met(self, row: Row) -> bool:
        """Whether ``row``'s figures reach this target."""
        within = row.ours_tail <= self.tail_ms
        if self.ratio is None:
            return within
        return within and row.ratio_p50 <= self.ratio and row.ratio_tail <= self.ratio


@dataclass(frozen=True)
class Row:
    """One line of the result table (times in milliseconds)."""

    operation: str
    samples: int
    tail_pct: int
    ours_p50: float
    ours_tail: float
    raw_p50: float
    raw_tail: float
    target: Target | None = None

    @property
    def ratio_p50(self) -> float:
        return self.ours_p50 / self.raw_p50 if self.raw_p50 > 0 else math.inf

    @property
    def ratio_tail(self) -> float:
        return self.ours_tail / self.raw_tail if self.raw_tail > 0 else math.inf

    @property
    def verdict(self) -> str:
        """PASS / MISS against the target, "-" for rows without one."""
        if self.target is None:
            return "-"
        return "PASS" if self.target.met(self) else "MISS"


def sampled_row(
    operation: str,
    ours_ms: Sequence[float],
    raw_ms: Sequence[float],
    tail_pct: int,
    target: Target | None,
) -> Row:
    """A table row from paired samples."""
    return Row(
        operation,
        len(ours_ms),
        tail_pct,
        percentile(ours_ms, 50),
        percentile(ours_ms, tail_pct),
        percentile(raw_ms, 50),
        percentile(raw_ms, tail_pct),
        target,
    )


@dataclass(frozen=True)
class Report:
    """What a run measured: the machine, the sizes and the table rows."""

    machine: dict[str, str]
    products: int
    barcodes: int
    rows: tuple[Row, ...]
    notes: tuple[str, ...]

    def row(self, operation: str) -> Row:
        """The row named ``operation`` (KeyError if the run has none)."""
        for row in self.rows:
            if row.operation == operation:
                return row
        raise KeyError(operation)


# -- the raw side ------------------------------------------------------------------


def open_raw(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection with the terminal's pragmas and schema.

    ``isolation_level=None`` leaves transactions to explicit BEGIN/COMMIT, as
    peewee does on the terminal side.
    """
    conn = sqlite3.connect(str(path), isolation_level=None)
    for name, value in PRAGMAS.items():
        conn.execute(f"PRAGMA {name} = {value}")
    conn.execute("BEGIN IMMEDIATE")
    for step in MIGRATIONS:
        for statement in step:
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS):d}")
    conn.execute("COMMIT")
    return conn


@contextmanager
def raw_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


_RAW_PRODUCT_INSERT: Final = (
    "INSERT INTO product (id, plu, name, name_norm, name_t9, unit, precision, "
    "vat_letter, category_id, type, price, active, deposit) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_RAW_PRODUCT_UPSERT: Final = _RAW_PRODUCT_INSERT + (
    " ON CONFLICT (id) DO UPDATE SET plu = excluded.plu, name = excluded.name, "
    "name_norm = excluded.name_norm, name_t9 = excluded.name_t9, unit = excluded.unit, "
    "precision = excluded.precision, vat_letter = excluded.vat_letter, "
    "category_id = excluded.category_id, type = excluded.type, price = excluded.price, "
    "active = excluded.active, deposit = excluded.deposit"
)


def raw_product_row(p: Product) -> tuple[Any, ...]:
    """A product's row with its two search forms (T9 derived from the normalised name)."""
    norm = normalise(p.name)
    return (
        p.id, p.plu, p.name, norm, t9_of_normalised(norm), p.unit, p.precision,
        p.vat_letter, p.category_id, p.type, p.price, int(p.active), p.deposit,
    )


def raw_load(conn: sqlite3.Connection, catalogue: Catalogue) -> None:
    """Full load the way the terminal does it, minus the ORM: one transaction,
    triggers off, executemany, one trigram rebuild, triggers back."""
    with raw_transaction(conn):
        for name in PRODUCT_FTS_TRIGGER_NAMES:
            conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        conn.executemany(_RAW_PRODUCT_INSERT, [raw_product_row(p) for p in catalogue.products])
        conn.executemany(
            "INSERT INTO barcode (code, product_id) VALUES (?, ?)",
            [(b.code, b.product_id) for b in catalogue.barcodes],
        )
        conn.execute("INSERT INTO product_fts (product_fts) VALUES ('rebuild')")
        for statement in PRODUCT_FTS_TRIGGERS:
            conn.execute(statement)


def raw_upsert_page(conn: sqlite3.Connection, page: Sequence[Product]) -> None:
    """One incremental catalogue page: upsert by id, the FTS triggers keep the index."""
    with raw_transaction(conn):
        conn.executemany(_RAW_PRODUCT_UPSERT, [raw_product_row(p) for p in page])


_RAW_COLUMNS: Final = "p.id, p.plu, p.name, p.unit, p.precision, p.vat_letter, p.price"


def raw_find(conn: sqlite3.Connection, code: str) -> tuple[Any, ...] | None:
    """The same lookup rule as the terminal: barcode first for barcode lengths, then PLU."""
    if len(code) in _BARCODE_LENGTHS:
        row = conn.execute(
            f"SELECT {_RAW_COLUMNS} FROM barcode b JOIN product p ON p.id = b.product_id "
            "WHERE b.code = ? AND p.active = 1",
            (code,),
        ).fetchone()
        if row is not None:
            return row
    if code[0] != "0" and len(code) <= MAX_PLU_DIGITS:
        return conn.execute(
            f"SELECT {_RAW_COLUMNS} FROM product p WHERE p.plu = ? AND p.active = 1", (code,)
        ).fetchone()
    return None


def _raw_prefix(conn: sqlite3.Connection, column: str, prefix: str) -> list[tuple[Any, ...]]:
    """Up to SEARCH_LIMIT active products whose ``column`` starts with ``prefix``."""
    return conn.execute(
        f"SELECT {_RAW_COLUMNS} FROM product p WHERE p.{column} >= ? "
        f"AND p.{column} < ? AND p.active = 1 LIMIT ?",
        (prefix, prefix + "\U0010ffff", SEARCH_LIMIT),
    ).fetchall()


def raw_search(conn: sqlite3.Connection, text: str) -> list[tuple[Any, ...]]:
    """Bare any-fragment search: normalise, trigram MATCH, LIMIT 50, no ordering.

    Digits match both columns (a T9 string or digits in the name), letters the
    normalised name only, like the terminal. Queries under 3 characters use a
    prefix range on the name index, which returns them in name order for free.
    """
    query = normalise(text)
    if len(query) < 3:
        rows = _raw_prefix(conn, "name_norm", query)
        return rows + _raw_prefix(conn, "name_t9", query) if query.isdigit() else rows
    phrase = '"' + query.replace('"', '""') + '"'
    match = phrase if query.isdigit() else f"name_norm : {phrase}"
    return conn.execute(
        f"SELECT {_RAW_COLUMNS} FROM product_fts f JOIN product p ON p.id = f.rowid "
        "WHERE product_fts MATCH ? AND p.active = 1 LIMIT ?",
        (match, SEARCH_LIMIT),
    ).fetchall()


_RAW_NEXT_NUMBER: Final = (
    "INSERT INTO number_sequence (doc_type, last_number) VALUES (?, 1) "
    "ON CONFLICT (doc_type) DO UPDATE SET last_number = last_number + 1 RETURNING last_number"
)
_RAW_DOCUMENT_INSERT: Final = (
    "INSERT INTO document (uuid, doc_type, number, kind, created_utc, created_local, "
    "cashier_id, cashier_name, store_id, terminal_id, total, discount_total, vat, buyer_nip, "
    "buyer_name, buyer_address, upload_state, upload_attempts, extra) "
    "VALUES (?, 'receipt', ?, 'paragon', ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, 'pending', 0, ?)"
)
_RAW_LINE_INSERT: Final = (
    "INSERT INTO document_line (document_id, position, product_id, plu, name, unit, precision, "
    "unit_price, qty, vat_letter, gross, line_discount, receipt_discount, value) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_RAW_PAYMENT_INSERT: Final = (
    "INSERT INTO document_payment (document_id, position, method, name, amount, change) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_RAW_RECORD_SALE: Final = (
    "INSERT INTO product_sales (product_id, sale_count, qty_sold) VALUES (?, 1, ?) "
    "ON CONFLICT (product_id) DO UPDATE SET sale_count = sale_count + 1, "
    "qty_sold = qty_sold + excluded.qty_sold"
)


def raw_commit(
    conn: sqlite3.Connection,
    receipt: Receipt,
    payments: Sequence[Payment],
    now: datetime,
    rates: dict[str, int | None],
) -> int:
    """Write a finished receipt with plain sqlite3 in one transaction; return its number.

    The same rows as the ledger stores (document, lines, payments, the gapless number,
    the sales statistics; compared afterwards), built here; the VAT rates are read
    once by the caller (the ledger reads them per commit).
    """
    vat = json.dumps(
        {t.letter: {"gross": t.gross, "vat": t.vat, "net": t.net} for t in receipt.vat_totals(rates).values()},
        sort_keys=True,
    )
    letters = sorted({line.vat_letter for line in receipt.lines})
    extra = json.dumps({"vat_rates": {letter: rates[letter] for letter in letters if letter in rates}})
    utc = now.astimezone(UTC).isoformat(timespec="microseconds")
    local = now.isoformat(timespec="seconds")
    sales = [(line.product_id, line.qty) for line in receipt.lines if line.product_id]
    with raw_transaction(conn):
        number = int(conn.execute(_RAW_NEXT_NUMBER, ("receipt",)).fetchone()[0])
        document_id = conn.execute(
            _RAW_DOCUMENT_INSERT,
            (
                str(uuid.uuid4()), number, utc, local, CASHIER.id, CASHIER.name,
                TERMINAL.store_id, TERMINAL.terminal_id, receipt.total, receipt.discount_total,
                vat, extra,
            ),
        ).lastrowid
        conn.executemany(
            _RAW_LINE_INSERT,
            [
                (
                    document_id, position, line.product_id, line.plu, line.name, line.unit,
                    line.precision, line.unit_price, line.qty, line.vat_letter, line.gross,
                    line.line_discount, line.receipt_discount_share, line.value,
                )
                for position, line in enumerate(receipt.lines, start=1)
            ],
        )
        conn.executemany(
            _RAW_PAYMENT_INSERT,
            [
                (document_id, n, p.method, p.name, p.amount, p.change)
                for n, p in enumerate(payments, 1)
            ],
        )
        conn.executemany(_RAW_RECORD_SALE, sales)
    return number


# -- workloads -----------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    """How much to measure."""

    products: int
    lookups: int
    searches: int
    receipts: int
    pages: int
    warmup: int


def sizes_from(args: argparse.Namespace) -> Sizes:
    """Iteration counts: the CLI's, else defaults scaled for a full or --quick run."""
    quick = bool(args.quick)
    return Sizes(
        products=args.products or (20_000 if quick else 300_000),
        lookups=args.lookups or (1000 if quick else 5000),
        searches=args.searches or (200 if quick else 1000),
        receipts=args.receipts or (60 if quick else 300),
        pages=args.pages or (3 if quick else 10),
        warmup=args.warmup if args.warmup is not None else (20 if quick else 100),
    )


def _fragment(rng: random.Random, text: str, low: int, high: int) -> str:
    """A random substring of ``text`` of ``low``..``high`` characters, not starting or
    ending in a space (normalisation would shorten it)."""
    for _ in range(50):
        length = rng.randint(low, min(high, len(text)))
        start = rng.randint(0, len(text) - length)
        piece = text[start : start + length]
        if piece == piece.strip():
            return piece
    return text[:low]


def _diacritic_fragment(rng: random.Random, name: str) -> str:
    """A 3–6 character piece of ``name`` as typed, containing a Polish letter."""
    positions = [i for i, ch in enumerate(name) if ch in _POLISH_LETTERS]
    for _ in range(50):
        at = rng.choice(positions)
        length = rng.randint(3, 6)
        start = max(0, min(at - rng.randint(0, length - 1), len(name) - length))
        piece = name[start : start + length]
        if piece == piece.strip() and len(normalise(piece)) >= 3:
            return piece
    return name


def search_queries(catalogue: Catalogue, count: int, seed: int) -> dict[str, list[str]]:
    """Queries by kind: normalised text, text with Polish letters, T9 digits, 1–2 chars."""
    rng = random.Random(seed + 1)
    names = [p.name for p in catalogue.products]
    polish = [n for n in names if _POLISH_LETTERS.intersection(n)]
    text = [_fragment(rng, normalise(rng.choice(names)), 3, 6) for _ in range(count)]
    diacritic = [_diacritic_fragment(rng, rng.choice(polish)) for _ in range(count)]
    digits = [_fragment(rng, t9(rng.choice(names)), 3, 6) for _ in range(count)]
    short = [_fragment(rng, normalise(rng.choice(names)), 1, 2) for _ in range(count)]
    return {"text": text, "diacritic": diacritic, "t9": digits, "short": short}


def make_receipts(catalogue: Catalogue, count: int, seed: int) -> list[Receipt]:
    """``count`` receipts of RECEIPT_LINES random lines (weighed goods by weight)."""
    rng = random.Random(seed + 2)
    receipts = []
    for _ in range(count):
        lines = []
        for product in rng.sample(catalogue.products, RECEIPT_LINES):
            qty = rng.randint(50, 2500) if product.precision == 3 else 1000 * rng.randint(1, 3)
            lines.append(
                ReceiptLine(
                    plu=product.plu,
                    name=product.name,
                    unit=product.unit,
                    precision=product.precision,
                    unit_price=product.price,
                    qty=qty,
                    vat_letter=product.vat_letter,
                    product_id=product.id,
                )
            )
        receipts.append(Receipt(lines))
    return receipts


def changed_pages(catalogue: Catalogue, pages: int, seed: int) -> list[list[Product]]:
    """Pages of existing products with new names, as a sync page would bring them."""
    rng = random.Random(seed + 3)
    total = len(catalogue.products)
    result = []
    for _ in range(pages):
        chosen = rng.sample(catalogue.products, min(PAGE_SIZE, total))
        page = [
            Product(
                id=p.id,
                plu=p.plu,
                name=product_name(p.id + total)[0],
                unit=p.unit,
                precision=p.precision,
                vat_letter=p.vat_letter,
                price=p.price + 1,
                category_id=p.category_id,
            )
            for p in chosen
        ]
        result.append(page)
    return result


# -- phases ------------------------------------------------------------------------


@dataclass
class Bench:
    """Both databases and the data, plus what was measured so far."""

    terminal: Terminal
    raw: sqlite3.Connection
    catalogue: Catalogue
    sizes: Sizes
    seed: int
    rows: list[Row]
    notes: list[str]

    def say(self, text: str) -> None:
        """Progress on stderr, so stdout stays the report."""
        print(text, file=sys.stderr, flush=True)


def phase_load(bench: Bench) -> None:
    """Full catalogue load: replace_all against raw executemany + rebuild."""
    snapshot = snapshot_of(bench.catalogue)
    bench.say(f"loading {len(bench.catalogue.products)} products ...")
    ours = elapsed_ms(bench.terminal.catalog.replace_all, snapshot)
    raw = elapsed_ms(raw_load, bench.raw, bench.catalogue)
    count = bench.terminal.catalog.product_count()
    raw_count = bench.raw.execute("SELECT count(*) FROM product").fetchone()[0]
    if count != raw_count or count != len(bench.catalogue.products):
        raise RuntimeError(f"load mismatch: ours {count}, raw {raw_count}")
    _check_same_rows(bench, "SELECT * FROM product ORDER BY id", "products after the load")
    bench.rows.append(Row("catalogue load (replace_all)", 1, 100, ours, ours, raw, raw))
    bench.terminal.settings.set_terminal_info(TERMINAL)


def _check_same_product(bench: Bench, code: str) -> None:
    """Both sides must find the same product, or the comparison means nothing."""
    ours = bench.terminal.catalog.find_by_code(code)
    raw = raw_find(bench.raw, code)
    if ours is None or raw is None or ours.id != raw[0]:
        raise RuntimeError(f"lookup of {code} differs: ours {ours}, raw {raw}")


def phase_lookups(bench: Bench) -> None:
    """PLU and EAN lookups through find_by_code against the same SQL in raw sqlite3."""
    rng = random.Random(bench.seed + 4)
    chosen = rng.choices(bench.catalogue.products, k=bench.sizes.lookups)
    first_ean = {b.product_id: b.code for b in reversed(bench.catalogue.barcodes)}
    kinds = {"PLU": [p.plu for p in chosen], "EAN-13": [first_ean[p.id] for p in chosen]}
    target = Target(LOOKUP_P95_MS)
    for kind, codes in kinds.items():
        bench.say(f"lookup by {kind} x{len(codes)} ...")
        for code in codes[:50]:
            _check_same_product(bench, code)
        warm = codes[: bench.sizes.warmup]
        paired(warm, bench.terminal.catalog.find_by_code, lambda c: raw_find(bench.raw, c))
        ours, raw = paired(
            codes, bench.terminal.catalog.find_by_code, lambda c: raw_find(bench.raw, c)
        )
        bench.rows.append(sampled_row(f"lookup by {kind}", ours, raw, 95, target))


_SEARCH_LABELS: Final = {
    "text": "name search: 3-6 chars",
    "diacritic": "name search: Polish letters",
    "t9": "name search: T9 digits",
    "short": "name search: 1-2 chars",
}


def phase_search(bench: Bench) -> None:
    """Name search through catalog.search against a bare FTS5 MATCH ... LIMIT 50."""
    queries = search_queries(bench.catalogue, bench.sizes.searches, bench.seed)
    target = Target(SEARCH_P95_MS)
    search = bench.terminal.catalog.search
    all_ours: list[float] = []
    all_raw: list[float] = []
    hits: dict[str, float] = {}
    for kind, texts in queries.items():
        bench.say(f"{_SEARCH_LABELS[kind]} x{len(texts)} ...")
        paired(texts[: bench.sizes.warmup], search, lambda q: raw_search(bench.raw, q))
        ours, raw = paired(texts, search, lambda q: raw_search(bench.raw, q))
        bench.rows.append(sampled_row(_SEARCH_LABELS[kind], ours, raw, 95, target))
        hits[kind] = sum(len(search(q, SEARCH_LIMIT)) for q in texts[:200]) / min(200, len(texts))
        if kind != "short":
            all_ours += ours
            all_raw += raw
    bench.rows.append(sampled_row("name search: all 3-6", all_ours, all_raw, 95, target))
    bench.notes.append(
        "mean results per search (limit 50): "
        + ", ".join(f"{_SEARCH_LABELS[k].split(': ')[1]} {v:.1f}" for k, v in hits.items())
    )


def phase_pages(bench: Bench) -> None:
    """Incremental catalogue pages (sync): upsert_products against raw executemany."""
    pages = changed_pages(bench.catalogue, bench.sizes.pages, bench.seed)
    bench.say(f"catalogue page upsert x{len(pages)} ...")
    ours, raw = paired(
        pages, bench.terminal.catalog.upsert_products, lambda page: raw_upsert_page(bench.raw, page)
    )
    label = f"page upsert ({PAGE_SIZE} renamed products)"
    bench.rows.append(sampled_row(label, ours, raw, 95, None))
    _check_same_rows(bench, "SELECT * FROM product ORDER BY id", "products after the pages")


def phase_commits(bench: Bench) -> None:
    """20-line receipts through ledger.commit_receipt against raw sqlite3 inserts."""
    count = bench.sizes.receipts
    warmup = min(bench.sizes.warmup, 20)
    receipts = make_receipts(bench.catalogue, count + warmup, bench.seed)
    bench.say(f"receipt commit ({RECEIPT_LINES} lines) x{count} ...")
    now = datetime.now().astimezone()
    rates = effective_rates(bench.terminal.db)

    def ours(receipt: Receipt) -> object:
        payment = Payment(CASH.code, CASH.name, receipt.total)
        return bench.terminal.ledger.commit_receipt(receipt, [payment], cashier=CASHIER, now=now)

    def raw(receipt: Receipt) -> object:
        payment = Payment(CASH.code, CASH.name, receipt.total)
        return raw_commit(bench.raw, receipt, [payment], now, rates)

    paired(receipts[:warmup], ours, raw)
    ours_ms, raw_ms = paired(receipts[warmup:], ours, raw)
    target = Target(COMMIT_P99_MS, COMMIT_MAX_RATIO)
    bench.rows.append(
        sampled_row(f"receipt commit ({RECEIPT_LINES} lines)", ours_ms, raw_ms, 99, target)
    )
    _check_same_ledger(bench, len(receipts))


def _check_same_ledger(bench: Bench, receipts: int) -> None:
    """Both sides must have stored the same documents, lines, payments and numbers."""
    counts = (
        "SELECT (SELECT count(*) FROM document), (SELECT count(*) FROM document_line), "
        "(SELECT count(*) FROM document_payment), (SELECT sum(sale_count) FROM product_sales), "
        "(SELECT last_number FROM number_sequence WHERE doc_type = 'receipt')"
    )
    ours = tuple(bench.terminal.db.execute_sql(counts).fetchone())
    raw = tuple(bench.raw.execute(counts).fetchone())
    expected = (receipts, receipts * RECEIPT_LINES, receipts, receipts * RECEIPT_LINES, receipts)
    if ours != raw or ours != expected:
        raise RuntimeError(f"ledgers differ: ours {ours}, raw {raw}, expected {expected}")
    documents = (
        "SELECT id, doc_type, number, kind, created_utc, created_local, cashier_id, cashier_name, "
        "store_id, terminal_id, total, discount_total, vat, buyer_nip, buyer_name, buyer_address, "
        "upload_state, upload_attempts, extra FROM document ORDER BY id"
    )
    _check_same_rows(bench, documents, "documents")
    _check_same_rows(bench, "SELECT * FROM document_line ORDER BY id", "document lines")
    _check_same_rows(bench, "SELECT * FROM document_payment ORDER BY id", "payments")
    _check_same_rows(bench, "SELECT * FROM product_sales ORDER BY product_id", "sales statistics")


def _check_same_rows(bench: Bench, sql: str, what: str) -> None:
    """Both databases must hold the same rows for ``sql`` (outside any timing)."""
    ours = [tuple(row) for row in bench.terminal.db.execute_sql(sql).fetchall()]
    raw = [tuple(row) for row in bench.raw.execute(sql).fetchall()]
    if ours != raw:
        first = next((i for i, (a, b) in enumerate(zip(ours, raw)) if a != b), min(len(ours), len(raw)))
        detail = (ours[first:first + 1], raw[first:first + 1])
        raise RuntimeError(f"{what} differ at row {first}: ours {detail[0]}, raw {detail[1]}")


def profile_ours(bench: Bench, top: int) -> str:
    """cProfile of the terminal side of lookups, searches and commits (after timing)."""
    rng = random.Random(bench.seed + 9)
    codes = [p.plu for p in rng.choices(bench.catalogue.products, k=500)]
    queries = search_queries(bench.catalogue, 200, bench.seed + 9)
    receipts = make_receipts(bench.catalogue, 30, bench.seed + 9)
    catalog, ledger = bench.terminal.catalog, bench.terminal.ledger
    now = datetime.now().astimezone()
    work = {
        "lookups": lambda: [catalog.find_by_code(code) for code in codes],
        "searches": lambda: [catalog.search(q) for qs in queries.values() for q in qs],
        "commits": lambda: [
            ledger.commit_receipt(
                r, [Payment("gotowka", "gotówka", r.total)], cashier=CASHIER, now=now
            )
            for r in receipts
        ],
    }
    out = []
    for label, action in work.items():
        profiler = cProfile.Profile()
        profiler.runcall(action)
        stream = _Text()
        pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(top)
        out.append(f"--- profile: {label} ---\n{stream.text}")
    return "\n".join(out)


class _Text:
    """A minimal writable text sink for pstats."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    @property
    def text(self) -> str:
        return "".join(self.parts)


# -- report --------------------------------------------------------------------------


def machine_info(data_dir: Path) -> dict[str, str]:
    """What the numbers were measured on."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu count": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "sqlite (python sqlite3)": sqlite3.sqlite_version,
        "data dir": str(data_dir),
    }


def _cpu_model() -> str:
    """The CPU model name on Linux, else what platform knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def fmt_ms(value: float) -> str:
    """Milliseconds, or seconds for long single shots."""
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.3f} ms"


def fmt_ratio(value: float) -> str:
    return "inf" if math.isinf(value) else f"{value:.2f}x"


_HEADER: Final = (
    "operation",
    "n",
    "ours p50",
    "ours tail",
    "raw p50",
    "raw tail",
    "ratio p50",
    "ratio tail",
    "target",
    "result",
)


def table_lines(rows: Sequence[Row]) -> list[str]:
    """The result table as aligned text lines."""
    cells = [list(_HEADER)]
    for row in rows:
        tail = "" if row.samples == 1 else f" (p{row.tail_pct})"
        cells.append(
            [
                row.operation,
                str(row.samples),
                fmt_ms(row.ours_p50),
                fmt_ms(row.ours_tail) + tail,
                fmt_ms(row.raw_p50),
                fmt_ms(row.raw_tail) + tail,
                fmt_ratio(row.ratio_p50),
                fmt_ratio(row.ratio_tail),
                row.target.describe(row.tail_pct) if row.target else "-",
                row.verdict,
            ]
        )
    widths = [max(len(line[i]) for line in cells) for i in range(len(_HEADER))]
    text = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(line, widths))
        )
        for line in cells
    ]
    text.insert(1, "-" * len(text[0]))
    return text


_LEGEND: Final = (
    "ratio = ours / raw; tail = p95, p99 for commits; load and pages: wall time per call",
    "a ratio target must hold at p50 and at the tail; raw = plain sqlite3, same rows,",
    "same schema (the terminal's migrations), same pragmas (WAL, synchronous=FULL)",
)


def render(report: Report) -> str:
    """The full printed report."""
    lines = ["Terminal database benchmark: ours (ipos_tui.store) vs raw sqlite3", ""]
    lines += [f"  {key}: {value}" for key, value in report.machine.items()]
    lines += [f"  products: {report.products}, barcodes: {report.barcodes}", ""]
    lines += table_lines(report.rows)
    lines += ["", *(f"  {note}" for note in (*_LEGEND, *report.notes))]
    return "\n".join(lines)


# -- entry point ---------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--products", type=int, default=0, help="catalogue size (300000)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 20000 products, fewer samples"
    )
    parser.add_argument("--lookups", type=int, default=0, help="codes per lookup kind (5000)")
    parser.add_argument("--searches", type=int, default=0, help="queries per search kind (1000)")
    parser.add_argument("--receipts", type=int, default=0, help="receipts committed per side (300)")
    parser.add_argument("--pages", type=int, default=0, help="catalogue pages upserted (10)")
    parser.add_argument("--warmup", type=int, default=None, help="untimed warm-up iterations")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--dir", type=Path, default=None, help="parent of the temporary data dir")
    parser.add_argument("--profile", action="store_true", help="also print cProfile of our side")
    parser.add_argument("--quiet", action="store_true", help="do not print the report")
    return parser.parse_args(argv)


def run(args: argparse.Namespace, work_dir: Path) -> tuple[Report, str]:
    """Generate the data, measure every phase, return the report (and any profile)."""
    sizes = sizes_from(args)
    catalogue = make_catalogue(sizes.products, args.seed)
    raw = open_raw(work_dir / "raw.sqlite3")
    try:
        with open_terminal(work_dir / "terminal") as terminal:
            bench = Bench(terminal, raw, catalogue, sizes, args.seed, [], [])
            for phase in (phase_load, phase_lookups, phase_search, phase_pages, phase_commits):
                phase(bench)
            profile = profile_ours(bench, 15) if args.profile else ""
    finally:
        raw.close()
    report = Report(
        machine_info(work_dir),
        len(catalogue.products),
        len(catalogue.barcodes),
        tuple(bench.rows),
        tuple(bench.notes),
    )
    return report, profile


def main(argv: Sequence[str] | None = None) -> Report:
    """Run the benchmark in a fresh temporary directory and print the table."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ipos-bench-", dir=args.dir) as tmp:
        report, profile = run(args, Path(tmp))
    if not args.quiet:
        print(render(report))
        if profile:
            print("\n" + profile)
    return report


if __name__ == "__main__":
    main()
