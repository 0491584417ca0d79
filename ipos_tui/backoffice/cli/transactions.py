"""What the tills sent: transactions, invoices, the quarantine, the daily sales report."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from ipos_tui.backoffice import documents
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.i18n import t
from ipos_tui.i18n.cli import whole_number

from .commands import Arg, arg, command
from .inputs import CliError, day
from .output import emit, money, print_table, says, table


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


def _list_transactions(office: BackOffice, args: argparse.Namespace) -> Any:
    return documents.list_transactions(office, store_id=args.store, terminal_id=args.terminal,
                                    day=args.day, doc_type=args.type, kind=args.kind,
                                    buyer_nip=args.nip, limit=args.limit)


def _print_transactions(rows: list[dict[str, Any]]) -> None:
    print_table(
        [{**x, "total": money(x["total"]), "original": _original(x), "cashier": _cashier(x),
          "authorised_by": _authorised_by(x)}
         for x in rows],
        ["id", "type", "kind", "terminal_id", "number", "store_id", "created_at", "total",
         "cashier", "authorised_by", "buyer_nip", "original", "warnings"])


def _list_invoices(office: BackOffice, args: argparse.Namespace) -> Any:
    """Invoices sold at the tills, invoices for earlier receipts and correcting invoices."""
    return documents.list_invoices(office, store_id=args.store, terminal_id=args.terminal,
                                start=args.start, end=args.end, buyer_nip=args.nip,
                                limit=args.limit)


def _print_invoices(found: list[dict[str, Any]]) -> None:
    columns = ("number", "kind", "day", "terminal", "buyer", "total", "refers_to")
    print_table([
        {t(f"invoices2.col_{key}"): value for key, value in zip(columns, (
            x["number"], t(f"invoices2.kind_{x['invoice']}"), x["day"], x["terminal_id"],
            x["buyer_nip"], money(x["total"]),
            x["corrects"] if x["invoice"] == "correction" else
            f"K{x['receipt_terminal_id']}-{x['receipt_number']:06d}"), strict=True)}
        for x in found
    ], [t(f"invoices2.col_{key}") for key in columns])


def report_sales(office: BackOffice, args: argparse.Namespace) -> Any:
    result = documents.sales_report(office, args.day, args.store)
    names = {m["code"]: m["name"] for m in office.list_payment_methods()}

    def text(r: dict[str, Any]) -> None:
        print(t("cli.bo.report_title", day=r["day"]) + (
            t("cli.bo.report_store", store=r["store_id"]) if r["store_id"] else ""))
        print(t("cli.bo.report_receipts", n=r["receipts"], total=money(r["receipts_total"])))
        print(t("cli.bo.report_returns", n=r["returns"], total=money(r["returns_total"])))
        print(t("cli.bo.report_net", total=money(r["net_sales"])))
        # sales and returns per letter apart (never negative), then the net per letter
        for key, part in (("vatdocs.cli_sales_vat", "vat_sales"), ("vatdocs.cli_returns_vat", "vat_returns")):
            for letter, v in r.get(part, {}).items():
                print(t(key, letter=letter, gross=money(v["gross"]), vat=money(v["vat"])))
        for letter, v in r["vat"].items():
            print(t("cli.bo.report_vat", letter=letter, gross=money(v["gross"]),
                    vat=money(v["vat"]), net=money(v["net"])))
        for method, amount in r["payments"].items():
            print(t("cli.bo.report_paid", method=names.get(method, method), amount=money(amount)))
        print(t("cli.bo.report_cash", cash_in=money(r["cash_in"]), cash_out=money(r["cash_out"])))
        if r.get("deposits_collected") or r.get("deposits_returned"):  # outside sales and VAT
            print(t("cli.bo.report_deposits", collected=money(r["deposits_collected"]),
                    returned=money(r["deposits_returned"])))
        for close in r["shift_closes"]:
            print(_shift_close(close))
        for report in r["daily_reports"]:
            print(t("cli.bo.report_daily", number=report["number"],
                    terminal=report["terminal_id"], receipts=report["receipts"],
                    total=money(report["total"])))

    emit(args, result, text)
    return result


def _shift_close(close: dict[str, Any]) -> str:
    """One shift close of ``report sales``: expected and counted cash, the difference."""
    head = t("cli.bo.report_shift_close", number=close["number"], terminal=close["terminal_id"],
             cashier=close["cashier"] or "-", expected=money(close["expected"]))
    if close["counted"] is None:
        return head + t("cli.bo.report_not_counted")
    difference = close["difference"]
    word = "surplus" if difference > 0 else "shortage" if difference < 0 else "exact"
    return head + t(f"cli.bo.report_counted_{word}", counted=money(close["counted"]),
                    difference=money(abs(difference)))


def import_unsent(office: BackOffice, args: argparse.Namespace) -> Any:
    """A till's ``ipos-tui export-unsent`` file, stored as that till sent it."""
    text = (sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes())
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError:
        raise CliError(t("cli.bo.import_unsent_not_utf8", file=args.file)) from None
    result = documents.ingest_export(office, args.terminal,
                                     documents.read_export_lines(decoded))
    emit(args, result, says("cli.bo.import_unsent_done", n="documents", terminal="terminal_id",
                            accepted="accepted", duplicate="duplicate", rejected="rejected"))
    return result


def _where() -> tuple[Arg, Arg]:
    return (arg("--store", type=whole_number, help="store_id"),
            arg("--terminal", type=whole_number, help="terminal_id"))


def _limit() -> Arg:
    return arg("--limit", type=whole_number, default=100, help="limit")


COMMANDS = (
    command("transactions", "list", help="transactions_list", call=_list_transactions,
            show=_print_transactions, args=(
                *_where(),
                arg("--day", type=day, help="day"),
                arg("--type", choices=["receipt", "sale_invoice", "return", "cash_operation",
                                       "cash_report", "daily_report", "invoice"], help="doc_type"),
                arg("--kind", choices=["paragon", "faktura", "paragon_nip", "in", "out", "state",
                                       "shift_close"], help="doc_kind"),
                arg("--nip", help="buyer_nip"),
                _limit())),
    command("transactions", "quarantine", "list", help="quarantine_list",
            call=lambda office, args: documents.list_quarantine(office, include_released=args.all),
            show=table("id", "terminal_id", "uuid", "reason", "received_at", "released_at"),
            args=(arg("--all", action="store_true", help="quarantine_all"),)),
    command("transactions", "quarantine", "release", help="quarantine_release",
            call=lambda office, args: documents.release_quarantine(office, args.quarantine_id),
            show=says("cli.bo.quarantine_released", id="id", status="status",
                      transaction="transaction_id"),
            args=(arg("quarantine_id", mv="quarantine_id", type=whole_number,
                      help="quarantine_id"),)),
    command("transactions", "import-unsent", help="import_unsent", handler=import_unsent,
            args=(arg("file", mv="file", help="import_unsent_file"),
                  arg("--terminal", type=whole_number, required=True, help="terminal_id"))),
    command("invoice", "list", help="invoices2.cli_invoice_list", call=_list_invoices,
            show=_print_invoices, args=(
                *_where(),
                arg("--from", dest="start", type=day, help="invoices2.cli_from"),
                arg("--to", dest="end", type=day, help="invoices2.cli_to"),
                arg("--nip", help="buyer_nip"),
                _limit())),
    command("report", "sales", help="report_sales", handler=report_sales,
            args=(arg("--day", type=day, default_factory=date.today, help="report_day"),
                  arg("--store", type=whole_number, default=None, help="store_id"))),
)

GROUPS = {
    ("transactions",): "transactions",
    ("transactions", "quarantine"): "quarantine",
    ("invoice",): "invoices2.cli_invoice",
    ("report",): "report",
}
