"""The back office served from a thread of another program (the demo, tests).

uvicorn on 127.0.0.1 with a port the OS picks; logs go to the caller's logging (never
to the terminal the TUI draws on).
"""

from __future__ import annotations

import threading
import time
from types import TracebackType

import uvicorn

from ipos_tui.backoffice.api import create_app
from ipos_tui.backoffice.service import BackOffice


class EmbeddedServer:
    """``with EmbeddedServer(office) as url: …`` — the sync API until the block ends."""

    def __init__(self, office: BackOffice, *, host: str = "127.0.0.1", port: int = 0) -> None:
        config = uvicorn.Config(
            create_app(office),
            host=host,
            port=port,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            server_header=False,
            date_header=False,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="backoffice", daemon=True)
        self.url = ""

    def start(self, timeout: float = 15.0) -> str:
        """Start serving; returns the base URL (``http://127.0.0.1:PORT``)."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the back office did not start")
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
