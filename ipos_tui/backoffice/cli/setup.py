"""Setting the back office up and running it: ``init`` (``--demo``), ``serve``,
``company``, ``settings``, ``tombstones``."""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path
from typing import Any

from ipos_tui.backoffice.services import SETTINGS, BackOffice
from ipos_tui.domain.errors import DomainError
from ipos_tui.i18n import t
from ipos_tui.i18n.cli import decimal_number, whole_number

from .commands import arg, command, help_text
from .inputs import throttle_limits
from .output import cell, emit, print_fields, print_settings, says


def init(office: BackOffice, args: argparse.Namespace) -> Any:
    applied = office.init_schema()
    had_company = office.has_company()
    if not had_company and not args.demo:  # the demo brings its own company
        office.create_company(args.company, nip=args.nip)
    result: dict[str, Any] = {"migrations_applied": applied}
    if args.demo:
        from ipos_tui.demo.backoffice import seed_demo

        result["demo"] = seed_demo(office)
    result["company_created"] = not had_company

    def text(r: dict[str, Any]) -> None:
        applied = ", ".join(str(v) for v in r["migrations_applied"]) or t("cli.bo.none_applied")
        print(t("cli.bo.schema_ready", applied=applied))
        if "demo" in r:
            demo = {k: v for k, v in r["demo"].items() if not k.startswith("web_")}
            print(t("cli.bo.demo_shop", demo=cell(demo)))
            print(t("cli.bo.demo_web", login=r["demo"]["web_login"],
                    password=r["demo"]["web_password"]))

    emit(args, result, text)
    return result


def serve(office: BackOffice, args: argparse.Namespace) -> Any:
    from ipos_tui.backoffice import serving
    from ipos_tui.backoffice.db import default_db_url

    config = serving.ServeConfig(
        db_url=getattr(args, "db", None) or default_db_url(), host=args.host, port=args.port, workers=args.workers,
        max_body=args.max_body, releases_dir=str(args.releases_dir) if args.releases_dir else None,
        throttle=args.throttle.text(), log_level=args.log_level)
    serving.check_workers(config.db_url, config.workers)  # before anything is written
    office.init_schema()
    if not office.has_company():
        office.create_company(args.company)
    office.db.close()  # the workers open their own connections
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(t("cli.bo.serving_web", url=f"http://{host}:{args.port}/"), flush=True)
    if config.workers > 1:
        print(t("cli.bo.serving_workers", workers=config.workers), flush=True)
    serving.run(config)
    return None


def _set_company(office: BackOffice, args: argparse.Namespace) -> Any:
    office.update_company(args.name, args.nip, args.address)
    return office.get_company()


def _get_settings(office: BackOffice, args: argparse.Namespace) -> Any:
    values = office.get_settings()
    if args.key is not None:
        if args.key not in values:
            raise DomainError("err.setting_unknown", setting=args.key)
        values = {args.key: values[args.key]}
    return values


def _set_setting(office: BackOffice, args: argparse.Namespace) -> Any:
    office.set_setting(args.key, office.parse_setting(args.key, args.value))
    return {args.key: office.get_settings()[args.key]}


COMMANDS = (
    command("init", help="init", handler=init, needs_schema=False, args=(
        arg("--demo", action="store_true", help="demo"),
        arg("--company", default="Moja Firma", help="company_name"),
        arg("--nip", default=None, help="company_nip"))),
    command("serve", help="serve", handler=serve, needs_schema=False, args=(
        arg("--host", default="127.0.0.1", help="host"),
        arg("--port", type=whole_number, default=8080, help="port"),
        arg("--workers", type=whole_number, default=1, help="workers"),
        arg("--max-body", type=whole_number, default=2 * 1024 * 1024, help="max_body"),
        arg("--log-level", default="info", help="log_level"),
        arg("--company", default="Moja Firma", help="company_name"),
        arg("--releases-dir", type=Path, default=None, help="releases_dir_serve"),
        arg("--throttle", type=throttle_limits, default="", help="cli.throttle.help",
            mv="cli.throttle.metavar"))),
    command("company", "get", help="company_get", show=print_fields,
            call=lambda office, args: office.get_company()),
    command("company", "set", help="company_set", show=print_fields, call=_set_company, args=(
        arg("--name", help="company_name"),
        arg("--nip", help="nip_clear"),
        arg("--address", help="address"))),
    command("settings", "get", help="settings_get", show=print_settings, call=_get_settings,
            args=(arg("key", mv="key", nargs="?", help="setting_key"),)),
    command("settings", "set", help="settings_set", show=print_settings, call=_set_setting,
            args=(arg("key", mv="key", choices=list(SETTINGS), help="setting_key"),
                  arg("value", mv="value", help="setting_value"))),
    command("tombstones", "purge", help="tombstones_purge",
            call=lambda office, args: {"purged": office.purge_tombstones(
                timedelta(days=args.older_than_days))},
            show=says("cli.bo.tombstones_purged", n="purged"),
            args=(arg("--older-than-days", type=decimal_number, default=90.0,
                      help="older_than_days"),)),
)

GROUPS = {
    ("company",): "company",
    ("settings",): lambda: help_text("settings") + " " + ", ".join(SETTINGS),
    ("tombstones",): "tombstones",
}
