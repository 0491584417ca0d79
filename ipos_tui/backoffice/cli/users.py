"""The staff: cashiers and managers, their PINs, web passwords and stores."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ipos_tui.backoffice.services import PERMISSIONS, ROLES, BackOffice
from ipos_tui.domain.errors import DomainError
from ipos_tui.i18n import t

from .commands import Arg, arg, command, help_text, one_of
from .inputs import flag, ids
from .output import emit, says, table


def _permissions(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [p.strip() for p in text.split(",") if p.strip()]


def _add_user(office: BackOffice, args: argparse.Namespace) -> Any:
    user_id = office.add_user(args.identifier, args.name, args.pin, args.role,
                              _permissions(args.permissions) or [])
    return {"user_id": user_id, "identifier": args.identifier}


def _update_user(office: BackOffice, args: argparse.Namespace) -> Any:
    office.update_user(args.identifier, name=args.name, pin=args.pin, role=args.role,
                       permissions=_permissions(args.permissions),
                       active=flag(args, "active", "inactive"))
    return {"identifier": args.identifier, "updated": True}


def _deactivate_user(office: BackOffice, args: argparse.Namespace) -> Any:
    office.deactivate_user(args.identifier)
    return {"identifier": args.identifier, "active": False}


def web_password(office: BackOffice, args: argparse.Namespace) -> Any:
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
    emit(args, result, says("cli.bo.web_password_set", identifier="identifier"))
    return result


def _user_stores(office: BackOffice, args: argparse.Namespace) -> Any:
    if args.stores is not None:
        office.set_user_stores(args.identifier, ids(args.stores))
    return {"identifier": args.identifier, "stores": office.user_store_ids(args.identifier)}


def _rotate_pin_key(office: BackOffice, args: argparse.Namespace) -> Any:
    version = office.rotate_pin_key()
    return {"pin_key_version": version, "old_key_pins": office.old_key_pins()}


def _print_rotation(r: dict[str, Any]) -> None:
    print(t("cli.bo.pin_key_rotated", version=r["pin_key_version"]))
    if r["old_key_pins"]:
        print(t("cli.bo.pin_key_old_pins", identifiers=", ".join(r["old_key_pins"])))


def _identifier() -> Arg:
    return arg("identifier", mv="identifier", help="identifier")


def _permissions_help() -> str:
    return help_text("permissions") + " " + ",".join(PERMISSIONS)


COMMANDS = (
    command("user", "add", help="user_add", call=_add_user,
            show=says("cli.bo.user_added", identifier="identifier"), args=(
                arg("--identifier", required=True, help="identifier"),
                arg("--name", required=True, help="user_name"),
                arg("--pin", required=True, help="pin"),
                arg("--role", choices=ROLES, default="cashier", help="role"),
                arg("--permissions", help=_permissions_help))),
    command("user", "update", help="user_update", call=_update_user,
            show=says("cli.bo.user_updated", identifier="identifier"), args=(
                _identifier(),
                arg("--name", help="user_name"),
                arg("--pin", help="pin"),
                arg("--role", choices=ROLES, help="role"),
                arg("--permissions", help=_permissions_help),
                one_of(arg("--active", action="store_true", help="active"),
                       arg("--inactive", action="store_true", help="inactive")))),
    command("user", "deactivate", help="user_deactivate", call=_deactivate_user,
            show=says("cli.bo.user_deactivated", identifier="identifier"), args=(_identifier(),)),
    command("user", "list", help="user_list",
            show=table("identifier", "name", "role", "permissions", "active"),
            call=lambda office, args: office.list_users()),
    command("user", "web-password", help="user_web_password", handler=web_password,
            args=(_identifier(),)),
    command("user", "stores", help="user_stores", call=_user_stores,
            show=says("cli.bo.user_stores", identifier="identifier",
                      stores=lambda r: ", ".join(map(str, r["stores"])) or "-"),
            args=(_identifier(),
                  arg("--set", dest="stores", metavar="1,2", help="user_stores_set"))),
    command("user", "rotate-pin-key", help="user_rotate_pin_key", call=_rotate_pin_key,
            show=_print_rotation),
)

GROUPS = {("user",): "user"}
