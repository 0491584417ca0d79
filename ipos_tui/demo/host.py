"""The demo shop's back office as its own background process.

``ipos-tui demo`` starts it (see :meth:`ipos_tui.demo.server.DemoBackOffice.ensure_running`)
with ``python -m ipos_tui.demo.host --root DIR --fd N``: detached from the till's
terminal (its own session, stdin from /dev/null, output into ``backoffice.log`` in
the demo dir), serving the demo database on the listening socket the starting till
bound on the recorded port and handed over as file descriptor N.

It runs as long as a till of the demo runs and stops itself once none has run for
``--idle-timeout`` seconds. Tills say they run by holding an exclusive ``flock`` on
``terminal-N/demo-till.lock`` (a lease) for their whole life; the kernel drops the
lock when the process ends, however it ends (Ctrl+Q, a crash, kill -9), so a dead till
never keeps the back office alive and a live one never loses it. The server only
probes leases with a shared non-blocking lock, which it drops at once.

The locks, all in the demo dir, all ``flock`` (POSIX, like the terminal's own lock):

* ``backoffice.lock`` — held by the running back office process (its pid inside):
  "is there a back office of this shop?" without trusting a pid file;
* ``backoffice.start.lock`` — held by whoever starts the back office (from "is one
  running?" until it answers) and by the back office while it stops (from "no till
  left" until its port is closed), so a till starting just as the back office stops
  either keeps it running or starts a new one, never joins one about to vanish.
"""

from __future__ import annotations

import argparse
import errno
import fcntl
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

log = logging.getLogger("ipos_tui.demo.host")  # also when run as __main__

SERVER_LOCK: Final = "backoffice.lock"
START_LOCK: Final = "backoffice.start.lock"
LOG_FILE: Final = "backoffice.log"
#: A till's lease, in its own data dir (``terminal-N``).
TILL_LEASE: Final = "demo-till.lock"
TILL_DIRS: Final = "terminal-*"
#: Seconds without any till before the back office stops itself (``ipos-tui demo``
#: reads IDLE_ENV first; the tests use a second or two).
DEFAULT_IDLE_TIMEOUT: Final = 30.0
IDLE_ENV: Final = "IPOS_DEMO_IDLE_SECONDS"
#: How long anyone waits for the start lock: another till may be seeding the shop.
START_LOCK_WAIT: Final = 60.0
#: Exit codes of the back office process.
EXIT_ANOTHER_SERVER: Final = 4


class Flock:
    """An exclusive ``flock`` on ``path``, held by this process until :meth:`release`
    (or its end: the kernel drops it even after kill -9). The file is never deleted:
    a new inode would let two holders coexist."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self, timeout: float, *, poll: float = 0.02) -> bool:
        """Try for ``timeout`` seconds (others may hold it for a moment: probes, a
        starting till); True once held."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(poll)
                continue
            self._fd = fd
            return True

    def write_pid(self) -> None:
        """Leave our pid in the file (for :func:`holder_pid` and for people)."""
        assert self._fd is not None
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, f"{os.getpid()}\n".encode(), 0)

    def release(self) -> None:
        """Unlock and close; safe to call twice."""
        if self._fd is None:
            return
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    @contextmanager
    def held(self, timeout: float) -> Iterator[None]:
        """``with Flock(path).held(60):`` — raises TimeoutError when not got in time."""
        if not self.acquire(timeout):
            raise TimeoutError(str(self.path))
        try:
            yield
        finally:
            self.release()


def is_held(path: Path) -> bool:
    """Whether some process holds ``path``'s lock right now (probed with a shared,
    non-blocking lock that is dropped at once)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops a lock we got
    return False


def holder_pid(path: Path) -> int | None:
    """The pid written in a held lock file, or None when nobody holds it."""
    if not is_held(path):
        return None
    try:
        return int(path.read_text("utf-8").split()[0])
    except (OSError, ValueError, IndexError):
        return None


def running_tills(root: Path) -> list[str]:
    """The data dirs (``terminal-N``) of the demo's tills that run right now."""
    return sorted(lease.parent.name for lease in root.glob(f"{TILL_DIRS}/{TILL_LEASE}")
                  if is_held(lease))


def idle_timeout_from_env() -> float:
    """:data:`IDLE_ENV` when set to a positive number, else :data:`DEFAULT_IDLE_TIMEOUT`."""
    text = os.environ.get(IDLE_ENV, "").strip()
    try:
        value = float(text) if text else DEFAULT_IDLE_TIMEOUT
    except ValueError:
        log.warning("%s=%r is not a number of seconds; using %s", IDLE_ENV, text,
                    DEFAULT_IDLE_TIMEOUT)
        return DEFAULT_IDLE_TIMEOUT
    return value if value > 0 else DEFAULT_IDLE_TIMEOUT


def listen(host: str, port: int | None) -> socket.socket:
    """A listening socket on ``host:port``, or on a free port when ``port`` is None.

    Raises OSError (``EADDRINUSE`` when another program has the port). SO_REUSEADDR
    as uvicorn sets it: connections of a back office that just stopped (TIME_WAIT)
    do not make its port look taken.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port or 0))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def port_taken(error: OSError) -> bool:
    """Whether a failed :func:`listen` means "someone else has this port"."""
    return error.errno in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL)


# --------------------------------------------------------------- the process


def serve(root: Path, sock: socket.socket, idle_timeout: float, poll: float | None = None) -> int:
    """Serve the demo shop of ``root`` on ``sock`` until no till has run for
    ``idle_timeout`` seconds (or SIGTERM/SIGINT); the process's exit code."""
    from ipos_tui.backoffice.embedded import EmbeddedServer
    from ipos_tui.demo.server import DemoBackOffice

    server_lock = Flock(root / SERVER_LOCK)
    if not server_lock.acquire(2.0):  # a starting till's probe lasts microseconds
        log.error("another back office of %s runs (pid %s); this one stops", root,
                  holder_pid(root / SERVER_LOCK))
        return EXIT_ANOTHER_SERVER
    server_lock.write_pid()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # a closing terminal window is no reason
    backoffice = DemoBackOffice(root)
    server = EmbeddedServer(backoffice.office(), sock=sock)
    url = server.start()
    log.info("demo back office of %s on %s (pid %s); stops %.0f s after its last till",
             root, url, os.getpid(), idle_timeout)
    poll = poll if poll is not None else min(1.0, idle_timeout / 4)
    last_till = time.monotonic()
    start_lock = Flock(root / START_LOCK)
    try:
        while not stop.wait(poll):
            if running_tills(root):
                last_till = time.monotonic()
                continue
            if time.monotonic() - last_till < idle_timeout:
                continue
            # No starter may look at us between "no till" and "port closed".
            if not start_lock.acquire(poll):
                continue  # a till is starting: it will show up (or not) next round
            if running_tills(root):
                start_lock.release()
                last_till = time.monotonic()
                continue
            log.info("no till of the demo for %.0f s: stopping", idle_timeout)
            break
        else:
            log.info("asked to stop")
        server.stop()
        log.info("demo back office on %s stopped", url)
    finally:
        server_lock.release()
        start_lock.release()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ipos_tui.demo.host",
                                     description="the demo shop's back office (started by ipos-tui demo)")
    parser.add_argument("--root", type=Path, required=True, help="the demo data dir")
    parser.add_argument("--fd", type=int, required=True, help="inherited listening socket")
    parser.add_argument("--idle-timeout", type=float, default=DEFAULT_IDLE_TIMEOUT)
    args = parser.parse_args(argv)
    handler = logging.FileHandler(args.root / LOG_FILE, encoding="utf-8")
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True,
                        format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    try:
        return serve(args.root, socket.socket(fileno=args.fd), args.idle_timeout)
    except Exception:
        log.exception("the demo back office failed")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
