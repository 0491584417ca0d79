"""Helpers of the sync tests: a real back office (uvicorn on 127.0.0.1) with the demo
shop, activated terminals, and the catalogue each side holds, in comparable form."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


from ipos_tui.backoffice import models as m
from ipos_tui.backoffice.db import open_database
from ipos_tui.demo.backoffice import seed_demo
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.sync.activation import activate
from ipos_tui.sync.context import SyncContext
from ipos_tui.sync.progress import CancelToken
from ipos_tui.sync.pull import pull_stream
from ipos_tui.store.db import Terminal, open_terminal
from ipos_tui.backoffice.embedded import EmbeddedServer

PEPPER = b"sync-test-pepper"
ROLES = {"cashier": "kasjer", "manager": "kierownik", "owner": "właściciel"}
LOGIN_MODES = {"identifier_pin": "id_pin", "pin": "id_pin", "identifier": "id", "none": "none"}


@contextmanager
def running_server(office: BackOffice) -> Iterator[str]:
    """uvicorn serving the office on a random 127.0.0.1 port; yields the base URL."""
    with EmbeddedServer(office) as url:
        yield url

def demo_office(target: Path | str) -> BackOffice:
    """A back office database holding the demo shop (385 products, two stores), on a
    SQLite file or a database URL."""
    url = target if isinstance(target, str) else f"sqlite:///{target}"
    office = BackOffice(open_database(url), PEPPER)
    office.init_schema()
    seed_demo(office)
    return office


def first_store(office: BackOffice) -> int:
    return int(office.list_stores()[0]["id"])


def activated(office: BackOffice, base: str, data_dir: Path, store_id: int,
              name: str = "Kasa testowa") -> Terminal:
    """A fresh terminal database activated for ``store_id`` at ``base``."""
    _, code = office.add_terminal(store_id, name)
    terminal = open_terminal(data_dir)
    activate(terminal, base, code, name, sleep=lambda _s: None)
    return terminal


def pull_all(terminal: Terminal, limit: int = 100, events: list[object] | None = None,
             streams: tuple[str, ...] = ("config", "users", "products")) -> dict[str, bool]:
    """Run the pull jobs (all three by default) with small pages; returns ok per stream."""
    ctx = SyncContext.for_terminal(terminal, sleep=lambda _s: None, page_limit=limit)
    assert ctx is not None
    observer = events.append if events is not None else (lambda _e: None)
    with ctx:
        return {stream: pull_stream(ctx, stream, observer, CancelToken()).ok
                for stream in streams}


# ----------------------------------------------------------- what each side holds


def _rows(sql: str, *params: Any) -> list[tuple[Any, ...]]:
    db = m.database_proxy.obj
    return [tuple(r) for r in db.execute_sql(sql.replace("?", db.param), params).fetchall()]


def office_catalogue(office: BackOffice, store_id: int) -> dict[str, Any]:
    """The catalogue the terminal of ``store_id`` must end up with, from the back
    office's own tables (not from the feed): products with this store's prices."""
    cid = office.company_id
    (list_id,) = _rows("SELECT price_list_id FROM store WHERE id = ?", store_id)[0]
    prices = dict(_rows("SELECT product_id, price FROM price WHERE price_list_id = ?", list_id))
    products = {}
    for pid, plu, name, vat, unit, precision, cat, kind, active in _rows(
        "SELECT p.id, p.plu, p.name, p.vat, u.name, u.precision, p.category_id, p.kind,"
        " p.active FROM product p JOIN unit u ON u.id = p.unit_id WHERE p.company_id = ?",
        cid,
    ):
        products[pid] = (plu, name, vat, unit, precision, cat,
                         "towar" if kind == "good" else "usluga",
                         prices.get(pid, 0), bool(active) and pid in prices)
    settings = {k: json.loads(v) for k, v in _rows(
        "SELECT key, value FROM setting WHERE company_id = ?", cid)}
    if "login_mode" in settings:
        settings["login_mode"] = LOGIN_MODES[settings["login_mode"]]
    return {
        "products": products,
        "barcodes": dict(_rows("SELECT code, product_id FROM barcode WHERE company_id = ?", cid)),
        "users": {uid: (ident, name, ROLES[role], bool(active), sorted(json.loads(perms)))
                  for uid, ident, name, role, active, perms in _rows(
                      "SELECT id, identifier, name, role, active, permissions FROM staff_user"
                      " WHERE company_id = ?", cid)},
        "settings": settings,
        "payment_methods": {code: (name, kind, bool(change), pos, bool(active))
                            for code, name, kind, change, pos, active in _rows(
                                "SELECT code, name, kind, gives_change, position, active"
                                " FROM payment_method WHERE company_id = ?", cid)},
        "stores": dict(_rows("SELECT id, name FROM store WHERE id = ?", store_id)),
        "categories": {c: (n, p) for c, n, p in _rows(
            "SELECT id, name, parent_id FROM category WHERE company_id = ?", cid)},
        "discounts": {d: (n, k, v, s) for d, n, k, v, s in _rows(
            "SELECT id, name, kind, value, scope FROM discount WHERE company_id = ?"
            " AND active = ?", cid, True)},
    }


def terminal_catalogue(terminal: Terminal) -> dict[str, Any]:
    """The same view of a terminal's catalogue tables."""
    def rows(sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in terminal.db.execute_sql(sql).fetchall()]

    return {
        "products": {r[0]: (*r[1:8], r[8], bool(r[9])) for r in rows(
            "SELECT id, plu, name, vat_letter, unit, precision, category_id, type, price,"
            " active FROM product")},
        "barcodes": dict(rows("SELECT code, product_id FROM barcode")),
        "users": {uid: (ident, name, role, bool(active), sorted(json.loads(perms)))
                  for uid, ident, name, role, active, perms in rows(
                      "SELECT id, identifier, name, role, active, permissions FROM user")},
        "settings": {k: json.loads(v) for k, v in rows("SELECT key, value FROM setting")
                     if not k.startswith("@")},
        "payment_methods": {code: (name, kind, bool(change), pos, bool(active))
                            for code, name, kind, change, pos, active in rows(
                                "SELECT code, name, kind, allows_change, position, active"
                                " FROM payment_method")},
        "stores": dict(rows("SELECT id, name FROM store")),
        "categories": {c: (n, p) for c, n, p in rows(
            "SELECT id, name, parent_id FROM category")},
        "discounts": {d: (n, k, v, s) for d, n, k, v, s in rows(
            "SELECT id, name, kind, value, scope FROM discount")},
    }



def assert_name_index_matches(terminal: Terminal) -> None:
    """The trigram index of product names agrees with the product table row by row
    (FTS5 'integrity-check' against the content table raises otherwise)."""
    terminal.db.execute_sql(
        "INSERT INTO product_fts (product_fts, rank) VALUES ('integrity-check', 1)")
