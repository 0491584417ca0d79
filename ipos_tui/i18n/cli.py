"""The language of the command lines (``ipos-tui``, ``ipos-backoffice``).

A command line speaks the language of the shell it runs in: Polish when the locale
says so (``LC_ALL``, then ``LC_MESSAGES``, then ``LANG``, the first one set, starting
with ``pl``), English otherwise. Its texts come from the same catalogues as the UI
(keys under ``cli.``), and so do argparse's own ("usage:", "the following arguments
are required: …"): argparse asks gettext for them, and :func:`cli_texts` answers from
the catalogue instead while a command line runs.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from . import LANGUAGES, catalogue, current_language, has_key, set_language, t

#: The locale variables in the order POSIX consults them for messages.
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")

#: argparse's messages (its gettext msgids in Python 3.11–3.13) and their catalogue keys.
ARGPARSE_MESSAGES: Mapping[str, str] = {
    "usage: ": "cli.argparse.usage",
    "positional arguments": "cli.argparse.positionals",
    "options": "cli.argparse.options",
    "optional arguments": "cli.argparse.options",
    "show this help message and exit": "cli.argparse.help",
    "%(prog)s: error: %(message)s\n": "cli.argparse.error",
    "the following arguments are required: %s": "cli.argparse.required",
    "unrecognized arguments: %s": "cli.argparse.unrecognized",
    "argument %(argument_name)s: %(message)s": "cli.argparse.argument",
    "invalid choice: %(value)r (choose from %(choices)s)": "cli.argparse.invalid_choice",
    "invalid %(type)s value: %(value)r": "cli.argparse.invalid_value",
    "expected one argument": "cli.argparse.expected_one",
    "expected at most one argument": "cli.argparse.expected_at_most_one",
    "expected at least one argument": "cli.argparse.expected_at_least_one",
    "expected %s argument": "cli.argparse.expected_n",
    "expected %s arguments": "cli.argparse.expected_n",
    "ambiguous option: %(option)s could match %(matches)s": "cli.argparse.ambiguous",
    "not allowed with argument %s": "cli.argparse.not_allowed_with",
    "one of the arguments %s is required": "cli.argparse.one_required",
    "ignored explicit argument %r": "cli.argparse.ignored_value",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "cli.argparse.unknown_command",
}


def locale_language(environ: Mapping[str, str] | None = None) -> str:
    """``pl`` when the first locale variable set starts with ``pl``, else ``en``."""
    env = os.environ if environ is None else environ
    for name in LOCALE_VARIABLES:
        value = env.get(name, "")
        if value:
            return "pl" if value.lower().startswith("pl") else "en"
    return "en"


def language_option(argv: Sequence[str]) -> str | None:
    """The value of ``--lang pl|en`` / ``--lang=pl|en`` in ``argv``, if any (read before
    parsing, so that ``--help`` and parse errors already speak it)."""
    found: str | None = None
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        value = None
        if arg == "--lang" and index + 1 < len(argv):
            value = argv[index + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value in LANGUAGES:
            found = value
    return found


def _translator(language: str) -> tuple[Any, Any]:
    texts = catalogue(language)

    def gettext(message: str) -> str:
        key = ARGPARSE_MESSAGES.get(message)
        return texts.get(key, message) if key else message

    def ngettext(singular: str, plural: str, n: int) -> str:
        return gettext(singular if n == 1 else plural)

    return gettext, ngettext


@contextmanager
def cli_texts(language: str) -> Iterator[str]:
    """Run a command line in ``language``: :func:`ipos_tui.i18n.t` and argparse's own
    messages speak it until the block ends (then both are as they were)."""
    previous = current_language()
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    set_language(language)
    argparse._, argparse.ngettext = _translator(language)  # type: ignore[attr-defined]
    try:
        yield language
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]
        set_language(previous)


def whole_number(text: str) -> int:
    """argparse type of a whole number, refused in the command line's language."""
    try:
        return int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(t("cli.argparse.not_a_number", value=text)) from None


def decimal_number(text: str) -> float:
    """argparse type of a number with an optional decimal point or comma ("2,5")."""
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(t("cli.argparse.not_a_number", value=text)) from None


class HelpFormatter(argparse.HelpFormatter):
    """Placeholders of option values from the catalogue: ``--store SKLEP`` under
    Polish, ``--store STORE`` under English (key ``cli.mv.<dest>``)."""

    def _get_default_metavar_for_optional(self, action: argparse.Action) -> str:
        key = f"cli.mv.{action.dest}"
        return t(key) if has_key(key) else action.dest.upper()

    def _get_default_metavar_for_positional(self, action: argparse.Action) -> str:
        key = f"cli.mv.{action.dest}"
        return t(key) if has_key(key) else action.dest
