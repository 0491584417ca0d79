"""How the back office CLI shows a result: a plain aligned table, ``label = value``
lines, one sentence, or the result itself as JSON (``--json``)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal

from ipos_tui.domain.money import format_money
from ipos_tui.i18n import current_language, has_key, t

#: The text form of a command's result (prints it).
Show = Callable[[Any], None]


def print_table(rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    """A plain aligned table (fits a terminal); headers in the CLI's language."""
    if not rows:
        print(t("cli.bo.none"))
        return
    headers = [column(col) for col in columns]
    cells = [[cell(row.get(col)) for col in columns] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def column(name: str) -> str:
    key = f"cli.col.{name}"
    return t(key) if has_key(key) else name


def cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return t("cli.bo.yes") if value else t("cli.bo.no")
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return " ".join(f"{k}={cell(v)}" for k, v in value.items())
    return str(value)


def print_fields(values: dict[str, Any]) -> None:
    """``label = value`` lines (company data)."""
    for key, value in values.items():
        print(f"{column(key)} = {cell(value)}")


def print_settings(values: dict[str, Any]) -> None:
    """``key = value`` lines, the keys as typed on the command line."""
    for key, value in values.items():
        print(f"{key} = {cell(value)}")


def table(*columns: str) -> Show:
    """Show rows as a table of these columns."""
    return lambda rows: print_table(rows, columns)


def says(key: str, **fields: str | Callable[[Any], Any]) -> Show:
    """Show one sentence ``key``; each parameter is a field of the result (its name) or
    a function of the whole result."""

    def show(result: Any) -> None:
        print(t(key, **{name: field(result) if callable(field) else result[field]
                        for name, field in fields.items()}))

    return show


def emit(args: argparse.Namespace, result: Any, text: Show) -> None:
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    else:
        text(result)


def money(grosze: int | None) -> str:
    return "-" if grosze is None else format_money(grosze, symbol=False).replace("\u00a0", " ")


def times(ratio: float) -> str:
    """How many times, in the CLI's language: 100, 2,5 (or 2.5)."""
    return format_decimal(Decimal(str(round(ratio, 1))), format="#,##0.#",
                          locale="pl_PL" if current_language() == "pl" else "en_US")


def change_text(old: int, new: int) -> str:
    """The change as the question shows it: 3,79 zł → 379,00 zł (100 razy więcej)."""
    key = "cli.bo.times_more" if new > old else "cli.bo.times_less"
    ratio = new / old if new > old else old / new
    return t("cli.bo.price_change", old=money(old), new=money(new), times=t(key, n=times(ratio)))
