"""The one checker every reliability test ends with (issue 18, item 1).

Given a till (its :class:`~ipos_tui.store.db.Terminal` database) and the back office
(a :class:`~ipos_tui.backoffice.services.BackOffice` on the database the server uses):

* every document the till finished and sent (receipt, return, cash document) is in
  the back office exactly once, by uuid, with the same number and total; the back
  office holds no other document of this till (a duplicate under another uuid);
* the outbox is empty, or holds only documents quarantined with their reason;
* the till's catalogue (products with this store's price, barcodes) equals the back
  office's for the till's store, compared as a hash of sorted rows (the rows
  themselves are reported on a mismatch);
* the sync cursors never moved backwards: :func:`cursors` before, the checker after.

:func:`problems` lists what is wrong (empty: all holds); :func:`check` asserts.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from ipos_tui.backoffice import models as bo
from ipos_tui.backoffice.services import BackOffice
from ipos_tui.store.db import Terminal

Row = tuple[Any, ...]


@dataclass(frozen=True)
class TillDocument:
    uuid: str
    doc_type: str
    number: int
    total: int
    upload_state: str
    reject_reason: str | None


def cursors(terminal: Terminal) -> dict[str, int]:
    """The till's pull cursors by stream (record them before a test's faults)."""
    rows = terminal.db.execute_sql("SELECT stream, cursor FROM sync_cursor").fetchall()
    out = {}
    for stream, value in rows:
        try:
            out[str(stream)] = int(value)
        except (TypeError, ValueError):
            continue
    return out


def till_documents(terminal: Terminal) -> list[TillDocument]:
    rows = terminal.db.execute_sql(
        "SELECT uuid, doc_type, number, total, upload_state, reject_reason FROM document"
        " ORDER BY id").fetchall()
    return [TillDocument(str(u), str(t), int(n), int(total), str(s), r)
            for u, t, n, total, s, r in rows]


def _office_rows(sql: str, *params: Any) -> list[Row]:
    db = bo.database_proxy.obj
    return [tuple(r) for r in db.execute_sql(sql.replace("?", db.param), params).fetchall()]


def office_documents(terminal_id: int) -> list[Row]:
    """(uuid, number, total) of every document the back office holds from a till."""
    return _office_rows(
        "SELECT uuid, number, total FROM transaction_doc WHERE terminal_id = ? ORDER BY id",
        terminal_id)


def office_catalogue(office: BackOffice, store_id: int) -> dict[str, list[Row]]:
    """The products (with this store's price) and barcodes a till of the store must hold."""
    cid = office.company_id
    (list_id,) = _office_rows("SELECT price_list_id FROM store WHERE id = ?", store_id)[0]
    prices = dict(_office_rows(
        "SELECT product_id, price FROM price WHERE price_list_id = ?", list_id))
    products = [
        (int(pid), str(plu), str(name), str(vat), int(prices.get(pid, 0)),
         bool(active) and pid in prices)
        for pid, plu, name, vat, active in _office_rows(
            "SELECT id, plu, name, vat, active FROM product WHERE company_id = ?", cid)]
    barcodes = [(str(c), int(p)) for c, p in _office_rows(
        "SELECT code, product_id FROM barcode WHERE company_id = ?", cid)]
    return {"products": sorted(products), "barcodes": sorted(barcodes)}


def till_catalogue(terminal: Terminal) -> dict[str, list[Row]]:
    def rows(sql: str) -> list[Row]:
        return [tuple(r) for r in terminal.db.execute_sql(sql).fetchall()]

    products = [(int(i), str(plu), str(name), str(vat), int(price), bool(active))
                for i, plu, name, vat, price, active in rows(
                    "SELECT id, plu, name, vat_letter, price, active FROM product")]
    barcodes = [(str(c), int(p)) for c, p in rows("SELECT code, product_id FROM barcode")]
    return {"products": sorted(products), "barcodes": sorted(barcodes)}


def catalogue_hash(catalogue: dict[str, list[Row]]) -> str:
    return hashlib.sha256(json.dumps(catalogue, sort_keys=True).encode()).hexdigest()


def _terminal_ids(terminal: Terminal) -> tuple[int, int]:
    info = terminal.settings.terminal_info()
    assert info is not None, "the till is not activated"
    return int(info.terminal_id), int(info.store_id)


def problems(terminal: Terminal, office: BackOffice, *,
             cursors_before: dict[str, int] | None = None,
             catalogue: bool = True) -> list[str]:
    """Everything that breaks the invariants (empty when they hold)."""
    found: list[str] = []
    terminal_id, store_id = _terminal_ids(terminal)
    docs = till_documents(terminal)
    stored: dict[str, list[Row]] = {}
    for row in office_documents(terminal_id):
        stored.setdefault(str(row[0]), []).append(row)
    for doc in docs:
        if doc.upload_state == "quarantined":
            if not doc.reject_reason:
                found.append(f"{doc.uuid}: quarantined without a reason")
            if len(stored.get(doc.uuid, [])) > 1:  # released at most once
                found.append(f"{doc.uuid}: quarantined, in the back office"
                             f" {len(stored[doc.uuid])} times")
            continue
        if doc.upload_state != "sent":
            found.append(f"{doc.uuid}: still in the outbox ({doc.upload_state})")
            continue
        rows = stored.get(doc.uuid, [])
        if len(rows) != 1:
            found.append(f"{doc.uuid}: in the back office {len(rows)} times")
        elif (int(rows[0][1]), int(rows[0][2])) != (doc.number, doc.total):
            found.append(f"{doc.uuid}: back office has number/total {rows[0][1:]},"
                         f" the till {(doc.number, doc.total)}")
    finished = {d.uuid for d in docs}
    for uuid, rows in stored.items():
        if uuid not in finished:
            found.append(f"{uuid}: in the back office ({len(rows)}x) but not on the till")
    if catalogue:
        theirs, ours = office_catalogue(office, store_id), till_catalogue(terminal)
        if catalogue_hash(theirs) != catalogue_hash(ours):
            for part in ("products", "barcodes"):
                missing = sorted(set(theirs[part]) - set(ours[part]))
                extra = sorted(set(ours[part]) - set(theirs[part]))
                if missing or extra:
                    found.append(f"catalogue {part} differ: back office only {missing[:5]},"
                                 f" till only {extra[:5]}")
    if cursors_before is not None:
        now = cursors(terminal)
        for stream, before in cursors_before.items():
            after = now.get(stream)
            if after is None or after < before:
                found.append(f"cursor {stream} moved backwards: {before} -> {after}")
    return found


def check(terminal: Terminal, office: BackOffice, *,
          cursors_before: dict[str, int] | None = None, catalogue: bool = True) -> None:
    """Assert the invariants, listing every problem found."""
    found = problems(terminal, office, cursors_before=cursors_before, catalogue=catalogue)
    assert not found, "invariants broken:\n  " + "\n  ".join(found)
