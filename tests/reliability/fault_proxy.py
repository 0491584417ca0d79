"""An asyncio HTTP/1.1 proxy on 127.0.0.1 with switchable faults (issue 18, item 2).

It sits between the till's httpx client and a real back office (uvicorn on
127.0.0.1), one request per client connection (Content-Length bodies, as httpx sends
JSON; the answer goes back with ``Connection: close``). For each request the first
matching :class:`Fault` with ``times`` left decides:

* ``drop``: close the connection without forwarding (the request never arrives);
* ``delay``: wait ``seconds`` and then forward;
* ``reorder``: hold the request until a request that arrived after it has been
  forwarded (at most ``seconds``), then forward it: the back office gets the two the
  other way round (``Exchange.overtaken`` says whether it happened);
* ``cut``: forward (the back office commits), then deliver only the head and the
  first half of the body and close (a lost acknowledgement);
* ``reply``: answer ``status`` (502/503/429) with ``Retry-After`` without forwarding;
* ``pass``: forward untouched (with ``times`` N ahead of another fault: "let N
  through, then fail").

:meth:`FaultProxy.flap` picks drop/delay/reorder/pass per request from a seeded
``random.Random`` (partition flapping, deterministic per seed). Every exchange is
recorded (method, path, action, bytes delivered) for the tests to count.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

Action = Literal["drop", "delay", "reorder", "cut", "reply", "pass"]


@dataclass
class Fault:
    action: Action
    path_prefix: str = "/"
    method: str | None = None
    times: int = 1
    status: int = 503
    retry_after: int = 1
    seconds: float = 0.2

    def matches(self, method: str, path: str) -> bool:
        return (self.times > 0 and path.startswith(self.path_prefix)
                and self.method in (None, method))


@dataclass
class Exchange:
    method: str
    path: str
    action: Action
    status: int | None = None
    delivered: int = 0  # bytes of the answer the till got
    overtaken: bool = False  # reorder: a later request reached the back office first


@dataclass
class FaultProxy:
    upstream: tuple[str, int]
    faults: list[Fault] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    port: int = 0
    _flap: random.Random | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _arrivals: int = 0  # requests read so far (each numbered by its arrival)
    _latest_forwarded: int = 0  # the latest-arrived request forwarded so far

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, *faults: Fault) -> None:
        with self._lock:
            self.faults.extend(faults)

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()
            self._flap = None

    def flap(self, seed: int | None) -> None:
        """Per request, drop / delay / reorder / pass at random from ``seed`` (None:
        stop)."""
        with self._lock:
            self._flap = None if seed is None else random.Random(seed)

    def seen(self, path_prefix: str = "/", method: str | None = None) -> list[Exchange]:
        with self._lock:
            return [e for e in self.exchanges if e.path.startswith(path_prefix)
                    and method in (None, e.method)]

    def _choose(self, method: str, path: str) -> Fault:
        with self._lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    return fault
            if self._flap is not None:
                action = self._flap.choice(("drop", "delay", "reorder", "pass", "pass"))
                return Fault(action, seconds=self._flap.uniform(0.05, 0.3)  # type: ignore[arg-type]
                             if action != "reorder" else 1.0)
        return Fault("pass")

    # -- the proxy itself --------------------------------------------------------------

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            method, path = head.split(b" ", 2)[:2]
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            body = await reader.readexactly(length) if length else b""
            arrived = self._arrivals = self._arrivals + 1
            fault = self._choose(method.decode(), path.decode())
            exchange = Exchange(method.decode(), path.decode(), fault.action)
            with self._lock:
                self.exchanges.append(exchange)
            if fault.action == "drop":
                return
            if fault.action == "reply":
                exchange.status = fault.status
                answer = (f"HTTP/1.1 {fault.status} Fault\r\nRetry-After: {fault.retry_after}\r\n"
                          "Content-Type: application/json\r\nContent-Length: 2\r\n"
                          "Connection: close\r\n\r\n{}").encode()
                writer.write(answer)
                exchange.delivered = len(answer)
                await writer.drain()
                return
            if fault.action == "delay":
                await asyncio.sleep(fault.seconds)
            if fault.action == "reorder":
                end = asyncio.get_running_loop().time() + fault.seconds
                while self._latest_forwarded < arrived and asyncio.get_running_loop().time() < end:
                    await asyncio.sleep(0.01)
                exchange.overtaken = self._latest_forwarded > arrived
            self._latest_forwarded = max(self._latest_forwarded, arrived)
            answer = await self._forward(_with_close(head) + body)
            with suppress(ValueError, IndexError):
                exchange.status = int(answer.split(b" ", 2)[1])
            if fault.action == "cut":
                end = answer.find(b"\r\n\r\n") + 4
                answer = answer[:end + max(1, (len(answer) - end) // 2)]
            writer.write(answer)
            exchange.delivered = len(answer)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            with suppress(Exception):
                writer.close()

    async def _forward(self, request: bytes) -> bytes:
        reader, writer = await asyncio.open_connection(*self.upstream)
        try:
            writer.write(request)
            await writer.drain()
            return await reader.read()
        finally:
            writer.close()


def _with_close(head: bytes) -> bytes:
    lines = [line for line in head[:-4].split(b"\r\n")
             if not line.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n"


@contextmanager
def fault_proxy(upstream_url: str) -> Iterator[FaultProxy]:
    """The proxy on a random 127.0.0.1 port, served by its own event loop thread."""
    parts = urlsplit(upstream_url)
    proxy = FaultProxy((parts.hostname or "127.0.0.1", parts.port or 80))
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    server: asyncio.Server | None = None

    async def start() -> None:
        nonlocal server
        server = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
        proxy.port = server.sockets[0].getsockname()[1]
        ready.set()

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(start(), loop).result(5)
    ready.wait(5)
    try:
        yield proxy
    finally:
        async def stop() -> None:
            assert server is not None
            server.close()
            with suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)

        asyncio.run_coroutine_threadsafe(stop(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()
