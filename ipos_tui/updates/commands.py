"""Running pip and the health check as child processes: output captured, a timeout
counted as a failure, and an environment that lets nothing but the command line steer
pip (see :func:`_child_env`). Used by the install and by the updater's dry run.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Runner = Callable[[Sequence[str], float], "CommandResult"]


@dataclass(frozen=True)
class CommandResult:
    returncode: int
    output: str


def run_command(command: Sequence[str], timeout: float) -> CommandResult:
    """Run ``command``, capturing stdout+stderr (a timeout counts as a failure)."""
    try:
        done = subprocess.run(list(command), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, timeout=timeout, check=False,
                              env=_child_env())
    except subprocess.TimeoutExpired as exc:
        out = exc.output.decode("utf-8", "replace") if isinstance(exc.output, bytes) else ""
        return CommandResult(124, out + f"\n(timed out after {timeout:.0f} s)")
    except OSError as exc:
        return CommandResult(127, str(exc))
    return CommandResult(done.returncode, done.stdout.decode("utf-8", "replace"))


def _child_env() -> dict[str, str]:
    """The environment of pip and of the health check.

    pip sees nothing but its command line: no ``PIP_*`` variable and no pip.conf
    (``PIP_CONFIG_FILE`` set to the null device makes pip skip every config file).
    A find-links, index or constraint there would let the install take wheels from
    elsewhere than the verified wheelhouse or refuse it, and ``user = true`` would
    install into another environment than the app's own.
    """
    env = {name: value for name, value in os.environ.items() if not name.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    env.pop("PYTHONPATH", None)  # the new code must come from the environment, not a tree
    return env
