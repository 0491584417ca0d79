"""An ASGI app served from a thread of another program (the demo's back office
process, tests, benchmarks).

uvicorn on 127.0.0.1 with a port the OS picks, or on a listening socket the caller
hands over (the demo binds its recorded port itself, so a port taken by another
program is known before anything starts); logs go to the caller's logging (never to
the terminal the TUI draws on); no Server/Date headers (terminals on GSM pay for
every byte of every answer).
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

from ipos_tui.backoffice.api import create_app
from ipos_tui.backoffice.services import BackOffice


class AsgiServer:
    """``with AsgiServer(app) as url: …`` — ``app`` answers on ``url`` until the block ends."""

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0, name: str = "asgi",
                 sock: socket.socket | None = None) -> None:
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            server_header=False,
            date_header=False,
            timeout_graceful_shutdown=5,  # stop() never waits on a hung client for long
        )
        self._server = uvicorn.Server(config)
        sockets = None if sock is None else [sock]
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": sockets},
                                        name=name, daemon=True)
        self.url = ""

    def start(self, timeout: float = 15.0) -> str:
        """Start serving; returns the base URL (``http://127.0.0.1:PORT``)."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"{self._thread.name}: the server did not start")
            time.sleep(0.01)
        host, port = self._server.servers[0].sockets[0].getsockname()[:2]
        self.url = f"http://{host}:{port}"
        return self.url

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


class EmbeddedServer(AsgiServer):
    """The back office's sync API for ``office``, e.g. the demo shop's."""

    def __init__(self, office: BackOffice, *, host: str = "127.0.0.1", port: int = 0,
                 sock: socket.socket | None = None, **app_options: Any) -> None:
        super().__init__(create_app(office, **app_options), host=host, port=port, name="backoffice",
                         sock=sock)
