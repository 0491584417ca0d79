"""``ipos-tui demo`` as a real process on a pseudo-terminal (80x24), for tests about
processes: the till's own entry point, its own Textual screen, its exit.

The output is read all the time on a thread (a till blocks once a full pty buffer is
not read) and kept, so a test can look for the startup text the till prints.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

from ipos_tui.demo.host import IDLE_ENV

IPOS_TUI = Path(sys.executable).parent / "ipos-tui"
_ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


class TillProcess:
    """``ipos-tui demo --data-dir ROOT --terminal N`` on its own pty."""

    def __init__(self, root: Path, number: int = 1, *, idle_timeout: float = 1.0,
                 lang: str = "pl") -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", IDLE_ENV: str(idle_timeout),
               "TEXTUAL_ANIMATIONS": "none"}
        self.process = subprocess.Popen(
            [str(IPOS_TUI), "demo", "--data-dir", str(root), "--terminal", str(number),
             "--lang", lang],
            stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
        )
        os.close(slave)
        self._master = master
        self._output = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self._master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self._output.extend(chunk)

    @property
    def text(self) -> str:
        """Everything the till wrote, without escape sequences and carriage returns."""
        return _ESCAPES.sub("", self._output.decode("utf-8", errors="replace")).replace("\r", "")

    def wait_for(self, needle: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.text:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} not shown; the till wrote:\n{self.text[-3000:]}")
            time.sleep(0.05)

    def wait_for_any(self, *needles: str, timeout: float = 60.0) -> str:
        """The first of ``needles`` the till shows."""
        deadline = time.monotonic() + timeout
        while True:
            for needle in needles:
                if needle in self.text:
                    return needle
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"none of {needles!r} shown; the till wrote:\n{self.text[-3000:]}")
            time.sleep(0.05)

    def press(self, keys: bytes) -> None:
        os.write(self._master, keys)

    def wait(self, timeout: float = 30.0) -> int:
        code = self.process.wait(timeout)
        self._reader.join(timeout=5)
        return code

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        try:
            os.close(self._master)
        except OSError:
            pass
        self._reader.join(timeout=5)


def wait_until(predicate, timeout: float = 20.0, message: str = "condition") -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{message} not reached in {timeout} s")
        time.sleep(0.05)


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie waiting for its parent does not:
    a back office started from the test process is its child)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
