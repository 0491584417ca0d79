"""Stores, their price lists, their terminals, and the VAT (PTU) table."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from ipos_tui.backoffice import numbering
from ipos_tui.backoffice.security import group_code
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.domain.vat import parse_vat_rate, rate_text
from ipos_tui.i18n import t
from ipos_tui.i18n.cli import decimal_number, whole_number

from .commands import arg, command
from .output import print_table, says, table, times


def _print_vat(rows: list[dict[str, Any]]) -> None:
    print_table([{"letter": r["letter"], "rate": rate_text(r["rate_bp"])} for r in rows],
                ["letter", "rate"])


def _add_terminal(office: BackOffice, args: argparse.Namespace) -> Any:
    terminal_id, code = office.add_terminal(args.store, args.name, timedelta(hours=args.ttl_hours))
    return {"terminal_id": terminal_id, "store_id": args.store, "code": code,
            "expires_in_hours": args.ttl_hours}


def _print_terminals(rows: list[dict[str, Any]]) -> None:
    notes = t("tillsync.col_numbering")  # gaps and regressions of its numbering
    flat = [{**r, "last_pull": {k: v["at"] for k, v in r["last_pull"].items()},
             notes: "; ".join(numbering.issue_text(issue, issue["since"], t)
                              for issue in r["numbering"]) or None}
            for r in rows]
    print_table(flat, ["id", "store_id", "name", "status", "last_seen", "app_version",
                       "pending_count", "last_pull", notes])


def _rename_terminal(office: BackOffice, args: argparse.Namespace) -> Any:
    office.rename_terminal(args.terminal_id, args.name)
    return {"terminal_id": args.terminal_id, "name": args.name.strip()}


def _revoke_terminal(office: BackOffice, args: argparse.Namespace) -> Any:
    office.revoke_terminal(args.terminal_id)
    return {"terminal_id": args.terminal_id, "status": "revoked"}


def _update_store(office: BackOffice, args: argparse.Namespace) -> Any:
    office.update_store(args.store_id, name=args.name, address=args.address)
    return office.get_store(args.store_id)


def _assign_price_list(office: BackOffice, args: argparse.Namespace) -> Any:
    office.assign_price_list(args.store, args.list_id)
    return {"store_id": args.store, "price_list_id": args.list_id}


def _terminal_id() -> Any:
    return arg("terminal_id", mv="terminal_id", type=whole_number, help="terminal_id")


def _ttl_hours() -> Any:
    return arg("--ttl-hours", type=decimal_number, default=24.0, help="ttl_hours")


COMMANDS = (
    command("vat", "list", help="vat_list", show=_print_vat,
            call=lambda office, args: office.list_vat_rates()),
    command("vat", "set", help="vat_set",
            call=lambda office, args: office.set_vat_rate(
                args.letter, parse_vat_rate(args.letter, args.rate)),
            show=says("cli.bo.vat_set", letter="letter", rate=lambda r: rate_text(r["rate_bp"])),
            args=(arg("letter", mv="vat", help="vat_letter_arg"),
                  arg("rate", mv="vat_rate", help="vat_rate_arg"))),

    command("terminal", "add", help="terminal_add", call=_add_terminal,
            show=says("cli.bo.terminal_added", terminal="terminal_id", store="store_id",
                      code=lambda r: group_code(r["code"]),
                      hours=lambda r: times(r["expires_in_hours"])),
            args=(arg("--store", type=whole_number, required=True, help="store_id"),
                  arg("--name", default="", help="terminal_name"),
                  _ttl_hours())),
    command("terminal", "list", help="terminal_list", show=_print_terminals,
            call=lambda office, args: office.list_terminals()),
    command("terminal", "revoke", help="terminal_revoke", call=_revoke_terminal,
            show=says("cli.bo.terminal_revoked", terminal="terminal_id"), args=(_terminal_id(),)),
    command("terminal", "rename", help="terminal_rename", call=_rename_terminal,
            show=says("cli.bo.terminal_renamed", terminal="terminal_id", name="name"),
            args=(_terminal_id(), arg("name", mv="name", help="terminal_name"))),
    command("terminal", "clear-regressions", help="tillsync.help_clear_regressions",
            call=lambda office, args: {
                "terminal_id": args.terminal_id,
                "cleared": office.clear_numbering_regressions(args.terminal_id)},
            show=says("tillsync.regressions_cleared", terminal="terminal_id", count="cleared"),
            args=(_terminal_id(),)),
    command("terminal", "code", help="terminal_code",
            call=lambda office, args: {
                "terminal_id": args.terminal_id,
                "code": office.new_activation_code(args.terminal_id,
                                                   timedelta(hours=args.ttl_hours))},
            show=says("cli.bo.terminal_code", terminal="terminal_id",
                      code=lambda r: group_code(r["code"])),
            args=(_terminal_id(), _ttl_hours())),

    command("store", "add", help="store_add",
            call=lambda office, args: {
                "store_id": office.add_store(args.name, args.address, args.list)},
            show=says("cli.bo.store_added", store="store_id"),
            args=(arg("name", mv="name", help="store_name"),
                  arg("--address", default=None, help="address"),
                  arg("--list", type=whole_number, default=None, help="list_id"))),
    command("store", "update", help="store_update", call=_update_store,
            show=says("cli.bo.store_updated", store="id"),
            args=(arg("store_id", mv="store", type=whole_number, help="store_id"),
                  arg("--name", default=None, help="store_name"),
                  arg("--address", default=None, help="address_clear"))),
    command("store", "list", help="store_list", show=table("id", "name", "address", "price_list_id"),
            call=lambda office, args: office.list_stores()),

    command("pricelist", "add", help="pricelist_add",
            call=lambda office, args: {"price_list_id": office.add_price_list(args.name)},
            show=says("cli.bo.pricelist_added", list="price_list_id"),
            args=(arg("name", mv="name", help="pricelist_name"),)),
    command("pricelist", "list", help="pricelist_list", show=table("id", "name"),
            call=lambda office, args: office.list_price_lists()),
    command("pricelist", "assign", help="pricelist_assign", call=_assign_price_list,
            show=says("cli.bo.pricelist_assigned", store="store_id", list="price_list_id"),
            args=(arg("list_id", mv="list_id", type=whole_number, help="list_id"),
                  arg("--store", type=whole_number, required=True, help="store_id"))),
)

GROUPS = {
    ("vat",): "vat_table",
    ("terminal",): "terminal",
    ("store",): "store",
    ("pricelist",): "pricelist",
}
