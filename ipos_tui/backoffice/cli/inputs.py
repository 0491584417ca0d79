"""What the back office CLI reads from its arguments and the terminal: złoty amounts,
days, id lists, yes/no flag pairs, the price list meant, a confirmation."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from ipos_tui.backoffice.services import BackOffice
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import parse_money
from ipos_tui.i18n import t

from .output import change_text


class CliError(Exception):
    """Bad usage found after parsing (exit code 2); the message is already readable."""


def price_list_for(office: BackOffice, list_id: int | None) -> int:
    """The given list, or the only one there is."""
    if list_id is not None:
        return list_id
    lists = office.list_price_lists()
    if len(lists) != 1:
        raise CliError(t("cli.bo.choose_list"))
    return int(lists[0]["id"])


def flag(args: argparse.Namespace, yes: str, no: str) -> bool | None:
    if getattr(args, yes, False):
        return True
    if getattr(args, no, False):
        return False
    return None


def zloty(text: str, what: str = "price") -> int:
    """A price or amount typed as złoty WITH a decimal separator ("3,79", "3.79",
    "379,00"). Bare digits ("379") are refused: on the till they mean grosze, here they
    would mean złoty, so the command line asks for the unambiguous form."""
    bare = text.strip().removesuffix("zł").removesuffix("ZŁ")
    if "".join(bare.split()).isdigit():
        raise DomainError(f"cli.err.{what}_without_separator", text=text)
    return parse_money(text)


def day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(t("cli.bo.not_a_date", value=text)) from exc


def ids(text: str) -> list[int]:
    try:
        return [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise DomainError("err.store_ids_invalid", text=text) from None


def throttle_limits(text: str) -> Any:
    """``--throttle``: the throttle's limits (the defaults changed by ``text``)."""
    from ipos_tui.backoffice.throttle import Limits

    try:
        return Limits.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


#: What confirms the question on a terminal (either language's word, or its initial).
_YES_ANSWERS = ("tak", "t", "yes", "y")


def confirmed(args: argparse.Namespace, question: str, refusal_key: str, **params: Any) -> None:
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


def check_price_jump(office: BackOffice, args: argparse.Namespace, list_id: int,
                     product_id: int, plu: str, grosze: int) -> None:
    """Ask before a price jumps more than 5× either way against the product's current
    price in that list (the price-list service's rule; refuse without a terminal unless
    ``--yes``)."""
    current = office.price_jump(list_id, product_id, grosze)
    if current is not None:
        change = change_text(current, grosze)
        confirmed(args, t("cli.bo.price_jump_question", plu=plu, list=list_id, change=change),
                  "cli.err.price_jump", plu=plu, list=list_id, change=change)
