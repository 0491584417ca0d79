"""The entry point of ``ipos-backoffice``: parse, open the database, run the command,
turn a refusal into a readable message and an exit code.

Exit codes: 0 done, 1 a rule refused the input (a readable reason is printed; ``--json``
gives the message key and its parameters), 2 bad usage.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from ipos_tui.backoffice.db import open_database, sqlite_path
from ipos_tui.backoffice.security import load_pepper
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.domain.errors import DomainError
from ipos_tui.i18n import has_key, t
from ipos_tui.i18n.cli import cli_texts, language_option, locale_language

from .inputs import CliError
from .table import build_parser


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
    url = getattr(args, "db", None)
    if url is not None and sqlite_path(url) is None and not url.startswith(
            ("postgres://", "postgresql://")):  # a bare path, a typo, another database
        print("ipos-backoffice: " + t("cli.bo.db_url", url=url), file=sys.stderr)
        return 2
    office = BackOffice(open_database(url), load_pepper())
    try:
        if args.handler.needs_schema:
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
