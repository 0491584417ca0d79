"""Command lines of both console scripts.

``ipos-tui [--data-dir DIR] [--lang pl|en] [--ascii]`` runs the terminal;
``ipos-tui demo [--reset]`` runs the demo shop in its own data dir.
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


def _common_options(*, after_command: bool) -> argparse.ArgumentParser:
    """Options valid before and after the subcommand. After it they default to
    SUPPRESS, so ``ipos-tui --data-dir X sync`` keeps X instead of resetting it."""
    unset = argparse.SUPPRESS if after_command else None
    off = argparse.SUPPRESS if after_command else False
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, default=unset,
                        help="terminal data directory (database, printouts, logs)")
    common.add_argument("--lang", choices=("pl", "en"), default=unset,
                        help="UI language (default: the saved one, else pl)")
    common.add_argument("--ascii", action="store_true", default=off,
                        help="console mode: only Linux console glyphs")
    common.add_argument("-v", "--verbose", action="store_true", default=off, help="log to stderr too")
    return common


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ipos-tui", parents=[_common_options(after_command=False)],
                                     description="iPOS duet terminal")
    common = _common_options(after_command=True)
    parser.add_argument("--version", action="version", version=f"ipos-tui {__version__}")
    commands = parser.add_subparsers(dest="command")
    demo = commands.add_parser("demo", parents=[common], help="the demo shop, ready to sell")
    demo.add_argument("--reset", action="store_true", help="recreate the demo shop from scratch")
    demo.add_argument("--terminal", type=int, default=1, metavar="N",
                      help="which till of the demo shop (2 joins the running shop as a second till)")
    activate = commands.add_parser("activate", parents=[common], help="activate this terminal at a back office")
    activate.add_argument("--server", required=True, help="back office address, e.g. http://192.168.1.5:8000")
    activate.add_argument("--code", required=True, help="one-time code from 'ipos-backoffice terminal add'")
    activate.add_argument("--name", default="", help="this terminal's name")
    sync = commands.add_parser("sync", parents=[common], help="sync with the back office without the screen")
    sync.add_argument("job", nargs="?", default="all", choices=("config", "users", "products", "transactions", "all"))
    sync.add_argument("--json", action="store_true", help="print the rows as JSON")
    update = commands.add_parser(
        "update", parents=[common], help="application updates without the screen",
        description="check: what the back office offers; download: fetch, verify and stage it; "
        "install: install the staged update now (same rules as at day close).")
    update.add_argument("action", choices=("check", "download", "install", "health-check"))
    update.add_argument("--channel", default="stable", help="release channel (default: stable)")
    update.add_argument("--expect-version", help=argparse.SUPPRESS)
    trust = commands.add_parser(
        "trust-key", parents=[common], help="trust a release signing key (the .pub file of "
        "'ipos-backoffice release keygen'); kept in the data dir. The demo's tills also "
        "trust the keys of the default data dir and of the demo's --data-dir")
    trust.add_argument("file", type=Path)
    return parser


def _setup_logging(data_dir: Path, verbose: bool) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        data_dir / "ipos-tui.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handlers: list[logging.Handler] = [handler]
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
    args = _parser().parse_args(argv)
    if args.lang:
        set_language(args.lang)
    from .terminal.paths import default_data_dir, demo_data_dir

    is_demo = args.command == "demo"
    if is_demo:
        root: Path = args.data_dir or demo_data_dir()
        if args.reset:
            from .demo_store import reset_demo

            if reset_demo(root) != 0:  # a till of the demo still runs: says so
                return 2
        data_dir = root / f"terminal-{args.terminal}"
    else:
        data_dir = args.data_dir or default_data_dir()
    _setup_logging(data_dir, args.verbose)
    log = logging.getLogger("ipos_tui.cli")

    from .terminal.db import open_terminal

    if args.command == "trust-key":
        from .updates.headless import trust_key_command

        return trust_key_command(data_dir, args.file)
    if is_demo:
        from .demo_store import run_demo

        return run_demo(root, args.terminal, data_dir, language=args.lang, console_mode=_console_mode(args))
    try:
        terminal = open_terminal(data_dir)
    except DomainError as error:
        print(t(error.key, **error.params), file=sys.stderr)
        log.error("cannot open %s: %s", data_dir, error)
        return 2
    outcome: object = None
    with terminal:
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
    return _after_app(outcome, data_dir)


def _update(terminal: object, args: argparse.Namespace) -> int | str:
    """``ipos-tui update …``; "install-headless" asks for the install once the
    terminal is closed."""
    from .updates.headless import INSTALL_REQUESTED, update_command

    if args.action == "health-check":
        from .ui.screens.update import health_check

        return health_check(terminal, expect_version=args.expect_version)  # type: ignore[arg-type]
    code = update_command(terminal, args.action, channel=args.channel)  # type: ignore[arg-type]
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
