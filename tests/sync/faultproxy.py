"""Servers for the upload tests: a fault-injecting HTTP proxy in front of the real
back office, uvicorn on 127.0.0.1, and a small shop with terminals to activate.

The proxy speaks just enough HTTP/1.1 to sit between the terminal's httpx client and
the real back office on 127.0.0.1: it reads one request per client connection
(Content-Length bodies, which is what httpx sends for JSON), forwards it upstream
with ``Connection: close``, reads the whole answer and then, by the first matching
rule, delivers it — or drops it after the server has committed (the case exactly-once
exists for), or holds it back until the test releases it (time to kill -9 the
terminal), or answers by itself without forwarding (a 503 with Retry-After), or
resets the connection. ``stop_listening`` closes its port (connection refused, as
with a back office that is down) and ``start_listening`` reopens the same port.
Every exchange is recorded, with the decoded answer, for the tests to assert on.

:class:`Shop` is a real back office (SQLite in a temp dir) with a company, two
stores, a cashier, products and payment methods; :meth:`Shop.activate` registers a
terminal, activates it over HTTP and stores the connection in a terminal database,
so jobs start through ``SyncContext.for_terminal`` exactly as the app does.
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal


from ipos_tui import __version__
from ipos_tui.backoffice import models as bo
from ipos_tui.backoffice.db import open_database
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.sync.client import SyncClient
from ipos_tui.store.connection import Connection, ConnectionStore
from ipos_tui.store.db import Terminal
from ipos_tui.domain.records import TerminalInfo, User
from ipos_tui.backoffice.embedded import AsgiServer

Action = Literal["forward", "drop_response", "hold", "reply", "reset"]
_HEAD_END = b"\r\n\r\n"


@dataclass
class Rule:
    """What to do with the next ``times`` requests matching ``method`` and ``path``."""

    action: Action
    method: str = "POST"
    path_prefix: str = "/"
    times: int = 1
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    #: "hold": the answer is delivered only once this is set.
    release: threading.Event = field(default_factory=threading.Event)
    #: Only requests whose body holds these bytes (e.g. one document's uuid) match.
    body_contains: bytes = b""

    def matches(self, method: str, path: str, body: bytes = b"") -> bool:
        return (self.times > 0 and method == self.method and path.startswith(self.path_prefix)
                and self.body_contains in body)


@dataclass
class Exchange:
    """One request the proxy handled and what became of it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    action: Action
    status: int | None = None
    response_body: bytes = b""
    #: Set once the server's answer is in the proxy (the server has committed).
    answered: threading.Event = field(default_factory=threading.Event)

    def request_json(self) -> Any:
        return json.loads(self.body)

    def response_json(self) -> Any:
        return json.loads(self.response_body)


class FaultProxy:
    """A threaded proxy on 127.0.0.1 in front of ``upstream`` ("host:port")."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.rules: list[Rule] = []
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- control ----------------------------------------------------------------

    def add_rule(self, rule: Rule) -> Rule:
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        """Forget rules and recorded exchanges (between tests)."""
        with self._lock:
            self.rules.clear()
            self.exchanges.clear()

    def posts(self, path_prefix: str = "/api/v1/transactions") -> list[Exchange]:
        with self._lock:
            return [e for e in self.exchanges
                    if e.method == "POST" and e.path.startswith(path_prefix)]

    def start_listening(self) -> None:
        """Listen (again) on the proxy's port (a new one the first time)."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._thread = threading.Thread(target=self._accept_loop, args=(listener,), daemon=True)
        self._thread.start()

    def stop_listening(self) -> None:
        """Close the port: new connections are refused until :meth:`start_listening`."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    # -- serving ------------------------------------------------------------------

    def _accept_loop(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _take_rule(self, method: str, path: str, body: bytes = b"") -> Rule | None:
        with self._lock:
            for rule in self.rules:
                if rule.matches(method, path, body):
                    rule.times -= 1
                    return rule
        return None

    def _handle(self, client: socket.socket) -> None:
        with client:
            try:
                request = _read_request(client)
            except (OSError, ValueError):
                return
            if request is None:
                return
            method, path, headers, head, body = request
            rule = self._take_rule(method, path, body)
            action: Action = rule.action if rule else "forward"
            exchange = Exchange(method, path, headers, body, action)
            with self._lock:
                self.exchanges.append(exchange)
            if action == "reset":
                _abort(client)
                return
            if action == "reply" and rule is not None:
                raw = _response_bytes(rule.status, rule.headers, rule.body)
                exchange.status, exchange.response_body = rule.status, rule.body
                client.sendall(raw)
                return
            raw = self._forward(head, body)
            exchange.status, exchange.response_body = _parse_response(raw)
            exchange.answered.set()
            if action == "hold" and rule is not None:
                rule.release.wait(30)
            if action == "drop_response":
                _abort(client)
                return
            client.sendall(_close_after(raw))

    def _forward(self, head: bytes, body: bytes) -> bytes:
        """Send the request upstream with ``Connection: close``; read the whole answer."""
        with socket.create_connection(self.upstream, timeout=30) as upstream:
            upstream.sendall(_with_close(head) + body)
            chunks: list[bytes] = []
            while chunk := upstream.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)


def _read_request(sock: socket.socket) -> tuple[str, str, dict[str, str], bytes, bytes] | None:
    """One request: method, path, headers (lower-case names), raw head, body."""
    data = b""
    while _HEAD_END not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, rest = data.partition(_HEAD_END)
    lines = head.decode("latin-1").split("\r\n")
    method, path, _version = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", ""):
        raise ValueError("chunked request bodies are not supported by the test proxy")
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        rest += chunk
    return method, path, headers, head, rest[:length]


def _with_close(head: bytes) -> bytes:
    """The request head with its Connection header replaced by ``close``."""
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"]) + _HEAD_END


def _close_after(raw: bytes) -> bytes:
    """The response with ``Connection: close`` (the proxy serves one request per socket)."""
    head, _, body = raw.partition(_HEAD_END)
    return _with_close(head) + body


def _parse_response(raw: bytes) -> tuple[int | None, bytes]:
    """Status and decoded body of a complete upstream answer."""
    head, _, body = raw.partition(_HEAD_END)
    lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split(" ", 2)[1])
    except (IndexError, ValueError):
        return None, body
    headers = {n.strip().lower(): v.strip() for n, _, v in (ln.partition(":") for ln in lines[1:])}
    if "chunked" in headers.get("transfer-encoding", ""):
        body = _dechunk(body)
    if headers.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    return status, body


def _dechunk(body: bytes) -> bytes:
    out = b""
    while body:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, body = out + body[:size], body[size + 2 :]
    return out


def _response_bytes(status: int, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"HTTP/1.1 {status} Injected"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines += [f"Content-Length: {len(body)}", "Connection: close"]
    return "\r\n".join(lines).encode("latin-1") + _HEAD_END + body


def _abort(sock: socket.socket) -> None:
    """Close a connection at once, without an answer (RST, as a dying link would)."""
    with suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    with suppress(OSError):
        sock.close()


@contextmanager
def fault_proxy(upstream_url: str) -> Iterator[FaultProxy]:
    """A listening :class:`FaultProxy` in front of ``upstream_url`` ("http://host:port")."""
    host, _, port = upstream_url.removeprefix("http://").partition(":")
    proxy = FaultProxy(host, int(port))
    proxy.start_listening()
    try:
        yield proxy
    finally:
        proxy.stop_listening()


@contextmanager
def serve_app(app: Any) -> Iterator[str]:
    """uvicorn serving an ASGI app on a random 127.0.0.1 port; yields the base URL."""
    with AsgiServer(app) as url:
        yield url

# --------------------------------------------------------------------------- the shop


@dataclass
class Shop:
    """A back office with one company: stores, a cashier, products, payment methods."""

    office: BackOffice
    store1: int
    store2: int
    cashier: User
    products: dict[str, int]

    @classmethod
    def create(cls, target: Path | str) -> Shop:
        """On a SQLite file or a database URL."""
        url = target if isinstance(target, str) else f"sqlite:///{target}"
        office = BackOffice(open_database(url), b"test-pepper")
        office.init_schema()
        office.create_company(
            "Sklep Testowy sp. z o.o.", nip="5260250995",
            payment_methods=(("cash", "Gotówka", "cash"), ("card", "Karta", "card"),
                             ("voucher", "Bon", "voucher")),
        )
        list1 = office.add_price_list("Cennik 1")
        list2 = office.add_price_list("Cennik 2")
        store1 = office.add_store("Sklep Kraków", price_list_id=list1)
        store2 = office.add_store("Sklep Wrocław", price_list_id=list2)
        products = {
            letter: office.add_product(f"Towar {letter}", f"10{i}", letter,
                                       prices={list1: 100 + i, list2: 110 + i})
            for i, letter in enumerate("ABCDE")
        }
        products["kg"] = office.add_product("Ser żółty", "200", "B", unit="kg",
                                            prices={list1: 3999, list2: 4199})
        cashier_id = office.add_user("1001", "Anna Kowalska", "1111")
        cashier = User(id=cashier_id, identifier="1001", name="Anna Kowalska", role="cashier")
        return cls(office, store1, store2, cashier, products)

    def activate(self, base_url: str, terminal: Terminal, *, server_url: str | None = None,
                 store_id: int | None = None) -> Connection:
        """Register a terminal of ``store_id`` (store 1), activate it at ``base_url`` and
        store its identity and connection (to ``server_url``, e.g. a proxy) locally."""
        _, code = self.office.add_terminal(store_id or self.store1, "Kasa")
        answer = SyncClient.activate(base_url, code, "Kasa", app_version=__version__)
        connection = Connection(server_url or base_url, answer.terminal_id, answer.store_id,
                                answer.token, "Kasa")
        with terminal.db.atomic():
            ConnectionStore(terminal.db, terminal.models).save(connection)
        terminal.settings.set_terminal_info(
            TerminalInfo(answer.terminal_id, "Kasa", answer.store_id))
        return connection

    def stored(self, uuids: list[str]) -> list[Any]:
        """The back office's transaction rows of these uuids (one per stored document)."""
        t = bo.Transaction
        return list(t.select().where(t.uuid.in_(uuids)).order_by(t.id))

    def quarantined(self, uuid: str) -> list[Any]:
        q = bo.Quarantine
        return list(q.select().where(q.uuid == uuid))

    def pending_count_of(self, terminal_id: int) -> int | None:
        return bo.Terminal.get_by_id(terminal_id).pending_count
