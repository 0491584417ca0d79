"""``ipos-backoffice``: the admin command line of the back office.

Every command goes through the same service layer as the HTTP API, so a command run
beside a serving back office is just another writer under the database lock.
``--db URL`` and ``--json`` are accepted before or after the subcommand. Exit codes:
0 done, 1 a rule refused the input (the message key is printed), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ipos_tui.backoffice import ingest
from ipos_tui.backoffice.db import open_database
from ipos_tui.backoffice.security import group_code, load_pepper
from ipos_tui.backoffice.service import PERMISSIONS, ROLES, SETTINGS, BackOffice
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import format_money, parse_money, parse_percent

Handler = Callable[[BackOffice, argparse.Namespace], Any]


class CliError(Exception):
    """Bad usage found after parsing (exit code 2)."""


# ------------------------------------------------------------------ output


def _print_table(rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    """A plain aligned table (ASCII, fits a terminal)."""
    if not rows:
        print("(none)")
        return
    cells = [[_cell(row.get(col)) for col in columns] for row in rows]
    widths = [max(len(col), *(len(r[i]) for r in cells)) for i, col in enumerate(columns)]
    print("  ".join(col.ljust(w) for col, w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return " ".join(f"{k}={_cell(v)}" for k, v in value.items())
    return str(value)


def _emit(args: argparse.Namespace, result: Any, text: Callable[[Any], None]) -> None:
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    else:
        text(result)


def _money(grosze: int | None) -> str:
    return "-" if grosze is None else format_money(grosze, symbol=False).replace("\u00a0", " ")


# ------------------------------------------------------------------ helpers


def _price_list_for(office: BackOffice, list_id: int | None) -> int:
    """The given list, or the only one there is."""
    if list_id is not None:
        return list_id
    lists = office.list_price_lists()
    if len(lists) != 1:
        raise CliError("several price lists exist: choose one with --list ID")
    return int(lists[0]["id"])


def _flag(args: argparse.Namespace, yes: str, no: str) -> bool | None:
    if getattr(args, yes, False):
        return True
    if getattr(args, no, False):
        return False
    return None


# ------------------------------------------------------------- init, serve


def cmd_init(office: BackOffice, args: argparse.Namespace) -> Any:
    applied = office.init_schema()
    had_company = office.has_company()
    if not had_company and not args.demo:  # the demo brings its own company
        office.create_company(args.company, nip=args.nip)
    result: dict[str, Any] = {"migrations_applied": applied}
    if args.demo:
        from ipos_tui.backoffice.demo import seed_demo

        result["demo"] = seed_demo(office)
    result["company_created"] = not had_company
    _emit(args, result, lambda r: print(
        f"Schema ready (migrations applied: {r['migrations_applied'] or 'none'})."
        + (f"\nDemo shop: {r['demo']}" if "demo" in r else "")))
    return result


def cmd_serve(office: BackOffice, args: argparse.Namespace) -> Any:
    import uvicorn

    from ipos_tui.backoffice.api import create_app

    office.init_schema()
    if not office.has_company():
        office.create_company(args.company)
    app = create_app(office, max_body=args.max_body, releases_dir=args.releases_dir)
    # no Server/Date headers: terminals on GSM pay for every byte of every answer
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level,
                server_header=False, date_header=False)
    return None


def cmd_company_get(office: BackOffice, args: argparse.Namespace) -> Any:
    result = office.get_company()
    _emit(args, result, lambda r: [print(f"{k} = {_cell(v)}") for k, v in r.items()])
    return result


def cmd_company_set(office: BackOffice, args: argparse.Namespace) -> Any:
    office.update_company(args.name, args.nip, args.address)
    return cmd_company_get(office, args)


# ---------------------------------------------------------------- terminals


def cmd_terminal_add(office: BackOffice, args: argparse.Namespace) -> Any:
    terminal_id, code = office.add_terminal(args.store, args.name,
                                            timedelta(hours=args.ttl_hours))
    result = {"terminal_id": terminal_id, "store_id": args.store, "code": code,
              "expires_in_hours": args.ttl_hours}
    _emit(args, result, lambda r: print(
        f"Terminal {r['terminal_id']} (store {r['store_id']}): activation code "
        f"{group_code(r['code'])} "
        f"(one-time, valid {r['expires_in_hours']} h)"))
    return result


def cmd_terminal_code(office: BackOffice, args: argparse.Namespace) -> Any:
    code = office.new_activation_code(args.terminal_id, timedelta(hours=args.ttl_hours))
    result = {"terminal_id": args.terminal_id, "code": code}
    _emit(args, result, lambda r: print(
        f"Re-activation code for terminal {r['terminal_id']}: {group_code(r['code'])}"))
    return result


def cmd_terminal_list(office: BackOffice, args: argparse.Namespace) -> Any:
    rows = office.list_terminals()

    def text(rows: list[dict[str, Any]]) -> None:
        flat = [{**r, "last_pull": {k: v["at"] for k, v in r["last_pull"].items()}} for r in rows]
        _print_table(flat, ["id", "store_id", "name", "status", "last_seen", "app_version",
                            "pending_count", "last_pull"])

    _emit(args, rows, text)
    return rows


def cmd_terminal_revoke(office: BackOffice, args: argparse.Namespace) -> Any:
    office.revoke_terminal(args.terminal_id)
    result = {"terminal_id": args.terminal_id, "status": "revoked"}
    _emit(args, result, lambda r: print(f"Terminal {r['terminal_id']} revoked."))
    return result


# ------------------------------------------------------ stores, price lists


def cmd_store_add(office: BackOffice, args: argparse.Namespace) -> Any:
    store_id = office.add_store(args.name, args.address, args.list)
    result = {"store_id": store_id}
    _emit(args, result, lambda r: print(f"Store {r['store_id']} added."))
    return result


def cmd_store_list(office: BackOffice, args: argparse.Namespace) -> Any:
    rows = office.list_stores()
    _emit(args, rows, lambda r: _print_table(r, ["id", "name", "address", "price_list_id"]))
    return rows


def cmd_pricelist_add(office: BackOffice, args: argparse.Namespace) -> Any:
    result = {"price_list_id": office.add_price_list(args.name)}
    _emit(args, result, lambda r: print(f"Price list {r['price_list_id']} added."))
    return result


def cmd_pricelist_list(office: BackOffice, args: argparse.Namespace) -> Any:
    rows = office.list_price_lists()
    _emit(args, rows, lambda r: _print_table(r, ["id", "name"]))
    return rows


def cmd_pricelist_assign(office: BackOffice, args: argparse.Namespace) -> Any:
    office.assign_price_list(args.store, args.list_id)
    result = {"store_id": args.store, "price_list_id": args.list_id}
    _emit(args, result, lambda r: print(
        f"Store {r['store_id']} now sells from price list {r['price_list_id']}."))
    return result


# ----------------------------------------------------------------- products


def cmd_product_add(office: BackOffice, args: argparse.Namespace) -> Any:
    prices: dict[int, int] = {}
    if args.price is not None:
        prices[_price_list_for(office, args.list)] = parse_money(args.price)
    product_id = office.add_product(
        args.name, args.plu, args.vat, unit=args.unit, category_id=args.category,
        kind=args.kind, open_price=args.open_price, barcodes=args.barcode or [], prices=prices)
    result = office.get_product(product_id)
    _emit(args, result, lambda r: print(f"Product {r['plu']} \"{r['name']}\" added."))
    return result


def cmd_product_update(office: BackOffice, args: argparse.Namespace) -> Any:
    product_id = office.product_by_plu(args.plu)
    category: Any = ...
    if args.category is not None:
        category = None if args.category.lower() == "none" else int(args.category)
    barcodes = [] if args.no_barcodes else args.barcode
    office.update_product(
        product_id, name=args.name, plu=args.new_plu, vat=args.vat, unit=args.unit,
        category_id=category, kind=args.kind, open_price=_flag(args, "open_price", "fixed_price"),
        active=_flag(args, "active", "inactive"), barcodes=barcodes)
    if args.price is not None:
        office.set_price(_price_list_for(office, args.list), product_id, parse_money(args.price))
    result = office.get_product(product_id)
    _emit(args, result, lambda r: print(f"Product {r['plu']} updated."))
    return result


def cmd_product_delete(office: BackOffice, args: argparse.Namespace) -> Any:
    office.delete_product(office.product_by_plu(args.plu))
    result = {"plu": args.plu, "deleted": True}
    _emit(args, result, lambda r: print(f"Product {r['plu']} deleted."))
    return result


def cmd_product_list(office: BackOffice, args: argparse.Namespace) -> Any:
    rows = office.list_products(args.search, args.limit)

    def text(rows: list[dict[str, Any]]) -> None:
        _print_table([{**r, "prices": {k: _money(v) for k, v in r["prices"].items()}}
                      for r in rows],
                     ["plu", "name", "vat", "unit", "kind", "barcodes", "prices", "active"])

    _emit(args, rows, text)
    return rows


def cmd_price_set(office: BackOffice, args: argparse.Namespace) -> Any:
    list_id = _price_list_for(office, args.list)
    grosze = parse_money(args.price)
    office.set_price(list_id, office.product_by_plu(args.plu), grosze)
    result = {"plu": args.plu, "price_list_id": list_id, "price": grosze}
    _emit(args, result, lambda r: print(
        f"Price of {r['plu']} in list {r['price_list_id']}: {_money(r['price'])} zł"))
    return result


def cmd_price_remove(office: BackOffice, args: argparse.Namespace) -> Any:
    list_id = _price_list_for(office, args.list)
    office.remove_price(list_id, office.product_by_plu(args.plu))
    result = {"plu": args.plu, "price_list_id": list_id, "removed": True}
    _emit(args, result, lambda r: print(f"Price of {r['plu']} removed from list {list_id}."))
    return result


def cmd_category_add(office: BackOffice, args: argparse.Namespace) -> Any:
    result = {"category_id": office.add_category(args.name, args.parent)}
    _emit(args, result, lambda r: print(f"Category {r['category_id']} added."))
    return result


def cmd_category_list(office: BackOffice, args: argparse.Namespace) -> Any:
    rows = office.list_categories()
    _emit(args, rows, lambda r: _print_table(r, ["id", "name", "parent_id"]))
    return rows


def cmd_payment_add(office: BackOffice, args: argparse.Namespace) -> Any:
    office.add_payment_method(args.code, args.name, args.kind, gives_change=args.gives_change,
                              opens_drawer=args.opens_drawer, position=args.position)
    return cmd_payment_list(office, args)


def cmd_payment_update(office: BackOffice, args: argparse.Namespace) -> Any:
    office.update_payment_method(
        args.code, name=args.name, kind=args.kind,
        gives_change=_flag(args, "gives_change", "no_change"),
        opens_drawer=_flag(args, "opens_drawer", "no_drawer"), position=args.position,
        active=_flag(args, "active", "inactive"))
    return cmd_payment_list(office, args)


def cmd_payment_list(office: BackOffice, args: argparse.Namespace) -> Any:
    rows = office.list_payment_methods()
    _emit(args, rows, lambda r: _print_table(
        r, ["code", "name", "kind", "gives_change", "opens_drawer", "position", "active"]))
    return rows


def cmd_discount_add(office: BackOffice, args: argparse.Namespace) -> Any:
    if args.percent is not None:
        kind, value = "percent", parse_percent(args.percent)
    else:
        kind, value = "amount", parse_money(args.amount)
    result = {"discount_id": office.add_discount(args.name, kind, value, args.scope)}
    _emit(args, result, lambda r: print(f"Discount {r['discount_id']} added."))
    return result


def cmd_discount_delete(office: BackOffice, args: argparse.Namespace) -> Any:
    office.delete_discount(args.discount_id)
    result = {"discount_id": args.discount_id, "deleted": True}
    _emit(args, result, lambda r: print(f"Discount {r['discount_id']} deleted."))
    return result


def cmd_discount_list(office: BackOffice, args: argparse.Namespace) -> Any:
    rows = office.list_discounts()
    _emit(args, rows, lambda r: _print_table(r, ["id", "name", "kind", "value", "scope",
                                                 "active"]))
    return rows


# -------------------------------------------------------------------- users


def _permissions(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [p.strip() for p in text.split(",") if p.strip()]


def cmd_user_add(office: BackOffice, args: argparse.Namespace) -> Any:
    user_id = office.add_user(args.identifier, args.name, args.pin, args.role,
                              _permissions(args.permissions) or [])
    result = {"user_id": user_id, "identifier": args.identifier}
    _emit(args, result, lambda r: print(f"User {r['identifier']} added."))
    return result


def cmd_user_update(office: BackOffice, args: argparse.Namespace) -> Any:
    office.update_user(args.identifier, name=args.name, pin=args.pin, role=args.role,
                       permissions=_permissions(args.permissions),
                       active=_flag(args, "active", "inactive"))
    result = {"identifier": args.identifier, "updated": True}
    _emit(args, result, lambda r: print(f"User {r['identifier']} updated."))
    return result


def cmd_user_deactivate(office: BackOffice, args: argparse.Namespace) -> Any:
    office.deactivate_user(args.identifier)
    result = {"identifier": args.identifier, "active": False}
    _emit(args, result, lambda r: print(f"User {r['identifier']} deactivated."))
    return result


def cmd_user_list(office: BackOffice, args: argparse.Namespace) -> Any:
    rows = office.list_users()
    _emit(args, rows, lambda r: _print_table(
        r, ["identifier", "name", "role", "permissions", "active"]))
    return rows


# ----------------------------------------------------------------- settings


def cmd_settings_get(office: BackOffice, args: argparse.Namespace) -> Any:
    values = office.get_settings()
    if args.key is not None:
        if args.key not in values:
            raise DomainError("err.setting_unknown", setting=args.key)
        values = {args.key: values[args.key]}
    _emit(args, values, lambda r: [print(f"{k} = {_cell(v)}") for k, v in r.items()])
    return values


def cmd_settings_set(office: BackOffice, args: argparse.Namespace) -> Any:
    office.set_setting(args.key, office.parse_setting(args.key, args.value))
    result = {args.key: office.get_settings()[args.key]}
    _emit(args, result, lambda r: [print(f"{k} = {_cell(v)}") for k, v in r.items()])
    return result


# ------------------------------------------------------------------ CSV


def cmd_import_csv(office: BackOffice, args: argparse.Namespace) -> Any:
    from ipos_tui.backoffice.csvio import import_products_csv

    text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(
        encoding="utf-8-sig")
    result = import_products_csv(office, text, _price_list_for(office, args.list))
    _emit(args, result, lambda r: print(
        f"Imported {r['created']} new and {r['updated']} changed products."))
    return result


def cmd_export_csv(office: BackOffice, args: argparse.Namespace) -> Any:
    from ipos_tui.backoffice.csvio import export_products_csv

    text = export_products_csv(office, _price_list_for(office, args.list))
    if args.file == "-":
        sys.stdout.write(text)
        return None
    Path(args.file).write_text(text, encoding="utf-8")
    result = {"file": args.file, "rows": text.count("\n") - 1}
    _emit(args, result, lambda r: print(f"Exported {r['rows']} products to {r['file']}."))
    return result


# ------------------------------------------------------- transactions, report


def cmd_transactions_list(office: BackOffice, args: argparse.Namespace) -> Any:
    rows = ingest.list_transactions(office, store_id=args.store, terminal_id=args.terminal,
                                    day=args.day, doc_type=args.type, kind=args.kind,
                                    buyer_nip=args.nip, limit=args.limit)
    _emit(args, rows, lambda r: _print_table(
        [{**x, "total": _money(x["total"]), "original": _original(x)} for x in r],
        ["id", "type", "kind", "terminal_id", "number", "store_id", "created_at", "total",
         "cashier", "buyer_nip", "original", "warnings"]))
    return rows


def _original(row: dict[str, Any]) -> str:
    """The receipt a return gives goods back to, as printed on it ("K3-000012")."""
    if row.get("original_number") is None:
        return ""
    return f"K{row['original_terminal_id']}-{row['original_number']:06d}"


def cmd_quarantine_list(office: BackOffice, args: argparse.Namespace) -> Any:
    rows = ingest.list_quarantine(office, include_released=args.all)
    _emit(args, rows, lambda r: _print_table(
        r, ["id", "terminal_id", "uuid", "reason", "received_at", "released_at"]))
    return rows


def cmd_quarantine_release(office: BackOffice, args: argparse.Namespace) -> Any:
    result = ingest.release_quarantine(office, args.quarantine_id)
    _emit(args, result, lambda r: print(
        f"Quarantined item {r['id']} released: {r['status']} (transaction {r['transaction_id']})."))
    return result


def cmd_report_sales(office: BackOffice, args: argparse.Namespace) -> Any:
    result = ingest.sales_report(office, args.day, args.store)

    def text(r: dict[str, Any]) -> None:
        print(f"Sales {r['day']}" + (f", store {r['store_id']}" if r["store_id"] else ""))
        print(f"  receipts: {r['receipts']}  total {_money(r['receipts_total'])} zł")
        print(f"  returns:  {r['returns']}  total {_money(r['returns_total'])} zł")
        print(f"  net sales: {_money(r['net_sales'])} zł")
        for letter, v in r["vat"].items():
            print(f"  VAT {letter}: gross {_money(v['gross'])}  VAT {_money(v['vat'])}  "
                  f"net {_money(v['net'])}")
        for method, amount in r["payments"].items():
            print(f"  paid by {method}: {_money(amount)} zł")
        print(f"  cash in: {_money(r['cash_in'])}  cash out: {_money(r['cash_out'])}")
        for close in r["shift_closes"]:
            print(f"  {_shift_close(close)}")
        for report in r["daily_reports"]:
            print(f"  daily report {report['number']} of terminal {report['terminal_id']}: "
                  f"{report['receipts']} receipts, net {_money(report['total'])} zł")

    _emit(args, result, text)
    return result


def _shift_close(close: dict[str, Any]) -> str:
    """One shift close of ``report sales``: expected and counted cash, the difference."""
    head = (f"shift close {close['number']} of terminal {close['terminal_id']}"
            f" ({close['cashier'] or '-'}): expected {_money(close['expected'])} zł")
    if close["counted"] is None:
        return head + ", not counted"
    difference = close["difference"]
    word = "surplus" if difference > 0 else "shortage" if difference < 0 else "exact"
    return (head + f", counted {_money(close['counted'])} zł, {word}"
            + (f" {_money(abs(difference))} zł" if difference else ""))


def cmd_tombstones_purge(office: BackOffice, args: argparse.Namespace) -> Any:
    result = {"purged": office.purge_tombstones(timedelta(days=args.older_than_days))}
    _emit(args, result, lambda r: print(f"Purged {r['purged']} tombstones."))
    return result


# ------------------------------------------------------------------ releases


def _release_store(office: BackOffice, args: argparse.Namespace) -> Any:
    from ipos_tui.backoffice.releases import ReleaseStore, default_releases_dir

    return ReleaseStore(args.releases_dir or default_releases_dir(office.db))


def cmd_release_keygen(office: BackOffice, args: argparse.Namespace) -> Any:
    from ipos_tui.backoffice.releases import keygen

    result = keygen(args.out, args.name)
    _emit(args, result, lambda r: print(
        f"Signing key {r['key_id']}: {r['private_key']} (private, mode 0600: keep it off the "
        f"server, back it up)\nPublic key: {r['public_key']} (on each terminal: "
        f"ipos-tui trust-key {r['public_key']})"))
    return result


def cmd_release_publish(office: BackOffice, args: argparse.Namespace) -> Any:
    from ipos_tui.backoffice.releases import publish

    pip_args = [*(f"--find-links={d}" for d in args.find_links or ()), *(args.pip_arg or ())]
    result = publish(_release_store(office, args), args.wheel, args.key, channel=args.channel,
                     expires_days=args.expires_days, wheelhouse_from=args.wheelhouse_from,
                     no_deps=args.no_deps, pip_args=pip_args)
    meta = result["metadata"]
    _emit(args, result, lambda r: print(
        f"Published {meta['version']} on {meta['channel']}: {len(r['wheels'])} wheels, "
        f"{meta['size']} bytes, sha256 {meta['sha256']}, expires {meta['expires']} "
        f"(key {r['key_id']})."))
    return result


def cmd_release_list(office: BackOffice, args: argparse.Namespace) -> Any:
    rows = _release_store(office, args).list()
    _emit(args, rows, lambda r: _print_table(
        r, ["channel", "version", "latest", "size", "published", "expires", "key_id", "file"]))
    return rows


# ------------------------------------------------------------------ parser


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from exc


def _common() -> argparse.ArgumentParser:
    """Options valid both before and after the subcommand."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, metavar="URL",
                        help="sqlite:///path or postgresql://… (default: SQLite file in the "
                        "user data directory)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="machine-readable output")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="log what happens to stderr")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(prog="ipos-backoffice", parents=[common],
                                     description="iPOS back office: sync server and admin.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(parent: Any, name: str, handler: Handler, help_: str) -> argparse.ArgumentParser:
        p = parent.add_parser(name, parents=[common], help=help_, description=help_)
        p.set_defaults(handler=handler)
        return p

    def group(name: str, help_: str) -> Any:
        p = sub.add_parser(name, help=help_, description=help_)
        return p.add_subparsers(dest=f"{name}_command", required=True, metavar="ACTION")

    p = command(sub, "init", cmd_init, "create/upgrade the schema; --demo seeds a demo shop")
    p.add_argument("--demo", action="store_true")
    p.add_argument("--company", default="Moja Firma")
    p.add_argument("--nip", default=None)

    p = command(sub, "serve", cmd_serve, "serve the sync API (OpenAPI at /docs)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--max-body", type=int, default=2 * 1024 * 1024)
    p.add_argument("--log-level", default="info")
    p.add_argument("--company", default="Moja Firma")
    p.add_argument("--releases-dir", type=Path, default=None,
                   help="app releases served to terminals (default: releases/ beside the database)")

    company = group("company", "company data (sent to terminals)")
    command(company, "get", cmd_company_get, "show company data")
    p = command(company, "set", cmd_company_set, "change company data")
    p.add_argument("--name")
    p.add_argument("--nip", help="NIP; empty string clears it")
    p.add_argument("--address")

    terminal = group("terminal", "terminals: add, list, revoke, re-activation code")
    p = command(terminal, "add", cmd_terminal_add, "register a terminal; prints its code")
    p.add_argument("--store", type=int, required=True)
    p.add_argument("--name", default="")
    p.add_argument("--ttl-hours", type=float, default=24.0)
    command(terminal, "list", cmd_terminal_list, "terminals, last seen, last pulls, pending")
    p = command(terminal, "revoke", cmd_terminal_revoke, "revoke a terminal's token")
    p.add_argument("terminal_id", type=int)
    p = command(terminal, "code", cmd_terminal_code, "new code to re-activate a terminal")
    p.add_argument("terminal_id", type=int)
    p.add_argument("--ttl-hours", type=float, default=24.0)

    store = group("store", "stores")
    p = command(store, "add", cmd_store_add, "add a store")
    p.add_argument("name")
    p.add_argument("--address", default=None)
    p.add_argument("--list", type=int, default=None, help="price list id")
    command(store, "list", cmd_store_list, "list stores")

    pricelist = group("pricelist", "price lists")
    p = command(pricelist, "add", cmd_pricelist_add, "add a price list")
    p.add_argument("name")
    command(pricelist, "list", cmd_pricelist_list, "list price lists")
    p = command(pricelist, "assign", cmd_pricelist_assign, "make a list a store's active list")
    p.add_argument("list_id", type=int)
    p.add_argument("--store", type=int, required=True)

    product = group("product", "products")
    p = command(product, "add", cmd_product_add, "add a product")
    p.add_argument("--name", required=True)
    p.add_argument("--plu", required=True)
    p.add_argument("--vat", required=True, choices=["A", "B", "C", "D", "E"])
    p.add_argument("--unit", default="szt.")
    p.add_argument("--category", type=int, default=None)
    p.add_argument("--kind", choices=["good", "service"], default="good")
    p.add_argument("--open-price", action="store_true")
    p.add_argument("--barcode", action="append")
    p.add_argument("--price", help="gross price, e.g. 4,99")
    p.add_argument("--list", type=int, default=None)
    p = command(product, "update", cmd_product_update, "change a product (by PLU)")
    p.add_argument("plu")
    p.add_argument("--name")
    p.add_argument("--new-plu")
    p.add_argument("--vat", choices=["A", "B", "C", "D", "E"])
    p.add_argument("--unit")
    p.add_argument("--category", help="category id or 'none'")
    p.add_argument("--kind", choices=["good", "service"])
    price_mode = p.add_mutually_exclusive_group()
    price_mode.add_argument("--open-price", action="store_true")
    price_mode.add_argument("--fixed-price", action="store_true")
    state = p.add_mutually_exclusive_group()
    state.add_argument("--active", action="store_true")
    state.add_argument("--inactive", action="store_true")
    codes = p.add_mutually_exclusive_group()
    codes.add_argument("--barcode", action="append", help="replaces all barcodes")
    codes.add_argument("--no-barcodes", action="store_true")
    p.add_argument("--price")
    p.add_argument("--list", type=int, default=None)
    p = command(product, "delete", cmd_product_delete, "delete a product (by PLU)")
    p.add_argument("plu")
    p = command(product, "list", cmd_product_list, "list products")
    p.add_argument("--search")
    p.add_argument("--limit", type=int, default=None)

    price = group("price", "prices")
    p = command(price, "set", cmd_price_set, "set a product's price in a price list")
    p.add_argument("--plu", required=True)
    p.add_argument("--price", required=True, help="gross, e.g. 4,99")
    p.add_argument("--list", type=int, default=None)
    p = command(price, "remove", cmd_price_remove, "remove a price (not sellable there)")
    p.add_argument("--plu", required=True)
    p.add_argument("--list", type=int, default=None)

    category = group("category", "categories")
    p = command(category, "add", cmd_category_add, "add a category")
    p.add_argument("name")
    p.add_argument("--parent", type=int, default=None)
    command(category, "list", cmd_category_list, "list categories")

    payment = group("payment-method", "payment methods (order, change, drawer)")
    p = command(payment, "add", cmd_payment_add, "add a payment method")
    p.add_argument("code")
    p.add_argument("--name", required=True)
    p.add_argument("--kind", choices=["cash", "card", "voucher", "transfer", "other"],
                   default="other")
    p.add_argument("--gives-change", action="store_true")
    p.add_argument("--opens-drawer", action="store_true")
    p.add_argument("--position", type=int, default=0)
    p = command(payment, "update", cmd_payment_update, "change a payment method")
    p.add_argument("code")
    p.add_argument("--name")
    p.add_argument("--kind", choices=["cash", "card", "voucher", "transfer", "other"])
    p.add_argument("--position", type=int)
    for yes, no in (("--gives-change", "--no-change"), ("--opens-drawer", "--no-drawer"),
                    ("--active", "--inactive")):
        pair = p.add_mutually_exclusive_group()
        pair.add_argument(yes, action="store_true")
        pair.add_argument(no, action="store_true")
    command(payment, "list", cmd_payment_list, "list payment methods")

    discount = group("discount", "predefined discounts")
    p = command(discount, "add", cmd_discount_add, "add a discount")
    p.add_argument("--name", required=True)
    amount = p.add_mutually_exclusive_group(required=True)
    amount.add_argument("--percent", help="e.g. 10 or 12,5")
    amount.add_argument("--amount", help="gross, e.g. 2,00")
    p.add_argument("--scope", choices=["line", "receipt"], default="line")
    p = command(discount, "delete", cmd_discount_delete, "delete a discount")
    p.add_argument("discount_id", type=int)
    command(discount, "list", cmd_discount_list, "list discounts")

    user = group("user", "personnel")
    p = command(user, "add", cmd_user_add, "add a user")
    p.add_argument("--identifier", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--pin", required=True)
    p.add_argument("--role", choices=ROLES, default="cashier")
    p.add_argument("--permissions", help="comma-separated: " + ",".join(PERMISSIONS))
    p = command(user, "update", cmd_user_update, "change a user")
    p.add_argument("identifier")
    p.add_argument("--name")
    p.add_argument("--pin")
    p.add_argument("--role", choices=ROLES)
    p.add_argument("--permissions")
    state = p.add_mutually_exclusive_group()
    state.add_argument("--active", action="store_true")
    state.add_argument("--inactive", action="store_true")
    p = command(user, "deactivate", cmd_user_deactivate, "deactivate a user")
    p.add_argument("identifier")
    command(user, "list", cmd_user_list, "list users")

    settings = group("settings", "settings: " + ", ".join(SETTINGS))
    p = command(settings, "get", cmd_settings_get, "show settings")
    p.add_argument("key", nargs="?")
    p = command(settings, "set", cmd_settings_set, "change a setting")
    p.add_argument("key", choices=list(SETTINGS))
    p.add_argument("value")

    p = command(sub, "import-csv", cmd_import_csv, "import products from CSV (all or nothing)")
    p.add_argument("file", help="CSV file or - for stdin")
    p.add_argument("--list", type=int, default=None, help="price list of the Cena column")
    p = command(sub, "export-csv", cmd_export_csv, "export products to CSV")
    p.add_argument("file", help="CSV file or - for stdout")
    p.add_argument("--list", type=int, default=None)

    transactions = sub.add_parser("transactions", help="pushed documents and quarantine")
    tsub = transactions.add_subparsers(dest="transactions_command", required=True,
                                       metavar="ACTION")
    p = command(tsub, "list", cmd_transactions_list, "list stored documents")
    p.add_argument("--store", type=int)
    p.add_argument("--terminal", type=int)
    p.add_argument("--day", type=_day)
    p.add_argument("--type", choices=["receipt", "return", "cash_operation", "cash_report",
                                      "daily_report"])
    p.add_argument("--kind", choices=["paragon", "faktura", "paragon_nip", "in", "out", "state",
                                      "shift_close"],
                   help="receipts printed as this document kind; cash operations in/out; "
                        "cash reports state/shift_close")
    p.add_argument("--nip", help="documents whose buyer has this NIP")
    p.add_argument("--limit", type=int, default=100)
    quarantine = tsub.add_parser("quarantine", help="rejected payloads")
    qsub = quarantine.add_subparsers(dest="quarantine_command", required=True, metavar="ACTION")
    p = command(qsub, "list", cmd_quarantine_list, "list quarantined payloads")
    p.add_argument("--all", action="store_true", help="include released ones")
    p = command(qsub, "release", cmd_quarantine_release, "accept a quarantined document")
    p.add_argument("quarantine_id", type=int)

    report = group("report", "reports")
    p = command(report, "sales", cmd_report_sales, "sales of a day")
    p.add_argument("--day", type=_day, default=date.today())
    p.add_argument("--store", type=int, default=None)

    _release_parsers(group("release", "signed app releases for the terminals"), command)

    tombstones = group("tombstones", "change-feed maintenance")
    p = command(tombstones, "purge", cmd_tombstones_purge,
                "drop old tombstones (terminals behind them get a reset)")
    p.add_argument("--older-than-days", type=float, default=90.0)
    return parser


def _release_parsers(release: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    p = command(release, "keygen", cmd_release_keygen,
                "new Ed25519 signing key pair (NAME.key with mode 0600, NAME.pub)")
    p.add_argument("--out", type=Path, required=True, help="directory for the two files")
    p.add_argument("--name", default="release")
    p = command(release, "publish", cmd_release_publish,
                "build DIST.whl's wheelhouse, sign it, serve it as the channel's latest")
    p.epilog = (
        "The wheelhouse is the app wheel plus every dependency wheel, built with "
        "`pip wheel DIST.whl`: this needs the package index (PyPI) reachable from here, or "
        "--find-links DIR holding the wheels. pip builds for THIS machine's Python and "
        "platform: publish from a machine like the terminals (same Python 3.x and CPU), or "
        "prepare the wheels there and pass --wheelhouse-from DIR. The wheelhouse is checked "
        "with `pip install --dry-run --no-index` before anything is published. --no-deps "
        "ships the app wheel alone (only for terminals that already have every dependency).")
    p.add_argument("wheel", type=Path, metavar="DIST.whl")
    p.add_argument("--key", type=Path, required=True, help="private key from release keygen")
    p.add_argument("--channel", default="stable")
    p.add_argument("--expires-days", type=float, default=30.0,
                   help="how long terminals accept this metadata (default 30)")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--wheelhouse-from", type=Path, default=None, metavar="DIR",
                        help="take the dependency wheels from DIR instead of pip wheel")
    source.add_argument("--no-deps", action="store_true", help="the app wheel only")
    p.add_argument("--find-links", action="append", metavar="DIR",
                   help="extra wheel directory for pip wheel (repeatable)")
    p.add_argument("--pip-arg", action="append", metavar="ARG",
                   help="extra argument for pip wheel, e.g. --pip-arg=--no-index")
    p.add_argument("--releases-dir", type=Path, default=None)
    p = command(release, "list", cmd_release_list, "published releases")
    p.add_argument("--releases-dir", type=Path, default=None)


def _error_text(exc: DomainError) -> str:
    """``error: key (params)``; an import lists every bad row on its own line."""
    if exc.key == "err.import_failed":
        rows = [f"  line {e['line']}: {e['key']}"
                + (" (" + ", ".join(f"{k}={v}" for k, v in e["params"].items()) + ")"
                   if e["params"] else "")
                for e in exc.params["errors"]]
        return f"error: {exc.key}: {exc.params['count']} bad row(s), nothing imported\n" + \
            "\n".join(rows)
    params = ", ".join(f"{k}={v}" for k, v in exc.params.items())
    return f"error: {exc.key}" + (f" ({params})" if params else "")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``ipos-backoffice``; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.json = getattr(args, "json", False)
    if getattr(args, "verbose", False):
        logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    office = BackOffice(open_database(getattr(args, "db", None)), load_pepper())
    try:
        if args.handler not in (cmd_init, cmd_serve, cmd_release_keygen):
            _require_schema(office)
        args.handler(office, args)
    except DomainError as exc:
        if args.json:
            print(json.dumps({"error": exc.key, "params": exc.params}, ensure_ascii=False,
                             default=str))
        else:
            print(_error_text(exc), file=sys.stderr)
        return 1
    except CliError as exc:
        print(f"ipos-backoffice: {exc}", file=sys.stderr)
        return 2
    finally:
        office.db.close()
    return 0


def _require_schema(office: BackOffice) -> None:
    from ipos_tui.backoffice.migrations import LATEST_VERSION, current_version

    if current_version(office.db) < LATEST_VERSION or not office.has_company():
        raise CliError("database not initialised: run `ipos-backoffice init` first "
                       "(the demo shop's database is made by starting `ipos-tui demo` once)")


if __name__ == "__main__":
    sys.exit(main())
