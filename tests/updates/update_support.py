"""Helpers of the update tests: wheels, signing keys, a real back office with releases
and an activated terminal."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ipos_tui.backoffice.db import open_database
from ipos_tui.backoffice.embedded import EmbeddedServer
from ipos_tui.backoffice.releases import ReleaseStore, keygen, publish
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.store.db import Terminal, open_terminal
from ipos_tui.sync.activation import activate
from ipos_tui.sync.context import SyncContext
from ipos_tui.updates.keys import trust_key
from ipos_tui.updates.updater import Updater

PEPPER = b"update-test-pepper"


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def fake_wheel(directory: Path, version: str, project: str = "ipos_tui",
               files: dict[str, str] | None = None, requires: tuple[str, ...] = ()) -> Path:
    """A small but well-formed wheel (METADATA, WHEEL, RECORD) of ``project``."""
    directory.mkdir(parents=True, exist_ok=True)
    info = f"{project}-{version}.dist-info"
    contents = {
        **(files or {f"{project}_marker/__init__.py": f"VERSION = {version!r}\n"}),
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {project.replace('_', '-')}\n"
                            f"Version: {version}\n"
                            + "".join(f"Requires-Dist: {r}\n" for r in requires),
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                         "Tag: py3-none-any\n",
    }
    path = directory / f"{project}-{version}-py3-none-any.whl"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        lines = []
        for name, text in contents.items():
            zf.writestr(name, text)
            lines.append(record_line(name, text.encode()))
        lines.append(f"{info}/RECORD,,")
        zf.writestr(f"{info}/RECORD", "\n".join(lines) + "\n")
    path.write_bytes(buffer.getvalue())
    return path


def new_office(directory: Path) -> BackOffice:
    """An empty back office (one company, one store) in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    office = BackOffice(open_database(f"sqlite:///{directory / 'bo.sqlite3'}"), PEPPER)
    office.init_schema()
    office.create_company("Sklep Testowy")
    list_id = office.add_price_list("Cennik")
    office.add_store("Sklep 1", None, list_id)
    return office


@dataclass
class Shop:
    """A running back office, its release store, a signing key and an activated till."""

    office: BackOffice
    url: str
    store: ReleaseStore
    key: dict[str, str]
    terminal: Terminal
    root: Path

    def publish(self, version: str, *, key: str | None = None, channel: str = "stable",
                expires_days: float = 30.0, **options: Any) -> dict[str, Any]:
        wheel = fake_wheel(self.root / "dist" / version, version)
        options.setdefault("no_deps", True)
        return publish(self.store, wheel, Path(key or self.key["private_key"]), channel=channel,
                       expires_days=expires_days, **options)

    @contextmanager
    def updater(self, current: str = "0.1.0", **options: Any) -> Iterator[Updater]:
        context = SyncContext.for_terminal(self.terminal, sleep=lambda _s: None)
        assert context is not None
        with context:
            yield Updater(self.terminal.data_dir, context.client, current=current, **options)


@contextmanager
def running_shop(root: Path, *, trust: bool = True,
                 terminal_dir: Path | None = None) -> Iterator[Shop]:
    office = new_office(root / "backoffice")
    key = keygen(root / "keys")
    with EmbeddedServer(office) as url:
        _, code = office.add_terminal(int(office.list_stores()[0]["id"]), "Kasa 1")
        terminal = open_terminal(terminal_dir or root / "terminal")
        try:
            activate(terminal, url, code, "Kasa 1", sleep=lambda _s: None)
            if trust:
                trust_key(terminal.data_dir, Path(key["public_key"]))
            store = ReleaseStore(root / "backoffice" / "releases")
            yield Shop(office, url, store, key, terminal, root)
        finally:
            terminal.close()
