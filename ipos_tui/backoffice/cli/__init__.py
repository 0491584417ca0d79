"""``ipos-backoffice``: the admin command line of the back office.

Every command goes through the same service layer as the HTTP API, so a command run
beside a serving back office is just another writer under the database lock.
``--db URL`` and ``--json`` are accepted before or after the subcommand. Exit codes:
0 done, 1 a rule refused the input (a readable reason is printed; ``--json`` gives the
message key and its parameters), 2 bad usage.

It speaks Polish under a Polish locale (LC_ALL, LC_MESSAGES, LANG) and English
otherwise (:mod:`ipos_tui.i18n.cli`). Prices and amounts are złoty written with a
decimal separator ("3,79", "379,00"); a price that changes more than
:data:`~ipos_tui.backoffice.services.pricelists.PRICE_JUMP_FACTOR` times either way is asked about
first (``--yes`` confirms it in scripts).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal

from ipos_tui.backoffice import ingest, numbering
from ipos_tui.backoffice.db import open_database
from ipos_tui.backoffice.security import group_code, load_pepper
from ipos_tui.backoffice.services import PERMISSIONS, ROLES, SETTINGS, BackOffice
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import format_money, parse_money, parse_percent
from ipos_tui.domain.vat import parse_vat_rate, rate_text
from ipos_tui.i18n import current_language, has_key, t
from ipos_tui.i18n.cli import (
    HelpFormatter,
    cli_texts,
    decimal_number,
    language_option,
    locale_language,
    whole_number,
)

Handler = Callable[[BackOffice, argparse.Namespace], Any]


class CliError(Exception):
    """Bad usage found after parsing (exit code 2); the message is already readable."""


# ------------------------------------------------------------------ output


def _print_table(rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    """A plain aligned table (fits a terminal); headers in the CLI's language."""
    if not rows:
        print(t("cli.bo.none"))
        return
    headers = [_column(col) for col in columns]
    cells = [[_cell(row.get(col)) for col in columns] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _column(name: str) -> str:
    key = f"cli.col.{name}"
    return t(key) if has_key(key) else name


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return t("cli.bo.yes") if value else t("cli.bo.no")
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return " ".join(f"{k}={_cell(v)}" for k, v in value.items())
    return str(value)


def _print_fields(values: dict[str, Any]) -> None:
    """``label = value`` lines (company data, settings)."""
    for key, value in values.items():
        print(f"{_column(key)} = {_cell(value)}")


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
        raise CliError(t("cli.bo.choose_list"))
    return int(lists[0]["id"])


def _flag(args: argparse.Namespace, yes: str, no: str) -> bool | None:
    if getattr(args, yes, False):
        return True
    if getattr(args, no, False):
        return False
    return None


def _zloty(text: str, what: str = "price") -> int:
    """A price or amount typed as złoty WITH a decimal separator ("3,79", "3.79",
    "379,00"). Bare digits ("379") are refused: on the till they mean grosze, here they
    would mean złoty, so the command line asks for the unambiguous form."""
    bare = text.strip().removesuffix("zł").removesuffix("ZŁ")
    if "".join(bare.split()).isdigit():
        raise DomainError(f"cli.err.{what}_without_separator", text=text)
    return parse_money(text)


def _times(ratio: float) -> str:
    """How many times, in the CLI's language: 100, 2,5 (or 2.5)."""
    return format_decimal(Decimal(str(round(ratio, 1))), format="#,##0.#",
                          locale="pl_PL" if current_language() == "pl" else "en_US")


def _change_text(old: int, new: int) -> str:
    """The change as the question shows it: 3,79 zł → 379,00 zł (100 razy więcej)."""
    key = "cli.bo.times_more" if new > old else "cli.bo.times_less"
    ratio = new / old if new > old else old / new
    return t("cli.bo.price_change", old=_money(old), new=_money(new),
             times=t(key, n=_times(ratio)))


#: What confirms the question on a terminal (either language's word, or its initial).
_YES_ANSWERS = ("tak", "t", "yes", "y")


def _confirmed(args: argparse.Namespace, question: str, refusal_key: str,
               **params: Any) -> None:
    """Go on when ``--yes`` was given or the user answers "tak"/"yes" on a terminal;
    otherwise raise: without a terminal the refusal says how to confirm (``--yes``)."""
    if getattr(args, "yes", False):
        return
    if not sys.stdin.isatty():
        raise DomainError(refusal_key, **params)
    sys.stderr.write(question + " " + t("cli.bo.ask_yes_no") + " ")
    sys.stderr.flush()
    try:
        answer = sys.stdin.readline().strip().lower()
    except KeyboardInterrupt:  # Ctrl+C at the question is a "nie"
        answer = ""
        sys.stderr.write("\n")
    if answer not in _YES_ANSWERS:
        raise DomainError("cli.err.not_confirmed")


def _check_price_jump(office: BackOffice, args: argparse.Namespace, list_id: int,
                      product_id: int, plu: str, grosze: int) -> None:
    """Ask before a price jumps more than 5× either way against the product's current
    price in that list (the price-list service's rule; refuse without a terminal unless
    ``--yes``)."""
    current = office.price_jump(list_id, product_id, grosze)
    if current is not None:
        change = _change_text(current, grosze)
        _confirmed(args, t("cli.bo.price_jump_question", plu=plu, list=list_id, change=change),
                   "cli.err.price_jump", plu=plu, list=list_id, change=change)


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

    def text(r: dict[str, Any]) -> None:
        applied = ", ".join(str(v) for v in r["migrations_applied"]) or t("cli.bo.none_applied")
        print(t("cli.bo.schema_ready", applied=applied))
        if "demo" in r:
            demo = {k: v for k, v in r["demo"].items() if not k.startswith("web_")}
            print(t("cli.bo.demo_shop", demo=_cell(demo)))
            print(t("cli.bo.demo_web", login=r["demo"]["web_login"],
                    password=r["demo"]["web_password"]))

    _emit(args, result, text)
    return result


def cmd_serve(office: BackOffice, args: argparse.Namespace) -> Any:
    import uvicorn

    from ipos_tui.backoffice.api import create_app

    office.init_schema()
    if not office.has_company():
        office.create_company(args.company)
    from ipos_tui.backoffice.throttle import Throttle

    app = create_app(office, max_body=args.max_body, releases_dir=args.releases_dir,
                     throttle=Throttle(args.throttle))
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(t("cli.bo.serving_web", url=f"http://{host}:{args.port}/"), flush=True)
    # no Server/Date headers: terminals on GSM pay for every byte of every answer
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level,
                server_header=False, date_header=False)
    return None


def cmd_company_get(office: BackOffice, args: argparse.Namespace) -> Any:
    result = office.get_company()
    _emit(args, result, _print_fields)
    return result


def cmd_company_set(office: BackOffice, args: argparse.Namespace) -> Any:
    office.update_company(args.name, args.nip, args.address)
    return cmd_company_get(office, args)


# ---------------------------------------------------------------- VAT (PTU) table


def _print_vat(rows: list[dict[str, Any]]) -> None:
    _print_table([{"letter": r["letter"], "rate": rate_text(r["rate_bp"])} for r in rows],
                 ["letter", "rate"])


def cmd_vat_list(office: BackOffice, args: argparse.Namespace) -> Any:
    result = office.list_vat_rates()
    _emit(args, result, _print_vat)
    return result


def cmd_vat_set(office: BackOffice, args: argparse.Namespace) -> Any:
    result = office.set_vat_rate(args.letter, parse_vat_rate(args.letter, args.rate))
    _emit(args, result, lambda r: print(t("cli.bo.vat_set", letter=r["letter"],
                                          rate=rate_text(r["rate_bp"]))))
    return result


# ---------------------------------------------------------------- terminals


def cmd_terminal_add(office: BackOffice, args: argparse.Namespace) -> Any:
    terminal_id, code = office.add_terminal(args.store, args.name,
                                            timedelta(hours=args.ttl_hours))
    result = {"terminal_id": terminal_id, "store_id": args.store, "code": code,
              "expires_in_hours": args.ttl_hours}
    _emit(args, result, lambda r: print(t(
        "cli.bo.terminal_added", terminal=r["terminal_id"], store=r["store_id"],
        code=group_code(r["code"]), hours=_times(r["expires_in_hours"]))))
    return result


def cmd_terminal_code(office: BackOffice, args: argparse.Namespace) -> Any:
    code = office.new_activation_code(args.terminal_id, timedelta(hours=args.ttl_hours))
    result = {"terminal_id": args.terminal_id, "code": code}
    _emit(args, result, lambda r: print(t(
        "cli.bo.terminal_code", terminal=r["terminal_id"], code=group_code(r["code"]))))
    return result


def cmd_terminal_list(office: BackOffice, args: argparse.Namespace) -> Any:
    rows = office.list_terminals()

    def text(rows: list[dict[str, Any]]) -> None:
        notes = t("tillsync.col_numbering")  # gaps and regressions of its numbering
        flat = [{**r, "last_pull": {k: v["at"] for k, v in r["last_pull"].items()},
                 notes: "; ".join(numbering.issue_text(issue, issue["since"], t)
                                  for issue in r["numbering"]) or None}
                for r in rows]
        _print_table(flat, ["id", "store_id", "name", "status", "last_seen", "app_version",
                            "pending_count", "last_pull", notes])

    _emit(args, rows, text)
    return rows


def cmd_terminal_clear_regressions(office: BackOffice, args: argparse.Namespace) -> Any:
    cleared = office.clear_numbering_regressions(args.terminal_id)
    result = {"terminal_id": args.terminal_id, "cleared": cleared}
    _emit(args, result, lambda r: print(t("tillsync.regressions_cleared",
                                          terminal=r["terminal_id"], count=r["cleared"])))
    return result


def cmd_terminal_rename(office: BackOffice, args: argparse.Namespace) -> Any:
    office.rename_terminal(args.terminal_id, args.name)
    result = {"terminal_id": args.terminal_id, "name": args.name.strip()}
    _emit(args, result, lambda r: print(t("cli.bo.terminal_renamed", terminal=r["terminal_id"],
                                          name=r["name"])))
    return result


def cmd_terminal_revoke(office: BackOffice, args: argparse.Namespace) -> Any:
    office.revoke_terminal(args.terminal_id)
    result = {"terminal_id": args.terminal_id, "status": "revoked"}
    _emit(args, result, lambda r: print(t("cli.bo.terminal_revoked", terminal=r["terminal_id"])))
    return result


# ------------------------------------------------------ stores, price lists


def cmd_store_add(office: BackOffice, args: argparse.Namespace) -> Any:
    store_id = office.add_store(args.name, args.address, args.list)
    result = {"store_id": store_id}
    _emit(args, result, lambda r: print(t("cli.bo.store_added", store=r["store_id"])))
    return result


def cmd_store_update(office: BackOffice, args: argparse.Namespace) -> Any:
    office.update_store(args.store_id, name=args.name, address=args.address)
    result = office.get_store(args.store_id)
    _emit(args, result, lambda r: print(t("cli.bo.store_updated", store=r["id"])))
    return result


def cmd_store_list(office: BackOffice, args: argparse.Namespace) -> Any:
    rows = office.list_stores()
    _emit(args, rows, lambda r: _print_table(r, ["id", "name", "address", "price_list_id"]))
    return rows


def cmd_pricelist_add(office: BackOffice, args: argparse.Namespace) -> Any:
    result = {"price_list_id": office.add_price_list(args.name)}
    _emit(args, result, lambda r: print(t("cli.bo.pricelist_added", list=r["price_list_id"])))
    return result


def cmd_pricelist_list(office: BackOffice, args: argparse.Namespace) -> Any:
    rows = office.list_price_lists()
    _emit(args, rows, lambda r: _print_table(r, ["id", "name"]))
    return rows


def cmd_pricelist_assign(office: BackOffice, args: argparse.Namespace) -> Any:
    office.assign_price_list(args.store, args.list_id)
    result = {"store_id": args.store, "price_list_id": args.list_id}
    _emit(args, result, lambda r: print(t(
        "cli.bo.pricelist_assigned", store=r["store_id"], list=r["price_list_id"])))
    return result


# ----------------------------------------------------------------- products


def cmd_product_add(office: BackOffice, args: argparse.Namespace) -> Any:
    prices: dict[int, int] = {}
    if args.price is not None:
        prices[_price_list_for(office, args.list)] = _zloty(args.price)
    product_id = office.add_product(
        args.name, args.plu, args.vat, unit=args.unit, category_id=args.category,
        kind=args.kind, open_price=args.open_price, barcodes=args.barcode or [], prices=prices,
        deposit=_zloty(args.deposit, "deposit") if args.deposit is not None else 0)
    result = office.get_product(product_id)
    _emit(args, result, lambda r: print(t("cli.bo.product_added", plu=r["plu"], name=r["name"])))
    return result


def cmd_product_update(office: BackOffice, args: argparse.Namespace) -> Any:
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
    price = _zloty(args.price) if args.price is not None else None
    list_id = _price_list_for(office, args.list) if price is not None else None
    if price is not None and list_id is not None:
        _check_price_jump(office, args, list_id, product_id, args.plu, price)
    barcodes = [] if args.no_barcodes else args.barcode
    office.update_product(
        product_id, name=args.name, plu=args.new_plu, vat=args.vat, unit=args.unit,
        category_id=category, kind=args.kind, open_price=_flag(args, "open_price", "fixed_price"),
        active=_flag(args, "active", "inactive"), barcodes=barcodes,
        deposit=_zloty(args.deposit, "deposit") if args.deposit is not None else None)
    if price is not None and list_id is not None:
        office.set_price(list_id, product_id, price)  # the jump was asked about above
    result = office.get_product(product_id)
    _emit(args, result, lambda r: print(t("cli.bo.product_updated", plu=r["plu"])))
    return result


def cmd_product_delete(office: BackOffice, args: argparse.Namespace) -> Any:
    office.delete_product(office.product_by_plu(args.plu))
    result = {"plu": args.plu, "deleted": True}
    _emit(args, result, lambda r: print(t("cli.bo.product_deleted", plu=r["plu"])))
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
    grosze = _zloty(args.price)
    product_id = office.product_by_plu(args.plu)
    _check_price_jump(office, args, list_id, product_id, args.plu, grosze)
    office.set_price(list_id, product_id, grosze)  # the jump was asked about above
    result = {"plu": args.plu, "price_list_id": list_id, "price": grosze}
    _emit(args, result, lambda r: print(t(
        "cli.bo.price_set", plu=r["plu"], list=r["price_list_id"], price=_money(r["price"]))))
    return result


def cmd_price_remove(office: BackOffice, args: argparse.Namespace) -> Any:
    list_id = _price_list_for(office, args.list)
    office.remove_price(list_id, office.product_by_plu(args.plu))
    result = {"plu": args.plu, "price_list_id": list_id, "removed": True}
    _emit(args, result, lambda r: print(t("cli.bo.price_removed", plu=r["plu"], list=list_id)))
    return result


def cmd_category_add(office: BackOffice, args: argparse.Namespace) -> Any:
    result = {"category_id": office.add_category(args.name, args.parent)}
    _emit(args, result, lambda r: print(t("cli.bo.category_added", category=r["category_id"])))
    return result


def cmd_category_update(office: BackOffice, args: argparse.Namespace) -> Any:
    parent: Any = ...
    if args.no_parent:
        parent = None
    elif args.parent is not None:
        parent = args.parent
    office.update_category(args.category_id, name=args.name, parent_id=parent)
    result = next(c for c in office.list_categories() if c["id"] == args.category_id)
    _emit(args, result, lambda r: print(t("cli.bo.category_updated", category=r["id"])))
    return result


def cmd_category_delete(office: BackOffice, args: argparse.Namespace) -> Any:
    office.delete_category(args.category_id)
    result = {"category_id": args.category_id, "deleted": True}
    _emit(args, result, lambda r: print(t("cli.bo.category_deleted",
                                          category=r["category_id"])))
    return result


def cmd_unit_add(office: BackOffice, args: argparse.Namespace) -> Any:
    result = {"unit_id": office.add_unit(args.name, args.precision), "name": args.name.strip()}
    _emit(args, result, lambda r: print(t("cli.bo.unit_added", name=r["name"])))
    return result


def cmd_unit_rename(office: BackOffice, args: argparse.Namespace) -> Any:
    office.rename_unit(args.unit, args.new_name)
    result = {"unit": args.unit, "name": args.new_name.strip()}
    _emit(args, result, lambda r: print(t("cli.bo.unit_renamed", old=r["unit"], name=r["name"])))
    return result


def cmd_unit_list(office: BackOffice, args: argparse.Namespace) -> Any:
    rows = office.list_units()
    _emit(args, rows, lambda r: _print_table(r, ["id", "name", "precision", "builtin"]))
    return rows


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
        kind, value = "amount", _zloty(args.amount, "amount")
    result = {"discount_id": office.add_discount(args.name, kind, value, args.scope)}
    _emit(args, result, lambda r: print(t("cli.bo.discount_added", discount=r["discount_id"])))
    return result


def cmd_discount_delete(office: BackOffice, args: argparse.Namespace) -> Any:
    office.delete_discount(args.discount_id)
    result = {"discount_id": args.discount_id, "deleted": True}
    _emit(args, result, lambda r: print(t("cli.bo.discount_deleted", discount=r["discount_id"])))
    return result


def cmd_discount_list(office: BackOffice, args: argparse.Namespace) -> Any:
    rows = office.list_discounts()

    def text(rows: list[dict[str, Any]]) -> None:
        from ipos_tui.domain.money import format_percent_bp

        _print_table([{**r, "value": format_percent_bp(r["value"]).replace("\u00a0", " ")
                       if r["kind"] == "percent" else _money(r["value"]) + " zł"} for r in rows],
                     ["id", "name", "kind", "value", "scope", "active"])

    _emit(args, rows, text)
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
    _emit(args, result, lambda r: print(t("cli.bo.user_added", identifier=r["identifier"])))
    return result


def cmd_user_update(office: BackOffice, args: argparse.Namespace) -> Any:
    office.update_user(args.identifier, name=args.name, pin=args.pin, role=args.role,
                       permissions=_permissions(args.permissions),
                       active=_flag(args, "active", "inactive"))
    result = {"identifier": args.identifier, "updated": True}
    _emit(args, result, lambda r: print(t("cli.bo.user_updated", identifier=r["identifier"])))
    return result


def cmd_user_deactivate(office: BackOffice, args: argparse.Namespace) -> Any:
    office.deactivate_user(args.identifier)
    result = {"identifier": args.identifier, "active": False}
    _emit(args, result, lambda r: print(t("cli.bo.user_deactivated",
                                          identifier=r["identifier"])))
    return result


def cmd_user_web_password(office: BackOffice, args: argparse.Namespace) -> Any:
    """The iPOS web password, read from standard input (never from the command line,
    where other users and the shell history would see it): typed twice on a terminal,
    the first line of a pipe otherwise."""
    import getpass

    if sys.stdin.isatty():
        password = getpass.getpass(t("cli.bo.web_password_prompt", identifier=args.identifier))
        if getpass.getpass(t("cli.bo.web_password_repeat")) != password:
            raise DomainError("err.web_password_mismatch")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    office.set_web_password(args.identifier, password)
    result = {"identifier": args.identifier, "web_password": True}
    _emit(args, result, lambda r: print(t("cli.bo.web_password_set", identifier=r["identifier"])))
    return result


def cmd_user_stores(office: BackOffice, args: argparse.Namespace) -> Any:
    if args.stores is not None:
        office.set_user_stores(args.identifier, _ids(args.stores))
    result = {"identifier": args.identifier, "stores": office.user_store_ids(args.identifier)}
    _emit(args, result, lambda r: print(t("cli.bo.user_stores", identifier=r["identifier"],
                                          stores=", ".join(map(str, r["stores"])) or "-")))
    return result


def cmd_user_rotate_pin_key(office: BackOffice, args: argparse.Namespace) -> Any:
    version = office.rotate_pin_key()
    result = {"pin_key_version": version, "old_key_pins": office.old_key_pins()}

    def text(r: dict[str, Any]) -> None:
        print(t("cli.bo.pin_key_rotated", version=r["pin_key_version"]))
        if r["old_key_pins"]:
            print(t("cli.bo.pin_key_old_pins", identifiers=", ".join(r["old_key_pins"])))

    _emit(args, result, text)
    return result


def _ids(text: str) -> list[int]:
    try:
        return [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise DomainError("err.store_ids_invalid", text=text) from None


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
    from ipos_tui.backoffice.csvio import PriceJump, decode_csv, import_products_csv

    text = decode_csv(sys.stdin.buffer.read() if args.file == "-" else
                      Path(args.file).read_bytes())
    list_id = _price_list_for(office, args.list)

    def confirm(jumps: list[PriceJump]) -> None:
        rows = "\n".join(t("cli.bo.import_jump_row", line=j.line, plu=j.plu,
                           change=_change_text(j.old, j.new)) for j in jumps)
        _confirmed(args, t("cli.bo.import_jump_question", n=len(jumps), list=list_id,
                           rows=rows),
                   "cli.err.import_price_jump", n=len(jumps), list=list_id, rows=rows)

    result = import_products_csv(office, text, list_id, confirm_jumps=confirm)
    _emit(args, result, lambda r: print(t("cli.bo.imported", created=r["created"],
                                          updated=r["updated"])))
    return result


def cmd_export_csv(office: BackOffice, args: argparse.Namespace) -> Any:
    from ipos_tui.backoffice.csvio import export_products_csv

    text = export_products_csv(office, _price_list_for(office, args.list))
    if args.file == "-":
        sys.stdout.write(text)
        return None
    Path(args.file).write_text(text, encoding="utf-8")
    result = {"file": args.file, "rows": text.count("\n") - 1}
    _emit(args, result, lambda r: print(t("cli.bo.exported", rows=r["rows"], file=r["file"])))
    return result


# ------------------------------------------------------- transactions, report


def cmd_transactions_list(office: BackOffice, args: argparse.Namespace) -> Any:
    rows = ingest.list_transactions(office, store_id=args.store, terminal_id=args.terminal,
                                    day=args.day, doc_type=args.type, kind=args.kind,
                                    buyer_nip=args.nip, limit=args.limit)
    _emit(args, rows, lambda r: _print_table(
        [{**x, "total": _money(x["total"]), "original": _original(x), "cashier": _cashier(x),
          "authorised_by": _authorised_by(x)}
         for x in r],
        ["id", "type", "kind", "terminal_id", "number", "store_id", "created_at", "total",
         "cashier", "authorised_by", "buyer_nip", "original", "warnings"]))
    return rows


def _authorised_by(row: dict[str, Any]) -> str | None:
    """Who authorised actions on the document the cashier could not do alone, each
    once: "Anna Kowalska (1001)"; None (shown "-") without any."""
    names = [f"{a['name']} ({a['identifier']})" if a.get("identifier") else a["name"]
             for a in row.get("authorisations") or ()]
    return ", ".join(dict.fromkeys(names)) or None


def _cashier(row: dict[str, Any]) -> str | None:
    """Who made the document, as the till named them: Anna Kowalska (1001)."""
    name, identifier = row.get("cashier_name"), row.get("cashier")
    if name and identifier:
        return f"{name} ({identifier})"
    return name or identifier


def _original(row: dict[str, Any]) -> str:
    """The receipt a return gives goods back to, as printed on it ("K3-000012")."""
    if row.get("original_number") is None:
        return ""
    mark = "F" if row.get("original_type") == "sale_invoice" else ""  # a Faktura's own series
    return f"K{row['original_terminal_id']}-{mark}{row['original_number']:06d}"


def cmd_invoice_list(office: BackOffice, args: argparse.Namespace) -> Any:
    """Invoices sold at the tills, invoices for earlier receipts and correcting invoices."""
    rows = ingest.list_invoices(office, store_id=args.store, terminal_id=args.terminal,
                                start=args.start, end=args.end, buyer_nip=args.nip,
                                limit=args.limit)

    def table(found: list[dict[str, Any]]) -> None:
        columns = ("number", "kind", "day", "terminal", "buyer", "total", "refers_to")
        _print_table([
            {t(f"invoices2.col_{key}"): value for key, value in zip(columns, (
                x["number"], t(f"invoices2.kind_{x['invoice']}"), x["day"], x["terminal_id"],
                x["buyer_nip"], _money(x["total"]),
                x["corrects"] if x["invoice"] == "correction" else
                f"K{x['receipt_terminal_id']}-{x['receipt_number']:06d}"), strict=True)}
            for x in found
        ], [t(f"invoices2.col_{key}") for key in columns])

    _emit(args, rows, table)
    return rows


def cmd_quarantine_list(office: BackOffice, args: argparse.Namespace) -> Any:
    rows = ingest.list_quarantine(office, include_released=args.all)
    _emit(args, rows, lambda r: _print_table(
        r, ["id", "terminal_id", "uuid", "reason", "received_at", "released_at"]))
    return rows


def cmd_quarantine_release(office: BackOffice, args: argparse.Namespace) -> Any:
    result = ingest.release_quarantine(office, args.quarantine_id)
    _emit(args, result, lambda r: print(t(
        "cli.bo.quarantine_released", id=r["id"], status=r["status"],
        transaction=r["transaction_id"])))
    return result


def cmd_report_sales(office: BackOffice, args: argparse.Namespace) -> Any:
    result = ingest.sales_report(office, args.day, args.store)
    names = {m["code"]: m["name"] for m in office.list_payment_methods()}

    def text(r: dict[str, Any]) -> None:
        print(t("cli.bo.report_title", day=r["day"]) + (
            t("cli.bo.report_store", store=r["store_id"]) if r["store_id"] else ""))
        print(t("cli.bo.report_receipts", n=r["receipts"], total=_money(r["receipts_total"])))
        print(t("cli.bo.report_returns", n=r["returns"], total=_money(r["returns_total"])))
        print(t("cli.bo.report_net", total=_money(r["net_sales"])))
        # sales and returns per letter apart (never negative), then the net per letter
        for key, part in (("vatdocs.cli_sales_vat", "vat_sales"), ("vatdocs.cli_returns_vat", "vat_returns")):
            for letter, v in r.get(part, {}).items():
                print(t(key, letter=letter, gross=_money(v["gross"]), vat=_money(v["vat"])))
        for letter, v in r["vat"].items():
            print(t("cli.bo.report_vat", letter=letter, gross=_money(v["gross"]),
                    vat=_money(v["vat"]), net=_money(v["net"])))
        for method, amount in r["payments"].items():
            print(t("cli.bo.report_paid", method=names.get(method, method),
                    amount=_money(amount)))
        print(t("cli.bo.report_cash", cash_in=_money(r["cash_in"]),
                cash_out=_money(r["cash_out"])))
        if r.get("deposits_collected") or r.get("deposits_returned"):  # outside sales and VAT
            print(t("cli.bo.report_deposits", collected=_money(r["deposits_collected"]),
                    returned=_money(r["deposits_returned"])))
        for close in r["shift_closes"]:
            print(_shift_close(close))
        for report in r["daily_reports"]:
            print(t("cli.bo.report_daily", number=report["number"],
                    terminal=report["terminal_id"], receipts=report["receipts"],
                    total=_money(report["total"])))

    _emit(args, result, text)
    return result


def _shift_close(close: dict[str, Any]) -> str:
    """One shift close of ``report sales``: expected and counted cash, the difference."""
    head = t("cli.bo.report_shift_close", number=close["number"], terminal=close["terminal_id"],
             cashier=close["cashier"] or "-", expected=_money(close["expected"]))
    if close["counted"] is None:
        return head + t("cli.bo.report_not_counted")
    difference = close["difference"]
    word = "surplus" if difference > 0 else "shortage" if difference < 0 else "exact"
    return head + t(f"cli.bo.report_counted_{word}", counted=_money(close["counted"]),
                    difference=_money(abs(difference)))


def cmd_tombstones_purge(office: BackOffice, args: argparse.Namespace) -> Any:
    result = {"purged": office.purge_tombstones(timedelta(days=args.older_than_days))}
    _emit(args, result, lambda r: print(t("cli.bo.tombstones_purged", n=r["purged"])))
    return result


# ------------------------------------------------------------------ releases


def _release_store(office: BackOffice, args: argparse.Namespace) -> Any:
    from ipos_tui.backoffice.releases import ReleaseStore, default_releases_dir

    return ReleaseStore(args.releases_dir or default_releases_dir(office.db))


def cmd_release_keygen(office: BackOffice, args: argparse.Namespace) -> Any:
    from ipos_tui.backoffice.releases import keygen

    result = keygen(args.out, args.name)
    _emit(args, result, lambda r: print(t(
        "cli.bo.keygen_done", key_id=r["key_id"], private=r["private_key"],
        public=r["public_key"])))
    return result


def cmd_release_publish(office: BackOffice, args: argparse.Namespace) -> Any:
    from ipos_tui.backoffice.releases import publish

    pip_args = [*(f"--find-links={d}" for d in args.find_links or ()), *(args.pip_arg or ())]
    result = publish(_release_store(office, args), args.wheel, args.key, channel=args.channel,
                     expires_days=args.expires_days, wheelhouse_from=args.wheelhouse_from,
                     no_deps=args.no_deps, pip_args=pip_args)
    meta = result["metadata"]
    _emit(args, result, lambda r: print(t(
        "cli.bo.published", version=meta["version"], channel=meta["channel"],
        wheels=len(r["wheels"]), size=meta["size"], sha256=meta["sha256"],
        expires=meta["expires"], key_id=r["key_id"])))
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
        raise argparse.ArgumentTypeError(t("cli.bo.not_a_date", value=text)) from exc


def _throttle_limits(text: str) -> Any:
    """``--throttle``: the throttle's limits (the defaults changed by ``text``)."""
    from ipos_tui.backoffice.throttle import Limits

    try:
        return Limits.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _h(name: str) -> str:
    """Help text ``cli.bo.h.NAME`` in the CLI's language."""
    return t(f"cli.bo.h.{name}")


def _common() -> argparse.ArgumentParser:
    """Options valid both before and after the subcommand."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, metavar="URL", help=_h("db"))
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help=_h("json"))
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help=_h("verbose"))
    return common


def _yes(p: argparse.ArgumentParser) -> None:
    p.add_argument("-y", "--yes", action="store_true", help=_h("yes"))


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, its texts in the current language (see :func:`main`)."""
    common = _common()
    parser = argparse.ArgumentParser(prog="ipos-backoffice", parents=[common],
                                     description=_h("prog"), formatter_class=HelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar=t("cli.mv.command"))

    def command(parent: Any, name: str, handler: Handler, help_: str) -> argparse.ArgumentParser:
        p = parent.add_parser(name, parents=[common], help=help_, description=help_,
                              formatter_class=HelpFormatter)
        p.set_defaults(handler=handler)
        return p

    def group(name: str, help_: str) -> Any:
        p = sub.add_parser(name, help=help_, description=help_, formatter_class=HelpFormatter)
        return p.add_subparsers(dest=f"{name}_command", required=True,
                                metavar=t("cli.mv.action"))

    p = command(sub, "init", cmd_init, _h("init"))
    p.add_argument("--demo", action="store_true", help=_h("demo"))
    p.add_argument("--company", default="Moja Firma", help=_h("company_name"))
    p.add_argument("--nip", default=None, help=_h("company_nip"))

    p = command(sub, "serve", cmd_serve, _h("serve"))
    p.add_argument("--host", default="127.0.0.1", help=_h("host"))
    p.add_argument("--port", type=whole_number, default=8080, help=_h("port"))
    p.add_argument("--max-body", type=whole_number, default=2 * 1024 * 1024,
                   help=_h("max_body"))
    p.add_argument("--log-level", default="info", help=_h("log_level"))
    p.add_argument("--company", default="Moja Firma", help=_h("company_name"))
    p.add_argument("--releases-dir", type=Path, default=None, help=_h("releases_dir_serve"))
    p.add_argument("--throttle", type=_throttle_limits, default="", help=t("cli.throttle.help"),
                   metavar=t("cli.throttle.metavar"))

    company = group("company", _h("company"))
    command(company, "get", cmd_company_get, _h("company_get"))
    p = command(company, "set", cmd_company_set, _h("company_set"))
    p.add_argument("--name", help=_h("company_name"))
    p.add_argument("--nip", help=_h("nip_clear"))
    p.add_argument("--address", help=_h("address"))

    vat = group("vat", _h("vat_table"))
    command(vat, "list", cmd_vat_list, _h("vat_list"))
    p = command(vat, "set", cmd_vat_set, _h("vat_set"))
    p.add_argument("letter", metavar=t("cli.mv.vat"), help=_h("vat_letter_arg"))
    p.add_argument("rate", metavar=t("cli.mv.vat_rate"), help=_h("vat_rate_arg"))

    terminal = group("terminal", _h("terminal"))
    p = command(terminal, "add", cmd_terminal_add, _h("terminal_add"))
    p.add_argument("--store", type=whole_number, required=True, help=_h("store_id"))
    p.add_argument("--name", default="", help=_h("terminal_name"))
    p.add_argument("--ttl-hours", type=decimal_number, default=24.0, help=_h("ttl_hours"))
    command(terminal, "list", cmd_terminal_list, _h("terminal_list"))
    p = command(terminal, "revoke", cmd_terminal_revoke, _h("terminal_revoke"))
    p.add_argument("terminal_id", metavar=t("cli.mv.terminal_id"), type=whole_number, help=_h("terminal_id"))
    p = command(terminal, "rename", cmd_terminal_rename, _h("terminal_rename"))
    p.add_argument("terminal_id", metavar=t("cli.mv.terminal_id"), type=whole_number, help=_h("terminal_id"))
    p.add_argument("name", metavar=t("cli.mv.name"), help=_h("terminal_name"))
    p = command(terminal, "clear-regressions", cmd_terminal_clear_regressions,
                t("tillsync.help_clear_regressions"))
    p.add_argument("terminal_id", metavar=t("cli.mv.terminal_id"), type=whole_number, help=_h("terminal_id"))
    p = command(terminal, "code", cmd_terminal_code, _h("terminal_code"))
    p.add_argument("terminal_id", metavar=t("cli.mv.terminal_id"), type=whole_number, help=_h("terminal_id"))
    p.add_argument("--ttl-hours", type=decimal_number, default=24.0, help=_h("ttl_hours"))

    store = group("store", _h("store"))
    p = command(store, "add", cmd_store_add, _h("store_add"))
    p.add_argument("name", metavar=t("cli.mv.name"), help=_h("store_name"))
    p.add_argument("--address", default=None, help=_h("address"))
    p.add_argument("--list", type=whole_number, default=None, help=_h("list_id"))
    p = command(store, "update", cmd_store_update, _h("store_update"))
    p.add_argument("store_id", metavar=t("cli.mv.store"), type=whole_number,
                   help=_h("store_id"))
    p.add_argument("--name", default=None, help=_h("store_name"))
    p.add_argument("--address", default=None, help=_h("address_clear"))
    command(store, "list", cmd_store_list, _h("store_list"))

    pricelist = group("pricelist", _h("pricelist"))
    p = command(pricelist, "add", cmd_pricelist_add, _h("pricelist_add"))
    p.add_argument("name", metavar=t("cli.mv.name"), help=_h("pricelist_name"))
    command(pricelist, "list", cmd_pricelist_list, _h("pricelist_list"))
    p = command(pricelist, "assign", cmd_pricelist_assign, _h("pricelist_assign"))
    p.add_argument("list_id", metavar=t("cli.mv.list_id"), type=whole_number, help=_h("list_id"))
    p.add_argument("--store", type=whole_number, required=True, help=_h("store_id"))

    vat_letters = ["A", "B", "C", "D", "E"]
    product = group("product", _h("product"))
    p = command(product, "add", cmd_product_add, _h("product_add"))
    p.add_argument("--name", required=True, help=_h("product_name"))
    p.add_argument("--plu", required=True, help=_h("plu"))
    p.add_argument("--vat", required=True, choices=vat_letters, help=_h("vat"))
    p.add_argument("--unit", default="szt.", help=_h("unit"))
    p.add_argument("--category", type=whole_number, default=None, help=_h("category_id"))
    p.add_argument("--kind", choices=["good", "service"], default="good", help=_h("kind"))
    p.add_argument("--open-price", action="store_true", help=_h("open_price"))
    p.add_argument("--deposit", help=_h("deposit"))
    p.add_argument("--barcode", action="append", help=_h("barcode"))
    p.add_argument("--price", help=_h("price"))
    p.add_argument("--list", type=whole_number, default=None, help=_h("list_of_price"))
    p = command(product, "update", cmd_product_update, _h("product_update"))
    p.add_argument("plu", metavar=t("cli.mv.plu"), help=_h("plu"))
    p.add_argument("--name", help=_h("product_name"))
    p.add_argument("--new-plu", help=_h("new_plu"))
    p.add_argument("--vat", choices=vat_letters, help=_h("vat"))
    p.add_argument("--unit", help=_h("unit"))
    p.add_argument("--category", help=_h("category_or_none"))
    p.add_argument("--kind", choices=["good", "service"], help=_h("kind"))
    p.add_argument("--deposit", help=_h("deposit"))
    price_mode = p.add_mutually_exclusive_group()
    price_mode.add_argument("--open-price", action="store_true", help=_h("open_price"))
    price_mode.add_argument("--fixed-price", action="store_true", help=_h("fixed_price"))
    state = p.add_mutually_exclusive_group()
    state.add_argument("--active", action="store_true", help=_h("active"))
    state.add_argument("--inactive", action="store_true", help=_h("inactive"))
    codes = p.add_mutually_exclusive_group()
    codes.add_argument("--barcode", action="append", help=_h("barcode_replace"))
    codes.add_argument("--no-barcodes", action="store_true", help=_h("no_barcodes"))
    p.add_argument("--price", help=_h("price"))
    p.add_argument("--list", type=whole_number, default=None, help=_h("list_of_price"))
    _yes(p)
    p = command(product, "delete", cmd_product_delete, _h("product_delete"))
    p.add_argument("plu", metavar=t("cli.mv.plu"), help=_h("plu"))
    p = command(product, "list", cmd_product_list, _h("product_list"))
    p.add_argument("--search", help=_h("search"))
    p.add_argument("--limit", type=whole_number, default=None, help=_h("limit"))

    price = group("price", _h("price_group"))
    p = command(price, "set", cmd_price_set, _h("price_set"))
    p.add_argument("--plu", required=True, help=_h("plu"))
    p.add_argument("--price", required=True, help=_h("price"))
    p.add_argument("--list", type=whole_number, default=None, help=_h("list_of_price"))
    _yes(p)
    p = command(price, "remove", cmd_price_remove, _h("price_remove"))
    p.add_argument("--plu", required=True, help=_h("plu"))
    p.add_argument("--list", type=whole_number, default=None, help=_h("list_of_price"))

    category = group("category", _h("category"))
    p = command(category, "add", cmd_category_add, _h("category_add"))
    p.add_argument("name", metavar=t("cli.mv.name"), help=_h("category_name"))
    p.add_argument("--parent", type=whole_number, default=None, help=_h("parent"))
    command(category, "list", cmd_category_list, _h("category_list"))
    p = command(category, "update", cmd_category_update, _h("category_update"))
    p.add_argument("category_id", metavar=t("cli.mv.category"), type=whole_number,
                   help=_h("category_id"))
    p.add_argument("--name", default=None, help=_h("category_name"))
    parent = p.add_mutually_exclusive_group()
    parent.add_argument("--parent", type=whole_number, default=None, help=_h("parent"))
    parent.add_argument("--no-parent", action="store_true", help=_h("no_parent"))
    p = command(category, "delete", cmd_category_delete, _h("category_delete"))
    p.add_argument("category_id", metavar=t("cli.mv.category"), type=whole_number,
                   help=_h("category_id"))

    unit = group("unit", _h("unit_group"))
    p = command(unit, "add", cmd_unit_add, _h("unit_add"))
    p.add_argument("name", metavar=t("cli.mv.name"), help=_h("unit_name"))
    p.add_argument("--precision", type=int, choices=[0, 1, 2, 3], default=0,
                   help=_h("unit_precision"))
    p = command(unit, "rename", cmd_unit_rename, _h("unit_rename"))
    p.add_argument("unit", metavar=t("cli.mv.unit"), help=_h("unit_old"))
    p.add_argument("new_name", metavar=t("cli.mv.name"), help=_h("unit_name"))
    command(unit, "list", cmd_unit_list, _h("unit_list"))

    payment_kinds = ["cash", "card", "voucher", "transfer", "other"]
    payment = group("payment-method", _h("payment"))
    p = command(payment, "add", cmd_payment_add, _h("payment_add"))
    p.add_argument("code", metavar=t("cli.mv.code"), help=_h("payment_code"))
    p.add_argument("--name", required=True, help=_h("payment_name"))
    p.add_argument("--kind", choices=payment_kinds, default="other", help=_h("payment_kind"))
    p.add_argument("--gives-change", action="store_true", help=_h("gives_change"))
    p.add_argument("--opens-drawer", action="store_true", help=_h("opens_drawer"))
    p.add_argument("--position", type=whole_number, default=0, help=_h("position"))
    p = command(payment, "update", cmd_payment_update, _h("payment_update"))
    p.add_argument("code", metavar=t("cli.mv.code"), help=_h("payment_code"))
    p.add_argument("--name", help=_h("payment_name"))
    p.add_argument("--kind", choices=payment_kinds, help=_h("payment_kind"))
    p.add_argument("--position", type=whole_number, help=_h("position"))
    for yes, no, base in (("--gives-change", "--no-change", "gives_change"),
                          ("--opens-drawer", "--no-drawer", "opens_drawer"),
                          ("--active", "--inactive", "active")):
        pair = p.add_mutually_exclusive_group()
        pair.add_argument(yes, action="store_true", help=_h(base))
        pair.add_argument(no, action="store_true", help=_h(f"not_{base}"))
    command(payment, "list", cmd_payment_list, _h("payment_list"))

    discount = group("discount", _h("discount"))
    p = command(discount, "add", cmd_discount_add, _h("discount_add"))
    p.add_argument("--name", required=True, help=_h("discount_name"))
    amount = p.add_mutually_exclusive_group(required=True)
    amount.add_argument("--percent", help=_h("percent"))
    amount.add_argument("--amount", help=_h("amount"))
    p.add_argument("--scope", choices=["line", "receipt"], default="line", help=_h("scope"))
    p = command(discount, "delete", cmd_discount_delete, _h("discount_delete"))
    p.add_argument("discount_id", metavar=t("cli.mv.discount_id"), type=whole_number, help=_h("discount_id"))
    command(discount, "list", cmd_discount_list, _h("discount_list"))

    user = group("user", _h("user"))
    p = command(user, "add", cmd_user_add, _h("user_add"))
    p.add_argument("--identifier", required=True, help=_h("identifier"))
    p.add_argument("--name", required=True, help=_h("user_name"))
    p.add_argument("--pin", required=True, help=_h("pin"))
    p.add_argument("--role", choices=ROLES, default="cashier", help=_h("role"))
    p.add_argument("--permissions", help=_h("permissions") + " " + ",".join(PERMISSIONS))
    p = command(user, "update", cmd_user_update, _h("user_update"))
    p.add_argument("identifier", metavar=t("cli.mv.identifier"), help=_h("identifier"))
    p.add_argument("--name", help=_h("user_name"))
    p.add_argument("--pin", help=_h("pin"))
    p.add_argument("--role", choices=ROLES, help=_h("role"))
    p.add_argument("--permissions", help=_h("permissions") + " " + ",".join(PERMISSIONS))
    state = p.add_mutually_exclusive_group()
    state.add_argument("--active", action="store_true", help=_h("active"))
    state.add_argument("--inactive", action="store_true", help=_h("inactive"))
    p = command(user, "deactivate", cmd_user_deactivate, _h("user_deactivate"))
    p.add_argument("identifier", metavar=t("cli.mv.identifier"), help=_h("identifier"))
    command(user, "list", cmd_user_list, _h("user_list"))
    p = command(user, "web-password", cmd_user_web_password, _h("user_web_password"))
    p.add_argument("identifier", metavar=t("cli.mv.identifier"), help=_h("identifier"))
    p = command(user, "stores", cmd_user_stores, _h("user_stores"))
    p.add_argument("identifier", metavar=t("cli.mv.identifier"), help=_h("identifier"))
    p.add_argument("--set", dest="stores", metavar="1,2", help=_h("user_stores_set"))
    command(user, "rotate-pin-key", cmd_user_rotate_pin_key, _h("user_rotate_pin_key"))

    settings = group("settings", _h("settings") + " " + ", ".join(SETTINGS))
    p = command(settings, "get", cmd_settings_get, _h("settings_get"))
    p.add_argument("key", metavar=t("cli.mv.key"), nargs="?", help=_h("setting_key"))
    p = command(settings, "set", cmd_settings_set, _h("settings_set"))
    p.add_argument("key", metavar=t("cli.mv.key"), choices=list(SETTINGS), help=_h("setting_key"))
    p.add_argument("value", metavar=t("cli.mv.value"), help=_h("setting_value"))

    p = command(sub, "import-csv", cmd_import_csv, _h("import_csv"))
    p.epilog = _h("import_csv_epilog")
    p.add_argument("file", metavar=t("cli.mv.file"), help=_h("csv_in"))
    p.add_argument("--list", type=whole_number, default=None, help=_h("csv_list"))
    _yes(p)
    p = command(sub, "export-csv", cmd_export_csv, _h("export_csv"))
    p.add_argument("file", metavar=t("cli.mv.file"), help=_h("csv_out"))
    p.add_argument("--list", type=whole_number, default=None, help=_h("csv_list"))

    transactions = sub.add_parser("transactions", help=_h("transactions"),
                                  description=_h("transactions"),
                                  formatter_class=HelpFormatter)
    tsub = transactions.add_subparsers(dest="transactions_command", required=True,
                                       metavar=t("cli.mv.action"))
    p = command(tsub, "list", cmd_transactions_list, _h("transactions_list"))
    p.add_argument("--store", type=whole_number, help=_h("store_id"))
    p.add_argument("--terminal", type=whole_number, help=_h("terminal_id"))
    p.add_argument("--day", type=_day, help=_h("day"))
    p.add_argument("--type", choices=["receipt", "sale_invoice", "return", "cash_operation", "cash_report",
                                      "daily_report", "invoice"], help=_h("doc_type"))
    p.add_argument("--kind", choices=["paragon", "faktura", "paragon_nip", "in", "out", "state",
                                      "shift_close"], help=_h("doc_kind"))
    p.add_argument("--nip", help=_h("buyer_nip"))
    p.add_argument("--limit", type=whole_number, default=100, help=_h("limit"))
    quarantine = tsub.add_parser("quarantine", help=_h("quarantine"),
                                 description=_h("quarantine"), formatter_class=HelpFormatter)
    qsub = quarantine.add_subparsers(dest="quarantine_command", required=True,
                                     metavar=t("cli.mv.action"))
    p = command(qsub, "list", cmd_quarantine_list, _h("quarantine_list"))
    p.add_argument("--all", action="store_true", help=_h("quarantine_all"))
    p = command(qsub, "release", cmd_quarantine_release, _h("quarantine_release"))
    p.add_argument("quarantine_id", metavar=t("cli.mv.quarantine_id"), type=whole_number, help=_h("quarantine_id"))

    invoice = group("invoice", t("invoices2.cli_invoice"))
    p = command(invoice, "list", cmd_invoice_list, t("invoices2.cli_invoice_list"))
    p.add_argument("--store", type=whole_number, help=_h("store_id"))
    p.add_argument("--terminal", type=whole_number, help=_h("terminal_id"))
    p.add_argument("--from", dest="start", type=_day, help=t("invoices2.cli_from"))
    p.add_argument("--to", dest="end", type=_day, help=t("invoices2.cli_to"))
    p.add_argument("--nip", help=_h("buyer_nip"))
    p.add_argument("--limit", type=whole_number, default=100, help=_h("limit"))

    report = group("report", _h("report"))
    p = command(report, "sales", cmd_report_sales, _h("report_sales"))
    p.add_argument("--day", type=_day, default=date.today(), help=_h("report_day"))
    p.add_argument("--store", type=whole_number, default=None, help=_h("store_id"))

    _release_parsers(group("release", _h("release")), command)

    tombstones = group("tombstones", _h("tombstones"))
    p = command(tombstones, "purge", cmd_tombstones_purge, _h("tombstones_purge"))
    p.add_argument("--older-than-days", type=decimal_number, default=90.0,
                   help=_h("older_than_days"))
    return parser


def _release_parsers(release: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    p = command(release, "keygen", cmd_release_keygen, _h("keygen"))
    p.add_argument("--out", type=Path, required=True, help=_h("keygen_out"))
    p.add_argument("--name", default="release", help=_h("keygen_name"))
    p = command(release, "publish", cmd_release_publish, _h("publish"))
    p.epilog = _h("publish_epilog")
    p.add_argument("wheel", type=Path, metavar="DIST.whl", help=_h("wheel"))
    p.add_argument("--key", type=Path, required=True, help=_h("private_key"))
    p.add_argument("--channel", default="stable", help=_h("channel"))
    p.add_argument("--expires-days", type=decimal_number, default=30.0, help=_h("expires_days"))
    source = p.add_mutually_exclusive_group()
    source.add_argument("--wheelhouse-from", type=Path, default=None, metavar=t("cli.mv.dir"),
                        help=_h("wheelhouse_from"))
    source.add_argument("--no-deps", action="store_true", help=_h("no_deps"))
    p.add_argument("--find-links", action="append", metavar=t("cli.mv.dir"),
                   help=_h("find_links"))
    p.add_argument("--pip-arg", action="append", metavar="ARG", help=_h("pip_arg"))
    p.add_argument("--releases-dir", type=Path, default=None, help=_h("releases_dir"))
    p = command(release, "list", cmd_release_list, _h("release_list"))
    p.add_argument("--releases-dir", type=Path, default=None, help=_h("releases_dir"))


# ------------------------------------------------------------------ errors


def _param_text(value: Any) -> Any:
    """A message parameter as a person reads it (lists joined, None as "-")."""
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(v) for v in value) or "-"
    if value is None:
        return "-"
    return value


def message(key: str, params: dict[str, Any]) -> str:
    """The readable text of a refusal: the command line's own wording (``cli.KEY``)
    when it has one, else the shared catalogue text, never the bare key."""
    shown = {k: _param_text(v) for k, v in params.items()}
    for candidate in (f"cli.{key}", key):
        if has_key(candidate):
            return t(candidate, **shown)
    details = ", ".join(f"{k}: {v}" for k, v in shown.items())
    return t("cli.bo.refused_unknown", details=details or "-")


def _error_text(exc: DomainError) -> str:
    """``ipos-backoffice: <readable reason>``; an import lists every bad row."""
    if exc.key == "err.import_failed":
        rows = [t("cli.bo.import_row", line=e["line"], reason=message(e["key"], e["params"]))
                for e in exc.params["errors"]]
        return "ipos-backoffice: " + t("cli.bo.import_failed", count=exc.params["count"]) + \
            "\n" + "\n".join(rows)
    return "ipos-backoffice: " + message(exc.key, exc.params)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``ipos-backoffice``; returns the exit code."""
    arguments = sys.argv[1:] if argv is None else argv
    with cli_texts(language_option(arguments) or locale_language()):
        return _main(arguments)


def _main(argv: list[str]) -> int:
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
            print(json.dumps({"error": exc.key, "params": exc.params,
                              "message": message(exc.key, exc.params)},
                             ensure_ascii=False, default=str))
        else:
            print(_error_text(exc), file=sys.stderr)
        return 1
    except CliError as exc:
        print(f"ipos-backoffice: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file to import or write, a directory for keys
        print("ipos-backoffice: " + t("cli.bo.file_error", file=exc.filename or "-",
                                      reason=exc.strerror or exc), file=sys.stderr)
        return 1
    finally:
        office.db.close()
    return 0


def _require_schema(office: BackOffice) -> None:
    from ipos_tui.backoffice.migrations import LATEST_VERSION, current_version

    if current_version(office.db) < LATEST_VERSION or not office.has_company():
        raise CliError(t("cli.bo.not_initialised"))


if __name__ == "__main__":
    sys.exit(main())
