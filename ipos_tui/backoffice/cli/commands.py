"""The shape of a back office CLI command, and the parser built from a table of them.

A :class:`Command` names its place (``("product", "add")``), its help, its arguments,
the service call that gives its result and how that result is shown (:mod:`.output`);
a command that talks to the user or streams output (a question, a password, a file to
standard output) gives a ``handler`` of its own instead. Help texts are catalogue keys,
looked up when the parser is built (the CLI speaks the user's language).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ipos_tui.backoffice.services import BackOffice
from ipos_tui.i18n import t
from ipos_tui.i18n.cli import HelpFormatter

from .output import Show, emit

#: A help text: a key under ``cli.bo.h.``, a full catalogue key (with a dot), or a
#: function giving the text.
Help = str | Callable[[], str]
Call = Callable[[BackOffice, argparse.Namespace], Any]


def help_text(text: Help) -> str:
    if callable(text):
        return text()
    return t(text) if "." in text else t(f"cli.bo.h.{text}")


@dataclass(frozen=True)
class Arg:
    """One argument: argparse's flags and keywords; ``metavar`` is a key under
    ``cli.mv.`` or a full catalogue key (with a dot)."""

    flags: tuple[str, ...]
    help: Help
    metavar: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    def add_to(self, parser: Any) -> None:
        extra = dict(self.options)
        if "default_factory" in extra:  # a default of the day the parser is built
            extra["default"] = extra.pop("default_factory")()
        if self.metavar is not None:
            key = self.metavar
            extra["metavar"] = t(key if "." in key else f"cli.mv.{key}")
        parser.add_argument(*self.flags, help=help_text(self.help), **extra)


def arg(*flags: str, help: Help, mv: str | None = None, **options: Any) -> Arg:
    return Arg(flags, help, mv, options)


@dataclass(frozen=True)
class OneOf:
    """Arguments of which at most one (exactly one when ``required``) may be given."""

    args: tuple[Arg, ...]
    required: bool = False


def one_of(*args: Arg, required: bool = False) -> OneOf:
    return OneOf(args, required)


def yes() -> Arg:
    """``--yes``: confirm a question (a big price change) in a script."""
    return arg("-y", "--yes", action="store_true", help="yes")


@dataclass(frozen=True, eq=False)
class Command:
    """One command of ``ipos-backoffice``; calling it runs it and returns its result."""

    path: tuple[str, ...]
    help: Help
    args: Sequence[Arg | OneOf] = ()
    call: Call | None = None
    show: Show | None = None
    handler: Call | None = None
    epilog: Help | None = None
    needs_schema: bool = True

    def __call__(self, office: BackOffice, args: argparse.Namespace) -> Any:
        if self.handler is not None:
            return self.handler(office, args)
        assert self.call is not None and self.show is not None
        result = self.call(office, args)
        emit(args, result, self.show)
        return result


def command(*path: str, help: Help, args: Sequence[Arg | OneOf] = (),
            call: Call | None = None, show: Show | None = None, handler: Call | None = None,
            epilog: Help | None = None, needs_schema: bool = True) -> Command:
    if (handler is None) == (call is None or show is None):
        raise ValueError(f"{path}: give call and show, or a handler")
    return Command(tuple(path), help, tuple(args), call, show, handler, epilog, needs_schema)


def common_options() -> argparse.ArgumentParser:
    """Options valid both before and after the subcommand."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, metavar="URL", help=help_text("db"))
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help=help_text("json"))
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help=help_text("verbose"))
    return common


def build_parser(commands: Sequence[Command], groups: Mapping[tuple[str, ...], Help],
                 top_level: Sequence[str]) -> argparse.ArgumentParser:
    """The parser of ``commands``: a group (``groups`` gives its help) for every path
    prefix, the top level in the order ``top_level`` names, the rest in table order."""
    common = common_options()
    parser = argparse.ArgumentParser(prog="ipos-backoffice", parents=[common],
                                     description=help_text("prog"), formatter_class=HelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar=t("cli.mv.command"))
    order = {name: i for i, name in enumerate(top_level)}
    ordered = sorted(commands, key=lambda c: order[c.path[0]])
    _add_level(sub, (), ordered, groups, common)
    return parser


def _add_level(sub: Any, prefix: tuple[str, ...], commands: Sequence[Command],
               groups: Mapping[tuple[str, ...], Help], common: argparse.ArgumentParser) -> None:
    below = [c for c in commands if c.path[:len(prefix)] == prefix]
    for name in dict.fromkeys(c.path[len(prefix)] for c in below):
        path = (*prefix, name)
        leaf = next((c for c in below if c.path == path), None)
        if leaf is None:
            text = help_text(groups[path])
            group = sub.add_parser(name, help=text, description=text, formatter_class=HelpFormatter)
            inner = group.add_subparsers(dest=f"{name}_command", required=True,
                                         metavar=t("cli.mv.action"))
            _add_level(inner, path, below, groups, common)
            continue
        text = help_text(leaf.help)
        p = sub.add_parser(name, parents=[common], help=text, description=text,
                           formatter_class=HelpFormatter)
        p.set_defaults(handler=leaf)
        if leaf.epilog is not None:
            p.epilog = help_text(leaf.epilog)
        for item in leaf.args:
            if isinstance(item, OneOf):
                pair = p.add_mutually_exclusive_group(required=item.required)
                for one in item.args:
                    one.add_to(pair)
            else:
                item.add_to(p)
