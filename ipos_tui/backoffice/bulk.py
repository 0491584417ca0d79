"""Bulk product import: every row checked, then all written in one transaction or none.

Used by ``import-csv`` and by the benchmarks' 100k-product catalogue. Rows are checked
in two passes: the pure rules (name, PLU, VAT, barcodes, price) and repeats within the
file first, then, under the write lock, the rules that need the database (names and
barcodes of other products, units, raising a VAT letter). Any error aborts the whole
import with every bad row listed. Writes are plain ``executemany`` batches, never one ORM
save per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.feed import ChangeRecorder, executemany
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.backoffice.services.catalogue import (
    PRODUCT_KINDS,
    ProductInput,
    _ImportErrors,
    _vat_rank,
)
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.validation import (
    product_name_key,
    validate_barcodes,
    validate_plu,
    validate_product_name,
)
from ipos_tui.domain.vat import PTU_LETTERS

_CHUNK = 400


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _check_pure(items: Sequence[ProductInput], errors: _ImportErrors) -> list[ProductInput]:
    """Rules that need no database, and repeats within the file."""
    clean: list[ProductInput] = []
    first_plu: dict[str, int] = {}
    first_name: dict[str, int] = {}
    first_code: dict[str, int] = {}
    for item in items:
        try:
            item.name = validate_product_name(item.name)
            item.plu = validate_plu(item.plu)
            if item.vat not in PTU_LETTERS:  # the company's letters: checked with the database
                raise DomainError("err.vat_letter", letter=item.vat)
            if item.kind not in PRODUCT_KINDS:
                raise DomainError("err.product_kind_invalid", kind=item.kind)
            if item.barcodes is not None:
                item.barcodes = validate_barcodes(item.barcodes)
            if item.price is not None:
                BackOffice._check_price(item.price, item.open_price)
            _check_repeat(first_plu, item.plu, item.line, "err.plu_repeated", plu=item.plu)
            _check_repeat(first_name, product_name_key(item.name), item.line,
                          "err.name_repeated", name=item.name)
            for code in item.barcodes or ():
                _check_repeat(first_code, code, item.line, "err.barcode_repeated", code=code)
        except DomainError as exc:
            errors.add(item.line, exc)
            continue
        clean.append(item)
    return clean


def _check_repeat(seen: dict[str, int], key: str, line: int, error: str, **params: Any) -> None:
    if key in seen:
        raise DomainError(error, first_line=seen[key], **params)
    seen[key] = line


def import_products(office: BackOffice, items: Sequence[ProductInput],
                    price_list_id: int | None,
                    errors: _ImportErrors | None = None) -> dict[str, int]:
    """Create or update (by PLU) every product, or nothing if any row is bad.

    ``errors`` may already hold rows the caller could not read (they are reported
    together with the rest).
    """
    errors = errors or _ImportErrors()
    clean = _check_pure(list(items), errors)
    with office._writing() as changes:
        context = _DbContext.load(office.company_id, clean)
        if price_list_id is not None:
            office._price_list(price_list_id)
        for item in clean:
            try:
                context.check(item, price_list_id)
            except DomainError as exc:
                errors.add(item.line, exc)
        errors.raise_if_any()
        return _write(office.company_id, clean, context, price_list_id, changes)


class _DbContext:
    """What the database already holds for the imported PLUs, names and barcodes."""

    def __init__(self) -> None:
        self.by_plu: dict[str, m.Product] = {}
        self.name_owner: dict[str, str] = {}
        self.code_owner: dict[str, tuple[int, str]] = {}
        self.units: dict[str, int] = {}
        self.categories: dict[str, int] = {}
        self.vat_rates: dict[str, int | None] = {}

    @classmethod
    def load(cls, company_id: int, items: Sequence[ProductInput]) -> _DbContext:
        ctx = cls()
        p = m.Product
        for chunk in _chunks([i.plu for i in items]):
            for row in p.select().where((p.company == company_id) & p.plu.in_(list(chunk))):
                ctx.by_plu[row.plu] = row
        for chunk in _chunks([product_name_key(i.name) for i in items]):
            for key, plu in p.select(p.name_key, p.plu).where(
                (p.company == company_id) & p.name_key.in_(list(chunk))
            ).tuples():
                ctx.name_owner[key] = plu
        codes = [c for i in items for c in i.barcodes or ()]
        b = m.Barcode
        for chunk in _chunks(codes):
            for code, pid, plu in (b.select(b.code, b.product, p.plu).join(p)
                                   .where((b.company == company_id) & b.code.in_(list(chunk)))
                                   .tuples()):
                ctx.code_owner[code] = (pid, plu)
        ctx.units = {u.name: u.id for u in m.Unit.select().where(m.Unit.company == company_id)}
        ctx.vat_rates = {r.letter: r.rate for r in m.VatRate.select().where(m.VatRate.company == company_id)}
        ctx.categories = {c.name: c.id for c in
                          m.Category.select().where(m.Category.company == company_id)}
        return ctx

    def check(self, item: ProductInput, price_list_id: int | None) -> None:
        if item.unit not in self.units:
            raise DomainError("err.unit_unknown", name=item.unit)
        owner = self.name_owner.get(product_name_key(item.name))
        if owner is not None and owner != item.plu:
            raise DomainError("err.name_taken", name=item.name, plu=owner)
        for code in item.barcodes or ():
            code_owner = self.code_owner.get(code)
            if code_owner is not None and code_owner[1] != item.plu:
                raise DomainError("err.barcode_taken", code=code, plu=code_owner[1])
        if item.vat not in self.vat_rates:
            raise DomainError("err.vat_letter", letter=item.vat)
        existing = self.by_plu.get(item.plu)
        if existing is not None and _vat_rank(item.vat, self.vat_rates) > _vat_rank(existing.vat, self.vat_rates):
            raise DomainError("err.vat_raise", plu=item.plu, old=existing.vat, new=item.vat)
        if item.price is not None and price_list_id is None:
            raise DomainError("err.price_list_unknown", price_list=None)


def _write(company_id: int, items: list[ProductInput], ctx: _DbContext,
           price_list_id: int | None, changes: ChangeRecorder) -> dict[str, int]:
    for name in sorted({i.category for i in items if i.category} - set(ctx.categories)):
        ctx.categories[name] = m.Category.create(company=company_id, name=name).id
        changes.record("category", ctx.categories[name])
    new = [i for i in items if i.plu not in ctx.by_plu]
    updated = [i for i in items if i.plu in ctx.by_plu]
    ids = _insert_new(company_id, new, ctx)
    for item in updated:
        row = ctx.by_plu[item.plu]
        m.Product.update(_fields(item, ctx)).where(m.Product.id == row.id).execute()
        ids[item.plu] = row.id
    for item in items:
        changes.record("product", ids[item.plu])
    _write_barcodes(company_id, [i for i in items if i.barcodes is not None], ids, changes)
    if price_list_id is not None:
        rows = [(company_id, price_list_id, ids[i.plu], i.price)
                for i in items if i.price is not None]
        executemany("price", ("company_id", "price_list_id", "product_id", "price"), rows,
                    "ON CONFLICT (price_list_id, product_id) DO UPDATE SET price = excluded.price")
        for _, _, product_id, _ in rows:
            changes.record("price", product_id, price_list_id=price_list_id)
    return {"created": len(new), "updated": len(updated)}


def _fields(item: ProductInput, ctx: _DbContext) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": item.name, "name_key": product_name_key(item.name), "plu": item.plu,
        "vat": item.vat, "unit": ctx.units[item.unit], "kind": item.kind,
        "open_price": item.open_price,
    }
    if item.category is not None:
        fields["category"] = ctx.categories.get(item.category) if item.category else None
    return fields


def _insert_new(company_id: int, items: list[ProductInput], ctx: _DbContext) -> dict[str, int]:
    columns = ("company_id", "name", "name_key", "plu", "vat", "unit_id", "kind", "open_price",
               "active", "category_id")
    rows = []
    for item in items:
        fields = _fields(item, ctx)
        rows.append((company_id, fields["name"], fields["name_key"], fields["plu"],
                     fields["vat"], fields["unit"], fields["kind"], fields["open_price"], True,
                     fields.get("category")))
    executemany("product", columns, rows)
    ids: dict[str, int] = {}
    p = m.Product
    for chunk in _chunks([i.plu for i in items]):
        for pid, plu in p.select(p.id, p.plu).where(
            (p.company == company_id) & p.plu.in_(list(chunk))
        ).tuples():
            ids[plu] = pid
    return ids


def _write_barcodes(company_id: int, items: list[ProductInput], ids: dict[str, int],
                    changes: ChangeRecorder) -> None:
    b = m.Barcode
    wanted = {ids[i.plu]: set(i.barcodes or ()) for i in items}
    have: dict[int, dict[str, int]] = {}
    for chunk in _chunks(list(wanted)):
        for bid, pid, code in b.select(b.id, b.product, b.code).where(
            b.product.in_(list(chunk))
        ).tuples():
            have.setdefault(pid, {})[code] = bid
    doomed = [bid for pid, codes in have.items() for code, bid in codes.items()
              if code not in wanted[pid]]
    for chunk in _chunks(doomed):
        b.delete().where(b.id.in_(list(chunk))).execute()
    for bid in doomed:
        changes.record("barcode", bid, "delete")
    rows = [(company_id, pid, code)
            for pid, codes in wanted.items() for code in sorted(codes)
            if code not in have.get(pid, {})]
    executemany("barcode", ("company_id", "product_id", "code"), rows)
    new_codes = [code for _, _, code in rows]
    for chunk in _chunks(new_codes):
        for (bid,) in b.select(b.id).where(
            (b.company == company_id) & b.code.in_(list(chunk))
        ).tuples():
            changes.record("barcode", bid)
