"""Command lines of both console scripts.

``ipos-tui [--data-dir DIR] [--lang pl|en] [--ascii]`` runs the terminal;
``ipos-tui demo [--reset]`` runs the demo shop in its own data dir;
``ipos-tui export-unsent FILE`` saves the unsent documents to a file.
``ipos-backoffice …`` is the back office's admin CLI and server.
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import sys
from pathlib import Path

from . import __version__
from .domain.errors import DomainError
from .i18n import set_language, t
from .i18n.cli import HelpFormatter, cli_texts, language_option, locale_language, whole_number


def _common_options(*, after_command: bool) -> argparse.ArgumentParser:
    """Options valid before and after the subcommand. After it they default to
    SUPPRESS, so ``ipos-tui --data-dir X sync`` keeps X instead of resetting it."""
    unset = argparse.SUPPRESS if after_command else None
    off = argparse.SUPPRESS if after_command else False
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, default=unset, help=t("cli.tui.h.data_dir"))
    common.add_argument("--lang", choices=("pl", "en"), default=unset, help=t("cli.tui.h.lang"))
    common.add_argument("--ascii", action="store_true", default=off, help=t("cli.tui.h.ascii"))
    common.add_argument("-v", "--verbose", action="store_true", default=off, help=t("cli.tui.h.verbose"))
    return common


def _parser() -> argparse.ArgumentParser:
    """The command line, its texts in the current language (see :func:`tui_main`)."""
    parser = argparse.ArgumentParser(prog="ipos-tui", parents=[_common_options(after_command=False)],
                                     description=t("cli.tui.h.prog"), formatter_class=HelpFormatter)
    common = _common_options(after_command=True)
    parser.add_argument("--version", action="version", version=f"ipos-tui {__version__}", help=t("cli.tui.h.version"))
    commands = parser.add_subparsers(dest="command", metavar=t("cli.mv.command"))
    demo = commands.add_parser("demo", parents=[common], help=t("cli.tui.h.demo"))
    demo.add_argument("--reset", action="store_true", help=t("cli.tui.h.demo_reset"))
    demo.add_argument("--terminal", type=whole_number, default=1, metavar="N",
                      help=t("cli.tui.h.demo_terminal"))
    activate = commands.add_parser("activate", parents=[common], help=t("cli.tui.h.activate"))
    activate.add_argument("--server", required=True, help=t("cli.tui.h.server"))
    activate.add_argument("--code", required=True, help=t("cli.tui.h.code"))
    activate.add_argument("--name", default="", help=t("cli.tui.h.name"))
    sync = commands.add_parser("sync", parents=[common], help=t("cli.tui.h.sync"))
    sync.add_argument("job", nargs="?", default="all", choices=("config", "users", "products", "transactions", "all"),
                      metavar=t("cli.mv.job"), help=t("cli.tui.h.job"))
    sync.add_argument("--json", action="store_true", help=t("cli.tui.h.json"))
    update = commands.add_parser(
        "update", parents=[common], help=t("cli.tui.h.update"), description=t("cli.tui.h.update_description"))
    update.add_argument("action", choices=("check", "download", "install", "health-check"), metavar=t("cli.mv.action"),
                        help=t("cli.tui.h.action"))
    update.add_argument("--channel", default="stable", help=t("cli.tui.h.channel"))
    update.add_argument("--force", action="store_true", help=t("dayrule.h_force"))
    update.add_argument("--expect-version", help=argparse.SUPPRESS)
    trust = commands.add_parser("trust-key", parents=[common], help=t("cli.tui.h.trust_key"))
    trust.add_argument("file", type=Path, metavar=t("cli.mv.file"), help=t("cli.tui.h.key_file"))
    export = commands.add_parser("export-unsent", parents=[common], help=t("cli.tui.h.export_unsent"))
    export.add_argument("file", type=Path, metavar=t("cli.mv.file"), help=t("cli.tui.h.export_file"))
    for command in commands.choices.values():
        command.formatter_class = HelpFormatter
    return parser


class _PrivateLogHandler(logging.handlers.RotatingFileHandler):
    """The till's log (it names staff and sales) is created owner-only (0600), after
    each rotation too."""

    def _open(self):  # type: ignore[no-untyped-def]
        from ipos_tui.store.paths import create_private_file

        create_private_file(Path(self.baseFilename))
        return super()._open()

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        """A log line that cannot be written (a full or read-only disk) is dropped:
        the till says what is wrong in words, never with logging's traceback."""
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handleError(record)


def _setup_logging(data_dir: Path, verbose: bool) -> None:
    from ipos_tui.store.paths import make_private_dir

    handlers: list[logging.Handler] = []
    try:
        make_private_dir(data_dir)
        handlers.append(_PrivateLogHandler(
            data_dir / "ipos-tui.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        ))
    except OSError:  # a full or read-only disk: opening the till says so in words
        verbose = True
    if verbose:
        handlers.append(logging.StreamHandler())
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", handlers=handlers, force=True
    )


def _console_mode(args: argparse.Namespace) -> bool | None:
    if args.ascii or os.environ.get("TERM") == "linux":
        return True
    return None


def tui_main(argv: list[str] | None = None) -> int:
    """Entry point of ``ipos-tui``. The command line speaks the locale's language (or
    ``--lang``); the till's screen keeps its own (saved, or ``--lang``)."""
    arguments = sys.argv[1:] if argv is None else argv
    with cli_texts(language_option(arguments) or locale_language()) as language:
        return _tui_main(arguments, language)


def _tui_main(argv: list[str], language: str) -> int:
    args = _parser().parse_args(argv)
    from .store.paths import default_data_dir, demo_data_dir

    is_demo = args.command == "demo"
    if is_demo:
        root: Path = args.data_dir or demo_data_dir()
        if args.reset:
            from .demo.shop import reset_demo

            if reset_demo(root) != 0:  # a till of the demo still runs: says so
                return 2
        data_dir = root / f"terminal-{args.terminal}"
    else:
        data_dir = args.data_dir or default_data_dir()
    _setup_logging(data_dir, args.verbose)
    log = logging.getLogger("ipos_tui.cli")

    from .store.db import open_terminal

    if args.command == "trust-key":
        from .updates.headless import trust_key_command

        return trust_key_command(data_dir, args.file)
    if is_demo:
        from .demo.shop import run_demo

        return run_demo(root, args.terminal, data_dir, language=args.lang, console_mode=_console_mode(args))
    try:
        terminal = open_terminal(data_dir)
    except DomainError as error:
        print(t(error.key, **error.params), file=sys.stderr)
        log.error("cannot open %s: %s", data_dir, error)
        return 2
    outcome: object = None
    with terminal:
        if args.command == "export-unsent":
            return _export_unsent(terminal, args.file)
        if args.command in ("activate", "sync"):
            return _headless(terminal, args)
        if args.command == "update":
            outcome = _update(terminal, args)
            if isinstance(outcome, int):
                return outcome
        else:
            from .ui.app import create_app

            app = create_app(terminal, data_dir=data_dir, language=args.lang, console_mode=_console_mode(args))
            log.info("ipos-tui %s starting on %s", __version__, data_dir)
            outcome = app.run()
            set_language(language)  # the screen spoke its own; the console speaks the CLI's
    return _after_app(outcome, data_dir)


def _update(terminal: object, args: argparse.Namespace) -> int | str:
    """``ipos-tui update …``; "install-headless" asks for the install once the
    terminal is closed."""
    from .updates.headless import INSTALL_REQUESTED, update_command

    if args.action == "health-check":
        from .ui.health import health_check

        return health_check(terminal, expect_version=args.expect_version)  # type: ignore[arg-type]
    code = update_command(terminal, args.action, channel=args.channel,
                          force=args.force)  # type: ignore[arg-type]
    return "install-headless" if code == INSTALL_REQUESTED else code


def _after_app(outcome: object, data_dir: Path) -> int:
    """Install the staged update when the day close asked for it (the app and its
    database are closed by now); on success this process becomes the new version."""
    if outcome == "install-update":
        from .updates.hook import run_staged_install

        code = run_staged_install(data_dir)
    elif outcome == "install-headless":
        from .updates.install import exec_restart, install_staged

        def restart(python: str, version: str) -> None:
            if version != __version__:  # the new app says its version; a rollback returns 1
                exec_restart(["--version"])(python, version)

        code = install_staged(data_dir, restart=restart)
    else:
        return 0
    from .updates.headless import install_result_text

    print(install_result_text(code, data_dir), file=sys.stderr)
    return code


def _export_unsent(terminal: object, file: Path) -> int:
    """``export-unsent FILE``: every unsent document to a file (0), or why not (2)."""
    from .till.unsent import export_unsent

    try:
        count = export_unsent(terminal, file)  # type: ignore[arg-type]
    except DomainError as error:
        print(t(error.key, **error.params), file=sys.stderr)
        return 2
    print(t("unsent.exported", n=count, file=str(file)))
    return 0


def _headless(terminal: object, args: argparse.Namespace) -> int:
    """``activate`` / ``sync``: the sync engine without the screen."""
    from .sync.headless import activate_command, sync_command

    if args.command == "activate":
        return activate_command(terminal, args.server, args.code, args.name)  # type: ignore[arg-type]
    return sync_command(terminal, args.job, as_json=args.json)  # type: ignore[arg-type]


def backoffice_main(argv: list[str] | None = None) -> int:
    from .backoffice.cli import main

    return main(argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(tui_main())
