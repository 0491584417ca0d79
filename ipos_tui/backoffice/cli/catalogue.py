"""The catalogue: products, their prices, categories, units, payment methods,
discounts, and the products' CSV import and export."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ipos_tui.backoffice.services import BackOffice
from ipos_tui.domain.money import format_percent_bp, parse_percent
from ipos_tui.i18n import t
from ipos_tui.i18n.cli import whole_number

from .commands import Arg, arg, command, one_of, yes
from .inputs import CliError, check_price_jump, confirmed, flag, price_list_for, zloty
from .output import change_text, emit, money, print_table, says, table

VAT_LETTERS = ["A", "B", "C", "D", "E"]
PAYMENT_KINDS = ["cash", "card", "voucher", "transfer", "other"]


def _deposit(args: argparse.Namespace, default: int | None) -> int | None:
    return zloty(args.deposit, "deposit") if args.deposit is not None else default


def _add_product(office: BackOffice, args: argparse.Namespace) -> Any:
    prices: dict[int, int] = {}
    if args.price is not None:
        prices[price_list_for(office, args.list)] = zloty(args.price)
    product_id = office.add_product(
        args.name, args.plu, args.vat, unit=args.unit, category_id=args.category,
        kind=args.kind, open_price=args.open_price, barcodes=args.barcode or [], prices=prices,
        deposit=_deposit(args, 0))
    return office.get_product(product_id)


def _update_product(office: BackOffice, args: argparse.Namespace) -> Any:
    product_id = office.product_by_plu(args.plu)
    category: Any = ...
    if args.category is not None:
        text = args.category.strip().lower()
        if text in ("none", "brak"):
            category = None
        elif text.isdigit():
            category = int(text)
        else:
            raise CliError(t("cli.bo.category_invalid", value=args.category))
    # a bad or unconfirmed price is refused before anything of the product changes
    price = zloty(args.price) if args.price is not None else None
    list_id = price_list_for(office, args.list) if price is not None else None
    if price is not None and list_id is not None:
        check_price_jump(office, args, list_id, product_id, args.plu, price)
    barcodes = [] if args.no_barcodes else args.barcode
    office.update_product(
        product_id, name=args.name, plu=args.new_plu, vat=args.vat, unit=args.unit,
        category_id=category, kind=args.kind, open_price=flag(args, "open_price", "fixed_price"),
        active=flag(args, "active", "inactive"), barcodes=barcodes, deposit=_deposit(args, None))
    if price is not None and list_id is not None:
        office.set_price(list_id, product_id, price)  # the jump was asked about above
    return office.get_product(product_id)


def _delete_product(office: BackOffice, args: argparse.Namespace) -> Any:
    office.delete_product(office.product_by_plu(args.plu))
    return {"plu": args.plu, "deleted": True}


def _print_products(rows: list[dict[str, Any]]) -> None:
    print_table([{**r, "prices": {k: money(v) for k, v in r["prices"].items()}} for r in rows],
                ["plu", "name", "vat", "unit", "kind", "barcodes", "prices", "active"])


def _set_price(office: BackOffice, args: argparse.Namespace) -> Any:
    list_id = price_list_for(office, args.list)
    grosze = zloty(args.price)
    product_id = office.product_by_plu(args.plu)
    check_price_jump(office, args, list_id, product_id, args.plu, grosze)
    office.set_price(list_id, product_id, grosze)  # the jump was asked about above
    return {"plu": args.plu, "price_list_id": list_id, "price": grosze}


def _remove_price(office: BackOffice, args: argparse.Namespace) -> Any:
    list_id = price_list_for(office, args.list)
    office.remove_price(list_id, office.product_by_plu(args.plu))
    return {"plu": args.plu, "price_list_id": list_id, "removed": True}


def _update_category(office: BackOffice, args: argparse.Namespace) -> Any:
    parent: Any = ...
    if args.no_parent:
        parent = None
    elif args.parent is not None:
        parent = args.parent
    office.update_category(args.category_id, name=args.name, parent_id=parent)
    return next(c for c in office.list_categories() if c["id"] == args.category_id)


def _delete_category(office: BackOffice, args: argparse.Namespace) -> Any:
    office.delete_category(args.category_id)
    return {"category_id": args.category_id, "deleted": True}


def _rename_unit(office: BackOffice, args: argparse.Namespace) -> Any:
    office.rename_unit(args.unit, args.new_name)
    return {"unit": args.unit, "name": args.new_name.strip()}


def _add_payment_method(office: BackOffice, args: argparse.Namespace) -> Any:
    office.add_payment_method(args.code, args.name, args.kind, gives_change=args.gives_change,
                              opens_drawer=args.opens_drawer, position=args.position)
    return office.list_payment_methods()


def _update_payment_method(office: BackOffice, args: argparse.Namespace) -> Any:
    office.update_payment_method(
        args.code, name=args.name, kind=args.kind,
        gives_change=flag(args, "gives_change", "no_change"),
        opens_drawer=flag(args, "opens_drawer", "no_drawer"), position=args.position,
        active=flag(args, "active", "inactive"))
    return office.list_payment_methods()


_PAYMENT_TABLE = table("code", "name", "kind", "gives_change", "opens_drawer", "position", "active")


def _add_discount(office: BackOffice, args: argparse.Namespace) -> Any:
    if args.percent is not None:
        kind, value = "percent", parse_percent(args.percent)
    else:
        kind, value = "amount", zloty(args.amount, "amount")
    return {"discount_id": office.add_discount(args.name, kind, value, args.scope)}


def _delete_discount(office: BackOffice, args: argparse.Namespace) -> Any:
    office.delete_discount(args.discount_id)
    return {"discount_id": args.discount_id, "deleted": True}


def _print_discounts(rows: list[dict[str, Any]]) -> None:
    print_table([{**r, "value": format_percent_bp(r["value"]).replace("\u00a0", " ")
                  if r["kind"] == "percent" else money(r["value"]) + " zł"} for r in rows],
                ["id", "name", "kind", "value", "scope", "active"])


def import_csv(office: BackOffice, args: argparse.Namespace) -> Any:
    from ipos_tui.backoffice.csvio import PriceJump, decode_csv, import_products_csv

    text = decode_csv(sys.stdin.buffer.read() if args.file == "-" else
                      Path(args.file).read_bytes())
    list_id = price_list_for(office, args.list)

    def confirm(jumps: list[PriceJump]) -> None:
        rows = "\n".join(t("cli.bo.import_jump_row", line=j.line, plu=j.plu,
                           change=change_text(j.old, j.new)) for j in jumps)
        confirmed(args, t("cli.bo.import_jump_question", n=len(jumps), list=list_id, rows=rows),
                  "cli.err.import_price_jump", n=len(jumps), list=list_id, rows=rows)

    result = import_products_csv(office, text, list_id, confirm_jumps=confirm)
    emit(args, result, says("cli.bo.imported", created="created", updated="updated"))
    return result


def export_csv(office: BackOffice, args: argparse.Namespace) -> Any:
    from ipos_tui.backoffice.csvio import export_products_csv

    text = export_products_csv(office, price_list_for(office, args.list))
    if args.file == "-":
        sys.stdout.write(text)
        return None
    Path(args.file).write_text(text, encoding="utf-8")
    result = {"file": args.file, "rows": text.count("\n") - 1}
    emit(args, result, says("cli.bo.exported", rows="rows", file="file"))
    return result


def _plu() -> Arg:
    return arg("plu", mv="plu", help="plu")


def _list(help_key: str = "list_of_price") -> Arg:
    return arg("--list", type=whole_number, default=None, help=help_key)


def _category_id() -> Arg:
    return arg("category_id", mv="category", type=whole_number, help="category_id")


def _active() -> Any:
    return one_of(arg("--active", action="store_true", help="active"),
                  arg("--inactive", action="store_true", help="inactive"))


COMMANDS = (
    command("product", "add", help="product_add", call=_add_product,
            show=says("cli.bo.product_added", plu="plu", name="name"), args=(
                arg("--name", required=True, help="product_name"),
                arg("--plu", required=True, help="plu"),
                arg("--vat", required=True, choices=VAT_LETTERS, help="vat"),
                arg("--unit", default="szt.", help="unit"),
                arg("--category", type=whole_number, default=None, help="category_id"),
                arg("--kind", choices=["good", "service"], default="good", help="kind"),
                arg("--open-price", action="store_true", help="open_price"),
                arg("--deposit", help="deposit"),
                arg("--barcode", action="append", help="barcode"),
                arg("--price", help="price"),
                _list())),
    command("product", "update", help="product_update", call=_update_product,
            show=says("cli.bo.product_updated", plu="plu"), args=(
                _plu(),
                arg("--name", help="product_name"),
                arg("--new-plu", help="new_plu"),
                arg("--vat", choices=VAT_LETTERS, help="vat"),
                arg("--unit", help="unit"),
                arg("--category", help="category_or_none"),
                arg("--kind", choices=["good", "service"], help="kind"),
                arg("--deposit", help="deposit"),
                one_of(arg("--open-price", action="store_true", help="open_price"),
                       arg("--fixed-price", action="store_true", help="fixed_price")),
                _active(),
                one_of(arg("--barcode", action="append", help="barcode_replace"),
                       arg("--no-barcodes", action="store_true", help="no_barcodes")),
                arg("--price", help="price"),
                _list(),
                yes())),
    command("product", "delete", help="product_delete", call=_delete_product,
            show=says("cli.bo.product_deleted", plu="plu"), args=(_plu(),)),
    command("product", "list", help="product_list", show=_print_products,
            call=lambda office, args: office.list_products(args.search, args.limit),
            args=(arg("--search", help="search"),
                  arg("--limit", type=whole_number, default=None, help="limit"))),

    command("price", "set", help="price_set", call=_set_price,
            show=says("cli.bo.price_set", plu="plu", list="price_list_id",
                      price=lambda r: money(r["price"])),
            args=(arg("--plu", required=True, help="plu"),
                  arg("--price", required=True, help="price"),
                  _list(), yes())),
    command("price", "remove", help="price_remove", call=_remove_price,
            show=says("cli.bo.price_removed", plu="plu", list="price_list_id"),
            args=(arg("--plu", required=True, help="plu"), _list())),

    command("category", "add", help="category_add",
            call=lambda office, args: {"category_id": office.add_category(args.name, args.parent)},
            show=says("cli.bo.category_added", category="category_id"),
            args=(arg("name", mv="name", help="category_name"),
                  arg("--parent", type=whole_number, default=None, help="parent"))),
    command("category", "list", help="category_list", show=table("id", "name", "parent_id"),
            call=lambda office, args: office.list_categories()),
    command("category", "update", help="category_update", call=_update_category,
            show=says("cli.bo.category_updated", category="id"),
            args=(_category_id(),
                  arg("--name", default=None, help="category_name"),
                  one_of(arg("--parent", type=whole_number, default=None, help="parent"),
                         arg("--no-parent", action="store_true", help="no_parent")))),
    command("category", "delete", help="category_delete", call=_delete_category,
            show=says("cli.bo.category_deleted", category="category_id"), args=(_category_id(),)),

    command("unit", "add", help="unit_add",
            call=lambda office, args: {"unit_id": office.add_unit(args.name, args.precision),
                                       "name": args.name.strip()},
            show=says("cli.bo.unit_added", name="name"),
            args=(arg("name", mv="name", help="unit_name"),
                  arg("--precision", type=int, choices=[0, 1, 2, 3], default=0,
                      help="unit_precision"))),
    command("unit", "rename", help="unit_rename", call=_rename_unit,
            show=says("cli.bo.unit_renamed", old="unit", name="name"),
            args=(arg("unit", mv="unit", help="unit_old"),
                  arg("new_name", mv="name", help="unit_name"))),
    command("unit", "list", help="unit_list", show=table("id", "name", "precision", "builtin"),
            call=lambda office, args: office.list_units()),

    command("payment-method", "add", help="payment_add", call=_add_payment_method,
            show=_PAYMENT_TABLE, args=(
                arg("code", mv="code", help="payment_code"),
                arg("--name", required=True, help="payment_name"),
                arg("--kind", choices=PAYMENT_KINDS, default="other", help="payment_kind"),
                arg("--gives-change", action="store_true", help="gives_change"),
                arg("--opens-drawer", action="store_true", help="opens_drawer"),
                arg("--position", type=whole_number, default=0, help="position"))),
    command("payment-method", "update", help="payment_update", call=_update_payment_method,
            show=_PAYMENT_TABLE, args=(
                arg("code", mv="code", help="payment_code"),
                arg("--name", help="payment_name"),
                arg("--kind", choices=PAYMENT_KINDS, help="payment_kind"),
                arg("--position", type=whole_number, help="position"),
                *(one_of(arg(on, action="store_true", help=base),
                         arg(off, action="store_true", help=f"not_{base}"))
                  for on, off, base in (("--gives-change", "--no-change", "gives_change"),
                                        ("--opens-drawer", "--no-drawer", "opens_drawer"),
                                        ("--active", "--inactive", "active"))))),
    command("payment-method", "list", help="payment_list", show=_PAYMENT_TABLE,
            call=lambda office, args: office.list_payment_methods()),

    command("discount", "add", help="discount_add", call=_add_discount,
            show=says("cli.bo.discount_added", discount="discount_id"), args=(
                arg("--name", required=True, help="discount_name"),
                one_of(arg("--percent", help="percent"), arg("--amount", help="amount"),
                       required=True),
                arg("--scope", choices=["line", "receipt"], default="line", help="scope"))),
    command("discount", "delete", help="discount_delete", call=_delete_discount,
            show=says("cli.bo.discount_deleted", discount="discount_id"),
            args=(arg("discount_id", mv="discount_id", type=whole_number, help="discount_id"),)),
    command("discount", "list", help="discount_list", show=_print_discounts,
            call=lambda office, args: office.list_discounts()),

    command("import-csv", help="import_csv", handler=import_csv, epilog="import_csv_epilog",
            args=(arg("file", mv="file", help="csv_in"), _list("csv_list"), yes())),
    command("export-csv", help="export_csv", handler=export_csv,
            args=(arg("file", mv="file", help="csv_out"), _list("csv_list"))),
)

GROUPS = {
    ("product",): "product",
    ("price",): "price_group",
    ("category",): "category",
    ("unit",): "unit_group",
    ("payment-method",): "payment",
    ("discount",): "discount",
}
